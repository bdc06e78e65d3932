package pgcatalog

import (
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
)

// CHECK and FOREIGN KEY constraints in the catalogs: their pg_constraint
// rows (OID constraintOID + the constraint's catalog OID, like the
// constraints indexes back), pg_get_constraintdef as PostgreSQL 15
// prints them, and the information_schema views clients reflect them
// with.

func init() {
	// psql's \d asks for the "Referenced by" constraints of a table and
	// of its partition ancestors; tsgres has no partitions, so the
	// function returns no rows (as PostgreSQL does for a plain table).
	funcs.RegisterSet(&funcs.Set{Name: "pg_partition_ancestors", Resolve: func(at []types.T) (funcs.SetFunc, []funcs.SetCol, bool) {
		return func(any, []any) ([][]any, error) { return nil, nil },
			[]funcs.SetCol{{Name: "relid", T: types.Regclass}}, len(at) == 1
	}})
}

// fkActionText is the SQL of a pg_constraint action letter.
var fkActionText = map[byte]string{
	catalog.FKRestrict: "RESTRICT", catalog.FKCascade: "CASCADE",
	catalog.FKSetNull: "SET NULL", catalog.FKSetDefault: "SET DEFAULT", catalog.FKNoAction: "NO ACTION",
}

// colNames returns the names of columns ids of t.
func colNames(t *catalog.Table, ids []uint32) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if k := t.ColByID(id); k >= 0 {
			out[i] = types.QuoteIdent(t.Cols[k].Name)
		}
	}
	return out
}

// attnums returns the attribute numbers of columns ids of t as an int2[].
func attnums(t *catalog.Table, ids []uint32) *types.Array {
	vals := make([]any, len(ids))
	for i, id := range ids {
		vals[i] = int64(t.ColByID(id) + 1)
	}
	return types.NewArray(types.Int2, vals)
}

// checkDef is pg_get_constraintdef of CHECK constraint c.
func checkDef(c *catalog.Check, pretty bool) string {
	e := c.Expr
	if pretty && c.Pretty != "" {
		e = c.Pretty
	}
	s := "CHECK (" + e + ")"
	if c.NoInherit {
		s += " NO INHERIT"
	}
	if c.NotValid {
		s += " NOT VALID"
	}
	return s
}

// foreignKeyDef is pg_get_constraintdef of foreign key fk of t.
func foreignKeyDef(env Env, t *catalog.Table, fk *catalog.ForeignKey) string {
	ref := env.Catalog().TableByOID(fk.RefTable)
	var sb strings.Builder
	sb.WriteString("FOREIGN KEY (" + strings.Join(colNames(t, fk.Cols), ", ") + ") REFERENCES ")
	if ref != nil {
		sb.WriteString(visibleRelName(env, ref) + "(" + strings.Join(colNames(ref, fk.RefCols), ", ") + ")")
	}
	if fk.Match == catalog.FKMatchFull {
		sb.WriteString(" MATCH FULL")
	}
	if fk.OnUpdate != catalog.FKNoAction {
		sb.WriteString(" ON UPDATE " + fkActionText[fk.OnUpdate])
	}
	if fk.OnDelete != catalog.FKNoAction {
		sb.WriteString(" ON DELETE " + fkActionText[fk.OnDelete])
	}
	if fk.NotValid {
		sb.WriteString(" NOT VALID")
	}
	return sb.String()
}

// visibleRelName is t's name, schema-qualified when the search path
// does not find it by its bare name (ruleutils' generate_relation_name).
func visibleRelName(env Env, t *catalog.Table) string {
	for _, s := range SearchPath(env) {
		if s == t.Schema {
			return types.QuoteIdent(t.Name)
		}
		if _, ok := relByName(env, s, t.Name); ok {
			break
		}
	}
	return types.QuoteIdent(t.Schema) + "." + types.QuoteIdent(t.Name)
}

// findConstraint returns the table with the CHECK or FOREIGN KEY
// constraint of catalog OID oid, and the constraint.
func findConstraint(env Env, oid uint32) (*catalog.Table, *catalog.Check, *catalog.ForeignKey) {
	for _, t := range env.Catalog().Tables(env.Database()) {
		for i := range t.Checks {
			if t.Checks[i].OID == oid {
				return t, &t.Checks[i], nil
			}
		}
		for i := range t.ForeignKeys {
			if t.ForeignKeys[i].OID == oid {
				return t, nil, &t.ForeignKeys[i]
			}
		}
	}
	return nil, nil, nil
}

// constraintDefByOID is pg_get_constraintdef of a CHECK or FOREIGN KEY
// constraint; ok is false for any other OID.
func constraintDefByOID(env Env, oid uint32, pretty bool) (string, bool) {
	t, ck, fk := findConstraint(env, oid)
	switch {
	case ck != nil:
		return checkDef(ck, pretty), true
	case fk != nil:
		return foreignKeyDef(env, t, fk), true
	}
	return "", false
}

// checkColumns returns the attribute numbers of the columns a CHECK
// reads (pg_constraint.conkey), found by name in its expression.
func checkColumns(env Env, t *catalog.Table, c *catalog.Check) []uint32 {
	var ids []uint32
	for _, col := range t.Cols {
		if identIn(c.Expr, col.Name) {
			ids = append(ids, col.ID)
		}
	}
	return ids
}

// identIn reports whether identifier name appears as a word of expr
// outside string literals.
func identIn(expr, name string) bool {
	inStr := false
	for i := 0; i < len(expr); i++ {
		ch := expr[i]
		if ch == '\'' {
			inStr = !inStr
			continue
		}
		if inStr || !strings.HasPrefix(expr[i:], name) {
			continue
		}
		before := i == 0 || !isIdentByte(expr[i-1])
		after := i+len(name) >= len(expr) || !isIdentByte(expr[i+len(name)])
		if before && after {
			return true
		}
	}
	return false
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// constraintRows returns the pg_constraint rows of t's CHECK and FOREIGN
// KEY constraints; ns maps schema names to OIDs.
func constraintRows(env Env, t *catalog.Table, ns map[string]uint32) [][]any {
	var rows [][]any
	for i := range t.Checks {
		c := &t.Checks[i]
		rows = append(rows, []any{
			int64(constraintOID + c.OID), c.Name, i64(ns[t.Schema]),
			"c", false, false,
			!c.NotValid, i64(t.OID), int64(0),
			int64(0), int64(0), int64(0),
			" ", " ", " ",
			true, int64(0), c.NoInherit,
			attnums(t, checkColumns(env, t, c)), nil, nil,
			nil, nil, nil,
			nil, c.Expr,
		})
	}
	for i := range t.ForeignKeys {
		fk := &t.ForeignKeys[i]
		var refOID, indOID int64
		confkey := any(nil)
		if ref := env.Catalog().TableByOID(fk.RefTable); ref != nil {
			refOID = int64(ref.OID)
			confkey = attnums(ref, fk.RefCols)
			for k := range ref.Indexes {
				ix := &ref.Indexes[k]
				if ix.Unique && sameIDs(ix.Cols, fk.RefCols) {
					indOID = int64(ix.OID)
					break
				}
			}
		}
		rows = append(rows, []any{
			int64(constraintOID + fk.OID), fk.Name, i64(ns[t.Schema]),
			"f", false, false,
			!fk.NotValid, i64(t.OID), int64(0),
			indOID, int64(0), refOID,
			string(fk.OnUpdate), string(fk.OnDelete), string(fk.Match),
			true, int64(0), true,
			attnums(t, fk.Cols), confkey, nil,
			nil, nil, nil,
			nil, nil,
		})
	}
	return rows
}

// sameIDs reports whether a and b hold the same column IDs in any order.
func sameIDs(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		found := false
		for _, y := range b {
			found = found || x == y
		}
		if !found {
			return false
		}
	}
	return true
}

// fkRuleText is information_schema's update_rule / delete_rule.
func fkRuleText(a byte) string { return fkActionText[a] }

// fkMatchText is information_schema's match_option.
func fkMatchText(m byte) string {
	if m == catalog.FKMatchFull {
		return "FULL"
	}
	return "NONE"
}

// foreignKeyColumnUsage returns the key_column_usage rows of t's foreign
// keys: each referencing column with its position in the referenced key.
func foreignKeyColumnUsage(env Env, t *catalog.Table) [][]any {
	var rows [][]any
	db := env.DatabaseName()
	for _, fk := range t.ForeignKeys {
		ref := env.Catalog().TableByOID(fk.RefTable)
		var order []uint32
		if ref != nil {
			for k := range ref.Indexes {
				if ix := &ref.Indexes[k]; ix.Unique && sameIDs(ix.Cols, fk.RefCols) {
					order = ix.Cols
					break
				}
			}
		}
		for k, id := range fk.Cols {
			pos := any(nil)
			for j, rid := range order {
				if rid == fk.RefCols[k] {
					pos = int64(j + 1)
				}
			}
			rows = append(rows, []any{db, t.Schema, fk.Name, db, t.Schema, t.Name,
				t.Cols[t.ColByID(id)].Name, int64(k + 1), pos})
		}
	}
	return rows
}

func init() {
	is := catalog.SchemaInfo
	id, cd := tSQLIdent, tCharData

	register(is, "referential_constraints", cols(c("constraint_catalog", id), c("constraint_schema", id),
		c("constraint_name", id), c("unique_constraint_catalog", id), c("unique_constraint_schema", id),
		c("unique_constraint_name", id), c("match_option", cd), c("update_rule", cd), c("delete_rule", cd)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			db := env.DatabaseName()
			for _, t := range env.Catalog().Tables(env.Database()) {
				for _, fk := range t.ForeignKeys {
					var uschema, uname any
					if ref := env.Catalog().TableByOID(fk.RefTable); ref != nil {
						for k := range ref.Indexes {
							if ix := &ref.Indexes[k]; ix.Unique && sameIDs(ix.Cols, fk.RefCols) {
								uschema, uname = ref.Schema, ix.Name
								break
							}
						}
					}
					rows = append(rows, []any{db, t.Schema, fk.Name, db, uschema, uname,
						fkMatchText(fk.Match), fkRuleText(fk.OnUpdate), fkRuleText(fk.OnDelete)})
				}
			}
			return rows, nil
		})

	register(is, "check_constraints", cols(c("constraint_catalog", id), c("constraint_schema", id),
		c("constraint_name", id), c("check_clause", cd)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			db := env.DatabaseName()
			for _, t := range env.Catalog().Tables(env.Database()) {
				for _, ck := range t.Checks {
					rows = append(rows, []any{db, t.Schema, ck.Name, "(" + ck.Expr + ")"})
				}
				for _, nn := range notNullChecks(env, t) {
					rows = append(rows, []any{db, t.Schema, nn[0], nn[1]})
				}
			}
			return rows, nil
		})

	register(is, "constraint_column_usage", cols(c("table_catalog", id), c("table_schema", id),
		c("table_name", id), c("column_name", id), c("constraint_catalog", id), c("constraint_schema", id),
		c("constraint_name", id)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			db := env.DatabaseName()
			for _, t := range env.Catalog().Tables(env.Database()) {
				for _, ix := range t.Indexes {
					if _, ok := constraintType(&ix); !ok {
						continue
					}
					for _, id := range ix.Cols {
						if k := t.ColByID(id); k >= 0 {
							rows = append(rows, []any{db, t.Schema, t.Name, t.Cols[k].Name, db, t.Schema, ix.Name})
						}
					}
				}
				for i := range t.Checks {
					for _, id := range checkColumns(env, t, &t.Checks[i]) {
						rows = append(rows, []any{db, t.Schema, t.Name, t.Cols[t.ColByID(id)].Name, db, t.Schema, t.Checks[i].Name})
					}
				}
				for _, fk := range t.ForeignKeys {
					// The referenced columns, as PostgreSQL lists them.
					if ref := env.Catalog().TableByOID(fk.RefTable); ref != nil {
						for _, id := range fk.RefCols {
							rows = append(rows, []any{db, ref.Schema, ref.Name, ref.Cols[ref.ColByID(id)].Name, db, t.Schema, fk.Name})
						}
					}
				}
			}
			return rows, nil
		})
}

// referencedTables returns the OIDs of the tables foreign keys reference.
func referencedTables(env Env) map[uint32]bool {
	out := map[uint32]bool{}
	for _, t := range env.Catalog().Tables(env.Database()) {
		for _, fk := range t.ForeignKeys {
			out[fk.RefTable] = true
		}
	}
	return out
}

// relConstraints returns pg_class.relchecks and relhastriggers of r: its
// CHECK constraints, and whether a foreign key references it or it has
// one (PostgreSQL implements them with triggers, which psql's \d looks
// for before it lists foreign keys).
func relConstraints(r rel, referenced map[uint32]bool) (checks int64, triggers bool) {
	if r.table == nil || r.chunk != nil || r.kind != 'r' {
		return 0, false
	}
	return int64(len(r.table.Checks)), len(r.table.ForeignKeys) > 0 || referenced[r.table.OID]
}

// notNullChecks returns the name and check clause information_schema
// gives each NOT NULL column of table t ("<schema oid>_<table
// oid>_<attnum>_not_null", "col IS NOT NULL"), as PostgreSQL 15 does.
func notNullChecks(env Env, t *catalog.Table) [][2]string {
	if t.View != nil {
		return nil
	}
	sc := env.Catalog().Schema(env.Database(), t.Schema)
	if sc == nil {
		return nil
	}
	var out [][2]string
	for i, c := range t.Cols {
		if c.NotNull {
			out = append(out, [2]string{fmt.Sprintf("%d_%d_%d_not_null", sc.OID, t.OID, i+1), types.QuoteIdent(c.Name) + " IS NOT NULL"})
		}
	}
	return out
}
