package sql

import (
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/timescale"
	"github.com/tsgres/tsgres/sql/types"
)

// refresh_continuous_aggregate and the refresh policy
// (add/remove_continuous_aggregate_policy, job procedure
// policy_refresh_continuous_aggregate).

const procRefresh = continuous.ProcRefresh

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
func (e *execEnv) caggArg(v any) (*catalog.Table, error) {
	t, err := e.tableArg(v)
	if err != nil {
		return nil, err
	}
	if !t.IsCagg() {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "relation %q is not a continuous aggregate", t.Name)
	}
	return t, nil
}

// caggOf returns ctx's environment and the continuous aggregate the
// argument v names.
func caggOf(ctx *funcs.Ctx, v any) (*execEnv, *catalog.Table, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := e.caggArg(v)
	return e, t, err
}

func refreshContinuousAggregate(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	if argAt(a, 0) == nil {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid continuous aggregate")
	}
	e, t, err := caggOf(ctx, a[0])
	if err != nil {
		return nil, err
	}
	if e.s.inBlock || e.s.ddl != nil {
		return nil, pgerr.New(pgerr.ActiveSQLTransaction, "refresh_continuous_aggregate() cannot run inside a transaction block")
	}
	tt := t.View.Cagg.TimeType
	start, err := timeArg(argAt(a, 1), tt)
	if err != nil {
		return nil, err
	}
	end, err := timeArg(argAt(a, 2), tt)
	if err != nil {
		return nil, err
	}
	if start != nil && end != nil && *start >= *end {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid refresh window").
			WithHint("The start of the window must be before the end.")
	}
	return "", e.s.db.refreshCagg(e.ctx, e.s, t.OID, start, end)
}

// offsetArg reads start_offset/end_offset: an interval (NULL: open).
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

func addCaggPolicy(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, t, err := caggOf(ctx, argAt(a, 0))
	if err != nil {
		return nil, err
	}
	c := t.View.Cagg
	startCfg, start, err := offsetArg("start_offset", argAt(a, 1))
	if err != nil {
		return nil, err
	}
	endCfg, end, err := offsetArg("end_offset", argAt(a, 2))
	if err != nil {
		return nil, err
	}
	sched, ok := argAt(a, 3).(types.Interval)
	if !ok {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot use NULL schedule interval")
	}
	if err := continuous.CheckPolicyWindow(c, start, end); err != nil {
		return nil, err
	}
	if len(e.s.catalogSnap().JobsFor(procRefresh, c.MatOID)) > 0 {
		if !boolAt(a, 4, false) {
			return nil, pgerr.New(pgerr.DuplicateObject, "continuous aggregate policy already exists for %q", t.Name).
				WithHint("Set option \"if_not_exists\" to true to avoid error.")
		}
		return int64(-1), nil
	}
	j, err := continuous.RefreshPolicyJob(e.s.dbOID, t, startCfg, endCfg, sched, argAt(a, 5), argAt(a, 6), nowMicros())
	if err != nil {
		return nil, err
	}
	if err := e.s.writer().PutJob(j); err != nil {
		return nil, err
	}
	return int64(j.ID), nil
}

func removeCaggPolicy(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, t, err := caggOf(ctx, argAt(a, 0))
	if err != nil {
		return nil, err
	}
	_, err = e.removePolicy(procRefresh, t.View.Cagg.MatOID, boolAt(a, 1, false),
		pgerr.New(pgerr.UndefinedObject, "continuous aggregate policy not found for %q", t.Name))
	return "", err
}

// policyArg resolves the first argument of a policy function with
// timescale.ResolvePolicyTarget; t is nil when that argument is NULL (the
// functions then return NULL, as TimescaleDB's strict required arguments
// do).
func policyArg(ctx *funcs.Ctx, a []any) (e *execEnv, t *catalog.Table, err error) {
	if e, err = envOf(ctx); err != nil || argAt(a, 0) == nil {
		return e, nil, err
	}
	t, err = timescale.ResolvePolicyTarget(e.TimescaleHost(), a[0])
	return e, t, err
}

// caggCompressOptions maps ALTER MATERIALIZED VIEW compression options
// to the hypertable options they stand for.
var caggCompressOptions = map[string]string{
	"timescaledb.compress":                     timescale.OptCompress,
	"timescaledb.enable_columnstore":           timescale.OptCompress,
	"timescaledb.compress_segmentby":           timescale.OptSegmentBy,
	"timescaledb.segmentby":                    timescale.OptSegmentBy,
	"timescaledb.compress_orderby":             timescale.OptOrderBy,
	"timescaledb.orderby":                      timescale.OptOrderBy,
	"timescaledb.compress_chunk_time_interval": timescale.OptCompressInterval,
}

// setCaggCompression applies ALTER MATERIALIZED VIEW view SET
// (timescaledb.compress ...) to the materialization hypertable. Turning
// compression on without a segmentby segments by the grouping columns
// other than the bucket, as TimescaleDB does.
func (s *session) setCaggCompression(view *catalog.Table, opts map[string]string) error {
	c := view.View.Cagg
	mat := s.catalogSnap().TableByOID(c.MatOID)
	if mat == nil {
		return pgerr.New(pgerr.UndefinedTable, "materialization hypertable of continuous aggregate %q does not exist", view.Name)
	}
	nt := mat.Clone()
	on, _ := timescale.ParseCompressFlag(opts[timescale.OptCompress])
	if _, ok := opts[timescale.OptSegmentBy]; on && !ok && nt.Hyper.Compression == nil && len(c.GroupCols) > 1 {
		var cols []string
		for _, g := range c.GroupCols[1:] {
			cols = append(cols, quoteIdent(g))
		}
		opts[timescale.OptSegmentBy] = strings.Join(cols, ", ")
	}
	if _, err := s.setCompression(nt, opts); err != nil {
		return err
	}
	return s.writer().PutTable(nt)
}
