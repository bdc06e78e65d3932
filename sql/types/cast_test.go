package types

import (
	"testing"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
)

func mustParse(t *testing.T, typ T, s string, loc *time.Location) any {
	t.Helper()
	v, err := ParseText(typ, s, loc)
	if err != nil {
		t.Fatalf("parse %s %q: %v", typeLabel(typ), s, err)
	}
	return v
}

// TestCastGolden checks casts against PostgreSQL 15 (TimeZone UTC unless
// the case says Europe/Berlin).
func TestCastGolden(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata")
	}
	varchar2 := T{OidVarchar, 2 + 4}
	bpchar5 := T{OidBpchar, 5 + 4}
	num102 := T{OidNumeric, NumericTypmod(10, 2)}
	for _, c := range []struct {
		from   T
		in     string
		to     T
		berlin bool
		out    string
		errMsg string
	}{
		{Float8, "2.5", Int4, false, "2", ""},
		{Float8, "3.5", Int4, false, "4", ""},
		{Float8, "-2.5", Int4, false, "-2", ""},
		{Numeric, "2.5", Int4, false, "3", ""},
		{Numeric, "-2.5", Int4, false, "-3", ""},
		{Float8, "0.1", Numeric, false, "0.1", ""},
		{Float8, "0.3333333333333333", Numeric, false, "0.333333333333333", ""},
		{Float8, "1e20", Numeric, false, "100000000000000000000", ""},
		{Float4, "0.1", Float8, false, "0.10000000149011612", ""},
		{Float4, "0.1", Numeric, false, "0.1", ""},
		{Float8, "1e-5", Numeric, false, "0.00001", ""},
		{Float4, "123456789.123", Numeric, false, "123457000", ""},
		{Numeric, "1.1", Float8, false, "1.1", ""},
		{Bool, "t", Text, false, "true", ""},
		{Int4, "1", Bool, false, "t", ""},
		{Bool, "t", Int4, false, "1", ""},
		{IntervalT, "1 day 25:00", Time, false, "01:00:00", ""},
		{Time, "12:30", IntervalT, false, "12:30:00", ""},
		{Text, "abc", varchar2, false, "ab", ""},
		{bpchar5, "abc", Text, false, "abc", ""},
		{Numeric, "12345", num102, false, "12345.00", ""},
		{JSON, `{"b":1,"a":2}`, JSONB, false, `{"a": 2, "b": 1}`, ""},
		{JSONB, "5", Int4, false, "5", ""},
		{Int8, "2147483647", Oid, false, "2147483647", ""},
		{Oid, "4294967295", Int4, false, "-1", ""},
		{Int4, "32768", Int2, false, "", "smallint out of range"},
		{Float8, "1e10", Int4, false, "", "integer out of range"},
		{Numeric, "NaN", Int4, false, "", "cannot convert NaN to integer"},
		{Float8, "NaN", Int4, false, "", "integer out of range"},
		{Float8, "1e39", Float4, false, "", "value out of range: overflow"},
		{JSONB, "[1,2]", Int4, false, "", "cannot cast jsonb array to type integer"},
		{JSONB, `{"a":1}`, Int4, false, "", "cannot cast jsonb object to type integer"},
		{Numeric, "infinity", Int4, false, "", "cannot convert infinity to integer"},
		{Date, "2024-01-01", Time, false, "", "cannot cast type date to time without time zone"},
		{Timestamp, "2024-01-01 00:00", Timestamptz, true, "2024-01-01 00:00:00+01", ""},
		{Timestamptz, "2024-07-01 10:00+00", Timestamp, true, "2024-07-01 12:00:00", ""},
		{Timestamptz, "2024-07-01 23:30+00", Date, true, "2024-07-02", ""},
		{Date, "2024-01-01", Timestamptz, true, "2024-01-01 00:00:00+01", ""},
		{Timestamptz, "2024-07-01 23:30+00", Time, true, "01:30:00", ""},
		{Text, "{1,2}", T{OidInt4Array, -1}, false, "{1,2}", ""},
		{T{OidInt4Array, -1}, "{1,NULL}", T{OidInt8Array, -1}, false, "{1,NULL}", ""},
	} {
		loc := time.UTC
		if c.berlin {
			loc = berlin
		}
		v := mustParse(t, c.from, c.in, loc)
		r, err := Cast(v, c.from, c.to, loc)
		if c.errMsg != "" {
			if err == nil || err.Error() != c.errMsg {
				t.Errorf("%s %q -> %s: err %v, want %q", typeLabel(c.from), c.in, typeLabel(c.to), err, c.errMsg)
			}
			if _, ok := pgerr.As(err); err != nil && !ok {
				t.Errorf("%s %q -> %s: error without SQLSTATE", typeLabel(c.from), c.in, typeLabel(c.to))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q -> %s: %v", typeLabel(c.from), c.in, typeLabel(c.to), err)
			continue
		}
		if got := FormatText(c.to, r, loc); got != c.out {
			t.Errorf("%s %q -> %s: got %q, want %q", typeLabel(c.from), c.in, typeLabel(c.to), got, c.out)
		}
	}
}

// TestCastAssignRow checks that a row is cast column by column, NULLs
// and missing values staying NULL, and that a failing cast fails the row.
func TestCastAssignRow(t *testing.T) {
	vc3 := T{OidVarchar, 3 + 4}
	got, err := CastAssignRow([]any{int64(7), nil, "ab"}, []T{Int4, Int4, Text}, []T{Int8, Text, vc3, Text}, nil)
	if err != nil || len(got) != 4 || got[0] != int64(7) || got[1] != nil || got[2] != "ab" || got[3] != nil {
		t.Errorf("CastAssignRow = %#v, %v", got, err)
	}
	if _, err := CastAssignRow([]any{"abcd"}, []T{Text}, []T{vc3}, nil); pgerr.CodeOf(err) != pgerr.StringDataRightTruncation {
		t.Errorf("CastAssignRow of a too long value: %v", err)
	}
}

func TestCastAssignLength(t *testing.T) {
	vc3 := T{OidVarchar, 3 + 4}
	if _, err := CastAssign("abcd", Text, vc3, nil); err == nil || pgerr.CodeOf(err) != pgerr.StringDataRightTruncation ||
		err.Error() != "value too long for type character varying(3)" {
		t.Errorf("assign abcd to varchar(3): %v", err)
	}
	if v, err := CastAssign("ab   ", Text, vc3, nil); err != nil || v != "ab " {
		t.Errorf("assign trailing spaces: %q %v", v, err)
	}
	if v, err := Cast("abcd", Text, vc3, nil); err != nil || v != "abc" {
		t.Errorf("explicit: %q %v", v, err)
	}
	if _, err := ParseText(vc3, "abcd", nil); pgerr.CodeOf(err) != pgerr.StringDataRightTruncation {
		t.Errorf("input function must reject: %v", err)
	}
}

func TestCastContext(t *testing.T) {
	for _, c := range []struct {
		from, to       T
		impl, asg, exp bool
	}{
		{Int4, Int8, true, true, true},
		{Int8, Int4, false, true, true},
		{Text, Int4, false, false, true},
		{Unknown, Int4, true, true, true},
		{Int4, Float8, true, true, true},
		{Int8, Numeric, true, true, true},
		{Numeric, Float8, true, true, true},
		{Float8, Numeric, false, true, true},
		{Date, Timestamp, true, true, true},
		{Timestamp, Timestamptz, true, true, true},
		{Timestamptz, Timestamp, false, true, true},
		{Varchar, Text, true, true, true},
		{Text, Varchar, true, true, true},
		{Int4, Text, false, true, true},
		{Int4, Bool, false, false, true},
		{Bool, Int4, false, false, true},
		{Bool, Timestamp, false, false, false},
		{Int4, Oid, true, true, true},
		{Text, Regclass, true, true, true},
		{T{OidInt4Array, -1}, T{OidInt8Array, -1}, true, true, true},
	} {
		i, a, e := CastContextOK(c.from, c.to)
		if i != c.impl || a != c.asg || e != c.exp {
			t.Errorf("%s -> %s: got %v %v %v, want %v %v %v", typeLabel(c.from), typeLabel(c.to), i, a, e, c.impl, c.asg, c.exp)
		}
	}
}
