package opt

import "github.com/tsgres/tsgres/sql/plan"

// rule records one optimizer decision on node n when n has its shape.
type rule struct {
	name  string
	apply func(n plan.Node)
}

// rules run in this order on every node, parents before children.
var rules = []rule{
	{"prune_columns", pruneColumns},
	{"metadata_answers", metadataAnswers},
	{"ordered_scan", orderedScan},
	{"parallel_agg", parallelAgg},
}

// Optimize returns the physical plan for the bound plan n: the last_value
// rule first replaces latest-row-per-series shapes, then every other rule
// visits every node, including the plans of subqueries and CTEs.
func Optimize(n plan.Node) plan.Node {
	n = lastValue(n)
	n = replaceEach(n, fuseFilter)
	plan.VisitNodes(n, func(x plan.Node) {
		for _, r := range rules {
			r.apply(x)
		}
	})
	return n
}

// replaceEach replaces every node x of the plan rooted at n, including
// subquery and CTE plans, by f(x), parents first, and returns the new root.
func replaceEach(n plan.Node, f func(plan.Node) plan.Node) plan.Node {
	n = f(n)
	plan.VisitNodes(n, func(x plan.Node) {
		plan.MapInputs(x, f)
		for _, e := range plan.NodeExprs(x) {
			plan.Walk(e, func(e plan.Expr) bool {
				if s, ok := e.(*plan.Subquery); ok {
					s.Plan = f(s.Plan)
				}
				return true
			})
		}
	})
	return n
}

// aggOverScan returns n when it is an aggregate reading a hypertable scan
// directly or through one Filter, with the scan and that filter's
// condition (nil when none); a nil aggregate otherwise.
func aggOverScan(n plan.Node) (*plan.Agg, *plan.HyperScan, plan.Expr) {
	a, ok := n.(*plan.Agg)
	if !ok {
		return nil, nil, nil
	}
	var cond plan.Expr
	in := a.Input
	if f, ok := in.(*plan.Filter); ok {
		cond, in = f.Cond, f.Input
	}
	hs, ok := in.(*plan.HyperScan)
	if !ok || hs.Table == nil || hs.Table.Hyper == nil {
		return nil, nil, nil
	}
	return a, hs, cond
}
