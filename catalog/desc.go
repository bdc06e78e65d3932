package catalog

import "github.com/tsgres/tsgres/sql/types"

// FirstOID is the first OID handed to user objects, as in PostgreSQL.
const FirstOID = 16384

// Database is a database (CREATE DATABASE).
type Database struct {
	OID  uint32
	Name string
}

// Schema is a namespace within a database.
type Schema struct {
	OID  uint32
	DB   uint32
	Name string
}

// Column is a table column.
type Column struct {
	ID      uint32 // stable storage identity
	Name    string
	Type    types.T
	NotNull bool
	// Default is the DEFAULT expression as SQL text ("" when none);
	// serial columns get "nextval('<seq>'::regclass)".
	Default string
}

// Index is a primary key, unique constraint or plain index.
type Index struct {
	OID     uint32
	Name    string
	Cols    []uint32 // column IDs
	Unique  bool
	Primary bool
	// Standalone marks a unique index made by CREATE UNIQUE INDEX: unlike
	// one made for a UNIQUE constraint (CREATE TABLE, ALTER TABLE ADD
	// CONSTRAINT) it backs no constraint. False for constraint indexes
	// so descriptors written before the flag keep their constraints.
	Standalone bool
	// Options holds each key column's sort options (IndexDesc,
	// IndexNullsFirst), parallel to Cols; nil or shorter than Cols
	// means the remaining columns are ASC NULLS LAST.
	Options []int16
	// Space is the storage key space of a secondary index on a regular
	// table (0 for the primary key and for indexes kept only in the
	// catalog; see IndexLayout).
	Space uint32
	// Method is the access method name ("btree").
	Method string
	// LastValue marks a hypertable index on (series column, time ...):
	// its key space Space keeps the newest row of every series, so
	// latest-value queries need no chunk scan. Cols[0] is the series.
	LastValue bool
}

// Index.Options bits, as in pg_index.indoption.
const (
	IndexDesc       int16 = 1 // DESC
	IndexNullsFirst int16 = 2 // NULLS FIRST
)

// Option returns the sort options of the index's i-th key column.
func (ix *Index) Option(i int) int16 {
	if i < len(ix.Options) {
		return ix.Options[i]
	}
	return 0
}

// HasLastValue reports whether series column col already has a
// last-value index.
func (t *Table) HasLastValue(col uint32) bool {
	for _, ix := range t.LastValueIndexes() {
		if ix.Cols[0] == col {
			return true
		}
	}
	return false
}

// LastValueIndexes returns a hypertable's last-value indexes.
func (t *Table) LastValueIndexes() []*Index {
	var out []*Index
	for i := range t.Indexes {
		if t.Indexes[i].LastValue {
			out = append(out, &t.Indexes[i])
		}
	}
	return out
}

// Table is a table (regular or hypertable) or a view.
type Table struct {
	OID     uint32
	DB      uint32
	Schema  string
	Name    string
	Cols    []Column
	Indexes []Index
	// NextColID is the next column ID to hand out.
	NextColID uint32
	// NextSpace is the next storage key space for a unique index.
	NextSpace uint32
	// Hyper is set for hypertables.
	Hyper *Hypertable
	// Options holds storage parameters set with ALTER TABLE SET (...).
	Options map[string]string
	// Owner is the owning role's name.
	Owner string
	// View is set for views, materialized views and continuous
	// aggregates (views.go).
	View *View `json:",omitempty"`
	// Checks are the table's CHECK constraints (constraints.go).
	Checks []Check `json:",omitempty"`
	// ForeignKeys are the table's FOREIGN KEY constraints, the
	// referencing side (constraints.go).
	ForeignKeys []ForeignKey `json:",omitempty"`
}

// Hypertable is the TimescaleDB part of a table.
type Hypertable struct {
	ID int32
	// TimeCol is the column ID of the time dimension.
	TimeCol uint32
	// Interval is the chunk width: µs for timestamp/timestamptz/date time
	// columns, plain units for integer time columns.
	Interval int64
	// Space is the optional hash-partitioned space dimension.
	Space *SpaceDim
	// AssociatedSchema and AssociatedPrefix name chunk tables.
	AssociatedSchema string
	AssociatedPrefix string
	// Compression is set while ALTER TABLE ... SET (timescaledb.compress)
	// is on; it is replaced as a whole, never modified.
	Compression *Compression `json:",omitempty"`
	// IntegerNowFunc is the OID of the user function set_integer_now_func
	// registered as "now" for an integer time column (0: none).
	IntegerNowFunc uint32 `json:",omitempty"`
}

// Compression is a hypertable's compression settings.
type Compression struct {
	// SegmentBy are the compress_segmentby column IDs, in order.
	SegmentBy []uint32
	// OrderBy is compress_orderby (default: the time column DESC).
	OrderBy []OrderCol
	// ChunkInterval is compress_chunk_time_interval in µs (0: unset). It
	// is recorded and shown; tsgres does not merge chunks by it.
	ChunkInterval int64
}

// OrderCol is one column of compress_orderby.
type OrderCol struct {
	Col        uint32
	Desc       bool
	NullsFirst bool
}

// SpaceDim is a hash-partitioned dimension.
type SpaceDim struct {
	Col        uint32
	Partitions int
}

// Role is a database role.
type Role struct {
	OID       uint32
	Name      string
	Login     bool
	Superuser bool
	// Secret is the SCRAM-SHA-256 verifier ("" when no password), in the
	// stored form package server/scram defines; the catalog stores it
	// opaquely and never derives or checks one.
	Secret string
}

// Col returns the column named name (case-sensitive, names are already
// folded by the parser), or nil.
func (t *Table) Col(name string) *Column {
	for i := range t.Cols {
		if t.Cols[i].Name == name {
			return &t.Cols[i]
		}
	}
	return nil
}

// ColIndex returns the position of column name, or -1.
func (t *Table) ColIndex(name string) int {
	for i := range t.Cols {
		if t.Cols[i].Name == name {
			return i
		}
	}
	return -1
}

// ColByID returns the position of the column with id, or -1.
func (t *Table) ColByID(id uint32) int {
	for i := range t.Cols {
		if t.Cols[i].ID == id {
			return i
		}
	}
	return -1
}

// PrimaryKey returns the primary key index, or nil.
func (t *Table) PrimaryKey() *Index {
	for i := range t.Indexes {
		if t.Indexes[i].Primary {
			return &t.Indexes[i]
		}
	}
	return nil
}

// IsHypertable reports whether t is a hypertable.
func (t *Table) IsHypertable() bool { return t.Hyper != nil }

// Clone returns a deep copy suitable for modification.
func (t *Table) Clone() *Table {
	c := *t
	c.Cols = append([]Column(nil), t.Cols...)
	c.Indexes = make([]Index, len(t.Indexes))
	for i, ix := range t.Indexes {
		ix.Cols = append([]uint32(nil), ix.Cols...)
		ix.Options = append([]int16(nil), ix.Options...)
		c.Indexes[i] = ix
	}
	if t.Hyper != nil {
		h := *t.Hyper
		if h.Space != nil {
			s := *h.Space
			h.Space = &s
		}
		c.Hyper = &h
	}
	if t.View != nil {
		v := *t.View
		if v.Cagg != nil {
			cg := *v.Cagg
			v.Cagg = &cg
		}
		c.View = &v
	}
	c.Checks = append([]Check(nil), t.Checks...)
	c.ForeignKeys = make([]ForeignKey, len(t.ForeignKeys))
	for i, fk := range t.ForeignKeys {
		fk.Cols = append([]uint32(nil), fk.Cols...)
		fk.RefCols = append([]uint32(nil), fk.RefCols...)
		c.ForeignKeys[i] = fk
	}
	if len(t.ForeignKeys) == 0 {
		c.ForeignKeys = nil
	}
	if t.Options != nil {
		c.Options = make(map[string]string, len(t.Options))
		for k, v := range t.Options {
			c.Options[k] = v
		}
	}
	return &c
}

// QualifiedName returns schema.name.
func (t *Table) QualifiedName() string { return t.Schema + "." + t.Name }

type tableKey struct {
	db           uint32
	schema, name string
}
