package sql

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/timescale"
	"github.com/tsgres/tsgres/storage/col"
)

// The engine's part of background jobs. Their SQL API (add_job,
// alter_job, delete_job, run_job, the policy functions) is package
// timescale's. Running a job is DB.RunJob, which hands over to
// continuous.RunJob: both run_job (through timescale.Host) and the
// scheduler in package continuous call it, so a job does the same work
// either way. The retention and compression policies execute here
// (runRetention, runCompression), reached through continuous.JobSession,
// in the job's internal session; they select chunks with package
// timescale's drop_chunks and PolicyFilter.

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
		return "", timescale.ErrNoIntegerNow
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
