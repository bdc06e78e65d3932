package main

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestDiffRows(t *testing.T) {
	ts := time.Date(2024, 3, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))
	row := func(vals ...any) []any { return normalizeRow(vals) }
	for _, tc := range []struct {
		name   string
		ts, pg [][]any
		want   string // substring of the difference; "" means equal
	}{
		{"equal", [][]any{row("a", 1.5, int64(3))}, [][]any{row("a", 1.5, int64(3))}, ""},
		{"float tolerance", [][]any{row(1.0000000000001)}, [][]any{row(1.0)}, ""},
		{"float differs", [][]any{row(1.001)}, [][]any{row(1.0)}, "column 1"},
		{"int8 vs numeric", [][]any{row(int64(42))}, [][]any{row(pgtype.Numeric{Int: big.NewInt(42), Valid: true})}, ""},
		{"numeric exponent", [][]any{row(4.2)}, [][]any{row(pgtype.Numeric{Int: big.NewInt(42), Exp: -1, Valid: true})}, ""},
		{"time zones", [][]any{row(ts)}, [][]any{row(ts.UTC())}, ""},
		{"null vs value", [][]any{row(nil)}, [][]any{row(0.0)}, "column 1"},
		{"row count", [][]any{row("a")}, [][]any{row("a"), row("b")}, "1 rows, PostgreSQL 2"},
		{"string", [][]any{row("a"), row("b")}, [][]any{row("a"), row("c")}, "row 2"},
	} {
		got := diffRows(tc.ts, tc.pg)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: diffRows = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestAnswersCompareUsesReference(t *testing.T) {
	a := newAnswers()
	a.put("q", "postgres", [][]any{{1.0}}, "q")
	a.put("q", "tsgres", [][]any{{1.0}}, "q")
	a.put("compressed_q", "tsgres", [][]any{{2.0}}, "q")
	rep := newReport()
	if n := a.compare(rep); n != 2 {
		t.Fatalf("compared %d answers, want 2", n)
	}
	if len(rep.mismatches) != 1 || !strings.Contains(rep.mismatches[0], "compressed_q") {
		t.Fatalf("mismatches %q, want one for compressed_q", rep.mismatches)
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if got := percentile(xs, 50); got != 3 {
		t.Errorf("median %v", got)
	}
	if got := percentile(xs, 95); got != 5 {
		t.Errorf("p95 %v", got)
	}
	if got := percentile([]float64{7}, 95); got != 7 {
		t.Errorf("p95 of one %v", got)
	}
	if xs[0] != 5 {
		t.Error("percentile sorted its input")
	}
}

func TestReportRatiosAndReference(t *testing.T) {
	r := newReport()
	r.set("query", "q", "q", "tsgres", "median_ms", "ms", false, 2)
	r.set("query", "q", "q", "postgres", "median_ms", "ms", false, 8)
	r.set("query", "compressed_q", "q c", "tsgres", "median_ms", "ms", false, 1)
	r.copyReference()
	doc := r.json(map[string]any{})
	q := doc["query"].(map[string]any)
	if got := q["q"].(map[string]any)["median_ms_ratio"]; got != 0.25 {
		t.Errorf("q ratio %v, want 0.25", got)
	}
	if got := q["compressed_q"].(map[string]any)["median_ms_ratio"]; got != 0.125 {
		t.Errorf("compressed_q ratio %v, want 0.125", got)
	}
	if v := r.byKey["query/q"].fields[0].verdict(); v != "tsgres 4.00x better" {
		t.Errorf("verdict %q", v)
	}
}
