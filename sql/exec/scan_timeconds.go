package exec

import (
	"slices"
	"sort"
	"sync"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Time conditions per block. A hypertable scan's filter usually repeats
// the time range the scan already reads by (WHERE time >= $1 AND time <
// $2): the scan skips the blocks outside it, but every row of the blocks
// it reads would still be compared with both bounds. Two things spare
// that work, block by block:
//
//   - A block whose metadata time range lies inside a condition passes
//     it with every row (the time column holds no NULLs): the condition
//     is left out for that block. EXPLAIN ANALYZE: "Blocks inside the
//     time conditions".
//   - A block whose time column is monotone (a compressed segment's
//     block, ordered by compress_orderby, time DESC by default; a sealed
//     block of one series) holds the rows satisfying the remaining
//     conditions as one contiguous run: the scan finds it by binary
//     search and cuts the block to it without copying. EXPLAIN ANALYZE:
//     "Time conditions by block order: N blocks  Rows cut: M".
//
// Only the filter's other conjuncts are then evaluated, or none. Other
// blocks (unsorted delta blocks, blocks shared by small segments) take
// the general filter path.

// DisableTimeOrder turns the binary search by block order off (tests and
// benchmarks compare the two paths).
var DisableTimeOrder = false

// timeCond is one conjunct of a scan filter comparing the time column
// with a constant: time op c.
type timeCond struct {
	op   plan.OpKind
	c    int64
	expr plan.Expr // the conjunct, for blocks that must evaluate it
}

// timeConds holds a scan filter split into the conjuncts comparing the
// time column with a constant and the rest, computed at the first block
// (bound parameters are known by then).
type timeConds struct {
	once  sync.Once
	err   error
	pos   int // output position of the time column; -1: none decoded
	conds []timeCond
	rest  []plan.Expr // the other conjuncts, in order
}

// readStats counts how a hypertable scan read its blocks beyond
// storage.ScanStats (EXPLAIN ANALYZE).
type readStats struct {
	inside  int // blocks that left out time conditions by their metadata
	ordered int // blocks cut by binary search on their time order
	rowsCut int // rows the binary search cut off
	workers int // read-ahead workers (scan_ahead.go), 0 when none
}

// timePos returns the output position of the hypertable's time column
// when the scan decodes it, or -1.
func (h *hyperScanOp) timePos() int {
	ti := h.n.TimeIdx()
	if ti < 0 || h.pos == nil || slices.Contains(h.pos, ti) {
		return ti
	}
	return -1
}

// split prepares t from filter: the conjuncts "time op constant" (either
// side) on an int64 time column, and the rest.
func (t *timeConds) split(ctx *Ctx, filter plan.Expr, pos int) {
	t.pos = pos
	for _, c := range appendConjuncts(nil, filter) {
		if tc, ok, err := t.timeCond(ctx, c); err != nil {
			t.err = err
			return
		} else if ok {
			t.conds = append(t.conds, tc)
			continue
		}
		t.rest = append(t.rest, c)
	}
}

// timeCond reports whether e compares the time column with an int64
// constant, and how.
func (t *timeConds) timeCond(ctx *Ctx, e plan.Expr) (timeCond, bool, error) {
	op, ok := e.(*plan.Op)
	if !ok || t.pos < 0 {
		return timeCond{}, false, nil
	}
	switch op.Kind {
	case plan.OpEq, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe:
	default:
		return timeCond{}, false, nil
	}
	x, k, other := op.L, op.Kind, op.R
	if _, isCol := x.(*plan.ColRef); !isCol {
		x, k, other = op.R, op.Kind.Flip(), op.L
	}
	ref, isCol := x.(*plan.ColRef)
	if !isCol || ref.Idx != t.pos || !sameOrder(op.L.Type(), op.R.Type()) {
		return timeCond{}, false, nil
	}
	c, ok, err := constValue(ctx, other)
	if err != nil || !ok {
		return timeCond{}, false, err
	}
	v, ok := c.(int64)
	if !ok {
		return timeCond{}, false, nil
	}
	return timeCond{op: k, c: v, expr: e}, true, nil
}

// sameOrder reports whether values of types a and b are int64s that
// compare as plain integers: the same type, or two integer types.
func sameOrder(a, b types.T) bool {
	if a.Kind() != col.Int64 || b.Kind() != col.Int64 {
		return false
	}
	return a.OID == b.OID || (a.IsInteger() && b.IsInteger())
}

// holds reports whether time value x satisfies the condition.
func (c timeCond) holds(x int64) bool {
	switch c.op {
	case plan.OpEq:
		return x == c.c
	case plan.OpLt:
		return x < c.c
	case plan.OpLe:
		return x <= c.c
	case plan.OpGt:
		return x > c.c
	}
	return x >= c.c
}

// holdsAll reports whether every time in [lo, hi] satisfies the condition.
func (c timeCond) holdsAll(lo, hi int64) bool {
	if c.op == plan.OpEq {
		return lo == c.c && hi == c.c
	}
	return c.holds(lo) && c.holds(hi) // the other operators are monotone
}

// rowRange returns the rows [lo, hi) of ts, monotone (ascending when asc,
// else descending), that satisfy c.
func (c timeCond) rowRange(ts []int64, asc bool) (lo, hi int) {
	n := len(ts)
	if c.op == plan.OpEq { // both bounds
		lo, hi = timeCond{op: plan.OpGe, c: c.c}.rowRange(ts, asc)
		l, u := timeCond{op: plan.OpLe, c: c.c}.rowRange(ts, asc)
		lo, hi = max(lo, l), min(hi, u)
		return lo, max(lo, hi)
	}
	upper := c.op == plan.OpGt || c.op == plan.OpGe
	if upper == asc { // the rows that hold are a suffix
		return sort.Search(n, func(i int) bool { return c.holds(ts[i]) }), n
	}
	return 0, sort.Search(n, func(i int) bool { return !c.holds(ts[i]) })
}

// monotone reports whether ts is sorted ascending or descending, and
// which (a constant run counts as ascending).
func monotone(ts []int64) (ok, asc bool) {
	if len(ts) < 2 || ts[0] <= ts[len(ts)-1] {
		for i := 1; i < len(ts); i++ {
			if ts[i] < ts[i-1] {
				return false, false
			}
		}
		return true, true
	}
	for i := 1; i < len(ts); i++ {
		if ts[i] > ts[i-1] {
			return false, false
		}
	}
	return true, false
}

// filterBlock applies the scan's filter to b, rows of blk, as the file
// comment describes. When b was decoded into the scan's own buffer (Next,
// whose batches outlive the next decode) or a read-ahead worker's (whose
// batches wait while it decodes the next block), vectors of b held by buf
// are copied when cut; a parallel aggregation reader's buffer (drain) is
// not, its batch being folded in first.
func (h *hyperScanOp) filterBlock(blk *storage.BlockMeta, b *col.Batch, buf *storage.ReadBuf) (*col.Batch, error) {
	t := &h.tconds
	t.once.Do(func() { t.split(h.ctx, h.filter, h.timePos()) })
	if t.err != nil {
		return nil, t.err
	}
	if len(t.conds) == 0 {
		return filterConds(h.ctx, t.rest, b)
	}
	var openBuf [4]timeCond
	open := openBuf[:0]
	known := blk != nil && blk.MinTime <= blk.MaxTime
	for _, c := range t.conds {
		if !known || !c.holdsAll(blk.MinTime, blk.MaxTime) {
			open = append(open, c)
		}
	}
	inside := len(open) < len(t.conds)
	var cut, ordered bool
	// shared lists the vectors of a cut block that are slices of buf's,
	// left uncopied while other conjuncts still filter the block.
	var shared []*col.Vec
	if len(open) > 0 {
		b, shared, cut = h.cutByTimeOrder(b, buf, open, len(t.rest) > 0)
		if cut {
			ordered, open = true, nil
		}
	}
	if inside || ordered {
		h.mu.Lock()
		if inside {
			h.readStats.inside++
		}
		if ordered {
			h.readStats.ordered++
		}
		h.mu.Unlock()
	}
	if len(open) == 0 {
		if len(t.rest) == 0 || b.Rows() == 0 {
			return b, nil
		}
		b, err := filterConds(h.ctx, t.rest, b)
		if err == nil && shared != nil {
			// Compaction copied the rows of a block some rows failed;
			// the vectors of one every row passed are still buf's.
			for i, v := range b.Cols {
				if v == shared[i] {
					b.Cols[i] = v.Clone()
				}
			}
		}
		return b, err
	}
	conds := make([]plan.Expr, 0, len(open)+len(t.rest))
	for _, c := range open {
		conds = append(conds, c.expr)
	}
	return filterConds(h.ctx, append(conds, t.rest...), b)
}

// cutByTimeOrder cuts b (no selection) to the rows satisfying conds when
// its time column is monotone; ok is false when it is not. The cut
// vectors that are slices of buf's (which the next block's decode
// overwrites) are copied, unless more filtering follows (more): then
// they are returned as shared, for the caller to copy those that the
// filter's compaction did not.
func (h *hyperScanOp) cutByTimeOrder(b *col.Batch, buf *storage.ReadBuf, conds []timeCond, more bool) (_ *col.Batch, shared []*col.Vec, ok bool) {
	if b.Sel != nil || DisableTimeOrder {
		return b, nil, false
	}
	n := b.Rows()
	tv := b.Cols[h.tconds.pos]
	if tv.Kind != col.Int64 || tv.Nulls != nil || len(tv.I64) < n {
		return b, nil, false
	}
	ts := tv.I64[:n]
	sorted, asc := monotone(ts)
	if !sorted {
		return b, nil, false
	}
	lo, hi := 0, n
	for _, c := range conds {
		l, u := c.rowRange(ts, asc)
		lo, hi = max(lo, l), min(hi, u)
	}
	hi = max(lo, hi)
	h.mu.Lock()
	h.readStats.rowsCut += n - (hi - lo)
	h.mu.Unlock()
	if lo > 0 || hi < n {
		vecs := make([]*col.Vec, len(b.Cols))
		for i, v := range b.Cols {
			vecs[i] = v.Slice(lo, hi)
			if buf != nil && (buf == h.buf || h.ahead != nil) && buf.Holds(v) {
				if !more {
					vecs[i] = vecs[i].Clone()
				} else {
					if shared == nil {
						shared = make([]*col.Vec, len(b.Cols))
					}
					shared[i] = vecs[i]
				}
			}
		}
		b = col.FromVecs(vecs, hi-lo)
	}
	return b, shared, true
}
