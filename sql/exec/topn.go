package exec

import (
	"container/heap"
	"sort"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// ORDER BY ... LIMIT n keeps only the best n rows while it reads (a
// bounded heap), so "the latest 100 rows" needs memory for 100 rows, not
// for the table. When the first sort key is a hypertable's time column,
// the scan below reads chunks and blocks newest first (oldest first for
// ASC) and stops once no further block can hold a row that beats the
// n-th best one: TimescaleDB's ordered ChunkAppend, on block metadata.

// topN is a bounded heap of sort rows, the worst at the root.
type topN struct {
	spec  sortSpec
	limit int
	rows  []topRow
	seq   int // input order, the tie-break that keeps the sort stable
}

type topRow struct {
	sortRow
	seq int
}

func (t *topN) Len() int           { return len(t.rows) }
func (t *topN) Less(i, j int) bool { return t.worse(&t.rows[i], &t.rows[j]) }
func (t *topN) Swap(i, j int)      { t.rows[i], t.rows[j] = t.rows[j], t.rows[i] }
func (t *topN) Push(x any)         { t.rows = append(t.rows, x.(topRow)) }
func (t *topN) Pop() any {
	x := t.rows[len(t.rows)-1]
	t.rows = t.rows[:len(t.rows)-1]
	return x
}

// worse reports whether a sorts after b.
func (t *topN) worse(a, b *topRow) bool {
	if c := t.spec.compare(a.keys, b.keys); c != 0 {
		return c > 0
	}
	return a.seq > b.seq
}

func (t *topN) full() bool { return len(t.rows) >= t.limit }

// add offers the live rows of b with their sort key vectors kv.
func (t *topN) add(b *col.Batch, kv []*col.Vec) {
	if t.limit == 0 {
		return
	}
	k0 := kv[0]
	fast := k0.Kind == col.Int64 && isIntOrdered(t.spec.ts[0])
	for i := 0; i < b.Len(); i++ {
		r := b.Row(i)
		t.seq++
		if t.full() {
			// Most rows lose to the worst kept one on the first key;
			// reject those without boxing anything.
			if fast && !k0.IsNull(r) {
				if w, ok := t.rows[0].keys[0].(int64); ok {
					x := k0.I64[r]
					if t.spec.keys[0].Desc {
						x, w = w, x
					}
					if x > w {
						continue
					}
				}
			}
		}
		keys := make([]any, len(kv))
		for j, v := range kv {
			keys[j] = v.Get(r)
		}
		row := topRow{sortRow: sortRow{keys: keys}, seq: t.seq}
		if t.full() && !t.worse(&t.rows[0], &row) {
			continue
		}
		vals := make([]any, len(b.Cols))
		for j, c := range b.Cols {
			vals[j] = c.Get(r)
		}
		row.row = vals
		if t.full() {
			t.rows[0] = row
			heap.Fix(t, 0)
		} else {
			heap.Push(t, row)
		}
	}
}

// sorted returns the kept rows, best first.
func (t *topN) sorted() [][]any {
	sort.Slice(t.rows, func(i, j int) bool { return t.worse(&t.rows[j], &t.rows[i]) })
	out := make([][]any, len(t.rows))
	for i := range t.rows {
		out[i] = t.rows[i].row
	}
	return out
}

// bound returns the first sort key of the worst kept row once the heap is
// full: no row whose key sorts after it can enter any more.
func (t *topN) bound() (int64, bool) {
	if !t.full() || t.limit == 0 {
		return 0, false
	}
	v, ok := t.rows[0].keys[0].(int64)
	return v, ok
}

// isIntOrdered reports whether values of t order as their int64 form.
func isIntOrdered(t types.T) bool {
	switch t.OID {
	case types.OidInt2, types.OidInt4, types.OidInt8, types.OidTimestamp, types.OidTimestamptz:
		return true
	}
	return false
}

// setLimit makes the sort keep only its best n rows and, when sql/opt
// ordered the hypertable scan below by the sort's first key (an ordered
// scan), hands the scan the bound it stops at; under an aggregate by
// time bucket (an ordered bucket scan), the scan bounds itself by the
// best n buckets it has read.
func (s *sortOp) setLimit(n int64) {
	if n < 0 || n > 1<<20 {
		return
	}
	s.top = &topN{spec: newSortSpec(s.n.Keys), limit: int(n)}
	if h := scanBelow(s.in); h != nil && h.n.Order != plan.ScanAnyOrder {
		h.order(h.n.Order == plan.ScanTimeDesc, s.top.bound)
	} else if h := bucketScanBelow(s.in); h != nil {
		h.orderBuckets(int(n))
	}
}

// scanBelow returns the hypertable scan op reads through projections and
// filters, or nil.
func scanBelow(op Operator) *hyperScanOp {
	for {
		switch o := unwrapStats(op).(type) {
		case *hyperScanOp:
			return o
		case *filterOp:
			op = o.in
		case *projectOp:
			op = o.in
		default:
			return nil
		}
	}
}
