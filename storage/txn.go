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
	"github.com/tsgres/tsgres/storage/encoding"
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

	mu  sync.Mutex
	log []op
	// batch holds the key writes; nil until the first. It is a plain
	// batch until the transaction first reads through it (readerLocked),
	// which makes it an indexed one: a bulk load that never reads its own
	// writes does not pay for indexing them.
	batch   *pebble.Batch
	indexed bool
	chunks  map[uint64]*chunkState
	// stmt is the current statement's view of committed data (see
	// NewStatement), taken at its first read; snaps is, per chunk, the
	// view its last Blocks call listed (ReadBlock reads it); refs counts
	// the holders of each open snapshot.
	stmt  *pebble.Snapshot
	snaps map[uint64]*pebble.Snapshot
	refs  map[*pebble.Snapshot]int
	// gens are the generations of the open snapshots that have one
	// (blocklist.go), for the cached block lists.
	gens map[*pebble.Snapshot]uint64
	pins map[uint64]bool // chunks pinned against merges (DB.pinChunk)
	// beforeCommit run inside Commit once it cannot fail for a conflict,
	// just before its batch is written (see BeforeCommit).
	beforeCommit []func()
	// newerOwn maps each key the transaction wrote by PutNewer to its
	// latest value; plainRows is set once it wrote a row key otherwise
	// (Put, Delete, DropTable). Both are rebuilt from the log.
	newerOwn  map[string][]byte
	plainRows bool
	done      bool
	// locked are the row and chunk locks the transaction holds (guarded
	// by the database's lock table mutex); they are released when it ends.
	locked []*rowLock
	// onWait, when set (SetWaitHook), is told when the transaction starts
	// and stops waiting for a lock.
	onWait func(event string, waiting bool)
	// ov, in a repeatable-read transaction (SetRepeatableRead), holds its
	// key writes for reads over its one snapshot (stmt, kept across
	// statements); registered says the snapshot was taken and entered in
	// the database's conflict record at snapTick (snapshot.go).
	ov         *overlay
	registered bool
	snapTick   uint64
	latest     int // ReadLatest calls in force
	latestSnap *pebble.Snapshot
}

// SetWaitHook makes f hear when the transaction starts waiting for a
// lock (event "tuple" for a row or key, "relation" for a chunk) and when
// it stops. f runs on the waiting goroutine, without locks held.
func (t *Txn) SetWaitHook(f func(event string, waiting bool)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.onWait = f
}

type opKind uint8

const (
	opSet opKind = iota + 1
	opDel
	opDelRange
	opAppend
	opRewrite
	opDropChunk
	opReplace
)

// op is one logged write: a key write (set, delete, delete range) or,
// with its chunkOp, a columnar one. Key writes dominate bulk loads of
// regular tables, so the columnar fields sit behind a pointer and the
// log stays small.
type op struct {
	kind opKind
	// newer marks a set by PutNewer (newer.go).
	newer    bool
	key, val []byte // set: key, val; del: key; delete range: [key, val)
	*chunkOp
}

// chunkOp is the columnar part of an op (append, rewrite, replace, drop
// chunk).
type chunkOp struct {
	chunk  uint64
	schema ChunkSchema
	rows   *col.Batch // append: copied live rows; rewrite of pending rows: replacement
	pre    *preEncode // append: background encoding of rows' leading sealed blocks
	blk    uint64     // rewrite: the replaced block (0: the pending rows)
	newBlk *memBlock  // rewrite of a stored block: its replacement, nil to delete
	dels   []uint64   // replace: the stored blocks deleted
	adds   []*memBlock
	into   uint64 // replace: the chunk this one is retired into (0: none)
	remove bool   // drop chunk: for good (RemoveChunk); dels are its known blocks
}

// memBlock is a block that exists only in the transaction: its rows, or
// when enc is set (a staged compression's output) its encoded form.
type memBlock struct {
	schema ChunkSchema
	rows   *col.Batch
	meta   *BlockMeta
	enc    *encodedBlock
}

// batch returns mb's rows, decoding an encoded block.
func (mb *memBlock) batch() (*col.Batch, error) {
	if mb.enc == nil {
		return mb.rows, nil
	}
	vecs := make([]*col.Vec, len(mb.schema.Cols))
	for i, c := range mb.schema.Cols {
		cm := mb.meta.Cols[i]
		if cm.NullCount >= cm.Count {
			vecs[i] = nullVec(c.Kind, mb.meta.Rows)
			continue
		}
		vecs[i] = &col.Vec{Kind: c.Kind}
		if err := encoding.DecodeVec(mb.enc.cols[i], c.Kind, vecs[i]); err != nil {
			return nil, fmt.Errorf("decode staged block %d: %w", mb.meta.ID, err)
		}
	}
	return col.FromVecs(vecs, mb.meta.Rows), nil
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
	// into, when not 0, is the chunk this one is retired into
	// (Txn.CompressChunkInto): at commit its rows go there and it is
	// deleted whole.
	into uint64
	// removed, for a chunk dropped for good (RemoveChunk), are the blocks
	// it held then; others found at commit are a conflict.
	removed map[uint64]bool
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
type Savepoint struct {
	log   int // writes logged before it
	locks int // locks taken before it
}

// Savepoint marks the current state of the write buffer and the locks.
func (t *Txn) Savepoint() Savepoint {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Savepoint{log: len(t.log), locks: t.lockCount()}
}

// RollbackTo discards writes made after sp and releases the locks first
// taken after it (as PostgreSQL releases a rolled-back subtransaction's
// row locks; a lock taken before sp and strengthened after it keeps the
// stronger mode).
func (t *Txn) RollbackTo(sp Savepoint) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	t.releaseLocksFrom(sp.locks)
	if sp.log < 0 || sp.log >= len(t.log) {
		return
	}
	log := t.log[:sp.log]
	t.log = nil
	if t.batch != nil {
		t.batch.Close()
		t.batch = nil
	}
	t.chunks = map[uint64]*chunkState{}
	t.newerOwn, t.plainRows = nil, false
	if t.ov != nil {
		t.ov = &overlay{keys: map[string]ovEntry{}}
	}
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
			t.batch, t.indexed = t.db.pdb.NewBatch(), false
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
		t.noteKeyWrite(&o)
		if t.ov != nil {
			t.ov.apply(&o)
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
	case opReplace:
		cs := t.chunk(o.chunk)
		for _, id := range o.dels {
			if _, ok := cs.created[id]; ok {
				delete(cs.created, id)
			} else {
				cs.deleted[id] = true
			}
		}
		for _, mb := range o.adds {
			cs.created[mb.meta.ID] = mb
		}
		if o.into != 0 {
			cs.into = o.into
		}
	case opDropChunk:
		cs := &chunkState{dropped: true, created: map[uint64]*memBlock{}, deleted: map[uint64]bool{}}
		if o.remove {
			cs.removed = map[uint64]bool{}
			for _, id := range o.dels {
				cs.removed[id] = true
			}
		}
		t.chunks[o.chunk] = cs
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

// NewStatement starts a new statement's view of committed data: the
// next read takes a new snapshot, which every chunk the statement lists
// shares, so a statement sees each commit in all chunks or in none (rows
// a roll-up moved from one chunk to another are seen exactly once).
// Chunks listed earlier keep their snapshots for ReadBlock. A
// repeatable-read transaction keeps its one snapshot.
func (t *Txn) NewStatement() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ov != nil {
		return
	}
	t.endStmtLocked()
}

// endStmtLocked lets go of the statement's snapshot (closed once no
// chunk's listing holds it).
func (t *Txn) endStmtLocked() {
	if t.stmt != nil {
		t.unrefLocked(t.stmt)
		t.stmt = nil
	}
}

// FixView takes the current statement's snapshot now if it has none. A
// reader fixes its view before it lists the chunks it will read: a commit
// that moves rows between chunks changes the chunk list before its data
// becomes visible, so a list taken after the view covers it.
func (t *Txn) FixView() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.done {
		t.stmtSnapLocked()
	}
}

// stmtSnapLocked returns the statement's snapshot, taking it if needed.
func (t *Txn) stmtSnapLocked() *pebble.Snapshot {
	if t.stmt == nil {
		if t.ov != nil {
			t.stmt = t.registerLocked()
		} else {
			t.stmt = t.newSnapshotLocked()
		}
		t.refLocked(t.stmt)
	}
	return t.stmt
}

// viewChunkLocked makes s the snapshot chunk's blocks are read from.
func (t *Txn) viewChunkLocked(chunk uint64, s *pebble.Snapshot) {
	if t.snaps == nil {
		t.snaps = map[uint64]*pebble.Snapshot{}
	}
	if old := t.snaps[chunk]; old != s {
		t.refLocked(s)
		if old != nil {
			t.unrefLocked(old)
		}
		t.snaps[chunk] = s
	}
}

// newSnapshotLocked takes a snapshot, noting its generation in t.gens
// when it has one (blocklist.go).
func (t *Txn) newSnapshotLocked() *pebble.Snapshot {
	s, gen, ok := t.db.newSnapshot()
	if ok {
		if t.gens == nil {
			t.gens = map[*pebble.Snapshot]uint64{}
		}
		t.gens[s] = gen
	}
	return s
}

func (t *Txn) refLocked(s *pebble.Snapshot) {
	if t.refs == nil {
		t.refs = map[*pebble.Snapshot]int{}
	}
	t.refs[s]++
}

func (t *Txn) unrefLocked(s *pebble.Snapshot) {
	if t.refs[s]--; t.refs[s] <= 0 {
		delete(t.refs, s)
		delete(t.gens, s)
		s.Close()
	}
}

// BeforeCommit registers f to run inside Commit once the commit can no
// longer fail for a conflict, just before its batch is written, while
// commits appending to the chunks it retires wait: the catalog widens a
// chunk's range there before rows moved into it become visible.
func (t *Txn) BeforeCommit(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.beforeCommit = append(t.beforeCommit, f)
}

// Rollback discards all writes.
func (t *Txn) Rollback() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.finishLocked()
}

func (t *Txn) finishLocked() {
	if !t.done {
		t.db.txnMu.Lock()
		delete(t.db.open, t)
		t.db.txnMu.Unlock()
	}
	t.done = true
	t.releaseLocks()
	t.unregisterLocked()
	t.ov = nil
	t.log = nil
	t.chunks = nil
	if t.batch != nil {
		t.batch.Close()
		t.batch = nil
	}
	for s := range t.refs {
		s.Close()
	}
	t.stmt, t.snaps, t.refs, t.gens, t.latestSnap = nil, nil, nil, nil, nil
	t.beforeCommit, t.newerOwn = nil, nil
	for c := range t.pins {
		t.db.unpinChunk(c)
	}
	t.pins = nil
}

// Commit applies all writes atomically and durably (WAL synced before it
// returns). It returns ErrConflict when a rewritten block changed meanwhile
// or a chunk it appends to was dropped; then nothing is written. Rows for
// a chunk rolled up into another meanwhile go to that chunk. The
// transaction is finished either way.
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
	ids := make([]uint64, 0, len(t.chunks))
	for id := range t.chunks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	w := commitWrites{deltas: map[uint64]int{}, deleted: map[uint64][]uint64{}}
	for _, chunk := range ids {
		if err := t.writeChunk(b, chunk, t.chunks[chunk], &w); err != nil {
			return err
		}
	}
	// Lock order: retireMu, then chunk locks in id order. A chunk the
	// batch appends to that was retired after writeChunk looked (a rare
	// race) is a conflict.
	switch {
	case len(w.retired) > 0 || len(w.removed) > 0:
		t.db.retireMu.Lock()
		defer t.db.retireMu.Unlock()
	case len(w.appended) > 0:
		t.db.retireMu.RLock()
		defer t.db.retireMu.RUnlock()
	}
	for _, chunk := range w.appended {
		if live, _ := t.db.liveChunk(chunk); live != chunk {
			return fmt.Errorf("chunk %d was dropped or merged into another chunk: %w", chunk, ErrConflict)
		}
	}
	for _, chunk := range w.lock {
		mu := t.db.chunkLock(chunk)
		mu.Lock()
		defer mu.Unlock()
	}
	for chunk, ids := range w.deleted {
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
	for _, chunk := range w.retired {
		if err := t.retireChunk(b, chunk, &w); err != nil {
			return err
		}
	}
	for _, chunk := range w.removed {
		if err := t.checkRemoved(chunk); err != nil {
			return err
		}
	}
	for _, f := range t.beforeCommit {
		f()
	}
	var settled *newerSettle
	if t.hasNewer() {
		t.db.newerMu.Lock()
		defer t.db.newerMu.Unlock()
		var err error
		if settled, err = t.settleNewer(b); err != nil {
			return err
		}
	}
	if t.plainRows {
		t.db.newer.beginPlain()
		defer t.db.newer.endPlain(t.log)
	}
	if err := t.db.lists.commit(func() error { return b.Commit(pebble.Sync) }); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	t.db.newer.settled(settled)
	t.db.rr.noteCommit(t.log)
	for chunk, ids := range w.deleted {
		t.db.forgetBlocks(chunk, ids)
	}
	for _, chunk := range w.dropped {
		t.db.forgetBlocks(chunk, nil)
		t.db.forgetChunkDeltas(chunk)
	}
	if len(w.retired) > 0 {
		t.db.txnMu.Lock()
		t.db.epoch++
		t.db.txnMu.Unlock()
	}
	for _, chunk := range append(w.retired, w.removed...) {
		t.db.forgetBlocks(chunk, nil)
		t.db.forgetChunkDeltas(chunk)
		t.db.locksMu.Lock()
		t.db.retired[chunk] = t.chunks[chunk].into
		t.db.locksMu.Unlock()
	}
	for chunk, n := range w.deltas {
		t.db.noteDeltas(chunk, n)
	}
	return nil
}

// commitWrites is what Commit's batch does, chunk by chunk.
type commitWrites struct {
	lock     []uint64            // chunks needing the check-and-write lock
	deltas   map[uint64]int      // chunk -> delta blocks written
	deleted  map[uint64][]uint64 // chunk -> stored blocks deleted
	dropped  []uint64
	retired  []uint64 // chunks whose rows move to another (chunkState.into)
	removed  []uint64 // chunks dropped for good (chunkState.removed)
	appended []uint64 // chunks receiving new blocks
	buf      []byte
}

// writeChunk adds what the transaction did to chunk to b. New rows of a
// chunk being retired, or retired by an earlier commit, go to the chunk
// it was retired into; new rows for a chunk dropped for good meanwhile
// are a conflict.
func (t *Txn) writeChunk(b *pebble.Batch, chunk uint64, cs *chunkState, w *commitWrites) error {
	if cs.dropped {
		start, end := chunkSpan(chunk)
		if err := b.DeleteRange(start, end, nil); err != nil {
			return fmt.Errorf("drop chunk %d: %w", chunk, err)
		}
		w.dropped = append(w.dropped, chunk)
	}
	if cs.dropped || len(cs.deleted) > 0 || cs.into != 0 {
		w.lock = append(w.lock, chunk)
	}
	if cs.into != 0 {
		w.retired = append(w.retired, chunk)
	}
	if cs.removed != nil {
		if len(cs.created) > 0 || len(cs.pend) > 0 {
			return fmt.Errorf("storage: rows written to chunk %d after it was dropped", chunk)
		}
		w.removed = append(w.removed, chunk)
	}
	for id := range cs.deleted {
		if err := deleteBlock(b, chunk, id); err != nil {
			return err
		}
		w.deleted[chunk] = append(w.deleted[chunk], id)
	}
	target := chunk
	if cs.into != 0 {
		target = cs.into
	}
	if len(cs.created) > 0 || len(cs.pend) > 0 {
		var ok bool
		if target, ok = t.db.liveChunk(target); !ok {
			return fmt.Errorf("chunk %d was dropped: %w", chunk, ErrConflict)
		}
	}
	for _, mb := range cs.created {
		var err error
		if mb.enc != nil {
			_, err = putBlock(b, target, mb.schema, mb.enc, &w.buf)
		} else {
			w.buf, err = writeBlock(b, target, mb.meta, mb.schema, mb.rows, w.buf)
		}
		if err != nil {
			return err
		}
		if !mb.meta.Sealed {
			w.deltas[target]++
		}
	}
	n, err := t.writePending(b, target, cs, &w.buf)
	if err != nil {
		return err
	}
	if len(cs.created) > 0 || len(cs.pend) > 0 {
		w.deltas[target] += n // noted even when 0: the chunk got blocks
	}
	if n > 0 || len(cs.created) > 0 {
		w.appended = append(w.appended, target)
	}
	return nil
}

// checkRemoved fails with ErrConflict when a chunk being dropped for good
// holds blocks another commit stored after the drop (under its lock).
func (t *Txn) checkRemoved(chunk uint64) error {
	known := t.chunks[chunk].removed
	late := false
	err := t.db.listStored(t.db.pdb, chunk, func(m *BlockMeta) { late = late || !known[m.ID] })
	if err == nil && late {
		err = fmt.Errorf("chunk %d got rows while being dropped: %w", chunk, ErrConflict)
	}
	return err
}

// retireChunk deletes chunk, which the transaction retires into another,
// whole. Under the chunk's lock: blocks other commits stored there since
// the transaction read it move (keys rewritten, values as they are) to
// the chunk it is retired into, so no committed row is lost.
func (t *Txn) retireChunk(b *pebble.Batch, chunk uint64, w *commitWrites) error {
	cs := t.chunks[chunk]
	var late []*BlockMeta
	err := t.db.listStored(t.db.pdb, chunk, func(m *BlockMeta) {
		if !cs.deleted[m.ID] {
			late = append(late, m)
		}
	})
	if err != nil {
		return err
	}
	for _, m := range late {
		if err := t.db.moveBlock(b, chunk, cs.into, m.ID); err != nil {
			return err
		}
		if !m.Sealed {
			w.deltas[cs.into]++
		}
	}
	start, end := chunkSpan(chunk)
	if err := b.DeleteRange(start, end, nil); err != nil {
		return fmt.Errorf("retire chunk %d: %w", chunk, err)
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
