package timescale

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// Compression of chunks: compress_chunk, decompress_chunk and
// hypertable_compression_stats. The settings (ALTER TABLE ... SET
// (timescaledb.compress...)) are in compress_options.go.
//
// compress_chunk and decompress_chunk stage the rewrite of the chunk's
// blocks (storage.Txn.CompressChunk) and the chunk's new catalog record
// in the session's transaction: both take effect atomically at COMMIT,
// and a rollback undoes them. A commit that lost to a concurrent rewrite
// of the same blocks fails with 40001. Readers are never blocked.

func init() {
	b := types.Bool
	funcs.RegisterScalar(&funcs.Scalar{Name: "compress_chunk", Args: []types.T{anyT, b, b},
		ArgNames: []string{"uncompressed_chunk", "if_not_compressed", "recompress"}, Defaults: 2,
		Ret: funcs.Fixed(types.Regclass), Volatile: true, Fn: compressChunk})
	funcs.RegisterScalar(&funcs.Scalar{Name: "decompress_chunk", Args: []types.T{anyT, b},
		ArgNames: []string{"uncompressed_chunk", "if_compressed"}, Defaults: 1,
		Ret: funcs.Fixed(types.Regclass), Volatile: true, Fn: decompressChunk})
	funcs.RegisterScalar(&funcs.Scalar{Name: "hypertable_compression_stats", Args: []types.T{anyT},
		ArgNames: []string{"hypertable"}, Strict: true, Ret: funcs.Fixed(recordT),
		OutNames: pgcatalog.HypertableCompressionNames, OutTypes: pgcatalog.HypertableCompressionTypes,
		Fn: hypertableCompressionStats})
}

// hypertableCompressionStats is hypertable_compression_stats(hypertable).
func hypertableCompressionStats(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	t, err := ResolvePolicyTarget(h, a[0])
	if err != nil {
		return nil, err
	}
	return &types.Record{Types: pgcatalog.HypertableCompressionTypes, Vals: pgcatalog.HypertableCompressionStats(h.CatalogEnv(), t)}, nil
}

// compressChunk is compress_chunk(uncompressed_chunk, if_not_compressed
// => true, recompress => false). A partially compressed chunk (rows
// written after its compression) is compressed again, folding them in.
// Under compress_chunk_time_interval the chunk may be rolled up into the
// compressed chunk before it; the result is then that chunk.
func compressChunk(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	if funcs.Arg(a, 0) == nil {
		return nil, nil
	}
	t, c, err := chunkArg(h, a[0])
	if err != nil {
		return nil, err
	}
	if !pgcatalog.CompressionEnabled(t) {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "compression not enabled on %q", t.Name).
			WithDetail("It is not possible to compress chunks on a hypertable or continuous aggregate that does not have compression enabled.").
			WithHint("Enable compression using ALTER TABLE/MATERIALIZED VIEW with the timescaledb.compress option.")
	}
	if c.Compressed {
		partial, err := PartiallyCompressed(h, t, c)
		if err != nil {
			return nil, err
		}
		if !partial && !funcs.BoolArg(a, 2, false) {
			if funcs.BoolArg(a, 1, true) {
				return chunkRegclass(c), nil
			}
			return nil, pgerr.New(pgerr.DuplicateObject, "chunk %q is already compressed", c.Name)
		}
	}
	nc, err := h.Store().CompressChunk(h.Writer(), t, c)
	if err != nil {
		return nil, err
	}
	return chunkRegclass(nc), nil
}

// decompressChunk is decompress_chunk(uncompressed_chunk, if_compressed
// => true).
func decompressChunk(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	if funcs.Arg(a, 0) == nil {
		return nil, nil
	}
	_, c, err := chunkArg(h, a[0])
	if err != nil {
		return nil, err
	}
	if !c.Compressed {
		if funcs.BoolArg(a, 1, true) {
			return chunkRegclass(c), nil
		}
		return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "chunk %q is not compressed", c.Name)
	}
	if _, err := h.Store().DecompressChunk(h.Writer(), c); err != nil {
		return nil, err
	}
	return chunkRegclass(c), nil
}

// PartiallyCompressed reports whether compressed chunk c of hypertable t
// has rows written since its compression (blocks that are not
// compressed), TimescaleDB's status 9. It reads the transaction's view,
// its own writes included.
func PartiallyCompressed(h Host, t *catalog.Table, c *catalog.Chunk) (bool, error) {
	spec := &storage.ScanSpec{Chunk: c.ID, TimeCol: t.Hyper.TimeCol, TimeMin: storage.MinTime, TimeMax: storage.MaxTime}
	blocks, _, err := h.Txn().Blocks(spec)
	if err != nil {
		return false, err
	}
	for _, b := range blocks {
		if !b.Compressed {
			return true, nil
		}
	}
	return false, nil
}
