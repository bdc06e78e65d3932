package sql

import (
	"context"
	"slices"
	"testing"
)

// TestLastValueLookupSnapshots checks a LATERAL join's last-value
// lookups against snapshots across sessions: a REPEATABLE READ
// transaction sees the newest rows of its snapshot, not rows another
// session commits after it, also for series the commit adds; READ
// COMMITTED sees each statement's committed state; a transaction sees
// its own writes.
func TestLastValueLookupSnapshots(t *testing.T) {
	db, a := openBenchSession(t)
	b, err := db.NewSession(context.Background(), StartupParams{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	ctx := context.Background()
	exec := func(s Session, q string) []string {
		t.Helper()
		w := &rowsWriter{}
		if err := s.Query(ctx, q, w); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return w.rows
	}
	for _, q := range []string{
		"CREATE TABLE hosts (id int PRIMARY KEY)",
		"INSERT INTO hosts SELECT generate_series(1, 30)",
		"CREATE TABLE m (time timestamptz NOT NULL, host int, v int)",
		"CREATE INDEX ON m (host, time DESC)",
		"SELECT create_hypertable('m', 'time')",
		"INSERT INTO m SELECT timestamptz '2024-01-01' + g * interval '1 minute', g % 20, g FROM generate_series(1, 400) g",
	} {
		exec(a, q)
	}
	const lateral = "SELECT h.id, b.v FROM hosts h, LATERAL (SELECT v FROM m WHERE m.host = h.id ORDER BY time DESC LIMIT 1) b WHERE h.id IN (3, 4, 25) ORDER BY h.id"
	before := []string{"3|383|", "4|384|"}
	after := []string{"3|383|", "4|-4|", "25|-25|"}

	exec(a, "BEGIN ISOLATION LEVEL REPEATABLE READ")
	if got := exec(a, lateral); !slices.Equal(got, before) {
		t.Fatalf("snapshot: got %v, want %v", got, before)
	}
	exec(b, "INSERT INTO m VALUES ('2025-01-01', 4, -4), ('2025-01-01', 25, -25)")
	if got := exec(b, lateral); !slices.Equal(got, after) {
		t.Fatalf("committer: got %v, want %v", got, after)
	}
	if got := exec(a, lateral); !slices.Equal(got, before) {
		t.Fatalf("repeatable read after another commit: got %v, want %v", got, before)
	}
	exec(a, "INSERT INTO m VALUES ('2026-01-01', 3, -3)")
	if got, want := exec(a, lateral), []string{"3|-3|", "4|384|"}; !slices.Equal(got, want) {
		t.Fatalf("own write: got %v, want %v", got, want)
	}
	exec(a, "ROLLBACK")
	if got := exec(a, lateral); !slices.Equal(got, after) {
		t.Fatalf("after the snapshot: got %v, want %v", got, after)
	}

	exec(a, "BEGIN")
	exec(a, lateral)
	exec(b, "DELETE FROM m WHERE host = 25")
	if got, want := exec(a, lateral), after[:2]; !slices.Equal(got, want) {
		t.Fatalf("read committed: got %v, want %v", got, want)
	}
	exec(a, "COMMIT")
}
