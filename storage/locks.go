package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"sync"
	"time"
)

// Row locks: PostgreSQL's four tuple lock modes on keys of a regular
// table's key spaces, held by a transaction until it ends (Commit, after
// its batch is durable, or Rollback). A transaction that wants a key
// another holds in a conflicting mode waits, fails at once (NoWait) or
// skips the key (SkipLocked). Waits form a waits-for graph; a transaction
// whose wait would close a cycle fails with ErrDeadlock, so a deadlock is
// broken the moment it forms.
//
// The locks live in memory only: a restart ends every transaction, and
// with it every lock.

// LockMode is a row lock strength, weakest first (PostgreSQL's FOR KEY
// SHARE, FOR SHARE, FOR NO KEY UPDATE, FOR UPDATE).
type LockMode uint8

const (
	LockKeyShare LockMode = iota + 1
	LockShare
	LockNoKeyUpdate
	LockUpdate
)

// conflicts reports whether modes a and b, held by different
// transactions, conflict (PostgreSQL's tuple lock conflict table).
func conflicts(a, b LockMode) bool {
	if a > b {
		a, b = b, a
	}
	switch a {
	case LockKeyShare:
		return b == LockUpdate
	case LockShare:
		return b >= LockNoKeyUpdate
	}
	return true // NoKeyUpdate and Update conflict with both
}

// LockWait is what LockKey does when the key is held in a conflicting
// mode.
type LockWait uint8

const (
	// Wait until the holders end (or ctx ends, or a deadlock).
	Wait LockWait = iota
	// NoWait fails with ErrLockNotAvailable.
	NoWait
	// SkipLocked returns acquired = false.
	SkipLocked
)

// ErrLockNotAvailable is LockKey's error under NoWait (SQLSTATE 55P03).
var ErrLockNotAvailable = errors.New("storage: could not obtain lock on row")

// ErrDeadlock is LockKey's error when waiting would close a cycle of
// waiting transactions (SQLSTATE 40P01).
var ErrDeadlock = errors.New("storage: deadlock detected")

// lockTable is the database's row, chunk and object locks (relations,
// names; see locks_obj.go) and who waits for which.
type lockTable struct {
	mu    sync.Mutex
	keys  map[string]*rowLock
	objs  map[LockTag]*rowLock
	waits map[*Txn]waitEntry // what each waiting transaction waits for
	// owners are the session pid and a virtual transaction number of
	// each transaction that took a lock or was given an owner
	// (SetLockOwner), for pg_locks.
	owners map[*Txn]lockOwner
	vxid   uint64
	seq    uint64     // orders waiters of object locks
	free   []*rowLock // free object locks to reuse (objLock)
}

// waitEntry is one waiting transaction's request.
type waitEntry struct {
	l     *rowLock
	mode  LockMode // a row mode, or an object mode's bit (see RelLockMode)
	seq   uint64
	since time.Time
}

// lockOwner identifies a transaction in pg_locks.
type lockOwner struct {
	pid  int32
	vxid uint64
}

func newLockTable() lockTable {
	return lockTable{keys: map[string]*rowLock{}, objs: map[LockTag]*rowLock{},
		waits: map[*Txn]waitEntry{}, owners: map[*Txn]lockOwner{}}
}

// rowLock is one locked key or object: its holders (usually one) and,
// once a transaction waits for it, a channel closed when a holder or a
// waiter leaves, which wakes the waiters. Most locks are never waited
// for (a writer's own rows and keys), so a lock is kept small: no map,
// no channel.
type rowLock struct {
	key     string
	obj     *LockTag // set for object locks, whose holder modes are bit sets
	holders []lockHolder
	changed chan struct{} // nil until someone waits
	waiters int
}

// lockHolder is a transaction holding a lock in a mode (for object
// locks, the set of modes it holds, one bit each).
type lockHolder struct {
	t    *Txn
	mode LockMode
}

// holder returns t's position in l.holders, or -1.
func (l *rowLock) holder(t *Txn) int {
	for i, h := range l.holders {
		if h.t == t {
			return i
		}
	}
	return -1
}

// conflictsWith reports whether a holder's or waiter's mode m conflicts
// with mode (both row modes, or both object mode bit sets).
func (l *rowLock) conflictsWith(m, mode LockMode) bool {
	if l.obj != nil {
		return relConflictMask(mode)&m != 0
	}
	return conflicts(m, mode)
}

// LockKey locks key of key space sp in mode for the rest of the
// transaction; holding a stronger mode already is enough. acquired is
// false only under SkipLocked.
func (t *Txn) LockKey(ctx context.Context, sp Space, key []byte, mode LockMode, wait LockWait) (acquired bool, err error) {
	acquired, _, err = t.lock(ctx, string(rowKey(sp, key)), nil, mode, wait)
	return acquired, err
}

// LockChunk locks hypertable chunk id in mode for the rest of the
// transaction, as LockKey does a row: UPDATE and DELETE take LockUpdate
// on every chunk whose blocks they rewrite, before reading them, so two
// rewrites of one chunk take turns and the second reads the first's
// committed blocks.
func (t *Txn) LockChunk(ctx context.Context, id uint64, mode LockMode, wait LockWait) (acquired bool, err error) {
	acquired, _, err = t.lock(ctx, chunkLockName(id), nil, mode, wait)
	return acquired, err
}

// chunkLockName is a chunk's name in the lock table: its key prefix,
// which no row key shares.
func chunkLockName(id uint64) string {
	var b [chunkPrefixLen]byte
	b[0] = prefixChunk
	binary.BigEndian.PutUint64(b[1:], id)
	return string(b[:])
}

// lock takes row or chunk lock k, or with tag set object lock *tag (mode
// then is an object mode's bit), in mode. waited reports whether it had
// to wait for another transaction.
func (t *Txn) lock(ctx context.Context, k string, tag *LockTag, mode LockMode, wait LockWait) (acquired, waited bool, err error) {
	lt := &t.db.rowLocks
	lt.mu.Lock()
	defer lt.mu.Unlock()
	var l *rowLock
	if tag != nil {
		l = lt.objLock(*tag)
	} else if l = lt.keys[k]; l == nil {
		l = &rowLock{key: k}
		lt.keys[k] = l
	}
	w := waitEntry{l: l, mode: mode}
	for lt.blocked(t, w) {
		switch wait {
		case NoWait:
			lt.dropIfFree(l)
			return false, waited, ErrLockNotAvailable
		case SkipLocked:
			lt.dropIfFree(l)
			return false, waited, nil
		}
		if lt.closesCycle(t, w) {
			lt.dropIfFree(l)
			if waited {
				l.wake() // those queued behind t may go now
			}
			return false, waited, ErrDeadlock
		}
		if !waited {
			lt.seq++
			w.seq, w.since = lt.seq, time.Now()
			waited = true
		}
		lt.waits[t] = w
		l.waiters++
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		ch := l.changed
		lt.mu.Unlock()
		var done <-chan struct{}
		if ctx != nil {
			done = ctx.Done()
		}
		hook := t.waitHook()
		event := "tuple"
		if tag != nil || k != "" && k[0] == prefixChunk {
			event = "relation"
		}
		if hook != nil {
			hook(event, true)
		}
		select {
		case <-ch:
		case <-done:
		}
		if hook != nil {
			hook(event, false)
		}
		lt.mu.Lock()
		l.waiters--
		delete(lt.waits, t)
		if ctx != nil && ctx.Err() != nil {
			l.wake()
			lt.dropIfFree(l)
			return false, waited, ctx.Err()
		}
	}
	switch i := l.holder(t); {
	case i < 0:
		l.holders = append(l.holders, lockHolder{t, mode})
		t.locked = append(t.locked, l)
	case tag != nil:
		l.holders[i].mode |= mode
	case l.holders[i].mode < mode:
		l.holders[i].mode = mode
	}
	return true, waited, nil
}

// blocked reports whether t's request w must wait: a holder of w.l holds
// a conflicting mode or, for an object lock t holds nothing of, an
// earlier waiter asks for one (so a stream of readers cannot starve an
// ALTER TABLE waiting for them, as in PostgreSQL). Called with lt.mu
// held.
func (lt *lockTable) blocked(t *Txn, w waitEntry) bool {
	blocked := false
	lt.blockers(t, w, func(*Txn) bool { blocked = true; return false })
	return blocked
}

// blockers calls f with each transaction t's request w waits for, until
// f returns false: // the conflicting holders, for object locks also the queued-ahead
// waiters with conflicting modes. Called with lt.mu held.
func (lt *lockTable) blockers(t *Txn, w waitEntry, f func(*Txn) bool) {
	l := w.l
	queued := l.obj != nil && l.waiters > 0
	for _, h := range l.holders {
		if h.t == t {
			queued = false
			continue
		}
		if l.conflictsWith(h.mode, w.mode) && !f(h.t) {
			return
		}
	}
	if !queued {
		return
	}
	for u, e := range lt.waits {
		if e.l == l && u != t && (w.seq == 0 || e.seq < w.seq) && l.conflictsWith(e.mode, w.mode) && !f(u) {
			return
		}
	}
}

// closesCycle reports whether t waiting for w would close a cycle: some
// transaction t waits for waits, directly or through others, for t.
// Called with lt.mu held.
func (lt *lockTable) closesCycle(t *Txn, w waitEntry) bool {
	seen := map[*Txn]bool{}
	var stack []*Txn
	push := func(u *Txn) bool { stack = append(stack, u); return true }
	lt.blockers(t, w, push)
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if u == t {
			return true
		}
		if seen[u] {
			continue
		}
		seen[u] = true
		if e, ok := lt.waits[u]; ok {
			lt.blockers(u, e, push)
		}
	}
	return false
}

// wake wakes l's waiters to look again.
func (l *rowLock) wake() {
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// dropIfFree forgets l when nobody holds or waits for it.
func (lt *lockTable) dropIfFree(l *rowLock) {
	if len(l.holders) != 0 || l.waiters != 0 {
		return
	}
	if l.obj != nil {
		lt.freeObjLock(l)
		return
	}
	delete(lt.keys, l.key)
}

// releaseLocks ends t's locks, wakes their waiters and forgets t's owner.
func (t *Txn) releaseLocks() {
	t.releaseLocksFrom(0)
	lt := &t.db.rowLocks
	lt.mu.Lock()
	delete(lt.owners, t)
	lt.mu.Unlock()
}

// lockCount returns how many locks t holds.
func (t *Txn) lockCount() int {
	lt := &t.db.rowLocks
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return len(t.locked)
}

// releaseLocksFrom ends the locks t took after its first n and wakes
// their waiters.
func (t *Txn) releaseLocksFrom(n int) {
	lt := &t.db.rowLocks
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if n >= len(t.locked) {
		return
	}
	for _, l := range t.locked[n:] {
		if i := l.holder(t); i >= 0 {
			l.holders = slices.Delete(l.holders, i, i+1)
		}
		l.wake()
		lt.dropIfFree(l)
	}
	clear(t.locked[n:])
	t.locked = t.locked[:n]
}

// waitHook returns the transaction's wait hook (SetWaitHook), or nil.
func (t *Txn) waitHook() func(string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.onWait
}
