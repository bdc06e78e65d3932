package clients

// Unique keys of hypertables under concurrency (issue 12 item 7: UNIQUE
// enforced on hypertables in every chunk state): several pgx clients
// insert overlapping keys at once, and upsert one counter row with ON
// CONFLICT DO UPDATE; no key may end up twice and no increment may be
// lost. On PostgreSQL (-pg) the tables are regular tables.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// createKeyed creates table (time, dev, v) with UNIQUE (dev, time), a
// hypertable on tsgres, compressed after a first row when compressed.
func createKeyed(t *testing.T, conn *pgx.Conn, table string, compressed bool) {
	t.Helper()
	mustExec(t, conn, "CREATE TABLE "+table+" (time timestamptz NOT NULL, dev int, v int, UNIQUE (dev, time))")
	if compat.AgainstPostgres() {
		if compressed {
			t.Skip("compressed chunks need TimescaleDB")
		}
		return
	}
	mustExec(t, conn, "SELECT create_hypertable('"+table+"', 'time')")
	if compressed {
		mustExec(t, conn, "INSERT INTO "+table+" VALUES ('2024-01-01', -1, 0)")
		mustExec(t, conn, "ALTER TABLE "+table+" SET (timescaledb.compress, timescaledb.compress_segmentby = 'dev')")
		mustExec(t, conn, "SELECT compress_chunk(c) FROM show_chunks('"+table+"') c")
	}
}

// TestHyperUniqueConcurrentInserts: 6 clients insert the same 40 keys,
// each in its own order, one row per statement or in batches of 8; every
// key must be inserted exactly once and every other attempt must fail
// with 23505 naming the constraint.
func TestHyperUniqueConcurrentInserts(t *testing.T) {
	srv := compat.Start(t)
	admin := connect(t, srv.DSN("postgres"))
	conns := connectN(t, srv.DSN("postgres"), 6)
	for _, compressed := range []bool{false, true} {
		t.Run(fmt.Sprintf("compressed=%v", compressed), func(t *testing.T) {
			table := fmt.Sprintf("uk_%v", compressed)
			createKeyed(t, admin, table, compressed)
			ctx, cancel := context.WithTimeout(context.Background(), concurrencyWait)
			defer cancel()
			const keys = 40
			var mu sync.Mutex
			inserted := 0
			var wg sync.WaitGroup
			errs := make(chan error, len(conns))
			for c, conn := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < keys; i++ {
						k := (i*7 + c*11) % keys
						_, err := conn.Exec(ctx, fmt.Sprintf("INSERT INTO %s VALUES ('2024-01-01'::timestamptz + $1 * interval '1 minute', $2, $3)", table), k%5, k/5, c)
						var pe *pgconn.PgError
						switch {
						case err == nil:
							mu.Lock()
							inserted++
							mu.Unlock()
						case errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == table+"_dev_time_key":
						default:
							errs <- fmt.Errorf("client %d key %d: %v", c, k, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if inserted != keys {
				t.Fatalf("%d inserts succeeded, want %d (one per key)", inserted, keys)
			}
			if n := queryInt(t, admin, "SELECT count(*) FROM (SELECT dev, time FROM "+table+" WHERE dev >= 0 GROUP BY dev, time HAVING count(*) > 1) d"); n != 0 {
				t.Fatalf("%d keys stored twice", n)
			}
			if n := queryInt(t, admin, "SELECT count(*) FROM "+table+" WHERE dev >= 0"); n != keys {
				t.Fatalf("%d rows, want %d", n, keys)
			}
		})
	}
}

// TestHyperUpsertCounter: 6 clients each run INSERT ... ON CONFLICT (dev,
// time) DO UPDATE SET v = t.v + 1 on the same key 30 times, in autocommit
// and inside transactions; the row must end at exactly 180 (the first
// insert counts as 1).
func TestHyperUpsertCounter(t *testing.T) {
	srv := compat.Start(t)
	admin := connect(t, srv.DSN("postgres"))
	conns := connectN(t, srv.DSN("postgres"), 6)
	for _, explicit := range []bool{false, true} {
		t.Run(fmt.Sprintf("explicit=%v", explicit), func(t *testing.T) {
			table := fmt.Sprintf("up_%v", explicit)
			createKeyed(t, admin, table, false)
			upsert := fmt.Sprintf("INSERT INTO %s VALUES ('2024-01-01', 1, 1) ON CONFLICT (dev, time) DO UPDATE SET v = %s.v + 1", table, table)
			ctx, cancel := context.WithTimeout(context.Background(), concurrencyWait)
			defer cancel()
			var wg sync.WaitGroup
			errs := make(chan error, len(conns))
			for _, conn := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 30; i++ {
						if err := increment(ctx, conn, upsert, explicit); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if v := queryInt(t, admin, "SELECT v FROM "+table+" WHERE dev = 1"); v != 180 {
				t.Fatalf("counter ends at %d, want 180", v)
			}
			if n := queryInt(t, admin, "SELECT count(*) FROM "+table); n != 1 {
				t.Fatalf("%d rows, want 1", n)
			}
		})
	}
}

// TestHyperUniqueCopy: COPY of a row duplicating a stored key fails with
// 23505 and leaves nothing behind; the session stays usable.
func TestHyperUniqueCopy(t *testing.T) {
	srv := compat.Start(t)
	conn := connect(t, srv.DSN("postgres"))
	createKeyed(t, conn, "cp", false)
	mustExec(t, conn, "INSERT INTO cp VALUES ('2024-01-01 00:00:05', 5, 0)")
	var rows [][]any
	for i := 0; i < 10; i++ {
		rows = append(rows, []any{time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC), int32(i), int32(1)})
	}
	_, err := conn.CopyFrom(context.Background(), pgx.Identifier{"cp"}, []string{"time", "dev", "v"}, pgx.CopyFromRows(rows))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" || pe.ConstraintName != "cp_dev_time_key" || pe.TableName != "cp" {
		t.Fatalf("COPY of a duplicate key: %v (%+v), want 23505 on cp_dev_time_key", err, pe)
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM cp"); n != 1 {
		t.Fatalf("%d rows after the failed COPY, want 1", n)
	}
}
