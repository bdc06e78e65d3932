package dml

import (
	"errors"
	"fmt"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage/col"
)

// Insert runs INSERT x: it runs the source plan, widens its rows to all
// of the table's columns with their defaults, and writes them (routed to
// chunks for a hypertable; row by row with ON CONFLICT for a regular
// table). The tag is "INSERT 0 n".
func Insert(h Host, x *plan.Insert, out Output) error {
	ec := h.ExecCtx()
	op, err := exec.Build(ec, h.Physical(x.Source))
	if err != nil {
		return err
	}
	defer op.Close()
	w := h.Writer()
	t := x.Table
	ret := newReturner(x.Returning, x.RetCols)
	cs := newConstraints(h, ec, w)
	var n int64
	for {
		b, err := op.Next()
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		b = b.Compact()
		if b.Rows() == 0 {
			continue
		}
		full, err := fullRows(ec, t, x.Cols, x.Defaults, b)
		if err != nil {
			return err
		}
		var k int64
		switch {
		case t.Hyper != nil && x.OnConflict != nil:
			k, err = upsertHyper(ec, w, cs, t, full, x.OnConflict, ret)
		case t.Hyper != nil:
			k, err = appendHyper(ec, w, cs, t, full, ret)
		default:
			k, err = insertRows(ec, w, cs, t, full, x.OnConflict, ret)
		}
		if err != nil {
			return err
		}
		n += k
	}
	return ret.finish(out, fmt.Sprintf("INSERT 0 %d", n))
}

// fullRows widens a batch of the statement's target columns cols to all
// table columns, filling defaults (nil: NULL), and checks NOT NULL.
func fullRows(ec *exec.Ctx, t *catalog.Table, cols []int, defaults []plan.Expr, b *col.Batch) (*col.Batch, error) {
	full := make([]*col.Vec, len(t.Cols))
	for j, ci := range cols {
		full[ci] = b.Cols[j]
	}
	for i := range t.Cols {
		if full[i] != nil {
			continue
		}
		d := defaults[i]
		v := col.NewVec(t.Cols[i].Type.Kind(), b.Rows())
		if c, ok := d.(*plan.Const); ok || d == nil {
			var val any
			if ok {
				val = c.V
			}
			for r := 0; r < b.Rows(); r++ {
				v.Append(val)
			}
		} else {
			for r := 0; r < b.Rows(); r++ {
				val, err := exec.Eval(ec, d, nil)
				if err != nil {
					return nil, err
				}
				v.Append(val)
			}
		}
		full[i] = v
	}
	fb := col.FromVecs(full, b.Rows())
	if err := table.CheckNotNull(t, fb); err != nil {
		return nil, err
	}
	return fb, nil
}

// appendHyper appends rows b to hypertable t, checking its CHECK
// constraints and foreign keys (cs), and adds their RETURNING rows.
func appendHyper(ec *exec.Ctx, w *table.Writer, cs *constraints, t *catalog.Table, b *col.Batch, ret *returner) (int64, error) {
	if err := cs.checkBatch(t, b); err != nil {
		return 0, err
	}
	if err := w.AppendHyper(t, b, false); err != nil {
		return 0, err
	}
	if err := cs.referencesBatch(t, b); err != nil {
		return 0, err
	}
	if ret != nil {
		row := make([]any, 0, len(t.Cols))
		for r := 0; r < b.Rows(); r++ {
			if err := ret.add(ec, b.Values(r, row)); err != nil {
				return 0, err
			}
		}
	}
	return int64(b.Rows()), nil
}

// insertRows inserts rows b into regular table t one at a time, with ON
// CONFLICT oc (nil: a conflict is a unique violation), and returns how
// many rows it inserted or updated. The CHECK constraints (cs) are
// checked on each row before it is stored, the foreign keys once all
// are, as PostgreSQL checks them at the end of the statement.
func insertRows(ec *exec.Ctx, w *table.Writer, cs *constraints, t *catalog.Table, b *col.Batch, oc *plan.OnConflict, ret *returner) (int64, error) {
	var n int64
	touched := map[string]bool{}
	// written are the new row versions whose foreign keys are checked at
	// the end; olds and news the rows ON CONFLICT DO UPDATE replaced.
	var written, olds, news [][]any
	for r := 0; r < b.Rows(); r++ {
		row := b.Values(r, make([]any, 0, len(t.Cols)))
		if err := cs.checkRow(t, row); err != nil {
			return n, err
		}
		key, err := w.NewRowKey(t, row)
		if err != nil {
			return n, err
		}
	retry:
		ckey, ix, err := w.Conflict(t, row, key)
		if err != nil {
			return n, err
		}
		if ix != nil {
			if oc == nil || oc.Index != nil && oc.Index.OID != ix.OID {
				return n, table.UniqueViolation(t, ix, row)
			}
			if oc.DoNothing {
				if err := w.CheckRowVisible(t, ckey); err != nil {
					return n, err
				}
				continue
			}
			if touched[string(ckey)] {
				return n, pgerr.New(pgerr.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time").
					WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
			}
			nrow, old, ok, err := conflictUpdate(ec, w, cs, t, oc, ckey, row)
			if errors.Is(err, errConflictGone) {
				goto retry
			}
			if err != nil {
				return n, err
			}
			if !ok {
				continue
			}
			nk, _ := table.RowKey(t, nrow, 0)
			touched[string(nk)] = true
			olds, news = append(olds, old), append(news, nrow)
			if err := ret.add(ec, nrow); err != nil {
				return n, err
			}
			n++
			continue
		}
		if err := w.PutRow(t, key, row); err != nil {
			return n, err
		}
		touched[string(key)] = true
		if len(t.ForeignKeys) > 0 {
			written = append(written, row)
		}
		if err := ret.add(ec, row); err != nil {
			return n, err
		}
		n++
	}
	if err := cs.references(t, written); err != nil {
		return n, err
	}
	if err := cs.updatedReferences(t, olds, news); err != nil {
		return n, err
	}
	return n, cs.parentChanged(t, olds, news)
}

// errConflictGone is conflictUpdate's error when the conflicting row was
// deleted while it waited for the row's lock: the insert tries again.
var errConflictGone = errors.New("conflicting row deleted concurrently")

// conflictUpdate runs ON CONFLICT DO UPDATE oc for proposed row, which
// conflicts with the stored row under ckey: the SET expressions and WHERE
// read the stored row followed by the proposed one (EXCLUDED). It locks
// the stored row first (FOR UPDATE, as PostgreSQL does) and reads its
// newest version; errConflictGone when it is gone. It returns the
// updated row and the row it replaced, or ok false when WHERE skips it.
// The updated row must hold t's CHECK constraints (cs).
func conflictUpdate(ec *exec.Ctx, w *table.Writer, cs *constraints, t *catalog.Table, oc *plan.OnConflict, ckey []byte, row []any) (nrow, old []any, ok bool, err error) {
	if _, err := w.LockRow(t, ckey, table.LockUpdate, table.Wait); err != nil {
		return nil, nil, false, err
	}
	if err := w.CheckRowUnchanged(t, ckey); err != nil {
		return nil, nil, false, err
	}
	old, err = w.GetRow(t, ckey)
	if err != nil {
		return nil, nil, false, err
	}
	if old == nil {
		return nil, nil, false, errConflictGone
	}
	nrow, ok, err = conflictSet(ec, oc, old, row)
	if err != nil || !ok {
		return nil, nil, false, err
	}
	if err := cs.checkRow(t, nrow); err != nil {
		return nil, nil, false, err
	}
	if err := w.ReplaceRow(t, ckey, old, nrow); err != nil {
		return nil, nil, false, err
	}
	return nrow, old, true, nil
}

// conflictSet applies ON CONFLICT DO UPDATE oc to stored row old, which
// proposed row conflicts with: the SET expressions and WHERE read old
// followed by row (EXCLUDED). It returns the updated row, or ok false
// when WHERE skips it.
func conflictSet(ec *exec.Ctx, oc *plan.OnConflict, old, row []any) (nrow []any, ok bool, err error) {
	both := append(append(make([]any, 0, 2*len(row)), old...), row...)
	if oc.Where != nil {
		ok, err := exec.Eval(ec, oc.Where, both)
		if err != nil {
			return nil, false, err
		}
		if ok != true {
			return nil, false, nil
		}
	}
	nrow = append([]any(nil), old...)
	for _, set := range oc.Set {
		v, err := exec.Eval(ec, set.E, both)
		if err != nil {
			return nil, false, err
		}
		nrow[set.Col] = v
	}
	return nrow, true, nil
}
