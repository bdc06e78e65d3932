package types

import (
	"testing"
	"time"
)

var fuzzTextTypes = []T{Bool, Int4, Int8, Float8, Numeric, Bytea, UUID, JSON, JSONB, Timestamp,
	Timestamptz, Date, Time, IntervalT, {OidInt4Array, -1}, {OidTextArray, -1}, RecordT}

// FuzzParseText: no input panics, and accepted input prints and re-parses.
func FuzzParseText(f *testing.F) {
	for _, c := range pgTextCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range fuzzTextTypes {
			v, err := ParseText(typ, s, time.UTC)
			if err != nil {
				continue
			}
			out := FormatText(typ, v, time.UTC)
			if typ.OID == OidRecord {
				continue
			}
			if _, err := ParseText(typ, out, time.UTC); err != nil {
				t.Errorf("%s: %q -> %q does not re-parse: %v", typeLabel(typ), s, out, err)
			}
		}
	})
}

var fuzzBinaryTypes = []T{Bool, Int2, Int4, Int8, Oid, Float4, Float8, Numeric, Text, Bytea, UUID,
	JSON, JSONB, Timestamp, Timestamptz, Date, Time, IntervalT, {OidInt4Array, -1},
	{OidTextArray, -1}, {OidNumericArr, -1}}

// FuzzDecodeBinary: no input panics, and accepted input re-encodes to
// something that decodes to an equal value.
func FuzzDecodeBinary(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0, 0, 0, 2, 0, 1, 0x13, 0x88})
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x17, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7})
	f.Add([]byte{1, '{', '}'})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, typ := range fuzzBinaryTypes {
			v, err := DecodeBinary(typ, b)
			if err != nil {
				continue
			}
			enc, err := AppendBinary(nil, typ, v)
			if err != nil {
				t.Fatalf("%s: re-encode: %v", typeLabel(typ), err)
			}
			v2, err := DecodeBinary(typ, enc)
			if err != nil {
				t.Fatalf("%s: decode of re-encoded %x: %v", typeLabel(typ), enc, err)
			}
			if Compare(typ, v, v2) != 0 {
				t.Fatalf("%s: round trip changed value", typeLabel(typ))
			}
		}
	})
}
