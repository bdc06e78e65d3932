package types

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/tsgres/tsgres/storage/col"
)

// pgBinaryCases are typsend outputs captured from PostgreSQL 15
// (SELECT numeric_send('1.50'::numeric) etc., TimeZone UTC).
var pgBinaryCases = []struct{ typ, in, hex string }{
	{"numeric", "0", "0000000000000000"},
	{"numeric", "1.50", "000200000000000200011388"},
	{"numeric", "-123456.789", "0003000140000003000c0d801ed2"},
	{"numeric", "0.0001", "0001ffff000000040001"},
	{"numeric", "10000", "00010001000000000001"},
	{"numeric", "NaN", "00000000c0000000"},
	{"numeric", "Infinity", "00000000d0000020"},
	{"numeric", "-Infinity", "00000000f0000020"},
	{"numeric", "0.000", "0000000000000003"},
	{"numeric", "12345678901234567890.1", "000600040000000104d2162e23340d801ed203e8"},
	{"timestamptz", "2024-01-02 03:04:05.123456+00", "0002b0ec8517d580"},
	{"timestamptz", "1999-01-01 00:00:00+00", "ffffe35173ec2000"},
	{"timestamptz", "infinity", "7fffffffffffffff"},
	{"timestamptz", "-infinity", "8000000000000000"},
	{"date", "2024-01-02", "0000223f"},
	{"date", "1970-01-01", "ffffd533"},
	{"date", "infinity", "7fffffff"},
	{"date", "-infinity", "80000000"},
	{"date", "0001-01-01 BC", "fff4da8b"},
	{"interval", "1 year 2 mons 3 days 04:05:06.5", "000000036c9361a0000000030000000e"},
	{"interval", "-1 days", "0000000000000000ffffffff00000000"},
	{"int4[]", "{1,2,NULL}", "000000010000000100000017000000030000000100000004000000010000000400000002ffffffff"},
	{"int4[]", "{{1,2},{3,4}}", "000000020000000000000017000000020000000100000002000000010000000400000001000000040000000200000004000000030000000400000004"},
	{"int4[]", "{}", "000000000000000000000017"},
	{"int4[]", "[0:1]={5,6}", "000000010000000000000017000000020000000000000004000000050000000400000006"},
	{"text[]", `{a,"b c"}`, "0000000100000000000000190000000200000001000000016100000003622063"},
	{"jsonb", `{"a":1}`, "017b2261223a20317d"},
	{"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc999c0b4ef8bb6d6bb9bd380a11"},
	{"float8", "1.5", "3ff8000000000000"},
	{"float8", "-0", "8000000000000000"},
	{"float8", "NaN", "7ff8000000000000"},
	{"time", "12:34:56.789", "0000000a8be62608"},
}

func TestBinaryGolden(t *testing.T) {
	for _, c := range pgBinaryCases {
		typ := testType(t, c.typ)
		v, err := ParseText(typ, c.in, time.UTC)
		if err != nil {
			t.Fatalf("%s %q: %v", c.typ, c.in, err)
		}
		b, err := AppendBinary(nil, typ, v)
		if err != nil {
			t.Fatalf("%s %q: %v", c.typ, c.in, err)
		}
		if got := hex.EncodeToString(b); got != c.hex {
			t.Errorf("%s %q: send %s, want %s", c.typ, c.in, got, c.hex)
		}
		raw, _ := hex.DecodeString(c.hex)
		v2, err := DecodeBinary(typ, raw)
		if err != nil {
			t.Errorf("%s %q: recv: %v", c.typ, c.in, err)
			continue
		}
		if got, want := FormatText(typ, v2, time.UTC), FormatText(typ, v, time.UTC); got != want {
			t.Errorf("%s %q: recv gives %q, want %q", c.typ, c.in, got, want)
		}
	}
}

func TestRecordBinary(t *testing.T) {
	r := &Record{Types: []T{Int4, Text, Int4}, Vals: []any{int64(1), "a", nil}}
	b, err := AppendBinary(nil, RecordT, r)
	if err != nil {
		t.Fatal(err)
	}
	const want = "0000000300000017000000040000000100000019000000016100000017ffffffff"
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("record_send %s, want %s", got, want)
	}
	if got := FormatText(RecordT, r, nil); got != "(1,a,)" {
		t.Errorf("record_out %q", got)
	}
	r2 := &Record{Types: []T{Int4, Text, Text, Bool}, Vals: []any{int64(1), "a b", `q"\`, true}}
	if got := FormatText(RecordT, r2, nil); got != `(1,"a b","q""\\",t)` {
		t.Errorf("record_out %q", got)
	}
}

func TestIntegerWidening(t *testing.T) {
	for _, c := range []struct {
		typ  T
		hex  string
		want int64
		ok   bool
	}{
		{Int8, "0005", 5, true},
		{Int8, "fffffffe", -2, true},
		{Int4, "0000000000000007", 7, true},
		{Int4, "0000000100000000", 0, false},
		{Int2, "00010000", 0, false},
		{Int2, "000001", 0, false},
	} {
		b, _ := hex.DecodeString(c.hex)
		v, err := DecodeBinary(c.typ, b)
		if c.ok != (err == nil) || (c.ok && v != c.want) {
			t.Errorf("%v %s: got %v, %v", c.typ, c.hex, v, err)
		}
	}
}

// TestDecodeBinaryUnboxedKinds: the unboxed decoders cover every type
// whose vector kind is Int64, Float64 or Bool, so binary COPY decodes
// those columns without boxing; DecodeBinaryString covers text.
func TestDecodeBinaryUnboxedKinds(t *testing.T) {
	for oid, in := range byOID {
		typ := T{OID: oid, Mod: -1}
		_, okI, _ := DecodeBinaryInt64(typ, nil)
		_, okF, _ := DecodeBinaryFloat64(typ, nil)
		_, okB, _ := DecodeBinaryBool(typ, nil)
		_, okS, _ := DecodeBinaryString(typ, nil)
		if okI != (in.Kind == col.Int64) || okF != (in.Kind == col.Float64) || okB != (in.Kind == col.Bool) ||
			okS && in.Kind != col.Bytes {
			t.Errorf("%s (kind %v): int64 %v float64 %v bool %v string %v", in.Name, in.Kind, okI, okF, okB, okS)
		}
	}
	if _, ok, _ := DecodeBinaryString(Text, nil); !ok {
		t.Error("DecodeBinaryString does not take text")
	}
}
