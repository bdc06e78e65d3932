package sql

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

// rowsWriter collects a result's rows as text, in order.
type rowsWriter struct {
	benchWriter
	rows []string
}

func (w *rowsWriter) Batch(b *col.Batch) error {
	for i := range b.Len() {
		r := b.Row(i)
		var sb strings.Builder
		for _, v := range b.Cols {
			fmt.Fprintf(&sb, "%v|", v.Get(r))
		}
		w.rows = append(w.rows, sb.String())
	}
	return nil
}

// highCPUQueries are scans returning many rows, read ahead on several
// goroutines when GOMAXPROCS allows (sql/exec/scan_ahead.go).
var highCPUQueries = []string{
	`SELECT * FROM cpu WHERE usage_user > 90 AND time >= '2016-01-01 00:29:14+00' AND time < '2016-01-01 12:29:14+00'`,
	`SELECT * FROM cpu WHERE time >= '2016-01-01 03:00:00+00'`,
	`SELECT time, tags_id FROM cpu WHERE usage_system < 3 LIMIT 777`,
	`SELECT * FROM cpu LIMIT 5`,
}

// TestScanReadAhead checks that scans read ahead on several goroutines
// return exactly the rows, in the order, of the sequential scan, also
// when a LIMIT stops them early.
func TestScanReadAhead(t *testing.T) {
	for _, compressed := range []bool{false, true} {
		t.Run(fmt.Sprintf("compressed=%v", compressed), func(t *testing.T) {
			testScanReadAhead(t, compressed)
		})
	}
}

func testScanReadAhead(t *testing.T, compressed bool) {
	s := lastpointSession(t, 20, 8640, compressed)
	run := func(q string, procs int) []string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		w := &rowsWriter{}
		if err := s.Query(context.Background(), q, w); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return w.rows
	}
	plan := strings.Join(run("EXPLAIN ANALYZE "+highCPUQueries[0], 4), "\n")
	if !strings.Contains(plan, "Read ahead by 4 workers") {
		t.Fatalf("the scan does not read ahead:\n%s", plan)
	}
	for _, q := range highCPUQueries {
		seq, par := run(q, 1), run(q, 4)
		if len(seq) == 0 {
			t.Fatalf("%s: no rows", q)
		}
		if strings.Join(seq, "\n") != strings.Join(par, "\n") {
			t.Errorf("%s: %d rows read ahead differ from the %d read sequentially", q, len(par), len(seq))
		}
	}
}

// BenchmarkHighCPUAll runs TSBS's high-cpu-all shape (every column of the
// rows over a threshold in 12 hours) over 100 hosts x 8640 rows, without
// the wire encoding (see server's BenchmarkDataRowEncoder for that).
func BenchmarkHighCPUAll(b *testing.B) {
	s := lastpointSession(b, 100, 8640, false)
	for b.Loop() {
		if err := s.Query(context.Background(), highCPUQueries[0], &benchWriter{}); err != nil {
			b.Fatal(err)
		}
	}
}
