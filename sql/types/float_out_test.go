package types

import (
	"math"
	"math/rand"
	"testing"
)

// TestShortDecimalMatchesShortest checks the fast float8 output against
// the shortest round-trip path on whole numbers, short decimals of 0-8
// fractional digits, their neighbouring floats, random doubles and the
// edges of fixed notation (1e-4, 1e15): wherever the fast path answers,
// the text must be the same.
func TestShortDecimalMatchesShortest(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	var vals []float64
	for range 200_000 {
		k := r.Intn(9)
		m := r.Int63n([]int64{10, 1000, 1e6, 1e9, 1e15, 1e16}[r.Intn(6)])
		v := float64(m) / math.Pow(10, float64(k))
		vals = append(vals, v, -v, math.Nextafter(v, 0), math.Nextafter(v, math.Inf(1)))
		vals = append(vals, math.Float64frombits(r.Uint64()), r.Float64()*100, r.NormFloat64()*1e5)
	}
	for _, e := range []float64{1e-4, 1e15, 1e-5, 1e14, 999999999999999, 999999999999999.9, 0.1, 0.30000000000000004, 100, 1e6} {
		vals = append(vals, e, -e, math.Nextafter(e, 0), math.Nextafter(e, math.Inf(1)), math.Nextafter(math.Nextafter(e, 0), 0))
	}
	fast := 0
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 {
			continue
		}
		got, ok := appendShortDecimal(nil, v)
		if !ok {
			continue
		}
		fast++
		if want := appendShortest(nil, v, 64); string(got) != string(want) {
			t.Fatalf("%v (%#x): fast %q, shortest %q", v, math.Float64bits(v), got, want)
		}
	}
	if fast < len(vals)/8 {
		t.Fatalf("the fast path answered only %d of %d values", fast, len(vals))
	}
}

// BenchmarkFloat8Text formats whole numbers, two-decimal readings and
// averages (17 significant digits, the general path) as float8 text.
func BenchmarkFloat8Text(b *testing.B) {
	for _, c := range []struct {
		name string
		v    float64
	}{{"whole", 87}, {"decimal", 21.37}, {"average", 45.333333333333336}} {
		b.Run(c.name, func(b *testing.B) {
			var buf []byte
			for b.Loop() {
				buf = appendFloat(buf[:0], c.v, 64)
			}
		})
	}
}
