package types

import (
	"strings"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// dtFields are the parts of a date/time input string.
type dtFields struct {
	hasDate  bool
	y, m, d  int64
	yDigits  int
	monthSet bool // month given by name; nums fill day and year
	nums     []string
	bc       bool
	hasTime  bool
	us       int64 // time of day, may be exactly 24:00
	pm, am   bool
	hasTZ    bool
	off      int64 // seconds east of UTC
	zone     *time.Location
	special  string
}

type dtErr int

const (
	dtOK dtErr = iota
	dtSyntax
	dtRange
	dtBadZone
	dtZoneRange
)

var monthNames = map[string]int64{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
	"october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var dayNames = map[string]bool{
	"mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true,
	"wed": true, "wednesday": true, "thu": true, "thur": true, "thurs": true,
	"thursday": true, "fri": true, "friday": true, "sat": true, "saturday": true,
	"sun": true, "sunday": true,
}

// zoneAbbrevs are common time zone abbreviations (PostgreSQL's Default
// set) with their offsets in seconds east of UTC.
var zoneAbbrevs = map[string]int64{
	"z": 0, "zulu": 0, "utc": 0, "gmt": 0, "ut": 0, "uct": 0, "wet": 0,
	"west": 3600, "bst": 3600, "cet": 3600, "met": 3600, "cest": 7200, "mest": 7200,
	"eet": 7200, "eest": 10800, "msk": 10800, "est": -5 * 3600, "edt": -4 * 3600,
	"cst": -6 * 3600, "cdt": -5 * 3600, "mst": -7 * 3600, "mdt": -6 * 3600,
	"pst": -8 * 3600, "pdt": -7 * 3600, "akst": -9 * 3600, "akdt": -8 * 3600,
	"hst": -10 * 3600, "jst": 9 * 3600, "kst": 9 * 3600, "aest": 10 * 3600,
	"aedt": 11 * 3600, "nzst": 12 * 3600, "nzdt": 13 * 3600,
}

var specials = map[string]bool{
	"epoch": true, "infinity": true, "now": true, "today": true,
	"tomorrow": true, "yesterday": true, "allballs": true,
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func atoiDigits(s string) int64 {
	var n int64
	for i := 0; i < len(s) && n < 1e15; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n
}

func scanDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// fracMicros converts the digits after a decimal point to µs, rounding
// half up at the 7th digit.
func fracMicros(digits string) int64 {
	var us int64
	for k := 0; k < 6; k++ {
		us *= 10
		if k < len(digits) {
			us += int64(digits[k] - '0')
		}
	}
	if len(digits) > 6 && digits[6] >= '5' {
		us++
	}
	return us
}

// parseDT splits a date/time string into fields.
func parseDT(s string) (f dtFields, e dtErr, zoneName string) {
	low := strings.ToLower(s)
	n := len(low)
	i := 0
	if v := trimSpace(low); v == "-infinity" || v == "+infinity" {
		f.special = v
		if v[0] == '+' {
			f.special = "infinity"
		}
		return f, dtOK, ""
	}
	for i < n {
		c := low[i]
		switch {
		case isSpace(c) || c == ',':
			i++
		case isDigit(c):
			j := scanDigits(low, i)
			switch {
			case j < n && low[j] == ':':
				if f.hasTime {
					return f, dtSyntax, ""
				}
				var ok dtErr
				i, ok = parseClock(low, i, &f)
				if ok != dtOK {
					return f, ok, ""
				}
			case j < n && (low[j] == '-' || low[j] == '/' || low[j] == '.') && !f.hasDate && j+1 < n && isDigit(low[j+1]):
				var ok dtErr
				i, ok = parseYMD(low, i, &f)
				if ok != dtOK {
					return f, ok, ""
				}
			case !f.hasDate && !f.monthSet && j-i == 8:
				f.hasDate = true
				f.y, f.m, f.d, f.yDigits = atoiDigits(low[i:i+4]), atoiDigits(low[i+4:i+6]), atoiDigits(low[i+6:i+8]), 4
				i = j
			case !f.hasDate:
				f.nums = append(f.nums, low[i:j])
				i = j
			default:
				return f, dtSyntax, ""
			}
		case c == '+' || c == '-':
			if !f.hasTime && !f.hasDate {
				return f, dtSyntax, ""
			}
			var ok dtErr
			i, ok = parseOffset(low, i, &f)
			if ok != dtOK {
				return f, ok, ""
			}
		case c == 't' && i+1 < n && isDigit(low[i+1]):
			i++
		case isAlpha(c):
			j := i
			slash := false
			for j < n && (isAlpha(low[j]) || low[j] == '/' || low[j] == '_' ||
				(slash && (isDigit(low[j]) || low[j] == '+' || low[j] == '-'))) {
				if low[j] == '/' {
					slash = true
				}
				j++
			}
			w := low[i:j]
			orig := s[i:j]
			i = j
			if off, ok := zoneAbbrevs[w]; ok {
				if f.hasTZ {
					return f, dtSyntax, ""
				}
				f.hasTZ, f.off = true, off
				continue
			}
			if m, ok := monthNames[w]; ok && !f.hasDate && !f.monthSet {
				f.m, f.monthSet = m, true
				continue
			}
			switch {
			case dayNames[w], w == "ad", w == "at", w == "on":
			case w == "bc":
				f.bc = true
			case w == "am":
				f.am = true
			case w == "pm":
				f.pm = true
			case specials[w]:
				if f.special != "" {
					return f, dtSyntax, ""
				}
				f.special = w
			default:
				loc := loadZone(orig)
				if loc == nil {
					if slash {
						return f, dtBadZone, w
					}
					return f, dtSyntax, ""
				}
				if f.hasTZ {
					return f, dtSyntax, ""
				}
				f.hasTZ, f.zone = true, loc
			}
		default:
			return f, dtSyntax, ""
		}
	}
	if f.monthSet && !f.hasDate {
		if len(f.nums) != 2 {
			return f, dtSyntax, ""
		}
		a, b := f.nums[0], f.nums[1]
		if len(a) >= 3 || atoiDigits(a) > 31 {
			a, b = b, a
		}
		f.hasDate = true
		f.d, f.y, f.yDigits = atoiDigits(a), atoiDigits(b), len(b)
		f.nums = nil
	}
	if len(f.nums) > 0 {
		return f, dtSyntax, ""
	}
	if f.hasTime && (f.am || f.pm) {
		h := f.us / MicrosPerHour
		if h > 12 || h == 0 && f.pm {
			return f, dtRange, ""
		}
		if f.pm && h < 12 {
			f.us += 12 * MicrosPerHour
		} else if f.am && h == 12 {
			f.us -= 12 * MicrosPerHour
		}
	}
	if f.hasDate {
		if f.yDigits <= 2 && !f.bc && f.y < 100 {
			// Two-digit years are mapped to 1970-2069.
			if f.y < 70 {
				f.y += 2000
			} else {
				f.y += 1900
			}
		}
		if f.bc {
			if f.y < 1 {
				return f, dtRange, ""
			}
			f.y = 1 - f.y
		} else if f.y == 0 {
			return f, dtRange, ""
		}
		if f.m < 1 || f.m > 12 || f.d < 1 || f.d > daysInMonth(f.y, f.m) {
			return f, dtRange, ""
		}
	}
	return f, dtOK, ""
}

// loadZone resolves a time zone name (case-insensitively for the common
// capitalizations).
func loadZone(name string) *time.Location {
	if name == "" {
		return nil
	}
	if l, err := time.LoadLocation(name); err == nil && name != "Local" {
		return l
	}
	parts := strings.Split(strings.ToLower(name), "/")
	for k, p := range parts {
		sub := strings.Split(p, "_")
		for x, w := range sub {
			if len(w) > 0 {
				sub[x] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
		parts[k] = strings.Join(sub, "_")
	}
	if l, err := time.LoadLocation(strings.Join(parts, "/")); err == nil {
		return l
	}
	if l, err := time.LoadLocation(strings.ToUpper(name)); err == nil {
		return l
	}
	return nil
}

// LoadZone resolves a PostgreSQL time zone setting (a name such as
// 'Europe/Berlin', 'UTC', or an offset such as '+02:00' meaning POSIX
// semantics are not applied: '+02' is two hours east). It returns nil when
// the name is unknown.
func LoadZone(name string) *time.Location {
	if off, ok := zoneAbbrevs[strings.ToLower(name)]; ok {
		if off == 0 {
			return time.UTC
		}
		return time.FixedZone(strings.ToUpper(name), int(off))
	}
	return loadZone(name)
}

func parseClock(s string, i int, f *dtFields) (int, dtErr) {
	j := scanDigits(s, i)
	h := atoiDigits(s[i:j])
	if j >= len(s) || s[j] != ':' || j+1 >= len(s) || !isDigit(s[j+1]) {
		return j, dtSyntax
	}
	i = j + 1
	j = scanDigits(s, i)
	mi := atoiDigits(s[i:j])
	var sec, us int64
	i = j
	if i < len(s) && s[i] == ':' {
		i++
		j = scanDigits(s, i)
		if j == i {
			return j, dtSyntax
		}
		sec = atoiDigits(s[i:j])
		i = j
	}
	if i < len(s) && s[i] == '.' {
		i++
		j = scanDigits(s, i)
		us = fracMicros(s[i:j])
		i = j
	}
	if h < 0 || h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi != 0 || sec != 0 || us != 0)) {
		return i, dtRange
	}
	f.hasTime = true
	f.us = h*MicrosPerHour + mi*MicrosPerMinute + sec*MicrosPerSecond + us
	return i, dtOK
}

func parseYMD(s string, i int, f *dtFields) (int, dtErr) {
	var parts [3]string
	sep := byte(0)
	for k := 0; k < 3; k++ {
		j := scanDigits(s, i)
		if j == i {
			if k == 1 {
				// month name in the middle: 2024-jan-02
				for j < len(s) && isAlpha(s[j]) {
					j++
				}
				m, ok := monthNames[s[i:j]]
				if !ok {
					return j, dtSyntax
				}
				parts[k] = string(rune('0'+m/10)) + string(rune('0'+m%10))
			} else {
				return j, dtSyntax
			}
		} else {
			parts[k] = s[i:j]
		}
		i = j
		if k < 2 {
			if i >= len(s) || (sep != 0 && s[i] != sep) || (s[i] != '-' && s[i] != '/' && s[i] != '.') {
				return i, dtSyntax
			}
			sep = s[i]
			i++
		}
	}
	f.hasDate = true
	if len(parts[0]) >= 3 {
		f.y, f.m, f.d, f.yDigits = atoiDigits(parts[0]), atoiDigits(parts[1]), atoiDigits(parts[2]), len(parts[0])
	} else {
		// DateStyle MDY, PostgreSQL's default ordering for ambiguous input.
		f.m, f.d, f.y, f.yDigits = atoiDigits(parts[0]), atoiDigits(parts[1]), atoiDigits(parts[2]), len(parts[2])
	}
	return i, dtOK
}

func parseOffset(s string, i int, f *dtFields) (int, dtErr) {
	if f.hasTZ {
		return i, dtSyntax
	}
	sign := int64(1)
	if s[i] == '-' {
		sign = -1
	}
	i++
	j := scanDigits(s, i)
	if j == i {
		return j, dtSyntax
	}
	var h, m, sec int64
	digits := s[i:j]
	switch {
	case j < len(s) && s[j] == ':':
		h = atoiDigits(digits)
		i = j + 1
		j = scanDigits(s, i)
		if j == i {
			return j, dtSyntax
		}
		m = atoiDigits(s[i:j])
		if j < len(s) && s[j] == ':' {
			i = j + 1
			j = scanDigits(s, i)
			sec = atoiDigits(s[i:j])
		}
	case len(digits) <= 2:
		h = atoiDigits(digits)
	case len(digits) == 4:
		h, m = atoiDigits(digits[:2]), atoiDigits(digits[2:])
	case len(digits) == 6:
		h, m, sec = atoiDigits(digits[:2]), atoiDigits(digits[2:4]), atoiDigits(digits[4:])
	default:
		return j, dtSyntax
	}
	if m > 59 || sec > 59 {
		return j, dtRange
	}
	if h > 15 {
		return j, dtZoneRange
	}
	f.hasTZ = true
	f.off = sign * (h*3600 + m*60 + sec)
	return j, dtOK
}

func dtError(t T, s string, e dtErr, zone string) error {
	switch e {
	case dtRange:
		return errDatetimeRange(s)
	case dtBadZone:
		return pgerr.New(pgerr.InvalidParameterValue, "time zone \"%s\" not recognized", zone)
	case dtZoneRange:
		return pgerr.New(pgerr.InvalidTimeZoneDisplacement, "time zone displacement out of range: \"%s\"", s)
	}
	return errDatetimeSyntax(t, s)
}

// nowWall returns the current instant and its wall clock in loc.
func nowWall(loc *time.Location) (ts, wall int64) {
	now := NowFunc()
	ts = now.UnixMicro()
	return ts, TimestampToLocal(ts, loc)
}

// parseTimestamp implements timestamp_in and timestamptz_in.
func parseTimestamp(t T, s string, loc *time.Location) (int64, error) {
	withTZ := t.OID == OidTimestamptz
	f, e, zn := parseDT(s)
	if e != dtOK {
		return 0, dtError(t, s, e, zn)
	}
	if f.special != "" {
		if f.hasDate || f.hasTZ && f.special != "today" {
			return 0, errDatetimeSyntax(t, s)
		}
		switch f.special {
		case "epoch":
			if f.hasTime {
				return 0, errDatetimeSyntax(t, s)
			}
			return 0, nil
		case "infinity":
			return InfinityTS, nil
		case "-infinity":
			return NegInfinityTS, nil
		case "now":
			ts, wall := nowWall(loc)
			if withTZ {
				return ts, nil
			}
			return wall, nil
		case "today", "tomorrow", "yesterday":
			_, wall := nowWall(loc)
			day, _ := floorDiv(wall, MicrosPerDay)
			switch f.special {
			case "tomorrow":
				day++
			case "yesterday":
				day--
			}
			f.hasDate = true
			f.y, f.m, f.d = civilFromDays(day)
		default:
			return 0, errDatetimeSyntax(t, s)
		}
	}
	if !f.hasDate {
		return 0, errDatetimeSyntax(t, s)
	}
	days := daysFromCivil(f.y, f.m, f.d)
	if days < minDate-1 || days > endTimestamp/MicrosPerDay {
		return 0, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	wall := days*MicrosPerDay + f.us
	ts := wall
	if withTZ {
		switch {
		case f.zone != nil:
			ts = localToUTC(wall, f.zone)
		case f.hasTZ:
			ts = wall - f.off*MicrosPerSecond
		default:
			ts = localToUTC(wall, loc)
		}
	}
	if ts < minTimestamp || ts >= endTimestamp {
		return 0, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return ts, nil
}

// parseDate implements date_in.
func parseDate(s string, loc *time.Location) (int64, error) {
	f, e, zn := parseDT(s)
	if e != dtOK {
		return 0, dtError(Date, s, e, zn)
	}
	if f.special != "" {
		if f.hasDate {
			return 0, errDatetimeSyntax(Date, s)
		}
		switch f.special {
		case "epoch":
			return 0, nil
		case "infinity":
			return InfinityTS, nil
		case "-infinity":
			return NegInfinityTS, nil
		case "now", "today", "tomorrow", "yesterday":
			_, wall := nowWall(loc)
			day, _ := floorDiv(wall, MicrosPerDay)
			switch f.special {
			case "tomorrow":
				day++
			case "yesterday":
				day--
			}
			return day, nil
		}
		return 0, errDatetimeSyntax(Date, s)
	}
	if !f.hasDate {
		return 0, errDatetimeSyntax(Date, s)
	}
	d := daysFromCivil(f.y, f.m, f.d)
	if d < minDate || d >= endDate {
		return 0, pgerr.New(pgerr.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	return d, nil
}

// parseTime implements time_in.
func parseTime(s string, loc *time.Location) (int64, error) {
	f, e, zn := parseDT(s)
	if e != dtOK {
		return 0, dtError(Time, s, e, zn)
	}
	switch f.special {
	case "":
	case "allballs":
		return 0, nil
	case "now":
		_, wall := nowWall(loc)
		_, us := floorDiv(wall, MicrosPerDay)
		return us, nil
	default:
		return 0, errDatetimeSyntax(Time, s)
	}
	if !f.hasTime {
		return 0, errDatetimeSyntax(Time, s)
	}
	return f.us, nil
}
