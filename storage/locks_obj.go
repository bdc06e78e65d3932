package storage

import (
	"context"
	"encoding/binary"
	"time"
)

// Object locks: PostgreSQL's eight table lock modes on relations and on
// other catalog objects (a database, a name in a schema), in the same
// lock table as the row locks, so waits for either form one waits-for
// graph and a deadlock across them is found. They are held to the end of
// the transaction, like row locks, and released with them.
//
// Unlike row locks, a request for an object lock that its transaction
// does not hold yet queues behind earlier waiters whose modes conflict
// with it, as PostgreSQL's lock manager does: an ACCESS EXCLUSIVE request
// waiting for readers is not starved by readers arriving after it.

// RelLockMode is a table-level lock mode, weakest first.
type RelLockMode uint8

// PostgreSQL's table lock modes.
const (
	AccessShareLock RelLockMode = iota + 1
	RowShareLock
	RowExclusiveLock
	ShareUpdateExclusiveLock
	ShareLock
	ShareRowExclusiveLock
	ExclusiveLock
	AccessExclusiveLock
)

// relLockNames are the modes as pg_locks names them.
var relLockNames = [...]string{"", "AccessShareLock", "RowShareLock", "RowExclusiveLock",
	"ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}

// String returns the mode's name in pg_locks ("AccessShareLock").
func (m RelLockMode) String() string {
	if int(m) < len(relLockNames) {
		return relLockNames[m]
	}
	return "?"
}

// bit is m's bit in a holder's mode set.
func (m RelLockMode) bit() LockMode { return 1 << (m - 1) }

// relConflicts is PostgreSQL's table lock conflict table
// (explicit-locking.html, table 13.2): the set of modes each mode
// conflicts with, as bits.
var relConflicts = func() [9]LockMode {
	rows := [9][]RelLockMode{
		AccessShareLock:          {AccessExclusiveLock},
		RowShareLock:             {ExclusiveLock, AccessExclusiveLock},
		RowExclusiveLock:         {ShareLock, ShareRowExclusiveLock, ExclusiveLock, AccessExclusiveLock},
		ShareUpdateExclusiveLock: {ShareUpdateExclusiveLock, ShareLock, ShareRowExclusiveLock, ExclusiveLock, AccessExclusiveLock},
		ShareLock:                {RowExclusiveLock, ShareUpdateExclusiveLock, ShareRowExclusiveLock, ExclusiveLock, AccessExclusiveLock},
		ShareRowExclusiveLock:    {RowExclusiveLock, ShareUpdateExclusiveLock, ShareLock, ShareRowExclusiveLock, ExclusiveLock, AccessExclusiveLock},
		ExclusiveLock:            {RowShareLock, RowExclusiveLock, ShareUpdateExclusiveLock, ShareLock, ShareRowExclusiveLock, ExclusiveLock, AccessExclusiveLock},
		AccessExclusiveLock:      {AccessShareLock, RowShareLock, RowExclusiveLock, ShareUpdateExclusiveLock, ShareLock, ShareRowExclusiveLock, ExclusiveLock, AccessExclusiveLock},
	}
	var out [9]LockMode
	for m, cs := range rows {
		for _, c := range cs {
			out[m] |= c.bit()
		}
	}
	return out
}()

// relConflictMask returns the modes conflicting with any mode in set
// (bits).
func relConflictMask(set LockMode) LockMode {
	var out LockMode
	for m := AccessShareLock; m <= AccessExclusiveLock; m++ {
		if set&m.bit() != 0 {
			out |= relConflicts[m]
		}
	}
	return out
}

// RelLocksConflict reports whether modes a and b, held by different
// transactions, conflict.
func RelLocksConflict(a, b RelLockMode) bool { return relConflicts[a]&b.bit() != 0 }

// Classes of LockTag: PostgreSQL's catalog OIDs, as pg_locks.classid
// shows them.
const (
	ClassRelation  uint32 = 1259 // pg_class: a relation, or with Name a relation name
	ClassDatabase  uint32 = 1262 // pg_database
	ClassNamespace uint32 = 2615 // pg_namespace
)

// LockTag names a lockable object: with Class ClassRelation and no Name
// the relation ID of database DB; with a Name, that name in schema ID
// (reserved while a relation of that name is created); otherwise object
// ID of Class.
type LockTag struct {
	DB    uint32
	Class uint32
	ID    uint32
	Name  string
}

// RelationTag returns the tag of relation rel of database db.
func RelationTag(db, rel uint32) LockTag { return LockTag{DB: db, Class: ClassRelation, ID: rel} }

// objLock is an object lock with its tag (rowLock.obj points at it),
// allocated together and reused through lockTable.free.
type objLock struct {
	rowLock
	tag LockTag
}

// objLock returns the lock of tag, making it when missing. Called with
// lt.mu held.
func (lt *lockTable) objLock(tag LockTag) *rowLock {
	if l := lt.objs[tag]; l != nil {
		return l
	}
	var l *rowLock
	if n := len(lt.free); n > 0 {
		l = lt.free[n-1]
		lt.free = lt.free[:n-1]
	} else {
		o := &objLock{}
		o.obj = &o.tag
		l = &o.rowLock
	}
	*l.obj = tag
	lt.objs[tag] = l
	return l
}

// maxFreeObjLocks bounds the object locks kept for reuse.
const maxFreeObjLocks = 256

// freeObjLock forgets free object lock l, keeping it for reuse. Called
// with lt.mu held.
func (lt *lockTable) freeObjLock(l *rowLock) {
	delete(lt.objs, *l.obj)
	if len(lt.free) < maxFreeObjLocks {
		l.holders = l.holders[:0]
		lt.free = append(lt.free, l)
	}
}

// LockObject locks the object tag names in mode for the rest of the
// transaction; holding it in any mode keeps it, and a transaction holds
// each mode it asked for. waited reports whether the request waited for
// another transaction: the caller then looks again at what the lock
// protects (a catalog that changed meanwhile). Errors are those of
// LockKey, plus ctx's (lock_timeout, statement_timeout, cancel).
func (t *Txn) LockObject(ctx context.Context, tag LockTag, mode RelLockMode, wait LockWait) (acquired, waited bool, err error) {
	return t.lock(ctx, "", &tag, mode.bit(), wait)
}

// HoldsObject reports whether t holds the object tag in a mode at least
// as strong as mode: one that conflicts with every mode mode conflicts
// with, so taking mode too would change nothing for others.
func (t *Txn) HoldsObject(tag LockTag, mode RelLockMode) bool {
	lt := &t.db.rowLocks
	lt.mu.Lock()
	defer lt.mu.Unlock()
	l := lt.objs[tag]
	if l == nil {
		return false
	}
	i := l.holder(t)
	if i < 0 {
		return false
	}
	need := relConflicts[mode]
	for m := AccessShareLock; m <= AccessExclusiveLock; m++ {
		if l.holders[i].mode&m.bit() != 0 && relConflicts[m]&need == need {
			return true
		}
	}
	return false
}

// SetLockOwner names the session (its pid) that owns the transaction,
// for pg_locks and pg_blocking_pids; the transaction gets a virtual
// transaction number too. The owner is forgotten when it ends.
func (t *Txn) SetLockOwner(pid int32) {
	lt := &t.db.rowLocks
	lt.mu.Lock()
	lt.vxid++
	lt.owners[t] = lockOwner{pid: pid, vxid: lt.vxid}
	lt.mu.Unlock()
}

// LockInfo is one row of pg_locks: a transaction holding or waiting for
// a lock in one mode.
type LockInfo struct {
	// Type is pg_locks.locktype: "relation", "object", "tuple" or
	// "virtualxid".
	Type string
	// DB and Relation are the database and relation OIDs (Relation 0 for
	// other objects); Class and ID name other objects (Type "object").
	DB, Relation uint32
	Class, ID    uint32
	// PID and VXID identify the transaction (SetLockOwner); PID is 0
	// for transactions without an owner.
	PID  int32
	VXID uint64
	// Mode is the lock mode's pg_locks name.
	Mode    string
	Granted bool
	// WaitStart is when a waiter began waiting (zero when granted).
	WaitStart time.Time
}

// rowModeNames are the row lock modes as pg_locks shows PostgreSQL's
// tuple locks (heapam.c's tupleLockExtraInfo).
var rowModeNames = [...]string{"", "AccessShareLock", "RowShareLock", "ExclusiveLock", "AccessExclusiveLock"}

// Locks returns the lock table as pg_locks shows it: a row per holder
// and mode, a row per waiter, and each owned transaction's lock on its
// own virtual transaction id (Type "virtualxid"), as PostgreSQL lists.
func (db *DB) Locks() []LockInfo {
	lt := &db.rowLocks
	lt.mu.Lock()
	defer lt.mu.Unlock()
	var out []LockInfo
	add := func(l *rowLock, t *Txn, mode LockMode, granted bool, since time.Time) {
		info := lt.lockInfo(l)
		o := lt.owners[t]
		info.PID, info.VXID, info.Granted, info.WaitStart = o.pid, o.vxid, granted, since
		if l.obj == nil {
			if int(mode) < len(rowModeNames) {
				info.Mode = rowModeNames[mode]
			}
			out = append(out, info)
			return
		}
		for m := AccessShareLock; m <= AccessExclusiveLock; m++ {
			if mode&m.bit() != 0 {
				info.Mode = m.String()
				out = append(out, info)
			}
		}
	}
	for _, l := range lt.objs {
		for _, h := range l.holders {
			add(l, h.t, h.mode, true, time.Time{})
		}
	}
	for _, l := range lt.keys {
		for _, h := range l.holders {
			add(l, h.t, h.mode, true, time.Time{})
		}
	}
	for t, w := range lt.waits {
		add(w.l, t, w.mode, false, w.since)
	}
	for _, o := range lt.owners {
		out = append(out, LockInfo{Type: "virtualxid", PID: o.pid, VXID: o.vxid, Mode: "ExclusiveLock", Granted: true})
	}
	return out
}

// lockInfo describes what l locks.
func (lt *lockTable) lockInfo(l *rowLock) LockInfo {
	if tag := l.obj; tag != nil {
		if tag.Class == ClassRelation && tag.Name == "" {
			return LockInfo{Type: "relation", DB: tag.DB, Relation: tag.ID}
		}
		return LockInfo{Type: "object", DB: tag.DB, Class: tag.Class, ID: tag.ID}
	}
	k := l.key
	if len(k) >= chunkPrefixLen && k[0] == prefixChunk {
		return LockInfo{Type: "object", ID: uint32(binary.BigEndian.Uint64([]byte(k[1:9])))}
	}
	var rel uint32
	if len(k) >= spacePrefixLen {
		rel = uint32(binary.BigEndian.Uint64([]byte(k[1:9])))
	}
	return LockInfo{Type: "tuple", Relation: rel}
}

// BlockingPIDs returns the owners (SetLockOwner) of the transactions
// the transaction of session pid waits for, as pg_blocking_pids does.
func (db *DB) BlockingPIDs(pid int32) []int32 {
	lt := &db.rowLocks
	lt.mu.Lock()
	defer lt.mu.Unlock()
	var out []int32
	for t, w := range lt.waits {
		if lt.owners[t].pid != pid {
			continue
		}
		lt.blockers(t, w, func(u *Txn) bool {
			if p := lt.owners[u].pid; p != 0 {
				out = append(out, p)
			}
			return true
		})
	}
	return out
}
