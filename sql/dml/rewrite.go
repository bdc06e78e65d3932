package dml

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage/col"
)

// rewriteHyper deletes (set == nil) or updates the rows of a hypertable
// matching filter (joined with src for UPDATE ... FROM and DELETE ...
// USING) by rewriting the affected blocks; updated rows are re-appended
// so a changed time moves them to the right chunk. It locks the chunks it
// scans until the transaction ends (table.Writer.LockForRewrite).
func rewriteHyper(ec *exec.Ctx, w *table.Writer, cs *constraints, t *catalog.Table, scan *plan.HyperScan, filter plan.Expr, src *plan.DMLSource, set []plan.SetItem, ret *returner) (int64, error) {
	var n int64
	var moved []*col.Batch
	// matched are re-appended rows whose RETURNING rows were added
	// already (they read source columns the table batch lacks).
	var matched []*col.Batch
	var match rowMatch
	if src != nil {
		var err error
		if match, err = newRowMatch(ec, t, filter, src); err != nil {
			return 0, err
		}
	}
	// Lock the chunks before reading them: a concurrent UPDATE or
	// DELETE of one commits (or rolls back) first, and the blocks listed
	// below include its changes, so no change is lost.
	ids := make([]uint64, len(scan.Chunks))
	for i, c := range scan.Chunks {
		ids[i] = c.ID
	}
	if err := w.LockForRewrite(t, ids); err != nil {
		return 0, err
	}
	stale := map[*catalog.Index]map[string]bool{}
	for _, c := range scan.Chunks {
		spec := table.BlockScan(t, c.ID, scan.TimeMin, scan.TimeMax, exec.BlockPreds(scan.Preds))
		blocks, _, err := w.Txn.Blocks(spec)
		if err != nil {
			return n, err
		}
		for _, blk := range blocks {
			sb, qb, err := w.ReadBlock(t, spec, blk)
			if err != nil {
				return n, err
			}
			var keep, hit []int
			var envs [][]any // expression rows of hit (with src only)
			if match != nil {
				if hit, keep, envs, err = matchBlock(qb, match); err != nil {
					return n, err
				}
			} else if filter == nil {
				for r := 0; r < qb.Rows(); r++ {
					hit = append(hit, r)
				}
			} else {
				m, err := exec.EvalBatch(ec, filter, qb)
				if err != nil {
					return n, err
				}
				for r := 0; r < qb.Rows(); r++ {
					if !m.IsNull(r) && m.B[r] {
						hit = append(hit, r)
					} else {
						keep = append(keep, r)
					}
				}
			}
			if len(hit) == 0 {
				continue
			}
			if err := w.RewriteBlock(t, c.ID, blk, sb, keep); err != nil {
				return n, err
			}
			n += int64(len(hit))
			hb := qb
			if len(keep) > 0 {
				hb = qb.Gather(hit)
			}
			if err := table.LastValueRemoved(w.Txn, t, hb, stale); err != nil {
				return n, err
			}
			w.Env.NoteHyperWrite(t, hb.Cols[t.ColByID(t.Hyper.TimeCol)], hb.Rows())
			if set == nil {
				if ret != nil {
					row := make([]any, 0, len(t.Cols))
					for r := 0; r < hb.Rows(); r++ {
						env := hb.Values(r, row)
						if envs != nil {
							env = envs[r]
						}
						if err := ret.add(ec, env); err != nil {
							return n, err
						}
					}
				}
				continue
			}
			if envs != nil {
				b, err := updatedBatch(ec, t, envs, set, ret)
				if err != nil {
					return n, err
				}
				matched = append(matched, b)
				continue
			}
			nb := make([]*col.Vec, len(hb.Cols))
			copy(nb, hb.Cols)
			for _, it := range set {
				v, err := exec.EvalBatch(ec, it.E, hb)
				if err != nil {
					return n, err
				}
				nb[it.Col] = v
			}
			moved = append(moved, col.FromVecs(nb, hb.Rows()))
		}
	}
	for ix, keys := range stale {
		if err := w.RecomputeLastValue(t, ix, keys); err != nil {
			return n, err
		}
	}
	for k, b := range append(moved, matched...) {
		if err := table.CheckNotNull(t, b); err != nil {
			return n, err
		}
		r := ret
		if k >= len(moved) {
			r = nil
		}
		if _, err := appendHyper(ec, w, cs, t, b, r); err != nil {
			return n, err
		}
	}
	return n, nil
}

// matchBlock splits a block's rows (in SQL kinds) into those match hits,
// with their expression rows, and those it keeps.
func matchBlock(qb *col.Batch, match rowMatch) (hit, keep []int, envs [][]any, err error) {
	for r := 0; r < qb.Rows(); r++ {
		env, ok, err := match(qb.Values(r, nil))
		if err != nil {
			return nil, nil, nil, err
		}
		if ok {
			hit, envs = append(hit, r), append(envs, env)
		} else {
			keep = append(keep, r)
		}
	}
	return hit, keep, envs, nil
}

// updatedBatch applies set to matched hypertable rows (expression rows
// envs, see rowMatch), adds their RETURNING rows and returns the updated
// table rows as a batch to re-append.
func updatedBatch(ec *exec.Ctx, t *catalog.Table, envs [][]any, set []plan.SetItem, ret *returner) (*col.Batch, error) {
	rows := make([][]any, len(envs))
	for i, env := range envs {
		row, err := updatedRow(ec, env, set)
		if err != nil {
			return nil, err
		}
		if err := ret.add(ec, row); err != nil {
			return nil, err
		}
		rows[i] = row[:len(t.Cols)]
	}
	return rowsToBatch(tableCols(t), rows), nil
}

// tableCols returns t's columns as output columns (for rowsToBatch).
func tableCols(t *catalog.Table) []plan.OutCol {
	cols := make([]plan.OutCol, len(t.Cols))
	for i, c := range t.Cols {
		cols[i] = plan.OutCol{Name: c.Name, T: c.Type}
	}
	return cols
}
