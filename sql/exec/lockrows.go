package exec

import (
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage/col"
)

// lockRowsOp runs plan.LockRows: SELECT ... FOR UPDATE and its kin.
//
// For a regular table it locks each input row's key in the table's row
// space (table.Writer.LockRow), then re-reads the row's newest committed
// version by that key and re-checks the block's WHERE on it, as
// PostgreSQL's EvalPlanQual does after a wait: a row deleted meanwhile or
// no longer matching is dropped, otherwise the output row is recomputed
// from the new version. A row skipped by SKIP LOCKED is dropped too. It
// returns one row per batch, so a Limit above it stops it after the last
// row it needs: only rows the query returns (or OFFSET skips) are
// locked.
//
// For a hypertable it locks every chunk the scan reads, whole, before
// reading its input (table.Writer.LockChunks), which then starts a fresh
// view of committed data for the scan, and returns the rows as the scan
// reads them. Each wait is bounded by lock_timeout (Ctx.LockTimeout);
// the errors are package table's (55P03, 40P01, 57014).
type lockRowsOp struct {
	ctx   *Ctx
	n     *plan.LockRows
	in    Operator
	kinds []col.Kind
	mode  table.LockMode
	wait  table.LockWait
	// locker takes the locks and re-reads rows: a table.Writer over the
	// statement's transaction that writes nothing.
	locker  *table.Writer
	started bool
	cur     *col.Batch
	pos     int
}

func newLockRows(ctx *Ctx, n *plan.LockRows) (Operator, error) {
	if ctx.Txn == nil {
		return nil, bug("LockRows without a transaction")
	}
	if ctx.ReadOnly {
		return nil, pgerr.New(pgerr.ReadOnlySQLTransaction, "cannot execute SELECT %s in a read-only transaction", n.Strength)
	}
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	op := &lockRowsOp{ctx: ctx, n: n, in: in, kinds: kindsOf(n.Columns()),
		locker: &table.Writer{Txn: ctx.Txn, Ctx: ctx.Context, LockTimeout: ctx.LockTimeout}}
	switch n.Strength {
	case plan.LockForKeyShare:
		op.mode = table.LockKeyShare
	case plan.LockForShare:
		op.mode = table.LockShare
	case plan.LockForNoKeyUpdate:
		op.mode = table.LockNoKeyUpdate
	default:
		op.mode = table.LockUpdate
	}
	switch n.Wait {
	case plan.LockNoWait:
		op.wait = table.NoWait
	case plan.LockSkipLocked:
		op.wait = table.SkipLocked
	default:
		op.wait = table.Wait
	}
	return op, nil
}

func (l *lockRowsOp) Next() (*col.Batch, error) {
	if !l.started {
		l.started = true
		for i := range l.n.Targets {
			// LockChunks starts a fresh view: the scan below lists its
			// blocks on its first Next, after it.
			t := &l.n.Targets[i]
			if _, err := l.locker.LockChunks(t.Table, t.Chunks, l.mode, l.wait); err != nil {
				return nil, err
			}
			if err := l.locker.CheckChunksUnchanged(t.Chunks); err != nil {
				return nil, err
			}
		}
	}
	for {
		if l.cur == nil || l.pos >= l.cur.Len() {
			b, err := l.in.Next()
			if err != nil || b == nil {
				return nil, err
			}
			l.cur, l.pos = b, 0
			continue
		}
		r := l.cur.Row(l.pos)
		l.pos++
		row := make([]any, len(l.cur.Cols))
		for j, c := range l.cur.Cols {
			row[j] = c.Get(r)
		}
		keep, err := l.lockRow(row)
		if err != nil {
			return nil, err
		}
		if keep {
			return rowsBatch(l.kinds, [][]any{row}), nil
		}
	}
}

// lockRow locks row's keys in the regular tables of the targets and
// recomputes row from their newest versions; false drops the row
// (skipped, deleted or no longer matching).
func (l *lockRowsOp) lockRow(row []any) (bool, error) {
	for i := range l.n.Targets {
		t := &l.n.Targets[i]
		if t.KeyCol < 0 {
			continue
		}
		key, ok := row[t.KeyCol].(string)
		if !ok {
			return false, bug("LockRows: row key column holds %T", row[t.KeyCol])
		}
		acquired, err := l.locker.LockRow(t.Table, []byte(key), l.mode, l.wait)
		if err != nil || !acquired {
			return false, err
		}
		// REPEATABLE READ: a row changed after the snapshot is a
		// serialization failure; unchanged, its newest version is the
		// snapshot's.
		if err := l.locker.CheckRowUnchanged(t.Table, []byte(key)); err != nil {
			return false, err
		}
		// Re-read the newest committed version (READ COMMITTED key reads
		// see the latest committed state, not the statement's snapshot)
		// and re-check.
		full, err := l.locker.GetRow(t.Table, []byte(key))
		if err != nil || full == nil {
			return false, err
		}
		if t.Recheck != nil {
			v, err := Eval(l.ctx, t.Recheck, full)
			if err != nil {
				return false, err
			}
			if v != true {
				return false, nil
			}
		}
		for j, e := range t.Exprs {
			if e == nil {
				continue
			}
			if row[j], err = Eval(l.ctx, e, full); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

func (l *lockRowsOp) Close() error { return l.in.Close() }
