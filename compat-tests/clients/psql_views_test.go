package clients

import (
	"strings"
	"testing"

	"github.com/tsgres/tsgres/compat-tests/internal/compat"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// psqlViewSchema is the schema TestPsqlViewsMatchPostgres describes on
// both servers.
var psqlViewSchema = []string{
	"CREATE TABLE readings (time timestamptz NOT NULL, device text NOT NULL, v double precision, n integer)",
	"CREATE VIEW hot AS SELECT time, device, v FROM readings WHERE v > 10",
	"CREATE VIEW per_device (dev, total) AS SELECT device, sum(v) FROM readings GROUP BY device",
	"CREATE MATERIALIZED VIEW snap AS SELECT device, count(*) AS n FROM readings GROUP BY device",
}

// TestPsqlViewsMatchPostgres compares what psql's describe commands print
// for views and materialized views on tsgres and PostgreSQL 15. The view
// definition \d+ prints is the stored query, which PostgreSQL re-prints
// in its own layout: it is compared by content, the rest line by line.
func TestPsqlViewsMatchPostgres(t *testing.T) {
	needPsql(t)
	target, ref := startPsqlPair(t)
	for _, s := range []testserver.Target{target, ref} {
		if out, stderr, err := psql(t, s.DSN("postgres"), true, psqlViewSchema...); err != nil {
			t.Fatalf("%s: schema: %v\n%s%s", s.Kind(), err, out, stderr)
		}
	}
	for _, cmd := range []string{`\d hot`, `\d per_device`, `\d+ hot`, `\d+ per_device`, `\dv`, `\dm`, `\d snap`} {
		var outs [2]string
		for i, s := range []testserver.Target{target, ref} {
			out, stderr, code := runPsql(t, s.DSN("postgres"), "", "-c", cmd)
			if code != 0 || stderr != "" {
				t.Errorf("%s on %s: exit %d\n%s%s", cmd, s.Kind(), code, out, stderr)
			}
			outs[i] = out
		}
		got, gotDef := splitViewDef(outs[0])
		want, wantDef := splitViewDef(outs[1])
		if got != want {
			t.Errorf("%s differs:\n--- %s\n%s--- postgres\n%s", cmd, target.Kind(), outs[0], outs[1])
		}
		if (gotDef == "") != (wantDef == "") || !sameWords(gotDef, wantDef, "readings", "where", "group") {
			t.Errorf("%s: view definition %q, postgres %q", cmd, gotDef, wantDef)
		}
	}
}

// splitViewDef splits \d+ output of a view at "View definition:" into
// the description and the definition (which ends at the first blank line).
func splitViewDef(out string) (desc, def string) {
	before, after, ok := strings.Cut(out, "View definition:\n")
	if !ok {
		return out, ""
	}
	def, rest, _ := strings.Cut(after, "\n\n")
	return before + rest, def
}

// sameWords reports whether a and b both contain or both lack each of
// words (case-insensitively).
func sameWords(a, b string, words ...string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	for _, w := range words {
		if strings.Contains(a, w) != strings.Contains(b, w) {
			return false
		}
	}
	return true
}

// TestPsqlDescribeCagg checks what psql shows of a continuous aggregate,
// which PostgreSQL cannot hold: \d lists it as a view with its columns
// and types, \d+ adds its query, \dv lists it.
func TestPsqlDescribeCagg(t *testing.T) {
	needPsql(t)
	if compat.AgainstPostgres() {
		t.Skip("PostgreSQL has no TimescaleDB")
	}
	dsn := compat.Start(t).DSN("postgres")
	out, stderr, err := psql(t, dsn, true,
		"CREATE TABLE cond (time timestamptz NOT NULL, device int, v double precision)",
		"SELECT create_hypertable('cond', 'time')",
		`CREATE MATERIALIZED VIEW m WITH (timescaledb.continuous) AS SELECT time_bucket('1 hour', time) AS bucket, device,
			avg(v) AS avg_v, count(*) AS n FROM cond GROUP BY 1, 2 WITH NO DATA`)
	if err != nil {
		t.Fatalf("psql: %v\n%s%s", err, out, stderr)
	}
	for _, c := range []struct {
		cmd  string
		want []string
	}{
		{`\d m`, []string{`View "public.m"`, "bucket | timestamp with time zone", "device | integer", "avg_v  | double precision", "n      | bigint"}},
		{`\d+ m`, []string{`View "public.m"`, "View definition:", "time_bucket('1 hour', \"time\") AS bucket", "FROM cond GROUP BY"}},
		{`\dv`, []string{"public | m    | view | postgres"}},
	} {
		out, stderr, code := runPsql(t, dsn, "", "-c", c.cmd)
		if code != 0 || stderr != "" {
			t.Fatalf("%s: exit %d\n%s%s", c.cmd, code, out, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s output lacks %q:\n%s", c.cmd, w, out)
			}
		}
	}
}
