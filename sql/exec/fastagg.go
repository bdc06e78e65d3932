package exec

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Typed hash aggregation. When every group key is an int64- or
// bytes-kind vector and every aggregate is count, or sum/avg/min/max over
// an int64- or float64-kind argument (no DISTINCT, FILTER or ORDER BY),
// groups get dense ids and each aggregate keeps plain typed accumulators
// indexed by group id: no boxing and no interface call per row. At the end
// the accumulators are folded into the aggregates' ordinary states
// (funcs.FoldStats), which produce the results.

// DisableFastAgg turns typed hash aggregation, the vectorized time_bucket
// and column pruning for aggregates over scans off (differential tests).
var DisableFastAgg = false

type accKind uint8

const (
	accCountStar accKind = iota + 1
	accCount
	accSumFloat
	accSumInt
	accMinMaxInt
	accMinMaxFloat
)

// fastAcc is one aggregate's accumulators, indexed by group id.
type fastAcc struct {
	kind accKind
	max  bool      // min/max: true for max
	cnt  []int64   // rows (count(*)) or non-NULL arguments
	f    []float64 // float sums or float extremes
	lo   []uint64  // int sums: low 64 bits of a 128-bit two's complement sum
	hi   []int64   // int sums: high 64 bits; int extremes
}

// ikey is a group key of at most two int64 values.
type ikey struct {
	a, b  int64
	nulls uint8
}

// fastAgg groups rows with typed accumulators.
type fastAgg struct {
	nkeys  int
	strKey bool // key by encoded string (bytes keys or more than two)
	imap   map[ikey]int32
	smap   map[string]int32
	buf    []byte
	keys   [][]any // per group
	accs   []fastAcc
	gids   []int32
	ngroup int
	dense  denseIDs
}

// denseMaxRange is the widest value range denseIDs indexes directly.
const denseMaxRange = 1 << 16

// denseIDs caches group ids of int keys by value, for batches where every
// key but one (the "varying" key) is a single non-null value, as when
// grouping by (time_bucket, device) over time-ordered blocks: the bucket
// is the same across a block and devices are a small integer range. Then
// a row's group is one array load instead of a hash lookup.
type denseIDs struct {
	valid bool
	vary  int   // index of the varying key
	fixed int64 // the other key's value (two keys)
	lo    int64
	ids   []int32 // group id + 1 by varying value - lo; 0: not looked up
}

// newFastAgg returns a typed aggregation for n, or nil when n does not
// qualify.
func newFastAgg(n *plan.Agg, argT [][]types.T) *fastAgg {
	if DisableFastAgg {
		return nil
	}
	f := &fastAgg{nkeys: len(n.Keys)}
	for _, k := range n.Keys {
		switch k.Type().Kind() {
		case col.Int64:
		case col.Bytes:
			f.strKey = true
		default:
			return nil
		}
	}
	if len(n.Keys) > 2 {
		f.strKey = true
	}
	for i, c := range n.Aggs {
		if c.Distinct || c.Filter != nil || len(c.OrderBy) > 0 || len(c.Direct) > 0 {
			return nil
		}
		var a fastAcc
		probe := funcs.ColumnStats{Rows: 1, NonNull: 1}
		var k col.Kind
		if !c.Star {
			if len(c.Args) != 1 {
				return nil
			}
			k = argT[i][0].Kind()
		}
		switch {
		case c.Agg.Name == "count" && c.Star:
			a.kind = accCountStar
		case c.Agg.Name == "count":
			a.kind = accCount
		case (c.Agg.Name == "sum" || c.Agg.Name == "avg") && k == col.Float64:
			a.kind, probe.HasFloatSum = accSumFloat, true
		case (c.Agg.Name == "sum" || c.Agg.Name == "avg") && k == col.Int64:
			a.kind, probe.HasIntSum = accSumInt, true
		case (c.Agg.Name == "min" || c.Agg.Name == "max") && k == col.Int64:
			a.kind, probe.Min, probe.Max = accMinMaxInt, int64(0), int64(0)
		case (c.Agg.Name == "min" || c.Agg.Name == "max") && k == col.Float64:
			a.kind, probe.Min, probe.Max = accMinMaxFloat, 0.0, 0.0
		default:
			return nil
		}
		a.max = c.Agg.Name == "max"
		if !funcs.FoldStats(c.Agg.New(argT[i], nil), &probe, false) {
			return nil
		}
		f.accs = append(f.accs, a)
	}
	if f.strKey {
		f.smap = map[string]int32{}
	} else {
		f.imap = map[ikey]int32{}
	}
	return f
}

// group returns the id of key (creating the group).
func (f *fastAgg) addGroup(keys []*col.Vec, r int) int32 {
	g := int32(f.ngroup)
	f.ngroup++
	key := make([]any, len(keys))
	for i, k := range keys {
		key[i] = k.Get(r)
	}
	f.keys = append(f.keys, key)
	for i := range f.accs {
		a := &f.accs[i]
		a.cnt = append(a.cnt, 0)
		switch a.kind {
		case accSumFloat, accMinMaxFloat:
			a.f = append(a.f, 0)
		case accSumInt:
			a.lo, a.hi = append(a.lo, 0), append(a.hi, 0)
		case accMinMaxInt:
			a.hi = append(a.hi, 0)
		}
	}
	return g
}

// groupIDs fills f.gids with the group of each of the n rows.
func (f *fastAgg) groupIDs(keys []*col.Vec, n int) {
	if cap(f.gids) < n {
		f.gids = make([]int32, n)
	}
	f.gids = f.gids[:n]
	gids := f.gids
	switch {
	case f.nkeys == 0:
		if f.ngroup == 0 {
			f.addGroup(nil, 0)
		}
		clear(gids)
	case f.strKey:
		for r := 0; r < n; r++ {
			buf := f.buf[:0]
			for _, k := range keys {
				if k.IsNull(r) {
					buf = append(buf, 0)
					continue
				}
				if k.Kind == col.Int64 {
					buf = append(buf, 1)
					buf = binary.LittleEndian.AppendUint64(buf, uint64(k.I64[r]))
				} else {
					buf = append(buf, 2)
					buf = binary.AppendUvarint(buf, uint64(len(k.S[r])))
					buf = append(buf, k.S[r]...)
				}
			}
			f.buf = buf
			g, ok := f.smap[string(buf)]
			if !ok {
				g = f.addGroup(keys, r)
				f.smap[string(buf)] = g
			}
			gids[r] = g
		}
	default:
		if f.denseGroupIDs(keys, n) {
			return
		}
		ka := keys[0]
		var kb *col.Vec
		if f.nkeys > 1 {
			kb = keys[1]
		}
		last, lastG := ikey{}, int32(-1)
		for r := 0; r < n; r++ {
			var k ikey
			if ka.IsNull(r) {
				k.nulls |= 1
			} else {
				k.a = ka.I64[r]
			}
			if kb != nil {
				if kb.IsNull(r) {
					k.nulls |= 2
				} else {
					k.b = kb.I64[r]
				}
			}
			if lastG >= 0 && k == last {
				gids[r] = lastG
				continue
			}
			g, ok := f.imap[k]
			if !ok {
				g = f.addGroup(keys, r)
				f.imap[k] = g
			}
			gids[r] = g
			last, lastG = k, g
		}
	}
}

// denseGroupIDs fills f.gids through the dense cache and reports whether
// the batch qualified (see denseIDs).
func (f *fastAgg) denseGroupIDs(keys []*col.Vec, n int) bool {
	if n == 0 {
		return false
	}
	for _, k := range keys {
		if k.HasNulls() {
			return false
		}
	}
	vary, fixed := 0, int64(0)
	if f.nkeys == 2 {
		switch {
		case allEqual(keys[0].I64[:n]):
			vary, fixed = 1, keys[0].I64[0]
		case allEqual(keys[1].I64[:n]):
			vary, fixed = 0, keys[1].I64[0]
		default:
			return false
		}
	}
	v := keys[vary].I64[:n]
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	d := &f.dense
	if !d.valid || d.vary != vary || d.fixed != fixed {
		d.valid, d.vary, d.fixed, d.ids = true, vary, fixed, d.ids[:0]
	}
	if len(d.ids) == 0 || lo < d.lo || hi >= d.lo+int64(len(d.ids)) {
		// Widen the window to cover the batch, keeping what is cached.
		nlo, nhi := lo, hi
		if len(d.ids) > 0 {
			nlo, nhi = min(lo, d.lo), max(hi, d.lo+int64(len(d.ids))-1)
		}
		if uint64(nhi-nlo) >= denseMaxRange {
			d.valid = false
			return false
		}
		ids := make([]int32, nhi-nlo+1)
		if len(d.ids) > 0 {
			copy(ids[d.lo-nlo:], d.ids)
		}
		d.lo, d.ids = nlo, ids
	}
	gids := f.gids
	for r, x := range v {
		i := x - d.lo
		g := d.ids[i] - 1
		if g < 0 {
			var k ikey
			if vary == 0 {
				k.a, k.b = x, fixed
			} else {
				k.a, k.b = fixed, x
			}
			var ok bool
			if g, ok = f.imap[k]; !ok {
				g = f.addGroup(keys, r)
				f.imap[k] = g
			}
			d.ids[i] = g + 1
		}
		gids[r] = g
	}
	return true
}

// allEqual reports whether every value of v equals the first.
func allEqual(v []int64) bool {
	for _, x := range v {
		if x != v[0] {
			return false
		}
	}
	return true
}

// consume aggregates n rows given the key vectors and each aggregate's
// argument vector (nil for count(*)).
func (f *fastAgg) consume(keys []*col.Vec, args []*col.Vec, n int) {
	f.groupIDs(keys, n)
	gids := f.gids
	for i := range f.accs {
		a := &f.accs[i]
		v := args[i]
		if a.kind == accCountStar {
			for _, g := range gids {
				a.cnt[g]++
			}
			continue
		}
		nulls := v.Nulls
		switch a.kind {
		case accCount:
			for r, g := range gids {
				if nulls == nil || !nulls[r] {
					a.cnt[g]++
				}
			}
		case accSumFloat:
			x := v.F64[:n]
			for r, g := range gids {
				if nulls == nil || !nulls[r] {
					a.f[g] += x[r]
					a.cnt[g]++
				}
			}
		case accSumInt:
			x := v.I64[:n]
			for r, g := range gids {
				if nulls == nil || !nulls[r] {
					var c uint64
					a.lo[g], c = bits.Add64(a.lo[g], uint64(x[r]), 0)
					a.hi[g] += int64(c) + x[r]>>63
					a.cnt[g]++
				}
			}
		case accMinMaxInt:
			x := v.I64[:n]
			for r, g := range gids {
				if nulls != nil && nulls[r] {
					continue
				}
				if a.cnt[g] == 0 || (a.max && x[r] > a.hi[g]) || (!a.max && x[r] < a.hi[g]) {
					a.hi[g] = x[r]
				}
				a.cnt[g]++
			}
		case accMinMaxFloat:
			x := v.F64[:n]
			for r, g := range gids {
				if nulls != nil && nulls[r] {
					continue
				}
				if a.cnt[g] == 0 || (a.max && floatLess(a.f[g], x[r])) || (!a.max && floatLess(x[r], a.f[g])) {
					a.f[g] = x[r]
				}
				a.cnt[g]++
			}
		}
	}
}

// floatLess orders floats as PostgreSQL: NaN above everything.
func floatLess(a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	if math.IsNaN(b) {
		return true
	}
	return a < b
}

// stats returns accumulator i of group g as a summary.
func (f *fastAgg) stats(i int, g int32) funcs.ColumnStats {
	a := &f.accs[i]
	st := funcs.ColumnStats{Rows: a.cnt[g], NonNull: a.cnt[g]}
	switch a.kind {
	case accSumFloat:
		st.FloatSum, st.HasFloatSum = a.f[g], true
	case accSumInt:
		lo, hi := a.lo[g], a.hi[g]
		if hi == int64(lo)>>63 {
			st.IntSum, st.HasIntSum = int64(lo), true
		} else {
			b := new(big.Int).SetInt64(hi)
			b.Lsh(b, 64)
			b.Add(b, new(big.Int).SetUint64(lo))
			st.BigSum = apd.NewWithBigInt(new(apd.BigInt).SetMathBigInt(b), 0)
		}
	case accMinMaxInt:
		st.Min, st.Max = a.hi[g], a.hi[g]
	case accMinMaxFloat:
		st.Min, st.Max = a.f[g], a.f[g]
	}
	return st
}
