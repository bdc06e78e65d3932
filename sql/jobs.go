package sql

import (
	"context"
	"io"

	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage/col"
)

// The engine's part of background jobs. Their SQL API (add_job,
// alter_job, delete_job, run_job, the policy functions) is package
// timescale's. Running a job is DB.RunJob, which hands over to
// continuous.RunJob: both run_job (through timescale.Host) and the
// scheduler in package continuous call it, so a job does the same work
// either way. Policy runs are package continuous's; the compression
// policy's chunk choice is package timescale's (CompressionCandidates),
// reached through continuous.JobSession (continuous_host.go).

// RunJob runs job id's procedure now and returns the backend pid of the
// internal session it ran in and the error the run failed with (nil on
// success); see continuous.RunJob.
func (db *DB) RunJob(ctx context.Context, id int32) (pid int32, err error) {
	return continuous.RunJob(ctx, caggDB{db}, id)
}

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
