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

// The row locks of SELECT ... FOR UPDATE and its kin between two pgx
// sessions under READ COMMITTED: a second locker waits for the first and
// then sees the row's new version (or drops a row that was deleted or no
// longer matches), NOWAIT fails with 55P03, SKIP LOCKED skips held rows
// (the job-queue pattern), a lock cycle fails one side with 40P01, a
// canceled wait fails with 57014 and one out of lock_timeout with 55P03.
// The single-session forms are in testdata/forupdate.test.

// lockWaitMin is how long a query must stay blocked to count as waiting.
const lockWaitMin = 300 * time.Millisecond

// queryResult is the outcome of a query run in the background.
type queryResult struct {
	ids []int64
	err error
}

// startQuery runs sql (returning one int column) on conn in the
// background.
func startQuery(ctx context.Context, conn *pgx.Conn, sql string) <-chan queryResult {
	ch := make(chan queryResult, 1)
	go func() {
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			ch <- queryResult{err: err}
			return
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		ch <- queryResult{ids: ids, err: err}
	}()
	return ch
}

// mustBlock fails the test when the background query ends within
// lockWaitMin.
func mustBlock(t *testing.T, ch <-chan queryResult, what string) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("%s: returned %v, %v without waiting for the lock", what, r.ids, r.err)
	case <-time.After(lockWaitMin):
	}
}

// await returns the background query's result, failing after 10 s.
func await(t *testing.T, ch <-chan queryResult, what string) queryResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still waiting after 10 s", what)
	}
	return queryResult{}
}

// queryIDs runs sql (one int column) and returns its values.
func queryIDs(t *testing.T, conn *pgx.Conn, sql string) []int64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return ids
}

// wantIDs fails unless got equals want.
func wantIDs(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
	}
}

// wantCode fails unless err is a PostgreSQL error with SQLSTATE code
// (and, when msg is not empty, that message).
func wantCode(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code || (msg != "" && pgErr.Message != msg) {
		t.Fatalf("%s: got %v; want %s %q", what, err, code, msg)
	}
}

func TestSelectForUpdate(t *testing.T) {
	srv := compat.Start(t)
	dsn := srv.DSN("postgres")
	a := connect(t, dsn)
	b := connectCancelable(t, dsn)
	t.Cleanup(func() { b.Close(context.Background()) })
	ctx := context.Background()
	mustExec(t, a, "CREATE TABLE t (id int PRIMARY KEY, v int, state text)")
	reset := func() {
		mustExec(t, a, "DELETE FROM t")
		mustExec(t, a, "INSERT INTO t VALUES (1, 10, 'new'), (2, 20, 'new'), (3, 30, 'new'), (4, 40, 'new')")
	}

	t.Run("wait then new version", func(t *testing.T) {
		reset()
		mustExec(t, a, "BEGIN")
		wantIDs(t, "A locks", queryIDs(t, a, "SELECT id FROM t WHERE id = 1 FOR UPDATE"), 1)
		ch := startQuery(ctx, b, "SELECT v FROM t WHERE id = 1 FOR UPDATE")
		mustBlock(t, ch, "B on A's row")
		mustExec(t, a, "UPDATE t SET v = 11 WHERE id = 1")
		mustExec(t, a, "COMMIT")
		r := await(t, ch, "B")
		if r.err != nil {
			t.Fatal(r.err)
		}
		wantIDs(t, "B after A's commit", r.ids, 11)
	})

	t.Run("recheck drops rows no longer matching or deleted", func(t *testing.T) {
		reset()
		mustExec(t, a, "BEGIN")
		wantIDs(t, "A locks", queryIDs(t, a, "SELECT id FROM t WHERE id <= 2 ORDER BY id FOR UPDATE"), 1, 2)
		ch := startQuery(ctx, b, "SELECT id FROM t WHERE state = 'new' ORDER BY id FOR SHARE")
		mustBlock(t, ch, "B on A's rows")
		mustExec(t, a, "UPDATE t SET state = 'done' WHERE id = 1")
		mustExec(t, a, "DELETE FROM t WHERE id = 2")
		mustExec(t, a, "COMMIT")
		r := await(t, ch, "B")
		if r.err != nil {
			t.Fatal(r.err)
		}
		wantIDs(t, "B after A's commit", r.ids, 3, 4)
	})

	t.Run("writers and share locks", func(t *testing.T) {
		reset()
		mustExec(t, a, "BEGIN")
		wantIDs(t, "A key-shares", queryIDs(t, a, "SELECT id FROM t WHERE id = 1 FOR KEY SHARE"), 1)
		// An UPDATE leaving the key alone (FOR NO KEY UPDATE) passes
		// a FOR KEY SHARE lock.
		mustExec(t, b, "UPDATE t SET v = 12 WHERE id = 1")
		wantIDs(t, "A shares", queryIDs(t, a, "SELECT id FROM t WHERE id = 1 FOR SHARE"), 1)
		ch := startQuery(ctx, b, "UPDATE t SET v = 13 WHERE id = 1 RETURNING v")
		mustBlock(t, ch, "B's UPDATE on A's FOR SHARE")
		mustExec(t, a, "COMMIT")
		r := await(t, ch, "B")
		if r.err != nil {
			t.Fatal(r.err)
		}
		wantIDs(t, "B's UPDATE", r.ids, 13)
	})

	t.Run("nowait", func(t *testing.T) {
		reset()
		mustExec(t, a, "BEGIN")
		wantIDs(t, "A locks", queryIDs(t, a, "SELECT id FROM t WHERE id = 1 FOR SHARE"), 1)
		// FOR SHARE and FOR KEY SHARE do not conflict with FOR SHARE.
		wantIDs(t, "B shares", queryIDs(t, b, "SELECT id FROM t WHERE id = 1 FOR SHARE NOWAIT"), 1)
		wantIDs(t, "B key-shares", queryIDs(t, b, "SELECT id FROM t WHERE id = 1 FOR KEY SHARE NOWAIT"), 1)
		_, err := b.Exec(ctx, "SELECT id FROM t WHERE id = 1 FOR UPDATE NOWAIT")
		wantCode(t, "B FOR UPDATE NOWAIT", err, "55P03", `could not obtain lock on row in relation "t"`)
		_, err = b.Exec(ctx, "SELECT id FROM t WHERE id = 1 FOR NO KEY UPDATE NOWAIT")
		wantCode(t, "B FOR NO KEY UPDATE NOWAIT", err, "55P03", `could not obtain lock on row in relation "t"`)
		// Rows A does not hold are free.
		wantIDs(t, "B other row", queryIDs(t, b, "SELECT id FROM t WHERE id = 2 FOR UPDATE NOWAIT"), 2)
		mustExec(t, a, "ROLLBACK")
		wantIDs(t, "B after A ended", queryIDs(t, b, "SELECT id FROM t WHERE id = 1 FOR UPDATE NOWAIT"), 1)
	})

	t.Run("skip locked job queue", func(t *testing.T) {
		reset()
		const take = "SELECT id FROM t WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
		mustExec(t, a, "BEGIN")
		wantIDs(t, "A takes", queryIDs(t, a, take), 1)
		mustExec(t, b, "BEGIN")
		wantIDs(t, "B takes", queryIDs(t, b, take), 2)
		wantIDs(t, "B takes again (its own lock is no obstacle)", queryIDs(t, b, take), 2)
		wantIDs(t, "B sees the unlocked rows", queryIDs(t, b, "SELECT id FROM t ORDER BY id FOR SHARE SKIP LOCKED"), 2, 3, 4)
		mustExec(t, a, "UPDATE t SET state = 'done' WHERE id = 1")
		mustExec(t, b, "UPDATE t SET state = 'done' WHERE id = 2")
		mustExec(t, a, "COMMIT")
		mustExec(t, b, "COMMIT")
		wantIDs(t, "A takes next", queryIDs(t, a, take), 3)
	})

	t.Run("deadlock", func(t *testing.T) {
		reset()
		mustExec(t, a, "BEGIN")
		mustExec(t, b, "BEGIN")
		wantIDs(t, "A locks 1", queryIDs(t, a, "SELECT id FROM t WHERE id = 1 FOR UPDATE"), 1)
		wantIDs(t, "B locks 2", queryIDs(t, b, "SELECT id FROM t WHERE id = 2 FOR UPDATE"), 2)
		ch := startQuery(ctx, a, "SELECT id FROM t WHERE id = 2 FOR UPDATE")
		mustBlock(t, ch, "A on B's row")
		_, errB := b.Exec(ctx, "SELECT id FROM t WHERE id = 1 FOR UPDATE")
		var r queryResult
		if errB == nil {
			r = await(t, ch, "A")
		} else {
			mustExec(t, b, "ROLLBACK")
			r = await(t, ch, "A")
			errB, r.err = r.err, errB
		}
		// Exactly one side fails with 40P01; the other gets its row.
		wantCode(t, "the deadlock", r.err, "40P01", "deadlock detected")
		if errB != nil {
			t.Fatalf("the survivor failed too: %v", errB)
		}
		mustExec(t, a, "ROLLBACK")
		mustExec(t, b, "ROLLBACK")
	})

	t.Run("canceled wait", func(t *testing.T) {
		reset()
		mustExec(t, a, "BEGIN")
		wantIDs(t, "A locks", queryIDs(t, a, "SELECT id FROM t WHERE id = 1 FOR UPDATE"), 1)
		qctx, cancel := context.WithTimeout(ctx, lockWaitMin)
		_, err := b.Exec(qctx, "SELECT id FROM t WHERE id = 1 FOR UPDATE")
		cancel()
		wantCode(t, "B canceled", err, "57014", "")
		mustExec(t, b, "SET lock_timeout = '200ms'")
		_, err = b.Exec(ctx, "SELECT id FROM t WHERE id = 1 FOR SHARE")
		wantCode(t, "B out of lock_timeout", err, "55P03", "canceling statement due to lock timeout")
		mustExec(t, b, "RESET lock_timeout")
		mustExec(t, a, "COMMIT")
		wantIDs(t, "B usable", queryIDs(t, b, "SELECT id FROM t WHERE id = 1 FOR UPDATE"), 1)
	})

	t.Run("hypertable chunks", func(t *testing.T) {
		// tsgres locks a hypertable's rows by whole chunks (no
		// TimescaleDB on the PostgreSQL side).
		if compat.AgainstPostgres() {
			t.Skip("hypertables are tsgres's")
		}
		mustExec(t, a, "CREATE TABLE m (time timestamptz NOT NULL, v int)")
		mustExec(t, a, "SELECT create_hypertable('m', 'time')")
		mustExec(t, a, "INSERT INTO m VALUES ('2024-01-01', 1), ('2024-01-02', 2)")
		mustExec(t, a, "BEGIN")
		wantIDs(t, "A locks", queryIDs(t, a, "SELECT v FROM m WHERE v = 1 FOR UPDATE"), 1)
		_, err := b.Exec(ctx, "SELECT v FROM m WHERE v = 2 FOR UPDATE NOWAIT")
		wantCode(t, "B on A's chunk", err, "55P03", `could not obtain lock on row in relation "m"`)
		wantIDs(t, "B reads without locking", queryIDs(t, b, "SELECT v FROM m WHERE v = 2"), 2)
		mustExec(t, a, "COMMIT")
		wantIDs(t, "B after A ended", queryIDs(t, b, "SELECT v FROM m ORDER BY v FOR UPDATE NOWAIT"), 1, 2)
	})
}
