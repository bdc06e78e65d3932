package types

import (
	"math"
	"math/rand"
	"strconv"
	"testing"
)

// TestParseShortDecimal checks the fast float path against
// strconv.ParseFloat on random short decimals and on edge shapes.
func TestParseShortDecimal(t *testing.T) {
	cases := []string{"0", "-0", "-0.0", "1.", ".5", "+3.25", "123456789012345", "0.000000000000001",
		"99999999999999.9", "21.53", "-1013.2", "007.50"}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200000; i++ {
		m := rng.Int63n(1_000_000_000_000_000)
		s := strconv.FormatInt(m, 10)
		if k := rng.Intn(len(s) + 1); k < len(s) {
			s = s[:k] + "." + s[k:]
		}
		if rng.Intn(2) == 0 {
			s = "-" + s
		}
		cases = append(cases, s)
	}
	for _, s := range cases {
		want, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		got, ok := parseShortDecimal(s)
		if !ok {
			continue // longer than the fast path takes
		}
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseShortDecimal(%q) = %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"", "-", ".", "1e5", "1.2.3", "nan", "1234567890123456", "12a"} {
		if _, ok := parseShortDecimal(s); ok {
			t.Errorf("parseShortDecimal(%q) took a value it must leave to ParseFloat", s)
		}
	}
}
