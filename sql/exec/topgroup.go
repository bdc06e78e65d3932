package exec

import (
	"cmp"
	"sort"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// The first row per group of DISTINCT ON without sorting every row.
// "SELECT DISTINCT ON (device, metric) ... ORDER BY device, metric, time
// DESC" plans as Distinct over Sort, which holds the whole input in memory
// (gigabytes for a large table) to keep one row per group. When the sort
// keys start with exactly the DISTINCT ON expressions, topGroupOp instead
// streams the input and keeps, per group, the best row by the remaining
// sort keys in typed per-column slots; at the end it sorts the groups.
// Ties keep the row seen first, as the stable sort below Distinct would.

// topGroupOp is DISTINCT ON (On) over ORDER BY On, Rest.
type topGroupOp struct {
	ctx  *Ctx
	in   Operator
	sort *plan.Sort
	on   []plan.Expr
	rest []plan.SortKey

	groups *fastAgg   // group ids by On values
	best   []*col.Vec // per output column: the best row's value, by group id
	bestK  []*col.Vec // per rest key: the best row's key, by group id
	restT  []types.T  // rest key types
	out    *rowsOp
}

// newTopGroup returns the operator for n when its shape allows, or nil.
func newTopGroup(ctx *Ctx, n *plan.Distinct) (*topGroupOp, error) {
	s, ok := n.Input.(*plan.Sort)
	if !ok || len(n.On) == 0 || len(s.Keys) <= len(n.On) {
		return nil, nil
	}
	cols := s.Input.Columns()
	f := &fastAgg{nkeys: len(n.On)}
	for i, e := range n.On {
		if plan.Format(e, cols) != plan.Format(s.Keys[i].E, cols) {
			return nil, nil
		}
		switch e.Type().Kind() {
		case col.Int64:
		case col.Bytes:
			f.strKey = true
		default:
			return nil, nil
		}
	}
	if f.nkeys > 2 {
		f.strKey = true
	}
	if f.strKey {
		f.smap = map[string]int32{}
	} else {
		f.imap = map[ikey]int32{}
	}
	t := &topGroupOp{ctx: ctx, sort: s, on: n.On, rest: s.Keys[len(n.On):], groups: f}
	for _, c := range cols {
		t.best = append(t.best, col.NewVec(kindOf(c.T), 0))
	}
	for _, k := range t.rest {
		t.restT = append(t.restT, k.E.Type())
		t.bestK = append(t.bestK, col.NewVec(kindOf(k.E.Type()), 0))
	}
	in, err := build(ctx, s.Input)
	if err != nil {
		return nil, err
	}
	t.in = in
	return t, nil
}

func (t *topGroupOp) Next() (*col.Batch, error) {
	if t.out == nil {
		for {
			b, err := t.in.Next()
			if err != nil {
				return nil, err
			}
			if b == nil {
				break
			}
			if err := t.ctx.check(); err != nil {
				return nil, err
			}
			if err := t.consume(b.Compact()); err != nil {
				return nil, err
			}
		}
		rows, err := t.results()
		if err != nil {
			return nil, err
		}
		t.out = &rowsOp{kinds: kindsOf(t.sort.Columns()), rows: rows}
	}
	return t.out.Next()
}

// consume folds the rows of b into the groups' best rows.
func (t *topGroupOp) consume(b *col.Batch) error {
	n := b.Rows()
	keys := make([]*col.Vec, len(t.on))
	var err error
	for i, e := range t.on {
		if keys[i], err = EvalBatch(t.ctx, e, b); err != nil {
			return err
		}
	}
	rest := make([]*col.Vec, len(t.rest))
	for i, k := range t.rest {
		if rest[i], err = EvalBatch(t.ctx, k.E, b); err != nil {
			return err
		}
	}
	before := t.groups.ngroup
	t.groups.groupIDs(keys, n)
	for r, g := range t.groups.gids {
		if int(g) >= before && t.best[0].Len() == int(g) {
			// First row of a new group.
			for i, v := range b.Cols {
				t.best[i].AppendFrom(v, r)
			}
			for i, v := range rest {
				t.bestK[i].AppendFrom(v, r)
			}
			continue
		}
		if !t.better(rest, r, int(g)) {
			continue
		}
		for i, v := range b.Cols {
			setFrom(t.best[i], int(g), v, r)
		}
		for i, v := range rest {
			setFrom(t.bestK[i], int(g), v, r)
		}
	}
	return nil
}

// better reports whether row r (rest keys in vs) sorts before group g's
// best row.
func (t *topGroupOp) better(vs []*col.Vec, r, g int) bool {
	for i, k := range t.rest {
		v, b := vs[i], t.bestK[i]
		vn, bn := v.IsNull(r), b.IsNull(g)
		var c int
		switch {
		case vn && bn:
			continue
		case vn || bn:
			// NULLs sort last unless NULLS FIRST (DESC defaults to first).
			c = 1
			if vn == k.NullsFirst {
				c = -1
			}
			return c < 0
		case v.Kind == col.Int64: // int64 datums order as integers (types.Compare)
			c = cmp.Compare(v.I64[r], b.I64[g])
		case v.Kind == col.Float64:
			c = types.CompareFloat64(v.F64[r], b.F64[g])
		default:
			c = types.Compare(t.restT[i], v.Get(r), b.Get(g))
		}
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
	}
	return false // ties keep the row seen first
}

// setFrom overwrites slot i of dst with row r of src (same kind).
func setFrom(dst *col.Vec, i int, src *col.Vec, r int) {
	if src.IsNull(r) {
		if dst.Nulls == nil {
			dst.Nulls = make([]bool, dst.Len())
		}
		dst.Nulls[i] = true
		return
	}
	if dst.Nulls != nil {
		dst.Nulls[i] = false
	}
	switch dst.Kind {
	case col.Int64:
		dst.I64[i] = src.I64[r]
	case col.Float64:
		dst.F64[i] = src.F64[r]
	case col.Bool:
		dst.B[i] = src.B[r]
	case col.Bytes:
		dst.S[i] = src.S[r]
	default:
		dst.A[i] = src.A[r]
	}
}

// results returns the groups' best rows in the sort's order.
func (t *topGroupOp) results() ([][]any, error) {
	ng := t.groups.ngroup
	rows := make([][]any, ng)
	keys := make([][]any, ng)
	for g := 0; g < ng; g++ {
		row := make([]any, len(t.best))
		for i, v := range t.best {
			row[i] = v.Get(g)
		}
		k := make([]any, len(t.sort.Keys))
		for i, sk := range t.sort.Keys {
			var err error
			if k[i], err = Eval(t.ctx, sk.E, row); err != nil {
				return nil, err
			}
		}
		rows[g], keys[g] = row, k
	}
	spec := newSortSpec(t.sort.Keys)
	idx := make([]int, ng)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return spec.compare(keys[idx[a]], keys[idx[b]]) < 0 })
	out := make([][]any, ng)
	for i, j := range idx {
		out[i] = rows[j]
	}
	return out, nil
}

func (t *topGroupOp) Close() error { return t.in.Close() }
