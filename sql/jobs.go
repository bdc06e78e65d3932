package sql

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/timescale"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Background jobs: the SQL API (add_job, alter_job, delete_job, run_job,
// add/remove_compression_policy) and the engine's part of a job run.
//
// Job definitions are catalog objects (catalog.Job) changed through the
// session's DDL writer, so they commit or roll back with the caller's
// transaction. Running a job is DB.RunJob, which hands over to
// continuous.RunJob: both run_job and the scheduler in package
// continuous call it, so a job does the same work either way. The
// retention and compression policies execute here (runRetention,
// runCompression), reached through continuous.JobSession.

// Built-in job procedures (see package continuous).
const (
	jobProcSchema   = continuous.ProcSchema
	procRetention   = continuous.ProcRetention
	procCompression = continuous.ProcCompression
)

// Defaults of TimescaleDB's policy and job functions.
var (
	retentionSchedule    = types.Interval{Days: 1}
	retentionMaxRuntime  = types.Interval{Micros: 5 * types.MicrosPerMinute}
	retentionRetryPeriod = types.Interval{Micros: 5 * types.MicrosPerMinute}
	compressionRetry     = types.Interval{Micros: types.MicrosPerHour}
	// compressionIntSchedule is the compression policy's schedule for
	// integer-time hypertables (time ones use half the chunk interval).
	compressionIntSchedule = types.Interval{Days: 1}
	userJobRetryPeriod     = types.Interval{Micros: 5 * types.MicrosPerMinute}
)

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
	funcs.RegisterScalar(&funcs.Scalar{Name: "add_compression_policy", Args: []types.T{anyT, anyT, b, iv, tz, t, iv},
		ArgNames: []string{"hypertable", "compress_after", "if_not_exists", "schedule_interval", "initial_start", "timezone", "compress_created_before"},
		Defaults: 6, Ret: funcs.Fixed(i4), Volatile: true, Fn: addCompressionPolicy})
	funcs.RegisterScalar(&funcs.Scalar{Name: "remove_compression_policy", Args: []types.T{anyT, b},
		ArgNames: []string{"hypertable", "if_exists"}, Defaults: 1, Ret: funcs.Fixed(types.Bool), Volatile: true, Fn: removeCompressionPolicy})
}

// policySpec describes a policy job to add for a hypertable.
type policySpec struct {
	appName     string
	proc        string
	schedule    types.Interval
	maxRuntime  types.Interval
	retryPeriod types.Interval
	config      map[string]any
	// args holds the optional trailing arguments shared by the policy
	// functions: schedule_interval, initial_start, timezone.
	schedule0    any
	initialStart any
	timezone     any
}

// addPolicy adds a policy job for t and returns its id.
func (e *execEnv) addPolicy(t *catalog.Table, p policySpec) (int64, error) {
	if iv, ok := p.schedule0.(types.Interval); ok {
		p.schedule = iv
	}
	p.config["hypertable_id"] = t.Hyper.ID
	cfg, err := continuous.ConfigText(p.config)
	if err != nil {
		return 0, err
	}
	j := &catalog.Job{DB: e.s.dbOID, AppName: p.appName, ProcSchema: jobProcSchema, ProcName: p.proc,
		ScheduleInterval: p.schedule, MaxRuntime: p.maxRuntime, MaxRetries: continuous.RetryForever, RetryPeriod: p.retryPeriod,
		Config: cfg, Scheduled: true, FixedSchedule: true, HypertableOID: t.OID, Owner: continuous.PolicyOwner(t), Created: nowMicros()}
	if err := continuous.SetStart(j, p.initialStart, p.timezone); err != nil {
		return 0, err
	}
	if err := e.s.writer().PutJob(j); err != nil {
		return 0, err
	}
	return int64(j.ID), nil
}

// lagArg reads a policy's "after" argument (compress_after, drop_after):
// an interval for time columns, an integer for integer ones. It returns
// the jsonb value to store (interval text or integer).
func lagArg(t *catalog.Table, name string, at types.T, v any) (any, error) {
	tt := t.Cols[t.ColByID(t.Hyper.TimeCol)].Type
	if tt.IsInteger() {
		if !at.IsInteger() {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %s", name).
				WithHint("Integer duration in \"%s\" or interval time duration in \"%s\" is required for hypertables with integer time dimension.", name, name)
		}
		if t.Hyper.IntegerNowFunc == 0 {
			return nil, errNoIntegerNow
		}
		return v, nil
	}
	switch x := v.(type) {
	case types.Interval:
		return x.String(), nil
	case string:
		iv, err := types.ParseText(types.IntervalT, x, nil)
		if err != nil {
			return nil, err
		}
		return iv.(types.Interval).String(), nil
	}
	return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %s", name).
		WithHint("Interval time duration is required for hypertable with timestamp-based time dimension.")
}

func addCompressionPolicy(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
	e, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err // TimescaleDB acts as strict on its required arguments
	}
	if !pgcatalog.CompressionEnabled(t) {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "compression not enabled on hypertable %q", t.Name).
			WithHint("Enable compression before adding a compression policy.")
	}
	if len(e.s.catalogSnap().JobsFor(procCompression, t.OID)) > 0 {
		if !boolAt(a, 2, false) {
			return nil, pgerr.New(pgerr.DuplicateObject, "compression policy already exists for hypertable or continuous aggregate %q", t.Name).
				WithHint("Set option \"if_not_exists\" to true to avoid error.")
		}
		return int64(-1), nil
	}
	cfg, err := lagConfig(t, "compress_after", "compress_created_before", typeAt(at, 1), argAt(a, 1), argAt(a, 6))
	if err != nil {
		return nil, err
	}
	schedule := compressionIntSchedule
	if tt := t.Cols[t.ColByID(t.Hyper.TimeCol)].Type; !tt.IsInteger() {
		schedule = halfInterval(t.Hyper.Interval)
	}
	return e.addPolicy(t, policySpec{appName: "Compression Policy", proc: procCompression, schedule: schedule,
		retryPeriod: compressionRetry, config: cfg, schedule0: argAt(a, 3), initialStart: argAt(a, 4), timezone: argAt(a, 5)})
}

// lagConfig is a policy's config for its age argument: exactly one of
// after (an interval or integer lag, typed afterT) and created (an
// interval on chunk creation time) must be given; they land under
// afterKey or createdKey.
func lagConfig(t *catalog.Table, afterKey, createdKey string, afterT types.T, after, created any) (map[string]any, error) {
	if (after == nil) == (created == nil) {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "need to specify one of %q or %q", afterKey, createdKey)
	}
	if created != nil {
		return map[string]any{createdKey: created.(types.Interval).String()}, nil
	}
	lag, err := lagArg(t, afterKey, afterT, after)
	if err != nil {
		return nil, err
	}
	return map[string]any{afterKey: lag}, nil
}

// typeAt returns at[i], or the zero type when the call has no argument i.
func typeAt(at []types.T, i int) types.T {
	if i < len(at) {
		return at[i]
	}
	return types.T{}
}

// halfInterval is half a chunk width in µs as TimescaleDB shows it.
func halfInterval(us int64) types.Interval {
	h := us / 2
	return types.Interval{Days: int32(h / types.MicrosPerDay), Micros: h % types.MicrosPerDay}
}

func removeCompressionPolicy(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err
	}
	return e.removePolicy(procCompression, t.OID, boolAt(a, 1, false),
		pgerr.New(pgerr.UndefinedObject, "compression policy not found for hypertable %q", t.Name))
}

// removePolicy deletes the policy job proc of relation oid. When there is
// none it returns notFound, or found false when ifExists is set.
func (e *execEnv) removePolicy(proc string, oid uint32, ifExists bool, notFound error) (found bool, err error) {
	jobs := e.s.catalogSnap().JobsFor(proc, oid)
	if len(jobs) == 0 {
		if ifExists {
			return false, nil
		}
		return false, notFound
	}
	return true, e.s.writer().DeleteJob(jobs[0].ID)
}

// jobProc resolves the procedure name given to add_job, as a regproc
// argument resolves: a built-in policy procedure (schema jobProcSchema)
// or a user-defined procedure or function, which the job calls with
// (job_id, config).
func (e *execEnv) jobProc(name string) (schema, proc string, err error) {
	on := parseQualified(name)
	switch on.Schema {
	case "", jobProcSchema, catalog.SchemaInternal:
		if on.Name == procRetention || on.Name == procCompression {
			return jobProcSchema, on.Name, nil
		}
	}
	f, err := e.functionArg(name)
	if err != nil {
		return "", "", err
	}
	return f.Schema, f.Name, nil
}

func addJob(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	procName, _ := argAt(a, 0).(string)
	iv, ok := argAt(a, 1).(types.Interval)
	if procName == "" || !ok {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "function or procedure and schedule interval cannot be NULL")
	}
	schema, proc, err := e.jobProc(procName)
	if err != nil {
		return nil, err
	}
	if types.IntervalMicros(iv) <= 0 {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "schedule interval must be greater than 0")
	}
	if argAt(a, 5) != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "check_config is not supported")
	}
	cfg, _ := argAt(a, 2).(string)
	var htOID uint32
	if schema == jobProcSchema {
		t, err := e.policyTable(proc, cfg)
		if err != nil {
			return nil, err
		}
		htOID = t.OID
	}
	j := &catalog.Job{DB: e.s.dbOID, AppName: "User-Defined Action", ProcSchema: schema, ProcName: proc,
		ScheduleInterval: iv, MaxRetries: continuous.RetryForever, RetryPeriod: userJobRetryPeriod, Config: cfg,
		Scheduled: boolAt(a, 4, true), FixedSchedule: boolAt(a, 6, true), HypertableOID: htOID,
		Owner: e.s.user, Created: nowMicros()}
	if err := continuous.SetStart(j, argAt(a, 3), argAt(a, 7)); err != nil {
		return nil, err
	}
	if err := e.s.writer().PutJob(j); err != nil {
		return nil, err
	}
	return int64(j.ID), nil
}

// policyTable checks a policy procedure's config and returns the
// hypertable it names.
func (e *execEnv) policyTable(proc, cfg string) (*catalog.Table, error) {
	pc, err := continuous.ParsePolicyConfig(cfg)
	if err != nil {
		return nil, err
	}
	t := e.s.catalogSnap().HypertableByID(pc.HypertableID)
	if t == nil || t.DB != e.s.dbOID {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "could not find hypertable_id %d in config for job", pc.HypertableID)
	}
	lag, created := pc.DropAfter, pc.DropCreatedBefore
	if proc == procCompression {
		lag, created = pc.CompressAfter, pc.CompressCreatedBefore
	}
	if len(lag) == 0 && created == "" {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "config of %s must set %s", proc,
			map[string]string{procRetention: "drop_after", procCompression: "compress_after"}[proc])
	}
	return t, nil
}

func (e *execEnv) jobArg(v any) (*catalog.Job, error) {
	id, _ := v.(int64)
	j := e.s.catalogSnap().Job(int32(id))
	if j == nil || j.DB != e.s.dbOID {
		return nil, pgerr.New(pgerr.UndefinedObject, "job %d not found", id)
	}
	return j, nil
}

// jobOf returns ctx's environment and the job the argument v names.
func jobOf(ctx *funcs.Ctx, v any) (*execEnv, *catalog.Job, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	j, err := e.jobArg(v)
	return e, j, err
}

func alterJob(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	old, err := e.jobArg(argAt(a, 0))
	if err != nil {
		if boolAt(a, 8, false) {
			return nil, nil
		}
		id, _ := argAt(a, 0).(int64)
		return nil, pgerr.New(pgerr.UndefinedObject, "cannot alter job, job #%d not found", id)
	}
	j := *old
	if v, ok := argAt(a, 1).(types.Interval); ok {
		j.ScheduleInterval = v
	}
	if v, ok := argAt(a, 2).(types.Interval); ok {
		j.MaxRuntime = v
	}
	if v, ok := argAt(a, 3).(int64); ok {
		j.MaxRetries = int32(v)
	}
	if v, ok := argAt(a, 4).(types.Interval); ok {
		j.RetryPeriod = v
	}
	if v, ok := argAt(a, 5).(bool); ok {
		j.Scheduled = v
	}
	if v, ok := argAt(a, 6).(string); ok && continuous.IsPolicy(&j) {
		t, err := e.policyTable(j.ProcName, v)
		if err != nil {
			return nil, err
		}
		j.Config, j.HypertableOID = v, t.OID
	} else if ok {
		j.Config = v
	}
	if argAt(a, 9) != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "check_config is not supported")
	}
	if v, ok := argAt(a, 10).(bool); ok {
		j.FixedSchedule = v
	}
	if err := continuous.SetStart(&j, argAt(a, 11), argAt(a, 12)); err != nil {
		return nil, err
	}
	w := e.s.writer()
	if err := w.PutJob(&j); err != nil {
		return nil, err
	}
	st, err := e.s.db.cat.JobStats(j.ID)
	if err != nil {
		return nil, err
	}
	next := j.NextStart(&st)
	if v, ok := argAt(a, 7).(int64); ok {
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

func deleteJob(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, j, err := jobOf(ctx, a[0])
	if err != nil {
		return nil, err
	}
	return "", e.s.writer().DeleteJob(j.ID)
}

// runJob is run_job(job_id): it runs the job now, in its own transactions,
// and fails with the job's error. Like a procedure that commits, it
// cannot run inside a transaction block or after DDL in the same
// implicit transaction (the job's own DDL would wait for this one's).
func runJob(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, j, err := jobOf(ctx, a[0])
	if err != nil {
		return nil, err
	}
	if e.s.inBlock || e.s.ddl != nil {
		return nil, pgerr.New(pgerr.ActiveSQLTransaction, "run_job() cannot run inside a transaction block")
	}
	_, err = e.s.db.RunJob(e.ctx, j.ID)
	return "", err
}

// RunJob runs job id's procedure now and returns the backend pid of the
// internal session it ran in and the error the run failed with (nil on
// success); see continuous.RunJob.
func (db *DB) RunJob(ctx context.Context, id int32) (pid int32, err error) {
	return continuous.RunJob(ctx, caggDB{db}, id)
}

// runRetention is policy_retention: drop the hypertable's chunks older
// than drop_after (or created before drop_created_before).
func (s *session) runRetention(ctx context.Context, j *catalog.Job) error {
	pc, err := continuous.ParsePolicyConfig(j.Config)
	if err != nil {
		return err
	}
	t := s.catalogSnap().HypertableByID(pc.HypertableID)
	if t == nil {
		return pgerr.New(pgerr.UndefinedTable, "hypertable %d of job %d does not exist", pc.HypertableID, j.ID)
	}
	arg := ""
	switch {
	case len(pc.DropAfter) > 0:
		lit, err := continuous.LagLiteral(pc.DropAfter)
		if err != nil {
			return err
		}
		if lit, err = s.integerNowLag(t, lit); err != nil {
			return err
		}
		arg = "older_than => " + lit
	default:
		arg = "created_before => " + quoteLiteral(pc.DropCreatedBefore) + "::interval"
	}
	return s.Query(ctx, fmt.Sprintf("SELECT count(*) FROM drop_chunks(%d, %s)", t.OID, arg), discard{})
}

// integerNowLag turns an integer lag literal of an integer-time
// hypertable's policy into "now_func() - lag"; other lags stay as they are.
func (s *session) integerNowLag(t *catalog.Table, lit string) (string, error) {
	if tt := t.Cols[t.ColByID(t.Hyper.TimeCol)].Type; !tt.IsInteger() {
		return lit, nil
	}
	f := s.catalogSnap().FunctionByOID(t.Hyper.IntegerNowFunc)
	if f == nil {
		return "", errNoIntegerNow
	}
	return fmt.Sprintf("%s.%s() - %s", quoteIdent(f.Schema), quoteIdent(f.Name), lit), nil
}

// runCompression is policy_compression: compress, one transaction per
// chunk, every chunk whose whole range is older than compress_after (or
// created before compress_created_before) and that is not compressed, or
// partially compressed (rows written since its compression are folded
// in, as TimescaleDB's policy recompresses such chunks).
func (s *session) runCompression(ctx context.Context, j *catalog.Job) error {
	pc, err := continuous.ParsePolicyConfig(j.Config)
	if err != nil {
		return err
	}
	t := s.catalogSnap().HypertableByID(pc.HypertableID)
	if t == nil {
		return pgerr.New(pgerr.UndefinedTable, "hypertable %d of job %d does not exist", pc.HypertableID, j.ID)
	}
	s.begin()
	env := s.newEnv(ctx, nil)
	h := env.TimescaleHost()
	var f timescale.ChunkFilter
	if len(pc.CompressAfter) > 0 {
		var lag any
		if err := json.Unmarshal(pc.CompressAfter, &lag); err != nil {
			return pgerr.New(pgerr.InvalidParameterValue, "invalid job config: %v", err)
		}
		f, err = timescale.PolicyFilter(h, t, lag, "")
	} else {
		f, err = timescale.PolicyFilter(h, t, nil, pc.CompressCreatedBefore)
	}
	var todo []*catalog.Chunk
	for _, c := range s.chunks(t.OID) {
		if err != nil || !f.Match(c) {
			continue
		}
		if c.Compressed {
			var partial bool
			if partial, err = timescale.PartiallyCompressed(h, t, c); !partial {
				continue
			}
		}
		todo = append(todo, c)
	}
	s.rollback()
	if err != nil {
		return err
	}
	for _, c := range todo {
		q := fmt.Sprintf("SELECT compress_chunk(%s, if_not_compressed => true)", quoteLiteral(quoteIdent(c.Schema)+"."+quoteIdent(c.Name)))
		if err := s.Query(ctx, q, discard{}); err != nil {
			return err
		}
	}
	return nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// discard is the ResultWriter of internal job sessions: it drops rows.
type discard struct{}

func (discard) Columns([]Column) error               { return nil }
func (discard) Batch(*col.Batch) error               { return nil }
func (discard) Complete(string) error                { return nil }
func (discard) EmptyQuery() error                    { return nil }
func (discard) Notice(string, string, string) error  { return nil }
func (discard) ParameterStatus(string, string) error { return nil }
func (discard) CopyData([]byte) error                { return nil }
func (discard) CopyOut(bool, int) error              { return errNoCopy }
func (discard) CopyIn(bool, int) (io.Reader, error)  { return nil, errNoCopy }

var errNoCopy = pgerr.New(pgerr.FeatureNotSupported, "COPY is not available in background jobs")
