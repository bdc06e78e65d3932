// Package continuous runs tsgres's background work. Today that is the job
// scheduler; continuous-aggregate materialization will live here too.
//
// # Scheduler
//
// One Scheduler runs every job of every database (policies and user jobs,
// catalog.Job) on its schedule_interval. Job definitions come from the
// catalog snapshot; a job's run state (catalog.JobStats) and its error log
// are stored durably through catalog.Store, so jobs and their statistics
// survive a restart and the schedule resumes where it stopped.
//
// The division of work with package sql: sql.DB.RunJob executes a job's
// procedure (the same code run_job uses); the scheduler decides when,
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
