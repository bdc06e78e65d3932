package types

import (
	"testing"
	"time"
)

func num(t *testing.T, s string) *Decimal {
	t.Helper()
	return mustParse(t, Numeric, s, nil).(*Decimal)
}

// TestNumericArithGolden: results from PostgreSQL 15.
func TestNumericArithGolden(t *testing.T) {
	div := func(a, b string) string {
		r, err := NumericDiv(num(t, a), num(t, b))
		if err != nil {
			t.Fatal(err)
		}
		return FormatText(Numeric, r, nil)
	}
	mod := func(a, b string) string {
		r, err := NumericMod(num(t, a), num(t, b))
		if err != nil {
			t.Fatal(err)
		}
		return FormatText(Numeric, r, nil)
	}
	for _, c := range []struct{ got, want string }{
		{div("10", "3"), "3.3333333333333333"},
		{div("7", "3"), "2.3333333333333333"},
		{div("1", "7"), "0.14285714285714285714"},
		{div("100000", "3"), "33333.333333333333"},
		{div("0.001", "3"), "0.00033333333333333333"},
		{div("2", "3.00000000000000000001"), "0.66666666666666666666"},
		{div("123456789", "0.0001"), "1234567890000.00000000"},
		{FormatText(Numeric, NumericMul(num(t, "1.5"), num(t, "2.25")), nil), "3.375"},
		{FormatText(Numeric, NumericAdd(num(t, "1.50"), num(t, "2.1")), nil), "3.60"},
		{FormatText(Numeric, NumericSub(num(t, "1.50"), num(t, "2.1")), nil), "-0.60"},
		{mod("10.5", "3"), "1.5"},
		{mod("-7", "2.5"), "-2.0"},
		{FormatText(Numeric, NumericRound(num(t, "2.345"), 2), nil), "2.35"},
		{FormatText(Numeric, NumericRound(num(t, "-2.345"), 2), nil), "-2.35"},
		{FormatText(Numeric, NumericRound(num(t, "1234.5"), -2), nil), "1200"},
		{FormatText(Numeric, NumericRound(num(t, "1.5"), 3), nil), "1.500"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
	if _, err := NumericDiv(num(t, "1"), num(t, "0")); err == nil || err.Error() != "division by zero" {
		t.Errorf("division by zero: %v", err)
	}
	if n, err := NumericToInt64(num(t, "2.5"), Int8); err != nil || n != 3 {
		t.Errorf("NumericToInt64: %d %v", n, err)
	}
	if _, err := NumericToInt64(num(t, "9223372036854775808"), Int8); err == nil {
		t.Errorf("NumericToInt64 overflow not detected")
	}
	if f := NumericToFloat64(num(t, "1.1")); f != 1.1 {
		t.Errorf("NumericToFloat64 %v", f)
	}
}

// TestTimestampArithGolden: timestamp/interval arithmetic from PostgreSQL 15.
func TestTimestampArithGolden(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata")
	}
	iv := func(s string) Interval { return mustParse(t, IntervalT, s, nil).(Interval) }
	add := func(typ T, ts string, i string, loc *time.Location) string {
		v := mustParse(t, typ, ts, loc).(int64)
		r, err := AddInterval(typ, v, iv(i), loc)
		if err != nil {
			t.Fatal(err)
		}
		rt := typ
		if typ == Date {
			rt = Timestamp
		}
		return FormatText(rt, r, loc)
	}
	sub := func(a, b string) string {
		x := mustParse(t, Timestamp, a, nil).(int64)
		y := mustParse(t, Timestamp, b, nil).(int64)
		return SubTimestamps(x, y).String()
	}
	for _, c := range []struct{ got, want string }{
		{add(Timestamptz, "2024-03-30 12:00", "1 day", berlin), "2024-03-31 12:00:00+02"},
		{add(Timestamptz, "2024-03-30 12:00", "24 hours", berlin), "2024-03-31 13:00:00+02"},
		{add(Timestamptz, "2024-01-31", "1 mon", berlin), "2024-02-29 00:00:00+01"},
		{add(Timestamp, "2024-01-31", "1 mon", nil), "2024-02-29 00:00:00"},
		{add(Date, "2024-03-31", "1 mon", nil), "2024-04-30 00:00:00"},
		{add(Date, "2024-02-29", "-1 year", nil), "2023-02-28 00:00:00"},
		{sub("2024-01-02 00:00", "2024-01-01 01:30"), "22:30:00"},
		{sub("2024-01-01 00:00", "2024-01-02 01:30"), "-1 days -01:30:00"},
		{sub("2024-01-01", "2023-01-01 12:00"), "364 days 12:00:00"},
		{FormatText(Timestamptz, mustParse(t, Timestamptz, "2024-03-31 01:30:00+01", berlin), berlin), "2024-03-31 01:30:00+01"},
		{FormatText(Timestamptz, mustParse(t, Timestamptz, "2024-07-01 12:00:00+00", berlin), berlin), "2024-07-01 14:00:00+02"},
		{FormatText(Timestamptz, mustParse(t, Timestamptz, "1850-01-01 00:00 UTC", berlin), berlin), "1850-01-01 00:53:28+00:53:28"},
		{FormatText(Timestamptz, mustParse(t, Timestamptz, "2024-03-31 02:30", berlin), berlin), "2024-03-31 03:30:00+02"},
		{FormatText(Timestamptz, mustParse(t, Timestamptz, "2024-10-27 02:30", berlin), berlin), "2024-10-27 02:30:00+01"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
	d1 := mustParse(t, Date, "2024-01-01", nil).(int64)
	d0 := mustParse(t, Date, "2023-01-01", nil).(int64)
	if n, _ := DateSub(d1, d0); n != 365 {
		t.Errorf("date - date = %d", n)
	}
	if d, _ := DateAddDays(d1, 30); FormatText(Date, d, nil) != "2024-01-31" {
		t.Errorf("date + 30 = %s", FormatText(Date, d, nil))
	}
}

func TestIntervalArithGolden(t *testing.T) {
	iv := func(s string) Interval { return mustParse(t, IntervalT, s, nil).(Interval) }
	mul := func(s string, f float64) string {
		r, err := IntervalMul(iv(s), f)
		if err != nil {
			t.Fatal(err)
		}
		return r.String()
	}
	div := func(s string, f float64) string {
		r, err := IntervalDiv(iv(s), f)
		if err != nil {
			t.Fatal(err)
		}
		return r.String()
	}
	for _, c := range []struct{ got, want string }{
		{mul("1 day", 1.5), "1 day 12:00:00"},
		{mul("1 mon", 0.5), "15 days"},
		{div("1 mon 1 day", 3), "10 days 08:00:00"},
		{mul("1 hour", 2.5), "02:30:00"},
		{div("1 year", 7), "1 mon 21 days 10:17:08.5344"},
		{mul("-1 day", 0.3), "-07:12:00"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
	if !Equal(IntervalT, iv("1 day"), iv("24 hours")) || !Equal(IntervalT, iv("1 mon"), iv("30 days")) {
		t.Error("interval equality")
	}
	if Hash(IntervalT, iv("1 day"), 7) != Hash(IntervalT, iv("24 hours"), 7) {
		t.Error("interval hash")
	}
	if IntervalMicros(iv("1 mon 1 day 1 hour")) != 31*MicrosPerDay+MicrosPerHour {
		t.Error("IntervalMicros")
	}
	if _, err := IntervalDiv(iv("1 day"), 0); err == nil {
		t.Error("interval / 0")
	}
}

func TestCompareHash(t *testing.T) {
	nan := mustParse(t, Float8, "NaN", nil)
	inf := mustParse(t, Float8, "Infinity", nil)
	if Compare(Float8, nan, inf) <= 0 || Compare(Float8, -0.0, 0.0) != 0 || Hash(Float8, mustParse(t, Float8, "-0", nil), 1) != Hash(Float8, 0.0, 1) {
		t.Error("float order")
	}
	if Compare(Numeric, num(t, "NaN"), num(t, "Infinity")) <= 0 || !Equal(Numeric, num(t, "1.0"), num(t, "1.00")) {
		t.Error("numeric order")
	}
	if Hash(Numeric, num(t, "1.0"), 3) != Hash(Numeric, num(t, "1.00"), 3) || Hash(Numeric, num(t, "10"), 3) == Hash(Numeric, num(t, "1"), 3) {
		t.Error("numeric hash")
	}
	if Hash(Numeric, num(t, "0.00"), 3) != Hash(Numeric, num(t, "0"), 3) {
		t.Error("numeric zero hash")
	}
	if Compare(Text, "a", "b") >= 0 || Compare(Text, "B", "a") >= 0 || !Equal(Bpchar, "ab  ", "ab") {
		t.Error("text order")
	}
	a1 := mustParse(t, T{OidInt4Array, -1}, "{1,2,3}", nil)
	a2 := mustParse(t, T{OidInt4Array, -1}, "{1,NULL}", nil)
	if Compare(T{OidInt4Array, -1}, a1, a2) >= 0 {
		t.Error("array order: NULL sorts last")
	}
}
