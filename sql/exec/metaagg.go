package exec

import (
	"math"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Aggregates from block metadata. An aggregate without GROUP BY directly
// over a hypertable scan (optionally under a filter that only bounds the
// time column by constants) answers count/sum/avg/min/max over every block
// lying entirely inside the time range from the block's metadata, without
// reading its columns. The scan hands each block to the aggregate first
// (blockHook); blocks the aggregate cannot take are decoded as usual and
// pass through the filter and the ordinary aggregation.

// DisableMetaAgg turns the metadata shortcut off (differential tests and
// benchmarks compare both paths).
var DisableMetaAgg = false

// blockHook may consume a whole block; it returns true when it did, and
// the scan then skips reading the block.
type blockHook func(blk *storage.BlockMeta) bool

// metaArg is how one aggregate's argument is read from block metadata.
type metaArg struct {
	star   bool
	colID  uint32
	kind   col.Kind // storage kind the column is stored with
	minMax bool     // min/max datums in metadata equal the SQL datums
}

// metaAgg holds what the metadata shortcut needs for one aggregate node.
type metaAgg struct {
	scan   *plan.HyperScan
	lo, hi int64 // inclusive time bounds implied by the filter
	args   []metaArg
	stats  []funcs.ColumnStats
	blocks int // blocks answered from metadata
}

// planMetaAgg returns the metadata shortcut for n, or nil when n does not
// have the supported shape.
func planMetaAgg(ctx *Ctx, n *plan.Agg) *metaAgg {
	if DisableMetaAgg || len(n.Keys) != 0 {
		return nil
	}
	var cond plan.Expr
	in := n.Input
	if f, ok := in.(*plan.Filter); ok {
		cond, in = f.Cond, f.Input
	}
	hs, ok := in.(*plan.HyperScan)
	if !ok || hs.Table == nil || hs.Table.Hyper == nil {
		return nil
	}
	m := &metaAgg{scan: hs, lo: storage.MinTime, hi: storage.MaxTime}
	timeIdx := -1
	for i, ci := range hs.ColIdx {
		if ci >= 0 && ci < len(hs.Table.Cols) && hs.Table.Cols[ci].ID == hs.Table.Hyper.TimeCol {
			timeIdx = i
		}
	}
	for _, c := range []plan.Expr{cond, hs.Filter} {
		if c != nil && !m.bound(ctx, c, timeIdx) {
			return nil
		}
	}
	for _, c := range n.Aggs {
		if c.Distinct || c.Filter != nil || len(c.OrderBy) > 0 || len(c.Direct) > 0 {
			return nil
		}
		switch c.Agg.Name {
		case "count", "sum", "avg", "min", "max":
		default:
			return nil
		}
		if c.Star {
			m.args = append(m.args, metaArg{star: true})
			continue
		}
		if len(c.Args) != 1 {
			return nil
		}
		cr, ok := c.Args[0].(*plan.ColRef)
		if !ok || cr.Idx < 0 || cr.Idx >= len(hs.ColIdx) {
			return nil
		}
		tc := &hs.Table.Cols[hs.ColIdx[cr.Idx]]
		m.args = append(m.args, metaArg{colID: tc.ID, kind: StorageKind(tc.Type), minMax: metaMinMaxType(tc.Type)})
	}
	m.stats = make([]funcs.ColumnStats, len(m.args))
	return m
}

// metaMinMaxType reports whether min/max of type t can be taken from
// block metadata: its executor datum is the stored datum and compares the
// same way.
func metaMinMaxType(t types.T) bool {
	switch t.OID {
	case types.OidInt2, types.OidInt4, types.OidInt8, types.OidFloat4, types.OidFloat8,
		types.OidTimestamp, types.OidTimestamptz, types.OidDate, types.OidTime, types.OidBool,
		types.OidText, types.OidVarchar:
		return t.Kind() == StorageKind(t)
	}
	return false
}

// bound narrows m's time range by the conjuncts of cond; it returns false
// when a conjunct is anything but the time column compared with a
// constant.
func (m *metaAgg) bound(ctx *Ctx, cond plan.Expr, timeIdx int) bool {
	op, ok := cond.(*plan.Op)
	if !ok {
		return false
	}
	if op.Kind == plan.OpAnd {
		return m.bound(ctx, op.L, timeIdx) && m.bound(ctx, op.R, timeIdx)
	}
	kind := op.Kind
	l, r := op.L, op.R
	if _, ok := l.(*plan.ColRef); !ok {
		l, r = r, l
		switch kind {
		case plan.OpLt:
			kind = plan.OpGt
		case plan.OpLe:
			kind = plan.OpGe
		case plan.OpGt:
			kind = plan.OpLt
		case plan.OpGe:
			kind = plan.OpLe
		}
	}
	cr, ok := l.(*plan.ColRef)
	if !ok || cr.Idx != timeIdx || timeIdx < 0 || cr.T.Kind() != col.Int64 || r.Type().OID != cr.T.OID {
		return false
	}
	var v any
	switch x := r.(type) {
	case *plan.Const:
		v = x.V
	case *plan.Param:
		var err error
		if v, err = eval(ctx, x, nil); err != nil {
			return false
		}
	default:
		return false
	}
	t, ok := v.(int64)
	if !ok {
		return false // NULL: the filter drops every row; decode and let it
	}
	switch kind {
	case plan.OpEq:
		m.lo, m.hi = max(m.lo, t), min(m.hi, t)
	case plan.OpGe:
		m.lo = max(m.lo, t)
	case plan.OpGt:
		if t == math.MaxInt64 {
			return false
		}
		m.lo = max(m.lo, t+1)
	case plan.OpLe:
		m.hi = min(m.hi, t)
	case plan.OpLt:
		if t == math.MinInt64 {
			return false
		}
		m.hi = min(m.hi, t-1)
	default:
		return false
	}
	return true
}

// fold folds blk into the states of g when every aggregate can be
// answered from its metadata; it reports whether it did.
func (m *metaAgg) fold(g *aggGroup, blk *storage.BlockMeta) bool {
	if blk.Rows == 0 || blk.MinTime < m.lo || blk.MaxTime > m.hi {
		return false
	}
	for i, a := range m.args {
		st := &m.stats[i]
		*st = funcs.ColumnStats{Rows: int64(blk.Rows)}
		if a.star {
			continue
		}
		cm := blk.Col(a.colID)
		if cm == nil { // column added after the block was written: all NULL
			continue
		}
		if cm.Kind != a.kind || cm.Count != int64(blk.Rows) {
			return false
		}
		st.NonNull = cm.Count - cm.NullCount
		if st.NonNull == 0 {
			continue
		}
		if a.minMax {
			st.Min, st.Max = cm.Min, cm.Max
		}
		switch cm.Kind {
		case col.Float64:
			st.FloatSum, st.HasFloatSum = cm.Sum, true
		case col.Int64:
			st.IntSum, st.HasIntSum = cm.SumInt, cm.SumExact
		}
		if !funcs.FoldStats(g.states[i], st, false) {
			return false
		}
	}
	for i := range m.args {
		funcs.FoldStats(g.states[i], &m.stats[i], true)
	}
	m.blocks++
	return true
}
