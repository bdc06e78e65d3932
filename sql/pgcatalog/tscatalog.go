package pgcatalog

import (
	"math"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// TimescaleDB's internal catalog tables, which maintenance scripts query
// directly: _timescaledb_catalog.hypertable, chunk, dimension,
// dimension_slice and chunk_constraint, with TimescaleDB 2.x's columns.
//
// tsgres keeps a compressed chunk's data in the chunk itself rather than
// in a companion chunk of an internal compressed hypertable, so
// compressed_chunk_id is the chunk's own id (set while it is compressed:
// the usual "compressed_chunk_id IS NOT NULL" test works) and there are
// no compressed hypertables. Dimension and slice ids are derived from the
// hypertable and chunk ids: a time dimension is 2*id-1 and a space
// dimension 2*id, and likewise for a chunk's two slices.

// Chunk status bits (TimescaleDB's chunk.status).
const (
	chunkStatusCompressed = 1
	chunkStatusPartial    = 8
)

// Hypertable compression_state values.
const (
	compressionOff     = 0
	compressionEnabled = 1
)

// closedSliceMax is the top of a hash dimension's value range; the first
// and last slices extend to the int64 limits (TimescaleDB's
// DIMENSION_SLICE_CLOSED_MAX).
const closedSliceMax = math.MaxInt32

func init() {
	tc := catalog.SchemaTSCatalog
	n, b, i2, i4, i8, tz := types.Name, types.Bool, types.Int2, types.Int4, types.Int8, types.Timestamptz

	register(tc, "hypertable", cols(c("id", i4), c("schema_name", n), c("table_name", n),
		c("associated_schema_name", n), c("associated_table_prefix", n), c("num_dimensions", i2),
		c("chunk_sizing_func_schema", n), c("chunk_sizing_func_name", n), c("chunk_target_size", i8),
		c("compression_state", i2), c("compressed_hypertable_id", i4), c("status", i4)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				state := compressionOff
				if CompressionEnabled(h) {
					state = compressionEnabled
				}
				rows = append(rows, []any{i64(h.Hyper.ID), h.Schema, h.Name, associatedSchema(h),
					associatedPrefix(h), int64(numDimensions(h)), "_timescaledb_functions",
					"calculate_chunk_interval", int64(0), int64(state), nil, int64(0)})
			}
			return rows, nil
		})

	register(tc, "chunk", cols(c("id", i4), c("hypertable_id", i4), c("schema_name", n), c("table_name", n),
		c("compressed_chunk_id", i4), c("dropped", b), c("status", i4), c("osm_chunk", b),
		c("creation_time", tz)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				for _, ch := range chunksOf(env, h.OID) {
					var compressedID any
					status := int64(0)
					if ch.Compressed {
						compressedID, status = i64(ch.ID), chunkStatusCompressed
						if env.PartiallyCompressed(ch) {
							status |= chunkStatusPartial
						}
					}
					rows = append(rows, []any{i64(ch.ID), i64(h.Hyper.ID), ch.Schema, ch.Name,
						compressedID, false, status, false, ch.Created})
				}
			}
			return rows, nil
		})

	register(tc, "dimension", cols(c("id", i4), c("hypertable_id", i4), c("column_name", n),
		c("column_type", types.Regtype), c("aligned", b), c("num_slices", i2),
		c("partitioning_func_schema", n), c("partitioning_func", n), c("interval_length", i8),
		c("compress_interval_length", i8), c("integer_now_func_schema", n), c("integer_now_func", n)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				t := timeColumn(h)
				if t == nil {
					continue
				}
				var compress any
				if comp := h.Hyper.Compression; comp != nil && comp.ChunkInterval != 0 {
					compress = comp.ChunkInterval
				}
				var nowSchema, nowFunc any
				if f := env.Catalog().FunctionByOID(h.Hyper.IntegerNowFunc); f != nil {
					nowSchema, nowFunc = f.Schema, f.Name
				}
				id := 2*int64(h.Hyper.ID) - 1
				rows = append(rows, []any{id, i64(h.Hyper.ID), t.Name, i64(t.Type.OID), true, nil,
					nil, nil, h.Hyper.Interval, compress, nowSchema, nowFunc})
				if sp := h.Hyper.Space; sp != nil {
					if i := h.ColByID(sp.Col); i >= 0 {
						s := h.Cols[i]
						rows = append(rows, []any{id + 1, i64(h.Hyper.ID), s.Name, i64(s.Type.OID), false,
							int64(sp.Partitions), "_timescaledb_functions", "get_partition_hash", nil, nil, nil, nil})
					}
				}
			}
			return rows, nil
		})

	register(tc, "dimension_slice", cols(c("id", i4), c("dimension_id", i4), c("range_start", i8), c("range_end", i8)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				dim := 2*int64(h.Hyper.ID) - 1
				for _, ch := range chunksOf(env, h.OID) {
					slice := 2*int64(ch.ID) - 1
					rows = append(rows, []any{slice, dim, ch.Start, ch.End})
					if sp := h.Hyper.Space; sp != nil {
						lo, hi := hashSlice(ch.Partition, sp.Partitions)
						rows = append(rows, []any{slice + 1, dim + 1, lo, hi})
					}
				}
			}
			return rows, nil
		})

	register(tc, "chunk_constraint", cols(c("chunk_id", i4), c("dimension_slice_id", i4),
		c("constraint_name", n), c("hypertable_constraint_name", n)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				for _, ch := range chunksOf(env, h.OID) {
					slice := 2*int64(ch.ID) - 1
					rows = append(rows, []any{i64(ch.ID), slice, constraintName(slice), nil})
					if h.Hyper.Space != nil {
						rows = append(rows, []any{i64(ch.ID), slice + 1, constraintName(slice + 1), nil})
					}
				}
			}
			return rows, nil
		})
}

// constraintName is TimescaleDB's name of a dimension slice's check
// constraint on a chunk.
func constraintName(slice int64) string { return "constraint_" + itoa(slice) }

// hashSlice returns the value range of space partition part of n, as
// TimescaleDB divides [0, closedSliceMax) among hash partitions.
func hashSlice(part, n int) (lo, hi int64) {
	width := int64(closedSliceMax) / int64(n)
	lo, hi = int64(part)*width, int64(part+1)*width
	if part == 0 {
		lo = math.MinInt64
	}
	if part == n-1 {
		hi = math.MaxInt64
	}
	return lo, hi
}

// numDimensions is 1, or 2 with a space dimension.
func numDimensions(h *catalog.Table) int {
	if h.Hyper.Space != nil {
		return 2
	}
	return 1
}

// associatedSchema and associatedPrefix name the hypertable's chunks.
func associatedSchema(h *catalog.Table) string {
	if s := h.Hyper.AssociatedSchema; s != "" {
		return s
	}
	return catalog.SchemaInternal
}

func associatedPrefix(h *catalog.Table) string {
	if p := h.Hyper.AssociatedPrefix; p != "" {
		return p
	}
	return "_hyper_" + itoa(int64(h.Hyper.ID))
}
