package exec

import (
	"sort"

	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// aggGroup is one group of a hash aggregation.
type aggGroup struct {
	key    []any
	states []agg.State
	// per aggregate with DISTINCT: the argument rows already fed
	seen []*rowSet
	// per aggregate with ORDER BY: buffered arguments and sort keys
	buf [][]sortRow
}

type aggOp struct {
	ctx    *Ctx
	in     Operator
	n      *plan.Agg
	keyT   []types.T
	direct [][]any
	argT   [][]types.T
	groups map[uint64][]*aggGroup
	i64    map[int64]*aggGroup // single non-null int64 key fast path
	order  []*aggGroup
	out    *rowsOp
	fast   *fastAgg // typed accumulators, nil for the generic path
	meta   *metaAgg // whole blocks answered from metadata, nil when off
}

func newAgg(ctx *Ctx, n *plan.Agg) (Operator, error) {
	a := &aggOp{ctx: ctx, n: n, groups: map[uint64][]*aggGroup{}, i64: map[int64]*aggGroup{}}
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	a.in = in
	if a.meta = planMetaAgg(ctx, n); a.meta != nil {
		// The scan offers each block to the aggregate before decoding it.
		if h := scanBelow(in); h != nil {
			h.hook = func(blk *storage.BlockMeta) bool { return a.meta.fold(a, blk) }
		}
		if ctx.Analyze {
			if ctx.metaAggs == nil {
				ctx.metaAggs = map[*plan.HyperScan]*metaAgg{}
			}
			ctx.metaAggs[a.meta.scan] = a.meta
		}
	}
	for _, k := range n.Keys {
		a.keyT = append(a.keyT, k.Type())
	}
	for _, c := range n.Aggs {
		d := make([]any, len(c.Direct))
		for i, e := range c.Direct {
			if d[i], err = Eval(ctx, e, nil); err != nil {
				in.Close()
				return nil, err
			}
		}
		if len(c.Direct) == 0 {
			d = nil
		}
		a.direct = append(a.direct, d)
		at := c.ArgTypes
		if at == nil {
			for _, e := range c.Args {
				at = append(at, e.Type())
			}
		}
		a.argT = append(a.argT, at)
	}
	a.fast = newFastAgg(n, a.argT)
	return a, nil
}

// grand returns the single group of an aggregate without GROUP BY.
func (a *aggOp) grand() *aggGroup {
	if len(a.order) == 0 {
		a.newGroup(nil)
	}
	return a.order[0]
}

func (a *aggOp) newGroup(key []any) *aggGroup {
	g := &aggGroup{key: key, states: make([]agg.State, len(a.n.Aggs))}
	for i, c := range a.n.Aggs {
		g.states[i] = c.Agg.New(a.argT[i], a.direct[i])
		if c.Distinct {
			if g.seen == nil {
				g.seen = make([]*rowSet, len(a.n.Aggs))
			}
			g.seen[i] = newRowSet(a.argT[i])
		}
		if len(c.OrderBy) > 0 && g.buf == nil {
			g.buf = make([][]sortRow, len(a.n.Aggs))
		}
	}
	a.order = append(a.order, g)
	return g
}

// lookup finds or creates the group of key.
func (a *aggOp) lookup(key []any) *aggGroup {
	if len(key) == 1 {
		if x, ok := key[0].(int64); ok {
			g := a.i64[x]
			if g == nil {
				g = a.newGroup(key)
				a.i64[x] = g
			}
			return g
		}
	}
	h := hashRow(a.keyT, key)
	for _, g := range a.groups[h] {
		if rowsEqual(a.keyT, g.key, key) {
			return g
		}
	}
	g := a.newGroup(key)
	a.groups[h] = append(a.groups[h], g)
	return g
}

// aggInput holds the evaluated inputs of one aggregate for one batch.
type aggInput struct {
	args   []*col.Vec
	filter *col.Vec
	order  []*col.Vec
}

func (a *aggOp) consume(b *col.Batch) error {
	if a.fast != nil {
		return a.consumeFast(a.fast, b)
	}
	b = b.Compact()
	n := b.Rows()
	keys := make([]*col.Vec, len(a.n.Keys))
	var err error
	for i, k := range a.n.Keys {
		if keys[i], err = EvalBatch(a.ctx, k, b); err != nil {
			return err
		}
	}

	ins := make([]aggInput, len(a.n.Aggs))
	for i, c := range a.n.Aggs {
		in := &ins[i]
		if !c.Star {
			in.args = make([]*col.Vec, len(c.Args))
			for j, e := range c.Args {
				if in.args[j], err = EvalBatch(a.ctx, e, b); err != nil {
					return err
				}
			}
		}
		if c.Filter != nil {
			if in.filter, err = EvalBatch(a.ctx, c.Filter, b); err != nil {
				return err
			}
		}
		if len(c.OrderBy) > 0 {
			if in.order, err = sortKeys(a.ctx, c.OrderBy, b); err != nil {
				return err
			}
		}
	}
	var grand *aggGroup
	if len(keys) == 0 {
		if len(a.order) == 0 {
			a.newGroup(nil)
		}
		grand = a.order[0]
	}
	fctx := a.ctx.funcCtx()
	args := make([][]any, len(a.n.Aggs))
	for i, in := range ins {
		args[i] = make([]any, len(in.args))
	}
	for r := 0; r < n; r++ {
		g := grand
		if g == nil {
			key := make([]any, len(keys))
			for i, k := range keys {
				key[i] = k.Get(r)
			}
			g = a.lookup(key)
		}
		for i, c := range a.n.Aggs {
			in := &ins[i]
			if in.filter != nil && (in.filter.IsNull(r) || !in.filter.B[r]) {
				continue
			}
			av := args[i]
			for j, v := range in.args {
				av[j] = v.Get(r)
			}
			if c.Distinct {
				if _, added := g.seen[i].add(append([]any(nil), av...)); !added {
					continue
				}
			}
			if in.order != nil {
				ks := make([]any, len(in.order))
				for j, v := range in.order {
					ks[j] = v.Get(r)
				}
				g.buf[i] = append(g.buf[i], sortRow{row: append([]any(nil), av...), keys: ks})
				continue
			}
			if c.Star {
				av = nil
			}
			if err := g.states[i].Add(fctx, av); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *aggOp) Next() (*col.Batch, error) {
	if a.out == nil {
		parallel := false
		if h, st := a.parallelScan(); h != nil {
			var err error
			if parallel, err = a.consumeParallel(h, st); err != nil {
				return nil, err
			}
		}
		for !parallel {
			b, err := a.in.Next()
			if err != nil {
				return nil, err
			}
			if b == nil {
				break
			}
			if err := a.ctx.check(); err != nil {
				return nil, err
			}
			if err := a.consume(b); err != nil {
				return nil, err
			}
		}
		if a.fast != nil {
			// Groups the metadata shortcut made must be merged into too.
			a.flushFast(a.fast, parallel || a.meta != nil && len(a.n.Keys) > 0)
		}
		if a.n.Grand && len(a.n.Keys) == 0 && len(a.order) == 0 {
			a.newGroup(nil)
		}
		rows, err := a.results()
		if err != nil {
			return nil, err
		}
		kinds := kindsOf(a.n.Cols)
		if err := checkRows(kinds, rows); err != nil {
			return nil, err
		}
		a.out = &rowsOp{kinds: kinds, rows: rows}
	}
	return a.out.Next()
}

// flushFast folds f's typed accumulators into ordinary groups; with merge
// set, groups already present (from other workers' accumulators) are
// merged into rather than created.
func (a *aggOp) flushFast(f *fastAgg, merge bool) {
	for g := 0; g < f.ngroup; g++ {
		var grp *aggGroup
		switch {
		case f.nkeys == 0:
			grp = a.grand()
		case merge:
			grp = a.lookup(f.keys[g])
		default:
			grp = a.newGroup(f.keys[g])
		}
		for i := range f.accs {
			st := f.accs[i].Summary(int32(g))
			if !agg.Fold(grp.states[i], &st, true) {
				panic("BUG: typed aggregate accumulator refused by its state")
			}
		}
	}
	a.fast = nil
}

func (a *aggOp) results() ([][]any, error) {
	fctx := a.ctx.funcCtx()
	rows := make([][]any, 0, len(a.order))
	for _, g := range a.order {
		row := make([]any, 0, len(a.n.Keys)+len(a.n.Aggs))
		row = append(row, g.key...)
		for i, c := range a.n.Aggs {
			if g.buf != nil && len(c.OrderBy) > 0 {
				spec := newSortSpec(c.OrderBy)
				buf := g.buf[i]
				sort.SliceStable(buf, func(x, y int) bool { return spec.compare(buf[x].keys, buf[y].keys) < 0 })
				for _, sr := range buf {
					if err := g.states[i].Add(fctx, sr.row); err != nil {
						return nil, err
					}
				}
				g.buf[i] = nil
			}
			v, err := g.states[i].Result(fctx)
			if err != nil {
				return nil, err
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (a *aggOp) Close() error { return a.in.Close() }
