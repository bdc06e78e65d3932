package timescale

import (
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// Background jobs: add_job, alter_job, delete_job and run_job.
//
// Job definitions are catalog objects (catalog.Job) changed through the
// session's DDL writer (Host.Writer), so they commit or roll back with
// the caller's transaction. Running a job belongs to package continuous
// (continuous.RunJob), which both run_job (through Host.RunJob) and the
// scheduler call, so a job does the same work either way.

// userJobRetryPeriod is add_job's retry period.
var userJobRetryPeriod = types.Interval{Micros: 5 * types.MicrosPerMinute}

func init() {
	i4, iv, b, tz, t, jb := types.Int4, types.IntervalT, types.Bool, types.Timestamptz, types.Text, types.JSONB
	funcs.RegisterScalar(&funcs.Scalar{Name: "add_job", Args: []types.T{t, iv, jb, tz, b, t, b, t},
		ArgNames: []string{"proc", "schedule_interval", "config", "initial_start", "scheduled", "check_config", "fixed_schedule", "timezone"},
		Defaults: 6, Ret: funcs.Fixed(i4), Volatile: true, Fn: addJob})
	alterNames := []string{"job_id", "schedule_interval", "max_runtime", "max_retries", "retry_period", "scheduled",
		"config", "next_start", "check_config", "fixed_schedule", "initial_start", "timezone"}
	alterTypes := []types.T{i4, iv, iv, i4, iv, b, jb, tz, t, b, tz, t}
	funcs.RegisterScalar(&funcs.Scalar{Name: "alter_job", Args: []types.T{i4, iv, iv, i4, iv, b, jb, tz, b, t, b, tz, t},
		ArgNames: []string{"job_id", "schedule_interval", "max_runtime", "max_retries", "retry_period", "scheduled",
			"config", "next_start", "if_exists", "check_config", "fixed_schedule", "initial_start", "timezone"},
		Defaults: 12, Ret: funcs.Fixed(recordT), Volatile: true, Fn: alterJob, OutNames: alterNames, OutTypes: alterTypes})
	funcs.RegisterScalar(&funcs.Scalar{Name: "delete_job", Args: []types.T{i4}, ArgNames: []string{"job_id"},
		Ret: funcs.Fixed(types.Void), Volatile: true, Strict: true, Fn: deleteJob})
	funcs.RegisterScalar(&funcs.Scalar{Name: "run_job", Args: []types.T{i4}, ArgNames: []string{"job_id"},
		Ret: funcs.Fixed(types.Void), Volatile: true, Strict: true, Fn: runJob})
}

// wallClock is the current time in µs since the Unix epoch: a job's
// creation time (not the statement's now()).
func wallClock() int64 { return time.Now().UnixMicro() }

// addJob is add_job(proc, schedule_interval, config, initial_start,
// scheduled, check_config, fixed_schedule, timezone).
func addJob(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	procName, _ := funcs.Arg(a, 0).(string)
	iv, ok := funcs.Arg(a, 1).(types.Interval)
	if procName == "" || !ok {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "function or procedure and schedule interval cannot be NULL")
	}
	schema, proc, err := jobProc(h, procName)
	if err != nil {
		return nil, err
	}
	if types.IntervalMicros(iv) <= 0 {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "schedule interval must be greater than 0")
	}
	if funcs.Arg(a, 5) != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "check_config is not supported")
	}
	cfg, _ := funcs.Arg(a, 2).(string)
	var htOID uint32
	if schema == continuous.ProcSchema {
		t, err := policyTable(h, proc, cfg)
		if err != nil {
			return nil, err
		}
		htOID = t.OID
	}
	j := &catalog.Job{DB: h.Database(), AppName: "User-Defined Action", ProcSchema: schema, ProcName: proc,
		ScheduleInterval: iv, MaxRetries: continuous.RetryForever, RetryPeriod: userJobRetryPeriod, Config: cfg,
		Scheduled: funcs.BoolArg(a, 4, true), FixedSchedule: funcs.BoolArg(a, 6, true), HypertableOID: htOID,
		Owner: h.User(), Created: wallClock()}
	if err := continuous.SetStart(j, funcs.Arg(a, 3), funcs.Arg(a, 7)); err != nil {
		return nil, err
	}
	if err := h.Writer().PutJob(j); err != nil {
		return nil, err
	}
	return int64(j.ID), nil
}

// jobProc resolves the procedure name given to add_job, as a regproc
// argument resolves: a built-in policy procedure (schema
// continuous.ProcSchema) or a user-defined procedure or function, which
// the job calls with (job_id, config).
func jobProc(h Host, name string) (schema, proc string, err error) {
	on := plan.ParseObjectName(name)
	switch on.Schema {
	case "", continuous.ProcSchema, catalog.SchemaInternal:
		if on.Name == continuous.ProcRetention || on.Name == continuous.ProcCompression {
			return continuous.ProcSchema, on.Name, nil
		}
	}
	f, err := h.Function(name)
	if err != nil {
		return "", "", err
	}
	return f.Schema, f.Name, nil
}

// policyTable checks the config of a retention or compression policy
// job (procedure proc) and returns the hypertable it names.
func policyTable(h Host, proc, cfg string) (*catalog.Table, error) {
	pc, err := continuous.ParsePolicyConfig(cfg)
	if err != nil {
		return nil, err
	}
	t := h.Catalog().HypertableByID(pc.HypertableID)
	if t == nil || t.DB != h.Database() {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "could not find hypertable_id %d in config for job", pc.HypertableID)
	}
	lag, created := pc.DropAfter, pc.DropCreatedBefore
	if proc == continuous.ProcCompression {
		lag, created = pc.CompressAfter, pc.CompressCreatedBefore
	}
	if len(lag) == 0 && created == "" {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "config of %s must set %s", proc,
			map[string]string{continuous.ProcRetention: "drop_after", continuous.ProcCompression: "compress_after"}[proc])
	}
	return t, nil
}

// jobArg resolves a job_id argument to a job of the current database.
func jobArg(h Host, v any) (*catalog.Job, error) {
	id, _ := v.(int64)
	j := h.Catalog().Job(int32(id))
	if j == nil || j.DB != h.Database() {
		return nil, pgerr.New(pgerr.UndefinedObject, "job %d not found", id)
	}
	return j, nil
}

// jobOf returns the Host of a function call and the job its argument v
// names.
func jobOf(ctx *funcs.Ctx, v any) (Host, *catalog.Job, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	j, err := jobArg(h, v)
	return h, j, err
}

// alterJob is alter_job(job_id, schedule_interval, max_runtime,
// max_retries, retry_period, scheduled, config, next_start, if_exists,
// check_config, fixed_schedule, initial_start, timezone): it changes the
// given settings and returns the job's settings as a record.
func alterJob(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	old, err := jobArg(h, funcs.Arg(a, 0))
	if err != nil {
		if funcs.BoolArg(a, 8, false) {
			return nil, nil
		}
		id, _ := funcs.Arg(a, 0).(int64)
		return nil, pgerr.New(pgerr.UndefinedObject, "cannot alter job, job #%d not found", id)
	}
	j := *old
	if v, ok := funcs.Arg(a, 1).(types.Interval); ok {
		j.ScheduleInterval = v
	}
	if v, ok := funcs.Arg(a, 2).(types.Interval); ok {
		j.MaxRuntime = v
	}
	if v, ok := funcs.Arg(a, 3).(int64); ok {
		j.MaxRetries = int32(v)
	}
	if v, ok := funcs.Arg(a, 4).(types.Interval); ok {
		j.RetryPeriod = v
	}
	if v, ok := funcs.Arg(a, 5).(bool); ok {
		j.Scheduled = v
	}
	if v, ok := funcs.Arg(a, 6).(string); ok && continuous.IsPolicy(&j) {
		t, err := policyTable(h, j.ProcName, v)
		if err != nil {
			return nil, err
		}
		j.Config, j.HypertableOID = v, t.OID
	} else if ok {
		j.Config = v
	}
	if funcs.Arg(a, 9) != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "check_config is not supported")
	}
	if v, ok := funcs.Arg(a, 10).(bool); ok {
		j.FixedSchedule = v
	}
	if err := continuous.SetStart(&j, funcs.Arg(a, 11), funcs.Arg(a, 12)); err != nil {
		return nil, err
	}
	w := h.Writer()
	if err := w.PutJob(&j); err != nil {
		return nil, err
	}
	st, err := h.Store().JobStats(j.ID)
	if err != nil {
		return nil, err
	}
	next := j.NextStart(&st)
	if v, ok := funcs.Arg(a, 7).(int64); ok {
		if err := w.SetJobNextStart(j.ID, v); err != nil {
			return nil, err
		}
		next = v
	}
	var cfg, tz, initial any
	if j.Config != "" {
		cfg = j.Config
	}
	if j.Timezone != "" {
		tz = j.Timezone
	}
	if j.InitialStart != nil {
		initial = *j.InitialStart
	}
	return &types.Record{Types: []types.T{types.Int4, types.IntervalT, types.IntervalT, types.Int4, types.IntervalT, types.Bool,
		types.JSONB, types.Timestamptz, types.Text, types.Bool, types.Timestamptz, types.Text},
		Vals: []any{int64(j.ID), j.ScheduleInterval, j.MaxRuntime, int64(j.MaxRetries), j.RetryPeriod, j.Scheduled,
			cfg, next, nil, j.FixedSchedule, initial, tz}}, nil
}

// deleteJob is delete_job(job_id).
func deleteJob(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, j, err := jobOf(ctx, a[0])
	if err != nil {
		return nil, err
	}
	return "", h.Writer().DeleteJob(j.ID)
}

// runJob is run_job(job_id): it runs the job now, in its own transactions,
// and fails with the job's error. Like a procedure that commits, it
// cannot run inside a transaction block or after DDL in the same
// implicit transaction (the job's own DDL would wait for this one's).
func runJob(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, j, err := jobOf(ctx, a[0])
	if err != nil {
		return nil, err
	}
	if h.InTransactionBlock() {
		return nil, pgerr.New(pgerr.ActiveSQLTransaction, "run_job() cannot run inside a transaction block")
	}
	return "", h.RunJob(j.ID)
}
