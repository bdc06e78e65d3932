package timescale

import (
	"math"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// Chunks: show_chunks, drop_chunks, chunks_detailed_size,
// chunk_compression_stats (the API's set-returning functions, registered
// with funcs.RegisterSet; their context must be the engine's Provider)
// and how a chunk or policy target argument is resolved.

func init() {
	reg := func(name string, fn func(at []types.T) funcs.SetFunc, cols []plan.OutCol, ok func(n int) bool) {
		sc := make([]funcs.SetCol, len(cols))
		for i, c := range cols {
			sc[i] = funcs.SetCol{Name: c.Name, T: c.T}
		}
		funcs.RegisterSet(&funcs.Set{Name: name, Resolve: func(at []types.T) (funcs.SetFunc, []funcs.SetCol, bool) {
			return fn(at), sc, ok(len(at))
		}})
	}
	fixed := func(f funcs.SetFunc) func([]types.T) funcs.SetFunc { return func([]types.T) funcs.SetFunc { return f } }
	text := func(name string) []plan.OutCol { return []plan.OutCol{{Name: name, T: types.Text}} }
	reg("show_chunks", fixed(showChunks), text("show_chunks"), func(n int) bool { return n >= 1 && n <= 3 })
	reg("drop_chunks", dropChunksFunc, text("drop_chunks"), func(n int) bool { return n >= 1 && n <= 6 })
	reg("chunks_detailed_size", fixed(chunksDetailedSize), pgcatalog.ChunkSizeCols, func(n int) bool { return n == 1 })
	reg("chunk_compression_stats", fixed(chunkCompressionStats), pgcatalog.ChunkCompressionCols, func(n int) bool { return n == 1 })
}

// ResolvePolicyTarget resolves the relation a retention or compression
// function names: a hypertable, or for a continuous aggregate its
// materialization hypertable (the functions then work on the
// aggregate's own data, as in TimescaleDB).
func ResolvePolicyTarget(h Host, arg any) (*catalog.Table, error) {
	t, err := h.Relation(arg)
	if err != nil {
		return nil, err
	}
	if t.IsCagg() {
		if mat := h.Catalog().TableByOID(t.View.Cagg.MatOID); mat != nil {
			return mat, nil
		}
	}
	return resolveHypertable(h, arg)
}

// showChunks is show_chunks(relation, older_than, newer_than): the
// qualified names of the chunks entirely before older_than and entirely
// after newer_than.
func showChunks(ctx any, args []any) ([][]any, error) {
	h := setHost(ctx)
	t, err := ResolvePolicyTarget(h, args[0])
	if err != nil {
		return nil, err
	}
	tt := timeType(t)
	older, newer := int64(math.MaxInt64), int64(math.MinInt64)
	for i, dst := range []*int64{&older, &newer} {
		v := funcs.Arg(args, i+1)
		if v == nil {
			continue
		}
		b, err := timeBound(h, v, tt)
		if err != nil {
			return nil, err
		}
		*dst = b
	}
	var out [][]any
	for _, c := range h.Chunks(t.OID) {
		if c.End <= older && c.Start >= newer {
			out = append(out, []any{c.Schema + "." + c.Name})
		}
	}
	return out, nil
}

// timeBound converts a show_chunks older_than/newer_than argument to
// time-column units: an interval means now() minus it.
func timeBound(h Host, v any, tt types.T) (int64, error) {
	switch x := v.(type) {
	case types.Interval:
		ts, err := types.SubInterval(types.Timestamptz, h.Now(), x, h.Location())
		return ts, err
	case int64:
		return x, nil
	case string:
		if iv, err := types.ParseText(types.IntervalT, x, nil); err == nil {
			return timeBound(h, iv, tt)
		}
		ts, err := types.ParseText(types.Timestamptz, x, h.Location())
		if err != nil {
			return 0, err
		}
		return ts.(int64), nil
	}
	return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid time argument %v", v)
}

// chunksDetailedSize is chunks_detailed_size(hypertable).
func chunksDetailedSize(ctx any, args []any) ([][]any, error) {
	h := setHost(ctx)
	t, err := ResolvePolicyTarget(h, args[0])
	if err != nil {
		return nil, err
	}
	return pgcatalog.ChunkSizes(h.CatalogEnv(), t), nil
}

// chunkCompressionStats is chunk_compression_stats(hypertable).
func chunkCompressionStats(ctx any, args []any) ([][]any, error) {
	h := setHost(ctx)
	t, err := ResolvePolicyTarget(h, args[0])
	if err != nil {
		return nil, err
	}
	return pgcatalog.ChunkCompressionStats(h.CatalogEnv(), t), nil
}

// chunkArg resolves a chunk argument (regclass OID or name) to the chunk
// and its hypertable.
func chunkArg(h Host, v any) (*catalog.Table, *catalog.Chunk, error) {
	var match func(*catalog.Chunk) bool
	shown := ""
	switch x := v.(type) {
	case int64:
		match = func(c *catalog.Chunk) bool { return int64(pgcatalog.ChunkOID(c.ID)) == x }
	case string:
		on := plan.ParseObjectName(x)
		shown = on.Name
		match = func(c *catalog.Chunk) bool { return c.Name == on.Name && (on.Schema == "" || c.Schema == on.Schema) }
	default:
		return nil, nil, pgerr.New(pgerr.DatatypeMismatch, "invalid chunk argument")
	}
	for _, t := range h.Catalog().Tables(h.Database()) {
		if t.Hyper == nil {
			continue
		}
		for _, c := range h.Chunks(t.OID) {
			if match(c) {
				return t, c, nil
			}
		}
	}
	if t, err := h.Relation(v); err == nil {
		return nil, nil, pgerr.New(pgerr.InvalidParameterValue, "%q is not a chunk", t.Name)
	}
	if shown == "" {
		return nil, nil, pgerr.New(pgerr.UndefinedTable, "chunk with OID %v does not exist", v)
	}
	return nil, nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", shown)
}

// chunkRegclass is the regclass value compress_chunk returns for c.
func chunkRegclass(c *catalog.Chunk) int64 { return int64(pgcatalog.ChunkOID(c.ID)) }
