package clients

// Isolation level acceptance tests of issue 12 item 2: REPEATABLE READ
// and SERIALIZABLE read one snapshot for the whole transaction and fail
// a write-write conflict with 40001 (first updater wins); READ COMMITTED
// sees each commit. Each scenario runs on a regular table and on a
// hypertable (a plain table on PostgreSQL without TimescaleDB).

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

var (
	isoKinds     = []string{"table", "hypertable"}
	snapshotIsos = []string{"repeatable read", "serializable"}
)

// createIsoTable creates table (kind "table": regular; "hypertable"; or
// "compressed": a hypertable whose chunk is compressed, skipped on
// PostgreSQL) with rows id 1..3, v = 10*id, all in one chunk.
func createIsoTable(t *testing.T, conn *pgx.Conn, table, kind string) {
	t.Helper()
	if kind == "compressed" && compat.AgainstPostgres() {
		t.Skip("compressed chunks need TimescaleDB")
	}
	if kind == "table" {
		mustExec(t, conn, "CREATE TABLE "+table+" (id int PRIMARY KEY, v int)")
		mustExec(t, conn, "INSERT INTO "+table+" VALUES (1, 10), (2, 20), (3, 30)")
		return
	}
	mustExec(t, conn, "CREATE TABLE "+table+" (time timestamptz NOT NULL, id int, v int)")
	if !compat.AgainstPostgres() {
		mustExec(t, conn, "SELECT create_hypertable('"+table+"', 'time')")
	}
	mustExec(t, conn, "INSERT INTO "+table+" VALUES ('2024-01-01 00:00', 1, 10), ('2024-01-01 01:00', 2, 20), ('2024-01-01 02:00', 3, 30)")
	if kind == "compressed" {
		mustExec(t, conn, "ALTER TABLE "+table+" SET (timescaledb.compress)")
		mustExec(t, conn, "SELECT compress_chunk(c) FROM show_chunks('"+table+"') c")
	}
}

// insertIsoRow inserts (id, v) into a table made by createIsoTable.
func insertIsoRow(kind, table string, id, v int) string {
	if kind == "table" {
		return fmt.Sprintf("INSERT INTO %s VALUES (%d, %d)", table, id, v)
	}
	return fmt.Sprintf("INSERT INTO %s VALUES ('2024-01-01 03:00', %d, %d)", table, id, v)
}

// isoState is what a transaction sees of a table made by createIsoTable.
func isoState(t *testing.T, conn *pgx.Conn, table string) string {
	t.Helper()
	var n, sum, v1, n2 int64
	q := fmt.Sprintf("SELECT count(*), sum(v), (SELECT v FROM %[1]s WHERE id = 1), (SELECT count(*) FROM %[1]s WHERE id = 2) FROM %[1]s", table)
	if err := conn.QueryRow(context.Background(), q).Scan(&n, &sum, &v1, &n2); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return fmt.Sprintf("count %d sum %d v1 %d id2 %d", n, sum, v1, n2)
}

// TestIsolationSnapshot: a REPEATABLE READ or SERIALIZABLE transaction
// sees the same count, sum and row values after another session commits
// an insert, an update and a delete; READ COMMITTED sees the new ones.
func TestIsolationSnapshot(t *testing.T) {
	srv := compat.Start(t)
	conns := connectN(t, srv.DSN("postgres"), 2)
	a, b := conns[0], conns[1]
	const before = "count 3 sum 60 v1 10 id2 1"
	const after = "count 3 sum 81 v1 11 id2 0"
	for _, kind := range isoKinds {
		for _, iso := range append([]string{"read committed"}, snapshotIsos...) {
			t.Run(kind+"/"+iso, func(t *testing.T) {
				table := "snap_" + kind + "_" + strings.ReplaceAll(iso, " ", "_")
				createIsoTable(t, a, table, kind)
				mustExec(t, a, "BEGIN ISOLATION LEVEL "+iso)
				defer a.Exec(context.Background(), "ROLLBACK")
				if got := isoState(t, a, table); got != before {
					t.Fatalf("first read: %s, want %s", got, before)
				}
				mustExec(t, b, insertIsoRow(kind, table, 4, 40))
				mustExec(t, b, "UPDATE "+table+" SET v = 11 WHERE id = 1")
				mustExec(t, b, "DELETE FROM "+table+" WHERE id = 2")
				want := before
				if iso == "read committed" {
					want = after
				}
				if got := isoState(t, a, table); got != want {
					t.Fatalf("after the other session's commits: %s, want %s", got, want)
				}
				// The snapshot's rows stay readable by key too.
				if v := queryInt(t, a, "SELECT count(*) FROM "+table+" WHERE id = 4"); (v == 0) != (want == before) {
					t.Fatalf("row 4 count %d in %s", v, iso)
				}
				mustExec(t, a, "COMMIT")
				if got := isoState(t, a, table); got != after {
					t.Fatalf("after COMMIT: %s, want %s", got, after)
				}
			})
		}
	}
}

// TestIsolationUpdateConflict: two REPEATABLE READ (or SERIALIZABLE)
// transactions update the same row. The second waits for the first; if
// the first commits, the second fails with 40001 and the session goes on
// after ROLLBACK; if the first rolls back, the second's update applies to
// the value it saw and it commits.
func TestIsolationUpdateConflict(t *testing.T) {
	srv := compat.Start(t)
	conns := connectN(t, srv.DSN("postgres"), 2)
	a, b := conns[0], conns[1]
	for _, kind := range append(isoKinds, "compressed") {
		for _, iso := range snapshotIsos {
			for _, end := range []string{"COMMIT", "ROLLBACK"} {
				t.Run(kind+"/"+iso+"/"+end, func(t *testing.T) {
					table := fmt.Sprintf("upd_%s_%s_%s", kind, strings.ReplaceAll(iso, " ", "_"), strings.ToLower(end))
					createIsoTable(t, a, table, kind)
					mustExec(t, a, "BEGIN ISOLATION LEVEL "+iso)
					mustExec(t, b, "BEGIN ISOLATION LEVEL "+iso)
					queryInt(t, b, "SELECT sum(v) FROM "+table) // b's snapshot
					mustExec(t, a, "UPDATE "+table+" SET v = v + 1 WHERE id = 1")
					p := background(b, "UPDATE "+table+" SET v = v + 5 WHERE id = 1 RETURNING v")
					p.blocked(t, "second UPDATE")
					mustExec(t, a, end)
					if end == "COMMIT" {
						<-p.done
						if sqlState(p.err) != "40001" || !strings.Contains(p.err.Error(), "could not serialize access due to concurrent update") {
							t.Fatalf("second UPDATE after the first committed: %v, want 40001 concurrent update", p.err)
						}
						mustExec(t, b, "ROLLBACK")
						if v := queryInt(t, b, "SELECT v FROM "+table+" WHERE id = 1"); v != 11 {
							t.Fatalf("v = %d after the conflict, want 11", v)
						}
						return
					}
					if v := p.finished(t, "second UPDATE"); v != 15 {
						t.Fatalf("second UPDATE returned %d, want 15", v)
					}
					if v := queryInt(t, b, "SELECT v FROM "+table+" WHERE id = 1"); v != 15 {
						t.Fatalf("second transaction sees v = %d, want 15", v)
					}
					mustExec(t, b, "COMMIT")
					if v := queryInt(t, a, "SELECT v FROM "+table+" WHERE id = 1"); v != 15 {
						t.Fatalf("v = %d after commit, want 15", v)
					}
				})
			}
		}
	}
}

// TestIsolationDeleteConflict: DELETE against UPDATE (and UPDATE against
// DELETE) of one row in REPEATABLE READ: the second fails with 40001
// after the first commits; also SELECT FOR UPDATE and INSERT ... ON
// CONFLICT DO UPDATE of a row changed after the snapshot.
func TestIsolationDeleteConflict(t *testing.T) {
	srv := compat.Start(t)
	conns := connectN(t, srv.DSN("postgres"), 2)
	a, b := conns[0], conns[1]
	cases := []struct {
		name, first, second, msg string
		kinds                    []string
	}{
		{"delete-then-update", "DELETE FROM %s WHERE id = 1", "UPDATE %s SET v = 0 WHERE id = 1", "concurrent delete", []string{"table"}},
		{"update-then-delete", "UPDATE %s SET v = 0 WHERE id = 1", "DELETE FROM %s WHERE id = 1", "concurrent update", isoKinds},
		{"delete-then-delete", "DELETE FROM %s WHERE id = 1", "DELETE FROM %s WHERE id = 1", "concurrent", isoKinds},
		{"update-then-for-update", "UPDATE %s SET v = 0 WHERE id = 1", "SELECT v FROM %s WHERE id = 1 FOR UPDATE", "concurrent update", isoKinds},
		{"update-then-for-share", "UPDATE %s SET v = 0 WHERE id = 1", "SELECT v FROM %s WHERE id = 1 FOR SHARE", "concurrent update", []string{"table"}},
		{"update-then-upsert", "UPDATE %s SET v = 0 WHERE id = 1", "INSERT INTO %s VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = excluded.v", "concurrent update", []string{"table"}},
	}
	for _, c := range cases {
		for _, kind := range c.kinds {
			t.Run(c.name+"/"+kind, func(t *testing.T) {
				table := strings.ReplaceAll("del_"+c.name+"_"+kind, "-", "_")
				createIsoTable(t, a, table, kind)
				mustExec(t, b, "BEGIN ISOLATION LEVEL REPEATABLE READ")
				queryInt(t, b, "SELECT count(*) FROM "+table)
				mustExec(t, a, "BEGIN ISOLATION LEVEL REPEATABLE READ")
				mustExec(t, a, fmt.Sprintf(c.first, table))
				p := background(b, fmt.Sprintf(c.second, table))
				p.blocked(t, "second statement")
				mustExec(t, a, "COMMIT")
				<-p.done
				if sqlState(p.err) != "40001" || !strings.Contains(p.err.Error(), "could not serialize access due to "+c.msg) {
					t.Fatalf("%s after the first committed: %v, want 40001 %s", c.second, p.err, c.msg)
				}
				execFails(t, b, "SELECT 1", "25P02")
				mustExec(t, b, "ROLLBACK")
				queryInt(t, b, "SELECT count(*) FROM "+table)
			})
		}
	}
	// ON CONFLICT DO NOTHING must not skip a row its snapshot does not
	// hold.
	t.Run("insert-then-do-nothing", func(t *testing.T) {
		createIsoTable(t, a, "del_nothing", "table")
		mustExec(t, b, "BEGIN ISOLATION LEVEL REPEATABLE READ")
		queryInt(t, b, "SELECT count(*) FROM del_nothing")
		mustExec(t, a, "INSERT INTO del_nothing VALUES (4, 40)")
		execFails(t, b, "INSERT INTO del_nothing VALUES (4, 0) ON CONFLICT DO NOTHING", "40001")
		mustExec(t, b, "ROLLBACK")
		mustExec(t, b, "BEGIN ISOLATION LEVEL REPEATABLE READ")
		mustExec(t, b, "INSERT INTO del_nothing VALUES (1, 0) ON CONFLICT DO NOTHING")
		mustExec(t, b, "COMMIT")
	})
	// Without a concurrent change the same statements succeed, and a
	// read-only REPEATABLE READ transaction never conflicts.
	t.Run("no-conflict", func(t *testing.T) {
		createIsoTable(t, a, "del_none", "table")
		mustExec(t, b, "BEGIN ISOLATION LEVEL REPEATABLE READ")
		queryInt(t, b, "SELECT count(*) FROM del_none")
		mustExec(t, a, "UPDATE del_none SET v = 0 WHERE id = 2")
		mustExec(t, b, "UPDATE del_none SET v = 7 WHERE id = 1")
		mustExec(t, b, "DELETE FROM del_none WHERE id = 3")
		mustExec(t, b, "INSERT INTO del_none VALUES (4, 40)")
		mustExec(t, b, "COMMIT")
		if got := queryInt(t, a, "SELECT sum(v) FROM del_none"); got != 47 {
			t.Fatalf("sum = %d, want 47", got)
		}
	})
}

// TestIsolationCounterRetry: clients run read-modify-write increments
// (read v, then write the value read plus one) in REPEATABLE READ or
// SERIALIZABLE transactions, retrying on 40001 as a real client does.
// First updater wins, so no increment is lost: the counter ends at
// exactly clients x increments. (Under READ COMMITTED this pattern loses
// updates.)
func TestIsolationCounterRetry(t *testing.T) {
	srv := compat.Start(t)
	admin := connect(t, srv.DSN("postgres"))
	conns := connectN(t, srv.DSN("postgres"), 4)
	const times = 20
	for _, kind := range append(isoKinds, "compressed") {
		for _, iso := range snapshotIsos {
			t.Run(kind+"/"+iso, func(t *testing.T) {
				table := "ctr_" + kind + "_" + strings.ReplaceAll(iso, " ", "_")
				createIsoTable(t, admin, table, kind)
				ctx, cancel := context.WithTimeout(context.Background(), concurrencyWait)
				defer cancel()
				var wg sync.WaitGroup
				var mu sync.Mutex
				retries := 0
				for c, conn := range conns {
					wg.Add(1)
					go func(c int, conn *pgx.Conn) {
						defer wg.Done()
						for i := 0; i < times; i++ {
							for {
								err := readModifyWrite(ctx, conn, table, iso)
								if err == nil {
									break
								}
								if sqlState(err) != "40001" {
									t.Errorf("client %d, increment %d: %v", c, i, err)
									return
								}
								mu.Lock()
								retries++
								mu.Unlock()
							}
						}
					}(c, conn)
				}
				wg.Wait()
				if t.Failed() {
					t.FailNow()
				}
				want := int64(10 + len(conns)*times)
				if v := queryInt(t, admin, "SELECT v FROM "+table+" WHERE id = 1"); v != want {
					t.Fatalf("counter ends at %d, want %d (%d retries)", v, want, retries)
				}
				if n := queryInt(t, admin, "SELECT count(*) FROM "+table); n != 3 {
					t.Fatalf("%d rows, want 3", n)
				}
				t.Logf("%d retries", retries)
			})
		}
	}
}

// readModifyWrite reads row 1's v and writes v+1 back in one
// transaction of level iso.
func readModifyWrite(ctx context.Context, conn *pgx.Conn, table, iso string) error {
	if _, err := conn.Exec(ctx, "BEGIN ISOLATION LEVEL "+iso); err != nil {
		return err
	}
	var v int64
	err := conn.QueryRow(ctx, "SELECT v FROM "+table+" WHERE id = 1").Scan(&v)
	if err == nil {
		var tag interface{ RowsAffected() int64 }
		tag, err = conn.Exec(ctx, fmt.Sprintf("UPDATE %s SET v = %d WHERE id = 1", table, v+1))
		if err == nil && tag.RowsAffected() != 1 {
			err = fmt.Errorf("UPDATE updated %d rows, want 1", tag.RowsAffected())
		}
	}
	if err == nil {
		_, err = conn.Exec(ctx, "COMMIT")
		return err
	}
	if _, rerr := conn.Exec(ctx, "ROLLBACK"); rerr != nil {
		return rerr
	}
	return err
}

// TestIsolationDDLSeesCommittedRows: DDL in a REPEATABLE READ transaction
// builds from every committed row, not only its snapshot's: a unique
// index created after another session committed a row covers that row.
func TestIsolationDDLSeesCommittedRows(t *testing.T) {
	srv := compat.Start(t)
	conns := connectN(t, srv.DSN("postgres"), 2)
	a, b := conns[0], conns[1]
	createIsoTable(t, a, "ddl_rr", "table")
	mustExec(t, a, "BEGIN ISOLATION LEVEL REPEATABLE READ")
	queryInt(t, a, "SELECT count(*) FROM ddl_rr")
	mustExec(t, b, "INSERT INTO ddl_rr VALUES (4, 40)")
	mustExec(t, a, "CREATE UNIQUE INDEX ddl_rr_v ON ddl_rr (v)")
	if n := queryInt(t, a, "SELECT count(*) FROM ddl_rr"); n != 3 {
		t.Fatalf("repeatable read sees %d rows after its DDL, want 3", n)
	}
	mustExec(t, a, "COMMIT")
	execFails(t, b, "INSERT INTO ddl_rr VALUES (5, 40)", "23505")
}

// TestIsolationUniqueKeys: uniqueness checks of a REPEATABLE READ
// transaction see rows committed after its snapshot (23505, not a
// duplicate), and ON CONFLICT facing such a row fails with 40001; on a
// regular table and on a hypertable with a unique index.
func TestIsolationUniqueKeys(t *testing.T) {
	srv := compat.Start(t)
	conns := connectN(t, srv.DSN("postgres"), 2)
	a, b := conns[0], conns[1]
	for _, kind := range isoKinds {
		t.Run(kind, func(t *testing.T) {
			table := "uniq_" + kind
			mustExec(t, a, "CREATE TABLE "+table+" (time timestamptz NOT NULL, id int, v int, UNIQUE (time, id))")
			if kind == "hypertable" && !compat.AgainstPostgres() {
				mustExec(t, a, "SELECT create_hypertable('"+table+"', 'time')")
			}
			mustExec(t, a, "INSERT INTO "+table+" VALUES ('2024-01-01', 1, 1)")
			row := func(id, v int) string {
				return fmt.Sprintf("INSERT INTO %s VALUES ('2024-01-01', %d, %d)", table, id, v)
			}
			for _, c := range []struct{ suffix, state string }{
				{"", "23505"},
				{" ON CONFLICT DO NOTHING", "40001"},
				{" ON CONFLICT (time, id) DO UPDATE SET v = excluded.v", "40001"},
			} {
				id := 10 + len(c.suffix)
				mustExec(t, b, "BEGIN ISOLATION LEVEL REPEATABLE READ")
				queryInt(t, b, "SELECT count(*) FROM "+table)
				mustExec(t, a, row(id, 1))
				execFails(t, b, row(id, 2)+c.suffix, c.state)
				mustExec(t, b, "ROLLBACK")
			}
			// A concurrent insert of the key: the second waits, then 23505.
			mustExec(t, b, "BEGIN ISOLATION LEVEL REPEATABLE READ")
			queryInt(t, b, "SELECT count(*) FROM "+table)
			mustExec(t, a, "BEGIN")
			mustExec(t, a, row(50, 1))
			p := background(b, row(50, 2))
			p.blocked(t, "second INSERT")
			mustExec(t, a, "COMMIT")
			<-p.done
			if sqlState(p.err) != "23505" {
				t.Fatalf("second INSERT of key 50: %v, want 23505", p.err)
			}
			mustExec(t, b, "ROLLBACK")
			// Keys the snapshot holds: DO NOTHING skips, DO UPDATE updates.
			mustExec(t, b, "BEGIN ISOLATION LEVEL REPEATABLE READ")
			mustExec(t, b, row(1, 5)+" ON CONFLICT DO NOTHING")
			mustExec(t, b, row(1, 6)+" ON CONFLICT (time, id) DO UPDATE SET v = excluded.v")
			mustExec(t, b, "COMMIT")
			if n := queryInt(t, a, "SELECT count(*) FROM "+table+" WHERE id = 50"); n != 1 {
				t.Fatalf("%d rows with key 50, want 1", n)
			}
			if v := queryInt(t, a, "SELECT v FROM "+table+" WHERE id = 1"); v != 6 {
				t.Fatalf("v = %d after the upsert, want 6", v)
			}
		})
	}
}

// TestIsolationTransfers: clients move amounts between random accounts
// in REPEATABLE READ transactions that read both balances and write back
// absolute values, retrying on 40001 (and 40P01). Under snapshot
// isolation no write is lost, so the total is conserved and every
// account is still there once; under READ COMMITTED this pattern loses
// money.
func TestIsolationTransfers(t *testing.T) {
	srv := compat.Start(t)
	admin := connect(t, srv.DSN("postgres"))
	conns := connectN(t, srv.DSN("postgres"), 4)
	for _, kind := range isoKinds {
		t.Run(kind, func(t *testing.T) {
			table := "acct_" + kind
			createIsoTable(t, admin, table, kind) // ids 1..3, total 60
			ctx, cancel := context.WithTimeout(context.Background(), concurrencyWait)
			defer cancel()
			var wg sync.WaitGroup
			for c, conn := range conns {
				wg.Add(1)
				go func(c int, conn *pgx.Conn) {
					defer wg.Done()
					for i := 0; i < 15; i++ {
						from, to := 1+(c+i)%3, 1+(c+2*i+1)%3
						if from == to {
							to = 1 + to%3
						}
						for {
							err := absoluteTransfer(ctx, conn, table, from, to, 1+i%4)
							if err == nil {
								break
							}
							if s := sqlState(err); s != "40001" && s != "40P01" {
								t.Errorf("client %d, transfer %d: %v", c, i, err)
								return
							}
						}
					}
				}(c, conn)
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}
			if sum := queryInt(t, admin, "SELECT sum(v) FROM "+table); sum != 60 {
				t.Fatalf("total %d after the transfers, want 60", sum)
			}
			if n := queryInt(t, admin, "SELECT count(DISTINCT id) FROM "+table+" HAVING count(*) = 3"); n != 3 {
				t.Fatalf("%d distinct accounts, want 3", n)
			}
		})
	}
}

// absoluteTransfer moves amount from account from to account to in one
// REPEATABLE READ transaction, reading both balances first and writing
// the new ones as constants.
func absoluteTransfer(ctx context.Context, conn *pgx.Conn, table string, from, to, amount int) error {
	if _, err := conn.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ"); err != nil {
		return err
	}
	var a, b int64
	q := fmt.Sprintf("SELECT (SELECT v FROM %[1]s WHERE id = %[2]d), (SELECT v FROM %[1]s WHERE id = %[3]d)", table, from, to)
	err := conn.QueryRow(ctx, q).Scan(&a, &b)
	if err == nil {
		_, err = conn.Exec(ctx, fmt.Sprintf("UPDATE %s SET v = %d WHERE id = %d", table, a-int64(amount), from))
	}
	if err == nil {
		_, err = conn.Exec(ctx, fmt.Sprintf("UPDATE %s SET v = %d WHERE id = %d", table, b+int64(amount), to))
	}
	if err == nil {
		_, err = conn.Exec(ctx, "COMMIT")
		return err
	}
	if _, rerr := conn.Exec(ctx, "ROLLBACK"); rerr != nil {
		return rerr
	}
	return err
}
