package agg

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// The vector forms of the basic aggregates (basic.go registers them):
// count(*) and count(x) over any type, sum and avg of an int64- or
// float64-kind argument (not sum(float4), which adds in float4), min and
// max of one. Each keeps a row or non-NULL count per group next to its
// typed accumulator.

// countVector is the vector form of count(*) (star) and count(x).
func countVector(star bool) func([]types.T) Vector {
	return func([]types.T) Vector { return &countVec{star: star} }
}

// intSumVector is the vector form of sum or avg of an integer type
// (result ret).
func intSumVector(ret types.T, avg bool) func([]types.T) Vector {
	return func(at []types.T) Vector {
		if argKind(at) != col.Int64 {
			return nil
		}
		return &intSumVec{ret: ret, avg: avg}
	}
}

// floatSumVector is the vector form of sum or avg of a float type, in
// float8 arithmetic.
func floatSumVector(avg bool) func([]types.T) Vector {
	return func(at []types.T) Vector {
		if argKind(at) != col.Float64 {
			return nil
		}
		return &floatSumVec{avg: avg}
	}
}

// minMaxVector is the vector form of min or max of type t, or nil when t
// is not of int64 or float64 kind.
func minMaxVector(t types.T, max bool) func([]types.T) Vector {
	switch t.Kind() {
	case col.Int64:
		return func(at []types.T) Vector {
			if argKind(at) != col.Int64 {
				return nil
			}
			return &minMaxIntVec{max: max}
		}
	case col.Float64:
		return func(at []types.T) Vector {
			if argKind(at) != col.Float64 {
				return nil
			}
			return &minMaxFloatVec{max: max}
		}
	}
	return nil
}

// countVec counts rows (star) or non-NULL arguments per group.
type countVec struct {
	star bool
	cnt  []int64
}

func (v *countVec) Grow(n int) { v.cnt = grow(v.cnt, n) }
func (v *countVec) Reset()     { v.cnt = v.cnt[:0] }

func (v *countVec) Add(gids []int32, x *col.Vec) {
	if v.star {
		for _, g := range gids {
			v.cnt[g]++
		}
		return
	}
	nulls := x.Nulls
	for r, g := range gids {
		if nulls == nil || !nulls[r] {
			v.cnt[g]++
		}
	}
}

func (v *countVec) Merge(other Vector, into []int32) {
	o := mustBe[*countVec](other)
	for g, d := range into {
		v.cnt[d] += o.cnt[g]
	}
}

func (v *countVec) Summary(g int32) Summary {
	return Summary{Rows: v.cnt[g], NonNull: v.cnt[g]}
}

func (v *countVec) Final(dst *col.Vec, groups []int32) error {
	for _, g := range groups {
		dst.AppendInt64(v.cnt[g])
	}
	return nil
}

// intSumVec sums integers exactly per group in 128-bit two's complement.
type intSumVec struct {
	ret types.T // int8 (sum of int2/int4) or numeric
	avg bool
	cnt []int64  // non-NULL arguments
	lo  []uint64 // low 64 bits of the sum
	hi  []int64  // high 64 bits of the sum
}

func (v *intSumVec) Grow(n int) {
	v.cnt, v.lo, v.hi = grow(v.cnt, n), grow(v.lo, n), grow(v.hi, n)
}

func (v *intSumVec) Reset() { v.cnt, v.lo, v.hi = v.cnt[:0], v.lo[:0], v.hi[:0] }

func (v *intSumVec) Add(gids []int32, x *col.Vec) {
	nulls := x.Nulls
	xs := x.I64[:len(gids)]
	for r, g := range gids {
		if nulls == nil || !nulls[r] {
			var c uint64
			v.lo[g], c = bits.Add64(v.lo[g], uint64(xs[r]), 0)
			v.hi[g] += int64(c) + xs[r]>>63
			v.cnt[g]++
		}
	}
}

func (v *intSumVec) Merge(other Vector, into []int32) {
	o := mustBe[*intSumVec](other)
	for g, d := range into {
		var c uint64
		v.lo[d], c = bits.Add64(v.lo[d], o.lo[g], 0)
		v.hi[d] += o.hi[g] + int64(c)
		v.cnt[d] += o.cnt[g]
	}
}

func (v *intSumVec) Summary(g int32) Summary {
	st := Summary{Rows: v.cnt[g], NonNull: v.cnt[g]}
	lo, hi := v.lo[g], v.hi[g]
	if hi == int64(lo)>>63 {
		st.IntSum, st.HasIntSum = int64(lo), true
	} else {
		b := new(big.Int).SetInt64(hi)
		b.Lsh(b, 64)
		b.Add(b, new(big.Int).SetUint64(lo))
		st.BigSum = apd.NewWithBigInt(new(apd.BigInt).SetMathBigInt(b), 0)
	}
	return st
}

func (v *intSumVec) Final(dst *col.Vec, groups []int32) error {
	plain := !v.avg && v.ret.OID == types.OidInt8
	for _, g := range groups {
		switch lo, hi := v.lo[g], v.hi[g]; {
		case v.cnt[g] == 0:
			dst.AppendNull()
		case plain && hi == int64(lo)>>63:
			dst.AppendInt64(int64(lo))
		case plain:
			return funcs.OutOfRange("bigint")
		default:
			// numeric results (sum(int8), avg) as the State gives them
			s := &intSumState{ret: v.ret, avg: v.avg}
			st := v.Summary(g)
			s.fold(&st, true)
			r, err := s.Result(nil)
			if err != nil {
				return err
			}
			dst.Append(r)
		}
	}
	return nil
}

// floatSumVec sums floats per group in float8 arithmetic.
type floatSumVec struct {
	avg bool
	cnt []int64 // non-NULL arguments
	sum []float64
}

func (v *floatSumVec) Grow(n int) { v.cnt, v.sum = grow(v.cnt, n), grow(v.sum, n) }
func (v *floatSumVec) Reset()     { v.cnt, v.sum = v.cnt[:0], v.sum[:0] }

func (v *floatSumVec) Add(gids []int32, x *col.Vec) {
	nulls := x.Nulls
	xs := x.F64[:len(gids)]
	if nulls != nil {
		for r, g := range gids {
			if !nulls[r] {
				v.sum[g] += xs[r]
				v.cnt[g]++
			}
		}
		return
	}
	// Rows of one group usually come in runs (a block sorted by series
	// and time, bucketed): each run is summed in a register, adding in
	// row order as the loop above does, so the sums are bit-identical.
	for r := 0; r < len(gids); {
		g := gids[r]
		s, start := v.sum[g], r
		for ; r < len(gids) && gids[r] == g; r++ {
			s += xs[r]
		}
		v.sum[g] = s
		v.cnt[g] += int64(r - start)
	}
}

func (v *floatSumVec) Merge(other Vector, into []int32) {
	o := mustBe[*floatSumVec](other)
	for g, d := range into {
		v.sum[d] += o.sum[g]
		v.cnt[d] += o.cnt[g]
	}
}

func (v *floatSumVec) Summary(g int32) Summary {
	return Summary{Rows: v.cnt[g], NonNull: v.cnt[g], FloatSum: v.sum[g], HasFloatSum: true}
}

func (v *floatSumVec) Final(dst *col.Vec, groups []int32) error {
	for _, g := range groups {
		switch {
		case v.cnt[g] == 0:
			dst.AppendNull()
		case v.avg:
			dst.AppendFloat64(v.sum[g] / float64(v.cnt[g]))
		default:
			dst.AppendFloat64(v.sum[g])
		}
	}
	return nil
}

// minMaxIntVec keeps the least (or greatest, max) integer per group.
type minMaxIntVec struct {
	max bool
	cnt []int64 // non-NULL arguments
	v   []int64
}

func (v *minMaxIntVec) Grow(n int) { v.cnt, v.v = grow(v.cnt, n), grow(v.v, n) }
func (v *minMaxIntVec) Reset()     { v.cnt, v.v = v.cnt[:0], v.v[:0] }

func (v *minMaxIntVec) Add(gids []int32, x *col.Vec) {
	nulls := x.Nulls
	xs := x.I64[:len(gids)]
	if nulls == nil {
		// Runs of one group (see floatSumVec.Add) keep their extreme in
		// a register.
		for r := 0; r < len(gids); {
			g := gids[r]
			m, start := v.v[g], r
			if v.cnt[g] == 0 {
				m = xs[r]
			}
			for ; r < len(gids) && gids[r] == g; r++ {
				if (v.max && xs[r] > m) || (!v.max && xs[r] < m) {
					m = xs[r]
				}
			}
			v.v[g] = m
			v.cnt[g] += int64(r - start)
		}
		return
	}
	for r, g := range gids {
		if nulls != nil && nulls[r] {
			continue
		}
		if v.cnt[g] == 0 || (v.max && xs[r] > v.v[g]) || (!v.max && xs[r] < v.v[g]) {
			v.v[g] = xs[r]
		}
		v.cnt[g]++
	}
}

func (v *minMaxIntVec) Merge(other Vector, into []int32) {
	o := mustBe[*minMaxIntVec](other)
	for g, d := range into {
		if o.cnt[g] == 0 {
			continue
		}
		if x := o.v[g]; v.cnt[d] == 0 || (v.max && x > v.v[d]) || (!v.max && x < v.v[d]) {
			v.v[d] = x
		}
		v.cnt[d] += o.cnt[g]
	}
}

func (v *minMaxIntVec) Summary(g int32) Summary {
	return Summary{Rows: v.cnt[g], NonNull: v.cnt[g], Min: v.v[g], Max: v.v[g]}
}

func (v *minMaxIntVec) Final(dst *col.Vec, groups []int32) error {
	for _, g := range groups {
		if v.cnt[g] == 0 {
			dst.AppendNull()
		} else {
			dst.AppendInt64(v.v[g])
		}
	}
	return nil
}

// minMaxFloatVec keeps the least (or greatest, max) float per group,
// NaN above every number as in PostgreSQL.
type minMaxFloatVec struct {
	max bool
	cnt []int64 // non-NULL arguments
	v   []float64
}

func (v *minMaxFloatVec) Grow(n int) { v.cnt, v.v = grow(v.cnt, n), grow(v.v, n) }
func (v *minMaxFloatVec) Reset()     { v.cnt, v.v = v.cnt[:0], v.v[:0] }

func (v *minMaxFloatVec) Add(gids []int32, x *col.Vec) {
	nulls := x.Nulls
	xs := x.F64[:len(gids)]
	if nulls == nil {
		// Runs of one group (see floatSumVec.Add) keep their extreme in
		// a register, replacing it exactly where the loop below would.
		for r := 0; r < len(gids); {
			g := gids[r]
			m, start := v.v[g], r
			if v.cnt[g] == 0 {
				m = xs[r]
			}
			if v.max {
				for ; r < len(gids) && gids[r] == g; r++ {
					if FloatLess(m, xs[r]) {
						m = xs[r]
					}
				}
			} else {
				for ; r < len(gids) && gids[r] == g; r++ {
					if FloatLess(xs[r], m) {
						m = xs[r]
					}
				}
			}
			v.v[g] = m
			v.cnt[g] += int64(r - start)
		}
		return
	}
	for r, g := range gids {
		if nulls != nil && nulls[r] {
			continue
		}
		if v.cnt[g] == 0 || (v.max && FloatLess(v.v[g], xs[r])) || (!v.max && FloatLess(xs[r], v.v[g])) {
			v.v[g] = xs[r]
		}
		v.cnt[g]++
	}
}

func (v *minMaxFloatVec) Merge(other Vector, into []int32) {
	o := mustBe[*minMaxFloatVec](other)
	for g, d := range into {
		if o.cnt[g] == 0 {
			continue
		}
		if x := o.v[g]; v.cnt[d] == 0 || (v.max && FloatLess(v.v[d], x)) || (!v.max && FloatLess(x, v.v[d])) {
			v.v[d] = x
		}
		v.cnt[d] += o.cnt[g]
	}
}

func (v *minMaxFloatVec) Summary(g int32) Summary {
	return Summary{Rows: v.cnt[g], NonNull: v.cnt[g], Min: v.v[g], Max: v.v[g]}
}

func (v *minMaxFloatVec) Final(dst *col.Vec, groups []int32) error {
	for _, g := range groups {
		if v.cnt[g] == 0 {
			dst.AppendNull()
		} else {
			dst.AppendFloat64(v.v[g])
		}
	}
	return nil
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
