package funcs

import (
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Array functions over *types.Array.

func lowerOf(a *types.Array, dim int) int {
	if dim < len(a.Lower) {
		return a.Lower[dim]
	}
	return 1
}

// dimArg validates a 1-based dimension argument against a.
func dimArg(a *types.Array, d int64) (int, bool) {
	if d < 1 || d > int64(len(a.Dims)) {
		return 0, false
	}
	return int(d - 1), true
}

// elemOf returns the array's element type from its declared type.
func elemOf(t types.T, a *types.Array) types.T {
	if a != nil && a.Elem.OID != 0 {
		return a.Elem
	}
	if e, ok := t.Elem(); ok {
		return e
	}
	return types.Unknown
}

func oneDim(elem types.T, vals []any) *types.Array {
	a := &types.Array{Elem: elem, Vals: vals}
	if len(vals) > 0 {
		a.Dims = []int{len(vals)}
	}
	return a
}

func checkOneDim(a *types.Array) error {
	if a != nil && len(a.Dims) > 1 {
		return errf(pgerr.FeatureNotSupported, "multidimensional arrays are not supported by this function")
	}
	return nil
}

func init() {
	I := types.Int4
	reg("array_length", ts(AnyArray, I), I, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		arr := a[0].(*types.Array)
		if d, ok := dimArg(arr, a[1].(int64)); ok {
			return int64(arr.Dims[d]), nil
		}
		return nil, nil
	})
	reg("array_lower", ts(AnyArray, I), I, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		arr := a[0].(*types.Array)
		if d, ok := dimArg(arr, a[1].(int64)); ok {
			return int64(lowerOf(arr, d)), nil
		}
		return nil, nil
	})
	reg("array_upper", ts(AnyArray, I), I, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		arr := a[0].(*types.Array)
		if d, ok := dimArg(arr, a[1].(int64)); ok {
			return int64(lowerOf(arr, d) + arr.Dims[d] - 1), nil
		}
		return nil, nil
	})
	reg("array_ndims", ts(AnyArray), I, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		if n := len(a[0].(*types.Array).Dims); n > 0 {
			return int64(n), nil
		}
		return nil, nil
	})
	reg("cardinality", ts(AnyArray), I, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return int64(len(a[0].(*types.Array).Vals)), nil
	})
	RegisterScalar(&Scalar{Name: "array_append", Args: ts(AnyArray, AnyElement), Ret: SameAsArg(0),
		Fn: func(_ *Ctx, at []types.T, a []any) (any, error) {
			arr, _ := a[0].(*types.Array)
			if err := checkOneDim(arr); err != nil {
				return nil, err
			}
			var vals []any
			if arr != nil {
				vals = append(vals, arr.Vals...)
			}
			return oneDim(elemOf(at[0], arr), append(vals, a[1])), nil
		}})
	RegisterScalar(&Scalar{Name: "array_prepend", Args: ts(AnyElement, AnyArray), Ret: SameAsArg(1),
		Fn: func(_ *Ctx, at []types.T, a []any) (any, error) {
			arr, _ := a[1].(*types.Array)
			if err := checkOneDim(arr); err != nil {
				return nil, err
			}
			vals := []any{a[0]}
			if arr != nil {
				vals = append(vals, arr.Vals...)
			}
			return oneDim(elemOf(at[1], arr), vals), nil
		}})
	RegisterScalar(&Scalar{Name: "array_cat", Args: ts(AnyArray, AnyArray), Ret: SameAsArg(0),
		Fn: func(_ *Ctx, at []types.T, a []any) (any, error) {
			x, _ := a[0].(*types.Array)
			y, _ := a[1].(*types.Array)
			switch {
			case x == nil && y == nil:
				return nil, nil
			case x == nil:
				return y, nil
			case y == nil:
				return x, nil
			}
			if err := checkOneDim(x); err != nil {
				return nil, err
			}
			if err := checkOneDim(y); err != nil {
				return nil, err
			}
			vals := append(append([]any(nil), x.Vals...), y.Vals...)
			return oneDim(elemOf(at[0], x), vals), nil
		}})
	RegisterScalar(&Scalar{Name: "array_position", Args: ts(AnyArray, AnyElement), Ret: Fixed(I),
		Fn: func(_ *Ctx, _ []types.T, a []any) (any, error) {
			arr, _ := a[0].(*types.Array)
			if arr == nil {
				return nil, nil
			}
			if err := checkOneDim(arr); err != nil {
				return nil, err
			}
			for i, v := range arr.Vals {
				if (v == nil && a[1] == nil) || (v != nil && a[1] != nil && CompareDatum(v, a[1]) == 0) {
					return int64(i + lowerOf(arr, 0)), nil
				}
			}
			return nil, nil
		}})
	RegisterScalar(&Scalar{Name: "array_remove", Args: ts(AnyArray, AnyElement), Ret: SameAsArg(0),
		Fn: func(_ *Ctx, at []types.T, a []any) (any, error) {
			arr, _ := a[0].(*types.Array)
			if arr == nil {
				return nil, nil
			}
			if err := checkOneDim(arr); err != nil {
				return nil, err
			}
			var vals []any
			for _, v := range arr.Vals {
				if (v == nil && a[1] == nil) || (v != nil && a[1] != nil && CompareDatum(v, a[1]) == 0) {
					continue
				}
				vals = append(vals, v)
			}
			return oneDim(elemOf(at[0], arr), vals), nil
		}})
}
