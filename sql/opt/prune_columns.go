package opt

import "github.com/tsgres/tsgres/sql/plan"

// Column pruning, in two steps.
//
// On each query block (RewriteBlock), every node computes only the
// columns its parent uses: projections and aggregations drop unused
// outputs, set operations (UNION ALL only) drop unused columns of both
// arms, and a hypertable scan stops producing columns nothing reads (its
// time column stays: block-level shortcuts look for it). A node whose
// expressions hold a correlated subquery keeps its input's columns as
// they are (the subquery reads the input row by position), and the
// block's root keeps exactly its columns. prune returns the map from old
// column positions to new ones, with which the parent rewrites its
// references.
//
// On the physical plan (Optimize), a hypertable scan under an aggregate
// decodes only the columns the aggregate reads (plan.HyperScan.Decode),
// reading the others as NULL.

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
func prune(n plan.Node, need []bool) (plan.Node, []int) {
	switch x := n.(type) {
	case *plan.Project:
		return pruneProject(x, need)
	case *plan.Filter:
		in := append([]bool(nil), need...)
		if !colsOf(x.Cond, in) {
			in = allTrue(len(in))
		}
		p, m := prune(x.Input, in)
		return &plan.Filter{Input: p, Cond: remap(x.Cond, m)}, m
	case *plan.Sort:
		in := append([]bool(nil), need...)
		for _, k := range x.Keys {
			if !colsOf(k.E, in) {
				in = allTrue(len(in))
			}
		}
		p, m := prune(x.Input, in)
		keys := make([]plan.SortKey, len(x.Keys))
		for i, k := range x.Keys {
			keys[i] = plan.SortKey{E: remap(k.E, m), Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
		return &plan.Sort{Input: p, Keys: keys}, m
	case *plan.Limit:
		p, m := prune(x.Input, need)
		return &plan.Limit{Input: p, Count: x.Count, Offset: x.Offset}, m
	case *plan.Agg:
		return pruneAgg(x, need)
	case *plan.HyperScan:
		return pruneScan(x, need)
	case *plan.SetOp:
		need = atLeastOne(need)
		if x.Kind != plan.SetUnion || !x.All {
			need = allTrue(len(need))
		}
		l, _ := exact(x.Left, need)
		r, _ := exact(x.Right, need)
		cols, m := keep(x.Cols, need)
		return &plan.SetOp{Kind: x.Kind, All: x.All, Left: l, Right: r, Cols: cols}, m
	}
	// Every other node keeps its columns; its inputs are pruned on their
	// own terms.
	n, _ = plan.CopyInputs(n, func(c plan.Node) (plan.Node, error) {
		p, _ := exact(c, allTrue(len(c.Columns())))
		return p, nil
	})

	return n, identity(len(need))
}

// exact prunes n to exactly the columns need marks, in order (at least
// one, so the node still carries its row count).
func exact(n plan.Node, need []bool) (plan.Node, []int) {
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
	exprs := make([]plan.Expr, 0, len(cols))
	for i, j := range m {
		if need[i] {
			exprs = append(exprs, &plan.ColRef{T: pc[j].T, Idx: j, Name: pc[j].Name})
		}
	}
	return &plan.Project{Input: p, Exprs: exprs, Cols: cols}, want
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
func keep(cols []plan.OutCol, need []bool) ([]plan.OutCol, []int) {
	m := make([]int, len(cols))
	n := 0
	for i := range cols {
		if need[i] {
			n++
		}
	}
	var out []plan.OutCol // nil when none is needed
	if n > 0 {
		out = make([]plan.OutCol, 0, n)
	}
	for i, c := range cols {
		m[i] = -1
		if need[i] {
			m[i] = len(out)
			out = append(out, c)
		}
	}
	return out, m
}

func pruneProject(x *plan.Project, need []bool) (plan.Node, []int) {
	need = atLeastOne(need)
	in := make([]bool, len(x.Input.Columns()))
	for i, e := range x.Exprs {
		if need[i] && !colsOf(e, in) {
			in = allTrue(len(in))
		}
	}
	p, m := prune(x.Input, in)
	var exprs []plan.Expr
	for i, e := range x.Exprs {
		if need[i] {
			exprs = append(exprs, remap(e, m))
		}
	}
	cols, out := keep(x.Cols, need)
	return &plan.Project{Input: p, Exprs: exprs, Cols: cols}, out
}

func pruneAgg(x *plan.Agg, need []bool) (plan.Node, []int) {
	nk := len(x.Keys)
	keepAgg := append([]bool(nil), need...)
	for i := 0; i < nk; i++ {
		keepAgg[i] = true // grouping keys define the groups
	}
	if nk == 0 {
		keepAgg = atLeastOne(keepAgg)
	}
	cp := &plan.Agg{Grand: x.Grand, Keys: x.Keys}
	for i, c := range x.Aggs {
		if keepAgg[nk+i] {
			cp.Aggs = append(cp.Aggs, c)
		}
	}
	in := make([]bool, len(x.Input.Columns()))
	probe := &plan.Agg{Keys: cp.Keys, Aggs: cp.Aggs}
	for _, e := range aggExprs(probe) {
		if !colsOf(e, in) {
			in = allTrue(len(in))
		}
	}
	p, m := prune(x.Input, in)
	cp.Input = p
	cp.Keys = mapExprs(x.Keys, func(e plan.Expr) plan.Expr { return remap(e, m) })
	for i, c := range cp.Aggs {
		cp.Aggs[i] = mapAggCall(c, func(e plan.Expr) plan.Expr { return remap(e, m) })
	}
	var out []int
	cp.Cols, out = keep(x.Cols, keepAgg)
	return cp, out
}

// pruneScan drops unneeded columns from a hypertable scan; the time
// column stays (block-level shortcuts look for it).
func pruneScan(x *plan.HyperScan, need []bool) (plan.Node, []int) {
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

// pruneColumns: the binder scans every column of a hypertable, but an
// aggregate directly over the scan (optionally through a Filter) needs
// only the columns its keys, arguments and filters refer to. The scan
// decodes those and reads the others as NULL. It does not apply when a
// subquery or outer reference might reach the row.
func pruneColumns(n plan.Node) {
	a, hs, cond := aggOverScan(n)
	if a == nil {
		return
	}
	exprs := []plan.Expr{cond, hs.Filter}
	exprs = append(exprs, a.Keys...)
	for _, c := range a.Aggs {
		exprs = append(exprs, c.Args...)
		exprs = append(exprs, c.Filter)
		for _, k := range c.OrderBy {
			exprs = append(exprs, k.E)
		}
	}
	need := make([]bool, len(hs.Cols))
	for _, k := range hs.Keys {
		need[k.Idx] = true // the scan probes it
	}
	ok := true
	for _, e := range exprs {
		plan.Walk(e, func(x plan.Expr) bool {
			switch x := x.(type) {
			case *plan.ColRef:
				if x.Idx >= 0 && x.Idx < len(need) {
					need[x.Idx] = true
				} else {
					ok = false
				}
			case *plan.Subquery, *plan.OuterRef:
				ok = false
			}
			return ok
		})
	}
	if ok {
		hs.Decode = need
	}
}
