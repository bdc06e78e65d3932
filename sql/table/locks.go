package table

import (
	"context"
	"errors"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage"
)

// Row locks of SQL tables (storage's lock table, held until the
// transaction ends). A writer locks every row it changes before it
// changes it, and every unique key value it inserts before it checks
// for a duplicate, so that two writers of one row or key take turns: the
// second waits for the first to commit or roll back, then reads what it
// left. Hypertables lock whole chunks (LockChunk) before rewriting their
// blocks.

// LockMode is a row lock strength (storage's, which are PostgreSQL's).
type LockMode = storage.LockMode

// LockWait is what a lock request does when the row is held.
type LockWait = storage.LockWait

// Lock strengths and wait policies, weakest first.
const (
	LockKeyShare    = storage.LockKeyShare
	LockShare       = storage.LockShare
	LockNoKeyUpdate = storage.LockNoKeyUpdate
	LockUpdate      = storage.LockUpdate

	Wait       = storage.Wait
	NoWait     = storage.NoWait
	SkipLocked = storage.SkipLocked
)

// LockRow locks the row of t stored under key in mode; false under
// SkipLocked when another transaction holds it.
func (w *Writer) LockRow(t *catalog.Table, key []byte, mode LockMode, wait LockWait) (bool, error) {
	return w.lockKey(t, rowSpace(t), key, mode, wait)
}

// errLockTimeout is the cause of a lock wait that ran out of
// lock_timeout.
var errLockTimeout = errors.New("lock timeout")

// lockKey locks key of space sp (a row or unique key of t), bounding the
// wait by LockTimeout, and returns PostgreSQL's errors (LockError).
func (w *Writer) lockKey(t *catalog.Table, sp storage.Space, key []byte, mode LockMode, wait LockWait) (bool, error) {
	ctx, cancel := w.lockContext()
	defer cancel()
	ok, err := w.Txn.LockKey(ctx, sp, key, mode, wait)
	return ok, lockError(ctx, t, err)
}

// lockContext is the context of one lock wait: Ctx, bounded by
// LockTimeout when set.
func (w *Writer) lockContext() (context.Context, context.CancelFunc) {
	ctx := w.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if w.LockTimeout > 0 {
		return context.WithTimeoutCause(ctx, w.LockTimeout, errLockTimeout)
	}
	return ctx, func() {}
}

// lockError is LockError, with a wait that ran out of lock_timeout
// reported as PostgreSQL does (55P03).
func lockError(ctx context.Context, t *catalog.Table, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errLockTimeout) {
		return pgerr.New(pgerr.LockNotAvailable, "canceling statement due to lock timeout")
	}
	return LockError(t, err)
}

// LockForRewrite locks chunks ids of hypertable t for rewriting their
// blocks (UPDATE, DELETE), waiting for other rewrites of them to end,
// and then starts a fresh view of committed data (LockChunks), so the
// blocks the statement lists next include what those rewrites
// committed. A statement takes its chunk locks before it reads any
// chunk's blocks.
func (w *Writer) LockForRewrite(t *catalog.Table, ids []uint64) error {
	_, err := w.LockChunks(t, ids, LockUpdate, Wait)
	return err
}

// LockChunks locks chunks ids of hypertable t whole in mode, as SELECT
// ... FOR UPDATE / FOR SHARE lock the rows they read (coarser than
// PostgreSQL's rows) and UPDATE and DELETE the chunks they rewrite,
// bounding each wait by LockTimeout, and then starts a fresh view of
// committed data, so the scan that lists the chunks' blocks next reads
// what the transactions it waited for committed. false only under
// SkipLocked, with the chunks locked so far kept.
func (w *Writer) LockChunks(t *catalog.Table, ids []uint64, mode LockMode, wait LockWait) (bool, error) {
	for _, id := range ids {
		ctx, cancel := w.lockContext()
		ok, err := w.Txn.LockChunk(ctx, id, mode, wait)
		err = lockError(ctx, t, err)
		cancel()
		if err != nil || !ok {
			return false, err
		}
	}
	if len(ids) > 0 {
		w.Txn.NewStatement()
	}
	return true, nil
}

// lockUniqueKeys locks the unique key values row (to be stored under
// key) takes in t: its row key when t has a primary key, and each
// non-null unique secondary index key, in FOR NO KEY UPDATE strength
// (which conflicts with itself). Two inserts of one key value then take
// turns, and the second finds the first's row once it commits; an
// update keeping its key takes the lock it already holds.
func (w *Writer) lockUniqueKeys(t *catalog.Table, row []any, key []byte) error {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if !ix.Unique {
			continue
		}
		if ix.Primary {
			if _, err := w.LockRow(t, key, LockNoKeyUpdate, Wait); err != nil {
				return err
			}
			continue
		}
		ik, ok := IndexKey(t, ix, row)
		if !ok {
			continue
		}
		if _, err := w.lockKey(t, indexSpace(t, ix), ik, LockNoKeyUpdate, Wait); err != nil {
			return err
		}
	}
	return nil
}

// LockError turns a storage lock error on a row of t into PostgreSQL's:
// 55P03 for NOWAIT, 40P01 for a deadlock, 57014 for a canceled wait.
// Other errors (and nil) pass through.
func LockError(t *catalog.Table, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrLockNotAvailable):
		return pgerr.New(pgerr.LockNotAvailable, "could not obtain lock on row in relation %q", t.Name)
	case errors.Is(err, storage.ErrDeadlock):
		return pgerr.New(pgerr.DeadlockDetected, "deadlock detected").
			WithDetail("A transaction waiting for a row lock of relation %q waits, through others, for itself.", t.Name).
			WithHint("See server log for query details.")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
	}
	return err
}
