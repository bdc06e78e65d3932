package clients

import (
	"context"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/compat-tests/internal/compat"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// TestCompressionPolicy: a compression policy on a one-second schedule
// compresses the chunks older than compress_after through the scheduler,
// leaves the recent one alone, and the data answers the same.
func TestCompressionPolicy(t *testing.T) {
	_, conn := startWithDailyHypertable(t)
	mustExec(t, conn, "INSERT INTO m SELECT TIMESTAMPTZ '2020-01-01' + i * INTERVAL '1 minute', i % 4, i FROM generate_series(0, 4319) i")
	mustExec(t, conn, "INSERT INTO m VALUES (now(), 1, 100)")
	sumBefore := queryInt(t, conn, "SELECT sum(v)::bigint FROM m")
	mustExec(t, conn, "ALTER TABLE m SET (timescaledb.compress, timescaledb.compress_segmentby = 'device')")
	id := queryInt(t, conn, "SELECT add_compression_policy('m', INTERVAL '7 days', schedule_interval => INTERVAL '1 second')")

	eventually(t, "the policy to compress the three old chunks", func() bool {
		return queryInt(t, conn, "SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'm' AND is_compressed") == 3
	})
	if n := queryInt(t, conn, "SELECT number_compressed_chunks FROM hypertable_compression_stats('m')"); n != 3 {
		t.Fatalf("hypertable_compression_stats counts %d compressed chunks, want 3", n)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'm' AND NOT is_compressed"); n != 1 {
		t.Fatalf("%d uncompressed chunks, want the recent one", n)
	}
	if got := queryInt(t, conn, "SELECT sum(v)::bigint FROM m"); got != sumBefore {
		t.Fatalf("sum after compression %d, want %d", got, sumBefore)
	}
	eventually(t, "a successful policy run", func() bool {
		s := readJobStat(t, conn, id)
		return s.lastRun == "Success" && s.failures == 0
	})
}

// TestSegmentSkipping: on compressed chunks a segmentby equality filter
// reads one block per chunk, as EXPLAIN ANALYZE shows.
func TestSegmentSkipping(t *testing.T) {
	if compat.AgainstPostgres() {
		t.Skip("TimescaleDB is not installed in the reference PostgreSQL")
	}
	srv := testserver.Start(t, testserver.Options{})
	conn := connect(t, srv.DSN("postgres"))
	mustExec(t, conn, "CREATE TABLE r (time timestamptz NOT NULL, device_id int, metric_name text, value double precision)")
	mustExec(t, conn, "SELECT create_hypertable('r', 'time', chunk_time_interval => INTERVAL '1 day')")
	mustExec(t, conn, `INSERT INTO r SELECT t, d, m, d FROM generate_series('2020-01-01 00:00+00'::timestamptz, '2020-01-02 23:59+00', INTERVAL '1 minute') t,
		(VALUES (1), (2)) dv(d), (VALUES ('temp'), ('hum')) mv(m)`)
	mustExec(t, conn, "ALTER TABLE r SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id,metric_name')")
	mustExec(t, conn, "SELECT compress_chunk(c) FROM show_chunks('r') c")
	rows, err := conn.Query(context.Background(), "EXPLAIN ANALYZE SELECT count(*) FROM r WHERE device_id = 2 AND metric_name = 'temp'")
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(plan, "\n"); !strings.Contains(text, "Blocks read: 2  Blocks skipped by metadata: 6") {
		t.Fatalf("plan does not show segment skipping:\n%s", text)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM r WHERE device_id = 2 AND metric_name = 'temp'"); n != 2880 {
		t.Fatalf("count %d, want 2880", n)
	}
}
