package storage

// Hypertable chunks inside a transaction: buffering appends, listing and
// reading blocks (stored ones from the statement's snapshot, the
// transaction's own from memory), rewriting and dropping blocks.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/tsgres/tsgres/storage/col"
	"github.com/tsgres/tsgres/storage/encoding"
)

// Append adds the live rows of b to chunk. b's columns line up with
// schema.Cols. Rows are buffered (copied: b may be reused after the call);
// Commit writes one delta block per chunk. The time column must not hold
// nulls.
func (t *Txn) Append(chunk uint64, schema ChunkSchema, b *col.Batch) error {
	return t.appendBatch(chunk, schema, b, false)
}

// appendBatch buffers b's live rows for chunk; with own set the
// transaction may keep b's vectors instead of copying them.
func (t *Txn) appendBatch(chunk uint64, schema ChunkSchema, b *col.Batch, own bool) error {
	if err := checkBatch(schema, b); err != nil {
		return fmt.Errorf("append to chunk %d: %w", chunk, err)
	}
	if err := checkTimeNotNull(schema, b); err != nil {
		return fmt.Errorf("append to chunk %d: %w", chunk, err)
	}
	if b.Len() == 0 {
		return nil
	}
	var rows *col.Batch
	if own && b.Sel == nil && exactLen(b) {
		rows = col.FromVecs(slices.Clone(b.Cols), b.Rows())
	} else {
		rows = copyLive(b)
	}
	if schema.seriesIdx() >= 0 {
		// Clustered: the rows go to blocks in (series, time) order. rows
		// are the transaction's own (a copy, or handed over), so they are
		// sorted in place.
		rows = sortBlockOrderOwned(schema, rows)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return errTxnDone
	}
	schema = cloneSchema(schema)
	t.addLocked(op{kind: opAppend, chunkOp: &chunkOp{chunk: chunk, schema: schema, rows: rows, pre: t.db.startPreEncode(schema, rows)}})
	return nil
}

func cloneSchema(s ChunkSchema) ChunkSchema {
	return ChunkSchema{Cols: slices.Clone(s.Cols), TimeCol: s.TimeCol, SeriesCol: s.SeriesCol}
}

// Blocks lists the metadata of chunk's blocks that may hold rows matching
// spec's time range and predicates, plus the transaction's unwritten
// appends as one extra delta block (ID 0, listed last). skipped counts
// blocks left out. Stored blocks are listed from the statement's snapshot
// (see NewStatement), which later ReadBlock calls for the same chunk read
// from, so a concurrent merge or commit never removes a listed block from
// under the reader.
func (t *Txn) Blocks(spec *ScanSpec) (blocks []*BlockMeta, skipped int, err error) {
	blocks, n, err := t.listBlocks(spec, nil, false)
	return blocks, n.Skipped, err
}

// BlockCounts counts what listing a chunk's blocks left out (EXPLAIN
// ANALYZE).
type BlockCounts struct {
	// Skipped counts blocks left out by the time range or predicates.
	Skipped int
	// KeySkipped counts blocks left out because their min/max of a key
	// set's column holds no key (their time is not checked).
	KeySkipped int
	// Indexed counts the candidates a key index found (blockindex.go);
	// 0 when the chunk's list was tested block by block.
	Indexed int
}

// KeyBlocks is Blocks for a scan that keeps only rows whose columns hold
// keys of every set in keys: blocks that cannot hold one are left out.
// The stored blocks' candidates come from a key index over the chunk's
// cached block list when there is one, so a few keys cost a few binary
// searches instead of a check of every block; the time range and
// predicates are then checked on the candidates only. The blocks keep
// Blocks's order.
func (t *Txn) KeyBlocks(spec *ScanSpec, keys []BlockKeys) ([]*BlockMeta, BlockCounts, error) {
	return t.listBlocks(spec, keys, false)
}

// HasBlocks reports whether spec's chunk has a block with rows in its
// time range (its predicates are not checked), stopping at the first;
// when there is none, skipped counts the blocks, all left out.
func (t *Txn) HasBlocks(spec *ScanSpec) (ok bool, skipped int, err error) {
	inRange := *spec
	inRange.Preds = nil
	blocks, n, err := t.listBlocks(&inRange, nil, true)
	return len(blocks) > 0, n.Skipped, err
}

// listBlocks lists the blocks of spec's chunk that may hold rows in its
// time range passing its predicates and holding keys of every key set;
// with first it stops at the first such block.
func (t *Txn) listBlocks(spec *ScanSpec, keys []BlockKeys, first bool) (blocks []*BlockMeta, n BlockCounts, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return nil, n, errTxnDone
	}
	cs := t.chunks[spec.Chunk]
	snap := t.listSnapLocked()
	t.viewChunkLocked(spec.Chunk, snap)
	keep := func(m *BlockMeta, skipKey int) {
		for i := range keys {
			if i != skipKey && !keys[i].MayHold(m) {
				n.KeySkipped++
				return
			}
		}
		if blockMatches(spec, m) {
			blocks = append(blocks, m)
		} else {
			n.Skipped++
		}
	}
	done := func() bool { return first && len(blocks) > 0 }
	if cs == nil || !cs.dropped {
		gen, ok := t.gens[snap]
		metas, idx, err := t.db.storedBlocks(snap, gen, ok, spec.Chunk)
		if err != nil {
			return nil, n, err
		}
		deleted := func(m *BlockMeta) bool { return cs != nil && cs.deleted[m.ID] }
		var x *keyIndex
		k := indexedKeys(keys, metas)
		if idx != nil && k >= 0 {
			x = idx.get(metas, keys[k].Col)
		}
		if first && x == nil && idx != nil && len(keys) == 0 && len(spec.Preds) == 0 {
			// Only whether some block is in the time range.
			if tx := idx.byTime(metas); tx != nil {
				switch p := tx.overlap(spec.TimeMin, spec.TimeMax); {
				case p >= 0 && !deleted(metas[p]):
					return append(blocks, metas[p]), n, nil
				case p < 0 && (cs == nil || len(cs.deleted) == 0):
					n.Skipped += len(metas) // none: all left out
					metas = nil
				}
			}
		}
		if x != nil {
			marks := x.candidates(&keys[k], metas)
			cands, gone := 0, 0
			eachBit(marks, func(p int) {
				m := metas[p]
				cands++
				if deleted(m) {
					gone++
				} else {
					keep(m, k)
				}
			})
			n.Indexed = cands
			n.KeySkipped += len(metas) - cands
			if cs != nil && len(cs.deleted) > gone {
				for _, m := range metas { // deleted blocks are not counted
					if deleted(m) {
						n.KeySkipped--
					}
				}
				n.KeySkipped += gone
			}
		} else {
			for _, m := range metas {
				if !deleted(m) {
					keep(m, -1)
					if done() {
						return blocks, n, nil
					}
				}
			}
		}
	}
	if cs == nil || done() {
		return blocks, n, nil
	}
	ids := make([]uint64, 0, len(cs.created))
	for id := range cs.created {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		keep(cs.created[id].meta, -1)
	}
	mb, err := cs.pending()
	if err != nil {
		return nil, n, fmt.Errorf("chunk %d: %w", spec.Chunk, err)
	}
	if mb != nil {
		keep(mb.meta, -1)
	}
	return blocks, n, nil
}

// indexedKeys returns which of keys the key index serves (-1: none): the
// set on the blocks' series column, else the first.
func indexedKeys(keys []BlockKeys, metas []*BlockMeta) int {
	if len(keys) == 0 || len(metas) == 0 {
		return -1
	}
	for i := range keys {
		if keys[i].Col == metas[0].SeriesCol {
			return i
		}
	}
	return 0
}

// listStored calls fn with the metadata of every stored block of chunk
// visible in r, in block id order.
func (db *DB) listStored(r reader, chunk uint64, fn func(*BlockMeta)) error {
	lower, upper := chunkMetaSpan(chunk)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return fmt.Errorf("list blocks of chunk %d: %w", chunk, err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		_, id, err := parseBlockMetaKey(it.Key())
		if err != nil {
			it.Close()
			return err
		}
		val, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return fmt.Errorf("list blocks of chunk %d: %w", chunk, err)
		}
		m, err := db.cachedMeta(chunk, id, val)
		if err != nil {
			it.Close()
			return err
		}
		fn(m)
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("list blocks of chunk %d: %w", chunk, err)
	}
	return nil
}

// ReadBlock decodes spec.Cols of one block listed by Blocks. The batch has
// blk.Rows rows (for the pending block, the rows appended so far); its
// vectors may be shared with the transaction and must not be modified.
func (t *Txn) ReadBlock(spec *ScanSpec, blk *BlockMeta) (*col.Batch, error) {
	return t.ReadBlockBuf(spec, blk, nil)
}

// ReadBuf holds the vectors one reader's stored blocks are decoded into,
// reused from call to call to spare the allocations.
type ReadBuf struct {
	vecs []*col.Vec
}

// Holds reports whether v is one of buf's vectors.
func (buf *ReadBuf) Holds(v *col.Vec) bool {
	for _, x := range buf.vecs {
		if x == v {
			return true
		}
	}
	return false
}

// ReadBlockBuf is ReadBlock decoding a stored block into buf's vectors
// (nil buf: new ones). A batch it returned is overwritten by the next call
// with the same buf.
func (t *Txn) ReadBlockBuf(spec *ScanSpec, blk *BlockMeta, buf *ReadBuf) (*col.Batch, error) {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return nil, errTxnDone
	}
	var mb *memBlock
	var err error
	cs := t.chunks[spec.Chunk]
	if blk.ID == 0 {
		if cs != nil {
			mb, err = cs.pending()
		}
		if err == nil && mb == nil {
			err = errors.New("storage: no pending rows")
		}
	} else if cs != nil {
		mb = cs.created[blk.ID]
	}
	var r reader = t.db.pdb
	if s := t.snaps[spec.Chunk]; s != nil {
		r = s
	}
	t.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("read pending rows of chunk %d: %w", spec.Chunk, err)
	}
	if mb != nil {
		rows, err := mb.batch()
		if err != nil {
			return nil, err
		}
		return project(mb.schema, rows, spec.Cols)
	}
	return readStored(r, spec.Chunk, blk, spec.Cols, buf)
}

// readStored reads and decodes cols of a stored block from r, into buf's
// vectors when buf is not nil.
func readStored(r reader, chunk uint64, blk *BlockMeta, cols []ColumnRef, buf *ReadBuf) (*col.Batch, error) {
	vecs := make([]*col.Vec, len(cols))
	if buf != nil && len(buf.vecs) != len(cols) {
		buf.vecs = make([]*col.Vec, len(cols))
	}
	for i, c := range cols {
		cm := blk.Col(c.ID)
		if cm == nil || cm.NullCount >= cm.Count {
			if buf != nil {
				// Like a decoded column, reuse the buffer's vector:
				// an all-NULL column (TSBS's additional_tags) would
				// otherwise allocate its slices for every block.
				buf.vecs[i] = refillNulls(buf.vecs[i], c.Kind, blk.Rows)
				vecs[i] = buf.vecs[i]
			} else {
				vecs[i] = nullVec(c.Kind, blk.Rows)
			}
			continue
		}
		if cm.Kind != c.Kind {
			return nil, fmt.Errorf("read column %d of block %d of chunk %d: stored as %v, read as %v",
				c.ID, blk.ID, chunk, cm.Kind, c.Kind)
		}
		val, closer, err := r.Get(colKey(chunk, blk.ID, c.ID))
		if err != nil {
			if errors.Is(err, pebble.ErrNotFound) {
				err = errors.New("column data missing")
			}
			return nil, fmt.Errorf("read column %d of block %d of chunk %d: %w", c.ID, blk.ID, chunk, err)
		}
		v := &col.Vec{Kind: c.Kind}
		if buf != nil {
			if buf.vecs[i] == nil {
				buf.vecs[i] = v
			}
			v = buf.vecs[i]
		}
		err = encoding.DecodeVec(val, c.Kind, v)
		closer.Close()
		if err == nil && v.Len() != blk.Rows {
			err = fmt.Errorf("storage: %d values for %d rows", v.Len(), blk.Rows)
		}
		if err != nil {
			return nil, fmt.Errorf("read column %d of block %d of chunk %d: %w", c.ID, blk.ID, chunk, err)
		}
		vecs[i] = v
	}
	return col.FromVecs(vecs, blk.Rows), nil
}

// RewriteBlock replaces block blk of chunk with the rows of nb (all
// columns of schema, in order); a nil or empty nb deletes the block. Later
// calls of the transaction see the replacement. The pending block (ID 0)
// replaces the transaction's appended rows.
func (t *Txn) RewriteBlock(chunk uint64, schema ChunkSchema, blk *BlockMeta, nb *col.Batch) error {
	var rows *col.Batch
	if nb != nil && nb.Len() > 0 {
		if err := checkBatch(schema, nb); err != nil {
			return fmt.Errorf("rewrite block %d of chunk %d: %w", blk.ID, chunk, err)
		}
		if err := checkTimeNotNull(schema, nb); err != nil {
			return fmt.Errorf("rewrite block %d of chunk %d: %w", blk.ID, chunk, err)
		}
		rows = copyLive(nb)
	}
	if blk.ID != 0 {
		if err := t.pinAndCheck(chunk, blk.ID); err != nil {
			return err
		}
	}
	schema = cloneSchema(schema)
	o := op{kind: opRewrite, chunkOp: &chunkOp{chunk: chunk, schema: schema, blk: blk.ID, rows: rows}}
	if blk.ID != 0 && rows != nil {
		id, err := t.db.allocBlockIDs(1)
		if err != nil {
			return err
		}
		// A compressed block's rows keep their order (segment, orderby),
		// so its replacement stays compressed; a sealed one stays sealed
		// while its rows keep the block order.
		meta, err := computeMeta(id, schema, rows, blk.Sealed && (blk.Compressed || inBlockOrder(schema, rows)))
		if err != nil {
			return fmt.Errorf("rewrite block %d of chunk %d: %w", blk.ID, chunk, err)
		}
		meta.Compressed = blk.Compressed
		o.newBlk = &memBlock{schema: schema, rows: rows, meta: meta}
		o.rows = nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return errTxnDone
	}
	t.addLocked(o)
	return nil
}

// pinAndCheck keeps merges off chunk for the rest of the transaction and
// verifies that stored block id still exists; a block a concurrent commit
// or merge removed since Blocks listed it yields ErrConflict now rather
// than at Commit.
func (t *Txn) pinAndCheck(chunk, id uint64) error {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return errTxnDone
	}
	cs := t.chunks[chunk]
	if cs != nil && (cs.created[id] != nil || cs.dropped) {
		t.mu.Unlock()
		return nil // the transaction's own block
	}
	t.pinLocked(chunk)
	t.mu.Unlock()
	ok, err := t.db.blockExists(chunk, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("rewrite block %d of chunk %d: %w", id, chunk, ErrConflict)
	}
	return nil
}

// DropChunk deletes every block of chunk (TRUNCATE: the chunk may get
// rows again).
func (t *Txn) DropChunk(chunk uint64) {
	t.add(op{kind: opDropChunk, chunkOp: &chunkOp{chunk: chunk}})
}

// RemoveChunk deletes chunk for good (drop_chunks): its id must not get
// rows again. The chunk is pinned against merges; Commit fails with
// ErrConflict when another commit stored blocks in it after this call
// (deleting them would lose acknowledged rows), and once the removal
// committed, commits appending to the chunk fail with ErrConflict.
func (t *Txn) RemoveChunk(chunk uint64) error {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return errTxnDone
	}
	t.pinLocked(chunk)
	t.mu.Unlock()
	var known []uint64
	if err := t.db.listStored(t.db.pdb, chunk, func(m *BlockMeta) { known = append(known, m.ID) }); err != nil {
		return err
	}
	t.add(op{kind: opDropChunk, chunkOp: &chunkOp{chunk: chunk, dels: known, remove: true}})
	return nil
}

// writeBlock adds block meta (rows laid out by schema) to b, using buf as
// scratch; it returns the grown scratch buffer. All-null columns get no
// key: readers produce them from the metadata.
func writeBlock(b *pebble.Batch, chunk uint64, meta *BlockMeta, schema ChunkSchema, rows *col.Batch, buf []byte) ([]byte, error) {
	buf = encodeMeta(buf[:0], meta)
	if err := b.Set(blockMetaKey(chunk, meta.ID), buf, nil); err != nil {
		return buf, fmt.Errorf("write block %d of chunk %d: %w", meta.ID, chunk, err)
	}
	for i, c := range schema.Cols {
		if meta.Cols[i].NullCount >= meta.Cols[i].Count {
			continue
		}
		v := rows.Cols[i]
		if v.Len() != rows.Rows() {
			v = v.Slice(0, rows.Rows())
		}
		if meta.Compressed {
			buf = encoding.EncodeVecCompact(buf[:0], v)
		} else {
			buf = encoding.EncodeVec(buf[:0], v)
		}
		if err := b.Set(colKey(chunk, meta.ID, c.ID), buf, nil); err != nil {
			return buf, fmt.Errorf("write column %d of block %d of chunk %d: %w", c.ID, meta.ID, chunk, err)
		}
	}
	return buf, nil
}

// deleteBlock adds the deletion of a stored block's keys to b.
func deleteBlock(b *pebble.Batch, chunk, id uint64) error {
	if err := b.Delete(blockMetaKey(chunk, id), nil); err != nil {
		return fmt.Errorf("delete block %d of chunk %d: %w", id, chunk, err)
	}
	start, end := blockColSpan(chunk, id)
	if err := b.DeleteRange(start, end, nil); err != nil {
		return fmt.Errorf("delete block %d of chunk %d: %w", id, chunk, err)
	}
	return nil
}

// blockExists reports whether block id of chunk is committed.
func (db *DB) blockExists(chunk, id uint64) (bool, error) {
	_, closer, err := db.pdb.Get(blockMetaKey(chunk, id))
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check block %d of chunk %d: %w", id, chunk, err)
	}
	closer.Close()
	return true, nil
}

// pinLocked keeps merges off chunk until the transaction ends.
func (t *Txn) pinLocked(chunk uint64) {
	if !t.pins[chunk] {
		if t.pins == nil {
			t.pins = map[uint64]bool{}
		}
		t.pins[chunk] = true
		t.db.pinChunk(chunk)
	}
}

// moveBlock adds to b the copy of stored block id of chunk from into
// chunk to (block ids are unique across chunks); the caller deletes the
// original.
func (db *DB) moveBlock(b *pebble.Batch, from, to, id uint64) error {
	val, closer, err := db.pdb.Get(blockMetaKey(from, id))
	if err != nil {
		return fmt.Errorf("move block %d of chunk %d: %w", id, from, err)
	}
	err = b.Set(blockMetaKey(to, id), val, nil)
	closer.Close()
	if err != nil {
		return fmt.Errorf("move block %d of chunk %d: %w", id, from, err)
	}
	start, end := blockColSpan(from, id)
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		return fmt.Errorf("move block %d of chunk %d: %w", id, from, err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		k := slices.Clone(it.Key())
		binary.BigEndian.PutUint64(k[1:], to)
		v, err := it.ValueAndErr()
		if err == nil {
			err = b.Set(k, v, nil)
		}
		if err != nil {
			it.Close()
			return fmt.Errorf("move block %d of chunk %d: %w", id, from, err)
		}
	}
	return it.Close()
}
