package opt

import "github.com/tsgres/tsgres/sql/plan"

// Projection merging: a projection or aggregation directly over a
// projection reads the inner expressions in place of the columns, so a
// view (bound as a projection over its query) costs nothing of its own
// and an aggregate over a view's column lands directly on the scan, where
// the physical rules (metadata answers, parallel aggregation) find it.
// Merging never moves volatile expressions or subqueries, and never
// evaluates a non-trivial inner expression twice.

// mergeProjects folds projections into the projection or aggregation
// directly above them, bottom-up.
func mergeProjects(n plan.Node) plan.Node {
	n, _ = plan.CopyInputs(n, func(c plan.Node) (plan.Node, error) { return mergeProjects(c), nil })
	switch x := n.(type) {
	case *plan.Project:
		in, ok := x.Input.(*plan.Project)
		if !ok || !inlinableAll(x.Exprs, in.Exprs) {
			return n
		}
		exprs := make([]plan.Expr, len(x.Exprs))
		for i, e := range x.Exprs {
			exprs[i] = plan.Subst(e, in.Exprs)
		}
		return &plan.Project{Input: in.Input, Exprs: exprs, Cols: x.Cols}
	case *plan.Agg:
		in, ok := x.Input.(*plan.Project)
		if !ok || !inlinableAll(aggExprs(x), in.Exprs) {
			return n
		}
		cp := *x
		cp.Input = in.Input
		cp.Keys = make([]plan.Expr, len(x.Keys))
		for i, k := range x.Keys {
			cp.Keys[i] = plan.Subst(k, in.Exprs)
		}
		cp.Aggs = make([]*plan.AggCall, len(x.Aggs))
		for i, c := range x.Aggs {
			cp.Aggs[i] = mapAggCall(c, func(e plan.Expr) plan.Expr { return plan.Subst(e, in.Exprs) })
		}
		return &cp
	}
	return n
}

// inlinable reports whether e's column references may be replaced with
// exprs: the referenced expressions are movable, and each one that is
// not a plain column or constant is referenced at most once.
func inlinable(e plan.Expr, exprs []plan.Expr) bool {
	if correlated(e) {
		return false
	}
	uses := map[int]int{}
	plan.Walk(e, func(x plan.Expr) bool {
		if c, ok := x.(*plan.ColRef); ok {
			uses[c.Idx]++
		}
		return true
	})
	for i, k := range uses {
		if i < 0 || i >= len(exprs) || !plan.Movable(exprs[i]) {
			return false
		}
		if k > 1 && !cheap(exprs[i]) {
			return false
		}
	}
	return true
}

// inlinableAll is inlinable over a list of expressions taken together
// (a non-trivial inner expression may be referenced once in all of them).
func inlinableAll(es []plan.Expr, exprs []plan.Expr) bool {
	var all plan.Expr = &plan.RowExpr{Args: es}
	return inlinable(all, exprs)
}

// cheap reports whether evaluating e twice costs nothing worth saving.
func cheap(e plan.Expr) bool {
	switch x := e.(type) {
	case *plan.ColRef, *plan.Const, *plan.Param:
		return true
	case *plan.Cast:
		return cheap(x.E)
	}
	return false
}

// correlated reports whether e holds a correlated subquery.
func correlated(e plan.Expr) bool {
	found := false
	plan.Walk(e, func(x plan.Expr) bool {
		if s, ok := x.(*plan.Subquery); ok && s.Correlated {
			found = true
		}
		return true
	})
	return found
}
