package encoding

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

var storable = []col.Kind{col.Int64, col.Float64, col.Bool, col.Bytes}

// FuzzDecodeVec feeds arbitrary bytes to every decoder: errors are fine,
// panics and unbounded allocations are not. A successful decode must
// re-encode to a column that decodes to the same vector.
func FuzzDecodeVec(f *testing.F) {
	for _, v := range vecsOf() {
		if v.Len() <= 64 {
			f.Add(EncodeVec(nil, v))
		}
	}
	f.Add(EncodeVec(nil, withNulls(&col.Vec{Kind: col.Int64, I64: []int64{1, 2, 3}}, []bool{false, true, false})))
	f.Add(EncodeVec(nil, &col.Vec{Kind: col.Float64, F64: genTemperatures(newRand(1), 20)}))
	f.Add(EncodeVec(nil, &col.Vec{Kind: col.Bytes, S: genTrucks(newRand(1), 40, 3)}))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, k := range storable {
			var dst col.Vec
			if DecodeVec(src, k, &dst) != nil {
				continue
			}
			if n, err := DecodeCount(src); err != nil || n != dst.Len() {
				t.Fatalf("DecodeCount = %d, %v; decoded %d", n, err, dst.Len())
			}
			var again col.Vec
			if err := DecodeVec(EncodeVec(nil, &dst), k, &again); err != nil {
				t.Fatalf("re-encoded %v column does not decode: %v", k, err)
			}
			if !equalVecs(&dst, &again) {
				t.Fatalf("re-encoded %v column differs", k)
			}
		}
	})
}

// FuzzRoundTripInt64 encodes values read from the fuzz input as 8-byte
// words (and as deltas from a base, for time-like data).
func FuzzRoundTripInt64(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, int64(0), uint8(0))
	f.Add(slices.Repeat([]byte{0xff}, 40), int64(1_700_000_000_000_000), uint8(3))
	f.Fuzz(func(t *testing.T, raw []byte, base int64, shift uint8) {
		vals := make([]int64, 0, len(raw)/8+1)
		for i := 0; i+8 <= len(raw); i += 8 {
			vals = append(vals, int64(binary.LittleEndian.Uint64(raw[i:])))
		}
		if shift%2 == 1 { // small deltas from base: a timestamp-like series
			acc := base
			for i, b := range raw {
				acc += int64(int8(b)) << (shift % 32)
				if i < len(vals) {
					vals[i] = acc
				} else {
					vals = append(vals, acc)
				}
			}
		}
		for _, e := range []Encoding{0, IntRaw, IntDelta, IntDoD} {
			var enc []byte
			if e == 0 {
				enc = EncodeInt64(nil, vals)
			} else {
				enc = encodeInt64As(nil, vals, e)
			}
			got, err := DecodeInt64(enc, nil)
			if err != nil || !slices.Equal(got, vals) {
				t.Fatalf("%v: round trip failed (%v): %v -> %v", e, err, vals, got)
			}
		}
	})
}

// FuzzRoundTripFloat64 encodes floats built from the input: raw bit
// patterns, and decimals with a fuzzed number of digits.
func FuzzRoundTripFloat64(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, uint8(2))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x80}, uint8(0))
	f.Fuzz(func(t *testing.T, raw []byte, digits uint8) {
		var vals []float64
		if digits%2 == 0 {
			for i := 0; i+8 <= len(raw); i += 8 {
				vals = append(vals, math.Float64frombits(binary.LittleEndian.Uint64(raw[i:])))
			}
		} else {
			p := math.Pow10(int(digits % 20))
			acc := int64(2137)
			for _, b := range raw {
				acc += int64(int8(b))
				vals = append(vals, float64(acc)/p)
			}
		}
		for _, e := range []Encoding{0, FloatRaw, FloatALP, FloatXOR} {
			var enc []byte
			if e == 0 {
				enc = EncodeFloat64(nil, vals)
			} else {
				var ok bool
				if enc, ok = encodeFloat64As(nil, vals, e); !ok {
					continue
				}
			}
			got, err := DecodeFloat64(enc, nil)
			if err != nil || !sameFloats(got, vals) {
				t.Fatalf("%v: round trip failed (%v): %v -> %v", e, err, vals, got)
			}
		}
	})
}

// FuzzRoundTripBytes splits the input into strings at a fuzzed separator
// and round-trips them through every bytes encoding, with nulls.
func FuzzRoundTripBytes(f *testing.F) {
	f.Add([]byte("truck_1,truck_2,truck_1,,truck_3"), byte(','))
	f.Add(slices.Repeat([]byte(`{"a":1},`), 30), byte(','))
	f.Fuzz(func(t *testing.T, raw []byte, sep byte) {
		var vals []string
		for _, p := range splitBytes(raw, sep) {
			vals = append(vals, string(p))
		}
		for _, e := range []Encoding{0, BytesPlain, BytesDict, BytesZstd} {
			var enc []byte
			if e == 0 {
				enc = EncodeBytes(nil, vals)
			} else {
				var ok bool
				if enc, ok = encodeBytesAs(nil, vals, e); !ok {
					continue
				}
			}
			got, err := DecodeBytes(enc, nil)
			if err != nil || !slices.Equal(got, vals) {
				t.Fatalf("%v: round trip failed (%v): %q -> %q", e, err, vals, got)
			}
		}
		mask := make([]bool, len(vals))
		for i := range mask {
			mask[i] = len(vals[i])%3 == 0
		}
		in := withNulls(&col.Vec{Kind: col.Bytes, S: vals}, mask)
		var out col.Vec
		if err := DecodeVec(EncodeVec(nil, in), col.Bytes, &out); err != nil || !equalVecs(in, &out) {
			t.Fatalf("vec round trip failed (%v)", err)
		}
	})
}

func splitBytes(b []byte, sep byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range b {
		if c == sep {
			out = append(out, b[start:i])
			start = i + 1
		}
	}
	return append(out, b[start:])
}
