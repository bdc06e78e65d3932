package clients

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// TestBackendActivity: pg_stat_activity shows every session with its pid
// (the one in BackendKeyData), state and query; pg_cancel_backend ends
// another session's statement with 57014; pg_terminate_backend ends its
// connection and so its transaction and locks.
func TestBackendActivity(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	a := connect(t, srv.DSN("postgres"))
	b := connect(t, srv.DSN("postgres"))
	mustExec(t, a, "DROP TABLE IF EXISTS activity_t")
	mustExec(t, a, "CREATE TABLE activity_t (id int PRIMARY KEY, v int)")
	mustExec(t, a, "INSERT INTO activity_t VALUES (1, 0)")

	var bpid uint32
	if err := b.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&bpid); err != nil {
		t.Fatal(err)
	}
	if got := b.PgConn().PID(); got != bpid {
		t.Fatalf("pg_backend_pid() = %d, BackendKeyData pid = %d", bpid, got)
	}
	state := func() (string, string) {
		t.Helper()
		var st, q string
		if err := a.QueryRow(ctx, "SELECT state, query FROM pg_stat_activity WHERE pid = $1", bpid).Scan(&st, &q); err != nil {
			t.Fatalf("pg_stat_activity row of %d: %v", bpid, err)
		}
		return st, q
	}
	if st, q := state(); st != "idle" || q != "SELECT pg_backend_pid()" {
		t.Errorf("idle session: state %q query %q", st, q)
	}
	var wt, we string
	if err := a.QueryRow(ctx, "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = $1", bpid).Scan(&wt, &we); err != nil || wt != "Client" || we != "ClientRead" {
		t.Errorf("idle session: wait event %q %q, %v; want Client ClientRead", wt, we, err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, "SELECT pg_sleep(10)")
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	if st, q := state(); st != "active" || q != "SELECT pg_sleep(10)" {
		t.Errorf("running session: state %q query %q", st, q)
	}
	var ok bool
	if err := a.QueryRow(ctx, "SELECT pg_cancel_backend($1)", int32(bpid)).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_cancel_backend: %v %v", ok, err)
	}
	select {
	case err := <-done:
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "57014" {
			t.Fatalf("canceled statement: %v, want 57014", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("pg_cancel_backend did not end the statement")
	}
	if err := a.QueryRow(ctx, "SELECT pg_cancel_backend(2147483000)").Scan(&ok); err != nil || ok {
		t.Errorf("pg_cancel_backend of no backend: %v %v, want false", ok, err)
	}

	mustExec(t, b, "BEGIN")
	mustExec(t, b, "UPDATE activity_t SET v = 5 WHERE id = 1")
	if st, _ := state(); st != "idle in transaction" {
		t.Errorf("session in a transaction: state %q", st)
	}
	if err := a.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int32(bpid)).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend: %v %v", ok, err)
	}
	mustExec(t, a, "SET lock_timeout = '3s'")
	mustExec(t, a, "UPDATE activity_t SET v = v + 1 WHERE id = 1")
	var v int
	if err := a.QueryRow(ctx, "SELECT v FROM activity_t WHERE id = 1").Scan(&v); err != nil || v != 1 {
		t.Errorf("v = %d, %v; want 1 (the terminated session's update rolled back)", v, err)
	}
	if _, err := b.Exec(ctx, "SELECT 1"); err == nil {
		t.Error("the terminated session still runs statements")
	}
}

// TestActivityLockWait: a session waiting for a row another session
// holds shows wait_event_type Lock in pg_stat_activity until it gets it.
func TestActivityLockWait(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	a := connect(t, srv.DSN("postgres"))
	holder := connect(t, srv.DSN("postgres"))
	waiter := connect(t, srv.DSN("postgres"))
	mustExec(t, a, "DROP TABLE IF EXISTS activity_w")
	mustExec(t, a, "CREATE TABLE activity_w (id int PRIMARY KEY, v int)")
	mustExec(t, a, "INSERT INTO activity_w VALUES (1, 0)")
	mustExec(t, holder, "BEGIN")
	mustExec(t, holder, "UPDATE activity_w SET v = 1 WHERE id = 1")
	var wpid uint32
	if err := waiter.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&wpid); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := waiter.Exec(ctx, "UPDATE activity_w SET v = v + 10 WHERE id = 1")
		done <- err
	}()
	var typ *string
	for i := 0; i < 40; i++ {
		if err := a.QueryRow(ctx, "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", wpid).Scan(&typ); err != nil {
			t.Fatal(err)
		}
		if typ != nil && *typ == "Lock" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if typ == nil || *typ != "Lock" {
		t.Errorf("waiting session: wait_event_type %v, want Lock", typ)
	}
	mustExec(t, holder, "COMMIT")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := a.QueryRow(ctx, "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", wpid).Scan(&typ); err != nil {
		t.Fatal(err)
	}
	if typ != nil && *typ == "Lock" {
		t.Errorf("session still shows a lock wait after getting the row")
	}
}
