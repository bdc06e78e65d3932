package encoding

import (
	"math"
	"slices"
	"testing"
)

// TestALPScaleExact checks alpScale against IEEE 754 division bit for
// bit at every exponent: every integer near zero, near 10^e's multiples,
// near float64's exact limit 2^53, random integers of every magnitude and
// integers past 2^53 (which only corrupt streams hold).
func TestALPScaleExact(t *testing.T) {
	r := newRand(13)
	var ints []int64
	for v := int64(-1 << 16); v <= 1<<16; v++ {
		ints = append(ints, v)
	}
	for range 1 << 16 {
		ints = append(ints, 1<<53-1-r.Int64N(1<<12), -(1<<53 - 1 - r.Int64N(1<<12)))
		bits := 1 + r.IntN(63)
		v := r.Int64N(1<<(bits-1)) + 1<<(bits-1)
		ints = append(ints, v, -v)
		ints = append(ints, int64(r.Uint64()))
	}
	for _, x := range []int64{math.MaxInt64, math.MinInt64, math.MinInt64 + 1, 1 << 62, 1 << 53, 1<<53 + 1} {
		ints = append(ints, x)
	}
	got := make([]float64, 0, len(ints))
	for e := 0; e <= alpMaxExponent; e++ {
		p := pow10[e]
		batch := ints[:len(ints):len(ints)]
		// integers around the multiples of 10^e and of 10^e/2, where
		// quotients are close to round numbers
		if e <= 15 {
			pe := int64(p)
			for range 1 << 14 {
				m := r.Int64N((1<<53)/pe) * pe
				for d := int64(-3); d <= 3; d++ {
					batch = append(batch, m+d, m+pe/2+d, -(m + d))
				}
			}
		}
		got = slices.Grow(got[:0], len(batch))[:len(batch)]
		alpScale(got, batch, e)
		for i, v := range batch {
			want := float64(v) / p
			if math.Float64bits(got[i]) != math.Float64bits(want) {
				t.Fatalf("e=%d: %d / 10^e decoded as %v (%#x), want %v (%#x)",
					e, v, got[i], math.Float64bits(got[i]), want, math.Float64bits(want))
			}
		}
	}
}

// TestALPScaleInPlace checks that alpScale converts in place, as
// decodeFloatALP calls it (dst and ints share memory).
func TestALPScaleInPlace(t *testing.T) {
	for _, e := range []int{0, 2, 17} {
		f := make([]float64, 100)
		ints := int64View(f)
		for i := range ints {
			ints[i] = int64(i*i) - 2000
		}
		alpScale(f, ints, e)
		for i := range f {
			if want := float64(int64(i*i)-2000) / pow10[e]; math.Float64bits(f[i]) != math.Float64bits(want) {
				t.Fatalf("e=%d: value %d is %v, want %v", e, i, f[i], want)
			}
		}
	}
}

// TestALPSpecials round-trips the values ALP keeps as exceptions or
// as integers at the edges: NaN payloads, ±0, ±Inf, subnormals, the
// extremes, large exponents, among short decimals.
func TestALPSpecials(t *testing.T) {
	specials := []float64{math.NaN(), math.Float64frombits(0x7ff8000000000bad), math.Float64frombits(0xfff0000000000001),
		math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		2.2250738585072009e-308, math.MaxFloat64, -math.MaxFloat64, 1e300, 1e-300, 1 << 53, 1<<53 + 2, 0.1, 1e-18, 123456789.123456789}
	r := newRand(5)
	for _, base := range [][]float64{genTemperatures(r, 1000), make([]float64, 1000)} {
		for e := range 3 {
			src := make([]float64, len(base))
			for i := range src {
				src[i] = math.Round(base[i]*pow10[e]) / pow10[e]
				if i%50 == 7 {
					src[i] = specials[(i/50)%len(specials)]
				}
			}
			enc, ok := encodeFloat64As(nil, src, FloatALP)
			if !ok {
				continue
			}
			got, err := DecodeFloat64(enc, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !sameFloats(got, src) {
				t.Fatalf("e=%d: specials do not round-trip bit for bit", e)
			}
		}
	}
}
