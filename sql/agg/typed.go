package agg

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Typed accumulators: the vectorized form of count(*), count(x), sum and
// avg of an int64- or float64-kind argument, and min and max of one. They
// keep plain typed arrays indexed by group id, so adding a batch is one
// loop with no boxing and no interface call per row; at the end each
// group's accumulators are handed to the aggregate's ordinary state as a
// Summary (Fold), which produces the result. Integer sums are exact
// (128-bit), so they overflow to numeric exactly as the state does.

type typedKind uint8

const (
	typedCountStar typedKind = iota + 1
	typedCount
	typedSumFloat
	typedSumInt
	typedMinMaxInt
	typedMinMaxFloat
)

// Typed is one aggregate's typed accumulators, indexed by group id.
type Typed struct {
	kind typedKind
	max  bool      // min/max: true for max
	cnt  []int64   // rows (count(*)) or non-NULL arguments
	f    []float64 // float sums or float extremes
	lo   []uint64  // int sums: low 64 bits of a 128-bit two's complement sum
	hi   []int64   // int sums: high 64 bits; int extremes
}

// NewTyped returns typed accumulators for aggregate a over argument types
// at (none for count(*)), or false when a has no typed form or its state
// would not accept the summaries they give.
func NewTyped(a *Aggregate, at []types.T) (*Typed, bool) {
	t := &Typed{}
	probe := Summary{Rows: 1, NonNull: 1}
	var k col.Kind
	if len(at) > 1 {
		return nil, false
	}
	if len(at) == 1 {
		k = at[0].Kind()
	}
	switch {
	case a.Name == "count" && len(at) == 0:
		t.kind = typedCountStar
	case a.Name == "count":
		t.kind = typedCount
	case (a.Name == "sum" || a.Name == "avg") && k == col.Float64:
		t.kind, probe.HasFloatSum = typedSumFloat, true
	case (a.Name == "sum" || a.Name == "avg") && k == col.Int64:
		t.kind, probe.HasIntSum = typedSumInt, true
	case (a.Name == "min" || a.Name == "max") && k == col.Int64:
		t.kind, probe.Min, probe.Max = typedMinMaxInt, int64(0), int64(0)
	case (a.Name == "min" || a.Name == "max") && k == col.Float64:
		t.kind, probe.Min, probe.Max = typedMinMaxFloat, 0.0, 0.0
	default:
		return nil, false
	}
	t.max = a.Name == "max"
	if !Fold(a.New(at, nil), &probe, false) {
		return nil, false
	}
	return t, true
}

// Grow adds a group; its id is the number of groups before the call.
func (t *Typed) Grow() {
	t.cnt = append(t.cnt, 0)
	switch t.kind {
	case typedSumFloat, typedMinMaxFloat:
		t.f = append(t.f, 0)
	case typedSumInt:
		t.lo, t.hi = append(t.lo, 0), append(t.hi, 0)
	case typedMinMaxInt:
		t.hi = append(t.hi, 0)
	}
}

// Add folds row r of v into group gids[r], for every r < len(gids); v is
// nil for count(*).
func (t *Typed) Add(gids []int32, v *col.Vec) {
	if t.kind == typedCountStar {
		for _, g := range gids {
			t.cnt[g]++
		}
		return
	}
	n := len(gids)
	nulls := v.Nulls
	switch t.kind {
	case typedCount:
		for r, g := range gids {
			if nulls == nil || !nulls[r] {
				t.cnt[g]++
			}
		}
	case typedSumFloat:
		x := v.F64[:n]
		for r, g := range gids {
			if nulls == nil || !nulls[r] {
				t.f[g] += x[r]
				t.cnt[g]++
			}
		}
	case typedSumInt:
		x := v.I64[:n]
		for r, g := range gids {
			if nulls == nil || !nulls[r] {
				var c uint64
				t.lo[g], c = bits.Add64(t.lo[g], uint64(x[r]), 0)
				t.hi[g] += int64(c) + x[r]>>63
				t.cnt[g]++
			}
		}
	case typedMinMaxInt:
		x := v.I64[:n]
		for r, g := range gids {
			if nulls != nil && nulls[r] {
				continue
			}
			if t.cnt[g] == 0 || (t.max && x[r] > t.hi[g]) || (!t.max && x[r] < t.hi[g]) {
				t.hi[g] = x[r]
			}
			t.cnt[g]++
		}
	case typedMinMaxFloat:
		x := v.F64[:n]
		for r, g := range gids {
			if nulls != nil && nulls[r] {
				continue
			}
			if t.cnt[g] == 0 || (t.max && FloatLess(t.f[g], x[r])) || (!t.max && FloatLess(x[r], t.f[g])) {
				t.f[g] = x[r]
			}
			t.cnt[g]++
		}
	}
}

// FloatLess orders floats as PostgreSQL does: NaN above everything.
func FloatLess(a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	if math.IsNaN(b) {
		return true
	}
	return a < b
}

// Summary returns group g's accumulators as a summary for Fold.
func (t *Typed) Summary(g int32) Summary {
	st := Summary{Rows: t.cnt[g], NonNull: t.cnt[g]}
	switch t.kind {
	case typedSumFloat:
		st.FloatSum, st.HasFloatSum = t.f[g], true
	case typedSumInt:
		lo, hi := t.lo[g], t.hi[g]
		if hi == int64(lo)>>63 {
			st.IntSum, st.HasIntSum = int64(lo), true
		} else {
			b := new(big.Int).SetInt64(hi)
			b.Lsh(b, 64)
			b.Add(b, new(big.Int).SetUint64(lo))
			st.BigSum = apd.NewWithBigInt(new(apd.BigInt).SetMathBigInt(b), 0)
		}
	case typedMinMaxInt:
		st.Min, st.Max = t.hi[g], t.hi[g]
	case typedMinMaxFloat:
		st.Min, st.Max = t.f[g], t.f[g]
	}
	return st
}
