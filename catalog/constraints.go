package catalog

import "sort"

// Check is a CHECK constraint of a table: a boolean expression over the
// table's columns that no stored row may make false (NULL passes).
type Check struct {
	// OID identifies the constraint (pg_constraint).
	OID  uint32
	Name string
	// Expr is the expression as pg_get_constraintdef prints it inside
	// CHECK (...) (PostgreSQL's ruleutils form, operators parenthesized);
	// it binds against the table's columns by their current names.
	Expr string
	// Pretty is the same expression as psql's \d prints it
	// (pg_get_constraintdef(oid, true)).
	Pretty string
	// NotValid marks a constraint added with NOT VALID: rows stored
	// before it were not checked.
	NotValid bool `json:",omitempty"`
	// NoInherit is NO INHERIT: recorded and shown (tsgres has no table
	// inheritance).
	NoInherit bool `json:",omitempty"`
}

// Foreign key actions (ON DELETE / ON UPDATE) and match types, with
// pg_constraint's letters.
const (
	FKNoAction   byte = 'a'
	FKRestrict   byte = 'r'
	FKCascade    byte = 'c'
	FKSetNull    byte = 'n'
	FKSetDefault byte = 'd'

	FKMatchSimple byte = 's'
	FKMatchFull   byte = 'f'
)

// ForeignKey is a FOREIGN KEY constraint, stored with its referencing
// table: every row whose key columns Cols are all non-NULL (MATCH SIMPLE;
// MATCH FULL: all or none NULL) must have a row of table RefTable with
// equal values in RefCols, which a primary key or unique constraint of
// RefTable covers.
type ForeignKey struct {
	// OID identifies the constraint (pg_constraint).
	OID  uint32
	Name string
	// Cols are the referencing column IDs, parallel to RefCols.
	Cols []uint32
	// RefTable is the referenced table's OID; RefCols its column IDs.
	RefTable uint32
	RefCols  []uint32
	// OnDelete and OnUpdate are the actions (FKNoAction, ...); Match
	// the match type (FKMatchSimple, FKMatchFull).
	OnDelete, OnUpdate, Match byte
	// NotValid marks a constraint added with NOT VALID.
	NotValid bool `json:",omitempty"`
}

// ReferencedBy returns the foreign keys of tables of database db that
// reference table oid, with their tables, in table OID order.
func (s *Snapshot) ReferencedBy(db, oid uint32) (tables []*Table, fks []*ForeignKey) {
	var refs []*Table
	for _, t := range s.tables {
		if t.DB == db && len(t.ForeignKeys) > 0 {
			refs = append(refs, t)
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].OID < refs[j].OID })
	for _, t := range refs {
		for i := range t.ForeignKeys {
			if t.ForeignKeys[i].RefTable == oid {
				tables = append(tables, t)
				fks = append(fks, &t.ForeignKeys[i])
			}
		}
	}
	return tables, fks
}

// ConstraintNameTaken reports whether name is already used by a
// constraint of t (index-backed, CHECK or FOREIGN KEY).
func (t *Table) ConstraintNameTaken(name string) bool {
	for i := range t.Indexes {
		if t.Indexes[i].Name == name {
			return true
		}
	}
	for i := range t.Checks {
		if t.Checks[i].Name == name {
			return true
		}
	}
	for i := range t.ForeignKeys {
		if t.ForeignKeys[i].Name == name {
			return true
		}
	}
	return false
}
