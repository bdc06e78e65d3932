// Package continuous keeps continuous aggregates up to date and runs
// tsgres's background jobs: it owns a continuous aggregate's catalog
// objects (Create, Drop), its refresh (materialization, the invalidation
// log, the watermark and refresh windows), the real-time union a query
// on it reads, job runs, the refresh policy and the job scheduler.
//
// # The seam with the engine
//
// The package does not import package sql; the engine calls in and hands
// itself over through small interfaces declared here, which package sql
// implements with adapter types of its own (sql/continuous_host.go), not
// with methods of its session:
//
//   - Host (host.go) is the database: its catalog store, and BeginRefresh,
//     which opens a refresh's transaction in a new internal session.
//   - Txn (host.go) is that transaction: run SQL, append rows to a
//     hypertable, read and write the invalidation log and the watermark,
//     commit. Everything a refresh does through one Txn commits together.
//   - Creator (create.go) and Dropper (host.go) are the session running
//     CREATE or DROP of an aggregate: its catalog writer and transaction.
//   - JobHost (jobs.go) is a Host that also opens a job run's internal
//     session, a JobSession: run SQL, and ask which chunks a compression
//     policy selects (package timescale decides that in the engine).
//   - Engine (scheduler.go) is what the scheduler needs: run a job (sql.DB
//     implements it by calling RunJob with its JobHost).
//
// Each Txn and JobSession is used by one goroutine and ended with Close.
// cmd/tsgres wires the scheduler.
//
// What stays in sql/plan, and why: the analysis of a definition (CREATE
// MATERIALIZED VIEW ... WITH (timescaledb.continuous)) into a
// catalog.Cagg binds the defining query and probe expressions with the
// binder's own machinery; the SQL built from a descriptor alone (state
// query, finalizing select list, a parent as a source) is what that
// analysis binds; plan.RefreshSpec classifies the state query by parsing
// it (package parse), which this package does not import. The binder
// reaches this package's real-time union through plan.Env.CaggViewSQL,
// which the engine implements by calling ViewSQL (plan does not import
// this package, which imports plan).
//
// # Model
//
// A continuous aggregate is a view over a materialization hypertable
// (catalog.Cagg.MatOID, _timescaledb_internal._materialized_hypertable_N)
// that holds, per time bucket and grouping, the partial states of the
// defining query's aggregates. The view finalizes those states. Its
// source is a hypertable or, hierarchically, another continuous
// aggregate.
//
// # Invalidation log
//
// Every write to or delete from a hypertable with aggregates on it is
// noted in the writing transaction's WriteLog (the lowest and highest
// time touched per hypertable). At commit, in the same storage
// transaction, WriteLog.Flush logs [lo, hi+1) as an invalidation of each
// aggregate on that hypertable (catalog.Store.AddInvalidation), so a committed
// write is always covered by the log and an aborted one never is. A new
// aggregate starts fully invalid: [-inf, +inf).
//
// # Refresh windows
//
// Refresh(view, [start, end)) first rounds the window inwards to whole
// buckets (start up, end down); a window without a whole bucket is
// "refresh window too small" (IsWindowTooSmall). It then takes the
// invalidations overlapping the window, putting back the parts outside it,
// widens the rest outwards to whole buckets (clipped to the window),
// merges them, and recomputes each range. Refreshes of one aggregate are
// serialized by a lock; one that loses a write conflict (40001, e.g. a
// concurrent merge rewrote a materialization block) is retried a few
// times.
//
// # Materialization
//
// Recomputing [lo, hi) deletes its buckets from the materialization and
// inserts their states recomputed from the source, one slice of about an
// hour (at least a bucket) at a time so the aggregation's memory stays
// proportional to one slice's groups. When the state query is simple
// (plan.RefreshSpec: grouping by the bucket and plain columns,
// count/sum/min/max states) the typed refresh (refresh_typed.go) scans the
// needed columns, folds them into the aggregates' vector forms
// (agg.Vector, typed arrays indexed by dense group ids) and appends the
// state rows (Vector.Final) sorted by bucket in runs of
// storage.SealedBlockRows, so they land as sealed blocks; otherwise each
// slice is one INSERT ... SELECT of the state query. Every recomputed
// range is also logged as an invalidation of the aggregates built on this
// one.
//
// # Watermark and real-time union
//
// The watermark is the end of the last materialized bucket. It moves
// with the refresh, in the refresh's transaction; the typed refresh knows
// the last bucket it wrote, else the materialization is queried. A query
// on an aggregate with materialized_only = false reads the materialized
// rows below the watermark UNION ALL the state query over the source
// from the watermark on (ViewSQL, union.go); with materialized_only it
// reads the materialization alone. The refresh, the consumed
// invalidations, the new invalidations and the watermark commit
// together, so a crash leaves the previous result.
//
// # Jobs and policies
//
// RunJob (jobs.go) is one run of a job, the same for run_job and the
// scheduler: it opens an internal session of the job's owner in the
// job's database, bounded by max_runtime, turns a panic into an XX000
// error, and executes the procedure: CALL/SELECT of a user-defined
// procedure or function with (job_id, config), or one of the built-in
// policies in _timescaledb_functions. The refresh policy
// (policy_refresh.go) refreshes [now - start_offset, now - end_offset)
// and treats a window without a whole bucket as nothing to do. The
// retention policy (policies.go) calls drop_chunks with the job's lag
// (integer-time hypertables: integer_now() - lag); the compression policy
// calls compress_chunk, one transaction each, on the chunks
// JobSession.CompressionCandidates returns. The
// package also builds and checks policy job definitions
// (RefreshPolicyJob, CheckPolicyWindow, ParsePolicyConfig, SetStart);
// the SQL functions that store them (add_job, alter_job, the policy
// functions) are package sql/timescale's: a definition changes through
// the calling session's DDL and commits or rolls back with its
// transaction.
//
// # Scheduler
//
// One Scheduler runs every job of every database (policies and user jobs,
// catalog.Job) on its schedule_interval. Job definitions come from the
// catalog snapshot; a job's run state (catalog.JobStats) and its error log
// are stored durably through catalog.Store, so jobs and their statistics
// survive a restart and the schedule resumes where it stopped.
//
// The division of work: RunJob executes a job's procedure (reached
// through sql.DB.RunJob, the same code run_job uses); the scheduler decides when,
// marks runs started and finished, computes the next start, and records
// failures. A job is due when its next start (catalog.Job.NextStart) has
// passed. After a success the next start is the following point of the
// job's fixed schedule (initial start + k * schedule_interval), or for a
// drifting schedule the finish time plus the interval. After a failure
// TimescaleDB's backoff applies: retry_period times the number of
// consecutive failures (at most 20), capped at five schedule intervals,
// without TimescaleDB's random jitter so runs stay predictable. A job
// whose consecutive failures exceed a non-negative max_retries is paused
// (scheduled => false). A run still marked running at Start was cut off by
// a crash: it is recorded as failed ("job crash detected") and retried.
//
// # Waking up
//
// The scheduler sleeps until the earliest next start, a committed job
// change (catalog.Store.JobsChanged), the end of a run, or at most
// maxSleep as a fallback. Tests drive it without sleeping through the
// clock in Options and the unexported tick.
package continuous
