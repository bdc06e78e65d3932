package dml

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage/col"
)

// upsertHyper inserts rows b into hypertable t with ON CONFLICT oc, as
// TimescaleDB does: a row whose key in the arbiter index (any unique
// index when oc names none) is taken is skipped (DO NOTHING) or updates
// the stored row (DO UPDATE), whose block is rewritten without it and
// whose new version is appended; the other rows are inserted. A row that
// conflicts in another unique index fails with 23505; DO UPDATE of a key
// the statement itself proposes twice fails with 21000, as in
// PostgreSQL. The chunks the rows go to stay locked for rewriting until
// the transaction ends (table.Writer.HyperConflicts). The inserted and
// updated rows must hold t's CHECK constraints and foreign keys (cs).
func upsertHyper(ec *exec.Ctx, w *table.Writer, cs *constraints, t *catalog.Table, b *col.Batch, oc *plan.OnConflict, ret *returner) (int64, error) {
	conf, err := w.HyperConflicts(t, b, !oc.DoNothing)
	if err != nil {
		return 0, err
	}
	// out[r] is row r's RETURNING row: the inserted or the updated row,
	// nil when it was skipped.
	out := make([][]any, b.Rows())
	taken := make([]bool, b.Rows())
	type target struct {
		blk  table.BlockRef
		rows map[int]int // block row -> batch row + 1
	}
	var targets []*target
	byBlock := map[table.BlockRef]*target{}
	for _, c := range conf {
		taken[c.Row] = true
		if oc.Index != nil && c.Index.OID != oc.Index.OID {
			return 0, table.UniqueViolation(t, c.Index, b.Values(c.Row, nil))
		}
		if err := w.CheckBlockVisible(c.Block); err != nil {
			return 0, err
		}
		if oc.DoNothing {
			continue
		}
		tg := byBlock[c.Block]
		if !c.Block.Stored() || tg != nil && tg.rows[c.BlockRow] != 0 {
			return 0, pgerr.New(pgerr.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time").
				WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
		}
		if tg == nil {
			tg = &target{blk: c.Block, rows: map[int]int{}}
			byBlock[c.Block] = tg
			targets = append(targets, tg)
		}
		tg.rows[c.BlockRow] = c.Row + 1
	}
	// Rewrite the stored rows first, while the blocks HyperConflicts
	// listed are the chunks' current view.
	var updated [][]any
	stale := map[*catalog.Index]map[string]bool{}
	for _, tg := range targets {
		sb, qb, err := w.ReadBlockRef(t, tg.blk)
		if err != nil {
			return 0, err
		}
		var keep, hit []int
		for r := 0; r < qb.Rows(); r++ {
			br := tg.rows[r] - 1
			if br < 0 {
				keep = append(keep, r)
				continue
			}
			nrow, ok, err := conflictSet(ec, oc, qb.Values(r, nil), b.Values(br, nil))
			if err != nil {
				return 0, err
			}
			if !ok {
				keep = append(keep, r)
				continue
			}
			hit = append(hit, r)
			out[br] = nrow
			updated = append(updated, nrow)
		}
		if len(hit) == 0 {
			continue
		}
		if err := w.RewriteBlockRef(t, tg.blk, sb, keep); err != nil {
			return 0, err
		}
		hb := qb.Gather(hit)
		if err := table.LastValueRemoved(w.Txn, t, hb, stale); err != nil {
			return 0, err
		}
		w.Env.NoteHyperWrite(t, hb.Cols[t.ColByID(t.Hyper.TimeCol)], hb.Rows())
	}
	for ix, keys := range stale {
		if err := w.RecomputeLastValue(t, ix, keys); err != nil {
			return 0, err
		}
	}
	var fresh []int
	for r := range taken {
		if !taken[r] {
			fresh = append(fresh, r)
			out[r] = b.Values(r, nil)
		}
	}
	if len(fresh) > 0 {
		ins := b
		if len(fresh) < b.Rows() {
			ins = b.Gather(fresh)
		}
		if _, err := appendHyper(ec, w, cs, t, ins, nil); err != nil {
			return 0, err
		}
	}
	if len(updated) > 0 {
		ub := rowsToBatch(tableCols(t), updated)
		if err := table.CheckNotNull(t, ub); err != nil {
			return 0, err
		}
		if _, err := appendHyper(ec, w, cs, t, ub, nil); err != nil {
			return 0, err
		}
	}
	var n int64
	for _, row := range out {
		if row == nil {
			continue
		}
		if err := ret.add(ec, row); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
