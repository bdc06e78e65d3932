package agg

import (
	"github.com/tsgres/tsgres/sql/funcs"
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// string_agg, array_agg and TimescaleDB's first, last and histogram.

type stringAggState struct {
	b          strings.Builder
	seen       bool
	firstDelim any // delimiter of the first row: written before it when merged after another state
}

func (s *stringAggState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil {
		return nil
	}
	if s.seen && args[1] != nil {
		s.b.WriteString(str(args[1]))
	}
	if !s.seen {
		s.firstDelim = args[1]
	}
	s.seen = true
	s.b.WriteString(str(args[0]))
	return nil
}

// Merge appends other's rows after this state's, joined by the
// delimiter of other's first row, as if its rows had been added here.
func (s *stringAggState) Merge(o State) error {
	x, ok := o.(*stringAggState)
	if !ok {
		return mergeTypeError(s, o)
	}
	if !x.seen {
		return nil
	}
	if s.seen && x.firstDelim != nil {
		s.b.WriteString(str(x.firstDelim))
	}
	if !s.seen {
		s.firstDelim = x.firstDelim
	}
	s.seen = true
	s.b.WriteString(x.b.String())
	return nil
}

func (s *stringAggState) Result(*funcs.Ctx) (any, error) {
	if !s.seen {
		return nil, nil
	}
	return s.b.String(), nil
}

type arrayAggState struct {
	elem types.T
	vals []any
	seen bool
}

func (s *arrayAggState) Add(_ *funcs.Ctx, args []any) error {
	s.vals = append(s.vals, args[0])
	s.seen = true
	return nil
}

func (s *arrayAggState) Merge(o State) error {
	x, ok := o.(*arrayAggState)
	if !ok {
		return mergeTypeError(s, o)
	}
	s.vals = append(s.vals, x.vals...)
	s.seen = s.seen || x.seen
	return nil
}

func (s *arrayAggState) Result(*funcs.Ctx) (any, error) {
	if !s.seen {
		return nil, nil
	}
	vals := append([]any(nil), s.vals...)
	return &types.Array{Elem: s.elem, Dims: []int{len(vals)}, Vals: vals}, nil
}

// bookendState is first/last: the value at the least (first) or greatest
// (last) time; rows with a NULL time are ignored; ties keep the row seen
// first.
type bookendState struct {
	val, time any
	seen      bool
	sign      int
}

func (s *bookendState) Add(_ *funcs.Ctx, args []any) error {
	if args[1] == nil {
		return nil
	}
	if !s.seen || funcs.CompareDatum(args[1], s.time)*s.sign > 0 {
		s.val, s.time, s.seen = args[0], args[1], true
	}
	return nil
}

func (s *bookendState) Merge(o State) error {
	x, ok := o.(*bookendState)
	if !ok {
		return mergeTypeError(s, o)
	}
	if x.seen {
		return s.Add(nil, []any{x.val, x.time})
	}
	return nil
}

func (s *bookendState) Result(*funcs.Ctx) (any, error) { return s.val, nil }

// histogramState counts values into nbuckets+2 buckets as width_bucket.
type histogramState struct {
	counts []int64
}

func (s *histogramState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil || args[1] == nil || args[2] == nil || args[3] == nil {
		return nil
	}
	lo, hi, n := funcs.ToF64(args[1]), funcs.ToF64(args[2]), args[3].(int64)
	if lo > hi {
		return pgerr.New(pgerr.InvalidParameterValue, "lower bound cannot exceed upper bound")
	}
	if n < 1 || n > 1<<20 {
		return pgerr.New(pgerr.InvalidParameterValue, "number of buckets must not be less than one")
	}
	if s.counts == nil {
		s.counts = make([]int64, n+2)
	} else if int64(len(s.counts)) != n+2 {
		return pgerr.New(pgerr.InvalidParameterValue, "number of buckets must not change between calls")
	}
	b, err := funcs.WidthBucketFloat(nil, nil, []any{args[0], lo, hi, n})
	if err != nil {
		return err
	}
	s.counts[b.(int64)]++
	return nil
}

func (s *histogramState) Merge(o State) error {
	x, ok := o.(*histogramState)
	if !ok {
		return mergeTypeError(s, o)
	}
	switch {
	case x.counts == nil:
	case s.counts == nil:
		s.counts = append([]int64(nil), x.counts...)
	case len(s.counts) != len(x.counts):
		return pgerr.New(pgerr.InvalidParameterValue, "number of buckets must not change between calls")
	default:
		for i, c := range x.counts {
			s.counts[i] += c
		}
	}
	return nil
}

func (s *histogramState) Result(*funcs.Ctx) (any, error) {
	if s.counts == nil {
		return nil, nil
	}
	vals := make([]any, len(s.counts))
	for i, c := range s.counts {
		vals[i] = c
	}
	return &types.Array{Elem: types.Int4, Dims: []int{len(vals)}, Vals: vals}, nil
}

// arrayRet is the Ret of array_agg: the array type of the argument.
func arrayRet(a []types.T) types.T {
	if at, ok := types.ArrayOf(a[0]); ok {
		return at
	}
	return types.T{OID: types.OidAnyArray, Mod: -1}
}

func init() {
	regAgg("string_agg", ts(types.Text, types.Text), types.Text, func([]types.T, []any) State { return &stringAggState{} })
	regAgg("string_agg", ts(types.Bytea, types.Bytea), types.Bytea, func([]types.T, []any) State { return &stringAggState{} })
	Register(&Aggregate{Name: "array_agg", Args: ts(funcs.AnyElement), Ret: arrayRet,
		New: func(at []types.T, _ []any) State { return &arrayAggState{elem: at[0]} }})
	Register(&Aggregate{Name: "first", Args: ts(funcs.AnyElement, funcs.AnyT), Ret: funcs.SameAsArg(0),
		New: func([]types.T, []any) State { return &bookendState{sign: -1} }})
	Register(&Aggregate{Name: "last", Args: ts(funcs.AnyElement, funcs.AnyT), Ret: funcs.SameAsArg(0),
		New: func([]types.T, []any) State { return &bookendState{sign: 1} }})
	regAgg("histogram", ts(types.Float8, types.Float8, types.Float8, types.Int4), types.T{OID: types.OidInt4Array, Mod: -1},
		func([]types.T, []any) State { return &histogramState{} })
}
