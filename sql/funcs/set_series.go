package funcs

import (
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// generate_series over integers and timestamps, materialized (a call in
// a select list) or streaming (a call in FROM).

func init() {
	RegisterSet(&Set{Name: "generate_series", Resolve: resolveSeries, Stream: streamSeries})
}

// resolveSeries picks generate_series' form for argument types at.
func resolveSeries(at []types.T) (SetFunc, []SetCol, bool) {
	one := func(t types.T) []SetCol { return []SetCol{{Name: "generate_series", T: t}} }
	if len(at) < 2 || len(at) > 3 {
		return nil, nil, false
	}
	if at[0].IsInteger() && at[1].IsInteger() {
		t := types.Int4
		if at[0].OID == types.OidInt8 || at[1].OID == types.OidInt8 {
			t = types.Int8
		}
		return seriesInt, one(t), true
	}
	if at[0].IsTime() || at[0].OID == types.OidUnknown || at[0].OID == types.OidText {
		t := seriesTimeType(at)
		return func(ctx any, args []any) ([][]any, error) { return seriesTime(ctx, t, at, args) }, one(t), len(at) == 3
	}
	if at[0].IsNumeric() && at[1].IsNumeric() {
		return seriesNumeric, one(types.Numeric), true
	}
	return nil, nil, false
}

// seriesTimeType is the result type of generate_series over timestamps:
// the start's type, timestamptz for date and untyped starts.
func seriesTimeType(at []types.T) types.T {
	t := at[0]
	if t.OID == types.OidDate || t.OID == types.OidUnknown || t.OID == types.OidText {
		t = types.Timestamptz
	}
	return t
}

// streamSeries is the streaming form of generate_series over integers
// and timestamps (with a step).
func streamSeries(at []types.T) (SetStream, bool) {
	if len(at) < 2 || len(at) > 3 {
		return nil, false
	}
	if at[0].IsInteger() && at[1].IsInteger() {
		return seriesIntStream, true
	}
	fn, cols, ok := resolveSeries(at)
	if !ok || fn == nil || len(cols) != 1 || !cols[0].T.IsTime() || len(at) != 3 {
		return nil, false
	}
	t := cols[0].T
	return func(ctx any, args []any) (SetIter, error) {
		return seriesTimeStream(ctx, t, at, args)
	}, true
}

// seriesInt is generate_series over integers, materialized.
func seriesInt(ctx any, args []any) ([][]any, error) {
	return materialize(ctx, seriesIntStream, args)
}

// seriesIntStream is generate_series(start, stop [, step]) over integers.
func seriesIntStream(_ any, args []any) (SetIter, error) {
	if args[0] == nil || args[1] == nil || len(args) > 2 && args[2] == nil {
		return emptySet, nil
	}
	start, stop := args[0].(int64), args[1].(int64)
	step := int64(1)
	if len(args) > 2 {
		step = args[2].(int64)
	}
	if step == 0 {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "step size cannot equal zero")
	}
	v, done := start, step > 0 && start > stop || step < 0 && start < stop
	return func(max int) ([][]any, error) {
		var out [][]any
		for !done && len(out) < max {
			out = append(out, []any{v})
			next := v + step
			// Stop once stepping passes stop or wraps around.
			done = step > 0 && (next > stop || next < v) || step < 0 && (next < stop || next > v)
			v = next
		}
		return out, nil
	}, nil
}

func seriesNumeric(_ any, args []any) ([][]any, error) {
	return nil, pgerr.New(pgerr.FeatureNotSupported, "generate_series over numeric is not supported yet")
}

// seriesTime is generate_series over timestamps, materialized.
func seriesTime(ctx any, t types.T, at []types.T, args []any) ([][]any, error) {
	return materialize(ctx, func(ctx any, args []any) (SetIter, error) {
		return seriesTimeStream(ctx, t, at, args)
	}, args)
}

// seriesTimeStream is generate_series(start, stop, step interval) over
// timestamps of type t; at are the argument types.
func seriesTimeStream(ctx any, t types.T, at []types.T, args []any) (SetIter, error) {
	if args[0] == nil || args[1] == nil || args[2] == nil {
		return emptySet, nil
	}
	loc := ctx.(SetEnv).Location()
	conv := func(v any, from types.T) (int64, error) {
		if from == t {
			return v.(int64), nil
		}
		c, err := types.Cast(v, from, t, loc)
		if err != nil {
			return 0, err
		}
		return c.(int64), nil
	}
	start, err := conv(args[0], at[0])
	if err != nil {
		return nil, err
	}
	stop, err := conv(args[1], at[1])
	if err != nil {
		return nil, err
	}
	stepV := args[2]
	if at[2].OID == types.OidText {
		// An untyped literal step ('1 hour') resolves to interval.
		if stepV, err = types.Cast(stepV, at[2], types.IntervalT, loc); err != nil {
			return nil, err
		}
	}
	step, ok := stepV.(types.Interval)
	if !ok {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "generate_series step must be an interval")
	}
	if step == (types.Interval{}) {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "step size cannot equal zero")
	}
	neg := types.IntervalMicros(step) < 0
	v, done := start, false
	return func(max int) ([][]any, error) {
		var out [][]any
		for !done && len(out) < max && (!neg && v <= stop || neg && v >= stop) {
			out = append(out, []any{v})
			nv, err := types.AddInterval(t, v, step, loc)
			if err != nil {
				return nil, err
			}
			done = nv == v
			v = nv
		}
		return out, nil
	}, nil
}
