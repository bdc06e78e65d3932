package main

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// floatTolerance is the relative difference allowed between two engines'
// floats: aggregates sum in different orders.
const floatTolerance = 1e-9

// answers holds each engine's first answer per query, and for tsgres-only
// variants (compressed, cagg) the query whose PostgreSQL answer they must
// equal.
type answers struct {
	rows map[string]map[string][][]any // query -> engine -> rows
	ref  map[string]string             // query -> reference query
}

func newAnswers() *answers {
	return &answers{rows: map[string]map[string][][]any{}, ref: map[string]string{}}
}

func (a *answers) put(query, eng string, rows [][]any, ref string) {
	if a.rows[query] == nil {
		a.rows[query] = map[string][][]any{}
	}
	a.rows[query][eng] = rows
	a.ref[query] = ref
}

// compare reports every tsgres answer that differs from PostgreSQL's and
// returns how many answers were compared.
func (a *answers) compare(rep *report) int {
	names := make([]string, 0, len(a.rows))
	for q := range a.rows {
		names = append(names, q)
	}
	sort.Strings(names)
	compared := 0
	for _, q := range names {
		ts, ok := a.rows[q]["tsgres"]
		if !ok {
			continue
		}
		pg, ok := a.rows[a.ref[q]]["postgres"]
		if !ok {
			continue
		}
		compared++
		if msg := diffRows(ts, pg); msg != "" {
			rep.mismatch("query %s: tsgres and PostgreSQL answers differ: %s", q, msg)
		}
	}
	return compared
}

// diffRows describes the first difference between two answers, or "".
func diffRows(ts, pg [][]any) string {
	if len(ts) != len(pg) {
		msg := fmt.Sprintf("tsgres returned %d rows, PostgreSQL %d", len(ts), len(pg))
		for i := range min(len(ts), len(pg)) {
			if d := diffRow(ts[i], pg[i]); d != "" {
				return fmt.Sprintf("%s; first difference at row %d: %s", msg, i+1, d)
			}
		}
		return msg
	}
	for i := range ts {
		if d := diffRow(ts[i], pg[i]); d != "" {
			return fmt.Sprintf("row %d: %s", i+1, d)
		}
	}
	return ""
}

func diffRow(ts, pg []any) string {
	if len(ts) != len(pg) {
		return fmt.Sprintf("%d columns vs %d", len(ts), len(pg))
	}
	for j := range ts {
		if !sameValue(ts[j], pg[j]) {
			return fmt.Sprintf("column %d: tsgres %v, PostgreSQL %v (tsgres row %v, PostgreSQL row %v)", j+1, ts[j], pg[j], ts, pg)
		}
	}
	return ""
}

func sameValue(a, b any) bool {
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	if okA && okB {
		if fa == fb || (math.IsNaN(fa) && math.IsNaN(fb)) {
			return true
		}
		return math.Abs(fa-fb) <= floatTolerance*math.Max(math.Abs(fa), math.Abs(fb))
	}
	return a == b
}

// normalizeRow turns a row's values into comparable ones: every number a
// float64 (engines may pick int8 or numeric for the same aggregate), times
// as UTC text, bytes as strings.
func normalizeRow(vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = normalize(v)
	}
	return out
}

func normalize(v any) any {
	switch x := v.(type) {
	case nil, string, bool:
		return x
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case float64:
		return x
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999Z")
	case []byte:
		return string(x)
	case pgtype.Numeric:
		if !x.Valid {
			return nil
		}
		f, _ := new(big.Float).SetInt(x.Int).Float64()
		return f * math.Pow10(int(x.Exp))
	}
	return fmt.Sprintf("%T:%v", v, v)
}
