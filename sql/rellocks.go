package sql

import (
	"context"
	"errors"
	"fmt"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
)

// Relation locks (PostgreSQL's table-level locks, storage.LockObject).
//
// Each top-level statement locks the relations it uses before it runs,
// held to the end of the transaction: the binder tells the statement's
// execEnv of every relation it resolves by name (plan.RelationNoter),
// and lockStatement takes AccessShare on each, RowExclusive on the
// target of INSERT, UPDATE, DELETE and COPY FROM, RowShare on the tables
// of SELECT ... FOR UPDATE/SHARE. Schema changes lock by name what they
// change: ACCESS EXCLUSIVE for ALTER TABLE, DROP, TRUNCATE and DROP
// INDEX, SHARE for CREATE INDEX (with SHARE UPDATE EXCLUSIVE, so that two
// index builds of one table take turns rewriting its descriptor), SHARE
// UPDATE EXCLUSIVE for ALTER TABLE ... SET (options); the catalog writer
// locks the names, schemas, databases, roles and jobs it creates or
// changes (catalog.Writer).
//
// A statement that had to wait binds again on the catalog the
// transaction it waited for left (catalog.Store.Settled), as PostgreSQL
// looks a name up again after a lock wait, and locks what that binding
// names. Waits are bounded by lock_timeout (55P03) and statement_timeout
// and end on cancel (57014); a wait that would close a cycle fails with
// 40P01. The locks go when the transaction ends, however the session
// ends: Close rolls the transaction back.

// NoteRelation implements plan.RelationNoter: it records t for
// lockStatement.
func (e *execEnv) NoteRelation(t *catalog.Table) {
	for _, x := range e.rels {
		if x.OID == t.OID {
			return
		}
	}
	if e.rels == nil {
		e.rels = e.relBuf[:0]
	}
	e.rels = append(e.rels, t)
}

// maxRelockRounds bounds how often a statement binds again after waiting
// for its locks before it runs with what it holds.
const maxRelockRounds = 8

// lockForRun takes statement st's relation locks (lockStatement). When
// the catalog may have changed under the binding meanwhile (a lock
// waited, or a DDL commit was publishing) and a relation it bound to
// changed, the statement is bound again by rebind (nil: it runs as
// bound) and locks what the new binding names.
func (s *session) lockForRun(ctx context.Context, env *execEnv, st plan.Statement, rebind func() (*execEnv, plan.Statement, error)) (*execEnv, plan.Statement, error) {
	for round := 0; ; round++ {
		moved, err := s.lockStatement(ctx, env, st)
		if err != nil || !moved || rebind == nil || round == maxRelockRounds || !env.staleRelations() {
			return env, st, err
		}
		if env, st, err = rebind(); err != nil {
			return env, st, err
		}
	}
}

// staleRelations reports whether a relation the statement bound to is
// no longer the catalog's version of it.
func (e *execEnv) staleRelations() bool {
	snap := e.s.catalogSnap()
	for _, t := range e.rels {
		if snap.TableByOID(t.OID) != t {
			return true
		}
	}
	return false
}

// lockStatement locks the relations of statement st (bound in env) and
// reports whether the catalog may have moved since binding (a lock
// waited, or a DDL commit was publishing); then the session's view of
// the catalog has been brought up to date.
func (s *session) lockStatement(ctx context.Context, env *execEnv, st plan.Statement) (moved bool, err error) {
	if x, ok := st.(*plan.ExplainStmt); ok && x.Analyze {
		st = x.Query
	}
	var target uint32
	mode := storage.AccessShareLock
	var rowShare []uint32
	switch x := st.(type) {
	case *plan.Insert:
		target = x.Table.OID
	case *plan.Update:
		target = x.Table.OID
	case *plan.Delete:
		target = x.Table.OID
	case *plan.Copy:
		if x.From && x.Table != nil {
			target = x.Table.OID
		}
	case *plan.Query:
		rowShare = lockedTables(x.Node, nil)
	case *plan.DeclareCursor:
		rowShare = lockedTables(x.Node, nil)
	case *plan.Truncate:
		return s.lockNames(ctx, x.Tables, storage.AccessExclusiveLock)
	case *plan.Drop:
		return s.lockDrop(ctx, x)
	case *plan.AlterTable:
		m := storage.AccessExclusiveLock
		if len(x.Cmds) > 0 && allSetOptions(x.Cmds) {
			m = storage.ShareUpdateExclusiveLock
		}
		return s.lockNames(ctx, []plan.ObjectName{x.Table}, m)
	case *plan.CreateIndex:
		w1, err := s.lockNames(ctx, []plan.ObjectName{x.Table}, storage.ShareUpdateExclusiveLock)
		if err != nil {
			return w1, err
		}
		w2, err := s.lockNames(ctx, []plan.ObjectName{x.Table}, storage.ShareLock)
		return w1 || w2, err
	}
	targetNoted := false
	for _, t := range env.rels {
		m := mode
		switch {
		case t.OID == target:
			m, targetNoted = storage.RowExclusiveLock, true
		case containsOID(rowShare, t.OID):
			m = storage.RowShareLock
		}
		w, err := s.lockRelation(ctx, t.OID, m)
		if err != nil {
			return moved, err
		}
		moved = moved || w
	}
	if target != 0 && !targetNoted {
		w, err := s.lockRelation(ctx, target, storage.RowExclusiveLock)
		if err != nil {
			return moved, err
		}
		moved = moved || w
	}
	return moved, nil
}

// allSetOptions reports whether every command of an ALTER TABLE sets
// storage options, which PostgreSQL does under SHARE UPDATE EXCLUSIVE.
func allSetOptions(cmds []plan.AlterCmd) bool {
	for _, c := range cmds {
		if c.Kind != "SET OPTIONS" {
			return false
		}
	}
	return true
}

// lockedTables appends the tables n's SELECT ... FOR UPDATE/SHARE
// clauses lock to out.
func lockedTables(n plan.Node, out []uint32) []uint32 {
	if lr, ok := n.(*plan.LockRows); ok {
		for _, t := range lr.Targets {
			out = append(out, t.Table.OID)
		}
	}
	plan.MapInputs(n, func(c plan.Node) plan.Node {
		out = lockedTables(c, out)
		return c
	})
	return out
}

func containsOID(list []uint32, oid uint32) bool {
	for _, x := range list {
		if x == oid {
			return true
		}
	}
	return false
}

// lockDrop locks what DROP TABLE / VIEW / INDEX removes: the relation,
// for an index its table, in ACCESS EXCLUSIVE mode.
func (s *session) lockDrop(ctx context.Context, x *plan.Drop) (bool, error) {
	switch x.Kind {
	case "TABLE", "VIEW", "MATERIALIZED VIEW":
		return s.lockNames(ctx, x.Names, storage.AccessExclusiveLock)
	case "INDEX":
		waited := false
		for _, on := range x.Names {
			for _, t := range s.catalogSnap().Tables(s.dbOID) {
				if t.Schema != on.Schema && on.Schema != "" || !hasIndex(t, on.Name) {
					continue
				}
				w, err := s.lockRelation(ctx, t.OID, storage.AccessExclusiveLock)
				if err != nil {
					return waited, err
				}
				waited = waited || w
			}
		}
		return waited, nil
	}
	return false, nil
}

func hasIndex(t *catalog.Table, name string) bool {
	for i := range t.Indexes {
		if t.Indexes[i].Name == name {
			return true
		}
	}
	return false
}

// lockNames locks the relations names name in mode. After a wait the
// names are looked up again: a name the other transaction gave to
// another relation (DROP and CREATE) locks that one too.
func (s *session) lockNames(ctx context.Context, names []plan.ObjectName, mode storage.RelLockMode) (bool, error) {
	env := s.newEnv(ctx, nil)
	sp := env.SearchPath()
	waited := false
	for round := 0; round < maxRelockRounds; round++ {
		again := false
		for _, on := range names {
			t := s.catalogSnap().FindTable(s.dbOID, sp, on.Schema, on.Name)
			if t == nil {
				continue
			}
			w, err := s.lockRelation(ctx, t.OID, mode)
			if err != nil {
				return waited, err
			}
			again = again || w
		}
		waited = waited || again
		if !again {
			break
		}
	}
	return waited, nil
}

// lockRelation locks relation oid of the session's database in mode
// (lockObject).
func (s *session) lockRelation(ctx context.Context, oid uint32, mode storage.RelLockMode) (bool, error) {
	return s.lockObject(ctx, storage.RelationTag(s.dbOID, oid), mode)
}

// lockObject takes an object lock for the session's transaction: a
// request that can be granted at once costs a few map operations and an
// atomic load; one that must wait runs under lock_timeout. moved reports
// that the catalog may have changed since the statement was bound (the
// lock waited, or a DDL commit that may have held it is publishing);
// then the session's catalog has been brought up to date, including what
// the lock's last holder committed.
func (s *session) lockObject(ctx context.Context, tag storage.LockTag, mode storage.RelLockMode) (moved bool, err error) {
	if _, _, err := s.txn.LockObject(context.Background(), tag, mode, storage.NoWait); err == nil {
		return s.settleCatalog(false), nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	lctx, cancel := ctx, context.CancelFunc(func() {})
	if d := s.millisSetting("lock_timeout"); d > 0 {
		lctx, cancel = context.WithTimeoutCause(ctx, d, errRelLockTimeout)
	}
	defer cancel()
	_, waited, err := s.txn.LockObject(lctx, tag, mode, storage.Wait)
	if err != nil {
		return waited, relLockError(lctx, tag, mode, err)
	}
	return s.settleCatalog(waited), nil
}

// settleCatalog brings the session's catalog up to date after taking a
// lock, waiting for a DDL commit that is publishing (catalog.Store.Settled),
// when waited or when one is; it reports whether it did.
func (s *session) settleCatalog(waited bool) bool {
	if !waited && !s.db.cat.Publishing() {
		return false
	}
	if s.ddl != nil {
		s.ddl.Refresh()
	} else {
		s.db.cat.Settled()
	}
	return true
}

// lockTables runs LOCK TABLE: each relation named is locked in the
// statement's mode for the rest of the transaction block, as PostgreSQL
// does (25P01 outside a block; 55P03 under NOWAIT when held; allowed
// in a read-only transaction).
func (s *session) lockTables(ctx context.Context, x *plan.LockTable, w ResultWriter) error {
	if !s.inBlock {
		return pgerr.New(pgerr.NoActiveSQLTransaction, "LOCK TABLE can only be used in transaction blocks")
	}
	mode := storage.RelLockMode(x.Mode)
	if mode < storage.AccessShareLock || mode > storage.AccessExclusiveLock {
		mode = storage.AccessExclusiveLock
	}
	sp := s.newEnv(ctx, nil).SearchPath()
	for _, on := range x.Tables {
		t := s.catalogSnap().FindTable(s.dbOID, sp, on.Schema, on.Name)
		if t == nil {
			return pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", on.Name)
		}
		tag := storage.RelationTag(s.dbOID, t.OID)
		if x.NoWait {
			if _, _, err := s.txn.LockObject(context.Background(), tag, mode, storage.NoWait); err != nil {
				return pgerr.New(pgerr.LockNotAvailable, "could not obtain lock on relation %q", t.Name)
			}
			continue
		}
		if _, err := s.lockObject(ctx, tag, mode); err != nil {
			return err
		}
	}
	return w.Complete("LOCK TABLE")
}

// errRelLockTimeout is the cause of a relation lock wait that ran out of
// lock_timeout.
var errRelLockTimeout = errors.New("lock timeout")

// relLockError returns PostgreSQL's error for a failed relation lock
// wait.
func relLockError(ctx context.Context, tag storage.LockTag, mode storage.RelLockMode, err error) error {
	switch {
	case errors.Is(context.Cause(ctx), errRelLockTimeout):
		return pgerr.New(pgerr.LockNotAvailable, "canceling statement due to lock timeout")
	case errors.Is(err, storage.ErrDeadlock):
		return pgerr.New(pgerr.DeadlockDetected, "deadlock detected").
			WithDetail("A transaction waiting for %s on %s waits, through others, for itself.", mode, describeTag(tag)).
			WithHint("See server log for query details.")
	case errors.Is(err, storage.ErrLockNotAvailable):
		return pgerr.New(pgerr.LockNotAvailable, "could not obtain lock on %s", describeTag(tag))
	}
	return table.LockError(nil, err)
}

// describeTag names a lock's object as PostgreSQL's deadlock messages
// do ("relation 16384 of database 5").
func describeTag(tag storage.LockTag) string {
	switch {
	case tag.Class == storage.ClassRelation && tag.Name == "":
		return fmt.Sprintf("relation %d of database %d", tag.ID, tag.DB)
	case tag.Name != "":
		return fmt.Sprintf("object %q of class %d of database %d", tag.Name, tag.Class, tag.DB)
	}
	return fmt.Sprintf("object %d of class %d of database %d", tag.ID, tag.Class, tag.DB)
}

// Locks implements pgcatalog.LockLister.
func (e *execEnv) Locks() []pgcatalog.Lock {
	in := e.s.db.store.Locks()
	snap := e.s.db.cat.Snapshot()
	out := make([]pgcatalog.Lock, len(in))
	for i, l := range in {
		out[i] = pgcatalog.Lock{Type: l.Type, Database: l.DB, Relation: l.Relation, ClassID: l.Class, ObjID: l.ID,
			VirtualTransaction: pgcatalog.VirtualTransaction(l.PID, l.VXID), PID: l.PID, Mode: l.Mode, Granted: l.Granted}
		if l.Type == "tuple" {
			// Row keys carry the table, not its database.
			if t := snap.TableByOID(l.Relation); t != nil {
				out[i].Database = t.DB
			}
		}
		if !l.WaitStart.IsZero() {
			out[i].WaitStart = l.WaitStart.UnixMicro()
		}
	}
	return out
}

// BlockingPIDs implements pgcatalog.LockLister.
func (e *execEnv) BlockingPIDs(pid int32) []int32 { return e.s.db.store.BlockingPIDs(pid) }
