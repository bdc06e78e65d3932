package opt

import (
	"math"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// Chunk exclusion: the conjuncts of a WHERE clause or of an inner join's
// ON condition that bound a hypertable's time column ("time > now() -
// interval '1 hour'", "time = $1", "time::date <= '2024-01-02'") narrow
// the scan's time bounds (plan.HyperScan.TimeMin and TimeMax), and the
// scan then reads only the chunks overlapping them. The same pass hands
// every other column-vs-constant conjunct to block_predicates. Filter
// pushdown (push_filters.go) narrows a scan again with the conditions it
// moves down to it, including bounds on time_bucket of the time column.
//
// The binder calls NarrowScans and LookupChunks (plan.Rewriter) where it
// has bound a FROM list's WHERE, an inner join's ON condition, or an
// UPDATE/DELETE target and source; every hypertable scan the binder makes
// gets its chunk list this way, with the optimizer on or off.

// scanAt is a hypertable scan in a FROM tree being narrowed: off is the
// position of its first column in the row a condition reads, lo and hi
// the time bounds found so far.
type scanAt struct {
	scan   *plan.HyperScan
	off    int
	timeIx int
	lo, hi int64
}

// fromScans appends the hypertable scans of FROM tree n (reached through
// joins only: subqueries and views are query blocks of their own) with
// their offsets in n's row plus off.
func fromScans(n plan.Node, off int, out []*scanAt) []*scanAt {
	switch x := n.(type) {
	case *plan.HyperScan:
		out = append(out, &scanAt{scan: x, off: off, timeIx: x.TimeIdx(), lo: x.TimeMin, hi: x.TimeMax})
	case *plan.Join:
		out = fromScans(x.Left, off, out)
		out = fromScans(x.Right, off+len(x.Left.Columns()), out)
	}
	return out
}

// narrow applies the conjuncts of cond to the time bounds and block
// predicates of scans.
func narrow(env Env, scans []*scanAt, cond plan.Expr) error {
	for _, c := range plan.Conjuncts(cond) {
		op, ok := c.(*plan.Op)
		if !ok || op.Kind < plan.OpEq || op.Kind > plan.OpGe || op.Kind == plan.OpNe {
			continue
		}
		kind, col, val := op.Kind, op.L, op.R
		if _, isCol := col.(*plan.ColRef); !isCol {
			kind, col, val = kind.Flip(), op.R, op.L
		}
		cr, isCol := col.(*plan.ColRef)
		if !isCol || !foldable(val) {
			continue
		}
		for _, h := range scans {
			i := cr.Idx - h.off
			if i < 0 || i >= len(h.scan.Cols) {
				continue
			}
			if cr.T.OID != val.Type().OID {
				continue
			}
			v, ok, err := env.EvalConst(val)
			if err != nil {
				return err
			}
			if !ok || v == nil {
				continue
			}
			if i == h.timeIx {
				h.timeBound(kind, cr.T, v)
				continue
			}
			if p, ok := blockPredicate(&h.scan.Table.Cols[h.scan.ColIdx[i]], kind, v); ok {
				h.scan.Preds = append(h.scan.Preds, p)
			}
		}
	}
	return nil
}

// timeBound narrows h's bounds by "time kind v".
func (h *scanAt) timeBound(kind plan.OpKind, t types.T, v any) {
	tv, ok := v.(int64)
	if !ok {
		return
	}
	if t.OID == types.OidDate {
		tv *= types.MicrosPerDay
		if kind == plan.OpLe || kind == plan.OpEq {
			// the whole day is included
			if kind == plan.OpEq {
				h.lo = max(h.lo, tv)
			}
			h.hi = min(h.hi, tv+types.MicrosPerDay-1)
			return
		}
	}
	switch kind {
	case plan.OpEq:
		h.lo, h.hi = max(h.lo, tv), min(h.hi, tv)
	case plan.OpGt:
		if tv < math.MaxInt64 {
			h.lo = max(h.lo, tv+1)
		}
	case plan.OpGe:
		h.lo = max(h.lo, tv)
	case plan.OpLt:
		if tv > math.MinInt64 {
			h.hi = min(h.hi, tv-1)
		}
	case plan.OpLe:
		h.hi = min(h.hi, tv)
	}
}

// bucketBound narrows h's time bounds by a condition on the time bucket
// of its time column, "time_bucket(w, time) op c" (what a filter on a
// real-time continuous aggregate's bucket becomes on the raw scan): with
// the default origin, bucket >= c holds exactly for time >= the first
// bucket boundary at or after c, and bucket < c for time before it.
func bucketBound(env Env, h *scanAt, cond plan.Expr) error {
	op, ok := cond.(*plan.Op)
	if !ok || op.Kind < plan.OpLt || op.Kind > plan.OpGe {
		return nil
	}
	kind, call, val := op.Kind, op.L, op.R
	if _, isCall := call.(*plan.Call); !isCall {
		kind, call, val = kind.Flip(), op.R, op.L
	}
	fc, ok := call.(*plan.Call)
	if !ok || fc.Fn.Name != "time_bucket" || len(fc.Args) != 2 || !foldable(val) || !foldable(fc.Args[0]) {
		return nil
	}
	cr, ok := fc.Args[1].(*plan.ColRef)
	if !ok || cr.Idx != h.timeIx || (cr.T.OID != types.OidTimestamptz && cr.T.OID != types.OidTimestamp) || val.Type().OID != cr.T.OID {
		return nil
	}
	wv, ok, err := env.EvalConst(fc.Args[0])
	if err != nil || !ok {
		return err
	}
	iv, isIv := wv.(types.Interval)
	v, ok, err := env.EvalConst(val)
	if err != nil || !ok {
		return err
	}
	c, isTime := v.(int64)
	w := types.IntervalMicros(iv)
	if !isIv || iv.Months != 0 || w <= 0 || !isTime || c > math.MaxInt64-w || c < math.MinInt64+w {
		return nil
	}
	if kind == plan.OpGt || kind == plan.OpLe {
		c++ // bucket > c is bucket >= c+1; bucket <= c is bucket < c+1
	}
	edge := plan.BucketCeil(c, w)
	if kind == plan.OpGe || kind == plan.OpGt {
		h.lo = max(h.lo, edge)
	} else {
		h.hi = min(h.hi, edge-1)
	}
	return nil
}

// lookupChunks sets s's time bounds to h's and its chunk list to the
// hypertable's chunks overlapping them.
func lookupChunks(env Env, s *plan.HyperScan, lo, hi int64) {
	s.TimeMin, s.TimeMax = lo, hi
	if lo > hi {
		_, total := env.Chunks(s.Table, 1, 0)
		s.Chunks, s.Total, s.Excluded = nil, total, total
		return
	}
	s.Chunks, s.Total = env.Chunks(s.Table, lo, hi)
	s.Excluded = s.Total
	for _, c := range s.Chunks {
		if c.MergedInto == 0 { // rolled-up chunks are scanned but not counted
			s.Excluded--
		}
	}
}

// foldable reports whether e has no column references, subqueries or
// volatile calls, so it can be evaluated while planning.
func foldable(e plan.Expr) bool {
	ok := true
	plan.Walk(e, func(x plan.Expr) bool {
		switch c := x.(type) {
		case *plan.ColRef, *plan.OuterRef, *plan.Subquery:
			ok = false
		case *plan.Call:
			if c.Fn.Volatile {
				ok = false
			}
		}
		return ok
	})
	return ok
}
