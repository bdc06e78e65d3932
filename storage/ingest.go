package storage

// The ingest path: appends that hand their vectors over instead of copying
// them, and the commit-time conversion of a chunk's appended rows into
// delta blocks, with the per-column statistics and encodings computed in
// parallel (they dominate the cost of a large COPY).

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"

	"github.com/tsgres/tsgres/storage/col"
	"github.com/tsgres/tsgres/storage/encoding"
)

// AppendOwned is Append for a batch the caller hands over: when b has no
// selection vector and every vector holds exactly b.Rows() slots, the
// transaction keeps b's vectors without copying them, and the caller must
// neither modify nor read them afterwards (a clustered chunk's rows are
// sorted by series in place). Otherwise it copies, like Append.
func (t *Txn) AppendOwned(chunk uint64, schema ChunkSchema, b *col.Batch) error {
	return t.appendBatch(chunk, schema, b, true)
}

// exactLen reports whether every vector of b has exactly b.Rows() slots
// (nulls bitmap included).
func exactLen(b *col.Batch) bool {
	for _, v := range b.Cols {
		if v.Len() != b.Rows() || (v.Nulls != nil && len(v.Nulls) != b.Rows()) {
			return false
		}
	}
	return true
}

// preEncode is the background encoding of a large append whose rows are
// in time order: its leading rows cut into sealed blocks while the
// statement goes on reading input, so a big COPY does not encode
// everything at COMMIT. The append's rows stay in the transaction for its
// own reads; at commit the finished blocks replace the rows they cover.
type preEncode struct {
	rows   int            // leading rows covered by blocks
	done   chan struct{}  // closed when blocks and err are set
	blocks []encodedBlock // sealed; meta.ID is assigned at commit
	err    error
}

// startPreEncode starts encoding rows' leading sealed blocks in the
// background when rows are many enough and in time order; otherwise it
// returns nil and the rows are encoded at commit.
func (db *DB) startPreEncode(schema ChunkSchema, rows *col.Batch) *preEncode {
	n := rows.Rows() / SealedBlockRows * SealedBlockRows
	if n == 0 || !inBlockOrder(schema, rows) {
		return nil
	}
	pe := &preEncode{rows: n, done: make(chan struct{})}
	parts := make([]*col.Batch, 0, n/SealedBlockRows)
	sealed := make([]bool, 0, n/SealedBlockRows)
	for from := 0; from < n; from += SealedBlockRows {
		parts = append(parts, sliceExact(rows, from, from+SealedBlockRows))
		sealed = append(sealed, true)
	}
	go func() {
		db.encSem <- struct{}{}
		pe.blocks, pe.err = encodeBlocks(schema, parts, sealed, 1, false)
		<-db.encSem
		close(pe.done)
	}()
	return pe
}

// wait returns the finished blocks, or nil when encoding failed (the
// rows are then encoded at commit like any others).
func (pe *preEncode) wait() []encodedBlock {
	<-pe.done
	if pe.err != nil {
		return nil
	}
	return pe.blocks
}

// writePending writes chunk's appended rows as blocks, in row order, and
// returns how many of them are delta blocks (the rest are sealed).
func (t *Txn) writePending(b *pebble.Batch, chunk uint64, cs *chunkState, buf *[]byte) (int, error) {
	schema, items, err := cs.pendingParts()
	if err != nil || len(items) == 0 {
		return 0, err
	}
	var parts []*col.Batch
	var sealed []bool
	counts := make([]int, len(items)) // blocks each rows item became
	clustered := schema.seriesIdx() >= 0
	for i, it := range items {
		if it.rows != nil {
			if clustered { // appends are sorted, parts spanning appends not
				it.rows = sortBlockOrder(schema, it.rows)
			}
			n := len(parts)
			parts, sealed = sealSorted(parts, sealed, schema, it.rows)
			counts[i] = len(parts) - n
		}
	}
	encoded, err := encodeBlocks(schema, parts, sealed, runtime.GOMAXPROCS(0), false)
	if err != nil {
		return 0, fmt.Errorf("chunk %d: %w", chunk, err)
	}
	var blocks []encodedBlock
	for i, it := range items {
		if it.rows == nil {
			blocks = append(blocks, it.pre...)
			continue
		}
		blocks = append(blocks, encoded[:counts[i]]...)
		encoded = encoded[counts[i]:]
	}
	first, err := t.db.allocBlockIDs(len(blocks))
	if err != nil {
		return 0, err
	}
	ndelta := 0
	for i := range blocks {
		blocks[i].meta.ID = first + uint64(i)
		if !blocks[i].meta.Sealed {
			ndelta++
		}
	}
	for i := range blocks {
		if _, err := putBlock(b, chunk, schema, &blocks[i], buf); err != nil {
			return 0, err
		}
	}
	return ndelta, nil
}

// putBlock adds the encoded block eb (laid out by schema) to b, using buf
// as scratch, and returns the bytes it stores (keys and values). All-null
// columns get no key: readers rebuild them from the metadata.
func putBlock(b *pebble.Batch, chunk uint64, schema ChunkSchema, eb *encodedBlock, buf *[]byte) (int64, error) {
	*buf = encodeMeta((*buf)[:0], eb.meta)
	if err := b.Set(blockMetaKey(chunk, eb.meta.ID), *buf, nil); err != nil {
		return 0, fmt.Errorf("write block %d of chunk %d: %w", eb.meta.ID, chunk, err)
	}
	n := int64(blockMetaKeyLen + len(*buf))
	for i, c := range schema.Cols {
		if eb.meta.Cols[i].NullCount >= eb.meta.Cols[i].Count {
			continue
		}
		if err := b.Set(colKey(chunk, eb.meta.ID, c.ID), eb.cols[i], nil); err != nil {
			return 0, fmt.Errorf("write column %d of block %d of chunk %d: %w", c.ID, eb.meta.ID, chunk, err)
		}
		n += int64(colKeyLen + len(eb.cols[i]))
	}
	return n, nil
}

// sealSorted appends p to parts: when p's rows are already in time order
// (as a large COPY of in-order data is) cut into sealed blocks of
// SealedBlockRows rows, so the background merge need not decode and
// re-encode them; what is left over (a short tail, or a part out of time
// order) stays a delta block for the merge. sealed[i] reports whether
// parts[i] is sealed.
func sealSorted(parts []*col.Batch, sealed []bool, schema ChunkSchema, p *col.Batch) ([]*col.Batch, []bool) {
	n := p.Rows()
	if n < SealedBlockRows || !inBlockOrder(schema, p) {
		return append(parts, p), append(sealed, false)
	}
	for from := 0; from < n; from += SealedBlockRows {
		to := min(n, from+SealedBlockRows)
		parts = append(parts, sliceExact(p, from, to))
		sealed = append(sealed, to-from == SealedBlockRows)
	}
	return parts, sealed
}

// pendPart is a piece of a chunk's appended rows at commit: rows still to
// encode, or blocks encoded in the background.
type pendPart struct {
	rows *col.Batch
	pre  []encodedBlock
}

// pendingParts returns the chunk's appended rows laid out by the latest
// Append's schema, in row order: blocks encoded in the background, and
// the other rows cut into consecutive parts of at most maxDeltaBlockRows
// rows. A part that lies within one Append's rows shares its vectors;
// only parts spanning Appends are copied.
func (cs *chunkState) pendingParts() (ChunkSchema, []pendPart, error) {
	if len(cs.pend) == 0 {
		return ChunkSchema{}, nil, nil
	}
	schema := cs.pend[len(cs.pend)-1].schema
	for _, s := range cs.pend {
		if !slices.Equal(s.schema.Cols, schema.Cols) {
			// Columns changed within the transaction: combine first.
			mb, err := cs.pending()
			if err != nil || mb == nil {
				return schema, nil, err
			}
			return mb.schema, splitRows(mb.rows), nil
		}
	}
	var parts []pendPart
	var cur []*col.Batch // slices making up the part being filled
	curRows := 0
	flush := func() {
		switch len(cur) {
		case 0:
			return
		case 1:
			parts = append(parts, pendPart{rows: cur[0]})
		default:
			vecs := make([]*col.Vec, len(schema.Cols))
			for i, c := range schema.Cols {
				vecs[i] = col.NewVec(c.Kind, curRows)
				for _, s := range cur {
					appendVec(vecs[i], s.Cols[i])
				}
			}
			parts = append(parts, pendPart{rows: col.FromVecs(vecs, curRows)})
		}
		cur, curRows = cur[:0:0], 0
	}
	for _, s := range cs.pend {
		rows := s.rows
		if s.pre != nil {
			if blocks := s.pre.wait(); blocks != nil {
				flush()
				parts = append(parts, pendPart{pre: blocks})
				rows = sliceExact(rows, s.pre.rows, rows.Rows())
			}
		}
		for from := 0; from < rows.Rows(); {
			to := min(rows.Rows(), from+maxDeltaBlockRows-curRows)
			cur = append(cur, sliceExact(rows, from, to))
			curRows += to - from
			from = to
			if curRows == maxDeltaBlockRows {
				flush()
			}
		}
	}
	flush()
	return schema, parts, nil
}

// splitRows cuts b into parts of at most maxDeltaBlockRows rows.
func splitRows(b *col.Batch) []pendPart {
	var parts []pendPart
	for from := 0; from < b.Rows(); from += maxDeltaBlockRows {
		parts = append(parts, pendPart{rows: sliceBatch(b, from, min(from+maxDeltaBlockRows, b.Rows()))})
	}
	return parts
}

// sliceExact returns rows [from, to) of b with every vector (and nulls
// bitmap) exactly to-from long, sharing storage.
func sliceExact(b *col.Batch, from, to int) *col.Batch {
	if from == 0 && to == b.Rows() && exactLen(b) {
		return b
	}
	vecs := make([]*col.Vec, len(b.Cols))
	for i, v := range b.Cols {
		vecs[i] = v.Slice(from, to)
	}
	return col.FromVecs(vecs, to-from)
}

// encodedBlock is a block ready to be written.
type encodedBlock struct {
	meta *BlockMeta
	cols [][]byte // per schema column; unused for all-null columns
}

// parallelMinRows is the smallest total row count worth spreading over
// several goroutines.
const parallelMinRows = 4096

// encodeBlocks computes the metadata and column encodings of parts (part
// i sealed when sealed[i]; compressed blocks with the compact codecs when
// compressed is set); block ids are left 0 for the caller to assign.
// Work items (one per block's metadata and one per column) run on up to
// workers goroutines.
func encodeBlocks(schema ChunkSchema, parts []*col.Batch, sealed []bool, workers int, compressed bool) ([]encodedBlock, error) {
	out := make([]encodedBlock, len(parts))
	ncol := len(schema.Cols)
	total := 0
	for i := range out {
		out[i].cols = make([][]byte, ncol)
		total += parts[i].Rows()
	}
	per := ncol + 1
	jobs := len(parts) * per
	errs := make([]error, len(parts))
	run := func(j int) {
		bi, ci := j/per, j%per
		p := parts[bi]
		if ci == ncol {
			out[bi].meta, errs[bi] = computeMeta(0, schema, p, sealed[bi])
			if errs[bi] == nil {
				out[bi].meta.Compressed = compressed
			}
			return
		}
		v := p.Cols[ci]
		if v.Len() != p.Rows() {
			v = v.Slice(0, p.Rows())
		}
		if compressed {
			out[bi].cols[ci] = encoding.EncodeVecCompact(nil, v)
		} else {
			out[bi].cols[ci] = encoding.EncodeVec(nil, v)
		}
	}
	workers = min(workers, jobs)
	if total < parallelMinRows || workers <= 1 {
		for j := 0; j < jobs; j++ {
			run(j)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					j := int(next.Add(1) - 1)
					if j >= jobs {
						return
					}
					run(j)
				}
			}()
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
