package storage

// Transactions: an ordered log of operations that Savepoint/RollbackTo
// truncate, an indexed pebble batch for read-your-writes on keys, and
// per-chunk in-memory state for columnar writes, all rebuilt from the log
// on RollbackTo. Commit turns everything into one synced pebble batch.

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/tsgres/tsgres/storage/col"
)

// maxDeltaBlockRows bounds a delta block: a commit's buffered rows for a
// chunk are split into blocks of at most this many rows so no single
// encoded column grows without bound.
const maxDeltaBlockRows = 1 << 16

var errTxnDone = errors.New("storage: transaction already committed or rolled back")

// Txn buffers writes until Commit, which applies them as one atomic,
// synced pebble batch. A Txn is used by one goroutine at a time, except
// that Blocks and ReadBlock of different chunks may run in parallel.
type Txn struct {
	db *DB

	mu     sync.Mutex
	log    []op
	batch  *pebble.Batch // indexed; nil until the first key write
	chunks map[uint64]*chunkState
	snaps  map[uint64]*pebble.Snapshot // per chunk: the view its last Blocks call listed
	pins   map[uint64]bool             // chunks pinned against merges (DB.pinChunk)
	done   bool
}

type opKind uint8

const (
	opSet opKind = iota + 1
	opDel
	opDelRange
	opAppend
	opRewrite
	opDropChunk
)

// op is one logged write.
type op struct {
	kind     opKind
	key, val []byte // set: key, val; del: key; delete range: [key, val)
	chunk    uint64
	schema   ChunkSchema
	rows     *col.Batch // append: copied live rows; rewrite of pending rows: replacement
	pre      *preEncode // append: background encoding of rows' leading sealed blocks
	blk      uint64     // rewrite: the replaced block (0: the pending rows)
	newBlk   *memBlock  // rewrite of a stored block: its replacement, nil to delete
}

// memBlock is a block that exists only in the transaction.
type memBlock struct {
	schema ChunkSchema
	rows   *col.Batch
	meta   *BlockMeta
}

// pendSeg is one Append's rows.
type pendSeg struct {
	schema ChunkSchema
	rows   *col.Batch
	pre    *preEncode // nil, or encoding rows' leading sealed blocks
}

// chunkState is what the transaction did to one chunk.
type chunkState struct {
	dropped bool                 // every stored block is deleted
	pend    []pendSeg            // appended rows, written as delta blocks at commit
	pendMB  *memBlock            // pend combined; nil when stale
	created map[uint64]*memBlock // blocks written by RewriteBlock
	deleted map[uint64]bool      // stored blocks deleted (checked at commit)
}

func (t *Txn) chunk(id uint64) *chunkState {
	cs := t.chunks[id]
	if cs == nil {
		cs = &chunkState{created: map[uint64]*memBlock{}, deleted: map[uint64]bool{}}
		t.chunks[id] = cs
	}
	return cs
}

// Savepoint is a position in a transaction's writes to roll back to.
type Savepoint int

// Savepoint marks the current state of the write buffer.
func (t *Txn) Savepoint() Savepoint {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Savepoint(len(t.log))
}

// RollbackTo discards writes made after sp.
func (t *Txn) RollbackTo(sp Savepoint) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done || int(sp) < 0 || int(sp) >= len(t.log) {
		return
	}
	log := t.log[:sp]
	t.log = nil
	if t.batch != nil {
		t.batch.Close()
		t.batch = nil
	}
	t.chunks = map[uint64]*chunkState{}
	for i := range log {
		t.addLocked(log[i])
	}
}

// addLocked logs o and applies it to the read-your-writes state.
func (t *Txn) addLocked(o op) {
	t.log = append(t.log, o)
	switch o.kind {
	case opSet, opDel, opDelRange:
		if t.batch == nil {
			t.batch = t.db.pdb.NewIndexedBatch()
		}
		var err error
		switch o.kind {
		case opSet:
			err = t.batch.Set(o.key, o.val, nil)
		case opDel:
			err = t.batch.Delete(o.key, nil)
		case opDelRange:
			err = t.batch.DeleteRange(o.key, o.val, nil)
		}
		if err != nil {
			panic(fmt.Sprintf("BUG: write to indexed batch: %v", err))
		}
	case opAppend:
		cs := t.chunk(o.chunk)
		cs.pend = append(cs.pend, pendSeg{schema: o.schema, rows: o.rows, pre: o.pre})
		cs.pendMB = nil
	case opRewrite:
		cs := t.chunk(o.chunk)
		if o.blk == 0 {
			cs.pend, cs.pendMB = nil, nil
			if o.rows != nil && o.rows.Rows() > 0 {
				cs.pend = []pendSeg{{schema: o.schema, rows: o.rows}}
			}
			return
		}
		if _, ok := cs.created[o.blk]; ok {
			delete(cs.created, o.blk)
		} else if !cs.dropped {
			cs.deleted[o.blk] = true
		}
		if o.newBlk != nil {
			cs.created[o.newBlk.meta.ID] = o.newBlk
		}
	case opDropChunk:
		t.chunks[o.chunk] = &chunkState{dropped: true, created: map[uint64]*memBlock{}, deleted: map[uint64]bool{}}
	}
}

// add logs and applies o.
func (t *Txn) add(o op) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	t.addLocked(o)
}

// Rollback discards all writes.
func (t *Txn) Rollback() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.finishLocked()
}

func (t *Txn) finishLocked() {
	t.done = true
	t.log = nil
	t.chunks = nil
	if t.batch != nil {
		t.batch.Close()
		t.batch = nil
	}
	for _, s := range t.snaps {
		s.Close()
	}
	t.snaps = nil
	for c := range t.pins {
		t.db.unpinChunk(c)
	}
	t.pins = nil
}

// Commit applies all writes atomically and durably (WAL synced before it
// returns). It returns ErrConflict when a rewritten block changed meanwhile;
// then nothing is written. The transaction is finished either way.
func (t *Txn) Commit() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return errTxnDone
	}
	defer t.finishLocked()
	if len(t.log) == 0 {
		return nil
	}
	b := t.batch
	if b == nil {
		b = t.db.pdb.NewBatch()
		defer b.Close()
	}
	var (
		lock    []uint64           // chunks needing the check-and-write lock
		deltas  = map[uint64]int{} // chunk -> delta blocks written
		deleted = map[uint64][]uint64{}
		dropped []uint64
		// appended are chunks receiving new blocks
		appended []uint64
		buf      []byte
	)
	ids := make([]uint64, 0, len(t.chunks))
	for id := range t.chunks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, chunk := range ids {
		cs := t.chunks[chunk]
		if cs.dropped {
			start, end := chunkSpan(chunk)
			if err := b.DeleteRange(start, end, nil); err != nil {
				return fmt.Errorf("drop chunk %d: %w", chunk, err)
			}
			dropped = append(dropped, chunk)
		}
		if cs.dropped || len(cs.deleted) > 0 {
			lock = append(lock, chunk)
		}
		for id := range cs.deleted {
			if err := deleteBlock(b, chunk, id); err != nil {
				return err
			}
			deleted[chunk] = append(deleted[chunk], id)
		}
		for _, mb := range cs.created {
			var err error
			if buf, err = writeBlock(b, chunk, mb.meta, mb.schema, mb.rows, buf); err != nil {
				return err
			}
			if !mb.meta.Sealed {
				deltas[chunk]++
			}
		}
		n, err := t.writePending(b, chunk, cs, &buf)
		if err != nil {
			return err
		}
		deltas[chunk] += n
		if n > 0 || len(cs.created) > 0 {
			appended = append(appended, chunk)
		}
	}
	if len(appended) > 0 {
		t.db.retireMu.RLock()
		defer t.db.retireMu.RUnlock()
		for _, chunk := range appended {
			if t.db.isRetired(chunk) {
				return fmt.Errorf("chunk %d was merged into another chunk: %w", chunk, ErrConflict)
			}
		}
	}
	for _, chunk := range lock {
		mu := t.db.chunkLock(chunk)
		mu.Lock()
		defer mu.Unlock()
	}
	for chunk, ids := range deleted {
		for _, id := range ids {
			ok, err := t.db.blockExists(chunk, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("block %d of chunk %d: %w", id, chunk, ErrConflict)
			}
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for chunk, ids := range deleted {
		t.db.forgetBlocks(chunk, ids)
	}
	for _, chunk := range dropped {
		t.db.forgetBlocks(chunk, nil)
		t.db.forgetChunkDeltas(chunk)
	}
	for chunk, n := range deltas {
		if n > 0 {
			t.db.noteDeltas(chunk, n)
		}
	}
	return nil
}

// sliceBatch returns rows [from, to) of b, sharing storage.
func sliceBatch(b *col.Batch, from, to int) *col.Batch {
	if from == 0 && to == b.Rows() {
		return b
	}
	vecs := make([]*col.Vec, len(b.Cols))
	for i, v := range b.Cols {
		vecs[i] = v.Slice(from, to)
	}
	return col.FromVecs(vecs, to-from)
}

// pending returns the chunk's appended rows combined into one block laid
// out by the latest Append's schema (ID 0), or nil when there are none.
func (cs *chunkState) pending() (*memBlock, error) {
	if cs.pendMB != nil || len(cs.pend) == 0 {
		return cs.pendMB, nil
	}
	schema := cs.pend[len(cs.pend)-1].schema
	var rows *col.Batch
	if len(cs.pend) == 1 {
		rows = cs.pend[0].rows
	} else {
		vecs := make([]*col.Vec, len(schema.Cols))
		total := 0
		for _, s := range cs.pend {
			total += s.rows.Rows()
		}
		for i, c := range schema.Cols {
			vecs[i] = col.NewVec(c.Kind, total)
			for _, s := range cs.pend {
				j := colIndex(s.schema.Cols, c.ID)
				switch {
				case j < 0:
					appendNulls(vecs[i], s.rows.Rows())
				case s.schema.Cols[j].Kind != c.Kind:
					return nil, fmt.Errorf("storage: column %d changed kind from %v to %v within a transaction",
						c.ID, s.schema.Cols[j].Kind, c.Kind)
				default:
					appendVec(vecs[i], s.rows.Cols[j])
				}
			}
		}
		rows = col.FromVecs(vecs, total)
	}
	meta, err := computeMeta(0, schema, rows, false)
	if err != nil {
		return nil, err
	}
	cs.pendMB = &memBlock{schema: schema, rows: rows, meta: meta}
	return cs.pendMB, nil
}
