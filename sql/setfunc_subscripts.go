package sql

import "github.com/tsgres/tsgres/sql/types"

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
