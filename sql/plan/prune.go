package plan

import "github.com/tsgres/tsgres/sql/types"

// Plan rewrites, run on every bound query block. They matter most for
// views and joins: a view reference binds to its query as a subtree
// (Project over Project over a scan, or a UNION ALL of two for a
// real-time continuous aggregate) that computes every view column, and a
// join reads every column of both sides, while the query typically
// filters on one column and aggregates two. The rewrites make such a
// query cost what the same query written against the tables would:
//
//   - filter pushdown: WHERE conjuncts move below projections, set
//     operations, sorts, grouping keys and into the sides of joins down to
//     the scans, where time bounds exclude chunks and column-vs-constant
//     predicates skip blocks;
//   - projection merging: a projection or aggregation directly over a
//     projection reads the inner expressions in place of the columns,
//     so an aggregate over a view's column lands directly on the scan
//     (the executor's typed, parallel aggregation);
//   - column pruning: every node computes only the columns its parent
//     uses and a hypertable scan decodes only those;
//   - an aggregation of a continuous aggregate by its own grouping
//     becomes a projection (cagg_regroup.go);
//   - a projection calling volatile functions moves above the LIMIT and
//     ORDER BY over it (postpone.go).
//
// Correctness rules: a node whose expressions hold a correlated subquery
// keeps its input's columns as they are (the subquery reads the input row
// by position); volatile expressions and subqueries are never moved or
// duplicated; the root keeps exactly its columns.

// optimize applies the rewrites to a bound query block.
func (b *binder) optimize(n Node) (Node, error) {
	n, err := b.pushFilters(n)
	if err != nil {
		return nil, err
	}
	n = b.regroupAggs(mergeProjects(n))
	all := make([]bool, len(n.Columns()))
	for i := range all {
		all[i] = true
	}
	n, _ = prune(n, all)
	return postponeVolatile(n), nil
}

// mapChildren returns a shallow copy of n with f applied to each child
// plan (CTE plans, shared by their references, are left alone).
func mapChildren(n Node, f func(Node) (Node, error)) (Node, error) {
	var err error
	one := func(c Node) Node {
		if err != nil {
			return c
		}
		var r Node
		if r, err = f(c); err != nil {
			return c
		}
		return r
	}
	switch x := n.(type) {
	case *Filter:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Project:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *ProjectSet:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Agg:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Sort:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Limit:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Distinct:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Window:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Join:
		cp := *x
		cp.Left, cp.Right = one(x.Left), one(x.Right)
		return &cp, err
	case *SetOp:
		cp := *x
		cp.Left, cp.Right = one(x.Left), one(x.Right)
		return &cp, err
	}
	return n, nil
}

// exprFlags reports whether e holds a correlated subquery, any subquery,
// or a volatile call.
func exprFlags(e Expr) (correlated, subquery, volatile bool) {
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *Subquery:
			subquery = true
			correlated = correlated || x.Correlated
		case *Call:
			volatile = volatile || x.Fn.Volatile
		}
		return true
	})
	return
}

// movable reports whether e may be evaluated at another place in the
// plan: no subqueries, outer references or volatile calls.
func movable(e Expr) bool {
	ok := true
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *Subquery, *OuterRef:
			ok = false
		case *Call:
			ok = ok && !x.Fn.Volatile
		}
		return ok
	})
	return ok
}

// subst replaces every column reference in e with the expression of
// that position in exprs.
func subst(e Expr, exprs []Expr) Expr {
	return MapExpr(e, func(x Expr) (Expr, bool) {
		if c, ok := x.(*ColRef); ok {
			return exprs[c.Idx], true
		}
		return x, false
	})
}

// colsOf marks the columns e reads in need; it returns false when e holds
// a correlated subquery (which may read any column).
func colsOf(e Expr, need []bool) bool {
	ok := true
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *ColRef:
			if x.Idx >= 0 && x.Idx < len(need) {
				need[x.Idx] = true
			}
		case *Subquery:
			ok = ok && !x.Correlated
		}
		return true
	})
	return ok
}

// pushFilters moves movable WHERE conjuncts of every Filter in n as far
// down as they go.
func (b *binder) pushFilters(n Node) (Node, error) {
	n, err := mapChildren(n, b.pushFilters)
	if err != nil {
		return nil, err
	}
	f, ok := n.(*Filter)
	if !ok {
		return n, nil
	}
	var move, stay []Expr
	for _, c := range conjuncts(f.Cond) {
		if movable(c) {
			move = append(move, c)
		} else {
			stay = append(stay, c)
		}
	}
	if len(move) == 0 {
		return n, nil
	}
	in, err := b.pushFilter(f.Input, move, false)
	if err != nil {
		return nil, err
	}
	return withFilter(in, stay), nil
}

// withFilter returns n filtered by the conjunction of conds.
func withFilter(n Node, conds []Expr) Node {
	var cond Expr
	for _, c := range conds {
		cond = and(cond, c)
	}
	if cond == nil {
		return n
	}
	return &Filter{Input: n, Cond: cond}
}

// pushFilter returns n filtered by conds (movable, over n's columns),
// placing each as low as it can go; moved reports whether they already
// passed a node (so a scan has not seen them yet).
func (b *binder) pushFilter(n Node, conds []Expr, moved bool) (Node, error) {
	switch x := n.(type) {
	case *Project:
		var down, up []Expr
		for _, c := range conds {
			if inlinable(c, x.Exprs, false) {
				down = append(down, subst(c, x.Exprs))
			} else {
				up = append(up, c)
			}
		}
		if len(down) == 0 {
			break
		}
		in, err := b.pushFilter(x.Input, down, true)
		if err != nil {
			return nil, err
		}
		return withFilter(&Project{Input: in, Exprs: x.Exprs, Cols: x.Cols}, up), nil
	case *Filter:
		in, err := b.pushFilter(x.Input, conds, moved)
		if err != nil {
			return nil, err
		}
		return &Filter{Input: in, Cond: x.Cond}, nil
	case *Sort:
		in, err := b.pushFilter(x.Input, conds, true)
		if err != nil {
			return nil, err
		}
		return &Sort{Input: in, Keys: x.Keys}, nil
	case *SetOp:
		if !armsMatch(x) {
			break
		}
		l, err := b.pushFilter(x.Left, conds, true)
		if err != nil {
			return nil, err
		}
		r, err := b.pushFilter(x.Right, conds, true)
		if err != nil {
			return nil, err
		}
		cp := *x
		cp.Left, cp.Right = l, r
		return &cp, nil
	case *Agg:
		return b.pushIntoAgg(x, conds)
	case *Join:
		return b.pushIntoJoin(x, conds)
	case *HyperScan:
		if moved {
			if err := b.narrowScan(x, conds); err != nil {
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
func (b *binder) pushIntoJoin(j *Join, conds []Expr) (Node, error) {
	lw := len(j.Left.Columns())
	rw := len(j.Right.Columns())
	var left, right, up []Expr
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
		inner := j.Kind == JoinInner || j.Kind == JoinCross
		switch {
		case !usesR && (inner || j.Kind == JoinLeft || j.Kind == JoinSemi || j.Kind == JoinAnti):
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
		if cp.Left, err = b.pushFilter(j.Left, left, true); err != nil {
			return nil, err
		}
	}
	if len(right) > 0 {
		if cp.Right, err = b.pushFilter(j.Right, right, true); err != nil {
			return nil, err
		}
	}
	return withFilter(&cp, up), nil
}

// armsMatch reports whether a set operation's inputs have exactly its
// column types (so a condition over its columns reads theirs).
func armsMatch(s *SetOp) bool {
	for _, arm := range []Node{s.Left, s.Right} {
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
func (b *binder) pushIntoAgg(a *Agg, conds []Expr) (Node, error) {
	var down, up []Expr
	for _, c := range conds {
		need := make([]bool, len(a.Cols))
		colsOf(c, need)
		keysOnly := len(a.Keys) > 0
		for i, used := range need {
			if used && i >= len(a.Keys) {
				keysOnly = false
			}
		}
		if keysOnly && inlinable(c, a.Keys, false) {
			down = append(down, subst(c, a.Keys))
		} else {
			up = append(up, c)
		}
	}
	if len(down) == 0 {
		return withFilter(a, conds), nil
	}
	in, err := b.pushFilter(a.Input, down, true)
	if err != nil {
		return nil, err
	}
	cp := *a
	cp.Input = in
	return withFilter(&cp, up), nil
}

// narrowScan applies conditions that arrived at hypertable scan s to its
// time bounds (chunk exclusion) and block predicates.
func (b *binder) narrowScan(s *HyperScan, conds []Expr) error {
	h := &hyperRel{scan: s, timeIx: -1, lo: s.TimeMin, hi: s.TimeMax}
	if h.lo == 0 && h.hi == 0 {
		h.lo, h.hi = minI64, maxI64
	}
	for i, ci := range s.ColIdx {
		if s.Table.Cols[ci].ID == s.Table.Hyper.TimeCol {
			h.timeIx = i
		}
	}
	var cond Expr
	for _, c := range conds {
		cond = and(cond, c)
	}
	if err := b.pushdown([]*hyperRel{h}, cond); err != nil {
		return err
	}
	for _, c := range conds {
		if err := b.bucketBound(h, c); err != nil {
			return err
		}
	}
	if h.lo == s.TimeMin && h.hi == s.TimeMax {
		return nil
	}
	return b.finishHyperScan(h)
}

// bucketBound narrows h's time bounds by a condition on the time bucket
// of its time column, "time_bucket(w, time) op c" (what a filter on a
// real-time continuous aggregate's bucket becomes on the raw scan): with
// the default origin, bucket >= c holds exactly for time >= the first
// bucket boundary at or after c, and bucket < c for time before it.
func (b *binder) bucketBound(h *hyperRel, cond Expr) error {
	op, ok := cond.(*Op)
	if !ok || op.Kind < OpLt || op.Kind > OpGe {
		return nil
	}
	kind, call, val := op.Kind, op.L, op.R
	if _, isCall := call.(*Call); !isCall {
		kind, call, val = kind.Flip(), op.R, op.L
	}
	fc, ok := call.(*Call)
	if !ok || fc.Fn.Name != "time_bucket" || len(fc.Args) != 2 || !foldable(val) || !foldable(fc.Args[0]) {
		return nil
	}
	cr, ok := fc.Args[1].(*ColRef)
	if !ok || cr.Idx != h.timeIx || (cr.T.OID != types.OidTimestamptz && cr.T.OID != types.OidTimestamp) || val.Type().OID != cr.T.OID {
		return nil
	}
	wv, ok, err := b.env.EvalConst(fc.Args[0])
	if err != nil || !ok {
		return err
	}
	iv, isIv := wv.(types.Interval)
	v, ok, err := b.env.EvalConst(val)
	if err != nil || !ok {
		return err
	}
	c, isTime := v.(int64)
	w := types.IntervalMicros(iv)
	if !isIv || iv.Months != 0 || w <= 0 || !isTime || c > maxI64-w || c < minI64+w {
		return nil
	}
	if kind == OpGt || kind == OpLe {
		c++ // bucket > c is bucket >= c+1; bucket <= c is bucket < c+1
	}
	edge := BucketCeil(c, w)
	if kind == OpGe || kind == OpGt {
		h.lo = maxOf(h.lo, edge)
	} else {
		h.hi = minOf(h.hi, edge-1)
	}
	return nil
}

// inlinable reports whether e's column references may be replaced with
// exprs: the referenced expressions are movable, and each one that is
// not a plain column or constant is referenced at most once (unless
// dupOK).
func inlinable(e Expr, exprs []Expr, dupOK bool) bool {
	if c, _, _ := exprFlags(e); c {
		return false
	}
	uses := map[int]int{}
	Walk(e, func(x Expr) bool {
		if c, ok := x.(*ColRef); ok {
			uses[c.Idx]++
		}
		return true
	})
	for i, k := range uses {
		if i < 0 || i >= len(exprs) || !movable(exprs[i]) {
			return false
		}
		if k > 1 && !dupOK && !cheap(exprs[i]) {
			return false
		}
	}
	return true
}

// cheap reports whether evaluating e twice costs nothing worth saving.
func cheap(e Expr) bool {
	switch x := e.(type) {
	case *ColRef, *Const, *Param:
		return true
	case *Cast:
		return cheap(x.E)
	}
	return false
}

// mergeProjects folds projections into the projection or aggregation
// directly above them, bottom-up.
func mergeProjects(n Node) Node {
	n, _ = mapChildren(n, func(c Node) (Node, error) { return mergeProjects(c), nil })
	switch x := n.(type) {
	case *Project:
		in, ok := x.Input.(*Project)
		if !ok || !inlinableAll(x.Exprs, in.Exprs) {
			return n
		}
		exprs := make([]Expr, len(x.Exprs))
		for i, e := range x.Exprs {
			exprs[i] = subst(e, in.Exprs)
		}
		return &Project{Input: in.Input, Exprs: exprs, Cols: x.Cols}
	case *Agg:
		in, ok := x.Input.(*Project)
		if !ok || !inlinableAll(aggExprs(x), in.Exprs) {
			return n
		}
		cp := *x
		cp.Input = in.Input
		cp.Keys = make([]Expr, len(x.Keys))
		for i, k := range x.Keys {
			cp.Keys[i] = subst(k, in.Exprs)
		}
		cp.Aggs = make([]*AggCall, len(x.Aggs))
		for i, c := range x.Aggs {
			cp.Aggs[i] = mapAggCall(c, func(e Expr) Expr { return subst(e, in.Exprs) })
		}
		return &cp
	}
	return n
}

// inlinableAll is inlinable over a list of expressions taken together
// (a non-trivial inner expression may be referenced once in all of them).
func inlinableAll(es []Expr, exprs []Expr) bool {
	var all Expr = &RowExpr{Args: es}
	return inlinable(all, exprs, false)
}

// aggExprs returns every expression an aggregation evaluates over its
// input.
func aggExprs(a *Agg) []Expr {
	out := append([]Expr(nil), a.Keys...)
	for _, c := range a.Aggs {
		out = append(out, c.Args...)
		out = append(out, c.Direct...)
		if c.Filter != nil {
			out = append(out, c.Filter)
		}
		for _, k := range c.OrderBy {
			out = append(out, k.E)
		}
	}
	return out
}

// mapAggCall returns a copy of c with f applied to its expressions.
func mapAggCall(c *AggCall, f func(Expr) Expr) *AggCall {
	cp := *c
	cp.Args = mapExprs(c.Args, f)
	cp.Direct = mapExprs(c.Direct, f)
	if c.Filter != nil {
		cp.Filter = f(c.Filter)
	}
	if c.OrderBy != nil {
		cp.OrderBy = make([]SortKey, len(c.OrderBy))
		for i, k := range c.OrderBy {
			cp.OrderBy[i] = SortKey{E: f(k.E), Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
	}
	return &cp
}

func mapExprs(es []Expr, f func(Expr) Expr) []Expr {
	if es == nil {
		return nil
	}
	out := make([]Expr, len(es))
	for i, e := range es {
		out[i] = f(e)
	}
	return out
}

// remap rewrites e's column references through m (old position -> new).
func remap(e Expr, m []int) Expr {
	if e == nil {
		return nil
	}
	return MapExpr(e, func(x Expr) (Expr, bool) {
		if c, ok := x.(*ColRef); ok {
			return &ColRef{T: c.T, Idx: m[c.Idx], Name: c.Name}, true
		}
		return x, false
	})
}

// allTrue returns a need vector asking for all n columns.
func allTrue(n int) []bool {
	need := make([]bool, n)
	for i := range need {
		need[i] = true
	}
	return need
}

// identity is the column map of a node that keeps all n columns.
func identity(n int) []int {
	m := make([]int, n)
	for i := range m {
		m[i] = i
	}
	return m
}

// prune returns n computing at least the columns need marks and the
// map from n's column positions to the result's (-1: dropped).
func prune(n Node, need []bool) (Node, []int) {
	switch x := n.(type) {
	case *Project:
		return pruneProject(x, need)
	case *Filter:
		in := append([]bool(nil), need...)
		if !colsOf(x.Cond, in) {
			in = allTrue(len(in))
		}
		p, m := prune(x.Input, in)
		return &Filter{Input: p, Cond: remap(x.Cond, m)}, m
	case *Sort:
		in := append([]bool(nil), need...)
		for _, k := range x.Keys {
			if !colsOf(k.E, in) {
				in = allTrue(len(in))
			}
		}
		p, m := prune(x.Input, in)
		keys := make([]SortKey, len(x.Keys))
		for i, k := range x.Keys {
			keys[i] = SortKey{E: remap(k.E, m), Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
		return &Sort{Input: p, Keys: keys}, m
	case *Limit:
		p, m := prune(x.Input, need)
		return &Limit{Input: p, Count: x.Count, Offset: x.Offset}, m
	case *Agg:
		return pruneAgg(x, need)
	case *HyperScan:
		return pruneScan(x, need)
	case *SetOp:
		need = atLeastOne(need)
		if x.Kind != SetUnion || !x.All {
			need = allTrue(len(need))
		}
		l, _ := exact(x.Left, need)
		r, _ := exact(x.Right, need)
		cols, m := keep(x.Cols, need)
		return &SetOp{Kind: x.Kind, All: x.All, Left: l, Right: r, Cols: cols}, m
	}
	// Every other node keeps its columns; its inputs are pruned on their
	// own terms.
	n, _ = mapChildren(n, func(c Node) (Node, error) {
		p, _ := exact(c, allTrue(len(c.Columns())))
		return p, nil
	})
	return n, identity(len(need))
}

// exact prunes n to exactly the columns need marks, in order (at least
// one, so the node still carries its row count).
func exact(n Node, need []bool) (Node, []int) {
	need = atLeastOne(need)
	p, m := prune(n, need)
	cols, want := keep(n.Columns(), need)
	ok := len(p.Columns()) == len(cols)
	for i, j := range m {
		if need[i] && j != want[i] {
			ok = false
		}
	}
	if ok {
		return p, want
	}
	pc := p.Columns()
	exprs := make([]Expr, 0, len(cols))
	for i, j := range m {
		if need[i] {
			exprs = append(exprs, &ColRef{T: pc[j].T, Idx: j, Name: pc[j].Name})
		}
	}
	return &Project{Input: p, Exprs: exprs, Cols: cols}, want
}

// atLeastOne returns need, or need with its first column set when it
// marks none.
func atLeastOne(need []bool) []bool {
	for _, x := range need {
		if x {
			return need
		}
	}
	out := make([]bool, len(need))
	if len(out) > 0 {
		out[0] = true
	}
	return out
}

// keep returns the columns need marks and the position map.
func keep(cols []OutCol, need []bool) ([]OutCol, []int) {
	m := make([]int, len(cols))
	var out []OutCol
	for i, c := range cols {
		m[i] = -1
		if need[i] {
			m[i] = len(out)
			out = append(out, c)
		}
	}
	return out, m
}

func pruneProject(x *Project, need []bool) (Node, []int) {
	need = atLeastOne(need)
	in := make([]bool, len(x.Input.Columns()))
	for i, e := range x.Exprs {
		if need[i] && !colsOf(e, in) {
			in = allTrue(len(in))
		}
	}
	p, m := prune(x.Input, in)
	var exprs []Expr
	for i, e := range x.Exprs {
		if need[i] {
			exprs = append(exprs, remap(e, m))
		}
	}
	cols, out := keep(x.Cols, need)
	return &Project{Input: p, Exprs: exprs, Cols: cols}, out
}

func pruneAgg(x *Agg, need []bool) (Node, []int) {
	nk := len(x.Keys)
	keepAgg := append([]bool(nil), need...)
	for i := 0; i < nk; i++ {
		keepAgg[i] = true // grouping keys define the groups
	}
	if nk == 0 {
		keepAgg = atLeastOne(keepAgg)
	}
	cp := &Agg{Grand: x.Grand, Keys: x.Keys}
	for i, c := range x.Aggs {
		if keepAgg[nk+i] {
			cp.Aggs = append(cp.Aggs, c)
		}
	}
	in := make([]bool, len(x.Input.Columns()))
	probe := &Agg{Keys: cp.Keys, Aggs: cp.Aggs}
	for _, e := range aggExprs(probe) {
		if !colsOf(e, in) {
			in = allTrue(len(in))
		}
	}
	p, m := prune(x.Input, in)
	cp.Input = p
	cp.Keys = mapExprs(x.Keys, func(e Expr) Expr { return remap(e, m) })
	for i, c := range cp.Aggs {
		cp.Aggs[i] = mapAggCall(c, func(e Expr) Expr { return remap(e, m) })
	}
	var out []int
	cp.Cols, out = keep(x.Cols, keepAgg)
	return cp, out
}

// pruneScan drops unneeded columns from a hypertable scan; the time
// column stays (block-level shortcuts look for it).
func pruneScan(x *HyperScan, need []bool) (Node, []int) {
	in := append([]bool(nil), need...)
	if x.Filter != nil && !colsOf(x.Filter, in) {
		in = allTrue(len(in))
	}
	for i, ci := range x.ColIdx {
		if x.Table.Cols[ci].ID == x.Table.Hyper.TimeCol {
			in[i] = true
		}
	}
	in = atLeastOne(in)
	cp := *x
	cp.Cols, cp.ColIdx = nil, nil
	m := make([]int, len(x.Cols))
	for i := range x.Cols {
		m[i] = -1
		if in[i] {
			m[i] = len(cp.Cols)
			cp.Cols = append(cp.Cols, x.Cols[i])
			cp.ColIdx = append(cp.ColIdx, x.ColIdx[i])
		}
	}
	cp.Filter = remap(x.Filter, m)
	return &cp, m
}
