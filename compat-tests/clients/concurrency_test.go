package clients

// Concurrency acceptance tests of issue 12 item 1 ("no lost updates"):
// several pgx connections write the same rows at once, and the final
// state must be exactly what PostgreSQL's READ COMMITTED produces — a
// second writer of a row waits for the first and then applies its change
// to the newest committed version.

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// concurrencyWait bounds every concurrent workload, so a server that
// never wakes a waiter fails the test instead of hanging it.
const concurrencyWait = 60 * time.Second

// connectN opens n connections to dsn (closed when the test ends).
func connectN(t *testing.T, dsn string, n int) []*pgx.Conn {
	t.Helper()
	conns := make([]*pgx.Conn, n)
	for i := range conns {
		conns[i] = connect(t, dsn)
	}
	return conns
}

// sqlState returns err's SQLSTATE, or "" when err is not a server error.
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// TestConcurrentCounter: 8 clients each add 1 to the same row 50 times;
// the counter must end at exactly 400, in autocommit and inside explicit
// transactions, on a regular table and on a hypertable (uncompressed and
// compressed chunk).
func TestConcurrentCounter(t *testing.T) {
	compat.Pending(t, "no-lost-updates")
	srv := compat.Start(t)
	admin := connect(t, srv.DSN("postgres"))
	conns := connectN(t, srv.DSN("postgres"), 8)

	for _, kind := range []string{"table", "hypertable", "compressed"} {
		for _, explicit := range []bool{false, true} {
			name := kind + "/autocommit"
			if explicit {
				name = kind + "/transaction"
			}
			t.Run(name, func(t *testing.T) {
				table := fmt.Sprintf("ctr_%s_%v", kind, explicit)
				createCounter(t, admin, table, kind)
				runCounter(t, conns, table, explicit, 50)
				if v := queryInt(t, admin, "SELECT v FROM "+table+" WHERE id = 1"); v != 400 {
					t.Fatalf("counter ends at %d, want 400 (8 clients x 50 increments)", v)
				}
				if n := queryInt(t, admin, "SELECT count(*) FROM "+table); n != 1 {
					t.Fatalf("%s has %d rows after the updates, want 1", table, n)
				}
			})
		}
	}
}

// createCounter creates table with one row (id 1, v 0). kind "table" is a
// regular table; "hypertable" and "compressed" are hypertables (the
// latter with the row's chunk compressed), which PostgreSQL without
// TimescaleDB replaces with a regular table ("hypertable") or skips
// ("compressed").
func createCounter(t *testing.T, conn *pgx.Conn, table, kind string) {
	t.Helper()
	if kind == "table" {
		mustExec(t, conn, "CREATE TABLE "+table+" (id int PRIMARY KEY, v int)")
		mustExec(t, conn, "INSERT INTO "+table+" VALUES (1, 0)")
		return
	}
	if compat.AgainstPostgres() {
		if kind == "compressed" {
			t.Skip("compressed chunks need TimescaleDB")
		}
		mustExec(t, conn, "CREATE TABLE "+table+" (time timestamptz NOT NULL, id int, v int)")
		mustExec(t, conn, "INSERT INTO "+table+" VALUES ('2024-01-01', 1, 0)")
		return
	}
	mustExec(t, conn, "CREATE TABLE "+table+" (time timestamptz NOT NULL, id int, v int)")
	mustExec(t, conn, "SELECT create_hypertable('"+table+"', 'time')")
	mustExec(t, conn, "INSERT INTO "+table+" VALUES ('2024-01-01', 1, 0)")
	if kind == "compressed" {
		mustExec(t, conn, "ALTER TABLE "+table+" SET (timescaledb.compress)")
		mustExec(t, conn, "SELECT compress_chunk(c) FROM show_chunks('"+table+"') c")
		if n := queryInt(t, conn, "SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = $1 AND is_compressed", table); n != 1 {
			t.Fatalf("%d compressed chunks, want 1", n)
		}
	}
}

// runCounter has every connection run `UPDATE table SET v = v + 1 WHERE
// id = 1` times times, in autocommit or each inside BEGIN ... COMMIT.
// Every statement must succeed and report one updated row.
func runCounter(t *testing.T, conns []*pgx.Conn, table string, explicit bool, times int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), concurrencyWait)
	defer cancel()
	update := "UPDATE " + table + " SET v = v + 1 WHERE id = 1"
	var wg sync.WaitGroup
	for c, conn := range conns {
		wg.Add(1)
		go func(c int, conn *pgx.Conn) {
			defer wg.Done()
			for i := 0; i < times; i++ {
				if err := increment(ctx, conn, update, explicit); err != nil {
					t.Errorf("client %d, increment %d: %v", c, i, err)
					return
				}
			}
		}(c, conn)
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

func increment(ctx context.Context, conn *pgx.Conn, update string, explicit bool) error {
	if !explicit {
		tag, err := conn.Exec(ctx, update)
		if err == nil && tag.RowsAffected() != 1 {
			err = fmt.Errorf("%s updated %d rows, want 1", update, tag.RowsAffected())
		}
		return err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, update)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("%s updated %d rows, want 1", update, tag.RowsAffected())
	}
	return tx.Commit(ctx)
}

// transfer is one committed money transfer, as its client recorded it.
type transfer struct {
	from, to, amount int
	ordered          bool // update the lower id first (else from first)
}

// TestConcurrentTransfers: clients move random amounts between random
// accounts in explicit transactions (mostly locking the two rows in id
// order, sometimes not, so lock cycles happen), retrying on 40001/40P01
// as a real client does, and log each transfer in the same transaction. At the
// end the total is conserved, every account exists once, the log holds
// exactly the transfers the clients saw commit, and every balance is its
// start plus what the log says.
func TestConcurrentTransfers(t *testing.T) {
	compat.Pending(t, "no-lost-updates")
	const (
		accounts = 10
		start    = 1000
		clients  = 6
		perCli   = 40
	)
	srv := compat.Start(t)
	admin := connect(t, srv.DSN("postgres"))
	mustExec(t, admin, "CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL)")
	mustExec(t, admin, "CREATE TABLE xfer_log (client int, seq int, from_id int, to_id int, amount int, PRIMARY KEY (client, seq))")
	mustExec(t, admin, fmt.Sprintf("INSERT INTO acct SELECT g, %d FROM generate_series(1, %d) g", start, accounts))
	conns := connectN(t, srv.DSN("postgres"), clients)

	ctx, cancel := context.WithTimeout(context.Background(), concurrencyWait)
	defer cancel()
	done := make([][]transfer, clients)
	retries := make([]int, clients)
	var wg sync.WaitGroup
	for c := range conns {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(c) + 1))
			for seq := 0; seq < perCli; seq++ {
				x := transfer{from: 1 + rng.Intn(accounts), amount: 1 + rng.Intn(50)}
				x.to = 1 + (x.from+rng.Intn(accounts-1))%accounts // != from
				// Most transfers lock rows in id order; one in
				// eight does not, so lock cycles (40P01) happen too.
				x.ordered = rng.Intn(8) != 0
				for {
					err := runTransfer(ctx, conns[c], c, seq, x)
					if err == nil {
						done[c] = append(done[c], x)
						break
					}
					if s := sqlState(err); s != "40001" && s != "40P01" {
						t.Errorf("client %d, transfer %d %+v: %v", c, seq, x, err)
						return
					}
					retries[c]++
				}
			}
		}(c)
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("retries per client (40001/40P01): %v", retries)

	if n := queryInt(t, admin, "SELECT sum(bal) FROM acct"); n != accounts*start {
		t.Errorf("sum of balances %d, want %d", n, accounts*start)
	}
	if n := queryInt(t, admin, "SELECT count(*) FROM acct"); n != accounts {
		t.Errorf("%d account rows, want %d", n, accounts)
	}
	if n := queryInt(t, admin, fmt.Sprintf("SELECT count(DISTINCT id) FROM acct WHERE id BETWEEN 1 AND %d", accounts)); n != accounts {
		t.Errorf("%d distinct account ids in 1..%d, want %d", n, accounts, accounts)
	}
	want := make(map[int]int64)
	for id := 1; id <= accounts; id++ {
		want[id] = start
	}
	for c, xs := range done {
		if len(xs) != perCli {
			t.Errorf("client %d committed %d transfers, want %d", c, len(xs), perCli)
		}
		if n := queryInt(t, admin, "SELECT count(*) FROM xfer_log WHERE client = $1", c); n != int64(len(xs)) {
			t.Errorf("client %d: %d log rows, but the client saw %d commits", c, n, len(xs))
		}
		for _, x := range xs {
			want[x.from] -= int64(x.amount)
			want[x.to] += int64(x.amount)
		}
	}
	for id := 1; id <= accounts; id++ {
		got := queryInt(t, admin, "SELECT bal FROM acct WHERE id = $1", id)
		fromLog := queryInt(t, admin, "SELECT $2::int - coalesce((SELECT sum(amount) FROM xfer_log WHERE from_id = $1), 0) + coalesce((SELECT sum(amount) FROM xfer_log WHERE to_id = $1), 0)", id, start)
		if got != want[id] || got != fromLog {
			t.Errorf("account %d: balance %d, clients' commits say %d, the log says %d", id, got, want[id], fromLog)
		}
	}
}

// runTransfer moves x.amount from x.from to x.to and logs it as (client,
// seq), in one transaction.
func runTransfer(ctx context.Context, conn *pgx.Conn, client, seq int, x transfer) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	steps := []struct {
		sql string
		id  int
	}{
		{"UPDATE acct SET bal = bal - $2 WHERE id = $1", x.from},
		{"UPDATE acct SET bal = bal + $2 WHERE id = $1", x.to},
	}
	if x.ordered && x.to < x.from {
		steps[0], steps[1] = steps[1], steps[0]
	}
	for _, step := range steps {
		tag, err := tx.Exec(ctx, step.sql, step.id, x.amount)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("%s (id %d) updated %d rows, want 1", step.sql, step.id, tag.RowsAffected())
		}
	}
	if _, err := tx.Exec(ctx, "INSERT INTO xfer_log VALUES ($1, $2, $3, $4, $5)", client, seq, x.from, x.to, x.amount); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// pgbenchBin is PostgreSQL 15's pgbench (postgresql-15).
var pgbenchBin = filepath.Join(testserver.PGBinDir, "pgbench")

// pgbench runs pgbench with args against dsn and returns its output.
func pgbench(t *testing.T, dsn string, args ...string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	conn := []string{"-h", u.Hostname(), "-p", u.Port(), "-U", u.User.Username()}
	cmd := exec.Command(pgbenchBin, append(append(conn, args...), u.Path[1:])...)
	cmd.Env = append(os.Environ(), "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestPgbenchTPCB: after pgbench's built-in TPC-B script with 8 clients,
// the account, teller and branch balances sum to the same total (the sum
// of the history's deltas) and the history holds one row per transaction.
func TestPgbenchTPCB(t *testing.T) {
	compat.Pending(t, "no-lost-updates")
	if _, err := os.Stat(pgbenchBin); err != nil {
		t.Skipf("pgbench not installed at %s (postgresql-15): %v", pgbenchBin, err)
	}
	const clients, perClient = 8, 15
	srv := compat.Start(t)
	dsn := srv.DSN("postgres")
	start := time.Now()
	pgbench(t, dsn, "-i", "-s", "1", "-q")
	t.Logf("pgbench -i: %v", time.Since(start))
	start = time.Now()
	out := pgbench(t, dsn, "-n", "-c", strconv.Itoa(clients), "-j", "2", "-t", strconv.Itoa(perClient))
	m := regexp.MustCompile(`number of transactions actually processed: (\d+)/(\d+)`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] || m[1] != strconv.Itoa(clients*perClient) {
		t.Fatalf("pgbench did not process all %d transactions:\n%s", clients*perClient, out)
	}
	t.Logf("pgbench TPC-B: %v", time.Since(start))
	conn := connect(t, dsn)
	if n := queryInt(t, conn, "SELECT count(*) FROM pgbench_history"); n != clients*perClient {
		t.Errorf("pgbench_history has %d rows, want %d", n, clients*perClient)
	}
	var a, b, tl, h int64
	if err := conn.QueryRow(context.Background(), `SELECT
		(SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(bbalance) FROM pgbench_branches),
		(SELECT sum(tbalance) FROM pgbench_tellers), (SELECT sum(delta) FROM pgbench_history)`).Scan(&a, &b, &tl, &h); err != nil {
		t.Fatal(err)
	}
	if a != h || b != h || tl != h {
		t.Errorf("sum(abalance) %d, sum(bbalance) %d, sum(tbalance) %d, sum(history delta) %d: want all equal", a, b, tl, h)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM pgbench_accounts"); n != 100000 {
		t.Errorf("pgbench_accounts has %d rows, want 100000", n)
	}
}
