package clients

import (
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/compat-tests/internal/compat"
	"github.com/tsgres/tsgres/compat-tests/testserver"
	"github.com/tsgres/tsgres/sql/pgcatalog"
)

// psqlBin is Debian's psql (postgresql-client-15).
const psqlBin = "/usr/bin/psql"

// psql runs psql -X -A -t against dsn with the given -c commands and
// returns its stdout and stderr.
func psql(t *testing.T, dsn string, stopOnError bool, cmds ...string) (string, string, error) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-X", "-A", "-t", "-h", u.Hostname(), "-p", u.Port(), "-U", u.User.Username(), "-d", strings.TrimPrefix(u.Path, "/")}
	if stopOnError {
		args = append(args, "-v", "ON_ERROR_STOP=1")
	}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	cmd := exec.Command(psqlBin, args...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PGSSLMODE=prefer", "PGTZ=UTC")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err
}

func needPsql(t *testing.T) {
	if _, err := os.Stat(psqlBin); err != nil {
		t.Skip("psql not installed (run compat-tests/install-deps.sh)")
	}
}

func TestPsqlBasics(t *testing.T) {
	needPsql(t)
	compat.Pending(t, "engine")
	dsn := compat.Start(t).DSN("postgres")
	out, stderr, err := psql(t, dsn, true,
		"CREATE TABLE readings (time timestamptz NOT NULL, device text, v double precision DEFAULT 0)",
		"INSERT INTO readings VALUES ('2024-01-01 00:00:00+00', 'a', 1.5), ('2024-01-01 00:01:00+00', 'b', NULL)",
		"INSERT INTO readings (time, device) VALUES ('2024-01-01 00:02:00+00', 'c')",
		"SELECT device, v FROM readings ORDER BY time",
		"SELECT count(*), max(time) FROM readings",
	)
	if err != nil {
		t.Fatalf("psql: %v\n%s%s", err, out, stderr)
	}
	want := strings.Join([]string{
		"CREATE TABLE",
		"INSERT 0 2",
		"INSERT 0 1",
		"a|1.5",
		"b|",
		"c|0",
		"3|2024-01-01 00:02:00+00",
	}, "\n") + "\n"
	if out != want {
		t.Fatalf("psql output:\n%s\nwant:\n%s\nstderr: %s", out, want, stderr)
	}

	// An error is reported with psql's ERROR prefix and the session goes on.
	out, stderr, err = psql(t, dsn, false, "SELECT 1/0", "SELECT 'still alive'")
	if err != nil {
		t.Fatalf("psql: %v\n%s%s", err, out, stderr)
	}
	if out != "still alive\n" || !strings.Contains(stderr, "ERROR:  division by zero") {
		t.Fatalf("after error: stdout %q stderr %q", out, stderr)
	}
}

func TestPsqlDescribe(t *testing.T) {
	needPsql(t)
	compat.Pending(t, "catalog")
	dsn := compat.Start(t).DSN("postgres")
	out, stderr, err := psql(t, dsn, true,
		"CREATE TABLE readings (time timestamptz NOT NULL, device text, v double precision DEFAULT 0)",
		`\dt`,
		`\d readings`,
	)
	if err != nil {
		t.Fatalf("psql: %v\n%s%s", err, out, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{
		"CREATE TABLE",
		"public|readings|table|", // owner follows
		"time|timestamp with time zone||not null|",
		"device|text|||",
		"v|double precision|||0",
	}
	if len(lines) != len(want) {
		t.Fatalf("psql output:\n%s\nwant %d lines like:\n%s", out, len(want), strings.Join(want, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) || (i != 1 && lines[i] != w) {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], w)
		}
	}
	// \d of a missing table.
	_, stderr, err = psql(t, dsn, true, `\d nosuch`)
	if err == nil || !strings.Contains(stderr, `Did not find any relation named "nosuch".`) {
		t.Errorf(`\d nosuch: err %v, stderr %q`, err, stderr)
	}
}

// psqlCompareSchema is the schema TestPsqlMatchesPostgres describes on
// both servers: plain tables only, so PostgreSQL can hold it too.
var psqlCompareSchema = []string{
	"CREATE TABLE readings (time timestamptz NOT NULL, device text NOT NULL, v double precision DEFAULT 0, n integer, note varchar(20))",
	"CREATE INDEX readings_dev_idx ON readings (device, time)",
	"CREATE INDEX readings_latest_idx ON readings (device, time DESC, n NULLS FIRST)",
	"CREATE TABLE devices (id serial PRIMARY KEY, name text UNIQUE, created date DEFAULT now())",
	// Defaults as PostgreSQL prints them ('sensor'::text, '-1'::integer) and
	// a unique index that, unlike UNIQUE, backs no constraint.
	`CREATE TABLE sensors (id int, kind text DEFAULT 'sensor', label varchar(10) DEFAULT 'x', fixed char(2) DEFAULT 'ab',
		n bigint DEFAULT -1, big bigint DEFAULT 5000000000, f double precision DEFAULT 1.5, neg numeric DEFAULT -2.50,
		q numeric(6,2) DEFAULT '3.5', flag boolean DEFAULT true, iv interval DEFAULT '1 day', seen timestamptz DEFAULT now())`,
	"CREATE UNIQUE INDEX sensors_id_u ON sensors (id)",
	"ALTER TABLE sensors ADD CONSTRAINT sensors_kind_label UNIQUE (kind, label)",
}

// psqlStep is one psql run whose output must be the same on tsgres and
// PostgreSQL 15 after norm (nil: compared as is).
type psqlStep struct {
	flags []string // psql flags before the -c commands, e.g. -A
	cmds  []string
	norm  func(kind, out string) string
}

// startPsqlPair starts the server under test and a reference PostgreSQL
// 15 for comparing psql output. tsgres reports the C.UTF-8 locale (\l
// shows it), so the reference cluster uses it too (with -pg, so does the
// server under test).
func startPsqlPair(t *testing.T) (target, ref testserver.Target) {
	t.Helper()
	refOpts := testserver.PGOptions{Locale: "C.UTF-8"}
	if compat.AgainstPostgres() {
		target = testserver.StartPostgres(t, refOpts)
	} else {
		target = compat.Start(t)
	}
	return target, testserver.StartPostgres(t, refOpts)
}

// TestPsqlMatchesPostgres runs psql's describe commands against tsgres
// and against a scratch PostgreSQL 15 holding the same schema and
// compares what psql prints. Each normalization says why the output
// must differ.
func TestPsqlMatchesPostgres(t *testing.T) {
	needPsql(t)
	compat.Pending(t, "catalog")
	target, ref := startPsqlPair(t)
	for _, s := range []testserver.Target{target, ref} {
		cmds := psqlCompareSchema
		if s.Kind() == "tsgres" {
			cmds = append([]string{"CREATE EXTENSION IF NOT EXISTS timescaledb"}, cmds...)
		}
		if out, stderr, err := psql(t, s.DSN("postgres"), true, cmds...); err != nil {
			t.Fatalf("%s: schema: %v\n%s%s", s.Kind(), err, out, stderr)
		}
	}
	unaligned := []string{"-A"}
	steps := []psqlStep{
		// tsgres has no template databases (CREATE DATABASE copies nothing).
		{flags: unaligned, cmds: []string{`\l`}, norm: dropRows(func(kind, row string) bool {
			return kind == "postgres" && strings.HasPrefix(row, "template")
		})},
		// TimescaleDB's schemas exist only where it is installed.
		{flags: unaligned, cmds: []string{`\dn`}, norm: dropRows(func(kind, row string) bool {
			return kind == "tsgres" && isTimescaleSchema(row)
		})},
		{cmds: []string{`\dt`}},
		{cmds: []string{`\dt readings`}},
		{cmds: []string{`\d readings`}},
		{cmds: []string{`\d+ readings`}},
		{cmds: []string{`\d devices`}},
		{cmds: []string{`\d+ devices`}},
		{cmds: []string{`\d sensors`}},
		{cmds: []string{`\d sensors_id_u`}},
		{flags: unaligned, cmds: []string{"SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'sensors'::regclass ORDER BY 1"}},
		{flags: unaligned, cmds: []string{"SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'sensors' ORDER BY ordinal_position"}},
		{cmds: []string{`\d readings_dev_idx`}},
		{cmds: []string{`\d readings_latest_idx`}},
		{flags: unaligned, cmds: []string{"SELECT 'readings'::regclass::text, 'readings_latest_idx'::regclass::text, 'int4'::regtype::text"}},
		{cmds: []string{`\d devices_id_seq`}},
		{cmds: []string{`\di`}},
		{cmds: []string{`\ds`}},
		{cmds: []string{`\du`}},
		{cmds: []string{`\df date_trunc`}},
		{cmds: []string{`\x`, `SELECT * FROM devices`}},
		// timescaledb is an extension PostgreSQL does not have.
		{flags: unaligned, cmds: []string{`\dx`}, norm: dropRows(func(kind, row string) bool {
			return kind == "tsgres" && strings.HasPrefix(row, "timescaledb|")
		})},
	}
	for _, st := range steps {
		name := strings.Join(st.cmds, " ")
		var outs [2]string
		for i, s := range []testserver.Target{target, ref} {
			out, stderr, code := runPsql(t, s.DSN("postgres"), "", append(append([]string(nil), st.flags...), cmdArgs(st.cmds)...)...)
			if code != 0 || stderr != "" {
				t.Errorf("%s on %s: exit %d\n%s%s", name, s.Kind(), code, out, stderr)
			}
			if st.norm != nil {
				out = st.norm(s.Kind(), out)
			}
			outs[i] = out
		}
		if outs[0] != outs[1] {
			t.Errorf("%s differs:\n--- %s\n%s--- postgres\n%s", name, target.Kind(), outs[0], outs[1])
		}
	}
}

// TestPsqlTimescaleMeta checks what psql shows of TimescaleDB itself,
// which PostgreSQL cannot show: \dx lists timescaledb, \df lists its
// functions.
func TestPsqlTimescaleMeta(t *testing.T) {
	needPsql(t)
	compat.Pending(t, "catalog")
	if compat.AgainstPostgres() {
		t.Skip("PostgreSQL has no TimescaleDB")
	}
	dsn := compat.Start(t).DSN("postgres")
	out, stderr, err := psql(t, dsn, true, "CREATE EXTENSION IF NOT EXISTS timescaledb",
		`\dx`, `\df create_hypertable`, `\df time_bucket`, `\df refresh_continuous_aggregate`, `\df first`)
	if err != nil {
		t.Fatalf("psql: %v\n%s%s", err, out, stderr)
	}
	for _, want := range []string{
		"timescaledb|" + pgcatalog.TimescaleVersion + "|public|Enables scalable inserts and complex queries for time-series data (Community Edition)",
		// TimescaleDB's API lives in its extension schema, public, with
		// argument names and defaults.
		"public|create_hypertable|record|relation ",
		"public|time_bucket|timestamp with time zone|bucket_width interval, ts timestamp with time zone|func",
		"public|time_bucket|timestamp with time zone|bucket_width interval, ts timestamp with time zone, timezone text, " +
			`origin timestamp with time zone DEFAULT NULL::timestamp with time zone, "offset" interval DEFAULT NULL::interval|func`,
		`public|time_bucket|bigint|bucket_width bigint, ts bigint, "offset" bigint|func`,
		"public|refresh_continuous_aggregate||continuous_aggregate ",
		"public|first|anyelement|anyelement, \"any\"|agg",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("psql output lacks %q:\n%s", want, out)
		}
	}
}

// TestPsqlScript runs a script with \copy in both directions, \x, \timing
// and an error under ON_ERROR_STOP on tsgres and PostgreSQL 15: psql
// must stop at the error with exit code 3 and print the same.
func TestPsqlScript(t *testing.T) {
	needPsql(t)
	compat.Pending(t, "copy")
	const script = `CREATE TABLE readings (time timestamptz NOT NULL, device text, v double precision, note text);
\copy readings from 'in.csv' with (format csv)
\copy (SELECT device, v, note FROM readings ORDER BY time) to 'out.csv' with (format csv, header)
\x
SELECT * FROM readings ORDER BY time;
\x
\timing on
SELECT count(*), sum(v) FROM readings;
\timing off
SELECT 1/0;
SELECT 'not reached';
`
	const in = "2024-01-01 00:00:00+00,a,1.5,x\n2024-01-01 00:01:00+00,b,,\"q,r\"\n2024-01-01 00:02:00+00,c,-2,\n"
	const wantCSV = "device,v,note\na,1.5,x\nb,,\"q,r\"\nc,-2,\n"
	timing := regexp.MustCompile(`(?m)^Time: [0-9.]+ ms$`)
	type result struct{ out, stderr, csv string }
	var results []result
	targets := []testserver.Target{compat.Start(t)}
	if !compat.AgainstPostgres() {
		targets = append(targets, testserver.StartPostgres(t, testserver.PGOptions{}))
	}
	for _, s := range targets {
		dir := t.TempDir()
		for name, body := range map[string]string{"script.sql": script, "in.csv": in} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out, stderr, code := runPsql(t, s.DSN("postgres"), dir, "-v", "ON_ERROR_STOP=1", "-f", "script.sql")
		if code != 3 {
			t.Errorf("%s: exit code %d, want 3 (stopped by ON_ERROR_STOP)\n%s%s", s.Kind(), code, out, stderr)
		}
		csv, err := os.ReadFile(filepath.Join(dir, "out.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if string(csv) != wantCSV {
			t.Errorf("%s: \\copy to wrote %q, want %q", s.Kind(), csv, wantCSV)
		}
		// Only the elapsed time differs between runs.
		out = timing.ReplaceAllString(out, "Time: N ms")
		if !strings.Contains(out, "Time: N ms") || strings.Contains(out, "not reached") {
			t.Errorf("%s: output:\n%s", s.Kind(), out)
		}
		if want := "psql:script.sql:10: ERROR:  division by zero\n"; stderr != want {
			t.Errorf("%s: stderr %q, want %q", s.Kind(), stderr, want)
		}
		results = append(results, result{out, stderr, string(csv)})
	}
	if len(results) == 2 && results[0] != results[1] {
		t.Errorf("script output differs:\n--- tsgres\n%s--- postgres\n%s", results[0].out, results[1].out)
	}
}

// runPsql runs psql -X (no ~/.psqlrc) with args against dsn in dir and
// returns its stdout, stderr and exit code.
func runPsql(t *testing.T, dsn, dir string, args ...string) (string, string, int) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	args = append([]string{"-X", "-P", "pager=off", "-h", u.Hostname(), "-p", u.Port(), "-U", u.User.Username(),
		"-d", strings.TrimPrefix(u.Path, "/")}, args...)
	cmd := exec.Command(psqlBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PGSSLMODE=prefer", "PGTZ=UTC", "PGCLIENTENCODING=UTF8")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run psql: %v", err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// cmdArgs turns psql commands into -c arguments.
func cmdArgs(cmds []string) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, "-c", c)
	}
	return out
}

// dropRows returns a normalization for unaligned (-A) output that removes
// the data rows drop selects and recounts the "(N rows)" footer.
func dropRows(drop func(kind, row string) bool) func(kind, out string) string {
	footer := regexp.MustCompile(`^\((\d+) rows?\)$`)
	return func(kind, out string) string {
		lines := strings.Split(out, "\n")
		var kept []string
		dropped, inDropped := 0, false
		for i, l := range lines {
			m := footer.FindStringSubmatch(l)
			switch {
			case m != nil:
				n, _ := strconv.Atoi(m[1])
				l, inDropped = rowsFooter(n-dropped), false
			case i > 1 && strings.Contains(l, "|"): // lines 0 and 1 are title and header
				inDropped = drop(kind, l)
			}
			// A line without "|" continues a multi-line value of the row.
			if inDropped {
				if strings.Contains(l, "|") {
					dropped++
				}
				continue
			}
			kept = append(kept, l)
		}
		return strings.Join(kept, "\n")
	}
}

// rowsFooter is psql's row count footer.
func rowsFooter(n int) string {
	if n == 1 {
		return "(1 row)"
	}
	return "(" + strconv.Itoa(n) + " rows)"
}

// isTimescaleSchema reports whether an unaligned \dn row is one of
// TimescaleDB's schemas.
func isTimescaleSchema(row string) bool {
	name, _, _ := strings.Cut(row, "|")
	return strings.HasPrefix(name, "_timescaledb_") || strings.HasPrefix(name, "timescaledb_")
}
