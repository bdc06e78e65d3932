package exec

import (
	"cmp"
	"slices"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// bucketTop keeps the n best distinct time buckets among the rows an
// ordered bucket scan (sql/opt's ordered_buckets rule) has handed to the
// aggregate above it: the latest n for DESC, the earliest for ASC. No
// row outside them can reach the sort's first n groups once there are n.
type bucketTop struct {
	// span returns the bucket [start, end) holding time x; ok is false
	// when it cannot be computed.
	span func(x int64) (start, end int64, ok bool)
	desc bool
	n    int
	ti   int     // position of the time column in the scan's batches
	top  []int64 // distinct bucket starts, best first, at most n
}

// add notes the buckets of the time column of b's rows.
func (t *bucketTop) add(b *col.Batch) {
	v := b.Cols[t.ti]
	if v.Kind != col.Int64 {
		return
	}
	cur, end := int64(0), int64(0) // the last row's bucket [cur, end)
	have := false
	for i, x := range v.I64[:b.Rows()] {
		if v.IsNull(i) || x <= -bucketSafe || x >= bucketSafe {
			continue // such rows only widen the bound: leave them out
		}
		if have && x >= cur && x < end {
			continue
		}
		s, e, ok := t.span(x)
		if !ok {
			continue // such rows only widen the bound: leave them out
		}
		cur, end, have = s, e, true
		t.note(cur)
	}
}

// note adds bucket start s to the best n.
func (t *bucketTop) note(s int64) {
	i, found := slices.BinarySearchFunc(t.top, s, func(e, s int64) int {
		if t.desc { // best first
			return cmp.Compare(s, e)
		}
		return cmp.Compare(e, s)
	})
	if found || i >= t.n {
		return
	}
	t.top = slices.Insert(t.top, i, s)
	if len(t.top) > t.n {
		t.top = t.top[:t.n]
	}
}

// bound is the ordered scan's stopping bound: rows later than it (ASC)
// or earlier (DESC) lie outside the best n buckets. It is known once n
// buckets have been seen.
func (t *bucketTop) bound() (int64, bool) {
	if t.n == 0 || len(t.top) < t.n {
		return 0, false
	}
	s := t.top[t.n-1]
	if t.desc {
		return s, true
	}
	_, e, _ := t.span(s)
	return e - 1, true
}

// trim returns the rows of b (no selection) inside bound, the others
// lying in buckets after the best n: the aggregate need not see them.
func (t *bucketTop) trim(b *col.Batch, bound int64) *col.Batch {
	v := b.Cols[t.ti]
	if v.Kind != col.Int64 {
		return b
	}
	n := b.Rows()
	keep := func(i int, x int64) bool {
		return v.IsNull(i) || (t.desc && x >= bound) || (!t.desc && x <= bound)
	}
	// Count first: most blocks keep all their rows or few of them, and
	// a selection vector sized for the block is garbage at once.
	kept := 0
	for i, x := range v.I64[:n] {
		if keep(i, x) {
			kept++
		}
	}
	if kept == n {
		return b
	}
	sel := make([]int, 0, kept)
	for i, x := range v.I64[:n] {
		if keep(i, x) {
			sel = append(sel, i)
		}
	}
	return b.Gather(sel)
}

// orderBuckets makes h an ordered bucket scan keeping the best n buckets
// of its plan's BucketKey, when the key is a fixed-width time_bucket and
// the time column is decoded; otherwise h reads as before.
func (h *hyperScanOp) orderBuckets(n int) {
	call, ok := h.n.BucketKey.(*plan.Call)
	if !ok {
		return
	}
	span, ok := bucketSpan(call)
	ti := h.n.TimeIdx()
	if !ok || ti < 0 || (h.n.Decode != nil && !h.n.Decode[ti]) || h.ordered {
		return
	}
	desc := h.n.Order == plan.ScanTimeDesc
	h.buckets = &bucketTop{span: span, desc: desc, n: n, ti: ti}
	h.order(desc, h.buckets.bound)
}

// bucketSpan returns the bucket function of an ordered bucket scan's key:
// a fixed-width time_bucket (timestamps or integers) or one of whole
// months over a timestamp or timestamptz (in UTC, as time_bucket
// without a time zone buckets it).
func bucketSpan(call *plan.Call) (func(int64) (int64, int64, bool), bool) {
	fb, ok := asFixedBucket(call)
	if !ok {
		fb, ok = asIntBucket(call)
	}
	if ok {
		return func(x int64) (int64, int64, bool) {
			s := fb.start(x)
			return s, s + fb.period, true
		}, true
	}
	if m, ok := monthWidth(call); ok {
		return func(x int64) (int64, int64, bool) { return funcs.MonthBucket(m, x) }, true
	}
	return nil, false
}

// monthWidth returns the months of time_bucket(interval, t) over a
// timestamp or timestamptz whose constant width is whole months.
func monthWidth(e *plan.Call) (int32, bool) {
	if DisableFastAgg || e.Fn == nil || e.Fn.Name != "time_bucket" || len(e.Args) != 2 || len(e.ArgTypes) != 2 ||
		e.ArgTypes[0].OID != types.OidInterval || e.T.OID != e.ArgTypes[1].OID ||
		(e.T.OID != types.OidTimestamp && e.T.OID != types.OidTimestamptz) {
		return 0, false
	}
	c, ok := e.Args[0].(*plan.Const)
	if !ok {
		return 0, false
	}
	w, ok := c.V.(types.Interval)
	if !ok || w.Months <= 0 || w.Days != 0 || w.Micros != 0 {
		return 0, false
	}
	return w.Months, true
}

// asIntBucket recognizes time_bucket(width, t) over an integer time
// column with a constant positive width: buckets are multiples of width
// (origin 0), as fixedBucket computes them.
func asIntBucket(e *plan.Call) (fixedBucket, bool) {
	if DisableFastAgg || e.Fn == nil || e.Fn.Name != "time_bucket" || len(e.Args) != 2 || len(e.ArgTypes) != 2 ||
		!e.T.IsInteger() || e.ArgTypes[0].OID != e.T.OID || e.ArgTypes[1].OID != e.T.OID {
		return fixedBucket{}, false
	}
	c, ok := e.Args[0].(*plan.Const)
	if !ok {
		return fixedBucket{}, false
	}
	w, ok := c.V.(int64)
	if !ok || w <= 0 || w > bucketSafe/4 {
		return fixedBucket{}, false
	}
	return fixedBucket{period: w}, true
}

// bucketScanBelow returns the scan of an ordered bucket scan read by the
// aggregate op reads (through projections), when the aggregate reads the
// scan directly: a filter between them would drop rows the scan counted.
func bucketScanBelow(op Operator) *hyperScanOp {
	for {
		switch o := unwrapStats(op).(type) {
		case *projectOp:
			op = o.in
		case *aggOp:
			h, ok := unwrapStats(o.in).(*hyperScanOp)
			if !ok || h.n.BucketKey == nil {
				return nil
			}
			return h
		default:
			return nil
		}
	}
}
