package storage

// Key indexes over cached block lists: finding the blocks of a chunk that
// may hold one of a sorted set of keys without visiting every block's
// metadata.
//
// A scan for a few series of a chunk with thousands of blocks (TSBS at
// scale 4000: 13,500 compressed blocks per chunk) would otherwise test
// every block's min/max of the key column, tens of thousands of checks
// per query, more work than reading the few blocks it wants. Sealed and
// compressed blocks are sorted by (series key, time), so their key ranges
// are narrow and barely overlap: ordered by their minimum, the blocks
// that may hold key k are found by binary search.
//
// An index is built lazily, on the second use of a cached block list and
// column (blocklist.go), and kept while later generations list the same
// blocks.
// It sorts a chunk's blocks into
//   - exact: blocks whose column holds one value (min = max), ordered by
//     it: a key's blocks are an equal range;
//   - ranged: blocks with min < max whose range overlaps at most
//     maxSpan later ones, ordered by min with a running max of max: the
//     blocks that may hold k start at the first whose running max reaches
//     k (that block holds k, and every later block up to the last with
//     min <= k lies inside its range, so at most maxSpan+1 are visited);
//   - loose: wide blocks (fresh delta blocks spanning many series) and
//     blocks without a kept min/max, tested one by one, so that they do
//     not widen every key's search.
// Blocks whose column is all NULL or absent hold no key (a key set never
// keeps NULL) and are left out. The candidates come out as a bitset over
// the list's positions, so they are read in the list's (block id) order.

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"

	"github.com/tsgres/tsgres/storage/col"
)

// BlockKeys is a set of values of one column a scan wants (a series key
// set pushed down from SQL): only rows whose column holds a key are kept,
// so blocks whose min/max of the column holds no key, and blocks where
// the column is all NULL or absent, are not read.
type BlockKeys struct {
	Col  uint32
	Kind col.Kind // Int64 (Ints) or Bytes (Strs)
	Ints []int64  // sorted, distinct
	Strs []string // sorted, distinct
}

// MayHold reports whether blk may hold a row whose column is a key: its
// column is not all NULL (or absent, which reads as NULL) and some key
// lies within the column's min/max (or no min/max is kept).
func (k *BlockKeys) MayHold(blk *BlockMeta) bool {
	cm := blk.Col(k.Col)
	if cm == nil || cm.NullCount >= cm.Count {
		return false
	}
	switch lo := cm.Min.(type) {
	case int64:
		hi, ok := cm.Max.(int64)
		return !ok || k.Kind != col.Int64 || anyWithin(k.Ints, lo, hi)
	case string:
		hi, ok := cm.Max.(string)
		return !ok || k.Kind != col.Bytes || anyWithin(k.Strs, lo, hi)
	}
	return true // no min/max kept: read the block
}

// anyWithin reports whether sorted holds a value in [lo, hi].
func anyWithin[T cmp.Ordered](sorted []T, lo, hi T) bool {
	i, _ := slices.BinarySearch(sorted, lo)
	return i < len(sorted) && sorted[i] <= hi
}

// maxSpan is how many later blocks (by min) a ranged block's key range
// may reach into before it is kept loose.
const maxSpan = 16

// keyIndex indexes one column of a block list.
type keyIndex struct {
	n     int // blocks in the list
	ints  rangeIndex[int64]
	strs  rangeIndex[string]
	loose []int32 // positions tested with BlockKeys.MayHold
}

// rangeIndex holds the blocks whose column has min/max of type T.
type rangeIndex[T cmp.Ordered] struct {
	eqVal []T // single-valued blocks' value, ascending
	eqPos []int32
	// Ranged blocks by min ascending; runMax[i] is the max of max[:i+1].
	min, max, runMax []T
	pos              []int32
}

// keyEntry is one block's range while an index is built.
type keyEntry[T cmp.Ordered] struct {
	lo, hi T
	pos    int32
}

// buildKeyIndex indexes column colID of metas.
func buildKeyIndex(metas []*BlockMeta, colID uint32) *keyIndex {
	x := &keyIndex{n: len(metas)}
	var ints []keyEntry[int64]
	var strs []keyEntry[string]
	if len(metas) > 0 { // size for the kind of the newest block
		if cm := metas[len(metas)-1].Col(colID); cm != nil && cm.Kind == col.Bytes {
			strs = make([]keyEntry[string], 0, len(metas))
		} else {
			ints = make([]keyEntry[int64], 0, len(metas))
		}
	}
	for i, m := range metas {
		if m.Rows == 0 {
			continue // never read (blockMatches)
		}
		cm := m.Col(colID)
		if cm == nil || cm.NullCount >= cm.Count {
			continue // holds no key
		}
		switch lo := cm.Min.(type) {
		case int64:
			if hi, ok := cm.Max.(int64); ok {
				ints = append(ints, keyEntry[int64]{lo, hi, int32(i)})
				continue
			}
		case string:
			if hi, ok := cm.Max.(string); ok {
				strs = append(strs, keyEntry[string]{lo, hi, int32(i)})
				continue
			}
		}
		x.loose = append(x.loose, int32(i))
	}
	x.loose = x.ints.build(ints, x.loose)
	x.loose = x.strs.build(strs, x.loose)
	slices.Sort(x.loose)
	return x
}

// build fills r from es, appending wide blocks' positions to loose.
func (r *rangeIndex[T]) build(es []keyEntry[T], loose []int32) []int32 {
	var ranged []keyEntry[T]
	r.eqVal, r.eqPos = make([]T, 0, len(es)), make([]int32, 0, len(es))
	for _, e := range es {
		if e.lo == e.hi {
			r.eqVal = append(r.eqVal, e.lo)
			r.eqPos = append(r.eqPos, e.pos)
		} else {
			ranged = append(ranged, e)
		}
	}
	byValue := func(a, b keyEntry[T]) int {
		if c := cmp.Compare(a.lo, b.lo); c != 0 {
			return c
		}
		return cmp.Compare(a.pos, b.pos)
	}
	if !slices.IsSortedFunc(es, byValue) {
		// Usually sorted already: sealed blocks are written in series order.
		order := make([]int, len(r.eqVal))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			return byValue(keyEntry[T]{lo: r.eqVal[a], pos: r.eqPos[a]}, keyEntry[T]{lo: r.eqVal[b], pos: r.eqPos[b]})
		})
		vals, pos := make([]T, len(order)), make([]int32, len(order))
		for i, o := range order {
			vals[i], pos[i] = r.eqVal[o], r.eqPos[o]
		}
		r.eqVal, r.eqPos = vals, pos
		slices.SortFunc(ranged, byValue)
	}
	for i, e := range ranged {
		// Later blocks whose min lies within e's range.
		end, _ := slices.BinarySearchFunc(ranged[i+1:], e.hi, func(a keyEntry[T], v T) int {
			if a.lo <= v {
				return -1
			}
			return 1
		})
		if end > maxSpan {
			loose = append(loose, e.pos)
			continue
		}
		hi := e.hi
		if n := len(r.runMax); n > 0 && r.runMax[n-1] > hi {
			hi = r.runMax[n-1]
		}
		r.min = append(r.min, e.lo)
		r.max = append(r.max, e.hi)
		r.runMax = append(r.runMax, hi)
		r.pos = append(r.pos, e.pos)
	}
	return loose
}

// mark sets the positions of the blocks that may hold one of keys
// (sorted, distinct). The searches start where the previous key's ended:
// every bound only grows with the key.
func (r *rangeIndex[T]) mark(keys []T, marks []uint64) {
	eq, j, u := 0, 0, 0
	for _, k := range keys {
		if eq < len(r.eqVal) {
			i, _ := slices.BinarySearch(r.eqVal[eq:], k)
			eq += i
			for ; eq < len(r.eqVal) && r.eqVal[eq] == k; eq++ {
				setBit(marks, r.eqPos[eq])
			}
		}
		if j >= len(r.runMax) {
			continue
		}
		i, _ := slices.BinarySearch(r.runMax[j:], k) // first with runMax >= k
		j += i
		if u < j {
			u = j
		}
		i, _ = slices.BinarySearchFunc(r.min[u:], k, func(a, v T) int { // first with min > k
			if a <= v {
				return -1
			}
			return 1
		})
		u += i
		for p := j; p < u; p++ {
			if r.max[p] >= k {
				setBit(marks, r.pos[p])
			}
		}
	}
}

// markAll sets the positions of every block in r.
func (r *rangeIndex[T]) markAll(marks []uint64) {
	for _, p := range r.eqPos {
		setBit(marks, p)
	}
	for _, p := range r.pos {
		setBit(marks, p)
	}
}

// candidates returns a bitset over the list's positions of the blocks
// that may hold a key of k (k.Col is the indexed column), checking
// metas[p] of loose blocks.
func (x *keyIndex) candidates(k *BlockKeys, metas []*BlockMeta) []uint64 {
	marks := make([]uint64, (x.n+63)/64)
	switch k.Kind {
	case col.Int64:
		x.ints.mark(k.Ints, marks)
		x.strs.markAll(marks) // another kind than the keys': read (MayHold)
	case col.Bytes:
		x.strs.mark(k.Strs, marks)
		x.ints.markAll(marks)
	default:
		x.ints.markAll(marks)
		x.strs.markAll(marks)
	}
	for _, p := range x.loose {
		if k.MayHold(metas[p]) {
			setBit(marks, p)
		}
	}
	return marks
}

func setBit(marks []uint64, p int32) { marks[p>>6] |= 1 << (p & 63) }

// eachBit calls fn with every set position of marks, ascending.
func eachBit(marks []uint64, fn func(int)) {
	for w, m := range marks {
		for m != 0 {
			b := bits.TrailingZeros64(m)
			fn(w<<6 | b)
			m &= m - 1
		}
	}
}

// timeIndex orders a block list's blocks (those with rows) by their
// earliest time with a running max of their latest: whether some block
// overlaps a time range is then one binary search, where the list's
// order (by id: parts of a load, each sorted by series) may put
// thousands of blocks of other times first.
type timeIndex struct {
	min, runMax []int64
	pos         []int32
}

func buildTimeIndex(metas []*BlockMeta) *timeIndex {
	x := &timeIndex{}
	order := make([]int32, 0, len(metas))
	for i, m := range metas {
		if m.Rows > 0 {
			order = append(order, int32(i))
		}
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(metas[a].MinTime, metas[b].MinTime); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	x.min, x.runMax, x.pos = make([]int64, len(order)), make([]int64, len(order)), order
	for i, p := range order {
		m := metas[p]
		x.min[i], x.runMax[i] = m.MinTime, m.MaxTime
		if i > 0 && x.runMax[i-1] > m.MaxTime {
			x.runMax[i] = x.runMax[i-1]
		}
	}
	return x
}

// overlap returns the position of a block with rows in [lo, hi], or -1:
// the first by earliest time whose running max reaches lo holds lo or
// later times (every block before it ends before lo), and overlaps when
// it starts by hi (every later one starts no earlier).
func (x *timeIndex) overlap(lo, hi int64) int {
	j, _ := slices.BinarySearch(x.runMax, lo)
	if j < len(x.min) && x.min[j] <= hi {
		return int(x.pos[j])
	}
	return -1
}

// listIndexes are the key indexes of one block list, by column id, and
// its time index, each built on its second use: building costs a few linear passes, so
// a list that changes with every commit (a chunk taking inserts) is not
// indexed for each query. Entries of later generations listing the same
// blocks share them.
type listIndexes struct {
	mu   sync.Mutex
	cols map[uint32]*keyIndex // nil value: used once
	// time is the list's time index, built on its second use (timeUsed).
	time     *timeIndex
	timeUsed bool
}

// byTime returns the time index of metas, or nil on its first use.
func (l *listIndexes) byTime(metas []*BlockMeta) *timeIndex {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.time == nil && l.timeUsed {
		l.time = buildTimeIndex(metas)
	}
	l.timeUsed = true
	return l.time
}

// get returns the index of column colID over metas, or nil on the
// column's first use (the caller checks every block).
func (l *listIndexes) get(metas []*BlockMeta, colID uint32) *keyIndex {
	l.mu.Lock()
	defer l.mu.Unlock()
	x, used := l.cols[colID]
	if x == nil && used {
		x = buildKeyIndex(metas, colID)
	}
	if l.cols == nil {
		l.cols = map[uint32]*keyIndex{}
	}
	l.cols[colID] = x
	return x
}
