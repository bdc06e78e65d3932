package timescale

import (
	"encoding/json"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// The retention and compression policies' SQL functions:
// add/remove_retention_policy and add/remove_compression_policy. Each
// adds or removes a policy job (procedure continuous.ProcRetention or
// continuous.ProcCompression) for a hypertable, or for a continuous
// aggregate's materialization hypertable. The jobs run in package
// continuous: retention calls drop_chunks; compression calls
// compress_chunk on the chunks CompressionCandidates selects.

// Defaults of TimescaleDB's policy functions.
var (
	retentionSchedule    = types.Interval{Days: 1}
	retentionMaxRuntime  = types.Interval{Micros: 5 * types.MicrosPerMinute}
	retentionRetryPeriod = types.Interval{Micros: 5 * types.MicrosPerMinute}
	compressionRetry     = types.Interval{Micros: types.MicrosPerHour}
	// compressionIntSchedule is the compression policy's schedule for
	// integer-time hypertables (time ones use half the chunk interval).
	compressionIntSchedule = types.Interval{Days: 1}
)

func init() {
	iv, b, tz, t := types.IntervalT, types.Bool, types.Timestamptz, types.Text
	funcs.RegisterScalar(&funcs.Scalar{Name: "add_retention_policy", Args: []types.T{anyT, anyT, b, iv, tz, t, iv},
		ArgNames: []string{"relation", "drop_after", "if_not_exists", "schedule_interval", "initial_start", "timezone", "drop_created_before"},
		Defaults: 6, Ret: funcs.Fixed(types.Int4), Volatile: true, Fn: addRetentionPolicy})
	funcs.RegisterScalar(&funcs.Scalar{Name: "remove_retention_policy", Args: []types.T{anyT, b},
		ArgNames: []string{"relation", "if_exists"}, Defaults: 1, Ret: funcs.Fixed(types.Void), Volatile: true, Fn: removeRetentionPolicy})
	funcs.RegisterScalar(&funcs.Scalar{Name: "add_compression_policy", Args: []types.T{anyT, anyT, b, iv, tz, t, iv},
		ArgNames: []string{"hypertable", "compress_after", "if_not_exists", "schedule_interval", "initial_start", "timezone", "compress_created_before"},
		Defaults: 6, Ret: funcs.Fixed(types.Int4), Volatile: true, Fn: addCompressionPolicy})
	funcs.RegisterScalar(&funcs.Scalar{Name: "remove_compression_policy", Args: []types.T{anyT, b},
		ArgNames: []string{"hypertable", "if_exists"}, Defaults: 1, Ret: funcs.Fixed(types.Bool), Volatile: true, Fn: removeCompressionPolicy})
}

// policyArg resolves the first argument of a policy function with
// ResolvePolicyTarget; t is nil when that argument is NULL (the
// functions then return NULL, as TimescaleDB's strict required arguments
// do).
func policyArg(ctx *funcs.Ctx, a []any) (h Host, t *catalog.Table, err error) {
	if h, err = hostOf(ctx); err != nil || funcs.Arg(a, 0) == nil {
		return h, nil, err
	}
	t, err = ResolvePolicyTarget(h, a[0])
	return h, t, err
}

// addRetentionPolicy is add_retention_policy(relation, drop_after,
// if_not_exists, schedule_interval, initial_start, timezone,
// drop_created_before).
func addRetentionPolicy(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
	h, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err
	}
	if len(h.Catalog().JobsFor(continuous.ProcRetention, t.OID)) > 0 {
		if !funcs.BoolArg(a, 2, false) {
			return nil, pgerr.New(pgerr.DuplicateObject, "retention policy already exists for hypertable %q", t.Name)
		}
		return int64(-1), nil
	}
	cfg, err := lagConfig(t, "drop_after", "drop_created_before", typeAt(at, 1), funcs.Arg(a, 1), funcs.Arg(a, 6))
	if err != nil {
		return nil, err
	}
	return addPolicy(h, t, policySpec{appName: "Retention Policy", proc: continuous.ProcRetention, schedule: retentionSchedule,
		maxRuntime: retentionMaxRuntime, retryPeriod: retentionRetryPeriod, config: cfg,
		scheduleArg: funcs.Arg(a, 3), initialStart: funcs.Arg(a, 4), timezone: funcs.Arg(a, 5)})
}

// removeRetentionPolicy is remove_retention_policy(relation, if_exists).
func removeRetentionPolicy(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err
	}
	_, err = removePolicy(h, continuous.ProcRetention, t.OID, funcs.BoolArg(a, 1, false),
		pgerr.New(pgerr.UndefinedObject, "cannot remove retention policy, no such policy exists"))
	return "", err
}

// addCompressionPolicy is add_compression_policy(hypertable,
// compress_after, if_not_exists, schedule_interval, initial_start,
// timezone, compress_created_before).
func addCompressionPolicy(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
	h, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err // TimescaleDB acts as strict on its required arguments
	}
	if !pgcatalog.CompressionEnabled(t) {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "compression not enabled on hypertable %q", t.Name).
			WithHint("Enable compression before adding a compression policy.")
	}
	if len(h.Catalog().JobsFor(continuous.ProcCompression, t.OID)) > 0 {
		if !funcs.BoolArg(a, 2, false) {
			return nil, pgerr.New(pgerr.DuplicateObject, "compression policy already exists for hypertable or continuous aggregate %q", t.Name).
				WithHint("Set option \"if_not_exists\" to true to avoid error.")
		}
		return int64(-1), nil
	}
	cfg, err := lagConfig(t, "compress_after", "compress_created_before", typeAt(at, 1), funcs.Arg(a, 1), funcs.Arg(a, 6))
	if err != nil {
		return nil, err
	}
	schedule := compressionIntSchedule
	if !timeType(t).IsInteger() {
		schedule = halfInterval(t.Hyper.Interval)
	}
	return addPolicy(h, t, policySpec{appName: "Compression Policy", proc: continuous.ProcCompression, schedule: schedule,
		retryPeriod: compressionRetry, config: cfg, scheduleArg: funcs.Arg(a, 3), initialStart: funcs.Arg(a, 4), timezone: funcs.Arg(a, 5)})
}

// removeCompressionPolicy is remove_compression_policy(hypertable,
// if_exists).
func removeCompressionPolicy(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err
	}
	return removePolicy(h, continuous.ProcCompression, t.OID, funcs.BoolArg(a, 1, false),
		pgerr.New(pgerr.UndefinedObject, "compression policy not found for hypertable %q", t.Name))
}

// policySpec describes a policy job to add for a hypertable.
type policySpec struct {
	appName     string
	proc        string
	schedule    types.Interval // the default schedule
	maxRuntime  types.Interval
	retryPeriod types.Interval
	config      map[string]any
	// The optional trailing arguments shared by the policy functions:
	// schedule_interval (replacing schedule when given), initial_start
	// and timezone.
	scheduleArg  any
	initialStart any
	timezone     any
}

// addPolicy adds a policy job for hypertable t and returns its id.
func addPolicy(h Host, t *catalog.Table, p policySpec) (int64, error) {
	if iv, ok := p.scheduleArg.(types.Interval); ok {
		p.schedule = iv
	}
	p.config["hypertable_id"] = t.Hyper.ID
	cfg, err := continuous.ConfigText(p.config)
	if err != nil {
		return 0, err
	}
	j := &catalog.Job{DB: h.Database(), AppName: p.appName, ProcSchema: continuous.ProcSchema, ProcName: p.proc,
		ScheduleInterval: p.schedule, MaxRuntime: p.maxRuntime, MaxRetries: continuous.RetryForever, RetryPeriod: p.retryPeriod,
		Config: cfg, Scheduled: true, FixedSchedule: true, HypertableOID: t.OID, Owner: continuous.PolicyOwner(t), Created: wallClock()}
	if err := continuous.SetStart(j, p.initialStart, p.timezone); err != nil {
		return 0, err
	}
	if err := h.Writer().PutJob(j); err != nil {
		return 0, err
	}
	return int64(j.ID), nil
}

// removePolicy deletes the policy job proc of relation oid. When there is
// none it returns notFound, or found false when ifExists is set.
func removePolicy(h Host, proc string, oid uint32, ifExists bool, notFound error) (found bool, err error) {
	jobs := h.Catalog().JobsFor(proc, oid)
	if len(jobs) == 0 {
		if ifExists {
			return false, nil
		}
		return false, notFound
	}
	return true, h.Writer().DeleteJob(jobs[0].ID)
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

// lagArg reads a policy's "after" argument (compress_after, drop_after):
// an interval for time columns, an integer for integer ones. It returns
// the jsonb value to store (interval text or integer).
func lagArg(t *catalog.Table, name string, at types.T, v any) (any, error) {
	if timeType(t).IsInteger() {
		if !at.IsInteger() {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %s", name).
				WithHint("Integer duration in \"%s\" or interval time duration in \"%s\" is required for hypertables with integer time dimension.", name, name)
		}
		if t.Hyper.IntegerNowFunc == 0 {
			return nil, continuous.ErrNoIntegerNow
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

// CompressionCandidates returns the chunks of hypertable t that a
// compression policy compresses now: every chunk whose whole range is
// older than compressAfter (a JSON lag: interval text or an integer) or,
// without it, that was created before createdBefore, and that is not
// compressed or is partially compressed (rows written since its
// compression are folded in, as TimescaleDB's policy recompresses such
// chunks).
func CompressionCandidates(h Host, t *catalog.Table, compressAfter json.RawMessage, createdBefore string) ([]*catalog.Chunk, error) {
	var f ChunkFilter
	var err error
	if len(compressAfter) > 0 {
		var lag any
		if err := json.Unmarshal(compressAfter, &lag); err != nil {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid job config: %v", err)
		}
		f, err = PolicyFilter(h, t, lag, "")
	} else {
		f, err = PolicyFilter(h, t, nil, createdBefore)
	}
	var todo []*catalog.Chunk
	for _, c := range h.Chunks(t.OID) {
		if err != nil || !f.Match(c) {
			continue
		}
		if c.Compressed {
			var partial bool
			if partial, err = PartiallyCompressed(h, t, c); !partial {
				continue
			}
		}
		todo = append(todo, c)
	}
	if err != nil {
		return nil, err
	}
	return todo, nil
}
