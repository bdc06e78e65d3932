package parse

import (
	"fmt"
	"strings"
	"testing"
)

// psycopg2Batch is what execute_batch sends: many INSERTs differing only
// in literals, in one simple Query.
func psycopg2Batch(seed, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "INSERT INTO readings (time, device, temp) VALUES ('2024-01-01 00:%02d:%02d+00', 'dev_%d', %d.%d);", (seed+i)/60%60, (seed+i)%60, (seed+i)%100, 20+i%10, i%100)
	}
	return b.String()
}

func BenchmarkParseBatchNormalized(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Parse(psycopg2Batch(i*100, 100)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "stmts/s")
}

func BenchmarkParseBatchWhole(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := parseWhole(psycopg2Batch(i*100, 100) + fmt.Sprint("-- ", i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "stmts/s")
}

// BenchmarkParseBulkInsert parses TSBS's tags INSERT of a 10,000-row
// batch (about 700 KB of VALUES), whose row shape is parsed once.
func BenchmarkParseBulkInsert(b *testing.B) {
	q := tagsInsert(10000)
	b.SetBytes(int64(len(q)))
	for i := 0; i < b.N; i++ {
		if _, err := Parse(q); err != nil {
			b.Fatal(err)
		}
	}
}
