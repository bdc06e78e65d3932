package clients

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestSeriesDifferential loads the same generated rows into tsgres
// hypertables and PostgreSQL 15 tables and compares the answers of
// random queries of the shapes the series mechanisms serve: a device
// table joined by id or name, IN/ANY subqueries and IN lists on the
// device column (key sets pushed into the scan), GROUP BY time_bucket
// ORDER BY the bucket [DESC] LIMIT n (ordered bucket scans), DISTINCT ON
// the device ORDER BY time DESC, last(v, time) and max(time) per device
// and LATERAL ... ORDER BY time DESC LIMIT 1 per device row (the
// last-value index and series scans), each with random extra filters.
// Two tables: a wide one with timestamptz time and an integer device id
// whose (device, time) index is made before create_hypertable, and a
// narrow (device, metric, value) one with bigint time, a text device
// and a hash space dimension on it. The queries run on uncompressed
// chunks, then with some chunks compressed, then with late rows written
// over compressed chunks. A device's times are distinct, so "latest" is
// one row.
func TestSeriesDifferential(t *testing.T) {
	ts, pg := startDifferential(t)
	both := func(q string) {
		t.Helper()
		mustExec(t, ts, q)
		mustExec(t, pg, q)
	}
	// PostgreSQL has no time_bucket: date_bin from TimescaleDB's origin,
	// and integer flooring, are the same for widths without months.
	mustExec(t, pg, `CREATE FUNCTION time_bucket(interval, timestamptz) RETURNS timestamptz AS $$ SELECT date_bin($1, $2, timestamptz '2000-01-03 00:00:00+00') $$ LANGUAGE sql IMMUTABLE`)
	mustExec(t, pg, `CREATE FUNCTION time_bucket(bigint, bigint) RETURNS bigint AS $$ SELECT $2 - (($2 % $1) + $1) % $1 $$ LANGUAGE sql IMMUTABLE`)
	both(`CREATE TABLE devs (id int PRIMARY KEY, name text, site text)`)
	both(`INSERT INTO devs VALUES (0, 'd0', 'north'), (1, 'd1', 'north'), (2, 'd2', 'south'), (3, 'd3', NULL),
		(4, 'd4', 'east'), (5, NULL, 'south'), (6, 'd6', 'east'), (9, 'd9', 'north')`)
	both(`CREATE TABLE w (time timestamptz NOT NULL, dev int, x int, v float8)`)
	both(`CREATE INDEX ON w (dev, time DESC)`)
	mustExec(t, ts, `SELECT create_hypertable('w', 'time', chunk_time_interval => interval '3 hours')`)
	both(`CREATE TABLE n (time bigint NOT NULL, dev text, metric text, v float8)`)
	mustExec(t, ts, `SELECT create_hypertable('n', 'time', chunk_time_interval => 3600)`)
	mustExec(t, ts, `SELECT add_dimension('n', 'dev', number_partitions => 2)`)

	rng := rand.New(rand.NewSource(5))
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	const span = 24 * 3600 // seconds of data
	load := func(from, to int, prob float64) {
		var wr, nr []string
		for dev := -1; dev < 8; dev++ { // -1: NULL device
			devW, devN := strconv.Itoa(dev), fmt.Sprintf("'d%d'", dev)
			if dev < 0 {
				devW, devN = "NULL", "NULL"
			}
			for sec := from + dev + 1; sec < to; sec += 60 {
				if rng.Float64() > prob {
					continue
				}
				x := "NULL"
				if rng.Intn(12) > 0 {
					x = strconv.Itoa(rng.Intn(1000) - 100)
				}
				v := "NULL"
				if rng.Intn(12) > 0 {
					v = fmt.Sprintf("%.2f", rng.NormFloat64()*20)
				}
				wr = append(wr, fmt.Sprintf("('%s', %s, %s, %s)", base.Add(time.Duration(sec)*time.Second).Format(time.RFC3339), devW, x, v))
				nr = append(nr, fmt.Sprintf("(%d, %s, 'm%d', %s)", sec, devN, (sec/60)%3, v))
			}
		}
		for len(wr) > 0 {
			k := min(len(wr), 2000)
			both("INSERT INTO w VALUES " + strings.Join(wr[:k], ","))
			both("INSERT INTO n VALUES " + strings.Join(nr[:k], ","))
			wr, nr = wr[k:], nr[k:]
		}
	}
	load(0, span, 0.7)

	seed := int64(3)
	if v, err := strconv.ParseInt(os.Getenv("TSGRES_DIFF_SEED"), 10, 64); err == nil {
		seed = v // explore: TSGRES_DIFF_SEED=n go test -run TestSeriesDifferential
	}
	queries := seriesQueries(rand.New(rand.NewSource(seed)), base, span, 300)
	compareAll := func(phase string) {
		t.Helper()
		rows := 0
		for _, q := range queries {
			got, want := queryRowsOrErr(ts, q.ts), queryRowsOrErr(pg, q.pg)
			for _, r := range [][][]any{got, want} {
				if len(r) == 1 && len(r[0]) == 1 {
					if s, ok := r[0][0].(string); ok && strings.HasPrefix(s, "error: ") {
						t.Fatalf("%s: %s: %s", phase, q.ts, s)
					}
				}
			}
			sameRows(t, phase+": "+q.ts, got, want)
			rows += len(want)
		}
		t.Logf("%s: %d queries, %d rows compared", phase, len(queries), rows)
	}
	compareAll("uncompressed")
	mustExec(t, ts, `ALTER TABLE w SET (timescaledb.compress, timescaledb.compress_segmentby = 'dev')`)
	mustExec(t, ts, `ALTER TABLE n SET (timescaledb.compress, timescaledb.compress_segmentby = 'dev, metric')`)
	for _, tb := range []string{"w", "n"} {
		mustExec(t, ts, fmt.Sprintf("SELECT count(compress_chunk(c)) FROM (SELECT c FROM show_chunks('%s') c ORDER BY 1 LIMIT 5) s", tb))
	}
	compareAll("partly compressed")
	for _, tb := range []string{"w", "n"} {
		mustExec(t, ts, fmt.Sprintf("SELECT count(compress_chunk(c, if_not_compressed => true)) FROM show_chunks('%s') c", tb))
	}
	load(30, span, 0.05) // late rows over compressed chunks, at new times
	compareAll("compressed with late rows")
}

// seriesQuery is one query in tsgres's and PostgreSQL's spelling (they
// differ only where PostgreSQL lacks last()).
type seriesQuery struct{ ts, pg string }

// seriesQueries returns n random queries over tables w and n (see
// TestSeriesDifferential).
func seriesQueries(rng *rand.Rand, base time.Time, span, n int) []seriesQuery {
	sec := func() int { return rng.Intn(span+1200) - 600 }
	tsLit := func(s int) string { return "'" + base.Add(time.Duration(s)*time.Second).Format(time.RFC3339) + "'" }
	sites := []string{"'north'", "'south'", "'east'", "'west'"}
	// extra returns a random extra condition (or none) for table tb.
	extra := func(tb string) string {
		tl := func() string {
			if tb == "w" {
				return tsLit(sec())
			}
			return strconv.Itoa(sec())
		}
		switch rng.Intn(9) {
		case 0:
			return " AND time >= " + tl()
		case 1:
			return " AND time < " + tl()
		case 2:
			return " AND time BETWEEN " + tl() + " AND " + tl()
		case 3:
			return fmt.Sprintf(" AND v > %d", rng.Intn(60)-30)
		case 4:
			return " AND v IS NOT NULL"
		case 5:
			if tb == "w" {
				return fmt.Sprintf(" AND x %% %d = 0", 2+rng.Intn(5))
			}
			return fmt.Sprintf(" AND metric = 'm%d'", rng.Intn(4))
		case 6:
			if tb == "w" {
				return fmt.Sprintf(" AND dev <> %d", rng.Intn(8))
			}
			return fmt.Sprintf(" AND dev <> 'd%d'", rng.Intn(8))
		}
		return ""
	}
	keyList := func(tb string) string {
		var ks []string
		for k := rng.Intn(4); k >= 0; k-- {
			d := rng.Intn(10) - 1
			switch {
			case d < 0:
				ks = append(ks, "NULL")
			case tb == "w":
				ks = append(ks, strconv.Itoa(d))
			default:
				ks = append(ks, fmt.Sprintf("'d%d'", d))
			}
		}
		return strings.Join(ks, ", ")
	}
	var out []seriesQuery
	add := func(q string) { out = append(out, seriesQuery{q, q}) }
	for len(out) < n {
		tb := []string{"w", "n"}[rng.Intn(2)]
		key, val := "id", "x" // devs column matching tb.dev; a value column
		if tb == "n" {
			key, val = "name", "v"
		}
		site := sites[rng.Intn(len(sites))]
		ex := extra(tb)
		switch rng.Intn(9) {
		case 0:
			add(fmt.Sprintf("SELECT d.name, count(*), sum(t.%s), max(t.time) FROM %s t JOIN devs d ON d.%s = t.dev WHERE d.site = %s%s GROUP BY d.name ORDER BY 1",
				val, tb, key, site, ex))
		case 1:
			op := []string{"IN", "= ANY"}[rng.Intn(2)]
			add(fmt.Sprintf("SELECT dev, count(*), min(%s), max(time) FROM %s WHERE dev %s (SELECT %s FROM devs WHERE site = %s OR id > %d)%s GROUP BY dev ORDER BY dev",
				val, tb, op, key, site, rng.Intn(10), ex))
		case 2:
			add(fmt.Sprintf("SELECT count(*), count(v), min(time), max(time) FROM %s WHERE dev IN (%s)%s", tb, keyList(tb), ex))
		case 3:
			width := []string{"'5 minutes'", "'1 hour'", "'90 minutes'", "'1 day'"}[rng.Intn(4)]
			if tb == "n" {
				width = []string{"300::bigint", "3600::bigint", "5400::bigint", "86400::bigint"}[rng.Intn(4)]
			}
			dir := []string{"", " DESC"}[rng.Intn(2)]
			add(fmt.Sprintf("SELECT time_bucket(%s, time) AS b, count(*), max(%s) FROM %s WHERE true%s GROUP BY b ORDER BY b%s LIMIT %d",
				width, val, tb, ex, dir, 1+rng.Intn(6)))
		case 4:
			on := "dev"
			if tb == "n" && rng.Intn(2) == 0 {
				on = "dev, metric"
			}
			add(fmt.Sprintf("SELECT DISTINCT ON (%s) %s, time, v FROM %s WHERE true%s ORDER BY %s, time DESC", on, on, tb, ex, on))
		case 5:
			q := fmt.Sprintf("SELECT dev, LAST, max(time) FROM %s WHERE true%s GROUP BY dev ORDER BY dev", tb, ex)
			out = append(out, seriesQuery{
				ts: strings.Replace(q, "LAST", "last(v, time)", 1),
				pg: strings.Replace(q, "LAST", "(array_agg(v ORDER BY time DESC))[1]", 1),
			})
		case 6:
			add(fmt.Sprintf("SELECT dev, max(time), count(*) FROM %s WHERE true%s GROUP BY dev ORDER BY dev", tb, ex))
		case 7:
			join := []string{"LEFT JOIN LATERAL", "JOIN LATERAL"}[rng.Intn(2)]
			add(fmt.Sprintf("SELECT d.id, b.time, b.v FROM devs d %s (SELECT time, v FROM %s t WHERE t.dev = d.%s%s ORDER BY time DESC LIMIT 1) b ON true ORDER BY d.id",
				join, tb, key, ex))
		default:
			add(fmt.Sprintf("SELECT time, dev, v FROM %s WHERE dev IN (SELECT %s FROM devs WHERE site = %s)%s ORDER BY time DESC, dev LIMIT %d",
				tb, key, site, ex, 1+rng.Intn(20)))
		}
	}
	return out
}

// queryRowsOrErr returns q's rows, or one row holding the error's text
// when q fails (so both engines must fail alike).
func queryRowsOrErr(conn *pgx.Conn, q string) [][]any {
	out, err := collectRows(conn, q)
	if err != nil {
		return [][]any{{"error: " + err.Error()}}
	}
	return out
}
