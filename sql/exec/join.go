package exec

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// joinOp is a hash join (when equi-keys are known) or a nested-loop join
// over the materialized right side; LATERAL joins re-run the right side
// for every left row.
type joinOp struct {
	ctx     *Ctx
	n       *plan.Join
	left    Operator
	lw, rw  int // column counts
	right   [][]any
	hash    map[uint64][]int
	keyT    []types.T
	matched []bool // right rows matched (RIGHT/FULL)
	out     rowBuf
	built   bool
	done    bool
}

func newJoin(ctx *Ctx, n *plan.Join) (Operator, error) {
	l, err := build(ctx, n.Left)
	if err != nil {
		return nil, err
	}
	j := &joinOp{ctx: ctx, n: n, left: l, lw: len(n.Left.Columns()), rw: len(n.Right.Columns()),
		out: rowBuf{kinds: kindsOf(n.Columns())}}
	for _, e := range n.EqLeft {
		j.keyT = append(j.keyT, e.Type())
	}
	return j, nil
}

// buildRight materializes the right side (and its hash table).
func (j *joinOp) buildRight() error {
	j.built = true
	op, err := build(j.ctx, j.n.Right)
	if err != nil {
		return err
	}
	rows, err := drain(j.ctx, op)
	if err != nil {
		return err
	}
	j.right = rows
	if j.n.Kind == plan.JoinRight || j.n.Kind == plan.JoinFull {
		j.matched = make([]bool, len(rows))
	}
	if len(j.n.EqRight) == 0 || len(j.n.EqRight) != len(j.n.EqLeft) {
		return nil
	}
	j.hash = map[uint64][]int{}
	key := make([]any, len(j.n.EqRight))
	for i, row := range rows {
		ok, err := j.evalKey(j.n.EqRight, row, key)
		if err != nil {
			return err
		}
		if ok {
			h := hashRow(j.keyT, key)
			j.hash[h] = append(j.hash[h], i)
		}
	}
	return nil
}

// evalKey evaluates key expressions over row into key; false when a key
// is NULL (such a row never matches).
func (j *joinOp) evalKey(es []plan.Expr, row, key []any) (bool, error) {
	for i, e := range es {
		v, err := Eval(j.ctx, e, row)
		if err != nil {
			return false, err
		}
		if v == nil {
			return false, nil
		}
		key[i] = v
	}
	return true, nil
}

func (j *joinOp) Next() (*col.Batch, error) {
	if !j.built && !j.n.Lateral {
		if err := j.buildRight(); err != nil {
			return nil, err
		}
	}
	for !j.done && !j.out.full() {
		b, err := j.left.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			j.done = true
			j.emitUnmatchedRight()
			break
		}
		if err := j.ctx.check(); err != nil {
			return nil, err
		}
		for _, lrow := range appendRows(nil, b.Compact()) {
			if err := j.probe(lrow); err != nil {
				return nil, err
			}
		}
	}
	return j.out.flush(), nil
}

// probe joins one left row against the right side.
func (j *joinOp) probe(lrow []any) error {
	right, cands := j.right, []int(nil)
	if j.n.Lateral {
		j.ctx.pushOuter(lrow)
		op, err := build(j.ctx, j.n.Right)
		if err != nil {
			j.ctx.popOuter()
			return err
		}
		right, err = drain(j.ctx, op)
		j.ctx.popOuter()
		if err != nil {
			return err
		}
	} else if j.hash != nil {
		key := make([]any, len(j.n.EqLeft))
		ok, err := j.evalKey(j.n.EqLeft, lrow, key)
		if err != nil {
			return err
		}
		if ok {
			rkey := make([]any, len(key))
			for _, i := range j.hash[hashRow(j.keyT, key)] {
				if _, err := j.evalKey(j.n.EqRight, right[i], rkey); err != nil {
					return err
				}
				if rowsEqual(j.keyT, key, rkey) {
					cands = append(cands, i)
				}
			}
		}
		if cands == nil {
			cands = []int{}
		}
	}
	matched := false
	combined := make([]any, j.lw+j.rw)
	copy(combined, lrow)
	try := func(i int) (bool, error) {
		copy(combined[j.lw:], right[i])
		if j.n.Cond != nil {
			c, err := Eval(j.ctx, j.n.Cond, combined)
			if err != nil || c != true {
				return false, err
			}
		}
		matched = true
		if j.matched != nil {
			j.matched[i] = true
		}
		switch j.n.Kind {
		case plan.JoinSemi:
			return true, nil
		case plan.JoinAnti:
			return true, nil
		}
		j.out.rows = append(j.out.rows, append([]any(nil), combined...))
		return false, nil
	}
	if cands != nil {
		for _, i := range cands {
			if stop, err := try(i); err != nil || stop {
				if err != nil {
					return err
				}
				break
			}
		}
	} else {
		for i := range right {
			if stop, err := try(i); err != nil || stop {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	switch j.n.Kind {
	case plan.JoinSemi:
		if matched {
			j.out.rows = append(j.out.rows, lrow)
		}
	case plan.JoinAnti:
		if !matched {
			j.out.rows = append(j.out.rows, lrow)
		}
	case plan.JoinLeft, plan.JoinFull:
		if !matched {
			row := make([]any, j.lw+j.rw)
			copy(row, lrow)
			j.out.rows = append(j.out.rows, row)
		}
	}
	return nil
}

// emitUnmatchedRight adds the NULL-extended unmatched right rows of a
// RIGHT or FULL join.
func (j *joinOp) emitUnmatchedRight() {
	for i, m := range j.matched {
		if !m {
			row := make([]any, j.lw+j.rw)
			copy(row[j.lw:], j.right[i])
			j.out.rows = append(j.out.rows, row)
		}
	}
	j.matched = nil
}

func (j *joinOp) Close() error { return j.left.Close() }
