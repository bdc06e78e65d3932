package pgcatalog

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
)

// TimescaleDB's size functions: hypertable_size, hypertable_detailed_size,
// chunks_detailed_size (rows built by ChunkSizes, called by the engine's
// set-returning function) and approximate_row_count.
//
// A chunk's bytes are its blocks' stored key and value bytes (Env.ChunkBytes). tsgres
// keeps no per-chunk indexes and no TOAST, so those columns are 0 and
// table_bytes equals total_bytes; the single-node node_name is NULL.

// RowCounter is what approximate_row_count needs from the engine beyond
// Env; the engine's Env implements it (found by type assertion).
type RowCounter interface {
	// ChunkRows counts a chunk's rows from block metadata.
	ChunkRows(t *catalog.Table, chunkID uint64) (int64, error)
	// TableRows counts a regular table's rows.
	TableRows(t *catalog.Table) (int64, error)
}

// detailedSizeTypes are hypertable_detailed_size's record fields.
var (
	detailedSizeNames = []string{"table_bytes", "index_bytes", "toast_bytes", "total_bytes", "node_name"}
	detailedSizeTypes = []types.T{types.Int8, types.Int8, types.Int8, types.Int8, types.Name}
)

// ChunkSizeCols are the columns of chunks_detailed_size.
var ChunkSizeCols = cols(c("chunk_schema", types.Name), c("chunk_name", types.Name), c("table_bytes", types.Int8),
	c("index_bytes", types.Int8), c("toast_bytes", types.Int8), c("total_bytes", types.Int8), c("node_name", types.Name))

// ChunkSizes returns the rows of chunks_detailed_size(t), by chunk id.
func ChunkSizes(env Env, t *catalog.Table) [][]any {
	var rows [][]any
	for _, ch := range chunksOf(env, t.OID) {
		n := env.ChunkBytes(ch.ID)
		rows = append(rows, []any{ch.Schema, ch.Name, n, int64(0), int64(0), n, nil})
	}
	return rows
}

// hypertableOf returns the hypertable with oid, or nil.
func hypertableOf(env Env, oid int64) *catalog.Table {
	t := env.Catalog().TableByOID(uint32(oid))
	if t == nil || t.Hyper == nil || t.DB != env.Database() {
		return nil
	}
	return t
}

func hypertableBytes(env Env, t *catalog.Table) int64 {
	var sum int64
	for _, ch := range chunksOf(env, t.OID) {
		sum += env.ChunkBytes(ch.ID)
	}
	return sum
}

func init() {
	RC, I8 := types.Regclass, types.Int8

	strictFn("hypertable_size", ts(RC), 0, I8, withEnv(func(env Env, a []any) (any, error) {
		t := hypertableOf(env, argInt(a, 0))
		if t == nil {
			return nil, nil
		}
		return hypertableBytes(env, t), nil
	}))
	def(&funcs.Scalar{Name: "hypertable_detailed_size", Args: ts(RC), Strict: true, Ret: funcs.Fixed(types.RecordT),
		OutNames: detailedSizeNames, OutTypes: detailedSizeTypes,
		Fn: withEnv(func(env Env, a []any) (any, error) {
			vals := make([]any, len(detailedSizeTypes))
			if t := hypertableOf(env, argInt(a, 0)); t != nil {
				n := hypertableBytes(env, t)
				vals = []any{n, int64(0), int64(0), n, nil}
			}
			return &types.Record{Types: detailedSizeTypes, Vals: vals}, nil
		})})
	strictFn("approximate_row_count", ts(RC), 0, I8, withEnv(approximateRowCount))
}

// approximateRowCount counts a hypertable's rows from block metadata (no
// column is decoded) and a regular table's by its keys.
func approximateRowCount(env Env, a []any) (any, error) {
	rc, ok := env.(RowCounter)
	r, found := relByOID(env, uint32(argInt(a, 0)))
	if !ok || !found {
		return int64(0), nil
	}
	if r.chunk != nil {
		if t := env.Catalog().TableByOID(r.chunk.Table); t != nil {
			return rc.ChunkRows(t, r.chunk.ID)
		}
		return int64(0), nil
	}
	if r.table == nil {
		return int64(0), nil
	}
	if r.table.Hyper == nil {
		return rc.TableRows(r.table)
	}
	var n int64
	for _, ch := range chunksOf(env, r.table.OID) {
		k, err := rc.ChunkRows(r.table, ch.ID)
		if err != nil {
			return nil, err
		}
		n += k
	}
	return n, nil
}
