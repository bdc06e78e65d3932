package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"sync"
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

// lockTable is the database's row locks.
type lockTable struct {
	mu    sync.Mutex
	keys  map[string]*rowLock
	waits map[*Txn]*rowLock // the lock each waiting transaction waits for
}

// rowLock is one locked key: its holders (usually one) and, once a
// transaction waits for it, a channel closed when a holder leaves, which
// wakes the waiters. Most locks are never waited for (a writer's own
// rows and keys), so a lock is kept small: no map, no channel.
type rowLock struct {
	key     string
	holders []lockHolder
	changed chan struct{} // nil until someone waits
	waiters int
}

// lockHolder is a transaction holding a lock in a mode.
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

// blockers returns the holders of l whose modes conflict with mode for t.
func (l *rowLock) blocks(t *Txn, mode LockMode) bool {
	for _, h := range l.holders {
		if h.t != t && conflicts(h.mode, mode) {
			return true
		}
	}
	return false
}

// LockKey locks key of key space sp in mode for the rest of the
// transaction; holding a stronger mode already is enough. acquired is
// false only under SkipLocked.
func (t *Txn) LockKey(ctx context.Context, sp Space, key []byte, mode LockMode, wait LockWait) (acquired bool, err error) {
	return t.lock(ctx, string(rowKey(sp, key)), mode, wait)
}

// LockChunk locks hypertable chunk id in mode for the rest of the
// transaction, as LockKey does a row: UPDATE and DELETE take LockUpdate
// on every chunk whose blocks they rewrite, before reading them, so two
// rewrites of one chunk take turns and the second reads the first's
// committed blocks.
func (t *Txn) LockChunk(ctx context.Context, id uint64, mode LockMode, wait LockWait) (acquired bool, err error) {
	return t.lock(ctx, chunkLockName(id), mode, wait)
}

// chunkLockName is a chunk's name in the lock table: its key prefix,
// which no row key shares.
func chunkLockName(id uint64) string {
	var b [chunkPrefixLen]byte
	b[0] = prefixChunk
	binary.BigEndian.PutUint64(b[1:], id)
	return string(b[:])
}

func (t *Txn) lock(ctx context.Context, k string, mode LockMode, wait LockWait) (acquired bool, err error) {
	lt := &t.db.rowLocks
	lt.mu.Lock()
	defer lt.mu.Unlock()
	l := lt.keys[k]
	if l == nil {
		l = &rowLock{key: k}
		lt.keys[k] = l
	}
	for l.blocks(t, mode) {
		switch wait {
		case NoWait:
			lt.dropIfFree(l)
			return false, ErrLockNotAvailable
		case SkipLocked:
			lt.dropIfFree(l)
			return false, nil
		}
		if lt.closesCycle(t, l) {
			lt.dropIfFree(l)
			return false, ErrDeadlock
		}
		lt.waits[t] = l
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
		if k != "" && k[0] == prefixChunk {
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
			lt.dropIfFree(l)
			return false, ctx.Err()
		}
	}
	switch i := l.holder(t); {
	case i < 0:
		l.holders = append(l.holders, lockHolder{t, mode})
		t.locked = append(t.locked, l)
	case l.holders[i].mode < mode:
		l.holders[i].mode = mode
	}
	return true, nil
}

// closesCycle reports whether t waiting for l would close a cycle: some
// holder of l waits, directly or through others, for a lock t holds.
// Called with lt.mu held.
func (lt *lockTable) closesCycle(t *Txn, l *rowLock) bool {
	seen := map[*Txn]bool{}
	var reaches func(l *rowLock) bool
	reaches = func(l *rowLock) bool {
		for _, h := range l.holders {
			if h.t == t {
				return true
			}
			if seen[h.t] {
				continue
			}
			seen[h.t] = true
			if next := lt.waits[h.t]; next != nil && reaches(next) {
				return true
			}
		}
		return false
	}
	for _, h := range l.holders {
		if h.t == t {
			continue
		}
		seen[h.t] = true
		if next := lt.waits[h.t]; next != nil && reaches(next) {
			return true
		}
	}
	return false
}

// dropIfFree forgets l when nobody holds or waits for it.
func (lt *lockTable) dropIfFree(l *rowLock) {
	if len(l.holders) == 0 && l.waiters == 0 {
		delete(lt.keys, l.key)
	}
}

// releaseLocks ends t's row locks and wakes their waiters.
func (t *Txn) releaseLocks() { t.releaseLocksFrom(0) }

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
		if l.changed != nil {
			close(l.changed)
			l.changed = nil
		}
		lt.dropIfFree(l)
	}
	t.locked = t.locked[:n]
}

// waitHook returns the transaction's wait hook (SetWaitHook), or nil.
func (t *Txn) waitHook() func(string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.onWait
}
