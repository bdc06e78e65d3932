package timescale

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Continuous aggregates' SQL functions: refresh_continuous_aggregate and
// the refresh policy (add/remove_continuous_aggregate_policy, job
// procedure continuous.ProcRefresh). The refresh itself and the policy's
// job are package continuous's; the engine runs a refresh through
// Host.RefreshContinuousAggregate.

func init() {
	b, iv, tz, t := types.Bool, types.IntervalT, types.Timestamptz, types.Text
	funcs.RegisterScalar(&funcs.Scalar{Name: "refresh_continuous_aggregate", Args: []types.T{anyT, anyT, anyT, b},
		ArgNames: []string{"continuous_aggregate", "window_start", "window_end", "force"}, Defaults: 1,
		Ret: funcs.Fixed(types.Void), Volatile: true, Fn: refreshContinuousAggregate})
	funcs.RegisterScalar(&funcs.Scalar{Name: "add_continuous_aggregate_policy", Args: []types.T{anyT, anyT, anyT, iv, b, tz, t},
		ArgNames: []string{"continuous_aggregate", "start_offset", "end_offset", "schedule_interval", "if_not_exists", "initial_start", "timezone"},
		Defaults: 3, Ret: funcs.Fixed(types.Int4), Volatile: true, Fn: addCaggPolicy})
	funcs.RegisterScalar(&funcs.Scalar{Name: "remove_continuous_aggregate_policy", Args: []types.T{anyT, b},
		ArgNames: []string{"continuous_aggregate", "if_exists"}, Defaults: 1, Ret: funcs.Fixed(types.Void), Volatile: true, Fn: removeCaggPolicy})
}

// caggArg resolves a continuous aggregate argument.
func caggArg(h Host, v any) (*catalog.Table, error) {
	t, err := h.Relation(v)
	if err != nil {
		return nil, err
	}
	if !t.IsCagg() {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "relation %q is not a continuous aggregate", t.Name)
	}
	return t, nil
}

// caggOf returns the Host of a function call and the continuous
// aggregate its argument v names.
func caggOf(ctx *funcs.Ctx, v any) (Host, *catalog.Table, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := caggArg(h, v)
	return h, t, err
}

// refreshContinuousAggregate is
// refresh_continuous_aggregate(continuous_aggregate, window_start,
// window_end, force). Like run_job, it commits its own transactions, so
// it cannot run inside a transaction block.
func refreshContinuousAggregate(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	if funcs.Arg(a, 0) == nil {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid continuous aggregate")
	}
	h, t, err := caggOf(ctx, a[0])
	if err != nil {
		return nil, err
	}
	if h.InTransactionBlock() {
		return nil, pgerr.New(pgerr.ActiveSQLTransaction, "refresh_continuous_aggregate() cannot run inside a transaction block")
	}
	tt := t.View.Cagg.TimeType
	start, err := refreshWindowArg(funcs.Arg(a, 1), tt)
	if err != nil {
		return nil, err
	}
	end, err := refreshWindowArg(funcs.Arg(a, 2), tt)
	if err != nil {
		return nil, err
	}
	if start != nil && end != nil && *start >= *end {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid refresh window").
			WithHint("The start of the window must be before the end.")
	}
	return "", h.RefreshContinuousAggregate(t.OID, start, end)
}

// refreshWindowArg converts a refresh window bound of time type t to µs
// (or integer units); nil for NULL, an open bound.
func refreshWindowArg(v any, t types.T) (*int64, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		return &x, nil
	case string:
		p, err := types.ParseText(t, x, nil)
		if err != nil {
			return nil, err
		}
		us := p.(int64)
		return &us, nil
	}
	return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid refresh window argument of type %T", v)
}

// offsetArg reads start_offset/end_offset: an interval (NULL: open). It
// returns the value for the policy's config and the offset in µs.
func offsetArg(name string, v any) (any, *int64, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil, nil
	case types.Interval:
		us := types.IntervalMicros(x)
		return x.String(), &us, nil
	case string:
		iv, err := types.ParseText(types.IntervalT, x, nil)
		if err != nil {
			return nil, nil, err
		}
		return offsetArg(name, iv)
	}
	return nil, nil, pgerr.New(pgerr.InvalidParameterValue, "invalid parameter value for %s", name).
		WithHint("Use time interval with a continuous aggregate using timestamp-based time bucket.")
}

// addCaggPolicy is add_continuous_aggregate_policy(continuous_aggregate,
// start_offset, end_offset, schedule_interval, if_not_exists,
// initial_start, timezone).
func addCaggPolicy(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, t, err := caggOf(ctx, funcs.Arg(a, 0))
	if err != nil {
		return nil, err
	}
	c := t.View.Cagg
	startCfg, start, err := offsetArg("start_offset", funcs.Arg(a, 1))
	if err != nil {
		return nil, err
	}
	endCfg, end, err := offsetArg("end_offset", funcs.Arg(a, 2))
	if err != nil {
		return nil, err
	}
	sched, ok := funcs.Arg(a, 3).(types.Interval)
	if !ok {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot use NULL schedule interval")
	}
	if err := continuous.CheckPolicyWindow(c, start, end); err != nil {
		return nil, err
	}
	if len(h.Catalog().JobsFor(continuous.ProcRefresh, c.MatOID)) > 0 {
		if !funcs.BoolArg(a, 4, false) {
			return nil, pgerr.New(pgerr.DuplicateObject, "continuous aggregate policy already exists for %q", t.Name).
				WithHint("Set option \"if_not_exists\" to true to avoid error.")
		}
		return int64(-1), nil
	}
	j, err := continuous.RefreshPolicyJob(h.Database(), t, startCfg, endCfg, sched, funcs.Arg(a, 5), funcs.Arg(a, 6), wallClock())
	if err != nil {
		return nil, err
	}
	if err := h.Writer().PutJob(j); err != nil {
		return nil, err
	}
	return int64(j.ID), nil
}

// removeCaggPolicy is
// remove_continuous_aggregate_policy(continuous_aggregate, if_exists).
func removeCaggPolicy(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, t, err := caggOf(ctx, funcs.Arg(a, 0))
	if err != nil {
		return nil, err
	}
	_, err = removePolicy(h, continuous.ProcRefresh, t.View.Cagg.MatOID, funcs.BoolArg(a, 1, false),
		pgerr.New(pgerr.UndefinedObject, "continuous aggregate policy not found for %q", t.Name))
	return "", err
}
