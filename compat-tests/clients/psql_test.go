package clients

import (
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/compat-tests/internal/compat"
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
