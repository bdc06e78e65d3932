package clients

// Row lock acceptance tests of issue 12 item 3: SELECT ... FOR UPDATE /
// FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE, NOWAIT, SKIP LOCKED,
// deadlock detection, and locks held by a transaction whose statement
// failed.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

const (
	// stillBlocked is how long a statement must stay blocked to count as
	// waiting for a lock.
	stillBlocked = 300 * time.Millisecond
	// unblocked bounds how long a waiter may take to finish once the lock
	// it waits for is released.
	unblocked = 5 * time.Second
)

// pending is a statement running in the background on its own connection.
type pending struct {
	done chan struct{}
	val  int64 // the first column of the first row, for queries
	err  error
}

// background runs sql (with args) on conn in a goroutine; a query's
// first column (an integer) is kept in val.
func background(conn *pgx.Conn, sql string, args ...any) *pending {
	p := &pending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		ctx, cancel := context.WithTimeout(context.Background(), concurrencyWait)
		defer cancel()
		rows, err := conn.Query(ctx, sql, args...)
		if err != nil {
			p.err = err
			return
		}
		for rows.Next() {
			if err := rows.Scan(&p.val); err != nil {
				p.err = err
			}
		}
		rows.Close()
		if p.err == nil {
			p.err = rows.Err()
		}
	}()
	return p
}

// blocked fails the test unless p is still running after stillBlocked.
func (p *pending) blocked(t *testing.T, what string) {
	t.Helper()
	select {
	case <-p.done:
		t.Fatalf("%s did not wait for the lock (err %v)", what, p.err)
	case <-time.After(stillBlocked):
	}
}

// finished waits for p (at most unblocked) and fails the test when it
// is still running or failed.
func (p *pending) finished(t *testing.T, what string) int64 {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(unblocked):
		t.Fatalf("%s still blocked %v after the lock was released", what, unblocked)
	}
	if p.err != nil {
		t.Fatalf("%s: %v", what, p.err)
	}
	return p.val
}

// startLockTable starts the server and creates r (id int PRIMARY KEY, v
// int) holding (1, 0) and (2, 0); it returns n connections.
func startLockTable(t *testing.T, n int) []*pgx.Conn {
	t.Helper()
	srv := compat.Start(t)
	conns := connectN(t, srv.DSN("postgres"), n)
	mustExec(t, conns[0], "CREATE TABLE r (id int PRIMARY KEY, v int)")
	mustExec(t, conns[0], "INSERT INTO r VALUES (1, 0), (2, 0)")
	return conns
}

// TestRowLockForUpdate: FOR UPDATE blocks a second FOR UPDATE and an
// UPDATE of the same row (not of another row) until the first
// transaction commits; each waiter then sees the committed value.
func TestRowLockForUpdate(t *testing.T) {
	compat.Pending(t, "row-locks")
	c := startLockTable(t, 3)
	a, b, other := c[0], c[1], c[2]

	mustExec(t, a, "BEGIN")
	if v := queryInt(t, a, "SELECT v FROM r WHERE id = 1 FOR UPDATE"); v != 0 {
		t.Fatalf("FOR UPDATE read %d, want 0", v)
	}
	mustExec(t, b, "BEGIN")
	wait := background(b, "SELECT v FROM r WHERE id = 1 FOR UPDATE")
	wait.blocked(t, "a second SELECT ... FOR UPDATE")
	// Another row is not locked.
	if v := queryInt(t, other, "UPDATE r SET v = v + 100 WHERE id = 2 RETURNING v"); v != 100 {
		t.Fatalf("UPDATE of an unlocked row returned %d, want 100", v)
	}
	mustExec(t, a, "UPDATE r SET v = 10 WHERE id = 1")
	wait.blocked(t, "a second SELECT ... FOR UPDATE (after the first one's UPDATE)")
	mustExec(t, a, "COMMIT")
	if v := wait.finished(t, "the second SELECT ... FOR UPDATE"); v != 10 {
		t.Fatalf("the second FOR UPDATE read %d after the first committed 10", v)
	}

	// b holds the lock now: an UPDATE waits, then applies its change to
	// b's committed value.
	upd := background(other, "UPDATE r SET v = v + 1 WHERE id = 1 RETURNING v")
	upd.blocked(t, "UPDATE of a row locked FOR UPDATE")
	mustExec(t, b, "UPDATE r SET v = v * 2 WHERE id = 1")
	mustExec(t, b, "COMMIT")
	if v := upd.finished(t, "UPDATE of a row locked FOR UPDATE"); v != 21 {
		t.Fatalf("the waiting UPDATE returned %d, want 21 (10 * 2 + 1)", v)
	}
	if v := queryInt(t, a, "SELECT v FROM r WHERE id = 1"); v != 21 {
		t.Fatalf("final value %d, want 21", v)
	}
}

// TestRowLockForShare: FOR SHARE does not block FOR SHARE or FOR KEY
// SHARE but blocks UPDATE until every sharer has ended; FOR NO KEY
// UPDATE does not block FOR KEY SHARE but blocks FOR SHARE.
func TestRowLockForShare(t *testing.T) {
	compat.Pending(t, "row-locks")
	c := startLockTable(t, 4)
	a, b, w, k := c[0], c[1], c[2], c[3]

	mustExec(t, a, "BEGIN")
	queryInt(t, a, "SELECT v FROM r WHERE id = 1 FOR SHARE")
	mustExec(t, b, "BEGIN")
	background(b, "SELECT v FROM r WHERE id = 1 FOR SHARE").finished(t, "FOR SHARE of a row held FOR SHARE")
	background(k, "SELECT v FROM r WHERE id = 1 FOR KEY SHARE").finished(t, "FOR KEY SHARE of a row held FOR SHARE")
	upd := background(w, "UPDATE r SET v = v + 1 WHERE id = 1 RETURNING v")
	upd.blocked(t, "UPDATE of a row held FOR SHARE by two transactions")
	mustExec(t, a, "COMMIT")
	upd.blocked(t, "UPDATE of a row still held FOR SHARE by one transaction")
	mustExec(t, b, "COMMIT")
	if v := upd.finished(t, "UPDATE of a row held FOR SHARE"); v != 1 {
		t.Fatalf("UPDATE returned %d, want 1", v)
	}

	mustExec(t, a, "BEGIN")
	queryInt(t, a, "SELECT v FROM r WHERE id = 1 FOR NO KEY UPDATE")
	background(k, "SELECT v FROM r WHERE id = 1 FOR KEY SHARE").finished(t, "FOR KEY SHARE of a row held FOR NO KEY UPDATE")
	share := background(b, "SELECT v FROM r WHERE id = 1 FOR SHARE")
	share.blocked(t, "FOR SHARE of a row held FOR NO KEY UPDATE")
	mustExec(t, a, "UPDATE r SET v = 5 WHERE id = 1")
	mustExec(t, a, "COMMIT")
	if v := share.finished(t, "FOR SHARE of a row held FOR NO KEY UPDATE"); v != 5 {
		t.Fatalf("FOR SHARE read %d after the holder committed 5", v)
	}
}

// TestRowLockNowait: FOR UPDATE NOWAIT (and FOR SHARE NOWAIT) on a row
// locked FOR UPDATE fails at once with 55P03 and PostgreSQL's message;
// the session works again after ROLLBACK.
func TestRowLockNowait(t *testing.T) {
	compat.Pending(t, "row-locks")
	c := startLockTable(t, 2)
	a, b := c[0], c[1]
	ctx := context.Background()

	mustExec(t, a, "BEGIN")
	queryInt(t, a, "SELECT v FROM r WHERE id = 1 FOR UPDATE")
	for _, q := range []string{
		"SELECT v FROM r WHERE id = 1 FOR UPDATE NOWAIT",
		"SELECT v FROM r WHERE id = 1 FOR SHARE NOWAIT",
	} {
		mustExec(t, b, "BEGIN")
		start := time.Now()
		_, err := b.Exec(ctx, q)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "55P03" || pgErr.Message != `could not obtain lock on row in relation "r"` {
			t.Fatalf("%s on a locked row: %v, want 55P03 could not obtain lock on row in relation \"r\"", q, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%s took %v to fail", q, d)
		}
		mustExec(t, b, "ROLLBACK")
	}
	// Another row is free; the session works.
	if v := queryInt(t, b, "SELECT v FROM r WHERE id = 2 FOR UPDATE NOWAIT"); v != 0 {
		t.Fatalf("FOR UPDATE NOWAIT of a free row read %d", v)
	}
	mustExec(t, a, "COMMIT")
	if v := queryInt(t, b, "SELECT v FROM r WHERE id = 1 FOR UPDATE NOWAIT"); v != 0 {
		t.Fatalf("FOR UPDATE NOWAIT after the holder committed read %d", v)
	}
}

// TestRowLockSkipLockedQueue: 4 workers take jobs from a queue with FOR
// UPDATE SKIP LOCKED; every one of 200 jobs is taken exactly once.
func TestRowLockSkipLockedQueue(t *testing.T) {
	compat.Pending(t, "row-locks")
	const jobs, workers = 200, 4
	srv := compat.Start(t)
	admin := connect(t, srv.DSN("postgres"))
	mustExec(t, admin, "CREATE TABLE jobs (id int PRIMARY KEY, done boolean NOT NULL DEFAULT false, worker int)")
	mustExec(t, admin, "CREATE TABLE taken (job int, worker int)")
	mustExec(t, admin, fmt.Sprintf("INSERT INTO jobs (id) SELECT g FROM generate_series(1, %d) g", jobs))
	conns := connectN(t, srv.DSN("postgres"), workers)

	ctx, cancel := context.WithTimeout(context.Background(), concurrencyWait)
	defer cancel()
	took := make([]int, workers)
	var wg sync.WaitGroup
	for w, conn := range conns {
		wg.Add(1)
		go func(w int, conn *pgx.Conn) {
			defer wg.Done()
			for {
				got, err := takeJob(ctx, conn, w)
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				if !got {
					return
				}
				took[w]++
			}
		}(w, conn)
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("jobs per worker: %v", took)
	total := 0
	for _, n := range took {
		total += n
	}
	if total != jobs {
		t.Errorf("workers took %d jobs, want %d", total, jobs)
	}
	if n := queryInt(t, admin, "SELECT count(*) FROM jobs WHERE NOT done OR worker IS NULL"); n != 0 {
		t.Errorf("%d jobs left undone", n)
	}
	if n := queryInt(t, admin, "SELECT count(*) FROM (SELECT job FROM taken GROUP BY job HAVING count(*) <> 1) d"); n != 0 {
		t.Errorf("%d jobs taken more than once", n)
	}
	if n := queryInt(t, admin, "SELECT count(DISTINCT job) FROM taken"); n != jobs {
		t.Errorf("%d distinct jobs taken, want %d", n, jobs)
	}
	if n := queryInt(t, admin, "SELECT count(*) FROM jobs j JOIN taken k ON k.job = j.id AND k.worker = j.worker"); n != jobs {
		t.Errorf("%d jobs record the worker that took them, want %d", n, jobs)
	}
}

// takeJob takes the first free job for worker w in one transaction and
// reports whether there was one.
func takeJob(ctx context.Context, conn *pgx.Conn, w int) (bool, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx)
	var id int
	err = tx.QueryRow(ctx, "SELECT id FROM jobs WHERE done = false ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED").Scan(&id)
	if err == pgx.ErrNoRows {
		return false, tx.Commit(ctx)
	}
	if err != nil {
		return false, err
	}
	tag, err := tx.Exec(ctx, "UPDATE jobs SET done = true, worker = $2 WHERE id = $1", id, w)
	if err != nil {
		return false, err
	}
	if tag.RowsAffected() != 1 {
		return false, fmt.Errorf("UPDATE of job %d updated %d rows", id, tag.RowsAffected())
	}
	if _, err := tx.Exec(ctx, "INSERT INTO taken VALUES ($1, $2)", id, w); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

// TestDeadlockDetected: two transactions lock rows 1 and 2 in opposite
// order; exactly one fails with 40P01 within 2 seconds, the other
// commits once the failed one has rolled back, and the failed session
// works after ROLLBACK. (When exactly the failed transaction's locks go,
// at the error as in PostgreSQL, is TestFailedStatementLocks' subject.)
func TestDeadlockDetected(t *testing.T) {
	compat.Pending(t, "deadlock-detection")
	c := startLockTable(t, 2)
	a, b := c[0], c[1]

	mustExec(t, a, "BEGIN")
	mustExec(t, a, "UPDATE r SET v = v + 1 WHERE id = 1")
	mustExec(t, b, "BEGIN")
	mustExec(t, b, "UPDATE r SET v = v + 10 WHERE id = 2")
	pa := background(a, "UPDATE r SET v = v + 1 WHERE id = 2")
	pb := background(b, "UPDATE r SET v = v + 10 WHERE id = 1")
	first, second := pa, pb
	select {
	case <-pa.done:
	case <-pb.done:
		first, second = pb, pa
	case <-time.After(2 * time.Second):
		t.Fatal("a lock cycle was not broken within 2s")
	}
	// The victim's error normally ends first; PostgreSQL may deliver the
	// survivor's reply first (it releases the victim's locks before
	// flushing the error), and then the victim's error follows at once.
	victim, survivor := first, second
	if first.err == nil {
		victim, survivor = second, first
		select {
		case <-victim.done:
		case <-time.After(unblocked):
			t.Fatal("one UPDATE of a lock cycle succeeded while the other still waits")
		}
	}
	if sqlState(victim.err) != "40P01" {
		t.Fatalf("lock cycle: %v, want 40P01", victim.err)
	}
	if !strings.Contains(victim.err.Error(), "deadlock detected") {
		t.Errorf("40P01 message %q, want \"deadlock detected\"", victim.err)
	}
	failed, won, wonAdd := a, b, int64(10)
	if victim == pb {
		failed, won, wonAdd = b, a, 1
	}
	mustExec(t, failed, "ROLLBACK")
	survivor.finished(t, "the surviving UPDATE of a lock cycle")
	mustExec(t, won, "COMMIT")
	if n := queryInt(t, failed, "SELECT count(*) FROM r WHERE v = $1", wonAdd); n != 2 {
		t.Fatalf("%d rows hold the winner's increment %d, want 2", n, wonAdd)
	}
	mustExec(t, failed, "UPDATE r SET v = 0")
	if n := queryInt(t, won, "SELECT sum(v) FROM r"); n != 0 {
		t.Fatalf("sum %d after the failed session's UPDATE, want 0", n)
	}
}

// TestFailedStatementLocks: a statement that fails leaves none of its
// rows behind. Inside a transaction block the error aborts the whole
// transaction at once, as in PostgreSQL: its row locks are released at
// the error (another session's UPDATE does not wait for the ROLLBACK)
// and none of its writes show. Under a savepoint, ROLLBACK TO releases
// only the locks taken after the savepoint; those taken before it stay
// until the transaction ends.
func TestFailedStatementLocks(t *testing.T) {
	compat.Pending(t, "row-locks")
	c := startLockTable(t, 3)
	a, b, other := c[0], c[1], c[2]

	// A multi-row INSERT whose last row is a duplicate inserts nothing.
	execFails(t, a, "INSERT INTO r VALUES (5, 0), (1, 0)", "23505")
	if n := queryInt(t, a, "SELECT count(*) FROM r"); n != 2 {
		t.Fatalf("%d rows after a failed autocommit INSERT, want 2", n)
	}

	mustExec(t, a, "BEGIN")
	queryInt(t, a, "SELECT v FROM r WHERE id = 1 FOR UPDATE")
	mustExec(t, a, "UPDATE r SET v = 7 WHERE id = 2")
	mustExec(t, a, "INSERT INTO r VALUES (3, 0)")
	execFails(t, a, "INSERT INTO r VALUES (4, 0), (2, 0)", "23505")
	execFails(t, a, "SELECT 1", "25P02")
	if v := background(b, "UPDATE r SET v = v + 1 WHERE id = 1 RETURNING v").finished(t, "UPDATE of a row locked FOR UPDATE by an aborted transaction"); v != 1 {
		t.Fatalf("UPDATE of row 1 returned %d, want 1", v)
	}
	if v := background(b, "UPDATE r SET v = v + 1 WHERE id = 2 RETURNING v").finished(t, "UPDATE of a row updated by an aborted transaction"); v != 1 {
		t.Fatalf("UPDATE of row 2 returned %d, want 1 (the aborted 7 must not show)", v)
	}
	if n := queryInt(t, b, "SELECT count(*) FROM r"); n != 2 {
		t.Fatalf("another session sees %d rows while the aborted transaction is open, want 2", n)
	}
	mustExec(t, a, "ROLLBACK")
	if n := queryInt(t, a, "SELECT count(*) FROM r"); n != 2 {
		t.Fatalf("%d rows after the failed transaction rolled back, want 2", n)
	}

	// Locks taken before a savepoint survive a failed statement and
	// ROLLBACK TO SAVEPOINT; those taken after it do not.
	mustExec(t, a, "BEGIN")
	queryInt(t, a, "SELECT v FROM r WHERE id = 1 FOR UPDATE")
	mustExec(t, a, "SAVEPOINT s")
	mustExec(t, a, "UPDATE r SET v = 50 WHERE id = 2")
	execFails(t, a, "INSERT INTO r VALUES (1, 0)", "23505")
	lock1 := background(b, "UPDATE r SET v = v + 1 WHERE id = 1 RETURNING v")
	lock1.blocked(t, "UPDATE of a row locked before the savepoint of a failed statement")
	mustExec(t, a, "ROLLBACK TO SAVEPOINT s")
	lock1.blocked(t, "UPDATE of a row locked before ROLLBACK TO SAVEPOINT")
	if v := queryInt(t, a, "SELECT v FROM r WHERE id = 2"); v != 1 {
		t.Fatalf("row 2 holds %d after ROLLBACK TO SAVEPOINT, want 1", v)
	}
	if v := background(other, "UPDATE r SET v = v + 1 WHERE id = 2 RETURNING v").finished(t, "UPDATE of a row updated after a savepoint rolled back to"); v != 2 {
		t.Fatalf("UPDATE of row 2 returned %d, want 2 (the rolled-back 50 must not show)", v)
	}
	mustExec(t, a, "UPDATE r SET v = v + 100 WHERE id = 1")
	mustExec(t, a, "COMMIT")
	if v := lock1.finished(t, "UPDATE of a row locked by a committed transaction"); v != 102 {
		t.Fatalf("UPDATE of row 1 returned %d, want 102", v)
	}
}

// execFails runs sql on conn and fails the test unless it fails with
// SQLSTATE state.
func execFails(t *testing.T, conn *pgx.Conn, sql, state string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); sqlState(err) != state {
		t.Fatalf("%s: %v, want SQLSTATE %s", sql, err, state)
	}
}
