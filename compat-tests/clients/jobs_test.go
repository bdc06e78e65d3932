package clients

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// jobWait bounds how long a test waits for the scheduler to run a job
// with a one-second schedule (several runs fit in it; it is a deadline,
// not a sleep).
const jobWait = 20 * time.Second

// eventually polls cond until it holds or jobWait passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(jobWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func queryInt(t *testing.T, conn *pgx.Conn, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// jobStat is one job's row of timescaledb_information.job_stats.
type jobStat struct {
	status, lastRun           string
	runs, successes, failures int64
}

func readJobStat(t *testing.T, conn *pgx.Conn, id int64) jobStat {
	t.Helper()
	var s jobStat
	var last *string
	err := conn.QueryRow(context.Background(), `SELECT job_status, last_run_status, total_runs, total_successes, total_failures
		FROM timescaledb_information.job_stats WHERE job_id = $1`, id).Scan(&s.status, &last, &s.runs, &s.successes, &s.failures)
	if err != nil {
		t.Fatalf("job_stats of job %d: %v", id, err)
	}
	if last != nil {
		s.lastRun = *last
	}
	return s
}

// startWithDailyHypertable starts tsgres (skipping against PostgreSQL,
// which has no TimescaleDB) and creates hypertable m (time, device, v)
// with one-day chunks.
// startTimescale starts a tsgres server for a test of TimescaleDB
// features (skipped against the reference PostgreSQL) and connects.
func startTimescale(t *testing.T) (*testserver.Server, *pgx.Conn) {
	t.Helper()
	if compat.AgainstPostgres() {
		t.Skip("TimescaleDB is not installed in the reference PostgreSQL")
	}
	srv := testserver.Start(t, testserver.Options{})
	return srv, connect(t, srv.DSN("postgres"))
}

// restartAndConnect restarts srv on its data and connects again.
func restartAndConnect(t *testing.T, srv *testserver.Server) *pgx.Conn {
	t.Helper()
	if err := srv.Restart(); err != nil {
		t.Fatalf("restart: %v", err)
	}
	return connect(t, srv.DSN("postgres"))
}

func startWithDailyHypertable(t *testing.T) (*testserver.Server, *pgx.Conn) {
	t.Helper()
	srv, conn := startTimescale(t)
	mustExec(t, conn, "CREATE TABLE m (time timestamptz NOT NULL, device int, v double precision)")
	mustExec(t, conn, "SELECT create_hypertable('m', 'time', chunk_time_interval => INTERVAL '1 day')")
	return srv, conn
}

// TestJobScheduler runs policies and a failing job on one-second
// schedules through a real server: runs happen on their own, failures
// land in job_errors and are retried, a paused job stops, and jobs with
// their statistics survive a restart and keep running after it.
func TestJobScheduler(t *testing.T) {
	srv, conn := startWithDailyHypertable(t)
	insertOld := "INSERT INTO m SELECT TIMESTAMPTZ '2020-01-01' + i * INTERVAL '6 hours', i % 3, i FROM generate_series(0, 19) i"
	mustExec(t, conn, insertOld)
	mustExec(t, conn, "INSERT INTO m VALUES (now(), 1, 100)")

	retention := queryInt(t, conn, "SELECT add_retention_policy('m', INTERVAL '30 days', schedule_interval => INTERVAL '1 second')")
	if retention != 1000 {
		t.Fatalf("retention job id %d, want 1000", retention)
	}
	eventually(t, "the retention policy to drop the 2020 chunks", func() bool {
		return queryInt(t, conn, "SELECT count(*) FROM m") == 1
	})
	eventually(t, "a recorded successful run", func() bool {
		s := readJobStat(t, conn, retention)
		return s.successes >= 1 && s.lastRun == "Success" && s.failures == 0
	})

	failing := queryInt(t, conn, `SELECT add_job('policy_retention', INTERVAL '1 second',
		config => '{"hypertable_id": 1, "drop_after": "bogus"}')`)
	eventually(t, "two failed runs of the bad job", func() bool {
		s := readJobStat(t, conn, failing)
		return s.failures >= 2 && s.lastRun == "Failed" && s.successes == 0
	})
	var code, msg, proc string
	err := conn.QueryRow(context.Background(), `SELECT sqlerrcode, err_message, proc_name FROM timescaledb_information.job_errors
		WHERE job_id = $1 ORDER BY start_time LIMIT 1`, failing).Scan(&code, &msg, &proc)
	if err != nil {
		t.Fatal(err)
	}
	if code == "" || !strings.Contains(msg, "bogus") || proc != "policy_retention" {
		t.Fatalf("job error: code %q message %q proc %q", code, msg, proc)
	}

	// A paused job no longer runs.
	mustExec(t, conn, "SELECT alter_job($1, scheduled => false)", failing)
	paused := readJobStat(t, conn, failing)
	if paused.status != "Paused" {
		t.Fatalf("job status %q after scheduled => false", paused.status)
	}

	before := readJobStat(t, conn, retention)
	conn.Close(context.Background())
	conn = restartAndConnect(t, srv)
	after := readJobStat(t, conn, retention)
	if after.runs < before.runs || after.successes < before.successes {
		t.Fatalf("job stats lost in restart: before %+v, after %+v", before, after)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM timescaledb_information.jobs"); n != 2 {
		t.Fatalf("%d jobs after restart, want 2", n)
	}
	// The schedule resumes: new old data is dropped again.
	mustExec(t, conn, insertOld)
	eventually(t, "the retention policy to run after the restart", func() bool {
		return queryInt(t, conn, "SELECT count(*) FROM m") == 1 && readJobStat(t, conn, retention).runs > after.runs
	})
	if s := readJobStat(t, conn, failing); s.status != "Paused" || s.runs != paused.runs {
		t.Fatalf("paused job ran after the restart: before %+v, after %+v", paused, s)
	}

	// alter_job wakes the scheduler: a job moved to a near next start runs.
	mustExec(t, conn, "SELECT alter_job($1, schedule_interval => INTERVAL '1 day', next_start => now() + INTERVAL '1 day')", retention)
	runs := readJobStat(t, conn, retention).runs
	mustExec(t, conn, "SELECT alter_job($1, next_start => now())", retention)
	eventually(t, "the rescheduled job to run", func() bool {
		return readJobStat(t, conn, retention).runs > runs
	})
}
