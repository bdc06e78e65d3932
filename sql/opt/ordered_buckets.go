package opt

import (
	"github.com/tsgres/tsgres/sql/plan"
)

// orderedBuckets: under LIMIT n, a sort whose first key is an
// aggregate's group key time_bucket(width, time) over a hypertable scan
// needs only the groups of the n best buckets. The scan then reads
// chunks and blocks by time (newest first for DESC) and, once it has
// produced rows of n distinct buckets, skips every block whose times all
// fall before the n-th best bucket's start (DESC) or after its end
// (ASC): no row there can belong to one of the n buckets, and every row
// that can is in a block not skipped, so the n buckets' groups are
// complete whatever the blocks' overlap. The bound only tightens as more
// buckets are seen, and is taken from rows that reach the aggregate, so
// a filter in the scan is fine.
//
// The shape: Limit over Sort, the sort key followed through projections
// (a HAVING filter would drop groups, so none may sit between) to a
// group key of an aggregate that reads the scan through filters only,
// the key being a two-argument time_bucket with a constant width over
// the scan's timestamp, timestamptz or integer time column. The executor
// checks the rest (a fixed width or whole months, the scan's filters
// are in it).
func orderedBuckets(n plan.Node) {
	s, cr := limitedSort(n)
	if s == nil {
		return
	}
	a, i := aggSource(s.Input, cr.Idx)
	if a == nil || a.Grand || i < 0 || i >= len(a.Keys) {
		return
	}
	in := a.Input
	for f, ok := in.(*plan.Filter); ok; f, ok = in.(*plan.Filter) {
		in = f.Input
	}
	hs, ok := in.(*plan.HyperScan)
	if !ok || hs.Table == nil || hs.Table.Hyper == nil || hs.Order != plan.ScanAnyOrder {
		return
	}
	call, ok := a.Keys[i].(*plan.Call)
	if !ok || call.Fn == nil || call.Fn.Name != "time_bucket" || len(call.Args) != 2 {
		return
	}
	if _, ok := call.Args[0].(*plan.Const); !ok {
		return
	}
	tc, ok := call.Args[1].(*plan.ColRef)
	ti := hs.TimeIdx()
	if !ok || ti < 0 || tc.Idx != ti {
		return
	}
	if !timeOrderable(hs.Cols[ti].T) {
		return
	}
	hs.Order = scanTimeOrder(s.Keys[0].Desc)
	hs.BucketKey = call
}

// aggSource follows output column i of n down through projections to
// the aggregate producing it, returning the aggregate and the column's
// position among its outputs (group keys first).
func aggSource(n plan.Node, i int) (*plan.Agg, int) {
	for {
		switch x := n.(type) {
		case *plan.Agg:
			return x, i
		case *plan.Project:
			if i < 0 || i >= len(x.Exprs) {
				return nil, 0
			}
			cr, ok := x.Exprs[i].(*plan.ColRef)
			if !ok {
				return nil, 0
			}
			n, i = x.Input, cr.Idx
		default:
			return nil, 0
		}
	}
}
