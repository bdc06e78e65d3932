package clients

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// The SQL in this file is what Grafana's PostgreSQL data source sends
// (grafana/grafana pkg/tsdb/grafana-postgresql-datasource/macros.go and
// public/app/plugins/datasource/grafana-postgresql-datasource/
// postgresMetaQuery.ts): macros expanded exactly as its macro engine
// expands them for the dashboard time range below, sent as one simple
// Query with text results, as Grafana does.

// The dashboard time range: $__timeFrom() .. $__timeTo().
var (
	grafanaFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	grafanaTo   = time.Date(2024, 1, 1, 0, 10, 0, 0, time.UTC)
)

// grafanaSchema is the data both servers hold: readings every 30 seconds
// for 20 minutes (so the time filter cuts), from two devices, with the
// time also as epoch seconds. Values are multiples of 0.25 so sums and
// averages print the same whatever the summation order.
func grafanaSchema(timescale bool) []string {
	stmts := []string{
		"CREATE TABLE metrics (time timestamptz NOT NULL, device text NOT NULL, value double precision, ts_epoch bigint)",
		"CREATE TABLE hosts (name text PRIMARY KEY, region text)",
		"INSERT INTO hosts VALUES ('a', 'eu'), ('b', 'us')",
	}
	if timescale {
		stmts = append(stmts, "CREATE EXTENSION IF NOT EXISTS timescaledb", "SELECT create_hypertable('metrics', 'time')")
	}
	var rows []string
	for i := 0; i < 40; i++ {
		ts := grafanaFrom.Add(-5*time.Minute + time.Duration(i)*30*time.Second)
		for d, dev := range []string{"a", "b"} {
			rows = append(rows, fmt.Sprintf("('%s', '%s', %g, %d)", ts.Format(time.RFC3339), dev,
				float64(i%7)*0.25+float64(d), ts.Unix()))
		}
	}
	return append(stmts, "INSERT INTO metrics VALUES "+strings.Join(rows, ", "))
}

// grafanaMacros expands Grafana's macros for the dashboard range the way
// its postgresMacroEngine does, with its TimescaleDB toggle on or off.
// asTimestamp is not Grafana's: it writes the toggle-off bucket as a
// timestamptz, PostgreSQL's equivalent of time_bucket.
type grafanaMacros struct{ timescale, asTimestamp bool }

// timeGroup is $__timeGroup(col, 'interval').
func (m grafanaMacros) timeGroup(col string, interval time.Duration) string {
	if m.timescale {
		return fmt.Sprintf("time_bucket('%.3fs',%s)", interval.Seconds(), col)
	}
	g := fmt.Sprintf("floor(extract(epoch from %s)/%v)*%v", col, interval.Seconds(), interval.Seconds())
	if m.asTimestamp {
		return "to_timestamp(" + g + ")"
	}
	return g
}

// timeGroupAlias is $__timeGroupAlias(col, 'interval').
func (m grafanaMacros) timeGroupAlias(col string, interval time.Duration) string {
	return m.timeGroup(col, interval) + ` AS "time"`
}

// timeFilter is $__timeFilter(col).
func timeFilter(col string) string {
	return fmt.Sprintf("%s BETWEEN '%s' AND '%s'", col, grafanaFrom.Format(time.RFC3339Nano), grafanaTo.Format(time.RFC3339Nano))
}

// unixEpochFilter is $__unixEpochFilter(col).
func unixEpochFilter(col string) string {
	return fmt.Sprintf("%s >= %d AND %s <= %d", col, grafanaFrom.Unix(), col, grafanaTo.Unix())
}

// unixEpochGroupAlias is $__unixEpochGroupAlias(col, 'interval').
func unixEpochGroupAlias(col string, interval time.Duration) string {
	return fmt.Sprintf(`floor((%s)/%v)*%v AS "time"`, col, interval.Seconds(), interval.Seconds())
}

// grafanaSchemaConstraint is buildSchemaConstraint() of postgresMetaQuery.ts:
// the schemas of the search path, "$user" replaced by the user.
const grafanaSchemaConstraint = `
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )`

// grafanaMetaQueries are the query builder's and variable editor's
// metadata queries (postgresMetaQuery.ts), plus the search-path idioms of
// Grafana's older editors and of dashboards' variable queries.
var grafanaMetaQueries = []string{
	// getVersion(), for the TimescaleDB auto-detection (>= 906).
	`SELECT current_setting('server_version_num')::int/100 as version`,
	// showSchemas()
	`SELECT schema_name AS "name"
    FROM information_schema.schemata
    WHERE schema_name NOT IN ('information_schema',
                              'pg_catalog',
                              'pg_toast',
                              '_timescaledb_cache',
                              '_timescaledb_catalog',
                              '_timescaledb_internal',
                              '_timescaledb_config',
                              'timescaledb_information',
                              'timescaledb_experimental')
    ORDER BY schema_name`,
	// showTables('public')
	`SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = 'public'
      ORDER BY 1`,
	// showTables()
	`SELECT
    CASE WHEN ` + grafanaSchemaConstraint + `
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental',
                             '_timescaledb_functions')
    ORDER BY CASE WHEN ` + grafanaSchemaConstraint + ` THEN 0 ELSE 1 END, 1`,
	// getSchema('metrics') and getSchema('public.metrics')
	grafanaGetSchema("metrics"),
	grafanaGetSchema("public.metrics"),
	// Older editors and variable queries: current_schemas and ANY(array).
	`SELECT table_name FROM information_schema.tables
    WHERE table_schema = ANY (current_schemas(false)) ORDER BY 1`,
	`SELECT quote_ident(column_name) AS column_name FROM information_schema.columns c
    WHERE c.table_schema = ANY (current_schemas(false)) AND c.table_name = 'metrics'
      AND udt_name IN ('timestamptz','timestamp')
    ORDER BY ordinal_position LIMIT 1`,
	`SELECT quote_ident(table_name) AS table_name,
       ( SELECT quote_ident(column_name) FROM information_schema.columns c
         WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
           AND udt_name IN ('timestamptz','timestamp')
         ORDER BY ordinal_position LIMIT 1 ) AS time_column,
       ( SELECT quote_ident(column_name) FROM information_schema.columns c
         WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
           AND udt_name = 'float8'
         ORDER BY ordinal_position LIMIT 1 ) AS value_column
    FROM information_schema.tables t
    WHERE ` + grafanaSchemaConstraint + `
      AND EXISTS ( SELECT 1 FROM information_schema.columns c
        WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
          AND udt_name IN ('timestamptz','timestamp') )
    ORDER BY 1`,
	`SELECT column_name, data_type FROM information_schema.columns
    WHERE table_schema = ANY (current_schemas(false)) AND table_name = 'metrics' ORDER BY ordinal_position`,
	`SELECT current_schemas(false), current_setting('search_path'), user`,
	// Variable editor queries: __text/__value pairs and a plain list.
	`SELECT DISTINCT device FROM metrics ORDER BY 1`,
	`SELECT name AS __text, region AS __value FROM hosts ORDER BY 1`,
}

// grafanaGetSchema is getSchema(table) of postgresMetaQuery.ts.
func grafanaGetSchema(table string) string {
	lit := "'" + strings.ReplaceAll(table, "'", "''") + "'"
	return `SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident(` + lit + `),1) = 2
        THEN quote_ident(table_schema) = (parse_ident(` + lit + `))[1]
          AND quote_ident(table_name) = (parse_ident(` + lit + `))[2]
        ELSE quote_ident(table_name) = ` + lit + `
          AND ` + grafanaSchemaConstraint + `
      END`
}

// grafanaPanelQueries are time series and table panel queries with the
// TimescaleDB toggle in mode m.
func grafanaPanelQueries(m grafanaMacros) []string {
	return []string{
		// Time series, one value column, $__timeGroupAlias and ORDER BY 1.
		`SELECT
  ` + m.timeGroupAlias("time", time.Minute) + `,
  avg(value) AS "value"
FROM metrics
WHERE
  ` + timeFilter("time") + `
GROUP BY 1
ORDER BY 1`,
		// A metric column: one series per device.
		`SELECT ` + m.timeGroupAlias("time", 2*time.Minute) + `, device AS metric, max(value) AS "value"
FROM metrics WHERE ` + timeFilter("time") + ` GROUP BY 1, 2 ORDER BY 1, 2`,
		// $__timeGroup in a CTE and a window over its buckets (a delta
		// per series, as dashboards compute counter increases).
		`WITH b AS (
  SELECT ` + m.timeGroup("time", 5*time.Minute) + ` AS "time", device, max(value) AS v
  FROM metrics WHERE ` + timeFilter("time") + ` AND device IN ('a','b') GROUP BY 1, 2)
SELECT "time", device AS metric, v - lag(v) OVER (PARTITION BY device ORDER BY "time") AS "delta"
FROM b ORDER BY 1, 2`,
	}
}

// grafanaCommonQueries do not depend on the TimescaleDB toggle.
var grafanaCommonQueries = []string{
	// $__time(time) and $__timeFilter: raw points, timestamptz time column.
	`SELECT time AS "time", value FROM metrics WHERE ` + timeFilter("time") + ` AND device = 'a' ORDER BY 1`,
	// $__timeEpoch(time): epoch seconds as the time column.
	`SELECT extract(epoch from time) as "time", value AS "a" FROM metrics WHERE ` + timeFilter("time") + ` AND device = 'a' ORDER BY 1`,
	// $__unixEpochFilter and $__unixEpochGroupAlias on an epoch column.
	`SELECT ` + unixEpochGroupAlias("ts_epoch", 5*time.Minute) + `, count(*) AS "n", min(value) AS "min"
FROM metrics WHERE ` + unixEpochFilter("ts_epoch") + ` GROUP BY 1 ORDER BY 1`,
	// $__timeFrom() / $__timeTo() and a table panel with a trailing comment.
	fmt.Sprintf(`SELECT device, count(*), sum(value) FROM metrics
WHERE time >= '%s' AND time < '%s' GROUP BY device ORDER BY 1 /* panel 2, refId A */`,
		grafanaFrom.Format(time.RFC3339Nano), grafanaTo.Format(time.RFC3339Nano)),
	// Two statements in one query string: Grafana shows the last result.
	`SET TIME ZONE 'UTC'; SELECT count(*) FROM metrics WHERE ` + timeFilter("time"),
}

// TestGrafanaQueries sends the SQL Grafana generates to tsgres and to
// PostgreSQL 15 holding the same data in a plain table and compares the
// answers; the TimescaleDB-mode queries (time_bucket) are compared with
// PostgreSQL's answers to the same query in floor(epoch) form converted to
// timestamps.
func TestGrafanaQueries(t *testing.T) {
	compat.Pending(t, "catalog")
	ctx := context.Background()
	target := compat.Start(t)
	ts := grafanaConn(t, target.DSN("postgres"))
	ref := grafanaConn(t, testserver.StartPostgres(t, testserver.PGOptions{}).DSN("postgres"))
	onTsgres := target.Kind() == "tsgres"
	for _, s := range grafanaSchema(onTsgres) {
		grafanaRun(t, ts, s)
	}
	for _, s := range grafanaSchema(false) {
		grafanaRun(t, ref, s)
	}

	// Grafana's health check: an empty query.
	for _, ping := range []string{";", "-- ping"} {
		res, err := ts.Exec(ctx, ping).ReadAll()
		if err != nil || len(res) != 1 || len(res[0].Rows) != 0 || len(res[0].FieldDescriptions) != 0 {
			t.Errorf("health check %q: %v, %d results", ping, err, len(res))
		}
	}

	compare := func(sql, refSQL string) {
		t.Helper()
		got, want := grafanaRun(t, ts, sql), grafanaRun(t, ref, refSQL)
		if got != want {
			t.Errorf("%s\n--- %s\n%s--- postgres\n%s", sql, target.Kind(), got, want)
		}
	}
	for _, q := range grafanaMetaQueries {
		got, want := grafanaRun(t, ts, q), grafanaRun(t, ref, q)
		// showSchemas() does not exclude _timescaledb_functions, a schema
		// of TimescaleDB 2.x: Grafana lists it against TimescaleDB too.
		if got = dropTimescaleSchemaRows(got); got != want {
			t.Errorf("%s\n--- %s\n%s--- postgres\n%s", q, target.Kind(), got, want)
		}
	}
	for _, q := range append(grafanaPanelQueries(grafanaMacros{timescale: false}), grafanaCommonQueries...) {
		compare(q, q)
	}

	// The toggle on: time_bucket must bucket as floor(epoch) does.
	if onTsgres {
		on, pg := grafanaPanelQueries(grafanaMacros{timescale: true}), grafanaPanelQueries(grafanaMacros{asTimestamp: true})
		for i := range on {
			compare(on[i], pg[i])
		}
	}
}

// TestGrafanaTimescaleDetection checks the two queries Grafana's data
// source settings run to turn its TimescaleDB mode on, and the exact
// answers of a time_bucket panel query.
func TestGrafanaTimescaleDetection(t *testing.T) {
	compat.Pending(t, "catalog")
	if compat.AgainstPostgres() {
		t.Skip("PostgreSQL has no TimescaleDB")
	}
	conn := grafanaConn(t, compat.Start(t).DSN("postgres"))
	for _, s := range grafanaSchema(true) {
		grafanaRun(t, conn, s)
	}
	if got := grafanaRun(t, conn, `SELECT current_setting('server_version_num')::int/100 as version`); got != "version\n1500\n" {
		t.Errorf("version: %q", got)
	}
	if got := grafanaRun(t, conn, `SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`); !strings.HasPrefix(got, "extversion\n2.") {
		t.Errorf("timescaledb version: %q", got)
	}
	m := grafanaMacros{timescale: true}
	got := grafanaRun(t, conn, `SELECT `+m.timeGroupAlias("time", 5*time.Minute)+`, count(*) AS "n"
FROM metrics WHERE `+timeFilter("time")+` GROUP BY 1 ORDER BY 1`)
	// 00:00:00 .. 00:10:00 inclusive: 10 points per device in each of
	// the two 5-minute buckets, and the one at 00:10:00.
	want := "time|n\n2024-01-01 00:00:00+00|20\n2024-01-01 00:05:00+00|20\n2024-01-01 00:10:00+00|2\n"
	if got != want {
		t.Errorf("time_bucket panel:\n%s\nwant:\n%s", got, want)
	}
}

// grafanaConn connects with pgx's low-level connection: Grafana's queries
// go through the simple Query protocol with text results.
func grafanaConn(t *testing.T, dsn string) *pgconn.PgConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, dsn+"&timezone=UTC")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// grafanaRun sends sql as one simple Query and renders the last result
// as "col|col\nval|val\n..." (NULL as empty), failing the test on error.
func grafanaRun(t *testing.T, conn *pgconn.PgConn, sql string) string {
	t.Helper()
	results, err := conn.Exec(context.Background(), sql).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if len(results) == 0 {
		return ""
	}
	r := results[len(results)-1]
	var b strings.Builder
	for i, f := range r.FieldDescriptions {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(f.Name)
	}
	b.WriteByte('\n')
	for _, row := range r.Rows {
		for i, v := range row {
			if i > 0 {
				b.WriteByte('|')
			}
			b.Write(v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// dropTimescaleSchemaRows removes result rows naming one of TimescaleDB's
// schemas alone.
func dropTimescaleSchemaRows(out string) string {
	var kept []string
	for _, l := range strings.SplitAfter(out, "\n") {
		if !strings.Contains(l, "|") && isTimescaleSchema(strings.TrimSuffix(l, "\n")) {
			continue
		}
		kept = append(kept, l)
	}
	return strings.Join(kept, "")
}
