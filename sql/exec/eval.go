package exec

import (
	"time"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

var utcLoc = time.UTC

// kindOf is the vector kind holding values of t.
func kindOf(t types.T) col.Kind { return t.Kind() }

// rowEnv is the row an expression is evaluated against: either a datum
// row or one physical row of a batch.
type rowEnv struct {
	row []any
	b   *col.Batch
	r   int
}

func (e *rowEnv) col(i int) (any, error) {
	if e.b != nil {
		if i < 0 || i >= len(e.b.Cols) {
			return nil, bug("column %d of %d-column batch", i, len(e.b.Cols))
		}
		return e.b.Cols[i].Get(e.r), nil
	}
	if i < 0 || i >= len(e.row) {
		return nil, bug("column %d of %d-column row", i, len(e.row))
	}
	return e.row[i], nil
}

// full returns the whole current row as datums (for correlated subqueries).
func (e *rowEnv) full() []any {
	if e.b == nil {
		return e.row
	}
	row := make([]any, len(e.b.Cols))
	for i, c := range e.b.Cols {
		row[i] = c.Get(e.r)
	}
	return row
}

// Eval evaluates e over one row of datums (ColRef i reads row[i]).
func Eval(ctx *Ctx, e plan.Expr, row []any) (any, error) {
	return eval(ctx, e, &rowEnv{row: row})
}

func eval(ctx *Ctx, e plan.Expr, env *rowEnv) (any, error) {
	switch e := e.(type) {
	case *plan.Const:
		return e.V, nil
	case *plan.ColRef:
		return env.col(e.Idx)
	case *plan.OuterRef:
		return ctx.outerVal(e.Depth, e.Idx)
	case *plan.Param:
		if e.N < 1 || e.N > len(ctx.Params) {
			return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", e.N)
		}
		return ctx.Params[e.N-1], nil
	case *plan.Call:
		return evalCall(ctx, e, env)
	case *plan.Op:
		return evalOp(ctx, e, env)
	case *plan.IsNull:
		v, err := eval(ctx, e.E, env)
		if err != nil {
			return nil, err
		}
		if r, ok := v.(*types.Record); ok {
			return recordIsNull(r, e.Not), nil
		}
		return (v == nil) != e.Not, nil
	case *plan.BoolTest:
		v, err := eval(ctx, e.E, env)
		if err != nil {
			return nil, err
		}
		b, ok := v.(bool)
		return (ok && b == e.Value) != e.Not, nil
	case *plan.Cast:
		v, err := eval(ctx, e.E, env)
		if err != nil || v == nil {
			return nil, err
		}
		return types.Cast(v, e.E.Type(), e.T, ctx.funcCtx().Loc)
	case *plan.Case:
		for _, w := range e.Whens {
			c, err := eval(ctx, w.Cond, env)
			if err != nil {
				return nil, err
			}
			if c == true {
				return eval(ctx, w.Then, env)
			}
		}
		if e.Else == nil {
			return nil, nil
		}
		return eval(ctx, e.Else, env)
	case *plan.Coalesce:
		for _, a := range e.Args {
			v, err := eval(ctx, a, env)
			if err != nil || v != nil {
				return v, err
			}
		}
		return nil, nil
	case *plan.NullIf:
		a, err := eval(ctx, e.A, env)
		if err != nil || a == nil {
			return nil, err
		}
		b, err := eval(ctx, e.B, env)
		if err != nil {
			return nil, err
		}
		if b != nil && types.Equal(e.A.Type(), a, b) {
			return nil, nil
		}
		return a, nil
	case *plan.MinMax:
		var best any
		for _, a := range e.Args {
			v, err := eval(ctx, a, env)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue
			}
			if best == nil {
				best = v
				continue
			}
			c := types.Compare(e.T, v, best)
			if (e.Greatest && c > 0) || (!e.Greatest && c < 0) {
				best = v
			}
		}
		return best, nil
	case *plan.InList:
		return evalInList(ctx, e, env)
	case *plan.Like:
		return evalLike(ctx, e, env)
	case *plan.Subquery:
		return evalSubquery(ctx, e, env)
	case *plan.ArrayExpr:
		return evalArray(ctx, e, env)
	case *plan.AnyArray:
		return evalAnyArray(ctx, e, env)
	case *plan.Subscript:
		return evalSubscript(ctx, e, env)
	case *plan.RowExpr:
		r := &types.Record{Types: make([]types.T, len(e.Args)), Vals: make([]any, len(e.Args))}
		for i, a := range e.Args {
			v, err := eval(ctx, a, env)
			if err != nil {
				return nil, err
			}
			r.Types[i], r.Vals[i] = a.Type(), v
		}
		return r, nil
	case nil:
		return nil, bug("nil expression")
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "cannot evaluate expression %T", e)
}

func recordIsNull(r *types.Record, not bool) bool {
	for _, v := range r.Vals {
		if (v == nil) == not {
			return false
		}
	}
	return true
}

func evalCall(ctx *Ctx, e *plan.Call, env *rowEnv) (any, error) {
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		v, err := eval(ctx, a, env)
		if err != nil {
			return nil, err
		}
		if v == nil && e.Fn.Strict {
			return nil, nil
		}
		args[i] = v
	}
	return callFn(ctx, e.Fn, e.ArgTypes, args)
}

func callFn(ctx *Ctx, fn *funcs.Scalar, argTypes []types.T, args []any) (any, error) {
	if fn == nil || fn.Fn == nil {
		return nil, bug("call of unresolved function")
	}
	return fn.Fn(ctx.funcCtx(), argTypes, args)
}

func evalInList(ctx *Ctx, e *plan.InList, env *rowEnv) (any, error) {
	v, err := eval(ctx, e.E, env)
	if err != nil || v == nil {
		return nil, err
	}
	t := e.E.Type()
	sawNull := false
	for _, it := range e.List {
		x, err := eval(ctx, it, env)
		if err != nil {
			return nil, err
		}
		if x == nil {
			sawNull = true
			continue
		}
		eq, err := cmpOp(plan.OpEq, t, v, x)
		if err != nil {
			return nil, err
		}
		if eq == nil {
			sawNull = true
		} else if eq == true {
			return !e.Not, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return e.Not, nil
}

func evalArray(ctx *Ctx, e *plan.ArrayExpr, env *rowEnv) (any, error) {
	elem, ok := e.T.Elem()
	if !ok {
		elem = types.Text
	}
	vals := make([]any, len(e.Elems))
	nested := len(e.Elems) > 0
	for i, x := range e.Elems {
		v, err := eval(ctx, x, env)
		if err != nil {
			return nil, err
		}
		vals[i] = v
		if _, isArr := v.(*types.Array); !isArr {
			nested = false
		}
	}
	if !nested || elem.IsArray() {
		return types.NewArray(elem, vals), nil
	}
	// ARRAY[ARRAY[..], ARRAY[..]]: a multi-dimensional array.
	first := vals[0].(*types.Array)
	out := &types.Array{Elem: first.Elem, Dims: append([]int{len(vals)}, first.Dims...)}
	for _, v := range vals {
		a := v.(*types.Array)
		if len(a.Dims) != len(first.Dims) || !equalInts(a.Dims, first.Dims) {
			return nil, pgerr.New(pgerr.ArraySubscriptError, "multidimensional arrays must have array expressions with matching dimensions")
		}
		out.Vals = append(out.Vals, a.Vals...)
	}
	if len(out.Vals) == 0 {
		out.Dims = nil
	}
	return out, nil
}

func equalInts(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func evalAnyArray(ctx *Ctx, e *plan.AnyArray, env *rowEnv) (any, error) {
	av, err := eval(ctx, e.Array, env)
	if err != nil || av == nil {
		return nil, err
	}
	arr, ok := av.(*types.Array)
	if !ok {
		return nil, bug("ANY/ALL over %T", av)
	}
	if len(arr.Vals) == 0 {
		return e.All, nil
	}
	v, err := eval(ctx, e.E, env)
	if err != nil || v == nil {
		return nil, err
	}
	return quantified(e.Op, e.All, e.E.Type(), v, arr.Vals)
}

// quantified computes "v op ANY/ALL (vals)" with SQL NULL semantics.
func quantified(op plan.OpKind, all bool, t types.T, v any, vals []any) (any, error) {
	sawNull := false
	for _, x := range vals {
		r, err := cmpOp(op, t, v, x)
		if err != nil {
			return nil, err
		}
		switch {
		case r == nil:
			sawNull = true
		case r == true && !all:
			return true, nil
		case r == false && all:
			return false, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return all, nil
}

func evalSubscript(ctx *Ctx, e *plan.Subscript, env *rowEnv) (any, error) {
	av, err := eval(ctx, e.E, env)
	if err != nil || av == nil {
		return nil, err
	}
	iv, err := eval(ctx, e.Idx, env)
	if err != nil || iv == nil {
		return nil, err
	}
	arr, ok := av.(*types.Array)
	idx, ok2 := iv.(int64)
	if !ok || !ok2 {
		return nil, bug("subscript of %T by %T", av, iv)
	}
	if len(arr.Dims) != 1 {
		return nil, nil
	}
	lo := 1
	if len(arr.Lower) > 0 {
		lo = arr.Lower[0]
	}
	k := idx - int64(lo)
	if k < 0 || k >= int64(len(arr.Vals)) {
		return nil, nil
	}
	return arr.Vals[k], nil
}
