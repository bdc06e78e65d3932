package exec

import (
	"cmp"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// constValue returns the value of e when it is the same for every row
// (a constant or a bound parameter).
func constValue(ctx *Ctx, e plan.Expr) (any, bool, error) {
	switch e.(type) {
	case *plan.Const, *plan.Param:
		v, err := eval(ctx, e, nil)
		return v, err == nil, err
	}
	return nil, false, nil
}

// cmpConstBatch evaluates a comparison of a column expression with a
// constant (either side) without spreading the constant over a vector:
// WHERE vin = 'X' AND time > '...' compares each block's values with the
// literal in one typed loop. It reports false when e is not of that form
// or the types need the general path.
func cmpConstBatch(ctx *Ctx, e *plan.Op, b *col.Batch) (*col.Vec, bool, error) {
	x, k := e.L, e.Kind
	c, ok, err := constValue(ctx, e.R)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		if c, ok, err = constValue(ctx, e.L); err != nil || !ok {
			return nil, false, err
		}
		x, k = e.R, k.Flip()
	}
	if c == nil || x.Type().OID == types.OidBpchar || x.Type().OID == types.OidRecord || e.L.Type().Kind() != e.R.Type().Kind() {
		return nil, false, nil
	}
	v, err := EvalBatch(ctx, x, b)
	if err != nil {
		return nil, false, err
	}
	n := b.Rows()
	out := col.NewVec(col.Bool, n)
	o := out.B[:n]
	switch v.Kind {
	case col.Int64:
		y, ok := c.(int64)
		if !ok {
			return nil, false, nil
		}
		cmpOrderedConst(k, v.I64[:n], y, o)
	case col.Bytes:
		y, ok := c.(string)
		if !ok {
			return nil, false, nil
		}
		cmpOrderedConst(k, v.S[:n], y, o)
	case col.Float64:
		y, ok := c.(float64)
		if !ok || y != y {
			return nil, false, nil // NaN: the general path orders it
		}
		vals := v.F64[:n]
		cmpOrderedConst(k, vals, y, o)
		for i, f := range vals {
			if f != f { // NaN sorts above every number
				o[i] = cmpResult(k, 1)
			}
		}
	default:
		return nil, false, nil
	}
	out.B = o
	out.Nulls = orNulls(v, nil, n)
	return out, true, nil
}

// cmpOrderedConst sets o[i] to "a[i] k c".
func cmpOrderedConst[T cmp.Ordered](k plan.OpKind, a []T, c T, o []bool) {
	switch k {
	case plan.OpEq:
		for i, x := range a {
			o[i] = x == c
		}
	case plan.OpNe:
		for i, x := range a {
			o[i] = x != c
		}
	case plan.OpLt:
		for i, x := range a {
			o[i] = x < c
		}
	case plan.OpLe:
		for i, x := range a {
			o[i] = x <= c
		}
	case plan.OpGt:
		for i, x := range a {
			o[i] = x > c
		}
	default:
		for i, x := range a {
			o[i] = x >= c
		}
	}
}
