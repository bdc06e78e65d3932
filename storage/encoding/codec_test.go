package encoding

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// checkPrefixes decodes every strict prefix of enc and requires an error
// wrapping ErrCorrupt (and, by running, no panic).
func checkPrefixes(t *testing.T, enc []byte, decode func([]byte) error) {
	t.Helper()
	for i := 0; i < len(enc); i++ {
		err := decode(enc[:i])
		if err == nil {
			t.Fatalf("prefix of %d/%d bytes decoded without error", i, len(enc))
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix error %v does not wrap ErrCorrupt", err)
		}
	}
}

func TestInt64RoundTrip(t *testing.T) {
	for name, vals := range intShapes() {
		for _, e := range []Encoding{0, IntRaw, IntDelta, IntDoD} {
			var enc []byte
			if e == 0 {
				enc = EncodeInt64([]byte("prefix"), vals)[6:]
			} else {
				enc = encodeInt64As(nil, vals, e)
			}
			got, err := DecodeInt64(enc, make([]int64, 3))
			if err != nil {
				t.Fatalf("%s/%v: %v", name, e, err)
			}
			if !slices.Equal(got, vals) {
				t.Fatalf("%s/%v: round trip mismatch:\n got %v\nwant %v", name, e, got, vals)
			}
			if n, err := DecodeCount(enc); err != nil || n != len(vals) {
				t.Fatalf("%s/%v: DecodeCount = %d, %v", name, e, n, err)
			}
			if len(vals) > 0 {
				checkPrefixes(t, enc, func(b []byte) error { _, err := DecodeInt64(b, nil); return err })
			}
		}
	}
}

func TestInt64Choice(t *testing.T) {
	shapes := intShapes()
	for _, tc := range []struct {
		shape   string
		want    Encoding
		maxSize int // bytes for the whole stream
	}{
		{"const", IntConst, 5},
		{"ts-regular", IntDelta, 20}, // ties with int-dod: both pack at width 0
		{"ts-jitter", IntDelta, 1000*18/8 + 20},
		{"ts-gaps", IntDelta, 1000*12/8 + 80},
		{"device-ids", IntDelta, 1000*7/8 + 20},
		{"random", IntRaw, 8*1000 + 3},
		{"quadratic-desc", IntDoD, 30},
	} {
		enc := EncodeInt64(nil, shapes[tc.shape])
		if Encoding(enc[0]) != tc.want || len(enc) > tc.maxSize {
			t.Errorf("%s: encoded as %v in %d bytes, want %v in at most %d", tc.shape, Encoding(enc[0]), len(enc), tc.want, tc.maxSize)
		}
	}
}

func TestFloat64RoundTrip(t *testing.T) {
	for name, vals := range floatShapes() {
		for _, e := range []Encoding{0, FloatRaw, FloatConst, FloatALP, FloatXOR} {
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
			if err != nil {
				t.Fatalf("%s/%v: %v", name, e, err)
			}
			if !sameFloats(got, vals) {
				t.Fatalf("%s/%v: round trip mismatch:\n got %v\nwant %v", name, e, got, vals)
			}
			if len(vals) > 0 {
				checkPrefixes(t, enc, func(b []byte) error { _, err := DecodeFloat64(b, nil); return err })
			}
		}
	}
}

func TestFloat64Choice(t *testing.T) {
	shapes := floatShapes()
	for _, tc := range []struct {
		shape   string
		want    Encoding
		maxSize int
	}{
		{"const", FloatConst, 12},
		{"temps", FloatALP, 1000*5/8 + 20},
		{"temps-specials", FloatALP, 1000*5/8 + 20 + 11*9},
		{"one-decimal", FloatALP, 1000*13/8 + 20},
		{"neg-3-decimals", FloatALP, 1000*18/8 + 20},
		{"big", FloatALP, 1000*10/8 + 20},
		{"ints", FloatALP, 1000*22/8 + 20},
	} {
		enc := EncodeFloat64(nil, shapes[tc.shape])
		if Encoding(enc[0]) != tc.want || len(enc) > tc.maxSize {
			t.Errorf("%s: encoded as %v in %d bytes, want %v in at most %d", tc.shape, Encoding(enc[0]), len(enc), tc.want, tc.maxSize)
		}
	}
	if enc := EncodeFloat64(nil, shapes["random"]); len(enc) > 8*1000+3 {
		t.Errorf("random: %d bytes, more than raw", len(enc))
	}
}

func TestBoolRoundTrip(t *testing.T) {
	for name, vals := range boolShapes() {
		for _, e := range []Encoding{0, BoolBits, BoolRLE} {
			var enc []byte
			switch e {
			case 0:
				enc = EncodeBool(nil, vals)
			case BoolBits:
				enc = appendBoolBits(nil, vals)
			case BoolRLE:
				enc = appendBoolRLE(nil, vals)
			}
			got, err := DecodeBool(enc, nil)
			if err != nil {
				t.Fatalf("%s/%v: %v", name, e, err)
			}
			if !slices.Equal(got, vals) {
				t.Fatalf("%s/%v: round trip mismatch", name, e)
			}
			if len(vals) > 0 {
				checkPrefixes(t, enc, func(b []byte) error { _, err := DecodeBool(b, nil); return err })
			}
		}
	}
	if enc := EncodeBool(nil, boolShapes()["const"]); Encoding(enc[0]) != BoolRLE || len(enc) > 6 {
		t.Errorf("const bools: %v in %d bytes", Encoding(enc[0]), len(enc))
	}
}

func TestBytesRoundTrip(t *testing.T) {
	for name, vals := range stringShapes() {
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
			got, err := DecodeBytes(enc, []string{"junk"})
			if err != nil {
				t.Fatalf("%s/%v: %v", name, e, err)
			}
			if !slices.Equal(got, vals) {
				t.Fatalf("%s/%v: round trip mismatch:\n got %q\nwant %q", name, e, got, vals)
			}
			if len(vals) > 0 {
				checkPrefixes(t, enc, func(b []byte) error { _, err := DecodeBytes(b, nil); return err })
			}
		}
	}
}

func TestBytesChoice(t *testing.T) {
	shapes := stringShapes()
	for _, tc := range []struct {
		shape   string
		want    Encoding
		maxSize int
	}{
		{"const", BytesDict, 20},
		{"trucks", BytesZstd, 1000*6/8 + 50*9}, // zstd over the dictionary
		{"json", BytesZstd, 500 * 30},
		{"uuids", BytesPlain, 500*16 + 10},
	} {
		enc := EncodeBytes(nil, shapes[tc.shape])
		if Encoding(enc[0]) != tc.want || len(enc) > tc.maxSize {
			t.Errorf("%s: encoded as %v in %d bytes, want %v in at most %d", tc.shape, Encoding(enc[0]), len(enc), tc.want, tc.maxSize)
		}
	}
}

func TestEncodingString(t *testing.T) {
	for e, want := range map[Encoding]string{IntDoD: "int-dod", FloatALP: "float-alp", Nulls: "nulls", 200: "encoding(200)"} {
		if got := e.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", uint8(e), got, want)
		}
	}
}

// TestFORLowOutliers: a descending series of ticks (time DESC order of
// many devices' readings) has rare large negative steps; they become
// exceptions instead of widening every packed difference.
func TestFORLowOutliers(t *testing.T) {
	var ts []int64
	for tick := int64(40); tick > 0; tick-- {
		for d := 0; d < 100; d++ {
			ts = append(ts, 1_700_000_000_000_000+tick*10_000_000)
		}
	}
	enc := EncodeInt64(nil, ts)
	if len(enc) > 600 {
		t.Fatalf("%d descending timestamps encode to %d bytes, want <= 600", len(ts), len(enc))
	}
	got, err := DecodeInt64(enc, nil)
	if err != nil || !slices.Equal(got, ts) {
		t.Fatalf("round trip: %v", err)
	}
}
