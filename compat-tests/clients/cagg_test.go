package clients

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// caggRow is one row of a per-minute rollup, in the order the queries
// below select it.
type caggRow struct {
	bucket            time.Time
	device            int64
	avg, mx, mn, sd   *float64
	n                 int64
	sum               *float64
	first, last, mxmn *float64
}

const caggCols = "bucket, device, avg_v, max_v, min_v, sd, n, sum_v, fv, lv, spread"

// rawRollup is the continuous aggregate's query run on the raw data.
const rawRollup = `SELECT time_bucket('1 minute', time) AS bucket, device, avg(v) AS avg_v, max(v) AS max_v, min(v) AS min_v,
	stddev(v) AS sd, count(*) AS n, sum(v) AS sum_v, first(v, time) AS fv, last(v, time) AS lv, max(v) - min(v) AS spread
	FROM raw WHERE v > -50 GROUP BY 1, 2`

func readRollup(t *testing.T, conn *pgx.Conn, q string) []caggRow {
	t.Helper()
	return readCaggRows(t, conn, q, func(r *caggRow) []any {
		return []any{&r.bucket, &r.device, &r.avg, &r.mx, &r.mn, &r.sd, &r.n, &r.sum, &r.first, &r.last, &r.mxmn}
	})
}

// readCaggRows runs q and scans each row into the fields of a caggRow
// that fields names.
func readCaggRows(t *testing.T, conn *pgx.Conn, q string, fields func(*caggRow) []any) []caggRow {
	t.Helper()
	rows, err := conn.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []caggRow
	for rows.Next() {
		var r caggRow
		if err := rows.Scan(fields(&r)...); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func closeEnough(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*b))
}

// sameRollup compares two rollups (ordered by bucket, device).
func sameRollup(t *testing.T, what string, got, want []caggRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		ok := g.bucket.Equal(w.bucket) && g.device == w.device && g.n == w.n
		for _, p := range [][2]*float64{{g.avg, w.avg}, {g.mx, w.mx}, {g.mn, w.mn}, {g.sd, w.sd}, {g.sum, w.sum}, {g.first, w.first}, {g.last, w.last}, {g.mxmn, w.mxmn}} {
			ok = ok && closeEnough(p[0], p[1])
		}
		if !ok {
			t.Fatalf("%s: row %d = %+v, want %+v", what, i, g, w)
		}
	}
}

// TestCaggRandomLateWrites writes random late inserts, updates and
// deletes into already-materialized ranges and checks after each refresh
// that the continuous aggregate equals its query over the raw data, with
// and without real-time aggregation, and that a 1-hour aggregate on top
// equals the hourly rollup of the raw data.
func TestCaggRandomLateWrites(t *testing.T) {
	_, conn := startTimescale(t)
	mustExec(t, conn, "CREATE TABLE raw (time timestamptz NOT NULL, device int, v double precision)")
	mustExec(t, conn, "SELECT create_hypertable('raw', 'time', chunk_time_interval => INTERVAL '6 hours')")
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewSource(42))
	insert := func(n int, from, span time.Duration) {
		batch := &pgx.Batch{}
		for i := 0; i < n; i++ {
			ts := base.Add(from + time.Duration(rng.Int63n(int64(span))))
			batch.Queue("INSERT INTO raw VALUES ($1, $2, $3)", ts, rng.Intn(5), math.Round(rng.NormFloat64()*1000)/10)
		}
		if err := conn.SendBatch(context.Background(), batch).Close(); err != nil {
			t.Fatal(err)
		}
	}
	insert(3000, 0, 24*time.Hour)
	mustExec(t, conn, `CREATE MATERIALIZED VIEW m WITH (timescaledb.continuous) AS SELECT time_bucket('1 minute', time) AS bucket, device,
		avg(v) AS avg_v, max(v) AS max_v, min(v) AS min_v, stddev(v) AS sd, count(*) AS n, sum(v) AS sum_v,
		first(v, time) AS fv, last(v, time) AS lv, max(v) - min(v) AS spread FROM raw WHERE v > -50 GROUP BY bucket, device`)
	mustExec(t, conn, `CREATE MATERIALIZED VIEW h WITH (timescaledb.continuous) AS SELECT time_bucket('1 hour', bucket) AS hour, device,
		avg(avg_v) AS avg_v, stddev(sd) AS sd, sum(n) AS n, max(max_v) AS max_v FROM m GROUP BY 1, 2`)
	order := " ORDER BY bucket, device"
	rawHourly := `SELECT time_bucket('1 hour', time) AS hour, device, avg(v), stddev(v), count(*), max(v) FROM raw WHERE v > -50 GROUP BY 1, 2 ORDER BY 1, 2`
	mustExec(t, conn, "CALL refresh_continuous_aggregate('m', NULL, NULL)")
	for round := 0; round < 6; round++ {
		// Real-time: rows past the watermark show up without a refresh.
		insert(100, time.Duration(24+round)*time.Hour, time.Hour)
		mustExec(t, conn, "ALTER MATERIALIZED VIEW m SET (timescaledb.materialized_only = false)")
		sameRollup(t, fmt.Sprintf("round %d real-time", round), readRollup(t, conn, "SELECT "+caggCols+" FROM m"+order),
			readRollup(t, conn, "SELECT * FROM ("+rawRollup+") r"+order))
		mustExec(t, conn, "ALTER MATERIALIZED VIEW m SET (timescaledb.materialized_only = true)")

		// Late inserts, updates and deletes in the materialized range.
		insert(200, 0, time.Duration(24+round)*time.Hour)
		mustExec(t, conn, fmt.Sprintf("UPDATE raw SET v = v + 1 WHERE device = %d AND time < '%s'", rng.Intn(5), base.Add(time.Duration(rng.Intn(24))*time.Hour).Format(time.RFC3339)))
		from := base.Add(time.Duration(rng.Intn(24*60)) * time.Minute)
		mustExec(t, conn, fmt.Sprintf("DELETE FROM raw WHERE time >= '%s' AND time < '%s'", from.Format(time.RFC3339), from.Add(10*time.Minute).Format(time.RFC3339)))
		mustExec(t, conn, "CALL refresh_continuous_aggregate('m', NULL, NULL)")
		sameRollup(t, fmt.Sprintf("round %d materialized", round), readRollup(t, conn, "SELECT "+caggCols+" FROM m"+order),
			readRollup(t, conn, "SELECT * FROM ("+rawRollup+") r"+order))

		mustExec(t, conn, "CALL refresh_continuous_aggregate('h', NULL, NULL)")
		got, want := readHourly(t, conn, "SELECT hour, device, avg_v, sd, n, max_v FROM h ORDER BY 1, 2"), readHourly(t, conn, rawHourly)
		if len(got) != len(want) {
			t.Fatalf("round %d hourly: %d rows, want %d", round, len(got), len(want))
		}
		for i := range got {
			if got[i].n != want[i].n || !got[i].bucket.Equal(want[i].bucket) || !closeEnough(got[i].avg, want[i].avg) ||
				!closeEnough(got[i].sd, want[i].sd) || !closeEnough(got[i].mx, want[i].mx) {
				t.Fatalf("round %d hourly row %d = %+v, want %+v", round, i, got[i], want[i])
			}
		}
	}
	// Dropping the raw chunks keeps the materialized results.
	before := queryInt(t, conn, "SELECT count(*) FROM m")
	mustExec(t, conn, "SELECT count(*) FROM drop_chunks('raw', older_than => '2100-01-01'::timestamptz)")
	if after := queryInt(t, conn, "SELECT count(*) FROM m"); after != before || before == 0 {
		t.Fatalf("after drop_chunks the aggregate has %d rows, want %d", after, before)
	}
}

func readHourly(t *testing.T, conn *pgx.Conn, q string) []caggRow {
	t.Helper()
	return readCaggRows(t, conn, q, func(r *caggRow) []any { return []any{&r.bucket, &r.device, &r.avg, &r.sd, &r.n, &r.mx} })
}

// TestCaggTypedRefresh checks the typed refresh (count/sum/min/max/avg
// states grouped by bucket and plain columns, with NULL keys and values,
// integer and text groups and a WHERE filter) against the same rollup of
// the raw data, through late writes and partial refresh windows; and
// that a query filtering and regrouping the aggregate agrees with raw data.
func TestCaggTypedRefresh(t *testing.T) {
	_, conn := startTimescale(t)
	mustExec(t, conn, "CREATE TABLE r (time timestamptz NOT NULL, device int, site text, v double precision, k int)")
	mustExec(t, conn, "SELECT create_hypertable('r', 'time', chunk_time_interval => INTERVAL '3 hours')")
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewSource(7))
	orNull := func(p float64, v any) any {
		if rng.Float64() < p {
			return nil
		}
		return v
	}
	insert := func(n int, span time.Duration) {
		batch := &pgx.Batch{}
		for i := 0; i < n; i++ {
			ts := base.Add(time.Duration(rng.Int63n(int64(span))))
			batch.Queue("INSERT INTO r VALUES ($1, $2, $3, $4, $5)", ts, orNull(0.05, rng.Intn(6)), orNull(0.05, []string{"a", "bb", "c"}[rng.Intn(3)]),
				orNull(0.1, math.Round(rng.NormFloat64()*1000)/10), orNull(0.1, rng.Intn(9)))
		}
		if err := conn.SendBatch(context.Background(), batch).Close(); err != nil {
			t.Fatal(err)
		}
	}
	const aggs = `avg(v) AS avg_v, sum(v) AS sum_v, min(v) AS min_v, max(v) AS max_v, count(v) AS cnt_v, count(*) AS n,
		sum(k) AS sum_k, min(k) AS min_k, max(k) AS max_k, avg(k) AS avg_k, max(time) AS last_t`
	insert(2000, 12*time.Hour)
	mustExec(t, conn, `CREATE MATERIALIZED VIEW m WITH (timescaledb.continuous) AS SELECT time_bucket('5 minutes', time) AS bucket, device, site, `+
		aggs+` FROM r WHERE k IS DISTINCT FROM 3 GROUP BY bucket, device, site WITH NO DATA`)
	raw := `SELECT time_bucket('5 minutes', time) AS bucket, device, site, ` + aggs + ` FROM r WHERE k IS DISTINCT FROM 3 GROUP BY 1, 2, 3`
	order := " ORDER BY bucket, device NULLS FIRST, site NULLS FIRST"
	check := func(what string) {
		t.Helper()
		sameRows(t, what, queryRows(t, conn, "SELECT * FROM m"+order), queryRows(t, conn, "SELECT * FROM ("+raw+") x"+order))
		q := `SELECT time_bucket('1 hour', bucket) AS h, site, max(max_v), min(min_k), sum(n) FROM %s WHERE bucket >= '2024-03-01 02:00+00'
			AND bucket < '2024-03-01 09:00+00' GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`
		sameRows(t, what+" (hourly)", queryRows(t, conn, fmt.Sprintf(q, "m")), queryRows(t, conn, fmt.Sprintf(q, "("+raw+") x")))
		// Grouped by its own grouping: one row per group.
		q = `SELECT time_bucket('5 minutes', bucket) AS b, device, site, max(max_v), min(min_k), sum(n), sum(sum_k), count(min_v), count(*)
			FROM %s WHERE device IS DISTINCT FROM 2 GROUP BY 1, 2, 3 ORDER BY 1, 2 NULLS FIRST, 3 NULLS FIRST`
		sameRows(t, what+" (regrouped)", queryRows(t, conn, fmt.Sprintf(q, "m")), queryRows(t, conn, fmt.Sprintf(q, "("+raw+") x")))
	}
	mustExec(t, conn, "CALL refresh_continuous_aggregate('m', NULL, NULL)")
	check("full refresh")
	for round := 0; round < 4; round++ {
		insert(300, 12*time.Hour)
		execRetry(t, conn, fmt.Sprintf("UPDATE r SET v = v * 2, device = NULL WHERE device = %d AND time < '%s'", rng.Intn(6), base.Add(time.Duration(rng.Intn(12))*time.Hour).Format(time.RFC3339)))
		mustExec(t, conn, "CALL refresh_continuous_aggregate('m', '2024-03-01 03:00+00', '2024-03-01 07:00+00')")
		mustExec(t, conn, "CALL refresh_continuous_aggregate('m', NULL, NULL)")
		check(fmt.Sprintf("round %d", round))
	}
}

// execRetry runs a statement, retrying it when it lost a write conflict
// (40001) with the background merge, as a client must.
func execRetry(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	for try := 0; ; try++ {
		_, err := conn.Exec(context.Background(), sql)
		var pe *pgconn.PgError
		if err == nil || try == 5 || !errors.As(err, &pe) || pe.Code != "40001" {
			if err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			return
		}
	}
}

// queryRows returns a query's rows as Go values.
func queryRows(t *testing.T, conn *pgx.Conn, q string) [][]any {
	t.Helper()
	out, err := collectRows(conn, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// collectRows returns a query's rows as Go values, or its error.
func collectRows(conn *pgx.Conn, q string) ([][]any, error) {
	rows, err := conn.Query(context.Background(), q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// sameRows compares result rows, floats with a relative tolerance
// (sums may add in another order) and everything else by its text.
func sameRows(t *testing.T, what string, got, want [][]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range got {
		for j := range got[i] {
			g, w := got[i][j], want[i][j]
			gf, ok1 := g.(float64)
			wf, ok2 := w.(float64)
			if ok1 && ok2 && closeEnough(&gf, &wf) {
				continue
			}
			if fmt.Sprint(g) != fmt.Sprint(w) {
				t.Fatalf("%s: row %d column %d = %v, want %v\n got %v\nwant %v", what, i, j, g, w, got[i], want[i])
			}
		}
	}
}
