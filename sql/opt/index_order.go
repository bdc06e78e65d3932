package opt

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
)

// indexOrder: ORDER BY key columns of a stored index [DESC] ... LIMIT n
// over a regular table's scan (through projections and a filter) reads
// the table in the index's order, forwards or backwards, and the sort
// goes: the limit stops the scan after n rows (also with a locking
// clause, planned between the limit and the sort). Sort keys pinned by an
// equality in the filter may be skipped ("WHERE a = 1 ORDER BY b" on an
// index (a, b)); the other keys must follow the index's key columns in
// order, all in its direction or all in the reverse one, NULLs where the
// index keeps them (which only matters for a column that may hold
// NULLs). Among the indexes that give the order, the one answering the
// most of the filter's conjuncts wins; its range is recorded on the scan
// and index_scan takes those conjuncts out of the filter.
func indexOrder(n plan.Node) {
	l, ok := n.(*plan.Limit)
	if !ok || l.Count == nil {
		return
	}
	// A locking clause sits between the limit and the sort.
	lr, locked := l.Input.(*plan.LockRows)
	below := l.Input
	if locked {
		below = lr.Input
	}
	srt, ok := below.(*plan.Sort)
	if !ok || len(srt.Keys) == 0 {
		return
	}
	s, best, _, _ := orderedRange(srt)
	if best == nil {
		return
	}
	s.Range = best
	if locked {
		lr.Input = srt.Input
	} else {
		l.Input = srt.Input
	}
}

// keysNotNull reports whether key columns from..end of ix are NOT NULL.
func keysNotNull(t *catalog.Table, ix *catalog.Index, from int) bool {
	for _, id := range ix.Cols[from:] {
		if !t.Cols[t.ColByID(id)].NotNull {
			return false
		}
	}
	return true
}

// orderDirection reports whether reading range r of index ix (layout
// lay) gives the order of keys (on table columns keyPos), and which way:
// 1 forwards, -1 backwards.
func orderDirection(t *catalog.Table, ix *catalog.Index, lay catalog.IndexLayout, r *plan.IndexRange, keys []plan.SortKey, keyPos []int) (int, bool) {
	pinned := map[int]bool{}
	for i := range r.Eq {
		pinned[t.ColByID(ix.Cols[i])] = true
	}
	j, dir := len(r.Eq), 0
	for k, key := range keys {
		pos := keyPos[k]
		if pinned[pos] {
			continue
		}
		if j >= len(ix.Cols) || t.ColByID(ix.Cols[j]) != pos {
			return 0, false
		}
		desc, nullsFirst := ix.StoredDesc(lay, j), ix.StoredNullsFirst(lay, j)
		nullable := lay == catalog.IndexEntries && !t.Cols[pos].NotNull
		kdir := 0
		switch {
		case key.Desc == desc && (!nullable || key.NullsFirst == nullsFirst):
			kdir = 1
		case key.Desc != desc && (!nullable || key.NullsFirst != nullsFirst):
			kdir = -1
		default:
			return 0, false
		}
		if dir != 0 && kdir != dir {
			return 0, false
		}
		dir = kdir
		j++
	}
	if dir == 0 {
		dir = 1
	}
	return dir, true
}

// scanSource follows output column i of n down through projections and
// filters to the regular table scan producing it unchanged; it returns
// the scan, the filter right above it (nil when none) and the column's
// position among the scan's columns.
func scanSource(n plan.Node, i int) (*plan.Scan, *plan.Filter, int) {
	var f *plan.Filter
	for {
		switch x := n.(type) {
		case *plan.Scan:
			return x, f, i
		case *plan.Filter:
			f, n = x, x.Input
		case *plan.Project:
			if i < 0 || i >= len(x.Exprs) {
				return nil, nil, 0
			}
			cr, ok := x.Exprs[i].(*plan.ColRef)
			if !ok {
				return nil, nil, 0
			}
			f, n, i = nil, x.Input, cr.Idx
		default:
			return nil, nil, 0
		}
	}
}

// orderedRange returns the scan below sort srt (through projections and
// a filter) and the range of the stored index that gives srt's order
// while answering the most of the filter's conjuncts, with its score
// and the conjuncts by column; a nil range when no index gives the
// order.
func orderedRange(srt *plan.Sort) (*plan.Scan, *plan.IndexRange, int, map[int]*colConds) {
	var s *plan.Scan
	var f *plan.Filter
	keyPos := make([]int, len(srt.Keys)) // table column of each sort key
	for k, key := range srt.Keys {
		cr, ok := key.E.(*plan.ColRef)
		if !ok {
			return nil, nil, 0, nil
		}
		ks, kf, i := scanSource(srt.Input, cr.Idx)
		if ks == nil || s != nil && ks != s || i < 0 || i >= len(ks.ColIdx) || ks.ColIdx[i] < 0 {
			return nil, nil, 0, nil
		}
		s, f, keyPos[k] = ks, kf, ks.ColIdx[i]
	}
	if s.Table == nil || s.Table.Hyper != nil || s.Key != nil || s.Range != nil {
		return nil, nil, 0, nil
	}
	var conds []plan.Expr
	if f != nil {
		conds = plan.Conjuncts(f.Cond)
	}
	cc := scanConds(s, conds)
	var best *plan.IndexRange
	bestScore := -1
	for i := range s.Table.Indexes {
		ix := &s.Table.Indexes[i]
		lay := s.Table.IndexLayout(ix)
		if lay == catalog.IndexNotStored {
			continue
		}
		r, score := indexRange(s, ix, cc, true)
		if score == 0 && lay == catalog.IndexUniqueKeys && !keysNotNull(s.Table, ix, len(r.Eq)) {
			continue // rows with NULL keys have no entry
		}
		dir, ok := orderDirection(s.Table, ix, lay, r, srt.Keys, keyPos)
		if !ok {
			continue
		}
		r.Backward = dir < 0
		if score > bestScore {
			best, bestScore = r, score
		}
	}
	return s, best, bestScore, cc
}
