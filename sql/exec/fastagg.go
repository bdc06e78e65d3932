package exec

import (
	"encoding/binary"

	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Typed hash aggregation. When every group key is an int64- or
// bytes-kind vector and every aggregate has a vector form for its
// argument types (agg.Aggregate.NewVector: count, and sum/avg/min/max
// over an int64- or float64-kind argument) and no DISTINCT, FILTER or
// ORDER BY, groups get dense ids and each aggregate keeps an agg.Vector:
// plain typed accumulators indexed by group id, no boxing and no
// interface call per row. At the end each group's accumulators are
// folded into the aggregates' ordinary states (agg.Vector.Summary,
// agg.Fold), which produce the results.

// DisableFastAgg turns typed hash aggregation, the vectorized time_bucket
// and column pruning for aggregates over scans off (differential tests).
var DisableFastAgg = false

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
	accs   []agg.Vector
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
		t, ok := c.Agg.NewVector(argT[i])
		if !ok {
			return nil
		}
		f.accs = append(f.accs, t)
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
	for _, a := range f.accs {
		a.Grow(f.ngroup)
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
	for i, a := range f.accs {
		a.Add(f.gids, args[i])
	}
}
