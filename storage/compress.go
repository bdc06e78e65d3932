package storage

// Chunk compression, TimescaleDB's compress_chunk and decompress_chunk.
//
// CompressChunk reads every block of a chunk from a snapshot, sorts the
// rows by the segmentby columns and then the orderby columns (default
// time DESC), and writes compressed blocks: cut where the segment changes
// (once a block holds compressedMinRows rows) and at compressedBlockRows,
// flagged compressed in their metadata, every column encoded with the
// compact codecs. A segment of compressedMinRows rows or more therefore
// has blocks of its own whose metadata min and max of the segmentby
// columns are the segment's value, so a scan with a segmentby equality
// predicate skips every other segment's blocks.
//
// DecompressChunk turns every block back into sealed blocks sorted by
// time, as the merge writes them.
//
// Both swap inputs for outputs in one pebble batch with the merge's
// protocol (swap): readers keep reading their snapshots, a crash
// leaves either the old blocks or the new ones, and a commit that
// rewrote or deleted an input meanwhile makes the swap retry from a new
// snapshot. Rows appended while a compression runs land in delta blocks
// the swap leaves alone: the chunk is then partially compressed, and the
// normal merge seals those deltas until the next CompressChunk folds them
// in.

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/tsgres/tsgres/storage/col"
)

const (
	// compressedBlockRows is the largest compressed block: twice a sealed
	// block, since compressed data is read mostly whole; TimescaleDB uses
	// 1,000-row batches, but our per-block metadata and keys cost ~1 byte
	// a row at that size, and time-range skipping within a segment stays
	// fine-grained enough (8,192 readings of one device).
	compressedBlockRows = 2 * sealedBlockRows
	// compressedMinRows is the smallest block cut at a segment change:
	// smaller segments share a block with their neighbours (min/max
	// skipping still works, over a range of segment values), so a
	// high-cardinality segmentby does not make compression worse.
	compressedMinRows = 1000
	// swapAttempts is how often a compression retries after a concurrent
	// commit changed its input blocks.
	swapAttempts = 5
	// swapBackoff is the wait before the next attempt (times the attempt).
	swapBackoff = 20 * time.Millisecond
)

// OrderCol is one column of a compression's sort order.
type OrderCol struct {
	ID         uint32
	Desc       bool
	NullsFirst bool
}

// CompressOptions configure CompressChunk.
type CompressOptions struct {
	// SegmentBy are the columns whose equal values are kept together
	// (TimescaleDB's compress_segmentby), sorted ascending, nulls last.
	SegmentBy []uint32
	// OrderBy orders rows within a segment (compress_orderby); empty
	// means the time column descending.
	OrderBy []OrderCol
	// Record, when set, returns metadata entries written in the same
	// atomic batch as the blocks, e.g. the catalog's record of the
	// chunk's compression.
	Record RecordFunc
}

// MetaEntry is a metadata entry (storage-level key of Txn.PutMeta); a nil
// Val deletes the key.
type MetaEntry struct {
	Key string
	Val []byte
}

// RecordFunc builds metadata entries from the stats of a compression or
// decompression, written atomically with it.
type RecordFunc func(CompressStats) ([]MetaEntry, error)

// CompressStats describe one compression or decompression of a chunk.
// Bytes are stored bytes: keys plus encoded values of the blocks, the
// same measure before and after.
type CompressStats struct {
	Rows                      int64
	InputBlocks, OutputBlocks int
	// InputBytes are the bytes of every input block; UncompressedBytes
	// of those that were not compressed blocks.
	InputBytes, UncompressedBytes int64
	OutputBytes                   int64
}

// CompressChunk rewrites every block of chunk as compressed blocks (see
// the file comment). It fails with ErrConflict when concurrent commits
// kept changing the chunk's blocks.
func (db *DB) CompressChunk(chunk uint64, opts CompressOptions) (CompressStats, error) {
	return db.rewriteChunks(chunk, nil, opts.Record, func(in *chunkInput) ([]encodedBlock, error) {
		return compressedBlocks(in, opts)
	})
}

// CompressChunkInto compresses the rows of chunk src together with every
// block of chunk dst into compressed blocks of dst and deletes src, in one
// atomic batch: TimescaleDB's roll-up of adjacent chunks into one
// compressed chunk (compress_chunk_time_interval). src is retired: a
// transaction that appended rows to it fails to commit with ErrConflict
// (its rows would belong to dst now).
func (db *DB) CompressChunkInto(dst, src uint64, opts CompressOptions) (CompressStats, error) {
	return db.rewriteChunks(dst, []uint64{src}, opts.Record, func(in *chunkInput) ([]encodedBlock, error) {
		return compressedBlocks(in, opts)
	})
}

// DecompressChunk rewrites every block of chunk as sealed blocks sorted by
// time; record is as CompressOptions.Record.
func (db *DB) DecompressChunk(chunk uint64, record RecordFunc) (CompressStats, error) {
	return db.rewriteChunks(chunk, nil, record, func(in *chunkInput) ([]encodedBlock, error) {
		return sealedBlocks(in, runtime.GOMAXPROCS(0))
	})
}

// rewriteChunks replaces every block of chunk dst and of the chunks it
// retires by build's blocks of dst, retrying when a concurrent commit
// wins. Merges wait meanwhile.
func (db *DB) rewriteChunks(dst uint64, retire []uint64, record RecordFunc, build func(*chunkInput) ([]encodedBlock, error)) (CompressStats, error) {
	db.merge.run.Lock()
	defer db.merge.run.Unlock()
	for attempt := 1; attempt <= swapAttempts; attempt++ {
		st, ok, err := db.rewriteOnce(dst, retire, record, build)
		if err != nil {
			return CompressStats{}, fmt.Errorf("rewrite chunk %d: %w", dst, err)
		}
		if ok {
			return st, nil
		}
		if attempt < swapAttempts {
			time.Sleep(time.Duration(attempt) * swapBackoff)
		}
	}
	return CompressStats{}, fmt.Errorf("rewrite chunk %d: blocks kept changing: %w", dst, ErrConflict)
}

// rewriteOnce is one attempt of rewriteChunks; ok is false when a chunk
// changed (or a transaction pinned it) and nothing was written.
func (db *DB) rewriteOnce(dst uint64, retire []uint64, record RecordFunc, build func(*chunkInput) ([]encodedBlock, error)) (st CompressStats, ok bool, err error) {
	chunks := append([]uint64{dst}, retire...)
	for _, chunk := range chunks {
		if db.pinned(chunk) {
			return st, false, nil
		}
	}
	snap := db.pdb.NewSnapshot()
	defer snap.Close()
	all := &chunkInput{chunk: dst}
	var inputs []*chunkInput
	for _, chunk := range chunks {
		in, err := db.listInputs(snap, chunk, func(*BlockMeta) bool { return true })
		if err != nil {
			return st, false, err
		}
		inputs = append(inputs, in)
		all.blocks = append(all.blocks, in.blocks...)
		all.deltas += in.deltas
		total, uncompressed, err := storedBytes(snap, chunk, in.blocks)
		if err != nil {
			return st, false, err
		}
		st.InputBytes += total
		st.UncompressedBytes += uncompressed
	}
	if len(all.blocks) > 0 {
		if all.schema, err = unionSchema(all.blocks); err != nil {
			return st, false, err
		}
		if all.rows, err = readInputs(snap, inputs, all.schema); err != nil {
			return st, false, err
		}
		st.Rows = int64(all.rows.Rows())
	}
	blocks, err := build(all)
	if err != nil {
		return st, false, err
	}
	st.InputBlocks, st.OutputBlocks = len(all.blocks), len(blocks)
	for i := range blocks {
		st.OutputBytes += blocks[i].storedBytes()
	}
	var extra func(*pebble.Batch) error
	if record != nil {
		entries, err := record(st)
		if err != nil {
			return st, false, err
		}
		extra = func(b *pebble.Batch) error {
			for _, e := range entries {
				if e.Val == nil {
					if err := b.Delete(metaKey(e.Key), nil); err != nil {
						return err
					}
				} else if err := b.Set(metaKey(e.Key), e.Val, nil); err != nil {
					return err
				}
			}
			return nil
		}
	}
	// Sync: compress_chunk reports success only once the swap is durable.
	ok, err = db.swap(swapSpec{dst: dst, inputs: inputs, schema: all.schema, retire: retire}, blocks, extra, pebble.Sync)
	return st, ok, err
}

// storedBytes sums the key and value bytes of blocks of chunk in r: all
// of them, and those that are not compressed blocks.
func storedBytes(r reader, chunk uint64, blocks []*BlockMeta) (total, uncompressed int64, err error) {
	compressed := make(map[uint64]bool, len(blocks))
	for _, m := range blocks {
		compressed[m.ID] = m.Compressed
	}
	start, end := chunkSpan(chunk)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		return 0, 0, fmt.Errorf("size blocks of chunk %d: %w", chunk, err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) < blockMetaKeyLen {
			continue
		}
		c, in := compressed[binaryID(k)]
		if !in {
			continue
		}
		n := int64(len(k)) + int64(len(it.Value()))
		total += n
		if !c {
			uncompressed += n
		}
	}
	if err := it.Close(); err != nil {
		return 0, 0, fmt.Errorf("size blocks of chunk %d: %w", chunk, err)
	}
	return total, uncompressed, nil
}

// binaryID returns the block id of a block metadata or column key.
func binaryID(k []byte) uint64 {
	var id uint64
	for _, b := range k[chunkPrefixLen+1 : blockMetaKeyLen] {
		id = id<<8 | uint64(b)
	}
	return id
}

// storedBytes returns the key and value bytes putBlock stores for eb
// (its metadata encoded once more to measure it).
func (eb *encodedBlock) storedBytes() int64 {
	n := int64(blockMetaKeyLen + len(encodeMeta(nil, eb.meta)))
	for i, c := range eb.cols {
		if eb.meta.Cols[i].NullCount < eb.meta.Cols[i].Count {
			n += int64(colKeyLen + len(c))
		}
	}
	return n
}

// compressedBlocks sorts the input rows by opts' segment and order
// columns and encodes them as compressed blocks.
func compressedBlocks(in *chunkInput, opts CompressOptions) ([]encodedBlock, error) {
	if in.rows == nil || in.rows.Rows() == 0 {
		return nil, nil
	}
	schema, rows := in.schema, in.rows
	var segCols []int // indexes into schema.Cols
	var keys []sortKey
	for _, id := range opts.SegmentBy {
		if i := colIndex(schema.Cols, id); i >= 0 {
			segCols = append(segCols, i)
			keys = append(keys, sortKey{v: rows.Cols[i]})
		}
	}
	order := opts.OrderBy
	if len(order) == 0 {
		order = []OrderCol{{ID: schema.Cols[schema.TimeCol].ID, Desc: true, NullsFirst: true}}
	}
	for _, o := range order {
		if i := colIndex(schema.Cols, o.ID); i >= 0 {
			keys = append(keys, sortKey{v: rows.Cols[i], desc: o.Desc, nullsFirst: o.NullsFirst})
		}
	}
	sorted := sortRows(rows, keys)
	seg := make([]sortKey, len(segCols))
	for i, c := range segCols {
		seg[i] = sortKey{v: sorted.Cols[c]}
	}
	var parts []*col.Batch
	var sealed []bool
	from := 0
	for i := 1; i <= sorted.Rows(); i++ {
		n := i - from
		cut := i == sorted.Rows() || n == compressedBlockRows ||
			(n >= compressedMinRows && compareKeys(seg, i-1, i) != 0)
		if cut {
			parts = append(parts, sliceExact(sorted, from, i))
			sealed = append(sealed, true)
			from = i
		}
	}
	return encodeBlocks(schema, parts, sealed, runtime.GOMAXPROCS(0), true)
}

// sortKey is one column of a row order.
type sortKey struct {
	v          *col.Vec
	desc       bool
	nullsFirst bool
}

// sortRows returns b's rows stably sorted by keys.
func sortRows(b *col.Batch, keys []sortKey) *col.Batch {
	perm := make([]int, b.Rows())
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(i, j int) bool { return compareKeys(keys, perm[i], perm[j]) < 0 })
	vecs := make([]*col.Vec, len(b.Cols))
	for i, v := range b.Cols {
		vecs[i] = v.Gather(perm)
	}
	return col.FromVecs(vecs, b.Rows())
}

// compareKeys compares rows i and j by keys.
func compareKeys(keys []sortKey, i, j int) int {
	for _, k := range keys {
		if c := k.compare(i, j); c != 0 {
			return c
		}
	}
	return 0
}

// compare orders rows i and j of the key's column.
func (k *sortKey) compare(i, j int) int {
	ni, nj := k.v.IsNull(i), k.v.IsNull(j)
	switch {
	case ni && nj:
		return 0
	case ni != nj:
		if ni == k.nullsFirst {
			return -1
		}
		return 1
	}
	c := compareSlots(k.v, i, j)
	if k.desc {
		return -c
	}
	return c
}

// compareSlots compares two non-null slots of v.
func compareSlots(v *col.Vec, i, j int) int {
	switch v.Kind {
	case col.Int64:
		return cmp3(v.I64[i] < v.I64[j], v.I64[i] > v.I64[j])
	case col.Float64:
		a, b := v.F64[i], v.F64[j]
		if math.IsNaN(a) && math.IsNaN(b) {
			return 0
		}
		return cmp3(floatLess(a, b), floatLess(b, a))
	case col.Bool:
		return cmp3(!v.B[i] && v.B[j], v.B[i] && !v.B[j])
	case col.Bytes:
		return cmp3(v.S[i] < v.S[j], v.S[i] > v.S[j])
	}
	panic(fmt.Sprintf("BUG: compare slots of a %v vector", v.Kind))
}
