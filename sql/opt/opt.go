package opt

import "github.com/tsgres/tsgres/sql/plan"

// rule records one optimizer decision on node n when n has its shape.
type rule struct {
	name  string
	apply func(n plan.Node)
}

// rules run in this order on every node, parents before children, once
// fuse_filter, index_sort and index_scan have replaced the node.
var rules = []rule{
	{"index_order", indexOrder},
	{"index_join", indexJoin},
	{"prune_columns", pruneColumns},
	{"metadata_answers", metadataAnswers},
	{"ordered_scan", orderedScan},
	{"ordered_buckets", orderedBuckets},
	{"parallel_agg", parallelAgg},
}

// Optimize returns the physical plan for the bound plan n. The
// last_value rule first replaces latest-row-per-series shapes and the
// key_sets rule pushes key sets into hypertable scans; then one
// walk over every node, including the plans of subqueries and CTEs, lets
// fuse_filter, index_sort and index_scan replace the node and every
// other rule record its decision.
func Optimize(n plan.Node) plan.Node { return OptimizeWith(n, Config{}) }

// Config holds the planner settings of a session.
type Config struct {
	// NoIndexScans turns the index rules (key_lookup, index_scan,
	// index_order, index_join) off: every regular table is read whole (SET
	// enable_indexscan = off).
	NoIndexScans bool
}

// OptimizeWith is Optimize under the session's planner settings c.
func OptimizeWith(n plan.Node, c Config) plan.Node {
	out := mapPlan(keySets(lastValue(n)), func(x plan.Node) plan.Node {
		x = fuseFilter(x)
		if !c.NoIndexScans {
			x = indexScan(indexSort(x))
		}
		for _, r := range rules {
			if c.NoIndexScans && (r.name == "index_order" || r.name == "index_join") {
				continue
			}
			r.apply(x)
		}
		return x
	})
	if !c.NoIndexScans {
		applyLate(out, map[*plan.CTE]bool{})
	}
	return out
}

// mapPlan replaces every node x of n, including the plans of subqueries
// and CTEs (each CTE once), by f(x), parents before children (f sees a
// node before its inputs are replaced), and returns the new root.
func mapPlan(n plan.Node, f func(plan.Node) plan.Node) plan.Node {
	seen := map[*plan.CTE]bool{}
	var visit func(plan.Node) plan.Node
	visit = func(x plan.Node) plan.Node {
		if r, ok := x.(*plan.CTERef); ok {
			if seen[r.CTE] {
				return x
			}
			seen[r.CTE] = true
		}
		x = f(x)
		eachSubquery(x, func(s *plan.Subquery) { s.Plan = visit(s.Plan) })
		plan.MapInputs(x, visit)
		return x
	}
	return visit(n)
}

// eachSubquery calls f with each subquery in the expressions node n
// evaluates itself (plan.EachNodeExpr), outermost first.
func eachSubquery(n plan.Node, f func(*plan.Subquery)) {
	plan.EachNodeExpr(n, func(e plan.Expr) {
		plan.Walk(e, func(e plan.Expr) bool {
			if s, ok := e.(*plan.Subquery); ok {
				f(s)
			}
			return true
		})
	})
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
