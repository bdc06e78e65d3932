package types

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// testType resolves the type spellings used in the golden tables.
func testType(t *testing.T, name string) T {
	t.Helper()
	if name == "char" {
		return Char
	}
	mod := int32(-1)
	if i := strings.IndexByte(name, '('); i > 0 {
		args := strings.Split(strings.TrimSuffix(name[i+1:], ")"), ",")
		name = name[:i]
		p, _ := strconv.Atoi(args[0])
		if len(args) == 2 {
			s, _ := strconv.Atoi(args[1])
			mod = NumericTypmod(int32(p), int32(s))
		} else {
			mod = int32(p) + 4
		}
	}
	if strings.HasSuffix(name, "[]") {
		et, ok := ByName(strings.TrimSuffix(name, "[]"))
		if !ok {
			t.Fatalf("unknown type %q", name)
		}
		at, ok := ArrayOf(et)
		if !ok {
			t.Fatalf("no array of %q", name)
		}
		at.Mod = mod
		return at
	}
	typ, ok := ByName(name)
	if !ok {
		t.Fatalf("unknown type %q", name)
	}
	typ.Mod = mod
	return typ
}

// TestTextGolden checks 'input'::type against PostgreSQL's answers, then
// the binary round trip of every accepted value.
func TestTextGolden(t *testing.T) {
	for _, c := range pgTextCases {
		typ := testType(t, c.typ)
		v, err := Cast(c.in, Unknown, typ, time.UTC)
		if c.code != "" {
			if err == nil {
				t.Errorf("%s %q: got %q, want error %s %s", c.typ, c.in, FormatText(typ, v, time.UTC), c.code, c.msg)
				continue
			}
			pe, _ := pgerr.As(err)
			if string(pe.Code) != c.code || pe.Message != c.msg {
				t.Errorf("%s %q: error %s %q, want %s %q", c.typ, c.in, pe.Code, pe.Message, c.code, c.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: unexpected error %v", c.typ, c.in, err)
			continue
		}
		got := FormatText(typ, v, time.UTC)
		if got != c.out {
			t.Errorf("%s %q: got %q, want %q", c.typ, c.in, got, c.out)
			continue
		}
		// text round trip: output parses back to an equal datum.
		base := T{OID: typ.OID, Mod: -1}
		v2, err := ParseText(base, got, time.UTC)
		if err != nil {
			t.Errorf("%s %q: reparse %q: %v", c.typ, c.in, got, err)
			continue
		}
		if FormatText(base, v2, time.UTC) != got {
			t.Errorf("%s %q: text round trip %q -> %q", c.typ, c.in, got, FormatText(base, v2, time.UTC))
		}
		// binary round trip.
		b, err := AppendBinary(nil, base, v)
		if err != nil {
			t.Errorf("%s %q: AppendBinary: %v", c.typ, c.in, err)
			continue
		}
		v3, err := DecodeBinary(base, b)
		if err != nil {
			t.Errorf("%s %q: DecodeBinary(%x): %v", c.typ, c.in, b, err)
			continue
		}
		if g := FormatText(base, v3, time.UTC); g != got {
			t.Errorf("%s %q: binary round trip %q -> %q", c.typ, c.in, got, g)
		}
		if Compare(base, v, v3) != 0 {
			t.Errorf("%s %q: binary round trip not equal", c.typ, c.in)
		}
	}
}
