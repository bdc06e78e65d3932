package clients

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// TestLockWaitTimeouts: a writer waiting for a row another session holds
// gives up after lock_timeout (55P03) or statement_timeout (57014), with
// PostgreSQL's messages, keeps its session usable, and gets the row once
// the holder's connection is closed in the middle of its transaction.
func TestLockWaitTimeouts(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	holder := connect(t, srv.DSN("postgres"))
	waiter := connect(t, srv.DSN("postgres"))
	mustExec(t, holder, "DROP TABLE IF EXISTS lockwait")
	mustExec(t, holder, "CREATE TABLE lockwait (id int PRIMARY KEY, v int)")
	mustExec(t, holder, "INSERT INTO lockwait VALUES (1, 0)")
	mustExec(t, holder, "BEGIN")
	mustExec(t, holder, "UPDATE lockwait SET v = 1 WHERE id = 1")

	for _, tc := range []struct {
		set, code, msg string
	}{
		{"SET lock_timeout = '300ms'", "55P03", "canceling statement due to lock timeout"},
		{"SET statement_timeout = '300ms'", "57014", "canceling statement due to statement timeout"},
	} {
		mustExec(t, waiter, "RESET ALL")
		mustExec(t, waiter, tc.set)
		start := time.Now()
		_, err := waiter.Exec(ctx, "UPDATE lockwait SET v = 2 WHERE id = 1")
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != tc.code || pe.Message != tc.msg {
			t.Fatalf("%s: got %v, want %s %q", tc.set, err, tc.code, tc.msg)
		}
		if took := time.Since(start); took < 250*time.Millisecond || took > 3*time.Second {
			t.Errorf("%s: gave up after %v", tc.set, took)
		}
		var one int
		if err := waiter.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("%s: session not usable after the timeout: %v", tc.set, err)
		}
	}

	// The holder's client goes away mid-transaction: its lock goes with
	// it, and its uncommitted change is gone.
	mustExec(t, waiter, "RESET ALL")
	mustExec(t, waiter, "SET lock_timeout = '5s'")
	done := make(chan error, 1)
	go func() {
		_, err := waiter.Exec(ctx, "UPDATE lockwait SET v = v + 10 WHERE id = 1")
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	holder.PgConn().Conn().Close() // drop the TCP connection, no Terminate
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after the holder went away: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the lock outlived its session")
	}
	var v int
	if err := waiter.QueryRow(ctx, "SELECT v FROM lockwait WHERE id = 1").Scan(&v); err != nil || v != 10 {
		t.Fatalf("v = %d, %v; want 10 (the holder's update rolled back)", v, err)
	}
}

// TestIdleInTransactionTimeout: a session idle in an open transaction
// for idle_in_transaction_session_timeout loses its connection, and with
// it its transaction and locks; one idle outside a transaction does not.
func TestIdleInTransactionTimeout(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	a := connect(t, srv.DSN("postgres"))
	b := connect(t, srv.DSN("postgres"))
	mustExec(t, a, "DROP TABLE IF EXISTS idle_t")
	mustExec(t, a, "CREATE TABLE idle_t (id int PRIMARY KEY, v int)")
	mustExec(t, a, "INSERT INTO idle_t VALUES (1, 0)")
	mustExec(t, b, "SET idle_in_transaction_session_timeout = '300ms'")
	time.Sleep(600 * time.Millisecond) // idle, but not in a transaction
	mustExec(t, b, "BEGIN")
	mustExec(t, b, "UPDATE idle_t SET v = 5 WHERE id = 1")
	time.Sleep(900 * time.Millisecond)
	mustExec(t, a, "SET lock_timeout = '2s'")
	mustExec(t, a, "UPDATE idle_t SET v = v + 1 WHERE id = 1")
	var v int
	if err := a.QueryRow(ctx, "SELECT v FROM idle_t WHERE id = 1").Scan(&v); err != nil || v != 1 {
		t.Fatalf("v = %d, %v; want 1 (the idle transaction rolled back)", v, err)
	}
	if _, err := b.Exec(ctx, "SELECT 1"); err == nil {
		t.Error("the session idle in its transaction past the timeout still runs statements")
	}
}
