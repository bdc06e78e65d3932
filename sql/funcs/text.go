package funcs

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/types"
)

// datumText renders a datum as PostgreSQL's output function would (the
// subset concat, format, string_agg and array_to_string need; package
// types owns the full codecs).
func datumText(t types.T, v any, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if t.OID == types.OidBytea {
			return `\x` + hex.EncodeToString([]byte(x))
		}
		return x
	case bool:
		if x {
			return "t"
		}
		return "f"
	case float64:
		if t.OID == types.OidFloat4 {
			return FormatFloat(x, 32)
		}
		return FormatFloat(x, 64)
	case *apd.Decimal:
		return fmtDecimal(x)
	case types.Interval:
		return fmtInterval(x)
	case *types.Array:
		return fmtArray(x, loc)
	case int64:
		switch t.OID {
		case types.OidTimestamp:
			return fmtTimestamp(x, nil)
		case types.OidTimestamptz:
			return fmtTimestamp(x, loc)
		case types.OidDate:
			return fmtDate(x)
		case types.OidTime:
			return fmtTime(x)
		}
		return strconv.FormatInt(x, 10)
	}
	return ""
}

// FormatFloat is float8out/float4out with extra_float_digits = 1: shortest
// round-trip digits, exponent form below 1e-4 and from 1e15 (1e6 for
// float4).
func FormatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	i := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	limit := 15
	if bits == 32 {
		limit = 6
	}
	if exp < -4 || exp >= limit {
		return e
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// fmtDecimal renders a numeric without exponent.
func fmtDecimal(d *apd.Decimal) string {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return "NaN"
	case apd.Infinite:
		if d.Negative {
			return "-Infinity"
		}
		return "Infinity"
	}
	return d.Text('f')
}

func fmtArray(a *types.Array, loc *time.Location) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range a.Vals {
		if i > 0 {
			b.WriteByte(',')
		}
		if v == nil {
			b.WriteString("NULL")
			continue
		}
		s := datumText(a.Elem, v, loc)
		if arrayNeedsQuote(s) {
			b.WriteByte('"')
			for _, c := range s {
				if c == '"' || c == '\\' {
					b.WriteByte('\\')
				}
				b.WriteRune(c)
			}
			b.WriteByte('"')
		} else {
			b.WriteString(s)
		}
	}
	b.WriteByte('}')
	return b.String()
}

func arrayNeedsQuote(s string) bool {
	if s == "" || strings.EqualFold(s, "null") {
		return true
	}
	return strings.ContainsAny(s, "{},\"\\ \t\n\r\v\f")
}

// fmtTimestamp renders ISO DateStyle output; loc nil means timestamp
// without time zone.
func fmtTimestamp(us int64, loc *time.Location) string {
	switch us {
	case types.InfinityTS:
		return "infinity"
	case types.NegInfinityTS:
		return "-infinity"
	}
	var t time.Time
	if loc == nil {
		t = civil(us)
	} else {
		t = usToTime(us, loc)
	}
	var b strings.Builder
	y := t.Year()
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	b.WriteString(pad(y, 4))
	b.WriteString(t.Format("-01-02 15:04:05"))
	if f := t.Nanosecond() / 1000; f != 0 {
		s := strings.TrimRight(pad(f, 6), "0")
		b.WriteString("." + s)
	}
	if loc != nil {
		_, off := t.Zone()
		b.WriteString(fmtOffset(off, false))
	}
	if bc {
		b.WriteString(" BC")
	}
	return b.String()
}

// fmtOffset renders a UTC offset in seconds as +HH[:MM[:SS]].
func fmtOffset(off int, always bool) string {
	sign := "+"
	if off < 0 {
		sign = "-"
		off = -off
	}
	s := sign + pad(off/3600, 2)
	if off%3600 != 0 || always {
		s += ":" + pad(off%3600/60, 2)
	}
	if off%60 != 0 {
		s += ":" + pad(off%60, 2)
	}
	return s
}

func fmtDate(d int64) string {
	if isInfDate(d) {
		if d > 0 {
			return "infinity"
		}
		return "-infinity"
	}
	t := civil(d * types.MicrosPerDay)
	y := t.Year()
	if y <= 0 {
		return pad(1-y, 4) + t.Format("-01-02") + " BC"
	}
	return pad(y, 4) + t.Format("-01-02")
}

func fmtTime(us int64) string {
	s := pad(int(us/types.MicrosPerHour), 2) + ":" + pad(int(us/types.MicrosPerMinute%60), 2) + ":" + pad(int(us/types.MicrosPerSecond%60), 2)
	if f := us % types.MicrosPerSecond; f != 0 {
		s += "." + strings.TrimRight(pad(int(f), 6), "0")
	}
	return s
}

// fmtInterval renders IntervalStyle postgres output.
func fmtInterval(iv types.Interval) string {
	var parts []string
	plural := func(n int64, unit string) string {
		s := strconv.FormatInt(n, 10) + " " + unit
		if n != 1 && n != -1 {
			s += "s"
		}
		return s
	}
	y, m := iv.Months/12, iv.Months%12
	if y != 0 {
		parts = append(parts, plural(int64(y), "year"))
	}
	if m != 0 {
		parts = append(parts, plural(int64(m), "mon"))
	}
	if iv.Days != 0 {
		parts = append(parts, plural(int64(iv.Days), "day"))
	}
	if iv.Micros != 0 || len(parts) == 0 {
		us := iv.Micros
		sign := ""
		if us < 0 {
			sign = "-"
			us = -us
		} else if len(parts) > 0 && (iv.Days < 0 || iv.Months < 0) {
			sign = "+"
		}
		parts = append(parts, sign+pad(int(us/types.MicrosPerHour), 2)+":"+pad(int(us/types.MicrosPerMinute%60), 2)+":"+
			pad(int(us/types.MicrosPerSecond%60), 2)+fracPart(us%types.MicrosPerSecond))
	}
	return strings.Join(parts, " ")
}

func fracPart(f int64) string {
	if f == 0 {
		return ""
	}
	return "." + strings.TrimRight(pad(int(f), 6), "0")
}

// pad renders n with at least w digits (zero-padded).
func pad(n, w int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.Itoa(n)
	for len(s) < w {
		s = "0" + s
	}
	if neg {
		s = "-" + s
	}
	return s
}
