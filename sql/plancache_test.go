package sql

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// TestPlanCacheAnswers runs query shapes many times with different
// literals in one session, which reuses generic plans, and checks every
// answer (or error) against a session that has never seen the shape
// (a custom plan). It also checks which shapes got a generic plan.
func TestPlanCacheAnswers(t *testing.T) {
	db, s := benchSession(t, "m")
	ctx := context.Background()
	run := func(s Session, q string) string {
		w := &textWriter{}
		if err := s.Query(ctx, q, w); err != nil {
			return "ERROR " + string(pgerr.CodeOf(err))
		}
		return strings.Join(w.rows, "|")
	}
	for _, q := range []string{
		"CREATE TABLE acc (id int PRIMARY KEY, big bigint, name text, v varchar(10), ts timestamptz, amt numeric, ok bool)",
		"CREATE INDEX acc_big ON acc (big)",
		"CREATE UNIQUE INDEX acc_name ON acc (name)",
		"INSERT INTO acc SELECT g, g * 10000000000, 'n' || g, 'v' || (g % 7), '2024-01-01 00:00+00'::timestamptz + g * interval '1 hour', g * 1.25, g % 2 = 0 FROM generate_series(1, 200) g",
	} {
		if out := run(s, q); strings.HasPrefix(out, "ERROR") {
			t.Fatalf("%s: %s", q, out)
		}
	}
	type shape struct {
		format  string
		args    func(i int) []any
		generic bool // expect a generic plan to be kept
	}
	shapes := []shape{
		{"SELECT name FROM acc WHERE id = %d", func(i int) []any { return []any{i * 7 % 230} }, true},
		{"SELECT id, amt FROM acc WHERE name = '%s'", func(i int) []any { return []any{fmt.Sprintf("n%d", i*3)} }, true},
		{"SELECT id FROM acc WHERE id IN (%d, %d, %d) ORDER BY id LIMIT %d", func(i int) []any { return []any{i, i + 50, 3, i % 3} }, true},
		{"SELECT count(*) FROM acc WHERE ts >= '%s' AND ts < '%s'", func(i int) []any {
			return []any{fmt.Sprintf("2024-01-0%d", i%5+1), fmt.Sprintf("2024-01-0%d 12:00", i%5+2)}
		}, true},
		{"SELECT id FROM acc WHERE big = %d", func(i int) []any { return []any{int64(i) * 10000000000} }, true},
		{"SELECT v, count(*), sum(amt) FROM acc WHERE amt > %d.5 GROUP BY v ORDER BY v", func(i int) []any { return []any{i * 9} }, true},
		{"SELECT id + %d, name || '%s' FROM acc WHERE ok = %s AND id < %d ORDER BY id", func(i int) []any {
			return []any{i, "x", []string{"true", "false"}[i%2], i}
		}, true},
		{"SELECT id FROM acc WHERE id = '%s'", func(i int) []any { return []any{[]string{"12", "x", " 13 ", "99999999999"}[i%4]} }, true},
		{"SELECT '%s', %d", func(i int) []any { return []any{fmt.Sprint("lit", i), i} }, true},
	}
	for _, sh := range shapes {
		for i := 1; i <= 12; i++ {
			q := fmt.Sprintf(sh.format, sh.args(i)...)
			fresh, err := db.NewSession(ctx, StartupParams{User: "postgres", Database: "postgres"})
			if err != nil {
				t.Fatal(err)
			}
			want := run(fresh, q)
			fresh.Close()
			if got := run(s, q); got != want {
				t.Fatalf("%s (run %d):\n got %q\nwant %q", q, i, got, want)
			}
		}
		p, err := parseOne(fmt.Sprintf(sh.format, sh.args(1)...))
		if err != nil {
			t.Fatal(err)
		}
		e := s.(*session).plans[p.Tree()]
		if got := e != nil && e.node != nil; got != sh.generic {
			t.Errorf("%s: generic plan kept = %v, want %v", sh.format, got, sh.generic)
		}
	}
	// A prepared statement runs its generic plan from its second
	// execution on, with each execution's values.
	if _, err := s.Prepare(ctx, "byid", "SELECT name FROM acc WHERE id = $1", nil); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if err := s.Bind(ctx, "", "byid", nil, [][]byte{[]byte(fmt.Sprint(i * 11))}); err != nil {
			t.Fatal(err)
		}
		w := &textWriter{}
		if _, err := s.Execute(ctx, "", 0, w); err != nil || strings.Join(w.rows, "|") != fmt.Sprintf("n%d", i*11) {
			t.Fatalf("execution %d of byid: %v %v", i, w.rows, err)
		}
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := run(s, "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'byid'"); got != "4 1" {
		t.Fatalf("byid plans (generic, custom): %q, want \"4 1\"", got)
	}
	// DDL moves the catalog: the next run binds anew and sees the change.
	q := "SELECT * FROM acc WHERE id = 4"
	for range 3 {
		run(s, q)
	}
	run(s, "ALTER TABLE acc ADD COLUMN extra int DEFAULT 7")
	if got := run(s, "SELECT * FROM acc WHERE id = 5"); !strings.HasSuffix(got, " 7") {
		t.Fatalf("after ADD COLUMN: %q", got)
	}
}

func parseOne(q string) (*parse.Statement, error) {
	stmts, err := parse.Parse(q)
	if err != nil {
		return nil, err
	}
	return stmts[0], nil
}
