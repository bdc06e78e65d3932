package storage

import (
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

// TestRefillNulls checks that a reused vector becomes exactly n NULLs of
// the new kind, whatever it held before.
func TestRefillNulls(t *testing.T) {
	v := &col.Vec{Kind: col.Float64, F64: []float64{1.5, 2.5, 3.5}, I64: []int64{9}}
	for _, tc := range []struct {
		k col.Kind
		n int
	}{{col.Int64, 2}, {col.Int64, 5}, {col.Float64, 3}, {col.Bytes, 4}, {col.Bool, 1}, {col.Any, 2}, {col.Int64, 0}} {
		v = refillNulls(v, tc.k, tc.n)
		if v.Kind != tc.k || v.Len() != tc.n || len(v.Nulls) != tc.n {
			t.Fatalf("%v x %d: kind %v, len %d, nulls %d", tc.k, tc.n, v.Kind, v.Len(), len(v.Nulls))
		}
		for i := 0; i < tc.n; i++ {
			if !v.IsNull(i) {
				t.Fatalf("%v x %d: row %d not NULL", tc.k, tc.n, i)
			}
		}
		if tc.k != col.Float64 && len(v.F64) != 0 || tc.k != col.Int64 && len(v.I64) != 0 {
			t.Fatalf("%v x %d: values of another kind left: %v %v", tc.k, tc.n, v.F64, v.I64)
		}
	}
	if v := refillNulls(nil, col.Int64, 3); v.Len() != 3 || !v.IsNull(2) {
		t.Fatalf("new: %+v", v)
	}
}
