package pgcatalog

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
	"strings"
)

// Fixed values the relation catalogs report.
const (
	ownerOID     = 10   // the bootstrap superuser "postgres"
	heapAM       = 2    // pg_am "heap"
	btreeAM      = 403  // pg_am "btree"
	hashAM       = 405  // pg_am "hash"
	defaultColl  = 100  // pg_collation "default"
	cColl        = 950  // pg_collation "C" (used by type name)
	int4OpsClass = 1978 // a btree operator class; clients only display it
	// constraintOID + index OID is the OID of the constraint an index backs.
	constraintOID = 0x4000_0000
	// attrdefOIDBase numbers column defaults, which have no catalog
	// identity (clients join on adrelid/adnum).
	attrdefOIDBase = 0x4800_0000
)

// attr is one column of a relation as pg_attribute shows it.
type attr struct {
	name    string
	t       types.T
	notNull bool
	def     string
}

// attrs returns r's columns in attnum order.
func attrs(r *rel) []attr {
	switch {
	case r.view != nil:
		out := make([]attr, len(r.view.cols))
		for i, c := range r.view.cols {
			out[i] = attr{name: c.Name, t: c.T}
		}
		return out
	case r.kind == 'S':
		return []attr{{"last_value", types.Int8, true, ""}, {"log_cnt", types.Int8, true, ""}, {"is_called", types.Bool, true, ""}}
	case r.kind == 'i':
		var out []attr
		for _, id := range r.index.Cols {
			if i := r.table.ColByID(id); i >= 0 {
				c := r.table.Cols[i]
				out = append(out, attr{name: c.Name, t: c.Type})
			}
		}
		return out
	}
	out := make([]attr, len(r.table.Cols))
	for i, c := range r.table.Cols {
		out[i] = attr{name: c.Name, t: c.Type, notNull: c.NotNull, def: cookedDefault(c.Default, c.Type)}
	}
	return out
}

// collationOf returns a type's collation as pg_attribute/pg_type show it.
func collationOf(oid uint32) int64 {
	switch oid {
	case types.OidText, types.OidVarchar, types.OidBpchar:
		return defaultColl
	case types.OidName:
		return cColl
	}
	return 0
}

// storageOf returns a type's typstorage.
func storageOf(in *types.Info) string {
	switch {
	case in.OID == types.OidNumeric:
		return "m"
	case in.Len == -1:
		return "x"
	}
	return "p"
}

func init() {
	register(catalog.SchemaCatalog, "pg_namespace", cols(
		c("oid", types.Oid), c("nspname", types.Name), c("nspowner", types.Oid), c("nspacl", tACLArr)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, s := range env.Catalog().Schemas(env.Database()) {
				rows = append(rows, []any{i64(s.OID), s.Name, namespaceOwner(s.Name), nil})
			}
			return rows, nil
		})

	register(catalog.SchemaCatalog, "pg_class", cols(
		c("oid", types.Oid), c("relname", types.Name), c("relnamespace", types.Oid),
		c("reltype", types.Oid), c("reloftype", types.Oid), c("relowner", types.Oid),
		c("relam", types.Oid), c("relfilenode", types.Oid), c("reltablespace", types.Oid),
		c("relpages", types.Int4), c("reltuples", types.Float4), c("relallvisible", types.Int4),
		c("reltoastrelid", types.Oid), c("relhasindex", types.Bool), c("relisshared", types.Bool),
		c("relpersistence", types.Char), c("relkind", types.Char), c("relnatts", types.Int2),
		c("relchecks", types.Int2), c("relhasrules", types.Bool), c("relhastriggers", types.Bool),
		c("relhassubclass", types.Bool), c("relrowsecurity", types.Bool),
		c("relforcerowsecurity", types.Bool), c("relispopulated", types.Bool),
		c("relreplident", types.Char), c("relispartition", types.Bool), c("relrewrite", types.Oid),
		c("relfrozenxid", tXid), c("relminmxid", tXid), c("relacl", tACLArr),
		c("reloptions", types.TextArray), c("relpartbound", types.PgNodeTree)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			referenced := referencedTables(env)
			for _, r := range relations(env) {
				var am, filenode int64
				hasIndex := false
				checks, triggers := relConstraints(r, referenced)
				switch r.kind {
				case 'r':
					am, filenode = heapAM, int64(r.oid)
					hasIndex = r.table != nil && len(r.table.Indexes) > 0
				case 'm':
					am, filenode = heapAM, int64(r.oid)
				case 'i':
					am, filenode = btreeAM, int64(r.oid)
					if r.index.Method == "hash" {
						am = hashAM
					}
				case 'S':
					am, filenode = heapAM, int64(r.oid)
				}
				hasSub := r.table != nil && r.table.Hyper != nil && r.chunk == nil && r.kind == 'r'
				rows = append(rows, []any{
					i64(r.oid), r.name, i64(r.nsOID),
					int64(0), int64(0), int64(ownerOID),
					am, filenode, int64(0),
					int64(0), float64(-1), int64(0),
					int64(0), hasIndex, false,
					relPersistence(r.table), string(r.kind), int64(r.natts()),
					checks, r.kind == 'v', triggers,
					hasSub, false,
					false, r.kind != 'm' || r.table.View.Populated,
					relReplident(r.kind), false, int64(0),
					int64(0), int64(0), nil,
					nil, nil,
				})
			}
			return rows, nil
		})

	register(catalog.SchemaCatalog, "pg_attribute", cols(
		c("attrelid", types.Oid), c("attname", types.Name), c("atttypid", types.Oid),
		c("attstattarget", types.Int4), c("attlen", types.Int2), c("attnum", types.Int2),
		c("attndims", types.Int4), c("attcacheoff", types.Int4), c("atttypmod", types.Int4),
		c("attbyval", types.Bool), c("attalign", types.Char), c("attstorage", types.Char),
		c("attcompression", types.Char), c("attnotnull", types.Bool), c("atthasdef", types.Bool),
		c("atthasmissing", types.Bool), c("attidentity", types.Char), c("attgenerated", types.Char),
		c("attisdropped", types.Bool), c("attislocal", types.Bool), c("attinhcount", types.Int4),
		c("attcollation", types.Oid), c("attacl", tACLArr), c("attoptions", types.TextArray),
		c("attfdwoptions", types.TextArray), c("attmissingval", tAnyArr)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, r := range relations(env) {
				for i, a := range attrs(&r) {
					in := a.t.Info()
					ndims := int64(0)
					if a.t.IsArray() {
						ndims = 1
					}
					rows = append(rows, []any{
						i64(r.oid), a.name, i64(a.t.OID),
						int64(-1), int64(in.Len), int64(i + 1),
						ndims, int64(-1), int64(a.t.Mod),
						in.ByVal, string(in.Align), storageOf(in),
						"", a.notNull, a.def != "",
						false, "", "",
						false, true, int64(0),
						collationOf(a.t.OID), nil, nil,
						nil, nil,
					})
				}
			}
			return rows, nil
		})

	register(catalog.SchemaCatalog, "pg_attrdef", cols(
		c("oid", types.Oid), c("adrelid", types.Oid), c("adnum", types.Int2), c("adbin", types.PgNodeTree)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, t := range env.Catalog().Tables(env.Database()) {
				for i, col := range t.Cols {
					if col.Default != "" {
						rows = append(rows, []any{int64(attrdefOIDBase + len(rows)), i64(t.OID), int64(i + 1), cookedDefault(col.Default, col.Type)})
					}
				}
			}
			return rows, nil
		})

	register(catalog.SchemaCatalog, "pg_index", cols(
		c("indexrelid", types.Oid), c("indrelid", types.Oid), c("indnatts", types.Int2),
		c("indnkeyatts", types.Int2), c("indisunique", types.Bool),
		c("indnullsnotdistinct", types.Bool), c("indisprimary", types.Bool),
		c("indisexclusion", types.Bool), c("indimmediate", types.Bool),
		c("indisclustered", types.Bool), c("indisvalid", types.Bool), c("indcheckxmin", types.Bool),
		c("indisready", types.Bool), c("indislive", types.Bool), c("indisreplident", types.Bool),
		c("indkey", types.Int2Vector), c("indcollation", types.OidVector),
		c("indclass", types.OidVector), c("indoption", types.Int2Vector),
		c("indexprs", types.PgNodeTree), c("indpred", types.PgNodeTree)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, t := range env.Catalog().Tables(env.Database()) {
				for _, ix := range t.Indexes {
					keys, colls, classes, opts := indexVectors(t, &ix)
					n := int64(len(keys))
					rows = append(rows, []any{
						i64(ix.OID), i64(t.OID), n,
						n, ix.Unique || ix.Primary,
						false, ix.Primary,
						false, true,
						false, true, false,
						true, true, false,
						vector(types.Int2, keys), vector(types.Oid, colls),
						vector(types.Oid, classes), vector(types.Int2, opts),
						nil, nil,
					})
				}
			}
			return rows, nil
		})

	register(catalog.SchemaCatalog, "pg_constraint", cols(
		c("oid", types.Oid), c("conname", types.Name), c("connamespace", types.Oid),
		c("contype", types.Char), c("condeferrable", types.Bool), c("condeferred", types.Bool),
		c("convalidated", types.Bool), c("conrelid", types.Oid), c("contypid", types.Oid),
		c("conindid", types.Oid), c("conparentid", types.Oid), c("confrelid", types.Oid),
		c("confupdtype", types.Char), c("confdeltype", types.Char), c("confmatchtype", types.Char),
		c("conislocal", types.Bool), c("coninhcount", types.Int4), c("connoinherit", types.Bool),
		c("conkey", tInt2Arr), c("confkey", tInt2Arr), c("conpfeqop", tOidArr),
		c("conppeqop", tOidArr), c("conffeqop", tOidArr), c("confdelsetcols", tInt2Arr),
		c("conexclop", tOidArr), c("conbin", types.PgNodeTree)),
		func(env Env) ([][]any, error) {
			ns := schemaOIDs(env)
			var rows [][]any
			for _, t := range env.Catalog().Tables(env.Database()) {
				for _, ix := range t.Indexes {
					typ, ok := constraintType(&ix)
					if !ok {
						continue
					}
					keys, _, _, _ := indexVectors(t, &ix)
					k := make([]any, len(keys))
					for i, v := range keys {
						k[i] = v
					}
					rows = append(rows, []any{
						int64(constraintOID + ix.OID), ix.Name, i64(ns[t.Schema]),
						typ, false, false,
						true, i64(t.OID), int64(0),
						i64(ix.OID), int64(0), int64(0),
						" ", " ", " ",
						true, int64(0), true,
						types.NewArray(types.Int2, k), nil, nil,
						nil, nil, nil,
						nil, nil,
					})
				}
				rows = append(rows, constraintRows(env, t, ns)...)
			}
			return rows, nil
		})

	register(catalog.SchemaCatalog, "pg_sequence", cols(
		c("seqrelid", types.Oid), c("seqtypid", types.Oid), c("seqstart", types.Int8),
		c("seqincrement", types.Int8), c("seqmax", types.Int8), c("seqmin", types.Int8),
		c("seqcache", types.Int8), c("seqcycle", types.Bool)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, t := range env.Catalog().Tables(env.Database()) {
				for _, s := range serialSequences(env, t) {
					max := int64(1<<63 - 1)
					switch s.typ.OID {
					case types.OidInt4:
						max = 1<<31 - 1
					case types.OidInt2:
						max = 1<<15 - 1
					}
					rows = append(rows, []any{i64(s.oid), i64(s.typ.OID), int64(1), int64(1), max, int64(1), int64(1), false})
				}
			}
			return rows, nil
		})
}

// relReplident is relreplident: 'd' (default) for tables, 'n' otherwise.
func relReplident(kind byte) string {
	if kind == 'r' {
		return "d"
	}
	return "n"
}

// constraintType returns pg_constraint.contype of an index, if it backs a
// constraint.
func constraintType(ix *catalog.Index) (string, bool) {
	switch {
	case ix.Primary:
		return "p", true
	case ix.Unique && !ix.Standalone:
		return "u", true
	}
	return "", false
}

// indexVectors returns pg_index's indkey, indcollation, indclass and
// indoption of ix.
func indexVectors(t *catalog.Table, ix *catalog.Index) (keys, colls, classes, opts []int64) {
	for i, id := range ix.Cols {
		pos := t.ColByID(id)
		keys = append(keys, int64(pos+1))
		var coll int64
		if pos >= 0 {
			coll = collationOf(t.Cols[pos].Type.OID)
		}
		colls = append(colls, coll)
		classes = append(classes, int4OpsClass)
		opts = append(opts, int64(ix.Option(i)))
	}
	return
}

// relPersistence is pg_class.relpersistence: 't' for a session's
// temporary tables (in a pg_temp_<pid> schema), 'p' otherwise.
func relPersistence(t *catalog.Table) string {
	if t != nil && strings.HasPrefix(t.Schema, "pg_temp_") {
		return "t"
	}
	return "p"
}
