package pgcatalog

import (
	"hash/fnv"
	"sort"
	"strconv"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// Env is what the views and catalog functions need from the session; the
// engine implements it.
type Env interface {
	// Catalog is the catalog snapshot the statement sees.
	Catalog() *catalog.Snapshot
	// Store is the live catalog.
	Store() *catalog.Store
	// ChunksOf returns a hypertable's chunks as the session's
	// transaction sees them.
	ChunksOf(table uint32) []*catalog.Chunk
	// Database is the current database's OID.
	Database() uint32
	// DatabaseName is the current database's name.
	DatabaseName() string
	// User is the session's role name.
	User() string
	// Setting returns a configuration parameter's current value.
	Setting(name string) (string, bool)
	// Settings returns all settings as name/value pairs (pg_settings).
	Settings() [][2]string
	// ChunkBytes returns the stored bytes of a chunk (0 if unknown).
	ChunkBytes(chunkID uint64) int64
	// TableBytes returns the stored bytes of a regular table (0 if unknown).
	TableBytes(tableOID uint32) int64
	// PartiallyCompressed reports whether compressed chunk c holds rows
	// written since its compression (TimescaleDB's status 9).
	PartiallyCompressed(c *catalog.Chunk) bool
}

// RowsFunc computes all rows of a view.
type RowsFunc func(env Env) ([][]any, error)

// view is one registered virtual relation.
type view struct {
	schema, name string
	oid          uint32
	cols         []plan.OutCol
	rows         RowsFunc
	// table marks PostgreSQL catalog tables (relkind 'r'); others are views.
	table bool
}

var (
	views     = map[string]*view{}
	viewOrder []*view // sorted by (schema, name) after init
)

// Synthetic OID ranges (see the package doc).
const (
	// ChunkOIDBase + chunk ID is the OID of a chunk's relation.
	ChunkOIDBase = 0x6000_0000
	// sysViewOIDBase starts the OIDs of system views without a fixed OID.
	sysViewOIDBase = 0x5000_0000
	// sysViewOIDSpan bounds the hashed part of a system view's OID.
	sysViewOIDSpan = 1 << 24
	// procOIDBase starts the OIDs of built-in functions.
	procOIDBase = 0x7000_0000
)

// fixedOIDs are PostgreSQL's OIDs of its system catalog tables; clients
// write them as 'pg_catalog.pg_class'::regclass.
var fixedOIDs = map[string]uint32{
	"pg_type": 1247, "pg_attribute": 1249, "pg_proc": 1255, "pg_class": 1259,
	"pg_authid": 1260, "pg_database": 1262, "pg_tablespace": 1213,
	"pg_foreign_server": 1417, "pg_shdescription": 2396, "pg_am": 2601,
	"pg_attrdef": 2604, "pg_constraint": 2606, "pg_depend": 2608,
	"pg_description": 2609, "pg_index": 2610, "pg_inherits": 2611,
	"pg_namespace": 2615, "pg_rewrite": 2618, "pg_trigger": 2620,
	"pg_sequence": 2224, "pg_policy": 3256, "pg_foreign_table": 3118,
	"pg_extension": 3079, "pg_partitioned_table": 3350,
	"pg_statistic_ext": 3381, "pg_collation": 3456, "pg_enum": 3501,
	"pg_range": 3541, "pg_subscription": 6100, "pg_publication": 6104,
	"pg_publication_rel": 6106, "pg_publication_namespace": 6237,
}

// register adds a view; called from init functions.
func register(schema, name string, cols []plan.OutCol, rows RowsFunc) {
	key := schema + "." + name
	if views[key] != nil {
		panic("BUG: pgcatalog view registered twice: " + key)
	}
	v := &view{schema: schema, name: name, cols: cols, rows: rows}
	if oid, ok := fixedOIDs[name]; ok && schema == catalog.SchemaCatalog {
		v.oid, v.table = oid, true
	} else {
		h := fnv.New32a()
		h.Write([]byte(key))
		v.oid = sysViewOIDBase + h.Sum32()%sysViewOIDSpan
	}
	views[key] = v
	viewOrder = append(viewOrder, v)
	sort.Slice(viewOrder, func(i, j int) bool {
		a, b := viewOrder[i], viewOrder[j]
		if a.schema != b.schema {
			return a.schema < b.schema
		}
		return a.name < b.name
	})
}

// Lookup returns the view schema.name (schema is "pg_catalog",
// "information_schema" or "timescaledb_information"; names lower-case).
func Lookup(schema, name string) (cols []plan.OutCol, rows func(env Env) ([][]any, error), ok bool) {
	v := views[schema+"."+name]
	if v == nil {
		return nil, nil, false
	}
	return v.cols, v.rows, true
}

// viewByOID returns the system view with oid, or nil.
func viewByOID(oid uint32) *view {
	for _, v := range viewOrder {
		if v.oid == oid {
			return v
		}
	}
	return nil
}

// colSpec is a compact column declaration: name and type.
type colSpec struct {
	name string
	t    types.T
}

// cols turns alternating name/type pairs into OutCols.
func cols(specs ...colSpec) []plan.OutCol {
	out := make([]plan.OutCol, len(specs))
	for i, s := range specs {
		out[i] = plan.OutCol{Name: s.name, T: s.t}
	}
	return out
}

// c is shorthand for a colSpec.
func c(name string, t types.T) colSpec { return colSpec{name, t} }

// Column types used by the views beyond the common ones in package types.
var (
	tInt2Arr  = types.T{OID: types.OidInt2Array, Mod: -1}
	tOidArr   = types.T{OID: types.OidOidArray, Mod: -1}
	tCharArr  = types.T{OID: types.OidCharArray, Mod: -1}
	tACLArr   = types.T{OID: types.OidACLItemArr, Mod: -1}
	tXid      = types.T{OID: types.OidXid, Mod: -1}
	tAnyArr   = types.T{OID: types.OidAnyArray, Mod: -1}
	tInet     = types.T{OID: types.OidInet, Mod: -1}
	tNameArr  = types.T{OID: types.OidNameArray, Mod: -1}
	tYesOrNo  = types.T{OID: types.OidVarchar, Mod: 3 + 4} // information_schema.yes_or_no
	tSQLIdent = types.Name                                 // information_schema.sql_identifier
	tCharData = types.Varchar                              // information_schema.character_data
	tCardinal = types.Int4                                 // information_schema.cardinal_number
)

// emptyRows is the RowsFunc of catalogs tsgres has no rows for.
func emptyRows(Env) ([][]any, error) { return nil, nil }

// i64 converts an OID or small integer to its datum.
func i64[T ~uint32 | ~int32 | ~int | ~int16 | ~uint64](v T) any { return int64(v) }

// textArr builds a text[] datum.
func textArr(vals ...string) *types.Array {
	a := make([]any, len(vals))
	for i, v := range vals {
		a[i] = v
	}
	return types.NewArray(types.Text, a)
}

// vector builds an int2vector or oidvector datum: 0-based like PostgreSQL's.
func vector(elem types.T, vals []int64) *types.Array {
	a := make([]any, len(vals))
	for i, v := range vals {
		a[i] = v
	}
	arr := types.NewArray(elem, a)
	if len(vals) > 0 {
		arr.Lower = []int{0}
	}
	return arr
}

// yesNo renders a boolean as information_schema's yes_or_no.
func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

// itoa formats an integer.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }
