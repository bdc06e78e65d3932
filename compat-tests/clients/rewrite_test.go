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
