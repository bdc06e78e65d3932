package exec

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/storage/col"
)

// Column pruning for aggregates over hypertable scans: the binder scans
// every table column, but an aggregate directly over the scan (optionally
// through a Filter) needs only the columns its keys, arguments and filters
// refer to. The scan decodes those and fills the other positions with
// shared all-NULL placeholders of the right length.

// neededCols returns which scan columns n's expressions use, or nil when
// pruning does not apply (a subquery might reach the row by outer
// reference).
func neededCols(n *plan.Agg) (*plan.HyperScan, []bool) {
	if DisableFastAgg {
		return nil, nil
	}
	var exprs []plan.Expr
	in := n.Input
	if f, ok := in.(*plan.Filter); ok {
		exprs = append(exprs, f.Cond)
		in = f.Input
	}
	hs, ok := in.(*plan.HyperScan)
	if !ok {
		return nil, nil
	}
	exprs = append(exprs, hs.Filter)
	exprs = append(exprs, n.Keys...)
	for _, c := range n.Aggs {
		exprs = append(exprs, c.Args...)
		exprs = append(exprs, c.Filter)
		for _, k := range c.OrderBy {
			exprs = append(exprs, k.E)
		}
	}
	need := make([]bool, len(hs.Cols))
	ok = true
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
	if !ok {
		return nil, nil
	}
	return hs, need
}

// placeholder returns a read-only all-NULL vector of kind k and n rows,
// shared by the scan's batches.
func (h *hyperScanOp) placeholder(k col.Kind, n int) *col.Vec {
	for _, v := range h.holders {
		if v.Kind == k && v.Len() == n {
			return v
		}
	}
	v := &col.Vec{Kind: k, Nulls: make([]bool, n)}
	for i := range v.Nulls {
		v.Nulls[i] = true
	}
	switch k {
	case col.Int64:
		v.I64 = make([]int64, n)
	case col.Float64:
		v.F64 = make([]float64, n)
	case col.Bool:
		v.B = make([]bool, n)
	case col.Bytes:
		v.S = make([]string, n)
	default:
		v.A = make([]any, n)
	}
	if len(h.holders) > 8 {
		h.holders = h.holders[1:]
	}
	h.holders = append(h.holders, v)
	return v
}
