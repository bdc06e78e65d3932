package exec

import (
	"cmp"
	"slices"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// keySet is a plan.KeySet with its keys computed: the hypertable scan
// skips blocks whose min/max of the column holds no key and keeps the
// rows whose column is a key. The column's executor and storage forms
// are the same (int64 or string; sql/opt's key_sets rule admits only
// such types), so one sorted list serves both.
type keySet struct {
	idx   int    // scan column
	colID uint32 // catalog column id (block metadata)
	ints  map[int64]struct{}
	strs  map[string]struct{}
	// sortedI or sortedS holds the keys in order, for block min/max.
	sortedI []int64
	sortedS []string
}

// joinKeys are the inner-side keys a hash join collects for the runtime
// filter of a scan on its outer side: vals[k] holds equi-key k's
// non-NULL values, ready once the hash table is built.
type joinKeys struct {
	ready bool
	vals  [][]any
}

// wantJoinKeys asks join j to collect its inner keys for a scan built
// now (before the join builds its inner side).
func (ctx *Ctx) wantJoinKeys(j *plan.Join) {
	if ctx.joinKeys == nil {
		ctx.joinKeys = map[*plan.Join]*joinKeys{}
	}
	ctx.joinKeys[j] = &joinKeys{vals: make([][]any, len(j.EqRight))}
}

// keySetStats counts what a scan's key sets did (EXPLAIN ANALYZE).
type keySetStats struct {
	blocks int // blocks skipped because their min/max holds no key
	rows   int // rows of the blocks read that were not keys
}

// newKeySet computes the keys of k for scan n: the rows of its
// uncorrelated subquery (run once per statement), the elements of its
// array or list (evaluated once), or a hash join's inner keys (nil when
// the join has not built them).
func newKeySet(ctx *Ctx, n *plan.HyperScan, k plan.KeySet) (*keySet, error) {
	ks := &keySet{idx: k.Idx, colID: n.Table.Cols[n.ColIdx[k.Idx]].ID}
	var vals []any
	switch x := k.Cond.(type) {
	case *plan.Subquery:
		rows, err := subRows(ctx, x, nil)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			vals = append(vals, r[0])
		}
	case *plan.AnyArray:
		v, err := Eval(ctx, x.Array, nil)
		if err != nil {
			return nil, err
		}
		if a, ok := v.(*types.Array); ok {
			vals = a.Vals
		} else if v != nil {
			return nil, bug("key set array of %T", v)
		}
	case *plan.InList:
		for _, e := range x.List {
			v, err := Eval(ctx, e, nil)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
	case nil:
		jk := ctx.joinKeys[k.Join]
		if jk == nil || !jk.ready {
			return nil, nil // the join did not build first: no filter
		}
		vals = jk.vals[k.JoinKey]
	default:
		return nil, bug("key set condition %T", k.Cond)
	}
	if kindOf(n.Cols[k.Idx].T) == col.Int64 {
		ks.ints = map[int64]struct{}{}
	} else {
		ks.strs = map[string]struct{}{}
	}
	for _, v := range vals {
		switch v := v.(type) {
		case nil: // NULL equals nothing
		case int64:
			if ks.ints == nil {
				return nil, bug("integer key for a text column")
			}
			ks.ints[v] = struct{}{}
		case string:
			if ks.strs == nil {
				return nil, bug("text key for an integer column")
			}
			ks.strs[v] = struct{}{}
		default:
			return nil, bug("key set value of %T", v)
		}
	}
	for v := range ks.ints {
		ks.sortedI = append(ks.sortedI, v)
	}
	for v := range ks.strs {
		ks.sortedS = append(ks.sortedS, v)
	}
	slices.Sort(ks.sortedI)
	slices.Sort(ks.sortedS)
	return ks, nil
}

// empty reports whether no row can pass.
func (k *keySet) empty() bool { return len(k.ints) == 0 && len(k.strs) == 0 }

// mayHold reports whether blk may hold a row whose column is a key: its
// column is not all NULL (or absent, which reads as NULL) and some key
// lies within the column's min/max.
func (k *keySet) mayHold(blk *storage.BlockMeta) bool {
	cm := blk.Col(k.colID)
	if cm == nil || cm.NullCount >= cm.Count {
		return false
	}
	switch lo := cm.Min.(type) {
	case int64:
		hi, ok := cm.Max.(int64)
		return !ok || k.ints == nil || anyWithin(k.sortedI, lo, hi)
	case string:
		hi, ok := cm.Max.(string)
		return !ok || k.strs == nil || anyWithin(k.sortedS, lo, hi)
	}
	return true // no min/max kept: read the block
}

// anyWithin reports whether sorted holds a value in [lo, hi].
func anyWithin[T cmp.Ordered](sorted []T, lo, hi T) bool {
	i, _ := slices.BinarySearch(sorted, lo)
	return i < len(sorted) && sorted[i] <= hi
}

// covers reports whether every row of blk has a key in its column (one
// value, no NULLs), so that the block's metadata speaks for the rows the
// key set keeps.
func (k *keySet) covers(blk *storage.BlockMeta) bool {
	cm := blk.Col(k.colID)
	if cm == nil || cm.NullCount != 0 || cm.Min == nil || cm.Min != cm.Max {
		return false
	}
	switch v := cm.Min.(type) {
	case int64:
		_, ok := k.ints[v]
		return ok
	case string:
		_, ok := k.strs[v]
		return ok
	}
	return false
}

// keep appends to sel[:0] the rows of b (no selection) whose column is a
// key and returns it.
func (k *keySet) keep(b *col.Batch, sel []int) []int {
	v := b.Cols[k.idx]
	n := b.Rows()
	if cap(sel) < n {
		sel = make([]int, 0, n)
	}
	sel = sel[:0]
	switch v.Kind {
	case col.Int64:
		for i := 0; i < n; i++ {
			if _, ok := k.ints[v.I64[i]]; ok && !v.IsNull(i) {
				sel = append(sel, i)
			}
		}
	case col.Bytes:
		for i := 0; i < n; i++ {
			if _, ok := k.strs[v.S[i]]; ok && !v.IsNull(i) {
				sel = append(sel, i)
			}
		}
	}
	return sel
}

// keySetsOf computes the key sets of scan n (nil when it has none).
func keySetsOf(ctx *Ctx, n *plan.HyperScan) ([]*keySet, error) {
	var out []*keySet
	for _, k := range n.Keys {
		ks, err := newKeySet(ctx, n, k)
		if err != nil {
			return nil, err
		}
		if ks != nil {
			out = append(out, ks)
		}
	}
	return out, nil
}

// probeKeys returns the rows of b (no selection) whose key-set columns
// all hold keys, and how many rows it dropped.
func probeKeys(keys []*keySet, b *col.Batch) (*col.Batch, int) {
	var sel []int
	removed := 0
	for _, k := range keys {
		n := b.Rows()
		if n == 0 {
			break
		}
		sel = k.keep(b, sel)
		if len(sel) == n {
			continue
		}
		removed += n - len(sel)
		b = b.Gather(sel)
	}
	return b, removed
}
