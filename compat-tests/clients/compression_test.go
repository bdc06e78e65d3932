package clients

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

	// A late row makes its chunk partially compressed (status 9); the
	// policy's next run folds it in, as TimescaleDB's recompresses.
	mustExec(t, conn, "INSERT INTO m VALUES ('2020-01-02 12:00:30+00', 9, 1000)")
	eventually(t, "the policy to recompress the partially compressed chunk", func() bool {
		return queryInt(t, conn, "SELECT count(*) FROM _timescaledb_catalog.chunk WHERE status <> 1") == 1 // the recent, uncompressed chunk
	})
	if got := queryInt(t, conn, "SELECT sum(v)::bigint FROM m"); got != sumBefore+1000 {
		t.Fatalf("sum after recompression %d, want %d", got, sumBefore+1000)
	}
}

// TestSegmentSkipping: on compressed chunks a segmentby equality filter
// reads only that segment's blocks (its 1,440 rows a chunk are two blocks
// of 720), as EXPLAIN ANALYZE shows.
func TestSegmentSkipping(t *testing.T) {
	_, conn := startTimescale(t)
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
	if text := strings.Join(plan, "\n"); !strings.Contains(text, "Blocks read: 4  Blocks skipped by metadata: 12") {
		t.Fatalf("plan does not show segment skipping:\n%s", text)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM r WHERE device_id = 2 AND metric_name = 'temp'"); n != 2880 {
		t.Fatalf("count %d, want 2880", n)
	}
}

// TestCompressRollup: under compress_chunk_time_interval compressing
// rolls 1-day chunks up into 3-day compressed chunks while writers keep
// inserting into the ranges being rolled up, then survives a restart.
// Every acknowledged row is there exactly once (rows for a rolled-up
// chunk go to the chunk it became part of; only a commit racing the
// roll-up's own commit may fail with 40001, and the writer retries it).
func TestCompressRollup(t *testing.T) {
	srv, conn := startWithDailyHypertable(t)
	mustExec(t, conn, "INSERT INTO m SELECT TIMESTAMPTZ '2020-01-01' + i * INTERVAL '1 minute', i % 4, 1 FROM generate_series(0, 8639) i")
	mustExec(t, conn, "ALTER TABLE m SET (timescaledb.compress, timescaledb.compress_segmentby = 'device', timescaledb.compress_chunk_time_interval = '3 days')")

	ctx := context.Background()
	writer := connect(t, srv.DSN("postgres"))
	done := make(chan int64)
	stop := make(chan struct{})
	go func() {
		var acked int64
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- acked
				return
			default:
			}
			// Round-robin over the six days, distinct times at second 30
			// (the bulk rows are on whole minutes).
			ts := fmt.Sprintf("2020-01-%02d %02d:%02d:30+00", 1+i%6, (i/360)%24, (i/6)%60)
			for {
				_, err := writer.Exec(ctx, "INSERT INTO m VALUES ($1, 7, 1)", ts)
				if err == nil {
					acked++
					break
				}
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != "40001" {
					t.Errorf("insert: %v", err)
					done <- acked
					return
				}
			}
		}
	}()
	mustExec(t, conn, "SELECT compress_chunk(c) FROM show_chunks('m') c")
	close(stop)
	acked := <-done
	t.Logf("%d writer rows acknowledged during the roll-up", acked)

	want := 8640 + acked
	if got := queryInt(t, conn, "SELECT count(*) FROM m"); got != want {
		t.Fatalf("count %d, want %d", got, want)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM show_chunks('m')"); n != 2 {
		t.Fatalf("%d chunks after the roll-up, want 2", n)
	}
	conn = restartAndConnect(t, srv)
	if got := queryInt(t, conn, "SELECT count(*) FROM m"); got != want {
		t.Fatalf("count after restart %d, want %d", got, want)
	}
	if got := queryInt(t, conn, "SELECT count(DISTINCT time) FROM m WHERE device = 7"); got != acked {
		t.Fatalf("%d distinct writer rows after restart, want %d", got, acked)
	}
	var ranges string
	if err := conn.QueryRow(ctx, "SELECT string_agg(range_start::date || '..' || range_end::date, ' ' ORDER BY range_start) FROM timescaledb_information.chunks WHERE hypertable_name = 'm'").Scan(&ranges); err != nil {
		t.Fatal(err)
	}
	if ranges != "2020-01-01..2020-01-04 2020-01-04..2020-01-07" {
		t.Fatalf("chunk ranges after restart %q", ranges)
	}
}

// TestKill9DuringCompression kills the server with SIGKILL while
// compress_chunk rewrites a hypertable (several chunks, one statement,
// rolled up two by two). After the restart every row is there exactly
// once, each chunk is either compressed or not, and compressing again
// works: the compression commits in one batch or not at all.
func TestKill9DuringCompression(t *testing.T) {
	srv, conn := startWithDailyHypertable(t)
	ctx := context.Background()
	mustExec(t, conn, "INSERT INTO m SELECT TIMESTAMPTZ '2020-01-01' + i * INTERVAL '200 milliseconds', i % 50, i FROM generate_series(0, 2591999) i")
	wantCount := queryInt(t, conn, "SELECT count(*) FROM m")
	wantSum := queryInt(t, conn, "SELECT sum(v)::bigint FROM m")
	mustExec(t, conn, "ALTER TABLE m SET (timescaledb.compress, timescaledb.compress_segmentby = 'device', timescaledb.compress_chunk_time_interval = '2 days')")

	compressor := connect(t, srv.DSN("postgres"))
	done := make(chan error, 1)
	go func() {
		_, err := compressor.Exec(ctx, "SELECT compress_chunk(c) FROM show_chunks('m') c")
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Log("the compression finished before the kill")
	}
	conn = restartAndConnect(t, srv)
	if got := queryInt(t, conn, "SELECT count(*) FROM m"); got != wantCount {
		t.Fatalf("count after kill -9 %d, want %d", got, wantCount)
	}
	if got := queryInt(t, conn, "SELECT sum(v)::bigint FROM m"); got != wantSum {
		t.Fatalf("sum after kill -9 %d, want %d", got, wantSum)
	}
	mustExec(t, conn, "SELECT compress_chunk(c) FROM show_chunks('m') c")
	if got := queryInt(t, conn, "SELECT count(*) FROM m WHERE device = 7"); got != wantCount/50 {
		t.Fatalf("device 7 has %d rows after compressing, want %d", got, wantCount/50)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'm' AND NOT is_compressed"); n != 0 {
		t.Fatalf("%d chunks left uncompressed", n)
	}
	if got := queryInt(t, conn, "SELECT sum(v)::bigint FROM m"); got != wantSum {
		t.Fatalf("sum after compressing %d, want %d", got, wantSum)
	}
}

// startRollupPair starts a server with hypertable m of two daily chunks
// (2880 rows), the first compressed, whose second chunk's compression
// will roll it up into the first.
func startRollupPair(t *testing.T) (*testserver.Server, *pgx.Conn) {
	t.Helper()
	srv, conn := startWithDailyHypertable(t)
	mustExec(t, conn, "INSERT INTO m SELECT TIMESTAMPTZ '2020-01-01' + i * INTERVAL '1 minute', i % 4, 1 FROM generate_series(0, 2879) i")
	mustExec(t, conn, "ALTER TABLE m SET (timescaledb.compress, timescaledb.compress_chunk_time_interval = '2 days')")
	mustExec(t, conn, "SELECT compress_chunk(c) FROM show_chunks('m') c ORDER BY c LIMIT 1")
	return srv, conn
}

// TestInsertCommitsAfterRollup: a transaction that inserted into a chunk
// before another session rolled that chunk up commits, and its row is
// found in the chunk the rows went to.
func TestInsertCommitsAfterRollup(t *testing.T) {
	srv, conn := startRollupPair(t)
	ctx := context.Background()

	late := connect(t, srv.DSN("postgres"))
	tx, err := late.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO m VALUES ('2020-01-02 12:00:30+00', 9, 100)"); err != nil {
		t.Fatal(err)
	}
	var into string
	if err := conn.QueryRow(ctx, "SELECT compress_chunk(c)::text FROM show_chunks('m') c ORDER BY c OFFSET 1").Scan(&into); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM show_chunks('m')"); n != 1 {
		t.Fatalf("%d chunks after the roll-up, want 1 (%s)", n, into)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("commit of an insert into a rolled-up chunk: %v", err)
	}
	if got := queryInt(t, conn, "SELECT count(*) FROM m WHERE device = 9"); got != 1 {
		t.Fatalf("%d late rows, want 1", got)
	}
	if got := queryInt(t, conn, "SELECT count(*) FROM m"); got != 2881 {
		t.Fatalf("count %d, want 2881", got)
	}
}

// TestCursorAcrossRollup: a cursor reading a hypertable one FETCH at a
// time keeps its view while another session rolls the chunk it has not
// reached yet into the one it is reading: every row is fetched once.
func TestCursorAcrossRollup(t *testing.T) {
	srv, conn := startRollupPair(t)
	ctx := context.Background()

	reader := connect(t, srv.DSN("postgres"))
	mustExec(t, reader, "BEGIN")
	mustExec(t, reader, "DECLARE c CURSOR FOR SELECT v FROM m")
	fetched := 0
	count := func(sql string) {
		rows, err := reader.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			fetched++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	count("FETCH 10 FROM c")
	mustExec(t, conn, "SELECT compress_chunk(c) FROM show_chunks('m') c")
	if n := queryInt(t, conn, "SELECT count(*) FROM show_chunks('m')"); n != 1 {
		t.Fatalf("%d chunks after the roll-up, want 1", n)
	}
	count("FETCH ALL FROM c")
	mustExec(t, reader, "COMMIT")
	if fetched != 2880 {
		t.Fatalf("the cursor fetched %d rows, want 2880", fetched)
	}
}
