package continuous

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Jobs: the built-in procedures, the policy configs they read and one
// run of a job (RunJob). A run executes the job's procedure in an
// internal session of its own, one transaction per unit of work (one
// drop_chunks, one compress_chunk per chunk, one refresh), as
// TimescaleDB's policies commit per chunk. The SQL API that defines jobs
// (add_job, alter_job, the policy functions) is in package sql/timescale:
// it changes catalog.Job definitions through the calling session's DDL,
// so they commit or roll back with the caller's transaction.

// Built-in job procedures (TimescaleDB 2.12+ keeps them in
// _timescaledb_functions; older releases used _timescaledb_internal).
const (
	// ProcSchema is the schema of the built-in policy procedures.
	ProcSchema = "_timescaledb_functions"
	// ProcRetention is the retention policy: drop old chunks.
	ProcRetention = "policy_retention"
	// ProcCompression is the compression policy: compress old chunks.
	ProcCompression = "policy_compression"
	// ProcRefresh is the refresh policy of a continuous aggregate.
	ProcRefresh = "policy_refresh_continuous_aggregate"
)

// RetryForever is max_retries' "no limit".
const RetryForever = -1

// IsPolicy reports whether j runs a built-in policy procedure (whose
// config names a hypertable) rather than a user-defined one.
func IsPolicy(j *catalog.Job) bool { return j.ProcSchema == ProcSchema }

// JobHost is the engine as job runs see it.
type JobHost interface {
	Host
	// BeginJob opens an internal session of job j's owner on database d
	// that runs its procedure, named after the job (application_name).
	BeginJob(d *catalog.Database, j *catalog.Job) JobSession
}

// JobSession is the internal session one job run executes in. Each
// statement commits on its own (no transaction block is open).
type JobSession interface {
	// PID is the session's backend pid.
	PID() int32
	// Catalog returns the committed catalog.
	Catalog() *catalog.Snapshot
	// Query runs one SQL statement, discarding its result.
	Query(ctx context.Context, sql string) error
	// CompressionCandidates returns the chunks of hypertable t a
	// compression policy with config pc compresses now: those whose
	// whole range is older than compress_after (or created before
	// compress_created_before) and that are not compressed, or are
	// partially compressed (rows written since their compression are
	// folded in, as TimescaleDB's policy recompresses such chunks).
	CompressionCandidates(ctx context.Context, t *catalog.Table, pc PolicyConfig) ([]*catalog.Chunk, error)
	// Close ends the session.
	Close()
}

// RunJob runs job id's procedure now and returns the backend pid of the
// internal session it ran in and the error the run failed with (nil on
// success). It runs as the job's owner in the job's database, bounded by
// the job's max_runtime; it does not record run state (the caller does).
func RunJob(ctx context.Context, h JobHost, id int32) (pid int32, err error) {
	snap := h.Catalog().Snapshot()
	j := snap.Job(id)
	if j == nil {
		return 0, pgerr.New(pgerr.UndefinedObject, "job %d not found", id)
	}
	var d *catalog.Database
	for _, x := range snap.Databases() {
		if x.OID == j.DB {
			d = x
		}
	}
	if d == nil {
		return 0, pgerr.New(pgerr.InvalidCatalogName, "database of job %d does not exist", id)
	}
	s := h.BeginJob(d, j)
	defer s.Close()
	if max := types.IntervalMicros(j.MaxRuntime); max > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(max)*time.Microsecond)
		defer cancel()
	}
	defer func() {
		if r := recover(); r != nil {
			err = pgerr.New(pgerr.Internal, "job %d panicked: %v", id, r)
		}
	}()
	if !IsPolicy(j) {
		return s.PID(), runUserJob(ctx, s, j)
	}
	switch j.ProcName {
	case ProcRetention:
		err = runRetention(ctx, s, j)
	case ProcCompression:
		err = runCompression(ctx, s, j)
	case ProcRefresh:
		err = runRefreshPolicy(ctx, h, d, j)
	default:
		err = pgerr.New(pgerr.FeatureNotSupported, "job procedure %s.%s is not supported", j.ProcSchema, j.ProcName)
	}
	return s.PID(), err
}

// runUserJob runs a user-defined job: CALL proc(job_id, config) for a
// procedure, SELECT proc(job_id, config) for a function.
func runUserJob(ctx context.Context, s JobSession, j *catalog.Job) error {
	fs := s.Catalog().Functions(j.DB, j.ProcSchema, j.ProcName)
	if len(fs) == 0 {
		return pgerr.New(pgerr.UndefinedFunction, "function or procedure %s.%s(job_id int, config jsonb) not found", j.ProcSchema, j.ProcName)
	}
	verb := "SELECT"
	if fs[0].IsProcedure() {
		verb = "CALL"
	}
	cfg := "NULL"
	if j.Config != "" {
		cfg = quoteLiteral(j.Config)
	}
	q := fmt.Sprintf("%s %s.%s(%d, %s::jsonb)", verb, quoteIdent(j.ProcSchema), quoteIdent(j.ProcName), j.ID, cfg)
	return s.Query(ctx, q)
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// SetStart applies add_job/alter_job/policy initial_start and timezone
// arguments (nil: not given) to j.
func SetStart(j *catalog.Job, initialStart, tz any) error {
	if v, ok := initialStart.(int64); ok {
		j.InitialStart = &v
	}
	if z, ok := tz.(string); ok {
		if _, err := time.LoadLocation(z); err != nil {
			return pgerr.New(pgerr.InvalidParameterValue, "invalid timezone %q", z)
		}
		j.Timezone = z
	}
	return nil
}

// PolicyOwner returns the role a policy job on relation t runs as: t's owner.
func PolicyOwner(t *catalog.Table) string {
	if t.Owner == "" {
		return catalog.DefaultRole
	}
	return t.Owner
}

// ConfigText renders a job config object as canonical jsonb text.
func ConfigText(m map[string]any) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode job config: %w", err)
	}
	return types.NormalizeJSONB(string(b))
}

// PolicyConfig is the part of a retention or compression policy job's
// config the policies read.
type PolicyConfig struct {
	HypertableID int32 `json:"hypertable_id"`
	// DropAfter and CompressAfter are the lag: interval text or an
	// integer.
	DropAfter             json.RawMessage `json:"drop_after"`
	CompressAfter         json.RawMessage `json:"compress_after"`
	DropCreatedBefore     string          `json:"drop_created_before"`
	CompressCreatedBefore string          `json:"compress_created_before"`
}

// ParsePolicyConfig parses a retention or compression policy's config,
// which must name a hypertable.
func ParsePolicyConfig(cfg string) (PolicyConfig, error) {
	var pc PolicyConfig
	if cfg == "" {
		return pc, pgerr.New(pgerr.InvalidParameterValue, "config must not be NULL")
	}
	if err := json.Unmarshal([]byte(cfg), &pc); err != nil {
		return pc, pgerr.New(pgerr.InvalidParameterValue, "invalid job config: %v", err)
	}
	if pc.HypertableID == 0 {
		return pc, pgerr.New(pgerr.InvalidParameterValue, "could not find hypertable_id in config for job")
	}
	return pc, nil
}

// LagLiteral renders a stored drop_after/compress_after value as a SQL
// literal: interval text or an integer.
func LagLiteral(raw json.RawMessage) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", pgerr.New(pgerr.InvalidParameterValue, "invalid job config: %v", err)
	}
	switch x := v.(type) {
	case string:
		return quoteLiteral(x) + "::interval", nil
	case float64:
		return strconv.FormatInt(int64(x), 10), nil
	}
	return "", pgerr.New(pgerr.InvalidParameterValue, "invalid lag %s in job config", raw)
}
