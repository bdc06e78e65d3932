package clients

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// cancelRSSGrowthMax bounds how much the server's resident memory may
// grow while a huge cross join or series runs: both must stream a batch
// at a time, never build their result (1e10 rows would be terabytes).
const cancelRSSGrowthMax = 512 << 20

// cancelAfter is how long the huge queries run before being canceled.
const cancelAfter = 300 * time.Millisecond

// TestCancelHugeQueries cancels a cross join of two 100,000-row series
// and a 30-million-row series shortly after they start: each must fail
// with 57014 within a second of the cancel, leave the connection usable,
// and (on tsgres) not grow the server's memory with its result.
func TestCancelHugeQueries(t *testing.T) {
	compat.Pending(t, "engine")
	srv := compat.Start(t)
	conn := connectCancelable(t, srv.DSN("postgres"))
	defer conn.Close(context.Background())
	pid := 0
	if p, ok := srv.(interface{ PID() int }); ok && !compat.AgainstPostgres() {
		pid = p.PID()
	}
	before := rssBytes(t, pid)
	for _, q := range []string{
		"SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
		"SELECT count(*) FROM generate_series(1, 100000) a CROSS JOIN LATERAL generate_series(1, a + 100000) b",
		"SELECT count(*) FROM generate_series(1, 30000000)",
		"SELECT count(*) FROM generate_series(1, 30000000) a, generate_series(1, 10) b",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), cancelAfter)
		start := time.Now()
		var n int64
		err := conn.QueryRow(ctx, q).Scan(&n)
		cancel()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
			t.Fatalf("%s: got %d, %v; want 57014", q, n, err)
		}
		if took := time.Since(start) - cancelAfter; took > time.Second {
			t.Errorf("%s: cancel took %v", q, took)
		}
		if conn.IsClosed() {
			t.Fatalf("%s: connection closed by the cancellation", q)
		}
		if err := conn.QueryRow(context.Background(), "SELECT 41 + 1").Scan(&n); err != nil || n != 42 {
			t.Fatalf("after canceling %s: %d, %v", q, n, err)
		}
		if grew := rssBytes(t, pid) - before; grew > cancelRSSGrowthMax {
			t.Errorf("%s: server RSS grew by %d MB", q, grew>>20)
		}
	}
}

// rssBytes returns the resident set size of process pid from
// /proc/<pid>/status, or 0 when pid is 0 (memory is not checked).
func rssBytes(t *testing.T, pid int) int64 {
	t.Helper()
	if pid == 0 {
		return 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read server memory: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("parse VmRSS %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}
