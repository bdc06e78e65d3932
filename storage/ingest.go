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
// not modify them afterwards. Otherwise it copies, like Append.
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

// writePending writes chunk's appended rows as delta blocks of at most
// maxDeltaBlockRows rows, returning how many blocks it wrote.
func (t *Txn) writePending(b *pebble.Batch, chunk uint64, cs *chunkState, buf *[]byte) (int, error) {
	schema, parts, err := cs.pendingParts()
	if err != nil || len(parts) == 0 {
		return 0, err
	}
	first, err := t.db.allocBlockIDs(len(parts))
	if err != nil {
		return 0, err
	}
	blocks, err := encodeBlocks(first, schema, parts)
	if err != nil {
		return 0, fmt.Errorf("chunk %d: %w", chunk, err)
	}
	for _, eb := range blocks {
		*buf = encodeMeta((*buf)[:0], eb.meta)
		if err := b.Set(blockMetaKey(chunk, eb.meta.ID), *buf, nil); err != nil {
			return 0, fmt.Errorf("write block %d of chunk %d: %w", eb.meta.ID, chunk, err)
		}
		for i, c := range schema.Cols {
			if eb.meta.Cols[i].NullCount >= eb.meta.Cols[i].Count {
				continue // all null: readers rebuild it from the metadata
			}
			if err := b.Set(colKey(chunk, eb.meta.ID, c.ID), eb.cols[i], nil); err != nil {
				return 0, fmt.Errorf("write column %d of block %d of chunk %d: %w", c.ID, eb.meta.ID, chunk, err)
			}
		}
	}
	return len(blocks), nil
}

// pendingParts returns the chunk's appended rows laid out by the latest
// Append's schema, cut into consecutive parts of maxDeltaBlockRows rows
// (the last may be shorter). A part that lies within one Append's rows
// shares its vectors; only parts spanning Appends are copied.
func (cs *chunkState) pendingParts() (ChunkSchema, []*col.Batch, error) {
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
	if cs.pendMB != nil {
		return cs.pendMB.schema, splitRows(cs.pendMB.rows), nil
	}
	var parts []*col.Batch
	var cur []*col.Batch // slices making up the part being filled
	curRows := 0
	flush := func() {
		switch len(cur) {
		case 0:
			return
		case 1:
			parts = append(parts, cur[0])
		default:
			vecs := make([]*col.Vec, len(schema.Cols))
			for i, c := range schema.Cols {
				vecs[i] = col.NewVec(c.Kind, curRows)
				for _, s := range cur {
					appendVec(vecs[i], s.Cols[i])
				}
			}
			parts = append(parts, col.FromVecs(vecs, curRows))
		}
		cur, curRows = cur[:0:0], 0
	}
	for _, s := range cs.pend {
		rows := s.rows
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
func splitRows(b *col.Batch) []*col.Batch {
	var parts []*col.Batch
	for from := 0; from < b.Rows(); from += maxDeltaBlockRows {
		parts = append(parts, sliceBatch(b, from, min(from+maxDeltaBlockRows, b.Rows())))
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

// encodedBlock is a delta block ready to be written.
type encodedBlock struct {
	meta *BlockMeta
	cols [][]byte // per schema column; unused for all-null columns
}

// parallelMinRows is the smallest total row count worth spreading over
// several goroutines.
const parallelMinRows = 4096

// encodeBlocks computes the metadata and column encodings of parts, which
// become blocks first, first+1, ... Work items (one per block's metadata
// and one per column) run on up to GOMAXPROCS goroutines.
func encodeBlocks(first uint64, schema ChunkSchema, parts []*col.Batch) ([]encodedBlock, error) {
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
			out[bi].meta, errs[bi] = computeMeta(first+uint64(bi), schema, p, false)
			return
		}
		v := p.Cols[ci]
		if v.Len() != p.Rows() {
			v = v.Slice(0, p.Rows())
		}
		out[bi].cols[ci] = encoding.EncodeVec(nil, v)
	}
	workers := min(runtime.GOMAXPROCS(0), jobs)
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
