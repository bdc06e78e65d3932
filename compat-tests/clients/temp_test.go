package clients

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// TestTempTablesPerSession: a temporary table is seen by its session
// only (another session may have its own of the same name) and is gone
// when its session ends.
func TestTempTablesPerSession(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	a := connect(t, srv.DSN("postgres"))
	b := connect(t, srv.DSN("postgres"))
	mustExec(t, a, "CREATE TEMP TABLE mine (v int)")
	mustExec(t, a, "INSERT INTO mine VALUES (1)")
	var pe *pgconn.PgError
	if _, err := b.Exec(ctx, "SELECT * FROM mine"); !errors.As(err, &pe) || pe.Code != "42P01" {
		t.Fatalf("another session reading a temporary table: %v, want 42P01", err)
	}
	mustExec(t, b, "CREATE TEMP TABLE mine (v int)")
	mustExec(t, b, "INSERT INTO mine VALUES (2), (3)")
	var n int
	if err := a.QueryRow(ctx, "SELECT sum(v) FROM mine").Scan(&n); err != nil || n != 1 {
		t.Errorf("session a's table: sum %d, %v; want 1", n, err)
	}
	if err := b.QueryRow(ctx, "SELECT sum(v) FROM mine").Scan(&n); err != nil || n != 5 {
		t.Errorf("session b's table: sum %d, %v; want 5", n, err)
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := pgx.Connect(ctx, srv.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "SELECT * FROM mine"); !errors.As(err, &pe) || pe.Code != "42P01" {
		t.Errorf("a new session reading the ended session's temporary table: %v, want 42P01", err)
	}
	// Ended sessions leave no temporary relations behind (b still has
	// its own); the server drops them as the session ends, which may
	// take a moment after the client hung up.
	for i := 0; ; i++ {
		if err := c.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname = 'mine' AND relpersistence = 't'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if i == 40 {
			t.Fatalf("temporary tables named mine: %d; want 1 (session b's)", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
