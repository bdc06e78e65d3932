package exec

import (
	"math"

	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Aggregates from block metadata. An aggregate directly over a hypertable
// scan (optionally under a filter that only bounds the time column by
// constants) answers count/sum/avg/min/max over every block lying entirely
// inside the time range from the block's metadata, without reading its
// columns. With GROUP BY, every key must be a column or time_bucket of the
// time column with a fixed width, and a block is taken only when it holds
// a single group: the column's min equals its max (as in compressed
// blocks, which hold one segmentby value) and its first and last times
// fall in one bucket. The scan hands each block to the aggregate first
// (blockHook); blocks the aggregate cannot take are decoded as usual and
// pass through the filter and the ordinary aggregation. What a column's
// metadata says about an aggregate's argument is agg.FromBlockMeta's to
// decide; whether the aggregate can take it, its state's (agg.Fold).

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

// metaKey is how one group key is read from block metadata: the single
// value of a column, or the single bucket of the block's times.
type metaKey struct {
	colID  uint32
	kind   col.Kind
	bucket *fixedBucket
}

// metaAgg holds what the metadata shortcut needs for one aggregate node.
type metaAgg struct {
	scan   *plan.HyperScan
	lo, hi int64 // inclusive time bounds implied by the filter
	keys   []metaKey
	args   []metaArg
	stats  []agg.Summary
	probe  []agg.State // fresh states for trial folds (keyed aggregates)
	blocks int         // blocks answered from metadata
}

// planMetaAgg returns the metadata shortcut for n, or nil when sql/opt
// did not choose it (plan.Agg.FromMetadata: the shape is right) or the
// run rules it out: a parameter bound that is NULL, a column whose
// metadata datums are not its SQL datums, a bucket width that is not
// fixed.
func planMetaAgg(ctx *Ctx, n *plan.Agg) *metaAgg {
	if DisableMetaAgg || !n.FromMetadata {
		return nil
	}
	var cond plan.Expr
	in := n.Input
	if f, ok := in.(*plan.Filter); ok {
		cond, in = f.Cond, f.Input
	}
	hs, ok := in.(*plan.HyperScan)
	if !ok {
		return nil
	}
	m := &metaAgg{scan: hs, lo: storage.MinTime, hi: storage.MaxTime}
	timeIdx := hs.TimeIdx()
	for _, c := range []plan.Expr{cond, hs.Filter} {
		if c != nil && !m.bound(ctx, c, timeIdx) {
			return nil
		}
	}
	for _, k := range n.Keys {
		mk, ok := metaKeyOf(hs, k, timeIdx)
		if !ok {
			return nil
		}
		m.keys = append(m.keys, mk)
	}
	for _, c := range n.Aggs {
		if c.Star {
			m.args = append(m.args, metaArg{star: true})
			continue
		}
		cr := c.Args[0].(*plan.ColRef)
		tc := &hs.Table.Cols[hs.ColIdx[cr.Idx]]
		m.args = append(m.args, metaArg{colID: tc.ID, kind: table.StorageKind(tc.Type), minMax: metaMinMaxType(tc.Type)})
	}
	m.stats = make([]agg.Summary, len(m.args))
	return m
}

// metaKeyOf returns how group key e is read from block metadata; ok is
// false when it cannot be.
func metaKeyOf(hs *plan.HyperScan, e plan.Expr, timeIdx int) (metaKey, bool) {
	switch x := e.(type) {
	case *plan.ColRef:
		if x.Idx < 0 || x.Idx >= len(hs.ColIdx) {
			return metaKey{}, false
		}
		tc := &hs.Table.Cols[hs.ColIdx[x.Idx]]
		if !metaMinMaxType(tc.Type) {
			return metaKey{}, false
		}
		return metaKey{colID: tc.ID, kind: table.StorageKind(tc.Type)}, true
	case *plan.Call:
		fb, ok := asFixedBucket(x)
		if !ok {
			return metaKey{}, false
		}
		if cr, isCol := x.Args[1].(*plan.ColRef); !isCol || cr.Idx != timeIdx || timeIdx < 0 {
			return metaKey{}, false
		}
		return metaKey{bucket: &fb}, true
	}
	return metaKey{}, false
}

// key returns the group key of every row of blk, or false when the rows
// do not all share one.
func (m *metaAgg) key(blk *storage.BlockMeta) ([]any, bool) {
	key := make([]any, len(m.keys))
	for i, k := range m.keys {
		if k.bucket != nil {
			if blk.MinTime <= -bucketSafe || blk.MaxTime >= bucketSafe {
				return nil, false
			}
			b := k.bucket.start(blk.MinTime)
			if b != k.bucket.start(blk.MaxTime) {
				return nil, false
			}
			key[i] = b
			continue
		}
		cm := blk.Col(k.colID)
		switch {
		case cm == nil || cm.NullCount == cm.Count:
			// NULL in every row (a column added after the block was written
			// has no metadata).
		case cm.Kind != k.kind || cm.NullCount > 0 || cm.Min == nil || cm.Min != cm.Max:
			return nil, false
		default:
			key[i] = cm.Min
		}
	}
	return key, true
}

// metaMinMaxType reports whether min/max of type t can be taken from
// block metadata: its executor datum is the stored datum and compares the
// same way.
func metaMinMaxType(t types.T) bool {
	switch t.OID {
	case types.OidInt2, types.OidInt4, types.OidInt8, types.OidFloat4, types.OidFloat8,
		types.OidTimestamp, types.OidTimestamptz, types.OidDate, types.OidTime, types.OidBool,
		types.OidText, types.OidVarchar:
		return t.Kind() == table.StorageKind(t)
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
		l, r, kind = r, l, kind.Flip()
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

// fold folds blk into the states of its group of a when every aggregate
// can be answered from its metadata; it reports whether it did.
func (m *metaAgg) fold(a *aggOp, blk *storage.BlockMeta) bool {
	if blk.Rows == 0 || blk.MinTime < m.lo || blk.MaxTime > m.hi {
		return false
	}
	var key []any
	if len(m.keys) > 0 {
		var ok bool
		if key, ok = m.key(blk); !ok {
			return false
		}
		if m.probe == nil {
			for i, c := range a.n.Aggs {
				m.probe = append(m.probe, c.Agg.New(a.argT[i], a.direct[i]))
			}
		}
	}
	for i, a := range m.args {
		var c *agg.BlockColumn
		if !a.star {
			if cm := blk.Col(a.colID); cm != nil {
				c = &agg.BlockColumn{Kind: cm.Kind, Count: cm.Count, NullCount: cm.NullCount, Min: cm.Min, Max: cm.Max,
					FloatSum: cm.Sum, IntSum: cm.SumInt, IntSumExact: cm.SumExact}
			}
		}
		var ok bool
		if m.stats[i], ok = agg.FromBlockMeta(int64(blk.Rows), c, a.kind, a.minMax); !ok {
			return false
		}
	}
	// A trial fold on states of the same aggregates: whether a summary is
	// accepted depends on the state's kind, not its contents.
	var g *aggGroup
	states := m.probe
	if key == nil {
		g = a.grand()
		states = g.states
	}
	for i := range m.args {
		if !agg.Fold(states[i], &m.stats[i], false) {
			return false
		}
	}
	if key != nil {
		g = a.lookup(key)
	}
	for i := range m.args {
		agg.Fold(g.states[i], &m.stats[i], true)
	}
	m.blocks++
	return true
}
