package funcs

import (
	"strconv"
	"strings"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// to_char, to_timestamp(text, text) and to_date with the common template
// patterns (formatting.c): YYYY YYY YY Y IYYY MM MON Mon mon MONTH Month
// month DD DDD D ID DY Dy dy DAY Day day HH HH12 HH24 MI SS SSSS MS US
// FF1-FF6 AM PM am pm A.M. P.M. Q WW IW J TZ tz OF, the FM prefix, "quoted
// text" and backslash escapes.

// fmtPatterns is ordered so that longer patterns match first.
var fmtPatterns = []string{
	"A.M.", "P.M.", "a.m.", "p.m.", "HH24", "HH12", "YYYY", "IYYY", "SSSS", "MONTH", "Month", "month",
	"FF1", "FF2", "FF3", "FF4", "FF5", "FF6",
	"YYY", "MON", "Mon", "mon", "DAY", "Day", "day", "DDD",
	"HH", "MI", "SS", "MS", "US", "AM", "PM", "am", "pm", "YY", "MM", "DD", "DY", "Dy", "dy", "ID",
	"IW", "WW", "TZ", "tz", "OF", "Y", "D", "Q", "J",
}

type fmtToken struct {
	pat     string // "" for literal
	lit     string
	fillOff bool // FM prefix
}

func parseTemplate(f string) []fmtToken {
	var out []fmtToken
	for i := 0; i < len(f); {
		fm := false
		if strings.HasPrefix(f[i:], "FM") || strings.HasPrefix(f[i:], "fm") {
			fm = true
			i += 2
		}
		matched := false
		for _, p := range fmtPatterns {
			if strings.HasPrefix(f[i:], p) {
				out = append(out, fmtToken{pat: p, fillOff: fm})
				i += len(p)
				matched = true
				break
			}
		}
		if matched || i >= len(f) {
			continue
		}
		switch c := f[i]; {
		case c == '"':
			j := i + 1
			var b strings.Builder
			for j < len(f) && f[j] != '"' {
				if f[j] == '\\' && j+1 < len(f) {
					j++
				}
				b.WriteByte(f[j])
				j++
			}
			out = append(out, fmtToken{lit: b.String()})
			i = j + 1
		case c == '\\' && i+1 < len(f):
			out = append(out, fmtToken{lit: f[i+1 : i+2]})
			i += 2
		default:
			out = append(out, fmtToken{lit: f[i : i+1]})
			i++
		}
	}
	return out
}

// toChar formats a timestamp (tz nil: without time zone).
func toChar(us int64, loc *time.Location, f string) string {
	if isInfTs(us) {
		return ""
	}
	local, zone, off := us, "", 0
	if loc != nil {
		t := usToTime(us, loc)
		zone, off = t.Zone()
		local = us + int64(off)*types.MicrosPerSecond
	}
	t := civil(local)
	frac := floorMod(local, types.MicrosPerSecond)
	var b strings.Builder
	num := func(n, w int, fm bool) {
		if fm {
			b.WriteString(strconv.Itoa(n))
		} else {
			b.WriteString(pad(n, w))
		}
	}
	word := func(s string, w int, fm bool) {
		b.WriteString(s)
		if !fm {
			b.WriteString(strings.Repeat(" ", max(w-len(s), 0)))
		}
	}
	h12 := t.Hour() % 12
	if h12 == 0 {
		h12 = 12
	}
	y := t.Year()
	if y <= 0 {
		y = 1 - y
	}
	iy, iw := t.ISOWeek()
	for _, tk := range parseTemplate(f) {
		fm := tk.fillOff
		switch tk.pat {
		case "":
			b.WriteString(tk.lit)
		case "YYYY":
			num(y, 4, fm)
		case "IYYY":
			num(iy, 4, fm)
		case "YYY":
			num(y%1000, 3, fm)
		case "YY":
			num(y%100, 2, fm)
		case "Y":
			num(y%10, 1, fm)
		case "MM":
			num(int(t.Month()), 2, fm)
		case "MONTH":
			word(strings.ToUpper(t.Month().String()), 9, fm)
		case "Month":
			word(t.Month().String(), 9, fm)
		case "month":
			word(strings.ToLower(t.Month().String()), 9, fm)
		case "MON":
			b.WriteString(strings.ToUpper(t.Month().String()[:3]))
		case "Mon":
			b.WriteString(t.Month().String()[:3])
		case "mon":
			b.WriteString(strings.ToLower(t.Month().String()[:3]))
		case "DD":
			num(t.Day(), 2, fm)
		case "DDD":
			num(t.YearDay(), 3, fm)
		case "D":
			num(int(t.Weekday())+1, 1, fm)
		case "ID":
			d := int(t.Weekday())
			if d == 0 {
				d = 7
			}
			num(d, 1, fm)
		case "DAY":
			word(strings.ToUpper(t.Weekday().String()), 9, fm)
		case "Day":
			word(t.Weekday().String(), 9, fm)
		case "day":
			word(strings.ToLower(t.Weekday().String()), 9, fm)
		case "DY":
			b.WriteString(strings.ToUpper(t.Weekday().String()[:3]))
		case "Dy":
			b.WriteString(t.Weekday().String()[:3])
		case "dy":
			b.WriteString(strings.ToLower(t.Weekday().String()[:3]))
		case "HH", "HH12":
			num(h12, 2, fm)
		case "HH24":
			num(t.Hour(), 2, fm)
		case "MI":
			num(t.Minute(), 2, fm)
		case "SS":
			num(t.Second(), 2, fm)
		case "SSSS":
			num(t.Hour()*3600+t.Minute()*60+t.Second(), 1, fm)
		case "MS":
			num(int(frac/1000), 3, fm)
		case "US":
			num(int(frac), 6, fm)
		case "FF1", "FF2", "FF3", "FF4", "FF5", "FF6":
			n := int(tk.pat[2] - '0')
			div := 1
			for i := n; i < 6; i++ {
				div *= 10
			}
			num(int(frac)/div, n, false)
		case "AM", "PM":
			b.WriteString(ampm(t.Hour(), "AM", "PM"))
		case "am", "pm":
			b.WriteString(ampm(t.Hour(), "am", "pm"))
		case "A.M.", "P.M.":
			b.WriteString(ampm(t.Hour(), "A.M.", "P.M."))
		case "a.m.", "p.m.":
			b.WriteString(ampm(t.Hour(), "a.m.", "p.m."))
		case "Q":
			num((int(t.Month())-1)/3+1, 1, fm)
		case "WW":
			num((t.YearDay()-1)/7+1, 2, fm)
		case "IW":
			num(iw, 2, fm)
		case "J":
			num(int(floorDiv(local, types.MicrosPerDay))+unixJulian, 1, fm)
		case "TZ", "tz":
			if loc != nil {
				z := zoneAbbrev(zone, off)
				if tk.pat == "tz" {
					z = strings.ToLower(z)
				}
				b.WriteString(z)
			}
		case "OF":
			if loc != nil {
				b.WriteString(fmtOffset(off, false))
			}
		}
	}
	return b.String()
}

// zoneAbbrev renders a zone abbreviation as PostgreSQL does; numeric
// abbreviations from the tz database are shown as offsets.
func zoneAbbrev(zone string, off int) string {
	if zone == "" || zone[0] == '+' || zone[0] == '-' {
		return fmtOffset(off, false)
	}
	return zone
}

func ampm(h int, am, pm string) string {
	if h < 12 {
		return am
	}
	return pm
}

// parseDateTime is to_timestamp/to_date's parser; the result is a naive
// timestamp plus whether a zone offset was given (tzSet, tzOff seconds).
func parseDateTime(s, f string) (us int64, tzSet bool, tzOff int, err error) {
	y, mon, d, h, mi, sec, frac := 1, 1, 1, 0, 0, 0, int64(0)
	pm, hasAmPm, h12 := false, false, false
	i := 0
	bad := func(what string) error {
		return errf(pgerr.InvalidDatetimeFormat, "invalid value \"%s\" for \"%s\"", strings.TrimSpace(s[min(i, len(s)):min(i+4, len(s))]), what)
	}
	readNum := func(maxLen int) (int, int, bool) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		j, neg := i, false
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			neg = s[j] == '-'
			j++
		}
		k := j
		for k < len(s) && k-j < maxLen && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k == j {
			return 0, 0, false
		}
		n, _ := strconv.Atoi(s[j:k])
		if neg {
			n = -n
		}
		digits := k - j
		i = k
		return n, digits, true
	}
	for _, tk := range parseTemplate(f) {
		if tk.pat == "" {
			// Literal: skip one input character if it matches or is a separator.
			if i < len(s) && (s[i] == tk.lit[0] || tk.lit == " " || !isAlnum(s[i])) {
				i++
			}
			continue
		}
		var ok bool
		var n int
		switch tk.pat {
		case "YYYY", "IYYY":
			n, _, ok = readNum(8)
			y = n
		case "YYY", "YY", "Y":
			var dg int
			n, dg, ok = readNum(len(tk.pat))
			y = n
			if dg == 2 {
				if n < 70 {
					y = 2000 + n
				} else {
					y = 1900 + n
				}
			}
		case "MM":
			n, _, ok = readNum(2)
			mon = n
		case "DD":
			n, _, ok = readNum(2)
			d = n
		case "HH", "HH12":
			n, _, ok = readNum(2)
			h, h12 = n, true
		case "HH24":
			n, _, ok = readNum(2)
			h = n
		case "MI":
			n, _, ok = readNum(2)
			mi = n
		case "SS":
			n, _, ok = readNum(2)
			sec = n
		case "MS", "US", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6":
			w := 6
			if tk.pat == "MS" {
				w = 3
			}
			var dg int
			n, dg, ok = readNum(w)
			f := int64(n)
			for k := dg; k < 6; k++ {
				f *= 10
			}
			if tk.pat == "MS" {
				f = int64(n) * 1000
				for k := dg; k < 3; k++ {
					f *= 10
				}
			}
			frac = f
		case "AM", "PM", "am", "pm", "A.M.", "P.M.", "a.m.", "p.m.":
			rest := strings.ToUpper(s[i:])
			ok = true
			switch {
			case strings.HasPrefix(rest, "AM") || strings.HasPrefix(rest, "PM"):
				pm = rest[0] == 'P'
				i += 2
			case strings.HasPrefix(rest, "A.M.") || strings.HasPrefix(rest, "P.M."):
				pm = rest[0] == 'P'
				i += 4
			default:
				ok = false
			}
			hasAmPm = true
		case "MON", "Mon", "mon", "MONTH", "Month", "month":
			ok = false
			rest := strings.ToLower(s[i:])
			for m := time.January; m <= time.December; m++ {
				name := strings.ToLower(m.String())
				if strings.HasPrefix(rest, name) && len(tk.pat) == 5 {
					mon, i, ok = int(m), i+len(name), true
					break
				}
				if strings.HasPrefix(rest, name[:3]) {
					mon, i, ok = int(m), i+3, true
					if strings.HasPrefix(rest, name) {
						i += len(name) - 3
					}
					break
				}
			}
		case "DY", "Dy", "dy", "DAY", "Day", "day":
			for i < len(s) && isAlnum(s[i]) {
				i++
			}
			ok = true
		case "TZ", "tz", "OF":
			j := i
			for j < len(s) && s[j] != ' ' {
				j++
			}
			if off, good := parseOffset(s[i:j]); good {
				tzSet, tzOff, ok = true, off, true
			} else if loc, e := loadZone(s[i:j]); e == nil {
				_, o := time.Now().In(loc).Zone()
				tzSet, tzOff, ok = true, o, true
			}
			i = j
		default:
			n, _, ok = readNum(3)
		}
		if !ok {
			return 0, false, 0, bad(tk.pat)
		}
	}
	if hasAmPm || h12 {
		if h < 1 || h > 12 {
			return 0, false, 0, errf(pgerr.InvalidDatetimeFormat, "hour \"%d\" is invalid for the 12-hour clock", h)
		}
		if pm && h != 12 {
			h += 12
		} else if !pm && h == 12 {
			h = 0
		}
	}
	r, err := makeTs(int64(y), int64(mon), int64(d), int64(h), int64(mi), float64(sec))
	if err != nil {
		return 0, false, 0, err
	}
	return r + frac, tzSet, tzOff, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func init() {
	T := types.Text
	reg("to_char", ts(types.Timestamp, T), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return toChar(a[0].(int64), nil, str(a[1])), nil
	})
	reg("to_char", ts(types.Timestamptz, T), T, func(ctx *Ctx, _ []types.T, a []any) (any, error) {
		return toChar(a[0].(int64), locOf(ctx), str(a[1])), nil
	})
	reg("to_timestamp", ts(T, T), types.Timestamptz, func(ctx *Ctx, _ []types.T, a []any) (any, error) {
		us, tzSet, off, err := parseDateTime(str(a[0]), str(a[1]))
		if err != nil {
			return nil, err
		}
		if tzSet {
			return us - int64(off)*types.MicrosPerSecond, nil
		}
		return fromLocal(us, locOf(ctx)), nil
	})
	reg("to_date", ts(T, T), types.Date, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		us, _, _, err := parseDateTime(str(a[0]), str(a[1]))
		if err != nil {
			return nil, err
		}
		return floorDiv(us, types.MicrosPerDay), nil
	})
}
