package opt

import "github.com/tsgres/tsgres/sql/plan"

// metadataAnswers: count, sum, avg, min and max over a hypertable scan
// can take a whole block from its metadata when the block lies inside
// the time range and holds a single group. The shape that allows it:
// the aggregate reads the scan directly or through a Filter whose
// conjuncts (and the scan's own filter's) each compare the time column
// with a constant or parameter; every group key is a column or a
// time_bucket of the time column; every aggregate is a plain count(*)
// or one of the five over a column. The executor still checks what only
// the data or the run can tell: the parameters' values, each column's
// storage kind and bucket width, and, block by block, the range and the
// single group.
func metadataAnswers(n plan.Node) {
	a, hs, cond := aggOverScan(n)
	if a == nil {
		return
	}
	timeIdx := hs.TimeIdx()
	for _, c := range []plan.Expr{cond, hs.Filter} {
		if c != nil && !timeBounds(c, timeIdx) {
			return
		}
	}
	for _, k := range a.Keys {
		switch x := k.(type) {
		case *plan.ColRef:
			if x.Idx < 0 || x.Idx >= len(hs.ColIdx) {
				return
			}
		case *plan.Call:
			if x.Fn == nil || x.Fn.Name != "time_bucket" || len(x.Args) != 2 {
				return
			}
			if cr, isCol := x.Args[1].(*plan.ColRef); !isCol || cr.Idx != timeIdx || timeIdx < 0 {
				return
			}
		default:
			return
		}
	}
	for _, c := range a.Aggs {
		if c.Distinct || c.Filter != nil || len(c.OrderBy) > 0 || len(c.Direct) > 0 {
			return
		}
		switch c.Agg.Name {
		case "count", "sum", "avg", "min", "max":
		default:
			return
		}
		if c.Star {
			continue
		}
		if len(c.Args) != 1 {
			return
		}
		if cr, isCol := c.Args[0].(*plan.ColRef); !isCol || cr.Idx < 0 || cr.Idx >= len(hs.ColIdx) {
			return
		}
	}
	a.FromMetadata = true
}

// timeBounds reports whether every conjunct of cond compares the time
// column (scan position timeIdx) with a constant or parameter of its
// type.
func timeBounds(cond plan.Expr, timeIdx int) bool {
	op, ok := cond.(*plan.Op)
	if !ok {
		return false
	}
	if op.Kind == plan.OpAnd {
		return timeBounds(op.L, timeIdx) && timeBounds(op.R, timeIdx)
	}
	switch op.Kind {
	case plan.OpEq, plan.OpGe, plan.OpGt, plan.OpLe, plan.OpLt:
	default:
		return false
	}
	l, r := op.L, op.R
	if _, ok := l.(*plan.ColRef); !ok {
		l, r = r, l
	}
	cr, ok := l.(*plan.ColRef)
	if !ok || cr.Idx != timeIdx || timeIdx < 0 || r == nil || r.Type().OID != cr.T.OID {
		return false
	}
	switch r.(type) {
	case *plan.Const, *plan.Param:
		return true
	}
	return false
}
