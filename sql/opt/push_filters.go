package opt

import (
	"math"

	"github.com/tsgres/tsgres/sql/plan"
)

// Filter pushdown: the movable conjuncts of every Filter (no subqueries,
// outer references or volatile calls) move as far down as they go: below
// projections (rewritten over the projection's input), sorts, set
// operations whose arms have its column types, grouping keys, and into
// the sides of joins, down to the scans. A condition that reaches a
// hypertable scan after passing at least one node narrows the scan's
// time bounds and block predicates as a WHERE directly over it did
// (chunk_exclusion.go, block_predicates.go), including bounds on
// time_bucket of the time column. It matters most for views and
// subqueries, whose scans a WHERE over them cannot see while binding.

// pushFilters moves movable WHERE conjuncts of every Filter in n as far
// down as they go, inputs first.
func pushFilters(env Env, n plan.Node) (plan.Node, error) {
	n, err := plan.CopyInputs(n, func(c plan.Node) (plan.Node, error) { return pushFilters(env, c) })
	if err != nil {
		return nil, err
	}
	f, ok := n.(*plan.Filter)
	if !ok {
		return n, nil
	}
	var move, stay []plan.Expr
	for _, c := range plan.Conjuncts(f.Cond) {
		if plan.Movable(c) {
			move = append(move, c)
		} else {
			stay = append(stay, c)
		}
	}
	if len(move) == 0 {
		return n, nil
	}
	in, err := pushFilter(env, f.Input, move, false)
	if err != nil {
		return nil, err
	}
	return withFilter(in, stay), nil
}

// withFilter returns n filtered by the conjunction of conds.
func withFilter(n plan.Node, conds []plan.Expr) plan.Node {
	var cond plan.Expr
	for _, c := range conds {
		cond = plan.And(cond, c)
	}
	if cond == nil {
		return n
	}
	return &plan.Filter{Input: n, Cond: cond}
}

// pushFilter returns n filtered by conds (movable, over n's columns),
// placing each as low as it can go; moved reports whether they already
// passed a node (so a scan has not seen them yet).
func pushFilter(env Env, n plan.Node, conds []plan.Expr, moved bool) (plan.Node, error) {
	switch x := n.(type) {
	case *plan.Project:
		var down, up []plan.Expr
		for _, c := range conds {
			if inlinable(c, x.Exprs) {
				down = append(down, plan.Subst(c, x.Exprs))
			} else {
				up = append(up, c)
			}
		}
		if len(down) == 0 {
			break
		}
		in, err := pushFilter(env, x.Input, down, true)
		if err != nil {
			return nil, err
		}
		return withFilter(&plan.Project{Input: in, Exprs: x.Exprs, Cols: x.Cols}, up), nil
	case *plan.Filter:
		in, err := pushFilter(env, x.Input, conds, moved)
		if err != nil {
			return nil, err
		}
		return &plan.Filter{Input: in, Cond: x.Cond}, nil
	case *plan.Sort:
		in, err := pushFilter(env, x.Input, conds, true)
		if err != nil {
			return nil, err
		}
		return &plan.Sort{Input: in, Keys: x.Keys}, nil
	case *plan.SetOp:
		if !armsMatch(x) {
			break
		}
		l, err := pushFilter(env, x.Left, conds, true)
		if err != nil {
			return nil, err
		}
		r, err := pushFilter(env, x.Right, conds, true)
		if err != nil {
			return nil, err
		}
		cp := *x
		cp.Left, cp.Right = l, r
		return &cp, nil
	case *plan.Agg:
		return pushIntoAgg(env, x, conds)
	case *plan.Join:
		return pushIntoJoin(env, x, conds)
	case *plan.HyperScan:
		if moved {
			if err := narrowScan(env, x, conds); err != nil {
				return nil, err
			}
		}
	}
	return withFilter(n, conds), nil
}

// pushIntoJoin moves conditions that read one side of a join only onto
// that side: either side of an inner or cross join, the left side of a
// left, semi or anti join (a condition on a left join's right side must
// see the NULL-extended rows), never into a LATERAL right side.
func pushIntoJoin(env Env, j *plan.Join, conds []plan.Expr) (plan.Node, error) {
	lw := len(j.Left.Columns())
	rw := len(j.Right.Columns())
	var left, right, up []plan.Expr
	for _, c := range conds {
		need := make([]bool, lw+rw)
		if !colsOf(c, need) {
			up = append(up, c)
			continue
		}
		usesL, usesR := false, false
		for i, used := range need {
			if used {
				if i < lw {
					usesL = true
				} else {
					usesR = true
				}
			}
		}
		inner := j.Kind == plan.JoinInner || j.Kind == plan.JoinCross
		switch {
		case !usesR && (inner || j.Kind == plan.JoinLeft || j.Kind == plan.JoinSemi || j.Kind == plan.JoinAnti):
			left = append(left, c)
		case !usesL && usesR && inner && !j.Lateral:
			m := make([]int, lw+rw)
			for i := range m {
				m[i] = i - lw
			}
			right = append(right, remap(c, m))
		default:
			up = append(up, c)
		}
	}
	if len(left) == 0 && len(right) == 0 {
		return withFilter(j, conds), nil
	}
	cp := *j
	var err error
	if len(left) > 0 {
		if cp.Left, err = pushFilter(env, j.Left, left, true); err != nil {
			return nil, err
		}
	}
	if len(right) > 0 {
		if cp.Right, err = pushFilter(env, j.Right, right, true); err != nil {
			return nil, err
		}
	}
	return withFilter(&cp, up), nil
}

// armsMatch reports whether a set operation's inputs have exactly its
// column types (so a condition over its columns reads theirs).
func armsMatch(s *plan.SetOp) bool {
	for _, arm := range []plan.Node{s.Left, s.Right} {
		ac := arm.Columns()
		if len(ac) != len(s.Cols) {
			return false
		}
		for i := range ac {
			if ac[i].T != s.Cols[i].T {
				return false
			}
		}
	}
	return true
}

// pushIntoAgg moves the conditions over grouping keys only below the
// aggregation.
func pushIntoAgg(env Env, a *plan.Agg, conds []plan.Expr) (plan.Node, error) {
	var down, up []plan.Expr
	for _, c := range conds {
		need := make([]bool, len(a.Cols))
		colsOf(c, need)
		keysOnly := len(a.Keys) > 0
		for i, used := range need {
			if used && i >= len(a.Keys) {
				keysOnly = false
			}
		}
		if keysOnly && inlinable(c, a.Keys) {
			down = append(down, plan.Subst(c, a.Keys))
		} else {
			up = append(up, c)
		}
	}
	if len(down) == 0 {
		return withFilter(a, conds), nil
	}
	in, err := pushFilter(env, a.Input, down, true)
	if err != nil {
		return nil, err
	}
	cp := *a
	cp.Input = in
	return withFilter(&cp, up), nil
}

// narrowScan applies conditions that arrived at hypertable scan s to its
// time bounds (chunk exclusion) and block predicates, and looks its
// chunks up again when the bounds changed.
func narrowScan(env Env, s *plan.HyperScan, conds []plan.Expr) error {
	h := &scanAt{scan: s, timeIx: s.TimeIdx(), lo: s.TimeMin, hi: s.TimeMax}
	if h.lo == 0 && h.hi == 0 {
		h.lo, h.hi = math.MinInt64, math.MaxInt64
	}
	var cond plan.Expr
	for _, c := range conds {
		cond = plan.And(cond, c)
	}
	if err := narrow(env, []*scanAt{h}, cond); err != nil {
		return err
	}
	for _, c := range conds {
		if err := bucketBound(env, h, c); err != nil {
			return err
		}
	}
	if h.lo == s.TimeMin && h.hi == s.TimeMax {
		return nil
	}
	lookupChunks(env, s, h.lo, h.hi)
	return nil
}
