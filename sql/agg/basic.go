package agg

import (
	"github.com/tsgres/tsgres/sql/funcs"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Basic aggregates: count, sum, avg, min, max, bool_and/bool_or/every.

// regAgg registers an aggregate with a fixed result type.
func regAgg(name string, args []types.T, ret types.T, New func(argTypes []types.T, direct []any) State) {
	Register(&Aggregate{Name: name, Args: args, Ret: funcs.Fixed(ret), New: New})
}

func mergeTypeError(a, b State) error {
	return pgerr.New(pgerr.Internal, "cannot merge aggregate states of types %T and %T", a, b)
}

type countState struct {
	n    int64
	star bool
}

func (s *countState) Add(_ *funcs.Ctx, args []any) error {
	if s.star || args[0] != nil {
		s.n++
	}
	return nil
}

func (s *countState) Merge(o State) error {
	x, ok := o.(*countState)
	if !ok {
		return mergeTypeError(s, o)
	}
	s.n += x.n
	return nil
}

func (s *countState) Result(*funcs.Ctx) (any, error) { return s.n, nil }

// intSumState sums integers exactly: int64 while it fits, then numeric.
// big != nil once the int64 accumulator overflowed.
type intSumState struct {
	n   int64
	sum int64
	big *apd.Decimal
	ret types.T // int8 (sum of int2/int4) or numeric
	avg bool
}

func (s *intSumState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil {
		return nil
	}
	s.addInt(args[0].(int64))
	s.n++
	return nil
}

func (s *intSumState) addInt(v int64) {
	if s.big != nil {
		s.big = funcs.DecAdd(s.big, funcs.DecFromInt64(v))
		return
	}
	r, ok := funcs.Add64(s.sum, v)
	if !ok {
		s.big = funcs.DecAdd(funcs.DecFromInt64(s.sum), funcs.DecFromInt64(v))
		return
	}
	s.sum = r
}

func (s *intSumState) total() *apd.Decimal {
	if s.big != nil {
		return s.big
	}
	return funcs.DecFromInt64(s.sum)
}

func (s *intSumState) Merge(o State) error {
	x, ok := o.(*intSumState)
	if !ok {
		return mergeTypeError(s, o)
	}
	if x.big != nil {
		s.big = funcs.DecAdd(s.total(), x.big)
	} else {
		s.addInt(x.sum)
	}
	s.n += x.n
	return nil
}

func (s *intSumState) Result(*funcs.Ctx) (any, error) {
	if s.n == 0 {
		return nil, nil
	}
	if s.avg {
		return funcs.DecDiv(s.total(), funcs.DecFromInt64(s.n))
	}
	if s.ret.OID == types.OidInt8 {
		if s.big != nil {
			return nil, funcs.OutOfRange("bigint")
		}
		return s.sum, nil
	}
	return s.total(), nil
}

// floatSumState is sum(float4/float8) and avg(float4/float8).
type floatSumState struct {
	n     int64
	sum   float64
	sum32 float32
	f4    bool // sum(float4): float4 arithmetic, float4 result
	avg   bool
}

func (s *floatSumState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil {
		return nil
	}
	v := args[0].(float64)
	if s.f4 {
		s.sum32 += float32(v)
	} else {
		s.sum += v
	}
	s.n++
	return nil
}

func (s *floatSumState) Merge(o State) error {
	x, ok := o.(*floatSumState)
	if !ok {
		return mergeTypeError(s, o)
	}
	s.n += x.n
	s.sum += x.sum
	s.sum32 += x.sum32
	return nil
}

func (s *floatSumState) Result(*funcs.Ctx) (any, error) {
	switch {
	case s.n == 0:
		return nil, nil
	case s.f4:
		return float64(s.sum32), nil
	case s.avg:
		return s.sum / float64(s.n), nil
	}
	return s.sum, nil
}

// numericSumState is sum/avg over numeric.
type numericSumState struct {
	n   int64
	sum *apd.Decimal
	nan bool
	avg bool
}

func (s *numericSumState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil {
		return nil
	}
	d := args[0].(*apd.Decimal)
	s.n++
	if d.Form != apd.Finite {
		s.nan = true
		return nil
	}
	if s.sum == nil {
		s.sum = new(apd.Decimal).Set(d)
	} else {
		s.sum = funcs.DecAdd(s.sum, d)
	}
	return nil
}

func (s *numericSumState) Merge(o State) error {
	x, ok := o.(*numericSumState)
	if !ok {
		return mergeTypeError(s, o)
	}
	s.n += x.n
	s.nan = s.nan || x.nan
	switch {
	case x.sum == nil:
	case s.sum == nil:
		s.sum = x.sum
	default:
		s.sum = funcs.DecAdd(s.sum, x.sum)
	}
	return nil
}

func (s *numericSumState) Result(*funcs.Ctx) (any, error) {
	switch {
	case s.n == 0:
		return nil, nil
	case s.nan:
		return &apd.Decimal{Form: apd.NaN}, nil
	case s.sum == nil:
		s.sum = apd.New(0, 0)
	}
	if s.avg {
		return funcs.DecDiv(s.sum, funcs.DecFromInt64(s.n))
	}
	return s.sum, nil
}

// intervalSumState is sum/avg over interval.
type intervalSumState struct {
	n   int64
	sum types.Interval
	avg bool
}

func (s *intervalSumState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil {
		return nil
	}
	s.n++
	return s.add(args[0].(types.Interval))
}

func (s *intervalSumState) add(v types.Interval) error {
	m := int64(s.sum.Months) + int64(v.Months)
	d := int64(s.sum.Days) + int64(v.Days)
	us, ok := funcs.Add64(s.sum.Micros, v.Micros)
	if !ok || m != int64(int32(m)) || d != int64(int32(d)) {
		return pgerr.New(pgerr.DatetimeFieldOverflow, "interval out of range")
	}
	s.sum = types.Interval{Months: int32(m), Days: int32(d), Micros: us}
	return nil
}

func (s *intervalSumState) Merge(o State) error {
	x, ok := o.(*intervalSumState)
	if !ok {
		return mergeTypeError(s, o)
	}
	s.n += x.n
	return s.add(x.sum)
}

func (s *intervalSumState) Result(*funcs.Ctx) (any, error) {
	if s.n == 0 {
		return nil, nil
	}
	if s.avg {
		return types.IntervalDiv(s.sum, float64(s.n))
	}
	return s.sum, nil
}

// minMaxState keeps the least or greatest non-NULL value.
type minMaxState struct {
	v    any
	sign int // -1 for min, 1 for max
}

func (s *minMaxState) Add(_ *funcs.Ctx, args []any) error {
	if v := args[0]; v != nil && (s.v == nil || funcs.CompareDatum(v, s.v)*s.sign > 0) {
		s.v = v
	}
	return nil
}

func (s *minMaxState) Merge(o State) error {
	x, ok := o.(*minMaxState)
	if !ok {
		return mergeTypeError(s, o)
	}
	return s.Add(nil, []any{x.v})
}

func (s *minMaxState) Result(*funcs.Ctx) (any, error) { return s.v, nil }

// boolState is bool_and/every (and) or bool_or (or).
type boolState struct {
	seen, v, and bool
}

func (s *boolState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil {
		return nil
	}
	b := args[0].(bool)
	if !s.seen {
		s.seen, s.v = true, b
	} else if s.and {
		s.v = s.v && b
	} else {
		s.v = s.v || b
	}
	return nil
}

func (s *boolState) Merge(o State) error {
	x, ok := o.(*boolState)
	if !ok {
		return mergeTypeError(s, o)
	}
	if x.seen {
		return s.Add(nil, []any{x.v})
	}
	return nil
}

func (s *boolState) Result(*funcs.Ctx) (any, error) {
	if !s.seen {
		return nil, nil
	}
	return s.v, nil
}

// minMaxTypes are the types min/max accept (PostgreSQL's btree types).
var minMaxTypes = []types.T{types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric,
	types.Text, types.Bpchar, types.Date, types.Time, types.Timestamp,
	types.Timestamptz, types.IntervalT, types.Bool, types.UUID, types.Bytea, types.Oid, funcs.AnyArray}

func init() {
	Register(&Aggregate{Name: "count", Ret: funcs.Fixed(types.Int8),
		New:    func([]types.T, []any) State { return &countState{star: true} },
		Vector: countVector(true)})
	Register(&Aggregate{Name: "count", Args: ts(funcs.AnyT), Ret: funcs.Fixed(types.Int8),
		New:    func([]types.T, []any) State { return &countState{} },
		Vector: countVector(false)})

	for _, avg := range []bool{false, true} {
		name := "sum"
		if avg {
			name = "avg"
		}
		avg := avg
		for _, t := range []types.T{types.Int2, types.Int4, types.Int8} {
			ret := types.Numeric
			if !avg && t.OID != types.OidInt8 {
				ret = types.Int8
			}
			ret2 := ret
			Register(&Aggregate{Name: name, Args: ts(t), Ret: funcs.Fixed(ret),
				New:    func([]types.T, []any) State { return &intSumState{ret: ret2, avg: avg} },
				Vector: intSumVector(ret2, avg)})
		}
		// sum(float4) adds in float4 arithmetic: no vector form.
		f4 := &Aggregate{Name: name, Args: ts(types.Float4), Ret: funcs.Fixed(types.Float4),
			New: func([]types.T, []any) State { return &floatSumState{f4: !avg, avg: avg} }}
		if avg {
			f4.Ret, f4.Vector = funcs.Fixed(types.Float8), floatSumVector(true)
		}
		Register(f4)
		Register(&Aggregate{Name: name, Args: ts(types.Float8), Ret: funcs.Fixed(types.Float8),
			New:    func([]types.T, []any) State { return &floatSumState{avg: avg} },
			Vector: floatSumVector(avg)})
		regAgg(name, ts(types.Numeric), types.Numeric, func([]types.T, []any) State { return &numericSumState{avg: avg} })
		regAgg(name, ts(types.IntervalT), types.IntervalT, func([]types.T, []any) State { return &intervalSumState{avg: avg} })
	}
	for _, t := range minMaxTypes {
		Register(&Aggregate{Name: "min", Args: ts(t), Ret: funcs.SameAsArg(0),
			New:    func([]types.T, []any) State { return &minMaxState{sign: -1} },
			Vector: minMaxVector(t, false)})
		Register(&Aggregate{Name: "max", Args: ts(t), Ret: funcs.SameAsArg(0),
			New:    func([]types.T, []any) State { return &minMaxState{sign: 1} },
			Vector: minMaxVector(t, true)})
	}
	regAgg("bool_and", ts(types.Bool), types.Bool, func([]types.T, []any) State { return &boolState{and: true} })
	regAgg("every", ts(types.Bool), types.Bool, func([]types.T, []any) State { return &boolState{and: true} })
	regAgg("bool_or", ts(types.Bool), types.Bool, func([]types.T, []any) State { return &boolState{} })
}
