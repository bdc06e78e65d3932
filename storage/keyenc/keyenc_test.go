package keyenc

import (
	"bytes"
	"errors"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

func TestInt64Order(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	vals := []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, 1, math.MaxInt64 - 1, math.MaxInt64}
	for i := 0; i < 2000; i++ {
		vals = append(vals, int64(r.Uint64()), r.Int63n(200)-100)
	}
	for i := 0; i < len(vals); i++ {
		a, b := vals[i], vals[r.Intn(len(vals))]
		ea, eb := AppendInt64(nil, a), AppendInt64(nil, b)
		want := 0
		if a < b {
			want = -1
		} else if a > b {
			want = 1
		}
		if got := sign(bytes.Compare(ea, eb)); got != want {
			t.Fatalf("compare(%d, %d) = %d, want %d", a, b, got, want)
		}
		v, rest, err := DecodeInt64(ea)
		if err != nil || v != a || len(rest) != 0 {
			t.Fatalf("decode %d: %d %v %v", a, v, rest, err)
		}
	}
}

// pgFloatCmp is PostgreSQL's float8 order: NaN greatest, -0 == +0.
func pgFloatCmp(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestFloat64Order(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	vals := []float64{math.Inf(-1), -math.MaxFloat64, -1, -math.SmallestNonzeroFloat64,
		math.Copysign(0, -1), 0, math.SmallestNonzeroFloat64, 1, math.MaxFloat64, math.Inf(1),
		math.NaN(), -math.NaN(), math.Float64frombits(0x7ff0000000000001)}
	for i := 0; i < 2000; i++ {
		vals = append(vals, math.Float64frombits(r.Uint64()), r.NormFloat64()*1000)
	}
	for i := 0; i < len(vals); i++ {
		for _, b := range []float64{vals[r.Intn(len(vals))], vals[i%13]} {
			a := vals[i]
			ea, eb := AppendFloat64(nil, a), AppendFloat64(nil, b)
			if got, want := sign(bytes.Compare(ea, eb)), pgFloatCmp(a, b); got != want {
				t.Fatalf("compare(%v, %v) = %d, want %d", a, b, got, want)
			}
		}
		v, rest, err := DecodeFloat64(AppendFloat64(nil, vals[i]))
		if err != nil || len(rest) != 0 || pgFloatCmp(v, vals[i]) != 0 {
			t.Fatalf("decode %v: %v %v", vals[i], v, err)
		}
	}
}

func TestStringOrderAndComposite(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	alphabet := []byte{0, 1, 'a', 'b', 0xff, 0xfe}
	randStr := func() string {
		n := r.Intn(5)
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		return string(b)
	}
	type row struct {
		s string
		i int64
	}
	rows := make([]row, 500)
	for i := range rows {
		rows[i] = row{randStr(), r.Int63n(5) - 2}
	}
	enc := func(x row) []byte { return AppendInt64(AppendString(nil, x.s), x.i) }
	for i := range rows {
		a, b := rows[i], rows[r.Intn(len(rows))]
		want := strings.Compare(a.s, b.s)
		if want == 0 {
			want = sign(int(a.i - b.i))
		}
		if got := sign(bytes.Compare(enc(a), enc(b))); got != want {
			t.Fatalf("compare(%q/%d, %q/%d) = %d, want %d", a.s, a.i, b.s, b.i, got, want)
		}
		s, rest, err := DecodeString(enc(a))
		if err != nil || s != a.s {
			t.Fatalf("decode %q: %q %v", a.s, s, err)
		}
		v, rest, err := DecodeInt64(rest)
		if err != nil || v != a.i || len(rest) != 0 {
			t.Fatalf("decode composite: %d %v", v, err)
		}
		// a key's first value is a prefix of the whole key
		if !bytes.HasPrefix(enc(a), AppendString(nil, a.s)) {
			t.Fatalf("prefix property broken for %q", a.s)
		}
	}
	// sorting encoded keys sorts the values
	keys := make([][]byte, len(rows))
	for i := range rows {
		keys[i] = enc(rows[i])
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	for i := 1; i < len(keys); i++ {
		a, _, _ := DecodeString(keys[i-1])
		b, _, _ := DecodeString(keys[i])
		if a > b {
			t.Fatalf("sorted keys out of order: %q > %q", a, b)
		}
	}
}

func TestBoolNullAndValue(t *testing.T) {
	f, tr, n := AppendBool(nil, false), AppendBool(nil, true), AppendNull(nil)
	ordered := [][]byte{AppendInt64(nil, math.MaxInt64), f, tr, AppendString(nil, "zzz"), n}
	for i := 1; i < len(ordered); i++ {
		if bytes.Compare(ordered[i-1], ordered[i]) >= 0 {
			t.Fatalf("value %d does not sort before value %d", i-1, i)
		}
	}
	key := AppendNull(AppendBool(AppendFloat64(AppendString(AppendInt64(nil, -5), "x\x00y"), 2.5), true))
	want := []any{int64(-5), "x\x00y", 2.5, true, nil}
	rest := key
	for i, w := range want {
		var v any
		var err error
		v, rest, err = DecodeValue(rest)
		if err != nil || v != w {
			t.Fatalf("value %d = %v (%v), want %v", i, v, err, w)
		}
	}
	if len(rest) != 0 {
		t.Fatalf("%d bytes left", len(rest))
	}
}

func TestDecodeMalformed(t *testing.T) {
	bad := [][]byte{nil, {0x99}, {markerInt, 1}, {markerFloat}, {markerBool, 7},
		{markerString, 'a'}, {markerString, 'a', 0}, {markerString, 0, 5}}
	for _, b := range bad {
		if _, _, err := DecodeValue(b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("DecodeValue(%x) error = %v, want ErrCorrupt", b, err)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	cases := []struct{ in, want []byte }{
		{[]byte{1, 2}, []byte{1, 3}},
		{[]byte{1, 0xff}, []byte{2}},
		{[]byte{0xff}, nil},
	}
	for _, c := range cases {
		if got := PrefixEnd(c.in); !bytes.Equal(got, c.want) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", c.in, got, c.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(AppendString(AppendInt64(nil, 3), "a\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for len(b) > 0 {
			_, rest, err := DecodeValue(b)
			if err != nil {
				return
			}
			b = rest
		}
	})
}
