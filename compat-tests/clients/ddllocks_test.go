package clients

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// Relation locks of schema changes between pgx sessions over TCP (issue
// 12, item 5): DDL locks what it touches, not everything, so DDL in one
// database never waits for another database, and a transaction that
// altered one table does not hold up DDL on another; DROP waits for a
// reader of its table; a killed client's locks go with its connection;
// pg_locks and pg_blocking_pids show who waits for whom; a cycle of
// relation locks fails one side with 40P01.

// execAsync runs sql on conn in the background.
func execAsync(ctx context.Context, conn *pgx.Conn, sql string) <-chan queryResult {
	ch := make(chan queryResult, 1)
	go func() {
		_, err := conn.Exec(ctx, sql)
		ch <- queryResult{err: err}
	}()
	return ch
}

// execQuickly runs sql and fails unless it completes within 3 s.
func execQuickly(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v (it must not wait for the other transaction)", sql, err)
	}
}

func backendPID(t *testing.T, conn *pgx.Conn) int64 {
	t.Helper()
	return queryInt(t, conn, "SELECT pg_backend_pid()")
}

func TestDDLLocksOtherDatabase(t *testing.T) {
	srv := compat.Start(t)
	admin := connect(t, srv.DSN("postgres"))
	for _, db := range []string{"ddl_a", "ddl_b"} {
		mustExec(t, admin, "DROP DATABASE IF EXISTS "+db)
		mustExec(t, admin, "CREATE DATABASE "+db)
	}
	a := connect(t, srv.DSN("ddl_a"))
	b := connect(t, srv.DSN("ddl_b"))
	mustExec(t, a, "CREATE TABLE shared_name (id int)")
	mustExec(t, b, "CREATE TABLE shared_name (id int)")
	mustExec(t, a, "BEGIN")
	mustExec(t, a, "CREATE TABLE only_a (id int)")
	mustExec(t, a, "ALTER TABLE shared_name ADD COLUMN x int")
	// Database B's DDL, even on a table of the same name, goes on.
	execQuickly(t, b, "CREATE TABLE only_b (id int)")
	execQuickly(t, b, "ALTER TABLE shared_name ADD COLUMN y int")
	execQuickly(t, b, "DROP TABLE only_b")
	execQuickly(t, b, "CREATE SCHEMA s_b")
	mustExec(t, a, "COMMIT")
	if n := queryInt(t, a, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'shared_name'"); n != 2 {
		t.Fatalf("database A's shared_name has %d columns, want 2", n)
	}
}

func TestDDLLocksOtherTable(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	dsn := srv.DSN("postgres")
	s1, s2 := connect(t, dsn), connect(t, dsn)
	mustExec(t, s1, "CREATE TABLE dl_a (id int PRIMARY KEY, v int)")
	mustExec(t, s1, "CREATE TABLE dl_b (id int PRIMARY KEY, v int)")
	mustExec(t, s1, "INSERT INTO dl_a VALUES (1, 1)")
	mustExec(t, s1, "BEGIN")
	mustExec(t, s1, "ALTER TABLE dl_a ADD COLUMN x int")

	execQuickly(t, s2, "CREATE TABLE dl_c (id int)")
	execQuickly(t, s2, "ALTER TABLE dl_b ADD COLUMN y int")
	execQuickly(t, s2, "INSERT INTO dl_b VALUES (1, 1, 1)")
	execQuickly(t, s2, "DROP TABLE dl_c")
	execQuickly(t, s2, "DROP TABLE dl_b")

	// ALTER of dl_a waits for the open transaction: out of lock_timeout
	// it fails with 55P03 and the session goes on.
	mustExec(t, s2, "SET lock_timeout = '300ms'")
	start := time.Now()
	_, err := s2.Exec(ctx, "ALTER TABLE dl_a ADD COLUMN z int")
	wantCode(t, "ALTER of a table another transaction altered", err, "55P03", "canceling statement due to lock timeout")
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("lock_timeout ended the wait after %v", took)
	}
	_, err = s2.Exec(ctx, "SELECT * FROM dl_a")
	wantCode(t, "SELECT of a table another transaction altered", err, "55P03", "canceling statement due to lock timeout")
	mustExec(t, s2, "RESET lock_timeout")
	mustExec(t, s2, "SET statement_timeout = '300ms'")
	_, err = s2.Exec(ctx, "DROP TABLE dl_a")
	wantCode(t, "DROP of a table another transaction altered", err, "57014", "canceling statement due to statement timeout")
	mustExec(t, s2, "RESET statement_timeout")
	mustExec(t, s2, "BEGIN")
	_, err = s2.Exec(ctx, "LOCK TABLE dl_a IN ACCESS SHARE MODE NOWAIT")
	wantCode(t, "LOCK TABLE NOWAIT", err, "55P03", `could not obtain lock on relation "dl_a"`)
	mustExec(t, s2, "ROLLBACK")

	// Without a timeout it waits for the COMMIT, then sees the new column.
	alter := execAsync(ctx, s2, "ALTER TABLE dl_a ADD COLUMN z int")
	mustBlock(t, alter, "ALTER of a table another transaction altered")
	mustExec(t, s1, "COMMIT")
	if r := await(t, alter, "ALTER after the COMMIT"); r.err != nil {
		t.Fatalf("ALTER after the other transaction committed: %v", r.err)
	}
	var id, v int
	var x, z *int
	if err := s2.QueryRow(ctx, "SELECT id, v, x, z FROM dl_a").Scan(&id, &v, &x, &z); err != nil || id != 1 || x != nil || z != nil {
		t.Fatalf("dl_a after both ALTERs: %v %v %v %v %v", id, v, x, z, err)
	}
}

// TestDDLLocksOpenDDLTransaction: a transaction that ran DDL sees what
// others commit meanwhile, keeps its own changes across ROLLBACK TO
// SAVEPOINT, and publishes them beside the others' at COMMIT.
func TestDDLLocksOpenDDLTransaction(t *testing.T) {
	srv := compat.Start(t)
	dsn := srv.DSN("postgres")
	s1, s2 := connect(t, dsn), connect(t, dsn)
	mustExec(t, s1, "BEGIN")
	mustExec(t, s1, "CREATE TABLE dl_sp1 (id int)")
	mustExec(t, s1, "SAVEPOINT a")
	mustExec(t, s1, "CREATE TABLE dl_sp2 (id int)")
	execQuickly(t, s2, "CREATE TABLE dl_other (id int)")
	execQuickly(t, s2, "INSERT INTO dl_other VALUES (7)")
	wantIDs(t, "another session's committed table", queryIDs(t, s1, "SELECT id FROM dl_other"), 7)
	mustExec(t, s1, "ROLLBACK TO SAVEPOINT a")
	mustExec(t, s1, "INSERT INTO dl_sp1 VALUES (1)")
	mustExec(t, s1, "COMMIT")
	got := queryIDs(t, s2, "SELECT count(*) FROM pg_class WHERE relname IN ('dl_sp1', 'dl_sp2', 'dl_other')")
	wantIDs(t, "tables after COMMIT", got, 2)
	wantIDs(t, "dl_sp1", queryIDs(t, s2, "SELECT id FROM dl_sp1"), 1)
	// A failed DDL statement ends the transaction's hold on what it
	// locked: another session's DDL goes on.
	mustExec(t, s1, "BEGIN")
	if _, err := s1.Exec(context.Background(), "ALTER TABLE dl_sp1 ADD COLUMN id int"); err == nil {
		t.Fatal("adding a duplicate column succeeded")
	}
	execQuickly(t, s2, "ALTER TABLE dl_sp1 ADD COLUMN x int")
	mustExec(t, s1, "ROLLBACK")
}

func TestDDLLocksDropWaitsForReader(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	dsn := srv.DSN("postgres")
	reader, dropper := connect(t, dsn), connect(t, dsn)
	mustExec(t, reader, "CREATE TABLE dl_read (id int)")
	mustExec(t, reader, "INSERT INTO dl_read VALUES (1)")
	mustExec(t, reader, "BEGIN")
	wantIDs(t, "reader", queryIDs(t, reader, "SELECT id FROM dl_read"), 1)
	drop := execAsync(ctx, dropper, "DROP TABLE dl_read")
	mustBlock(t, drop, "DROP TABLE of a table an open transaction read")
	// The reader still reads its table.
	wantIDs(t, "reader again", queryIDs(t, reader, "SELECT id FROM dl_read"), 1)
	mustExec(t, reader, "COMMIT")
	if r := await(t, drop, "DROP after the reader committed"); r.err != nil {
		t.Fatal(r.err)
	}
	_, err := reader.Exec(ctx, "SELECT id FROM dl_read")
	wantCode(t, "SELECT of the dropped table", err, "42P01", "")

	// A reader that arrives while the DROP waits queues behind it and,
	// once the DROP commits, finds no table.
	mustExec(t, reader, "CREATE TABLE dl_read2 (id int)")
	mustExec(t, reader, "BEGIN")
	mustExec(t, reader, "SELECT * FROM dl_read2")
	late := connect(t, dsn)
	drop = execAsync(ctx, dropper, "DROP TABLE dl_read2")
	mustBlock(t, drop, "second DROP")
	read := execAsync(ctx, late, "SELECT * FROM dl_read2")
	mustBlock(t, read, "a reader behind the waiting DROP")
	mustExec(t, reader, "COMMIT")
	if r := await(t, drop, "second DROP"); r.err != nil {
		t.Fatal(r.err)
	}
	wantCode(t, "reader after the DROP", await(t, read, "reader after the DROP").err, "42P01", "")
}

func TestDDLLocksKilledClient(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	dsn := srv.DSN("postgres")
	victim, other := connect(t, dsn), connect(t, dsn)
	mustExec(t, victim, "CREATE TABLE dl_kill (id int)")
	mustExec(t, victim, "BEGIN")
	mustExec(t, victim, "ALTER TABLE dl_kill ADD COLUMN x int")
	mustExec(t, victim, "CREATE TABLE dl_kill_new (id int)")
	drop := execAsync(ctx, other, "DROP TABLE dl_kill")
	mustBlock(t, drop, "DROP of a table a live transaction altered")
	victim.PgConn().Conn().Close() // the client dies: TCP closed, no Terminate
	if r := await(t, drop, "DROP after the client died"); r.err != nil {
		t.Fatal(r.err)
	}
	// Its uncommitted table is gone, and its name free.
	execQuickly(t, other, "CREATE TABLE dl_kill_new (id int)")
	execQuickly(t, other, "ALTER TABLE dl_kill_new ADD COLUMN y int")
}

func TestDDLLocksConcurrentCreate(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	dsn := srv.DSN("postgres")
	s1, s2 := connect(t, dsn), connect(t, dsn)
	// The second CREATE of a name waits for the first and then fails.
	mustExec(t, s1, "BEGIN")
	mustExec(t, s1, "CREATE TABLE dl_dup (id int)")
	second := execAsync(ctx, s2, "CREATE TABLE dl_dup (id int)")
	mustBlock(t, second, "CREATE TABLE of a name another transaction is creating")
	mustExec(t, s1, "COMMIT")
	dupCode := "42P07"
	if compat.AgainstPostgres() {
		dupCode = "23505" // PostgreSQL trips over its pg_type unique index
	}
	wantCode(t, "second CREATE TABLE dl_dup", await(t, second, "second CREATE").err, dupCode, "")

	// A rolled-back CREATE frees the name for the waiter.
	mustExec(t, s1, "BEGIN")
	mustExec(t, s1, "CREATE TABLE dl_dup2 (id int)")
	second = execAsync(ctx, s2, "CREATE TABLE dl_dup2 (id int)")
	mustBlock(t, second, "CREATE TABLE dl_dup2")
	mustExec(t, s1, "ROLLBACK")
	if r := await(t, second, "CREATE after ROLLBACK"); r.err != nil {
		t.Fatal(r.err)
	}

	// Many sessions at once: one name gives one success; different
	// names all succeed and all are there afterwards.
	const n = 6
	conns := connectN(t, dsn, n)
	var wg sync.WaitGroup
	same := make([]error, n)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, same[i] = c.Exec(ctx, "CREATE TABLE dl_race (id int)")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range same {
		switch {
		case err == nil:
			ok++
		case !racingCreateError(sqlState(err), dupCode):
			t.Errorf("racing CREATE TABLE: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d racing CREATE TABLE dl_race succeeded, want 1", ok)
	}
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, same[i] = c.Exec(ctx, fmt.Sprintf("CREATE TABLE dl_many_%d (id int); INSERT INTO dl_many_%d VALUES (%d)", i, i, i))
		}()
	}
	wg.Wait()
	for i, err := range same {
		if err != nil {
			t.Fatalf("CREATE TABLE dl_many_%d: %v", i, err)
		}
	}
	fresh := connect(t, dsn)
	for i := 0; i < n; i++ {
		wantIDs(t, "table made concurrently", queryIDs(t, fresh, fmt.Sprintf("SELECT id FROM dl_many_%d", i)), int64(i))
	}
	if got := queryInt(t, fresh, "SELECT count(*) FROM pg_class WHERE relname LIKE 'dl_many_%' AND relkind = 'r'"); got != n {
		t.Errorf("pg_class lists %d of the %d tables", got, n)
	}
}

func TestDDLLocksPgLocks(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	dsn := srv.DSN("postgres")
	ddl, waiter, monitor := connect(t, dsn), connect(t, dsn), connect(t, dsn)
	mustExec(t, ddl, "CREATE TABLE dl_mon (id int)")
	ddlPID, waiterPID := backendPID(t, ddl), backendPID(t, waiter)
	mustExec(t, ddl, "BEGIN")
	mustExec(t, ddl, "ALTER TABLE dl_mon ADD COLUMN x int")
	read := execAsync(ctx, waiter, "SELECT * FROM dl_mon")
	mustBlock(t, read, "SELECT of an altered table")

	rows, err := monitor.Query(ctx, `SELECT l.pid, l.mode, l.granted, l.waitstart IS NOT NULL, l.database = d.oid
		FROM pg_locks l JOIN pg_database d ON d.datname = current_database()
		WHERE l.locktype = 'relation' AND l.relation = (SELECT oid FROM pg_class WHERE relname = 'dl_mon')
		ORDER BY l.granted DESC, l.pid`)
	if err != nil {
		t.Fatal(err)
	}
	type lockRow struct {
		pid         int64
		mode        string
		granted     bool
		waitStarted bool
		sameDB      bool
	}
	var got []lockRow
	for rows.Next() {
		var r lockRow
		if err := rows.Scan(&r.pid, &r.mode, &r.granted, &r.waitStarted, &r.sameDB); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	want := []lockRow{{ddlPID, "AccessExclusiveLock", true, false, true}, {waiterPID, "AccessShareLock", false, true, true}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pg_locks for dl_mon:\n got %v\nwant %v", got, want)
	}

	var blockers []int32
	if err := monitor.QueryRow(ctx, "SELECT pg_blocking_pids($1)", waiterPID).Scan(&blockers); err != nil {
		t.Fatal(err)
	}
	if len(blockers) != 1 || int64(blockers[0]) != ddlPID {
		t.Fatalf("pg_blocking_pids(waiter) = %v, want [%d]", blockers, ddlPID)
	}
	// The usual "who blocks whom" monitoring query.
	var blocked, blocking int64
	var event string
	err = monitor.QueryRow(ctx, `SELECT a.pid, a.wait_event_type || '/' || a.wait_event, b.pid
		FROM pg_stat_activity a
		JOIN pg_locks w ON w.pid = a.pid AND NOT w.granted
		JOIN pg_locks h ON h.locktype = w.locktype AND h.relation = w.relation AND h.granted AND h.pid <> w.pid
		JOIN pg_stat_activity b ON b.pid = h.pid`).Scan(&blocked, &event, &blocking)
	if err != nil || blocked != waiterPID || blocking != ddlPID || event != "Lock/relation" {
		t.Fatalf("blocking query: %d %q %d %v", blocked, event, blocking, err)
	}
	mustExec(t, ddl, "COMMIT")
	if r := await(t, read, "SELECT after COMMIT"); r.err != nil {
		t.Fatal(r.err)
	}
	if n := queryInt(t, monitor, "SELECT count(*) FROM pg_locks WHERE relation = (SELECT oid FROM pg_class WHERE relname = 'dl_mon')"); n != 0 {
		t.Errorf("%d locks left on dl_mon after both transactions ended", n)
	}
}

func TestDDLLocksDeadlock(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	dsn := srv.DSN("postgres")
	s1, s2 := connect(t, dsn), connect(t, dsn)
	mustExec(t, s1, "CREATE TABLE dl_x (id int)")
	mustExec(t, s1, "CREATE TABLE dl_y (id int)")
	mustExec(t, s1, "BEGIN")
	mustExec(t, s2, "BEGIN")
	mustExec(t, s1, "ALTER TABLE dl_x ADD COLUMN a int")
	mustExec(t, s2, "ALTER TABLE dl_y ADD COLUMN b int")
	first := execAsync(ctx, s1, "SELECT * FROM dl_y")
	mustBlock(t, first, "s1 reading dl_y")
	second := execAsync(ctx, s2, "SELECT * FROM dl_x")
	var r1, r2 queryResult
	select {
	case r2 = <-second:
		mustExec(t, s2, "ROLLBACK")
		r1 = await(t, first, "s1 after s2 gave up")
	case r1 = <-first:
		mustExec(t, s1, "ROLLBACK")
		r2 = await(t, second, "s2 after s1 gave up")
	case <-time.After(10 * time.Second):
		t.Fatal("a relation lock cycle was not broken")
	}
	failed := 0
	for _, r := range []queryResult{r1, r2} {
		if r.err != nil {
			wantCode(t, "relation lock cycle", r.err, "40P01", "deadlock detected")
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("%d of the two transactions failed, want 1 (%v, %v)", failed, r1.err, r2.err)
	}
	mustExec(t, s1, "ROLLBACK")
	mustExec(t, s2, "ROLLBACK")
}

// racingCreateError reports whether code is what a CREATE TABLE that
// lost a race for its name may fail with: tsgres gives 42P07; PostgreSQL
// gives 42P07 or, from its catalog indexes, 23505 (dupCode under -pg) or
// 42710 (type "x" already exists: the table's row type).
func racingCreateError(code, dupCode string) bool {
	return code == "42P07" || code == dupCode || compat.AgainstPostgres() && code == "42710"
}
