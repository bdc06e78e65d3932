package exec

import (
	"cmp"
	"slices"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/storage/col"
)

// bucketTop keeps the n best distinct time buckets among the rows an
// ordered bucket scan (sql/opt's ordered_buckets rule) has handed to the
// aggregate above it: the latest n for DESC, the earliest for ASC. No
// row outside them can reach the sort's first n groups once there are n.
type bucketTop struct {
	fb   fixedBucket
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
		cur = t.fb.start(x)
		end, have = cur+t.fb.period, true
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
	return s + t.fb.period - 1, true
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
	fb, ok := asFixedBucket(call)
	ti := h.n.TimeIdx()
	if !ok || ti < 0 || (h.n.Decode != nil && !h.n.Decode[ti]) || h.ordered {
		return
	}
	desc := h.n.Order == plan.ScanTimeDesc
	h.buckets = &bucketTop{fb: fb, desc: desc, n: n, ti: ti}
	h.order(desc, h.buckets.bound)
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
