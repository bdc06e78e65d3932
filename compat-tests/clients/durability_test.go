package clients

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// TestKill9Durability has writers commit multi-row transactions while the
// server is killed with SIGKILL (PostgreSQL with -pg: immediate shutdown).
// After a restart on the same data every acknowledged transaction must be
// present, and no transaction may be present in part.
func TestKill9Durability(t *testing.T) {
	compat.Pending(t, "durability")
	t.Run("table", func(t *testing.T) { kill9(t, false) })
	t.Run("hypertable", func(t *testing.T) {
		if compat.AgainstPostgres() {
			t.Skip("TimescaleDB is not installed in the reference PostgreSQL")
		}
		kill9(t, true)
	})
}

// kill9 runs the kill -9 scenario on a regular table or a hypertable (the
// columnar delta-block write path).
func kill9(t *testing.T, hyper bool) {
	const (
		writers     = 4
		rowsPerTx   = 5
		killAfterTx = 200 // acknowledged transactions before the kill
	)
	srv := compat.StartDurable(t)
	dsn := srv.DSN("postgres")
	setup := connect(t, dsn)
	mustExec(t, setup, "CREATE TABLE ev (time timestamptz NOT NULL, writer int, seq int, part int, v double precision)")
	if hyper {
		mustExec(t, setup, "SELECT create_hypertable('ev', 'time', chunk_time_interval => INTERVAL '50 milliseconds')")
	}
	setup.Close(context.Background())

	var (
		acked   [writers][]int // acknowledged seqs per writer
		total   atomic.Int64
		wg      sync.WaitGroup
		killed  = make(chan struct{})
		started = time.Now()
	)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Errorf("writer %d connect: %v", w, err)
				return
			}
			defer conn.Close(ctx)
			for seq := 0; ; seq++ {
				tx, err := conn.Begin(ctx)
				if err != nil {
					return // server gone
				}
				rows := make([][]any, rowsPerTx)
				for p := range rows {
					rows[p] = []any{started.Add(time.Duration(seq) * time.Millisecond), w, seq, p, float64(seq) + float64(p)/10}
				}
				// One multi-row INSERT per transaction.
				_, err = tx.Exec(ctx, "INSERT INTO ev VALUES ($1,$2,$3,$4,$5),($6,$7,$8,$9,$10),($11,$12,$13,$14,$15),($16,$17,$18,$19,$20),($21,$22,$23,$24,$25)", flatten(rows)...)
				if err == nil {
					err = tx.Commit(ctx)
				}
				if err != nil {
					return // killed mid-stream: this transaction is not acknowledged
				}
				acked[w] = append(acked[w], seq)
				if total.Add(1) == killAfterTx {
					close(killed)
				}
			}
		}(w)
	}
	select {
	case <-killed:
	case <-time.After(60 * time.Second):
		t.Fatalf("only %d transactions acknowledged in 60s", total.Load())
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := srv.Restart(); err != nil {
		t.Fatalf("restart after kill: %v", err)
	}

	conn := connect(t, dsn)
	rows, err := conn.Query(context.Background(), "SELECT writer, seq, count(*) FROM ev GROUP BY writer, seq")
	if err != nil {
		t.Fatal(err)
	}
	present := map[[2]int]int{}
	for rows.Next() {
		var w, seq, n int
		if err := rows.Scan(&w, &seq, &n); err != nil {
			t.Fatal(err)
		}
		present[[2]int{w, seq}] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	ackedTotal := 0
	for w := range acked {
		for _, seq := range acked[w] {
			ackedTotal++
			if n := present[[2]int{w, seq}]; n != rowsPerTx {
				t.Errorf("acknowledged transaction writer %d seq %d has %d of %d rows", w, seq, n, rowsPerTx)
			}
		}
	}
	for k, n := range present {
		if n != rowsPerTx {
			t.Errorf("transaction writer %d seq %d is half-written: %d of %d rows", k[0], k[1], n, rowsPerTx)
		}
	}
	t.Logf("%d transactions acknowledged, %d present after kill -9 and restart", ackedTotal, len(present))
	if ackedTotal < killAfterTx {
		t.Fatalf("acknowledged %d < %d", ackedTotal, killAfterTx)
	}
}

func flatten(rows [][]any) []any {
	var out []any
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
