package catalog

import (
	"context"
	"errors"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage"
)

// Writers: DDL in a storage transaction, any number at once.
//
// A Writer keeps its transaction's catalog changes as a log of changes
// to a Snapshot (apply) and shows them on a private copy of the snapshot
// it started from (its base). Publish replays the log onto the snapshot
// current at that moment, so writers committing one after another keep
// each other's changes. That is sound because two writers never change
// one object: every change first locks what it changes in the storage
// lock table, held to the end of the transaction (a relation's lock, a
// name's, a role's, ...), and a writer that had to wait for such a lock
// looks again at the catalog as the other transaction left it (Refresh).
//
// Publication is ordered with the storage commit: a writer's commit holds
// the store's publication mutex from just before its batch is written
// (storage.Txn.BeforeCommit) until Publish, and the transaction's locks
// are released in between. A transaction that waited for one of those
// locks reads the catalog through Settled, which waits for that
// publication, so it never sees the lock free but the change missing.

// Locker takes an object lock for a Writer, in the statement's context
// (its lock_timeout, statement_timeout and cancellation), and returns
// PostgreSQL's errors. waited reports whether it waited for another
// transaction.
type Locker func(tag storage.LockTag, mode storage.RelLockMode) (waited bool, err error)

// Writer applies DDL to a private copy of the catalog inside a storage
// transaction. Several writers may be open at once (see above).
type Writer struct {
	s   *Store
	txn *storage.Txn
	// base is the published snapshot snap was built on; snap is base
	// with log applied.
	base *Snapshot
	snap *Snapshot
	log  []func(*Snapshot)
	// locker takes the writer's object locks (SetLocker).
	locker Locker
	// pubLocked: the commit took s.pubMu (BeforeCommit); Publish or
	// Abort releases it.
	pubLocked bool
	done      bool
	// onPublish runs after the changes became visible (notifying the job
	// scheduler).
	onPublish []func()
	// chunkHooks is set once the hooks publishing snap.chunks are in
	// place.
	chunkHooks bool
}

// BeginDDL returns a Writer for txn. The caller must end it with Publish
// (after txn committed) or Abort.
func (s *Store) BeginDDL(txn *storage.Txn) *Writer {
	base := s.cur.Load()
	w := &Writer{s: s, txn: txn, base: base, snap: base.clone()}
	txn.BeforeCommit(func() {
		s.publishing.Add(1)
		s.pubMu.Lock()
		w.pubLocked = true
	})
	return w
}

// Publishing reports whether a writer's commit is between writing its
// batch and publishing its catalog: a lock that transaction released may
// already be free while the catalog lacks its change (see Settled). One
// atomic load, for the paths that take locks on every statement.
func (s *Store) Publishing() bool { return s.publishing.Load() != 0 }

// SetLocker makes f take the writer's object locks; without one they
// wait without a bound.
func (w *Writer) SetLocker(f Locker) { w.locker = f }

// Settled returns the current catalog once no commit is between writing
// its batch and publishing its catalog changes: after a wait for a lock
// a DDL transaction held, it includes that transaction's changes.
func (s *Store) Settled() *Snapshot {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	return s.cur.Load()
}

// Snapshot returns the writer's view, including its uncommitted DDL.
func (w *Writer) Snapshot() *Snapshot { return w.snap }

// apply makes change f in the writer's view and logs it for Publish and
// Restore. f must read what it changes from the snapshot it is given,
// not from the writer's view: it is replayed onto newer snapshots.
func (w *Writer) apply(f func(*Snapshot)) {
	f(w.snap)
	w.log = append(w.log, f)
}

// replay returns a copy of base with the writer's changes applied.
func (w *Writer) replay(base *Snapshot) *Snapshot {
	c := base.clone()
	for _, f := range w.log {
		f(c)
	}
	return c
}

// Refresh rebuilds the writer's view on the current catalog (Settled),
// keeping its own changes: after taking a lock, the writer sees what the
// transaction that held it committed.
func (w *Writer) Refresh() { w.rebase(w.s.Settled()) }

// Sync rebuilds the writer's view on the published catalog when that
// moved on, keeping the writer's changes: each statement of a
// transaction that ran DDL sees what other transactions committed
// before it, as under READ COMMITTED. The engine calls it before
// binding a statement.
func (w *Writer) Sync() { w.rebase(w.s.cur.Load()) }

func (w *Writer) rebase(cur *Snapshot) {
	if cur != w.base && !w.done {
		w.base = cur
		w.snap = w.replay(cur)
	}
}

// Publish makes the writer's changes visible to everyone; call it after
// the storage transaction committed.
func (w *Writer) Publish() {
	if w.done {
		return
	}
	if !w.pubLocked {
		w.s.pubMu.Lock()
	}
	next := w.snap
	if cur := w.s.cur.Load(); cur != w.base {
		next = w.replay(cur)
	}
	staged := next.chunks
	next.chunks = nil
	w.s.cur.Store(next)
	w.s.publishChunks(staged)
	if w.pubLocked {
		w.s.publishing.Add(-1)
	}
	w.s.pubMu.Unlock()
	w.pubLocked = false
	w.done = true
	for _, f := range w.onPublish {
		f()
	}
}

// Abort discards the writer's changes.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	if w.pubLocked {
		w.pubLocked = false
		w.s.publishing.Add(-1)
		w.s.pubMu.Unlock()
	}
}

// WriterMark is a point in a writer's changes to return to (Savepoint,
// Restore); the zero mark is the writer's start.
type WriterMark int

// Savepoint marks the writer's state to return to with Restore.
func (w *Writer) Savepoint() WriterMark { return WriterMark(len(w.log)) }

// Restore drops the changes made after m.
func (w *Writer) Restore(m WriterMark) {
	if int(m) >= len(w.log) {
		return
	}
	clear(w.log[m:])
	w.log = w.log[:m]
	w.snap = w.replay(w.base)
}

// lock takes an object lock in the writer's transaction and rebuilds
// the writer's view on the catalog as the lock's last holder left it
// (Refresh): what the lock protects is looked up after it.
func (w *Writer) lock(tag storage.LockTag, mode storage.RelLockMode) (waited bool, err error) {
	if w.locker != nil {
		waited, err = w.locker(tag, mode)
	} else {
		_, waited, err = w.txn.LockObject(context.Background(), tag, mode, storage.Wait)
		if errors.Is(err, storage.ErrDeadlock) {
			err = pgerr.New(pgerr.DeadlockDetected, "deadlock detected")
		}
	}
	if err == nil {
		w.Refresh()
	}
	return waited, err
}

// lockName locks a name or object before the writer looks it up.
func (w *Writer) lockName(tag storage.LockTag, mode storage.RelLockMode) error {
	_, err := w.lock(tag, mode)
	return err
}

// lockNewName reserves relation name schema.name in database db for the
// rest of the transaction before the writer checks it is free, so two
// transactions creating it take turns and the second finds the first's
// (42P07). The schema and the database are locked in share mode against
// a concurrent DROP SCHEMA or DROP DATABASE.
func (w *Writer) lockNewName(db uint32, schema, name string) error {
	if err := w.lockInDatabase(db, schema); err != nil {
		return err
	}
	return w.lockName(relationNameTag(db, schema, name), storage.AccessExclusiveLock)
}

// lockInDatabase locks database db, and schema when not empty, in share
// mode before the writer adds an object to them, against a concurrent
// DROP DATABASE or DROP SCHEMA (which lock them exclusively).
func (w *Writer) lockInDatabase(db uint32, schema string) error {
	if err := w.lockName(storage.LockTag{Class: storage.ClassDatabase, ID: db}, storage.AccessShareLock); err != nil {
		return err
	}
	if schema == "" {
		return nil
	}
	return w.lockName(schemaTag(db, schema), storage.AccessShareLock)
}

// lockTable locks table oid's descriptor against other writers before
// a new version replaces it (ShareUpdateExclusive: readers and DML go
// on). Statements that change a table lock it before they read it (an
// ALTER TABLE takes AccessExclusive), so this does not wait; when it
// does, the caller built its new version from an old one, and the
// statement fails with 40001 rather than lose the other change.
func (w *Writer) lockTable(db, oid uint32) error {
	tag := storage.RelationTag(db, oid)
	if w.txn.HoldsObject(tag, storage.ShareUpdateExclusiveLock) {
		return nil
	}
	waited, err := w.lock(tag, storage.ShareUpdateExclusiveLock)
	if err == nil && waited {
		err = pgerr.New("40001", "could not serialize access due to concurrent update")
	}
	return err
}

// lockChunk locks chunk c whole before the writer drops, compresses or
// decompresses it: its hypertable in AccessShare mode (so DROP TABLE or
// ALTER TABLE of it waits for the chunk job, and the job for them) and
// the chunk in AccessExclusive mode, so two jobs on one chunk take
// turns and the second reads the chunk as the first left it.
func (w *Writer) lockChunk(c *Chunk) error {
	if t := w.snap.TableByOID(c.Table); t != nil {
		if err := w.lockName(storage.RelationTag(t.DB, t.OID), storage.AccessShareLock); err != nil {
			return err
		}
	}
	return w.lockName(chunkTag(c.ID), storage.AccessExclusiveLock)
}

// Lock tags of catalog objects other than relations. Names are locked
// rather than OIDs where the lock must be taken before the object exists
// or is looked up.
func databaseTag(name string) storage.LockTag {
	return storage.LockTag{Class: storage.ClassDatabase, Name: name}
}

func schemaTag(db uint32, name string) storage.LockTag {
	return storage.LockTag{DB: db, Class: storage.ClassNamespace, Name: name}
}

func relationNameTag(db uint32, schema, name string) storage.LockTag {
	return storage.LockTag{DB: db, Class: storage.ClassRelation, Name: schema + "." + name}
}

// classAuthID, classExtension, classJob and classChunk are the classes
// of role, extension, job and chunk locks (PostgreSQL's pg_authid and
// pg_extension; TimescaleDB's catalogs have no fixed OIDs).
const (
	classAuthID    uint32 = 1260
	classExtension uint32 = 3079
	classJob       uint32 = 0x7473_6a62
	classChunk     uint32 = 0x7473_6368
)

// chunkTag is chunk id's tag (its high bits in DB: chunk ids are 64-bit).
func chunkTag(id uint64) storage.LockTag {
	return storage.LockTag{DB: uint32(id >> 32), Class: classChunk, ID: uint32(id)}
}

func roleTag(name string) storage.LockTag {
	return storage.LockTag{Class: classAuthID, Name: name}
}

func extensionTag(db uint32, name string) storage.LockTag {
	return storage.LockTag{DB: db, Class: classExtension, Name: name}
}

func jobTag(id int32) storage.LockTag {
	return storage.LockTag{Class: classJob, ID: uint32(id)}
}
