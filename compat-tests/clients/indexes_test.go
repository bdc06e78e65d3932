package clients

import (
	"context"
	"fmt"
	"math/rand"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// Indexes of regular tables over pgx: every query answers the same with
// index scans as with SET enable_indexscan = off, on random data through
// random writes (some rolled back, some under a rolled back savepoint);
// two sessions changing an indexed column keep PostgreSQL's READ
// COMMITTED behaviour; workers taking jobs through an index scan FOR
// UPDATE SKIP LOCKED take each exactly once; a primary key lookup reads
// one key and an index-only scan no row. The single-session plans are in testdata/indexes.test.

// queryText runs sql with args and returns its rows as text lines.
func queryText(t *testing.T, conn *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return out
}

// indexQuery is a query of the random test and how to make its
// arguments.
type indexQuery struct {
	sql  string
	args func(r *rand.Rand) []any
	// uses is the index EXPLAIN must show (tsgres only), "" for none.
	uses string
}

func TestIndexScansMatchSeqScans(t *testing.T) {
	srv := compat.Start(t)
	conn := connect(t, srv.DSN("postgres"))
	mustExec(t, conn, `CREATE TABLE r (id int PRIMARY KEY, a int, b int, c text, u int)`)
	mustExec(t, conn, `CREATE INDEX r_ab ON r (a, b DESC)`)
	mustExec(t, conn, `CREATE INDEX r_c ON r (c NULLS FIRST)`)
	mustExec(t, conn, `CREATE INDEX r_b ON r (b DESC NULLS LAST)`)
	mustExec(t, conn, `CREATE UNIQUE INDEX r_u ON r (u)`)
	rng := rand.New(rand.NewSource(7))
	val := func(n int) any {
		if rng.Intn(8) == 0 {
			return nil
		}
		return rng.Intn(n)
	}
	text := func() any {
		if rng.Intn(8) == 0 {
			return nil
		}
		return fmt.Sprintf("c%02d", rng.Intn(30))
	}
	nextU := 0
	insert := func(id int) {
		nextU++
		mustExec(t, conn, `INSERT INTO r VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET a = excluded.a`,
			id, val(10), val(50), text(), nextU)
	}
	for id := 0; id < 400; id++ {
		insert(id)
	}
	n := func(max int) func(r *rand.Rand) any { return func(r *rand.Rand) any { return r.Intn(max) } }
	args := func(fs ...func(r *rand.Rand) any) func(r *rand.Rand) []any {
		return func(r *rand.Rand) []any {
			out := make([]any, len(fs))
			for i, f := range fs {
				out[i] = f(r)
			}
			return out
		}
	}
	str := func(r *rand.Rand) any { return fmt.Sprintf("c%02d", r.Intn(32)) }
	queries := []indexQuery{
		{"SELECT id, a, b FROM r WHERE a = $1 ORDER BY id", args(n(11)), "r_ab"},
		{"SELECT id FROM r WHERE a = $1 AND b > $2 ORDER BY id", args(n(11), n(50)), "r_ab"},
		{"SELECT id FROM r WHERE a = $1 AND b BETWEEN $2 AND $3 AND c < 'c15' ORDER BY id", args(n(11), n(30), n(50)), "r_ab"},
		{"SELECT id FROM r WHERE a IN ($1, $2, $3) ORDER BY id", args(n(11), n(11), n(11)), "r_ab"},
		{"SELECT id FROM r WHERE a = ANY ($1) ORDER BY id", args(func(r *rand.Rand) any { return []int32{int32(r.Intn(11)), int32(r.Intn(11))} }), "r_ab"},
		{"SELECT id FROM r WHERE b <= $1 ORDER BY id", args(n(50)), "r_b"},
		{"SELECT id, c FROM r WHERE c = $1 ORDER BY id", args(str), "r_c"},
		{"SELECT id FROM r WHERE c >= $1 AND c < $2 ORDER BY id", args(str, str), "r_c"},
		{"SELECT id, a FROM r WHERE u = $1", args(n(500)), "r_u"},
		{"SELECT id FROM r WHERE id > $1 AND id <= $2 ORDER BY id", args(n(450), n(450)), "r_pkey"},
		{"SELECT b FROM r ORDER BY b DESC NULLS LAST LIMIT $1", args(n(40)), "r_b"},
		{"SELECT b FROM r ORDER BY b NULLS FIRST LIMIT $1", args(n(40)), "r_b"},
		{"SELECT c FROM r ORDER BY c NULLS FIRST LIMIT $1", args(n(40)), "r_c"},
		{"SELECT c FROM r WHERE c > $1 ORDER BY c DESC LIMIT 5", args(str), "r_c"},
		{"SELECT b FROM r WHERE a = $1 ORDER BY b DESC LIMIT $2", args(n(10), n(10)), "r_ab"},
		{"SELECT id FROM r ORDER BY id DESC LIMIT $1 OFFSET 3", args(n(20)), "r_pkey"},
		{"SELECT count(*) FROM r WHERE a = $1 AND b IS NULL", args(n(10)), "r_ab"},
	}
	explainUses := regexp.MustCompile(`Index (Only )?Scan (Backward )?using (\w+)`)
	if !compat.AgainstPostgres() {
		for _, q := range queries {
			plan := strings.Join(queryText(t, conn, "EXPLAIN "+q.sql, q.args(rng)...), "\n")
			m := explainUses.FindStringSubmatch(plan)
			if m == nil || m[3] != q.uses {
				t.Errorf("%s: want an index scan using %s, plan:\n%s", q.sql, q.uses, plan)
			}
		}
	}
	check := func(round int) {
		t.Helper()
		for _, q := range queries {
			for k := 0; k < 3; k++ {
				a := q.args(rng)
				with := queryText(t, conn, q.sql, a...)
				mustExec(t, conn, "SET enable_indexscan = off")
				without := queryText(t, conn, q.sql, a...)
				mustExec(t, conn, "RESET enable_indexscan")
				if strings.Join(with, "|") != strings.Join(without, "|") {
					t.Fatalf("round %d: %s %v:\nindex scan: %v\nseq scan:   %v", round, q.sql, a, with, without)
				}
			}
		}
	}
	write := func() {
		id := rng.Intn(450)
		switch rng.Intn(4) {
		case 0:
			mustExec(t, conn, "UPDATE r SET a = $1, b = $2 WHERE id = $3", val(10), val(50), id)
		case 1:
			mustExec(t, conn, "UPDATE r SET c = $1 WHERE a = $2", text(), rng.Intn(10))
		case 2:
			mustExec(t, conn, "DELETE FROM r WHERE id = $1", id)
		default:
			insert(id)
		}
	}
	for round := 0; round < 8; round++ {
		check(round)
		for i := 0; i < 20; i++ {
			write()
		}
		mustExec(t, conn, "BEGIN")
		for i := 0; i < 10; i++ {
			write()
		}
		mustExec(t, conn, "ROLLBACK")
		mustExec(t, conn, "BEGIN")
		write()
		mustExec(t, conn, "SAVEPOINT s")
		for i := 0; i < 10; i++ {
			write()
		}
		mustExec(t, conn, "ROLLBACK TO SAVEPOINT s")
		write()
		mustExec(t, conn, "COMMIT")
	}
	check(8)
}

func TestIndexedColumnConcurrentUpdates(t *testing.T) {
	srv := compat.Start(t)
	dsn := srv.DSN("postgres")
	a := connect(t, dsn)
	b := connectCancelable(t, dsn)
	t.Cleanup(func() { b.Close(context.Background()) })
	ctx := context.Background()
	mustExec(t, a, "CREATE TABLE q (id int PRIMARY KEY, k int, v int)")
	mustExec(t, a, "CREATE INDEX q_k ON q (k)")
	mustExec(t, a, "INSERT INTO q SELECT i, i, 0 FROM generate_series(1, 20) i")

	t.Run("second writer re-checks the moved row", func(t *testing.T) {
		mustExec(t, a, "BEGIN")
		mustExec(t, a, "UPDATE q SET k = 100 WHERE k = 7")
		ch := startQuery(ctx, b, "UPDATE q SET v = -1 WHERE k = 7 RETURNING id")
		mustBlock(t, ch, "B's UPDATE on A's row")
		mustExec(t, a, "COMMIT")
		r := await(t, ch, "B")
		if r.err != nil {
			t.Fatal(r.err)
		}
		wantIDs(t, "B's UPDATE after A moved the row", r.ids)
		wantIDs(t, "k = 100", queryIDs(t, a, "SELECT id FROM q WHERE k = 100"), 7)
		wantIDs(t, "k = 7", queryIDs(t, a, "SELECT id FROM q WHERE k = 7"))
	})

	t.Run("FOR UPDATE through the index waits and sees the new version", func(t *testing.T) {
		mustExec(t, a, "BEGIN")
		mustExec(t, a, "UPDATE q SET v = 5 WHERE k = 8")
		ch := startQuery(ctx, b, "SELECT v FROM q WHERE k = 8 FOR UPDATE")
		mustBlock(t, ch, "B's FOR UPDATE on A's row")
		mustExec(t, a, "COMMIT")
		r := await(t, ch, "B")
		if r.err != nil {
			t.Fatal(r.err)
		}
		wantIDs(t, "B sees A's value", r.ids, 5)
	})

	t.Run("counters by indexed column", func(t *testing.T) {
		const clients, each = 4, 25
		conns := connectN(t, dsn, clients)
		var wg sync.WaitGroup
		errs := make(chan error, clients)
		for i, c := range conns {
			wg.Add(1)
			go func(i int, c *pgx.Conn) {
				defer wg.Done()
				for j := 0; j < each; j++ {
					sql := "UPDATE q SET v = v + 1 WHERE k = 3"
					if i%2 == 1 {
						sql = "BEGIN; UPDATE q SET v = v + 1 WHERE k = 3; SELECT v FROM q WHERE k = 3 FOR UPDATE; COMMIT"
					}
					if _, err := c.Exec(ctx, sql); err != nil {
						errs <- err
						return
					}
				}
			}(i, c)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		wantIDs(t, "counter", queryIDs(t, a, "SELECT v FROM q WHERE k = 3"), clients*each)
	})
}

func TestIndexJobQueueSkipLocked(t *testing.T) {
	srv := compat.Start(t)
	dsn := srv.DSN("postgres")
	setup := connect(t, dsn)
	mustExec(t, setup, "CREATE TABLE jobs (id int PRIMARY KEY, state text, worker int)")
	mustExec(t, setup, "CREATE INDEX jobs_state_id ON jobs (state, id)")
	mustExec(t, setup, "INSERT INTO jobs SELECT i, 'new', NULL FROM generate_series(1, 60) i")
	const take = "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
	if !compat.AgainstPostgres() {
		plan := strings.Join(queryText(t, setup, "EXPLAIN "+take), "\n")
		if !strings.Contains(plan, "Index Scan using jobs_state_id on jobs") || strings.Contains(plan, "Sort") {
			t.Fatalf("job query does not read the index in order:\n%s", plan)
		}
	}
	const workers = 4
	conns := connectN(t, dsn, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	ctx := context.Background()
	for w, c := range conns {
		wg.Add(1)
		go func(w int, c *pgx.Conn) {
			defer wg.Done()
			for {
				tx, err := c.Begin(ctx)
				if err != nil {
					errs <- err
					return
				}
				var id int
				err = tx.QueryRow(ctx, take).Scan(&id)
				if err == pgx.ErrNoRows {
					tx.Rollback(ctx)
					return
				}
				if err == nil {
					_, err = tx.Exec(ctx, "UPDATE jobs SET state = 'done', worker = $1 WHERE id = $2 AND state = 'new'", w, id)
				}
				if err == nil {
					err = tx.Commit(ctx)
				}
				if err != nil {
					tx.Rollback(ctx)
					errs <- err
					return
				}
			}
		}(w, c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantIDs(t, "jobs left", queryIDs(t, setup, "SELECT id FROM jobs WHERE state = 'new'"))
	wantIDs(t, "jobs done", queryIDs(t, setup, "SELECT count(*) FROM jobs WHERE state = 'done' AND worker IS NOT NULL"), 60)
}

func TestPrimaryKeyLookupReadsOneKey(t *testing.T) {
	if compat.AgainstPostgres() {
		t.Skip("Keys Read is tsgres's own EXPLAIN ANALYZE line")
	}
	srv := compat.Start(t)
	conn := connect(t, srv.DSN("postgres"))
	mustExec(t, conn, "CREATE TABLE acc (aid int PRIMARY KEY, bid int, abalance int)")
	mustExec(t, conn, "CREATE INDEX acc_bid ON acc (bid)")
	mustExec(t, conn, "INSERT INTO acc SELECT i, i % 10, 0 FROM generate_series(1, 5000) i")
	for _, c := range []struct {
		sql   string
		scan  string
		reads string
	}{
		{"SELECT abalance FROM acc WHERE aid = 4242", "Index Scan using acc_pkey on acc", "Keys Read: 1"},
		// 500 entries of bid 7, and the 500 rows they point at.
		{"SELECT sum(abalance) FROM acc WHERE bid = 7", "Index Scan using acc_bid on acc", "Keys Read: 1000"},
		// The entries alone.
		{"SELECT count(*) FROM acc WHERE bid = 7", "Index Only Scan using acc_bid on acc", "Keys Read: 500"},
		{"SELECT abalance FROM acc ORDER BY aid DESC LIMIT 3", "Index Scan Backward using acc_pkey on acc", "Keys Read: 3"},
	} {
		plan := strings.Join(queryText(t, conn, "EXPLAIN ANALYZE "+c.sql), "\n")
		if !strings.Contains(plan, c.scan) || !strings.Contains(plan, c.reads) {
			t.Errorf("%s: want %q and %q in\n%s", c.sql, c.scan, c.reads, plan)
		}
	}
}
