package exec

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// A hypertable scan's filter usually repeats the time range the scan
// already reads by (WHERE time >= $1 AND time < $2): the scan skips the
// blocks outside it, but every row of the blocks it reads would still be
// compared with both bounds. A block whose time range lies inside such a
// condition passes it with every row (the time column holds no NULLs), so
// the scan leaves those conditions out for that block: the blocks inside
// a range are filtered only by the rest of the filter, or not at all.

// timeCond is a filter conjunct "time op c" comparing the scan's time
// column with a constant of its type.
type timeCond struct {
	op plan.OpKind
	c  int64
}

// holds reports whether every time in [lo, hi] passes the condition.
func (t *timeCond) holds(lo, hi int64) bool {
	switch t.op {
	case plan.OpLt:
		return hi < t.c
	case plan.OpLe:
		return hi <= t.c
	case plan.OpGt:
		return lo > t.c
	case plan.OpGe:
		return lo >= t.c
	}
	return false
}

// readStats counts how a scan read its blocks beyond storage.ScanStats
// (EXPLAIN ANALYZE).
type readStats struct {
	blocks  int // blocks filtered without some of the time conditions
	workers int // read-ahead workers (scan_ahead.go), 0 when none
}

// splitFilter breaks the scan's filter into conjuncts and recognizes the
// time conditions among them (timeConds, aligned with conjs; nil when
// there are none). A condition whose constant cannot be read here (an
// error evaluating a parameter) is simply kept for every block.
func (h *hyperScanOp) splitFilter() {
	if h.filter == nil {
		return
	}
	h.conjs = appendConjuncts(nil, h.filter)
	ti := h.n.TimeIdx()
	if ti < 0 {
		return
	}
	var conds []*timeCond
	for i, c := range h.conjs {
		tc := h.timeCondOf(c, ti)
		if tc == nil {
			continue
		}
		if conds == nil {
			conds = make([]*timeCond, len(h.conjs))
		}
		conds[i] = tc
	}
	h.timeConds = conds
}

// timeCondOf returns e as a time condition on batch column ti, or nil.
func (h *hyperScanOp) timeCondOf(e plan.Expr, ti int) *timeCond {
	op, ok := e.(*plan.Op)
	if !ok {
		return nil
	}
	switch op.Kind {
	case plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe:
	default:
		return nil
	}
	if op.L.Type().OID != op.R.Type().OID || op.L.Type().Kind() != col.Int64 {
		return nil
	}
	x, c, k := op.L, op.R, op.Kind
	if _, ok := x.(*plan.ColRef); !ok {
		x, c, k = op.R, op.L, k.Flip()
	}
	if r, ok := x.(*plan.ColRef); !ok || r.Idx != ti {
		return nil
	}
	v, ok, err := constValue(h.ctx, c)
	if err != nil || !ok {
		return nil
	}
	n, ok := v.(int64)
	if !ok {
		return nil
	}
	return &timeCond{op: k, c: n}
}

// blockFilter returns the conjuncts of the filter blk's rows must be
// checked against: all of them, less the time conditions every row of
// blk passes by its time range.
func (h *hyperScanOp) blockFilter(blk *storage.BlockMeta) []plan.Expr {
	if h.timeConds == nil || blk.MinTime > blk.MaxTime {
		return h.conjs
	}
	var out []plan.Expr
	dropped := false
	for i, c := range h.conjs {
		if tc := h.timeConds[i]; tc != nil && tc.holds(blk.MinTime, blk.MaxTime) {
			if !dropped {
				out = append(make([]plan.Expr, 0, len(h.conjs)), h.conjs[:i]...)
				dropped = true
			}
			continue
		}
		if dropped {
			out = append(out, c)
		}
	}
	if !dropped {
		return h.conjs
	}
	h.mu.Lock()
	h.readStats.blocks++
	h.mu.Unlock()
	return out
}
