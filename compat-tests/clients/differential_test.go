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

	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// TestScanDifferential loads the same rows into a tsgres hypertable and a
// PostgreSQL 15 table and compares the answers of random queries: counts,
// sums, minima and maxima under conjunctions of comparisons with
// constants (either side, every operator, BETWEEN, IN, IS NULL), grouped
// and not, and ORDER BY time LIMIT, first on uncompressed chunks, then
// with half the chunks compressed. These are the paths that read block
// metadata (time-range and min/max skipping, aggregates from metadata,
// ordered scans that stop early), where a wrong bound loses rows
// silently. The data has NULLs, NaNs, duplicate times, late rows and
// several blocks per chunk.
func TestScanDifferential(t *testing.T) {
	ts, pg := startDifferential(t)
	const ddl = "CREATE TABLE d (time timestamptz NOT NULL, dev int, x int, v double precision, s text)"
	mustExec(t, ts, ddl)
	mustExec(t, pg, ddl)
	mustExec(t, ts, "SELECT create_hypertable('d', 'time', chunk_time_interval => INTERVAL '6 hours')")

	rng := rand.New(rand.NewSource(7))
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	tags := []string{"a", "b", "c", "dd", "e"}
	for batch := 0; batch < 12; batch++ {
		var sb strings.Builder
		sb.WriteString("INSERT INTO d VALUES ")
		for i := 0; i < 300; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			// Mostly in order; every third batch is late data over the
			// whole range. Seconds only, so some times repeat.
			sec := batch*1800 + rng.Intn(1800)
			if batch%3 == 2 {
				sec = rng.Intn(12 * 1800)
			}
			v := "NULL"
			switch r := rng.Intn(20); {
			case r == 0:
				v = "'NaN'"
			case r > 1:
				v = fmt.Sprintf("%.2f", rng.NormFloat64()*30)
			}
			x := "NULL"
			if rng.Intn(15) > 0 {
				x = fmt.Sprint(rng.Intn(200) - 100)
			}
			s := "NULL"
			if rng.Intn(10) > 0 {
				s = "'" + tags[rng.Intn(len(tags))] + "'"
			}
			fmt.Fprintf(&sb, "('%s', %d, %s, %s, %s)", base.Add(time.Duration(sec)*time.Second).Format(time.RFC3339), rng.Intn(6), x, v, s)
		}
		mustExec(t, ts, sb.String())
		mustExec(t, pg, sb.String())
	}

	seed := int64(11)
	if v, err := strconv.ParseInt(os.Getenv("TSGRES_DIFF_SEED"), 10, 64); err == nil {
		seed = v // explore: TSGRES_DIFF_SEED=n go test -run TestScanDifferential
	}
	queries := differentialQueries(rand.New(rand.NewSource(seed)), base, 400)
	compareAll := func(phase string) {
		t.Helper()
		for _, q := range queries {
			sameRows(t, phase+": "+q, queryRows(t, ts, q), queryRows(t, pg, q))
		}
	}
	compareAll("uncompressed")
	mustExec(t, ts, "ALTER TABLE d SET (timescaledb.compress, timescaledb.compress_segmentby = 'dev')")
	mustExec(t, ts, "SELECT count(compress_chunk(c)) FROM (SELECT c FROM show_chunks('d') c ORDER BY 1 LIMIT 2) s")
	compareAll("partly compressed")
}

// startDifferential starts tsgres and a scratch PostgreSQL 15 and
// connects to both, skipping the test where PostgreSQL is not installed.
func startDifferential(t *testing.T) (ts, pg *pgx.Conn) {
	t.Helper()
	if !testserver.PGAvailable() {
		t.Skip("PostgreSQL 15 is not installed")
	}
	_, ts = startTimescale(t)
	return ts, connect(t, testserver.StartPostgres(t, testserver.PGOptions{}).DSN("postgres"))
}

// differentialQueries returns n random queries over table d.
func differentialQueries(rng *rand.Rand, base time.Time, n int) []string {
	ts := func() string {
		return "'" + base.Add(time.Duration(rng.Intn(12*1800+600)-300)*time.Second).Format(time.RFC3339) + "'"
	}
	ops := []string{"=", "<>", "<", "<=", ">", ">="}
	pred := func() string {
		op := ops[rng.Intn(len(ops))]
		switch rng.Intn(9) {
		case 0, 1:
			return "time " + op + " " + ts()
		case 2:
			return fmt.Sprintf("x %s %d", op, rng.Intn(220)-110)
		case 3:
			return fmt.Sprintf("%d %s x", rng.Intn(220)-110, op)
		case 4:
			c := []string{fmt.Sprintf("%.1f", rng.NormFloat64()*40), "'NaN'", "'Infinity'"}[rng.Intn(3)]
			return "v " + op + " " + c
		case 5:
			return fmt.Sprintf("time BETWEEN %s AND %s", ts(), ts())
		case 6:
			return fmt.Sprintf("dev IN (%d, %d)", rng.Intn(6), rng.Intn(6))
		case 7:
			return []string{"v IS NULL", "x IS NOT NULL", "s IS NULL"}[rng.Intn(3)]
		default:
			return "s " + op + " '" + []string{"a", "b", "c", "dd", "e", "bz"}[rng.Intn(6)] + "'"
		}
	}
	var out []string
	for len(out) < n {
		var conj []string
		for k := rng.Intn(3) + 1; k > 0; k-- {
			conj = append(conj, pred())
		}
		where := strings.Join(conj, " AND ")
		switch rng.Intn(4) {
		case 0:
			out = append(out, "SELECT count(*), count(v), sum(x), min(x), max(x), min(time), max(time) FROM d WHERE "+where)
		case 1:
			out = append(out, "SELECT dev, count(*), sum(x), max(x), min(s), max(time) FROM d WHERE "+where+" GROUP BY dev ORDER BY dev")
		case 2:
			dir := []string{"", " DESC"}[rng.Intn(2)]
			out = append(out, fmt.Sprintf("SELECT time, x FROM d WHERE %s ORDER BY time%s, x NULLS FIRST, dev, v, s LIMIT %d", where, dir, 1+rng.Intn(40)))
		default:
			// Float sums differ in the last bits with the order of
			// addition; compare them rounded.
			out = append(out, "SELECT count(*), round(sum(v)::numeric, 6)::text, min(v), max(v) FROM d WHERE "+where+" AND v <> 'NaN'")
		}
	}
	return out
}
