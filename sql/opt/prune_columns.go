package opt

import "github.com/tsgres/tsgres/sql/plan"

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
