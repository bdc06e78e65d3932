package opt

import (
	"github.com/tsgres/tsgres/sql/plan"
)

// indexJoin: an equi-join whose right side is a regular table's scan
// (possibly under a filter) with a stored index on the join columns, and
// whose left side is small (a LIMIT, a VALUES list, or a scan an index
// range narrows), probes the index once per left row instead of reading
// the whole right table into a hash table: an index nested loop. The
// join becomes LATERAL (the executor re-runs the right side per left
// row, the left row being the outer row) and the right scan gets an
// index range whose values are the left row's join columns (OuterRef).
// EXPLAIN: "Nested Loop" over "Index Scan using ix on b", "Index Cond:
// (b.x = a.y)". The join condition is still evaluated on each pair.
func indexJoin(n plan.Node) {
	j, ok := n.(*plan.Join)
	if !ok || j.Lateral || len(j.EqLeft) == 0 || len(j.EqLeft) != len(j.EqRight) {
		return
	}
	switch j.Kind {
	case plan.JoinInner, plan.JoinLeft, plan.JoinSemi, plan.JoinAnti:
	default:
		return
	}
	s, f := rightScan(j.Right)
	if s == nil || !smallSide(j.Left) {
		return
	}
	var conds []plan.Expr
	if f != nil {
		conds = plan.Conjuncts(f.Cond)
	}
	cc := scanConds(s, conds)
	leftCols := j.Left.Columns()
	joined := map[int]bool{}  // table columns pinned by a join key
	keyConds := map[int]int{} // table column -> the left column it equals
	for k, re := range j.EqRight {
		rc, ok := re.(*plan.ColRef)
		lc, ok2 := j.EqLeft[k].(*plan.ColRef)
		if !ok || !ok2 || rc.Idx < 0 || rc.Idx >= len(s.ColIdx) || s.ColIdx[rc.Idx] < 0 || lc.Idx < 0 || lc.Idx >= len(leftCols) {
			continue
		}
		pos := s.ColIdx[rc.Idx]
		if t := s.Table.Cols[pos].Type; !plan.KeyEquality(t) || t.OID != lc.T.OID || rc.T.OID != t.OID {
			continue
		}
		c := cc[pos]
		if c == nil {
			c = &colConds{}
			cc[pos] = c
		}
		if c.eq != nil || joined[pos] {
			continue
		}
		// The display condition names the left column as PostgreSQL
		// does: (b.x = a.y).
		shown := &plan.ColRef{T: lc.T, Idx: -1, Name: qualified(leftCols[lc.Idx])}
		c.eq = &plan.OuterRef{T: lc.T, Depth: 1, Idx: lc.Idx}
		c.eqCond = &plan.Op{T: j.Cond.Type(), Kind: plan.OpEq, L: rc, R: shown}
		joined[pos], keyConds[pos] = true, lc.Idx
	}
	if len(joined) == 0 {
		return
	}
	// The index must take at least one value from the left row.
	best := bestIndex(s, cc, func(r *plan.IndexRange) bool {
		for _, e := range r.Eq {
			if _, outer := e.(*plan.OuterRef); outer {
				return true
			}
		}
		return false
	})
	if best == nil {
		return
	}
	s.Range = best
	j.Lateral = true
	// The equalities the probe answers leave the join condition.
	answered := map[[2]int]bool{} // (left column, right column)
	for i := range best.Eq {
		if _, outer := best.Eq[i].(*plan.OuterRef); outer {
			pos := s.Table.ColByID(best.Index.Cols[i])
			for ri, ci := range s.ColIdx {
				if ci == pos {
					answered[[2]int{keyConds[pos], len(leftCols) + ri}] = true
				}
			}
		}
	}
	var rest []plan.Expr
	for _, c := range plan.Conjuncts(j.Cond) {
		if op, ok := c.(*plan.Op); ok && op.Kind == plan.OpEq {
			l, lok := op.L.(*plan.ColRef)
			r, rok := op.R.(*plan.ColRef)
			if lok && rok && (answered[[2]int{l.Idx, r.Idx}] || answered[[2]int{r.Idx, l.Idx}]) {
				continue
			}
		}
		rest = append(rest, c)
	}
	j.Cond = conjoin(rest)
}

// qualified is a column's name as EXPLAIN shows it: rel.name.
func qualified(c plan.OutCol) string {
	if c.Rel != "" {
		return c.Rel + "." + c.Name
	}
	return c.Name
}

// rightScan returns the regular table scan n is, or the one under n's
// filter, when nothing in them reads an enclosing query's row (the
// probe makes the left row the enclosing one).
func rightScan(n plan.Node) (*plan.Scan, *plan.Filter) {
	var f *plan.Filter
	if x, ok := n.(*plan.Filter); ok {
		f, n = x, x.Input
	}
	s, ok := n.(*plan.Scan)
	if !ok || s.Table == nil || s.Table.Hyper != nil || s.Key != nil || s.Range != nil {
		return nil, nil
	}
	if f != nil {
		clean := true
		plan.Walk(f.Cond, func(e plan.Expr) bool {
			switch e.(type) {
			case *plan.OuterRef, *plan.Subquery:
				clean = false
			}
			return clean
		})
		if !clean {
			return nil, nil
		}
	}
	return s, f
}

// smallSide reports whether n produces few rows without statistics to
// say so: a LIMIT, a VALUES list, or a regular table scan a filter
// narrows through an index (through projections and sorts).
func smallSide(n plan.Node) bool {
	for {
		switch x := n.(type) {
		case *plan.Limit:
			return x.Count != nil
		case *plan.Values:
			return true
		case *plan.Project:
			n = x.Input
		case *plan.Sort:
			n = x.Input
		case *plan.Filter:
			s, ok := x.Input.(*plan.Scan)
			if !ok || s.Table == nil || s.Table.Hyper != nil {
				return false
			}
			return s.Key != nil || s.Range != nil || bestRange(s, plan.Conjuncts(x.Cond)) != nil
		case *plan.Scan:
			return x.Key != nil || x.Range != nil && len(x.Range.Conds) > 0
		default:
			return false
		}
	}
}
