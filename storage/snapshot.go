package storage

// Repeatable-read transactions: one pebble snapshot for the whole
// transaction, the transaction's own key writes overlaid on it, and the
// record of which row keys commits changed after a snapshot was taken
// (ChangedSince), from which SQL reports write-write conflicts.

import (
	"bytes"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
)

// SetRepeatableRead makes the transaction read one snapshot of committed
// data, taken at its first read, for the rest of its life (on) or a new
// one per statement (off, the default: read committed). It applies to
// chunk listings and blocks and to Get and Iter of key spaces; metadata
// (GetMeta, ScanMeta) and GetLatest always read the latest committed
// state. Call it before the transaction's first read.
func (t *Txn) SetRepeatableRead(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done || (t.ov != nil) == on {
		return
	}
	t.endStmtLocked()
	t.unregisterLocked()
	if !on {
		t.ov = nil
		return
	}
	t.ov = &overlay{keys: map[string]ovEntry{}}
	for i := range t.log {
		t.ov.apply(&t.log[i])
	}
}

// ReadLatest makes Get and Iter of key spaces read the latest committed
// state plus the transaction's own writes, whatever its isolation, until
// the returned function is called; chunk listings (Blocks) then read a
// snapshot taken at the first such listing instead of the transaction's.
// Uniqueness checks must see every committed row, and so must DDL that
// copies or indexes a table's rows, as PostgreSQL's table rewrites and
// index builds do. In read committed it changes nothing.
func (t *Txn) ReadLatest() (restore func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.latest++
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.latest--; t.latest == 0 && t.latestSnap != nil && !t.done {
			t.unrefLocked(t.latestSnap)
		}
		if t.latest == 0 {
			t.latestSnap = nil
		}
	}
}

// listSnapLocked returns the snapshot Blocks lists chunks from: the
// statement's (in repeatable read the transaction's), or under
// ReadLatest in repeatable read a fresh one.
func (t *Txn) listSnapLocked() *pebble.Snapshot {
	if t.ov == nil || t.latest == 0 {
		return t.stmtSnapLocked()
	}
	if t.latestSnap == nil {
		t.latestSnap = t.newSnapshotLocked()
		t.refLocked(t.latestSnap)
	}
	return t.latestSnap
}

// InSnapshot reports whether stored block id of chunk is in a
// repeatable-read transaction's snapshot (or is its own); always true in
// read committed and before the snapshot is taken.
func (t *Txn) InSnapshot(chunk, id uint64) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return false, errTxnDone
	}
	if t.ov == nil || !t.registered || id == 0 {
		return true, nil // id 0: the transaction's pending rows
	}
	if cs := t.chunks[chunk]; cs != nil && cs.created[id] != nil {
		return true, nil
	}
	_, found, err := getCopy(t.stmt, blockMetaKey(chunk, id))
	return found, err
}

// RepeatableRead reports whether the transaction reads one snapshot
// (SetRepeatableRead).
func (t *Txn) RepeatableRead() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ov != nil
}

// ChangedSince reports whether a transaction that committed after this
// one's snapshot was taken wrote (set or deleted) key of sp. It is exact
// for writers that held key's row lock (LockKey) when the caller took
// it: those have finished committing by then. Without a snapshot yet
// (or in read committed) nothing has changed since.
func (t *Txn) ChangedSince(sp Space, key []byte) bool {
	t.mu.Lock()
	tick, ok := t.snapTick, t.registered
	t.mu.Unlock()
	if !ok {
		return false
	}
	return t.db.rr.changedAfter(rowKey(sp, key), tick)
}

// GetLatest reads one key of a key space from the latest committed state
// plus the transaction's own writes, whatever the isolation: uniqueness
// checks and index maintenance read it.
func (t *Txn) GetLatest(sp Space, key []byte) ([]byte, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return nil, false, errTxnDone
	}
	return getCopy(t.readerLocked(), rowKey(sp, key))
}

// ChunkChangedSince reports whether a commit after the transaction's
// snapshot deleted or replaced a stored block of chunk the snapshot
// holds (an UPDATE, DELETE, compression or merge of the chunk; appends
// leave the snapshot's blocks as they are). False without a snapshot.
func (t *Txn) ChunkChangedSince(chunk uint64) (bool, error) {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return false, errTxnDone
	}
	snap := t.stmt
	if t.ov == nil || snap == nil {
		t.mu.Unlock()
		return false, nil
	}
	t.refLocked(snap)
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		if !t.done {
			t.unrefLocked(snap)
		}
		t.mu.Unlock()
	}()
	var ids []uint64
	if err := t.db.listStored(snap, chunk, func(m *BlockMeta) { ids = append(ids, m.ID) }); err != nil {
		return false, err
	}
	for _, id := range ids {
		ok, err := t.db.blockExists(chunk, id)
		if err != nil || !ok {
			return !ok, err
		}
	}
	return false, nil
}

// registerLocked takes the repeatable-read snapshot: the transaction is
// entered in the conflict record before the snapshot is taken, so every
// commit the snapshot misses notes its keys (see rrState).
func (t *Txn) registerLocked() *pebble.Snapshot {
	t.snapTick = t.db.rr.register(t)
	t.registered = true
	return t.newSnapshotLocked()
}

// unregisterLocked takes the transaction out of the conflict record.
func (t *Txn) unregisterLocked() {
	if t.registered {
		t.db.rr.unregister(t)
		t.registered = false
	}
}

// rrState records, while repeatable-read transactions are open, which
// row keys each commit wrote and when (a tick of a counter that every
// recording commit advances after its batch is applied). A transaction
// registered at tick s took its snapshot after reading s, so a commit
// its snapshot misses was applied after that and records a larger tick;
// a commit it sees may (rarely, in a race) record a larger tick too,
// which only errs towards reporting a conflict. Commits skip recording
// while no repeatable-read transaction is open (one atomic load).
type rrState struct {
	open atomic.Int64
	mu   sync.Mutex
	tick uint64
	txns map[*Txn]uint64
	last map[string]uint64 // row key -> tick of the last commit writing it
	// spans are deleted key ranges (DropTable) with their ticks.
	spans     []rrSpan
	pruneSize int
}

type rrSpan struct {
	start, end []byte
	tick       uint64
}

func (r *rrState) register(t *Txn) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.txns == nil {
		r.txns = map[*Txn]uint64{}
		r.last = map[string]uint64{}
	}
	r.open.Add(1)
	r.txns[t] = r.tick
	return r.tick
}

func (r *rrState) unregister(t *Txn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.txns, t)
	if r.open.Add(-1) == 0 {
		clear(r.last)
		r.spans = nil
		r.pruneSize = 0
		return
	}
	if len(r.last) < r.pruneSize+4096 {
		return
	}
	// Forget writes every open snapshot sees.
	low := r.tick
	for _, s := range r.txns {
		low = min(low, s)
	}
	for k, tick := range r.last {
		if tick <= low {
			delete(r.last, k)
		}
	}
	r.spans = slices.DeleteFunc(r.spans, func(s rrSpan) bool { return s.tick <= low })
	r.pruneSize = len(r.last)
}

// noteCommit records the row keys of a commit's log, called after its
// batch was applied.
func (r *rrState) noteCommit(log []op) {
	if r.open.Load() == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tick++
	for i := range log {
		o := &log[i]
		switch {
		case len(o.key) == 0 || o.key[0] != prefixRow:
		case o.kind == opSet || o.kind == opDel:
			r.last[string(o.key)] = r.tick
		case o.kind == opDelRange:
			r.spans = append(r.spans, rrSpan{start: o.key, end: o.val, tick: r.tick})
		}
	}
}

func (r *rrState) changedAfter(key []byte, tick uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last[string(key)] > tick {
		return true
	}
	for _, s := range r.spans {
		if s.tick > tick && bytes.Compare(key, s.start) >= 0 && bytes.Compare(key, s.end) < 0 {
			return true
		}
	}
	return false
}

// overlay is a repeatable-read transaction's own key writes, read over
// its snapshot (pebble has no batch over a snapshot): the newest set or
// delete per key, and the ranges deleted before them.
type overlay struct {
	keys   map[string]ovEntry
	ranges spans    // deleted ranges (ticks unused)
	sorted []string // keys in order; nil when stale
}

type ovEntry struct {
	val []byte
	del bool
}

// apply adds a logged key write.
func (ov *overlay) apply(o *op) {
	switch o.kind {
	case opSet:
		ov.keys[string(o.key)] = ovEntry{val: o.val}
	case opDel:
		ov.keys[string(o.key)] = ovEntry{del: true}
	case opDelRange:
		for k := range ov.keys {
			if k >= string(o.key) && k < string(o.val) {
				delete(ov.keys, k)
			}
		}
		ov.ranges = append(ov.ranges, rrSpan{start: o.key, end: o.val})
	default:
		return
	}
	ov.sorted = nil
}

// spans are key ranges [start, end).
type spans []rrSpan

// covers reports whether one of s holds key.
func (s spans) covers(key []byte) bool {
	for _, r := range s {
		if bytes.Compare(key, r.start) >= 0 && bytes.Compare(key, r.end) < 0 {
			return true
		}
	}
	return false
}

// span returns the overlay's keys in [lower, upper), in order.
func (ov *overlay) span(lower, upper []byte) []string {
	if ov.sorted == nil {
		ov.sorted = make([]string, 0, len(ov.keys))
		for k := range ov.keys {
			ov.sorted = append(ov.sorted, k)
		}
		slices.Sort(ov.sorted)
	}
	i := sort.SearchStrings(ov.sorted, string(lower))
	j := sort.SearchStrings(ov.sorted, string(upper))
	return ov.sorted[i:j]
}

// snapGetLocked is Get in a repeatable-read transaction.
func (t *Txn) snapGetLocked(key []byte) ([]byte, bool, error) {
	if e, ok := t.ov.keys[string(key)]; ok {
		if e.del {
			return nil, false, nil
		}
		return append([]byte{}, e.val...), true, nil
	}
	if t.ov.ranges.covers(key) {
		return nil, false, nil
	}
	return t.getSnapLocked(t.stmtSnapLocked(), key)
}

// snapIterLocked is Iter in a repeatable-read transaction: the
// snapshot's keys in [lower, upper) merged with the overlay's.
func (t *Txn) snapIterLocked(lower, upper []byte, strip int, reverse bool) KVIter {
	it, err := t.stmtSnapLocked().NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return &kvIter{pebbleIter: pebbleIter{err: err}}
	}
	keys := slices.Clone(t.ov.span(lower, upper))
	m := &mergeIter{pebbleIter: pebbleIter{it: it}, strip: strip, keys: keys, vals: make([]ovEntry, len(keys))}
	for i, k := range keys {
		m.vals[i] = t.ov.keys[k]
	}
	if reverse {
		slices.Reverse(m.keys)
		slices.Reverse(m.vals)
		m.dir = -1
	} else {
		m.dir = 1
	}
	m.ranges = slices.Clone(t.ov.ranges)
	return m
}

// mergeIter merges a snapshot iterator with a transaction's own writes
// (which win on equal keys; deletions hide keys), forwards (dir 1) or
// backwards (dir -1; keys and vals are then in descending order).
type mergeIter struct {
	pebbleIter
	dir      int
	itOK     bool
	started  bool
	stepIt   bool // advance it before the next comparison
	keys     []string
	vals     []ovEntry
	pos      int
	ranges   spans
	strip    int
	key, val []byte
}

func (m *mergeIter) Next() bool {
	if m.it == nil || m.err != nil {
		return false
	}
	if !m.started {
		m.started = true
		m.itOK = first(m.it, m.dir < 0)
	} else if m.stepIt {
		m.itOK = m.step()
	}
	m.stepIt = false
	for {
		haveOv := m.pos < len(m.keys)
		if !m.itOK && !haveOv {
			return false
		}
		// c compares the snapshot's key with the overlay's in the
		// direction of travel: >= 0 takes the overlay's (it wins on
		// equal keys).
		c := 1
		if m.itOK && haveOv {
			c = m.dir * bytes.Compare(m.it.Key(), []byte(m.keys[m.pos]))
		} else if m.itOK {
			c = -1
		}
		if c >= 0 {
			e, k := m.vals[m.pos], m.keys[m.pos]
			m.pos++
			if c == 0 {
				m.itOK = m.step()
			}
			if e.del {
				continue
			}
			m.key, m.val = []byte(k), e.val
			return true
		}
		// The snapshot's key comes first.
		k := m.it.Key()
		if m.ranges.covers(k) {
			m.itOK = m.step()
			continue
		}
		m.key = k
		m.val, m.err = m.it.ValueAndErr()
		m.stepIt = true
		return m.err == nil
	}
}

// step moves the snapshot iterator one key in the direction of travel.
func (m *mergeIter) step() bool {
	if m.dir < 0 {
		return m.it.Prev()
	}
	return m.it.Next()
}

func (m *mergeIter) Key() []byte   { return m.key[m.strip:] }
func (m *mergeIter) Value() []byte { return m.val }
