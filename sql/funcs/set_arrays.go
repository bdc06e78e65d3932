package funcs

import "github.com/tsgres/tsgres/sql/types"

// Set-returning functions over arrays: unnest and generate_subscripts.

func init() {
	RegisterSet(&Set{Name: "unnest", Resolve: resolveUnnest})
	RegisterSet(&Set{Name: "generate_subscripts", Resolve: func(at []types.T) (SetFunc, []SetCol, bool) {
		ok := (len(at) == 2 || len(at) == 3 && at[2].OID == types.OidBool) && at[0].IsArray() && at[1].IsInteger()
		return generateSubscripts, []SetCol{{Name: "generate_subscripts", T: types.Int4}}, ok
	}})
}

// resolveUnnest is unnest(anyarray): one row per element, in storage
// order; a NULL array gives no rows.
func resolveUnnest(at []types.T) (SetFunc, []SetCol, bool) {
	if len(at) != 1 {
		return nil, nil, false
	}
	et, ok := at[0].Elem()
	if !ok {
		et = types.Text
	}
	return func(ctx any, args []any) ([][]any, error) {
		a, ok := args[0].(*types.Array)
		if !ok || a == nil {
			return nil, nil
		}
		out := make([][]any, len(a.Vals))
		for i, v := range a.Vals {
			out[i] = []any{v}
		}
		return out, nil
	}, []SetCol{{Name: "unnest", T: et}}, true
}

// generateSubscripts implements generate_subscripts(array, dim [, reverse]):
// the subscripts of dimension dim, lower to upper bound (upper to lower
// when reverse is true). A NULL array or a dimension the array does not
// have gives no rows. int2vector/oidvector are 0-based.
func generateSubscripts(_ any, args []any) ([][]any, error) {
	a, ok := args[0].(*types.Array)
	if !ok || a == nil || args[1] == nil {
		return nil, nil
	}
	dim := args[1].(int64)
	if dim < 1 || dim > int64(len(a.Dims)) {
		return nil, nil
	}
	lo := 1
	if a.Lower != nil {
		lo = a.Lower[dim-1]
	}
	n := a.Dims[dim-1]
	reverse := len(args) > 2 && args[2] == true
	out := make([][]any, n)
	for i := range out {
		k := i
		if reverse {
			k = n - 1 - i
		}
		out[i] = []any{int64(lo + k)}
	}
	return out, nil
}
