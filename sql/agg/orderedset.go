package agg

import (
	"github.com/tsgres/tsgres/sql/funcs"
	"math"
	"slices"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Ordered-set aggregates: percentile_cont, percentile_disc, mode. The
// state collects the non-NULL sort values; Result sorts them.

type sortedState struct {
	vals   []any
	direct []any
	elem   types.T // type of the sort values
	final  func(s *sortedState) (any, error)
}

func (s *sortedState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] != nil {
		s.vals = append(s.vals, args[0])
	}
	return nil
}

func (s *sortedState) Merge(o State) error {
	x, ok := o.(*sortedState)
	if !ok {
		return mergeTypeError(s, o)
	}
	s.vals = append(s.vals, x.vals...)
	return nil
}

func (s *sortedState) Result(*funcs.Ctx) (any, error) {
	if len(s.direct) > 0 && s.direct[0] == nil {
		return nil, nil
	}
	slices.SortStableFunc(s.vals, funcs.CompareDatum)
	return s.final(s)
}

func checkFraction(p float64) error {
	if p < 0 || p > 1 || math.IsNaN(p) {
		return pgerr.New(pgerr.NumericValueOutOfRange, "percentile value %s is not between 0 and 1", funcs.FormatFloat(p, 64))
	}
	return nil
}

// contAt is percentile_cont at fraction p over sorted vals.
func contAt(vals []any, p float64, interval bool) (any, error) {
	if err := checkFraction(p); err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return nil, nil
	}
	pos := p * float64(len(vals)-1)
	first, second := math.Floor(pos), math.Ceil(pos)
	lo, hi := vals[int(first)], vals[int(second)]
	frac := pos - first
	if interval {
		l, h := lo.(types.Interval), hi.(types.Interval)
		if first == second {
			return l, nil
		}
		diff := types.Interval{Months: h.Months - l.Months, Days: h.Days - l.Days, Micros: h.Micros - l.Micros}
		m, err := types.IntervalMul(diff, frac)
		if err != nil {
			return nil, err
		}
		return types.Interval{Months: l.Months + m.Months, Days: l.Days + m.Days, Micros: l.Micros + m.Micros}, nil
	}
	l, h := lo.(float64), hi.(float64)
	if first == second {
		return l, nil
	}
	return l + (h-l)*frac, nil
}

// discAt is percentile_disc at fraction p over sorted vals.
func discAt(vals []any, p float64) (any, error) {
	if err := checkFraction(p); err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return nil, nil
	}
	row := int(math.Ceil(p * float64(len(vals))))
	return vals[max(row, 1)-1], nil
}

// multi applies one to each fraction of an array direct argument.
func multi(s *sortedState, elem types.T, one func(float64) (any, error)) (any, error) {
	arr, ok := s.direct[0].(*types.Array)
	if !ok {
		return nil, nil
	}
	if len(s.vals) == 0 {
		return nil, nil
	}
	out := &types.Array{Elem: elem, Dims: arr.Dims, Lower: arr.Lower, Vals: make([]any, len(arr.Vals))}
	for i, f := range arr.Vals {
		if f == nil {
			continue
		}
		v, err := one(funcs.ToF64(f))
		if err != nil {
			return nil, err
		}
		out.Vals[i] = v
	}
	return out, nil
}

func init() {
	f8, iv := types.Float8, types.IntervalT
	f8arr := types.T{OID: types.OidFloat8Array, Mod: -1}
	ivarr := types.T{OID: types.OidIntervalArr, Mod: -1}
	os := func(name string, direct, args []types.T, ret func([]types.T) types.T, final func(s *sortedState) (any, error)) {
		Register(&Aggregate{Name: name, Args: args, Ret: ret, OrderedSet: true, DirectArgs: direct,
			New: func(at []types.T, d []any) State {
				e := types.Unknown
				if len(at) > 0 {
					e = at[0]
				}
				return &sortedState{direct: d, elem: e, final: final}
			}})
	}
	os("percentile_cont", ts(f8), ts(f8), funcs.Fixed(f8), func(s *sortedState) (any, error) {
		return contAt(s.vals, funcs.ToF64(s.direct[0]), false)
	})
	os("percentile_cont", ts(f8), ts(iv), funcs.Fixed(iv), func(s *sortedState) (any, error) {
		return contAt(s.vals, funcs.ToF64(s.direct[0]), true)
	})
	os("percentile_cont", ts(f8arr), ts(f8), funcs.Fixed(f8arr), func(s *sortedState) (any, error) {
		return multi(s, f8, func(p float64) (any, error) { return contAt(s.vals, p, false) })
	})
	os("percentile_cont", ts(f8arr), ts(iv), funcs.Fixed(ivarr), func(s *sortedState) (any, error) {
		return multi(s, iv, func(p float64) (any, error) { return contAt(s.vals, p, true) })
	})
	os("percentile_disc", ts(f8), ts(funcs.AnyElement), funcs.SameAsArg(0), func(s *sortedState) (any, error) {
		return discAt(s.vals, funcs.ToF64(s.direct[0]))
	})
	os("percentile_disc", ts(f8arr), ts(funcs.AnyElement), arrayRet, func(s *sortedState) (any, error) {
		return multi(s, s.elem, func(p float64) (any, error) { return discAt(s.vals, p) })
	})
	os("mode", nil, ts(funcs.AnyElement), funcs.SameAsArg(0), func(s *sortedState) (any, error) {
		var best any
		bestN, n := 0, 0
		for i, v := range s.vals {
			if i > 0 && funcs.CompareDatum(v, s.vals[i-1]) == 0 {
				n++
			} else {
				n = 1
			}
			if n > bestN {
				best, bestN = v, n
			}
		}
		return best, nil
	})
}
