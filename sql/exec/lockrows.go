package exec

import (
	"context"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// lockRowsOp runs plan.LockRows: SELECT ... FOR UPDATE and its kin.
//
// For a regular table it locks each input row's key in the table's row
// space (storage.Txn.LockKey), then re-reads the row's newest committed
// version by that key and re-checks the block's WHERE on it, as
// PostgreSQL's EvalPlanQual does after a wait: a row deleted meanwhile or
// no longer matching is dropped, otherwise the output row is recomputed
// from the new version. A row skipped by SKIP LOCKED is dropped too. It
// returns one row per batch, so a Limit above it stops it after the last
// row it needs: only rows the query returns (or OFFSET skips) are
// locked.
//
// For a hypertable it locks every chunk the scan reads, whole, before
// reading its input (storage.Txn.LockChunk), then starts a fresh view of
// committed data for the scan, and returns the rows as the scan reads
// them. Lock errors are table.LockError's (55P03, 40P01, 57014).
type lockRowsOp struct {
	ctx     *Ctx
	n       *plan.LockRows
	in      Operator
	kinds   []col.Kind
	mode    storage.LockMode
	wait    storage.LockWait
	started bool
	cur     *col.Batch
	pos     int
	full    []any // a locked table's full row, re-read
}

func newLockRows(ctx *Ctx, n *plan.LockRows) (Operator, error) {
	if ctx.Txn == nil {
		return nil, bug("LockRows without a transaction")
	}
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	op := &lockRowsOp{ctx: ctx, n: n, in: in, kinds: kindsOf(n.Columns())}
	switch n.Strength {
	case plan.LockForKeyShare:
		op.mode = storage.LockKeyShare
	case plan.LockForShare:
		op.mode = storage.LockShare
	case plan.LockForNoKeyUpdate:
		op.mode = storage.LockNoKeyUpdate
	default:
		op.mode = storage.LockUpdate
	}
	switch n.Wait {
	case plan.LockNoWait:
		op.wait = storage.NoWait
	case plan.LockSkipLocked:
		op.wait = storage.SkipLocked
	default:
		op.wait = storage.Wait
	}
	return op, nil
}

func (l *lockRowsOp) context() context.Context {
	if l.ctx.Context != nil {
		return l.ctx.Context
	}
	return context.Background()
}

func (l *lockRowsOp) Next() (*col.Batch, error) {
	if !l.started {
		l.started = true
		locked := false
		for i := range l.n.Targets {
			t := &l.n.Targets[i]
			for _, c := range t.Chunks {
				if _, err := l.ctx.Txn.LockChunk(l.context(), c, l.mode, l.wait); err != nil {
					return nil, table.LockError(t.Table, err)
				}
				locked = true
			}
		}
		if locked {
			// As UPDATE does (table.Writer.LockForRewrite): a fresh view,
			// so the scan below, which lists its blocks on its first
			// Next, reads what the writers waited for committed.
			l.ctx.Txn.NewStatement()
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
		sp := storage.Space{Table: uint64(t.Table.OID)}
		acquired, err := l.ctx.Txn.LockKey(l.context(), sp, []byte(key), l.mode, l.wait)
		if err != nil {
			return false, table.LockError(t.Table, err)
		}
		if !acquired {
			return false, nil
		}
		// Re-read the newest committed version (key reads see the latest
		// committed state, not the statement's snapshot) and re-check.
		data, found, err := l.ctx.Txn.Get(sp, []byte(key))
		if err != nil || !found {
			return false, err
		}
		if len(l.full) != len(t.Table.Cols) {
			l.full = make([]any, len(t.Table.Cols))
		}
		if err := table.DecodeRow(t.Table, data, l.full); err != nil {
			return false, err
		}
		if t.Recheck != nil {
			v, err := Eval(l.ctx, t.Recheck, l.full)
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
			if row[j], err = Eval(l.ctx, e, l.full); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

func (l *lockRowsOp) Close() error { return l.in.Close() }
