package exec

import (
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
	// block holds the keys in order, for storage's block selection
	// (storage.Txn.KeyBlocks).
	block storage.BlockKeys
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
	blocks  int // blocks skipped because their min/max holds no key
	rows    int // rows of the blocks read that were not keys
	indexed int // candidate blocks storage's key index found
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
	ks.block = storage.BlockKeys{Col: ks.colID, Kind: col.Bytes}
	if ks.ints != nil {
		ks.block.Kind = col.Int64
	}
	for v := range ks.ints {
		ks.block.Ints = append(ks.block.Ints, v)
	}
	for v := range ks.strs {
		ks.block.Strs = append(ks.block.Strs, v)
	}
	slices.Sort(ks.block.Ints)
	slices.Sort(ks.block.Strs)
	return ks, nil
}

// empty reports whether no row can pass.
func (k *keySet) empty() bool { return len(k.ints) == 0 && len(k.strs) == 0 }

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
// key and returns it. Sealed blocks are sorted by the series key, so the
// set is probed once per run of equal values.
func (k *keySet) keep(b *col.Batch, sel []int) []int {
	v := b.Cols[k.idx]
	n := b.Rows()
	if cap(sel) < n {
		sel = make([]int, 0, n)
	}
	sel = sel[:0]
	switch v.Kind {
	case col.Int64:
		var prev int64
		hit := false
		for i := 0; i < n; i++ {
			if x := v.I64[i]; i == 0 || x != prev {
				_, hit = k.ints[x]
				prev = x
			}
			if hit && !v.IsNull(i) {
				sel = append(sel, i)
			}
		}
	case col.Bytes:
		var prev string
		hit := false
		for i := 0; i < n; i++ {
			if x := v.S[i]; i == 0 || x != prev {
				_, hit = k.strs[x]
				prev = x
			}
			if hit && !v.IsNull(i) {
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
		b = gatherRows(b, sel)
	}
	return b, removed
}

// gatherRows is b.Gather(sel), copying a run of consecutive rows (a
// series' rows in a sealed block) a column at a time.
func gatherRows(b *col.Batch, sel []int) *col.Batch {
	if len(sel) == 0 || sel[len(sel)-1]-sel[0] != len(sel)-1 {
		return b.Gather(sel)
	}
	from, to := sel[0], sel[len(sel)-1]+1
	vecs := make([]*col.Vec, len(b.Cols))
	for i, v := range b.Cols {
		vecs[i] = v.Slice(from, to).Clone()
	}
	return col.FromVecs(vecs, to-from)
}
