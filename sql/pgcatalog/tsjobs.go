package pgcatalog

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// Rows of timescaledb_information.jobs, job_stats and job_errors: job
// definitions from the catalog snapshot, run state and errors as the
// scheduler last stored them.

// jobTable returns the schema and name of the hypertable a job belongs
// to (NULLs for jobs without one).
func jobTable(env Env, j *catalog.Job) (schema, name any) {
	if t := env.Catalog().TableByOID(j.HypertableOID); t != nil && j.HypertableOID != 0 {
		return t.Schema, t.Name
	}
	return nil, nil
}

// nullable returns nil for the zero value, v otherwise.
func nullable[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// checkFunc names the config check function of a built-in policy.
var checkFunc = map[string]string{
	"policy_retention":   "policy_retention_check",
	"policy_compression": "policy_compression_check",
}

// jobViewRows builds one row per job of the current database from the
// job, its run state and its hypertable's schema and name.
func jobViewRows(env Env, row func(j *catalog.Job, st *catalog.JobStats, hs, hn any) []any) ([][]any, error) {
	var rows [][]any
	if env.Store() == nil {
		return nil, nil
	}
	for _, j := range env.Catalog().Jobs(env.Database()) {
		st, err := env.Store().JobStats(j.ID)
		if err != nil {
			return nil, err
		}
		hs, hn := jobTable(env, j)
		rows = append(rows, row(j, &st, hs, hn))
	}
	return rows, nil
}

func jobRows(env Env) ([][]any, error) {
	return jobViewRows(env, func(j *catalog.Job, st *catalog.JobStats, hs, hn any) []any {
		var initial, checkSchema, checkName any
		if j.InitialStart != nil {
			initial = *j.InitialStart
		}
		if f, ok := checkFunc[j.ProcName]; ok {
			checkSchema, checkName = j.ProcSchema, f
		}
		return []any{int64(j.ID), j.ApplicationName(), j.ScheduleInterval, j.MaxRuntime,
			int64(j.MaxRetries), j.RetryPeriod, j.ProcSchema, j.ProcName, j.Owner, j.Scheduled, j.FixedSchedule,
			nullable(j.Config), nextStart(j, st), initial, hs, hn, checkSchema, checkName}
	})
}

// nextStart is a job's next start as the views show it: NULL while the
// job is paused.
func nextStart(j *catalog.Job, st *catalog.JobStats) any {
	if !j.Scheduled {
		return nil
	}
	return j.NextStart(st)
}

func jobStatRows(env Env) ([][]any, error) {
	return jobViewRows(env, func(j *catalog.Job, st *catalog.JobStats, hs, hn any) []any {
		var status, duration any
		if st.LastFinish != 0 && !st.Running() {
			status = "Failed"
			if st.LastRunSuccess {
				status = "Success"
			}
			duration = types.SubTimestamps(st.LastFinish, st.LastStart)
		}
		jobStatus := "Scheduled"
		switch {
		case st.Running():
			jobStatus = "Running"
		case !j.Scheduled:
			jobStatus = "Paused"
		}
		return []any{hs, hn, int64(j.ID), nullable(st.LastStart), nullable(st.LastSuccessfulFinish),
			status, jobStatus, duration, nextStart(j, st), st.TotalRuns, st.TotalSuccesses, st.TotalFailures}
	})
}

func jobErrorRows(env Env) ([][]any, error) {
	if env.Store() == nil {
		return nil, nil
	}
	errs, err := env.Store().JobErrors(env.Database())
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(errs))
	for _, e := range errs {
		rows = append(rows, []any{int64(e.JobID), e.ProcSchema, e.ProcName, nullable(int64(e.PID)), e.Start, e.Finish,
			nullable(e.SQLState), e.Message})
	}
	return rows, nil
}
