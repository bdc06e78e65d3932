package opt

import "github.com/tsgres/tsgres/sql/plan"

// parallelAgg: an aggregate directly over a hypertable scan may read the
// scan's blocks on several goroutines, each folding into its own typed
// accumulators, merged at the end. A Filter right above a scan without a
// filter of its own counts as the scan's: the executor applies it to each
// block as it is decoded. Every expression the workers evaluate (group
// keys, aggregate arguments, the scan's filter) must be free of
// per-statement caches. The executor runs it in parallel only when the
// aggregation is typed, the process has two or more CPUs and the scan
// lists enough blocks.
func parallelAgg(n plan.Node) {
	a, hs, cond := aggOverScan(n)
	if a == nil || cond != nil && hs.Filter != nil || !parallelSafe(cond) || !parallelSafe(hs.Filter) {
		return
	}
	for _, k := range a.Keys {
		if !parallelSafe(k) {
			return
		}
	}
	for _, c := range a.Aggs {
		for _, e := range c.Args {
			if !parallelSafe(e) {
				return
			}
		}
	}
	a.Parallel = true
}

// parallelSafe reports whether e can be evaluated by several goroutines
// sharing one execution context: no subqueries, outer references,
// pattern caches or volatile functions.
func parallelSafe(e plan.Expr) bool {
	safe := true
	plan.Walk(e, func(x plan.Expr) bool {
		switch x := x.(type) {
		case *plan.ColRef, *plan.Const, *plan.Param, *plan.IsNull, *plan.BoolTest, *plan.Cast,
			*plan.Case, *plan.Coalesce, *plan.NullIf, *plan.MinMax, *plan.InList:
		case *plan.Call:
			safe = safe && !x.Fn.Volatile
		case *plan.Op:
			switch x.Kind {
			case plan.OpRegexMatch, plan.OpRegexIMatch, plan.OpRegexNMatch, plan.OpRegexNIMatch:
				safe = false
			}
		default:
			safe = false
		}
		return safe
	})
	return safe
}
