package sql

import (
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/timescale"
	"github.com/tsgres/tsgres/sql/types"
)

// maxSeriesRows bounds a materialized generate_series (one in a select
// list) so a typo cannot exhaust memory; in FROM it streams unbounded.
const maxSeriesRows = 100_000_000

// lookupSetFunc resolves a set-returning function usable in FROM (and,
// through the binder's rewrite, alone in a FROM-less select list).
func lookupSetFunc(name string, at []types.T) (plan.SetFunc, []plan.OutCol, bool) {
	one := func(t types.T) []plan.OutCol { return []plan.OutCol{{Name: name, T: t}} }
	switch name {
	case "generate_series":
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
			t := at[0]
			if t.OID == types.OidDate || t.OID == types.OidUnknown || t.OID == types.OidText {
				t = types.Timestamptz
			}
			return func(ctx any, args []any) ([][]any, error) { return seriesTime(ctx, t, at, args) }, one(t), len(at) == 3
		}
		if numRankOK(at[0]) && numRankOK(at[1]) {
			return seriesNumeric, one(types.Numeric), true
		}
	case "unnest":
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
		}, one(et), true
	case "generate_subscripts":
		ok := (len(at) == 2 || len(at) == 3 && at[2].OID == types.OidBool) && at[0].IsArray() && at[1].IsInteger()
		return generateSubscripts, one(types.Int4), ok
	case "show_chunks", "drop_chunks", "chunks_detailed_size", "chunk_compression_stats":
		return timescale.SetFunc(name, at)
	}
	return nil, nil, false
}

func numRankOK(t types.T) bool { return t.IsNumeric() }

// seriesInt is generate_series over integers, materialized.
func seriesInt(ctx any, args []any) ([][]any, error) {
	return materialize(ctx, seriesIntStream, args)
}

// seriesIntStream is generate_series(start, stop [, step]) over integers.
func seriesIntStream(_ any, args []any) (plan.SetIter, error) {
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
	return materialize(ctx, func(ctx any, args []any) (plan.SetIter, error) {
		return seriesTimeStream(ctx, t, at, args)
	}, args)
}

// seriesTimeStream is generate_series(start, stop, step interval) over
// timestamps of type t; at are the argument types.
func seriesTimeStream(ctx any, t types.T, at []types.T, args []any) (plan.SetIter, error) {
	if args[0] == nil || args[1] == nil || args[2] == nil {
		return emptySet, nil
	}
	e := ctx.(*execEnv)
	conv := func(v any, from types.T) (int64, error) {
		if from == t {
			return v.(int64), nil
		}
		c, err := types.Cast(v, from, t, e.s.loc)
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
		if stepV, err = types.Cast(stepV, at[2], types.IntervalT, e.s.loc); err != nil {
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
			nv, err := types.AddInterval(t, v, step, e.s.loc)
			if err != nil {
				return nil, err
			}
			done = nv == v
			v = nv
		}
		return out, nil
	}, nil
}

// emptySet is the iterator of a set without rows.
func emptySet(int) ([][]any, error) { return nil, nil }

// materializeChunk is how many rows materialize pulls between
// cancellation checks.
const materializeChunk = 4096

// materialize collects a streaming function's whole set (for callers of
// plan.SetFunc such as a set-returning function in a select list),
// checking the statement's cancellation between chunks and refusing sets
// beyond maxSeriesRows.
func materialize(ctx any, stream plan.SetStream, args []any) ([][]any, error) {
	next, err := stream(ctx, args)
	if err != nil {
		return nil, err
	}
	var out [][]any
	for {
		if e, ok := ctx.(*execEnv); ok && e.ctx != nil && e.ctx.Err() != nil {
			return nil, pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
		}
		rows, err := next(materializeChunk)
		if err != nil || len(rows) == 0 {
			return out, err
		}
		out = append(out, rows...)
		if len(out) > maxSeriesRows {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "generate_series would return more than %d rows", maxSeriesRows)
		}
	}
}

// SetStream implements plan.SetStreamer: the streaming forms of
// generate_series over integers and timestamps.
func (e *execEnv) SetStream(name string, at []types.T) (plan.SetStream, bool) {
	if name != "generate_series" || len(at) < 2 || len(at) > 3 {
		return nil, false
	}
	if at[0].IsInteger() && at[1].IsInteger() {
		return seriesIntStream, true
	}
	fn, cols, ok := lookupSetFunc(name, at)
	if !ok || fn == nil || len(cols) != 1 || !cols[0].T.IsTime() || len(at) != 3 {
		return nil, false
	}
	t := cols[0].T
	return func(ctx any, args []any) (plan.SetIter, error) {
		return seriesTimeStream(ctx, t, at, args)
	}, true
}
