package types

import (
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Compare orders two non-NULL datums of type t: -1, 0 or +1. Floats and
// numerics sort NaN above every other value (and equal to itself), -0
// equals 0; text compares bytes (C collation), bpchar ignoring trailing
// spaces; intervals compare by PostgreSQL's 30-day month, 24-hour day
// length; arrays compare elementwise (NULL elements last), then by length.
func Compare(t T, a, b any) int {
	switch x := a.(type) {
	case int64:
		y, _ := b.(int64)
		return cmpInt(x, y)
	case float64:
		y, _ := b.(float64)
		return cmpFloat(x, y)
	case bool:
		y, _ := b.(bool)
		return CompareBool(x, y)
	case string:
		y, _ := b.(string)
		if t.OID == OidBpchar {
			x, y = strings.TrimRight(x, " "), strings.TrimRight(y, " ")
		}
		return strings.Compare(x, y)
	case *Decimal:
		y, ok := b.(*Decimal)
		if !ok {
			return 1
		}
		return NumericCmp(x, y)
	case Interval:
		y, _ := b.(Interval)
		return IntervalCmp(x, y)
	case *Array:
		y, ok := b.(*Array)
		if !ok {
			return 1
		}
		return cmpArray(x, y)
	case *Record:
		y, ok := b.(*Record)
		if !ok {
			return 1
		}
		return cmpRecord(x, y)
	}
	return 0
}

// CompareBool orders false before true: -1, 0 or +1.
func CompareBool(x, y bool) int {
	switch {
	case x == y:
		return 0
	case !x:
		return -1
	}
	return 1
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// CompareFloat64 orders floats as PostgreSQL does (NaN above everything,
// equal to itself): -1, 0 or +1.
func CompareFloat64(x, y float64) int { return cmpFloat(x, y) }

func cmpFloat(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func cmpNullable(t T, a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return Compare(t, a, b)
}

func cmpArray(x, y *Array) int {
	n := min(len(x.Vals), len(y.Vals))
	for k := 0; k < n; k++ {
		if c := cmpNullable(x.Elem, x.Vals[k], y.Vals[k]); c != 0 {
			return c
		}
	}
	if c := cmpInt(int64(len(x.Vals)), int64(len(y.Vals))); c != 0 {
		return c
	}
	if c := cmpInt(int64(len(x.Dims)), int64(len(y.Dims))); c != 0 {
		return c
	}
	for k := range x.Dims {
		if c := cmpInt(int64(x.Dims[k]), int64(y.Dims[k])); c != 0 {
			return c
		}
	}
	return 0
}

func cmpRecord(x, y *Record) int {
	n := min(len(x.Vals), len(y.Vals))
	for k := 0; k < n; k++ {
		t := Text
		if k < len(x.Types) {
			t = x.Types[k]
		}
		if c := cmpNullable(t, x.Vals[k], y.Vals[k]); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(x.Vals)), int64(len(y.Vals)))
}

// Equal reports Compare(t, a, b) == 0.
func Equal(t T, a, b any) bool { return Compare(t, a, b) == 0 }

// Hash hashes a non-NULL datum of t for hash grouping and joins: datums
// equal by Compare hash equal (1.0 and 1.00, '1 day' and '24 hours', -0
// and 0, all NaNs).
func Hash(t T, v any, seed uint64) uint64 {
	h := seed ^ 0xcbf29ce484222325
	switch x := v.(type) {
	case int64:
		return mix(h, uint64(x))
	case float64:
		if x == 0 {
			x = 0
		}
		if math.IsNaN(x) {
			return mix(h, 0x7ff8000000000001)
		}
		return mix(h, math.Float64bits(x))
	case bool:
		if x {
			return mix(h, 1)
		}
		return mix(h, 0)
	case string:
		if t.OID == OidBpchar {
			x = strings.TrimRight(x, " ")
		}
		return hashString(h, x)
	case *Decimal:
		if x.Form != apd.Finite {
			return mix(h, uint64(x.Form)<<1|boolBit(x.Negative))
		}
		var r Decimal
		r.Reduce(x)
		h = mix(h, uint64(int64(r.Exponent)))
		h = mix(h, boolBit(r.Negative && !r.IsZero()))
		if r.IsZero() {
			return mix(h, 0)
		}
		return hashString(h, r.Coeff.String())
	case Interval:
		d, r := intervalKey(x)
		return mix(mix(h, uint64(d)), uint64(r))
	case *Array:
		h = mix(h, uint64(len(x.Vals)))
		for _, e := range x.Vals {
			if e == nil {
				h = mix(h, 0x9e3779b97f4a7c15)
				continue
			}
			h = mix(h, Hash(x.Elem, e, seed))
		}
		return h
	case *Record:
		for k, e := range x.Vals {
			if e == nil {
				h = mix(h, 0x9e3779b97f4a7c15)
				continue
			}
			et := Text
			if k < len(x.Types) {
				et = x.Types[k]
			}
			h = mix(h, Hash(et, e, seed))
		}
		return h
	}
	return h
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// mix folds v into h (a splitmix64-style finalizer).
func mix(h, v uint64) uint64 {
	h ^= v + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ (h >> 31)
}

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return mix(h, uint64(len(s)))
}
