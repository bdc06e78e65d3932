package catalog

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// Background jobs are kept in two parts, as TimescaleDB keeps bgw_job and
// bgw_job_stat apart:
//
//   - the definition (Job) is a catalog descriptor under keyJob, changed
//     through a Writer like tables and published with the snapshot;
//   - the run state (JobStats) and the error log (JobError) are written by
//     whoever runs jobs, each in its own small storage transaction, under
//     keyJobStat and keyJobErr. They are not part of snapshots and are not
//     transactional with the caller's DDL.

// Metadata key prefixes of job definitions, run state and errors.
const (
	keyJob     = "cat/job/"
	keyJobStat = "job/stat/"
	keyJobErr  = "job/err/"
)

// seqJob numbers jobs; ids are FirstJobID + n, as in TimescaleDB (its own
// internal jobs use the ids below 1000).
const (
	seqJob     = "job"
	FirstJobID = 1000
)

// maxJobErrors is how many error records are kept per job; older ones are
// pruned when a new one is added (TimescaleDB prunes its job_errors with a
// retention job; a count bound needs no job).
const maxJobErrors = 100

// Job is a background job: a policy or a user job (TimescaleDB's
// _timescaledb_config.bgw_job row).
type Job struct {
	ID int32
	// DB is the database the job runs in.
	DB uint32
	// AppName is the application name without the " [id]" suffix, e.g.
	// "Retention Policy".
	AppName          string
	ProcSchema       string
	ProcName         string
	ScheduleInterval types.Interval
	MaxRuntime       types.Interval // zero: unlimited
	MaxRetries       int32          // -1: retry forever
	RetryPeriod      types.Interval
	// Config is the job's configuration as canonical jsonb text ("" for NULL).
	Config        string
	Scheduled     bool
	FixedSchedule bool
	// InitialStart is when the job first runs and the origin fixed
	// schedules align to (µs since the epoch; nil when not given).
	InitialStart *int64
	// Timezone is the zone fixed schedules are computed in ("" for UTC).
	Timezone string
	// HypertableOID is the table a policy belongs to (0 for user jobs).
	HypertableOID uint32
	Owner         string
	// Created is when the job was added (µs since the epoch); a job
	// without InitialStart is due from then on.
	Created int64
}

// ApplicationName is the job's name as timescaledb_information.jobs shows it.
func (j *Job) ApplicationName() string { return fmt.Sprintf("%s [%d]", j.AppName, j.ID) }

// NextStart returns when the job runs next given its run state: the time
// the scheduler (or alter_job) set, else its initial start, else its
// creation (a new job is due at once).
func (j *Job) NextStart(st *JobStats) int64 {
	switch {
	case st.NextStart != 0:
		return st.NextStart
	case j.InitialStart != nil:
		return *j.InitialStart
	}
	return j.Created
}

func jobKey(id int32) string { return fmt.Sprintf("%s%010d", keyJob, id) }

// Job returns the job with id, or nil.
func (s *Snapshot) Job(id int32) *Job { return s.jobs[id] }

// Jobs returns the jobs of database db ordered by id; db 0 means all.
func (s *Snapshot) Jobs(db uint32) []*Job {
	var out []*Job
	for _, j := range s.jobs {
		if db == 0 || j.DB == db {
			out = append(out, j)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// JobsFor returns the jobs running procedure proc (schema-less name) for
// hypertable oid.
func (s *Snapshot) JobsFor(proc string, oid uint32) []*Job {
	var out []*Job
	for _, j := range s.Jobs(0) {
		if j.ProcName == proc && j.HypertableOID == oid {
			out = append(out, j)
		}
	}
	return out
}

// PutJob stores a new version of a job; a job with ID 0 is new and gets
// the next job id. j must not be shared afterwards.
func (w *Writer) PutJob(j *Job) error {
	if j.ID == 0 {
		n, err := w.s.db.NextSequence(seqJob, 1)
		if err != nil {
			return fmt.Errorf("allocate job id: %w", err)
		}
		j.ID = int32(FirstJobID - 1 + n)
	} else if _, err := w.lock(jobTag(j.ID), storage.AccessExclusiveLock); err != nil {
		return err
	}
	w.apply(func(s *Snapshot) { s.jobs[j.ID] = j })
	w.onPublish = append(w.onPublish, w.s.notifyJobs)
	return w.put(jobKey(j.ID), j)
}

// DeleteJob removes a job and its run state (its error records stay, as
// TimescaleDB keeps job_errors of deleted jobs).
func (w *Writer) DeleteJob(id int32) error {
	if _, err := w.lock(jobTag(id), storage.AccessExclusiveLock); err != nil {
		return err
	}
	if w.snap.jobs[id] == nil {
		return pgerr.New(pgerr.UndefinedObject, "job %d not found", id)
	}
	w.apply(func(s *Snapshot) { delete(s.jobs, id) })
	w.txn.DeleteMeta(jobKey(id))
	w.txn.DeleteMeta(jobStatKey(id))
	w.onPublish = append(w.onPublish, w.s.notifyJobs)
	return nil
}

// dropJobsOf deletes the jobs match selects (DROP TABLE, DROP DATABASE).
func (w *Writer) dropJobsOf(match func(*Job) bool) {
	for _, j := range w.snap.Jobs(0) {
		if match(j) {
			_ = w.DeleteJob(j.ID) // the job exists: it was just listed
		}
	}
}

// SetJobNextStart overrides a job's next start (alter_job next_start) in
// the writer's transaction. The run state is read now and written at
// commit: a run of the job that ends in between loses its counts, the
// price of keeping the override transactional.
func (w *Writer) SetJobNextStart(id int32, next int64) error {
	st, err := w.s.JobStats(id)
	if err != nil {
		return err
	}
	st.NextStart = next
	w.onPublish = append(w.onPublish, w.s.notifyJobs)
	return w.put(jobStatKey(id), &st)
}

// JobsChanged returns a channel that receives a value after a published
// DDL transaction added, altered or deleted a job (scheduler wake-up). The
// channel holds one pending signal; sending never blocks.
func (s *Store) JobsChanged() <-chan struct{} { return s.jobWake }

// notifyJobs signals JobsChanged without blocking.
func (s *Store) notifyJobs() {
	select {
	case s.jobWake <- struct{}{}:
	default:
	}
}

// SetJobScheduled durably sets a job's scheduled flag in a DDL
// transaction of its own (the scheduler pauses a job that used up its
// max_retries). A job deleted meanwhile is left alone.
func (s *Store) SetJobScheduled(id int32, on bool) error {
	return s.ownDDL(func(w *Writer) error {
		if _, err := w.lock(jobTag(id), storage.AccessExclusiveLock); err != nil {
			return err
		}
		j := w.snap.jobs[id]
		if j == nil {
			return nil
		}
		c := *j
		c.Scheduled = on
		return w.PutJob(&c)
	})
}

// JobStats is a job's run state (TimescaleDB's bgw_job_stat row). Times
// are µs since the epoch, 0 for never.
type JobStats struct {
	LastStart            int64
	LastFinish           int64
	LastSuccessfulFinish int64
	LastRunSuccess       bool
	// NextStart is when the job runs next; 0 until the job ran or
	// alter_job set it (then the definition's start applies).
	NextStart           int64
	TotalRuns           int64
	TotalSuccesses      int64
	TotalFailures       int64
	ConsecutiveFailures int64
	// TotalDuration sums the run times in µs.
	TotalDuration int64
}

// Running reports whether a run started and has not finished.
func (st *JobStats) Running() bool { return st.LastStart > st.LastFinish }

func jobStatKey(id int32) string { return fmt.Sprintf("%s%010d", keyJobStat, id) }

// JobStats returns the run state of job id (zero when it never ran).
func (s *Store) JobStats(id int32) (JobStats, error) {
	txn := s.db.Begin()
	defer txn.Rollback()
	var st JobStats
	v, ok, err := txn.GetMeta(jobStatKey(id))
	if err != nil || !ok {
		return st, err
	}
	if err := json.Unmarshal(v, &st); err != nil {
		return st, fmt.Errorf("decode run state of job %d: %w", id, err)
	}
	return st, nil
}

// UpdateJobStats applies fn to job id's run state and stores it durably.
// Updates are serialized with each other; a job deleted meanwhile is left
// alone (its run state went with it).
func (s *Store) UpdateJobStats(id int32, fn func(*JobStats)) error {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	if s.Snapshot().Job(id) == nil {
		return nil
	}
	st, err := s.JobStats(id)
	if err != nil {
		return err
	}
	fn(&st)
	b, err := json.Marshal(&st)
	if err != nil {
		return err
	}
	txn := s.db.Begin()
	txn.PutMeta(jobStatKey(id), b)
	return txn.Commit()
}

// JobError is one failed run (timescaledb_information.job_errors).
type JobError struct {
	JobID      int32
	DB         uint32
	ProcSchema string
	ProcName   string
	PID        int32
	Start      int64
	Finish     int64
	SQLState   string
	Message    string
}

func jobErrPrefix(id int32) string { return fmt.Sprintf("%s%010d/", keyJobErr, id) }

// AddJobError records a failed run, keeping the newest maxJobErrors
// records of the job.
func (s *Store) AddJobError(e JobError) error {
	b, err := json.Marshal(&e)
	if err != nil {
		return err
	}
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	txn := s.db.Begin()
	defer txn.Rollback()
	prefix := jobErrPrefix(e.JobID)
	var keys []string
	err = txn.ScanMeta(prefix, func(k string, _ []byte) error {
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		return err
	}
	for len(keys) >= maxJobErrors {
		txn.DeleteMeta(keys[0])
		keys = keys[1:]
	}
	txn.PutMeta(fmt.Sprintf("%s%020d", prefix, e.Start), b)
	return txn.Commit()
}

// JobErrors returns the recorded failed runs of database db (all when
// db is 0), oldest first per job.
func (s *Store) JobErrors(db uint32) ([]JobError, error) {
	txn := s.db.Begin()
	defer txn.Rollback()
	var out []JobError
	err := txn.ScanMeta(keyJobErr, func(_ string, v []byte) error {
		var e JobError
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode job error: %w", err)
		}
		if db == 0 || e.DB == db {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
