package pgcatalog

import (
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// rel is one row of pg_class: a table, chunk, index, sequence or system
// view of the current database.
type rel struct {
	oid    uint32
	name   string
	schema string
	nsOID  uint32
	kind   byte // 'r', 'i', 'S', 'v'
	table  *catalog.Table
	index  *catalog.Index // for kind 'i'
	chunk  *catalog.Chunk // for chunk tables
	view   *view          // for system catalogs and views
	seqTyp types.T        // for sequences: the column's type
}

// natts returns the relation's column count.
func (r *rel) natts() int {
	switch {
	case r.view != nil:
		return len(r.view.cols)
	case r.kind == 'i':
		return len(r.index.Cols)
	case r.kind == 'S':
		return 3
	}
	return len(r.table.Cols)
}

// schemaOIDs maps the current database's schema names to OIDs.
func schemaOIDs(env Env) map[string]uint32 {
	m := map[string]uint32{}
	for _, s := range env.Catalog().Schemas(env.Database()) {
		m[s.Name] = s.OID
	}
	return m
}

// relations lists every relation of the current database: tables with
// their indexes and serial sequences, chunks of hypertables, and the
// system catalogs and views of this package.
func relations(env Env) []rel {
	snap := env.Catalog()
	ns := schemaOIDs(env)
	var out []rel
	for _, v := range viewOrder {
		out = append(out, viewRel(v, ns[v.schema]))
	}
	for _, t := range snap.Tables(env.Database()) {
		out = append(out, rel{oid: t.OID, name: t.Name, schema: t.Schema, nsOID: ns[t.Schema], kind: t.Relkind(), table: t})
		for i := range t.Indexes {
			ix := &t.Indexes[i]
			out = append(out, rel{oid: ix.OID, name: ix.Name, schema: t.Schema, nsOID: ns[t.Schema], kind: 'i', table: t, index: ix})
		}
		for _, s := range serialSequences(env, t) {
			out = append(out, rel{oid: s.oid, name: s.name, schema: s.schema, nsOID: ns[s.schema], kind: 'S', table: t, seqTyp: s.typ})
		}
		if t.Hyper != nil {
			for _, ch := range chunksOf(env, t.OID) {
				out = append(out, rel{oid: ChunkOID(ch.ID), name: ch.Name, schema: ch.Schema, nsOID: ns[ch.Schema], kind: 'r', table: t, chunk: ch})
			}
		}
	}
	return out
}

// ChunkOID returns the relation OID tsgres shows for a chunk.
func ChunkOID(chunkID uint64) uint32 { return uint32(ChunkOIDBase + chunkID) }

// seqInfo is a sequence created for a serial column.
type seqInfo struct {
	oid          uint32
	schema, name string
	col          string
	typ          types.T
}

// serialSequences returns the sequences t's column defaults draw from.
func serialSequences(env Env, t *catalog.Table) []seqInfo {
	var out []seqInfo
	for _, c := range t.Cols {
		schema, name, ok := nextvalTarget(c.Default)
		if !ok {
			continue
		}
		if schema == "" {
			schema = t.Schema
		}
		oid := env.Catalog().Sequence(t.DB, schema, name)
		if oid == 0 {
			continue
		}
		out = append(out, seqInfo{oid: oid, schema: schema, name: name, col: c.Name, typ: c.Type})
	}
	return out
}

// nextvalTarget parses "nextval('[schema.]seq'::regclass)".
func nextvalTarget(def string) (schema, name string, ok bool) {
	const pre = "nextval('"
	if !strings.HasPrefix(def, pre) {
		return "", "", false
	}
	rest := def[len(pre):]
	end := strings.Index(rest, "'")
	if end < 0 {
		return "", "", false
	}
	parts, err := parseIdent(rest[:end])
	if err != nil || len(parts) == 0 || len(parts) > 2 {
		return "", "", false
	}
	if len(parts) == 2 {
		return parts[0], parts[1], true
	}
	return "", parts[0], true
}

// relByOID finds a relation of the current database by OID without
// listing every relation (pg_table_is_visible runs once per pg_class row).
func relByOID(env Env, oid uint32) (rel, bool) {
	snap := env.Catalog()
	nsOf := func(schema string) uint32 {
		if sc := snap.Schema(env.Database(), schema); sc != nil {
			return sc.OID
		}
		return 0
	}
	if t := snap.TableByOID(oid); t != nil && t.DB == env.Database() {
		return rel{oid: t.OID, name: t.Name, schema: t.Schema, nsOID: nsOf(t.Schema), kind: t.Relkind(), table: t}, true
	}
	if v := viewByOID(oid); v != nil {
		return viewRel(v, nsOf(v.schema)), true
	}
	tables := snap.Tables(env.Database())
	if oid >= ChunkOIDBase && oid < procOIDBase {
		for _, t := range tables {
			if t.Hyper == nil {
				continue
			}
			for _, ch := range chunksOf(env, t.OID) {
				if ChunkOID(ch.ID) == oid {
					return rel{oid: oid, name: ch.Name, schema: ch.Schema, nsOID: nsOf(ch.Schema), kind: 'r', table: t, chunk: ch}, true
				}
			}
		}
		return rel{}, false
	}
	for _, t := range tables {
		for i := range t.Indexes {
			if t.Indexes[i].OID == oid {
				return rel{oid: oid, name: t.Indexes[i].Name, schema: t.Schema, nsOID: nsOf(t.Schema), kind: 'i', table: t, index: &t.Indexes[i]}, true
			}
		}
		for _, s := range serialSequences(env, t) {
			if s.oid == oid {
				return rel{oid: oid, name: s.name, schema: s.schema, nsOID: nsOf(s.schema), kind: 'S', table: t, seqTyp: s.typ}, true
			}
		}
	}
	return rel{}, false
}

// viewRel is the pg_class entry of a system catalog or view.
func viewRel(v *view, nsOID uint32) rel {
	kind := byte('v')
	if v.table {
		kind = 'r'
	}
	return rel{oid: v.oid, name: v.name, schema: v.schema, nsOID: nsOID, kind: kind, view: v}
}

// relByName finds schema.name in the current database (schema required).
func relByName(env Env, schema, name string) (rel, bool) {
	snap := env.Catalog()
	sc := snap.Schema(env.Database(), schema)
	if sc == nil {
		return rel{}, false
	}
	if t := snap.Table(env.Database(), schema, name); t != nil {
		return rel{oid: t.OID, name: t.Name, schema: t.Schema, nsOID: sc.OID, kind: t.Relkind(), table: t}, true
	}
	if v := views[schema+"."+name]; v != nil {
		return viewRel(v, sc.OID), true
	}
	for _, t := range snap.Tables(env.Database()) {
		if t.Schema == schema {
			for i := range t.Indexes {
				if t.Indexes[i].Name == name {
					return rel{oid: t.Indexes[i].OID, name: name, schema: schema, nsOID: sc.OID, kind: 'i', table: t, index: &t.Indexes[i]}, true
				}
			}
		}
		for _, s := range serialSequences(env, t) {
			if s.schema == schema && s.name == name {
				return rel{oid: s.oid, name: name, schema: schema, nsOID: sc.OID, kind: 'S', table: t, seqTyp: s.typ}, true
			}
		}
		if t.Hyper != nil {
			for _, ch := range chunksOf(env, t.OID) {
				if ch.Schema == schema && ch.Name == name {
					return rel{oid: ChunkOID(ch.ID), name: name, schema: schema, nsOID: sc.OID, kind: 'r', table: t, chunk: ch}, true
				}
			}
		}
	}
	return rel{}, false
}

// chunksOf returns a hypertable's chunks (none without a Store).
func chunksOf(env Env, table uint32) []*catalog.Chunk {
	return env.ChunksOf(table)
}
