package clients

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestRewriteDuringMerge runs UPDATE and DELETE right after bursts of
// single-row commits, while the background merge may be sealing those
// commits' blocks: every statement must succeed and change each row
// exactly once. (sql's TestRewriteRetriesAfterMerge forces the race.)
func TestRewriteDuringMerge(t *testing.T) {
	_, conn := startTimescale(t)
	mustExec(t, conn, "CREATE TABLE m (time timestamptz NOT NULL, device int, v int)")
	mustExec(t, conn, "SELECT create_hypertable('m', 'time', chunk_time_interval => INTERVAL '1 day')")
	total := int64(0)
	for round := 0; round < 40; round++ {
		batch := &pgx.Batch{}
		for i := 0; i < 40; i++ {
			batch.Queue("INSERT INTO m VALUES ('2024-01-01'::timestamptz + $1 * interval '1 second', $2, 0)", round*40+i, i%4)
		}
		if err := conn.SendBatch(context.Background(), batch).Close(); err != nil {
			t.Fatal(err)
		}
		total += 40
		if tag := mustExec(t, conn, "UPDATE m SET v = v + 1"); tag.RowsAffected() != total {
			t.Fatalf("round %d: UPDATE %d, want %d", round, tag.RowsAffected(), total)
		}
		if round%4 == 3 {
			tag := mustExec(t, conn, fmt.Sprintf("DELETE FROM m WHERE device = %d", round%4))
			total -= tag.RowsAffected()
		}
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM m"); n != total {
		t.Fatalf("count = %d, want %d", n, total)
	}
	// Every surviving row was updated once per round since its insert.
	if n := queryInt(t, conn, "SELECT count(*) FROM m WHERE v <> 40 - (extract(epoch FROM time - '2024-01-01'::timestamptz)::int / 40)"); n != 0 {
		t.Fatalf("%d rows with a wrong update count", n)
	}
}

// TestInsertRunTags sends what psycopg2's execute_batch sends (single-row
// INSERTs with different literals and NULLs in one simple query) and
// checks that every statement gets its own "INSERT 0 1" and its row.
func TestInsertRunTags(t *testing.T) {
	_, conn := startTimescale(t)
	mustExec(t, conn, "CREATE TABLE eb (time timestamptz NOT NULL, dev int, v double precision)")
	mustExec(t, conn, "SELECT create_hypertable('eb', 'time')")
	var q string
	for i := 0; i < 50; i++ {
		v := fmt.Sprint(i)
		if i%3 == 0 {
			v = "NULL"
		}
		q += fmt.Sprintf("INSERT INTO eb VALUES ('2024-01-01 00:00:%02d+00', %d, %s);", i, i, v)
	}
	results, err := conn.PgConn().Exec(context.Background(), q).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 50 {
		t.Fatalf("%d results, want 50", len(results))
	}
	for i, r := range results {
		if r.CommandTag.String() != "INSERT 0 1" {
			t.Fatalf("result %d: tag %q", i, r.CommandTag)
		}
	}
	if n := queryInt(t, conn, "SELECT count(*) FROM eb WHERE v IS NULL"); n != 17 {
		t.Fatalf("%d NULL rows, want 17", n)
	}
	if n := queryInt(t, conn, "SELECT sum(dev) FROM eb WHERE v = dev"); n != 1225-(0+3+6+9+12+15+18+21+24+27+30+33+36+39+42+45+48) {
		t.Fatalf("sum = %d", n)
	}
}
