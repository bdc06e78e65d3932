package exec

import (
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// filterBatch keeps the rows of b (compacted) where cond is true. It
// tests one conjunct at a time, each on the rows the ones before kept: a
// selective first test (vin = 'X') leaves the others little to do, and a
// later conjunct never runs on a row an earlier one rejected.
func filterBatch(ctx *Ctx, cond plan.Expr, b *col.Batch) (*col.Batch, error) {
	return filterConds(ctx, appendConjuncts(nil, cond), b)
}

// filterConds returns the rows of b that pass every one of conds.
func filterConds(ctx *Ctx, conds []plan.Expr, b *col.Batch) (*col.Batch, error) {
	b = b.Compact()
	for _, c := range conds {
		n := b.Rows()
		if n == 0 {
			break
		}
		v, err := EvalBatch(ctx, c, b)
		if err != nil {
			return nil, err
		}
		// Count first: a selection vector sized for the batch would be
		// garbage at once when few rows pass.
		kept := 0
		for i := 0; i < n; i++ {
			if v.B[i] && !v.IsNull(i) {
				kept++
			}
		}
		if kept == n {
			continue
		}
		sel := make([]int, 0, kept)
		for i := 0; i < n; i++ {
			if v.B[i] && !v.IsNull(i) {
				sel = append(sel, i)
			}
		}
		b = col.FromVecs(b.Cols, n)
		b.Sel = sel
		b = b.Compact()
	}
	return b, nil
}

// appendConjuncts appends the operands of cond's top-level ANDs, in order.
func appendConjuncts(dst []plan.Expr, cond plan.Expr) []plan.Expr {
	if op, ok := cond.(*plan.Op); ok && op.Kind == plan.OpAnd {
		return appendConjuncts(appendConjuncts(dst, op.L), op.R)
	}
	return append(dst, cond)
}

type filterOp struct {
	ctx *Ctx
	in  Operator
	n   *plan.Filter
}

func newFilter(ctx *Ctx, n *plan.Filter) (Operator, error) {
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	return &filterOp{ctx: ctx, in: in, n: n}, nil
}

func (f *filterOp) Next() (*col.Batch, error) {
	for {
		b, err := f.in.Next()
		if err != nil || b == nil {
			return nil, err
		}
		if err := f.ctx.check(); err != nil {
			return nil, err
		}
		if b, err = filterBatch(f.ctx, f.n.Cond, b); err != nil {
			return nil, err
		}
		if b.Rows() > 0 {
			return b, nil
		}
	}
}

func (f *filterOp) Close() error { return f.in.Close() }

type projectOp struct {
	ctx *Ctx
	in  Operator
	n   *plan.Project
}

func newProject(ctx *Ctx, n *plan.Project) (Operator, error) {
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	return &projectOp{ctx: ctx, in: in, n: n}, nil
}

func (p *projectOp) Next() (*col.Batch, error) {
	b, err := p.in.Next()
	if err != nil || b == nil {
		return nil, err
	}
	b = b.Compact()
	vecs := make([]*col.Vec, len(p.n.Exprs))
	for i, e := range p.n.Exprs {
		if vecs[i], err = EvalBatch(p.ctx, e, b); err != nil {
			return nil, err
		}
	}
	return col.FromVecs(vecs, b.Rows()), nil
}

func (p *projectOp) Close() error { return p.in.Close() }

// rowBuf collects output rows and hands them out in batches.
type rowBuf struct {
	kinds []col.Kind
	rows  [][]any
}

func (r *rowBuf) full() bool { return len(r.rows) >= max(1, col.DefaultBatchSize) }

func (r *rowBuf) flush() *col.Batch {
	if len(r.rows) == 0 {
		return nil
	}
	b := rowsBatch(r.kinds, r.rows)
	r.rows = r.rows[:0]
	return b
}

type projectSetOp struct {
	ctx  *Ctx
	in   Operator
	n    *plan.ProjectSet
	out  rowBuf
	done bool
}

func newProjectSet(ctx *Ctx, n *plan.ProjectSet) (Operator, error) {
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	return &projectSetOp{ctx: ctx, in: in, n: n, out: rowBuf{kinds: kindsOf(n.Cols)}}, nil
}

func (p *projectSetOp) Next() (*col.Batch, error) {
	for !p.done && !p.out.full() {
		b, err := p.in.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			p.done = true
			break
		}
		b = b.Compact()
		env := &rowEnv{b: b}
		for r := 0; r < b.Rows(); r++ {
			env.r = r
			if err := p.expand(env); err != nil {
				return nil, err
			}
		}
	}
	return p.out.flush(), nil
}

func (p *projectSetOp) expand(env *rowEnv) error {
	args := make([]any, len(p.n.Args))
	for i, a := range p.n.Args {
		x, err := eval(p.ctx, a, env)
		if err != nil {
			return err
		}
		args[i] = x
	}
	base := make([]any, len(p.n.Exprs))
	for i, e := range p.n.Exprs {
		if i == p.n.SRF || e == nil {
			continue
		}
		x, err := eval(p.ctx, e, env)
		if err != nil {
			return err
		}
		base[i] = x
	}
	rows, err := p.n.Fn(p.ctx.Engine, args)
	if err != nil {
		return err
	}
	for _, r := range rows {
		row := append([]any(nil), base...)
		switch len(r) {
		case 0:
		case 1:
			row[p.n.SRF] = r[0]
		default:
			rec := &types.Record{Vals: r}
			row[p.n.SRF] = rec
		}
		p.out.rows = append(p.out.rows, row)
	}
	return checkRows(p.out.kinds, p.out.rows[len(p.out.rows)-len(rows):])
}

func (p *projectSetOp) Close() error { return p.in.Close() }

type limitOp struct {
	in           Operator
	skip, remain int64 // remain < 0: unlimited
}

func newLimit(ctx *Ctx, n *plan.Limit) (Operator, error) {
	l := &limitOp{remain: -1}
	if n.Count != nil {
		v, err := limitValue(ctx, n.Count)
		if err != nil {
			return nil, err
		}
		if v != nil {
			if *v < 0 {
				return nil, pgerr.New("2201W", "LIMIT must not be negative")
			}
			l.remain = *v
		}
	}
	if n.Offset != nil {
		v, err := limitValue(ctx, n.Offset)
		if err != nil {
			return nil, err
		}
		if v != nil {
			if *v < 0 {
				return nil, pgerr.New("2201X", "OFFSET must not be negative")
			}
			l.skip = *v
		}
	}
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	if s, ok := unwrapStats(in).(*sortOp); ok && l.remain >= 0 && l.skip <= 1<<40 && l.remain <= 1<<40 {
		s.setLimit(l.remain + l.skip)
	}
	l.in = in
	return l, nil
}

func limitValue(ctx *Ctx, e plan.Expr) (*int64, error) {
	x, err := Eval(ctx, e, nil)
	if err != nil || x == nil {
		return nil, err
	}
	if x, ok := x.(int64); ok {
		return &x, nil
	}
	y, err := types.Cast(x, e.Type(), types.Int8, ctx.funcCtx().Loc)
	if err != nil {
		return nil, err
	}
	v := y.(int64)
	return &v, nil
}

func (l *limitOp) Next() (*col.Batch, error) {
	for {
		if l.remain == 0 {
			return nil, nil
		}
		b, err := l.in.Next()
		if err != nil || b == nil {
			return nil, err
		}
		b = b.Compact()
		n := int64(b.Rows())
		from := int64(0)
		if l.skip > 0 {
			from = min(l.skip, n)
			l.skip -= from
		}
		to := n
		if l.remain >= 0 && to-from > l.remain {
			to = from + l.remain
		}
		if to <= from {
			continue
		}
		if l.remain >= 0 {
			l.remain -= to - from
		}
		if from == 0 && to == n {
			return b, nil
		}
		vecs := make([]*col.Vec, len(b.Cols))
		for i, v := range b.Cols {
			vecs[i] = v.Slice(int(from), int(to))
		}
		return col.FromVecs(vecs, int(to-from)), nil
	}
}

func (l *limitOp) Close() error { return l.in.Close() }
