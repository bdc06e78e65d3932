package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// String returns the interval in PostgreSQL's default (postgres) output
// style, e.g. "1 year 2 mons 3 days 04:05:06.5".
func (iv Interval) String() string { return string(appendInterval(nil, iv)) }

// appendInterval implements interval_out with IntervalStyle=postgres.
func appendInterval(dst []byte, iv Interval) []byte {
	year := int64(iv.Months / 12)
	mon := int64(iv.Months % 12)
	day := int64(iv.Days)
	us := iv.Micros
	hour := us / MicrosPerHour
	us -= hour * MicrosPerHour
	min := us / MicrosPerMinute
	us -= min * MicrosPerMinute
	sec := us / MicrosPerSecond
	fsec := us - sec*MicrosPerSecond
	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !isZero {
			dst = append(dst, ' ')
		}
		if isBefore && v > 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, v, 10)
		dst = append(dst, ' ')
		dst = append(dst, unit...)
		if v != 1 {
			dst = append(dst, 's')
		}
		isBefore = v < 0
		isZero = false
	}
	part(year, "year")
	part(mon, "mon")
	part(day, "day")
	if isZero || hour != 0 || min != 0 || sec != 0 || fsec != 0 {
		minus := hour < 0 || min < 0 || sec < 0 || fsec < 0
		if !isZero {
			dst = append(dst, ' ')
		}
		if minus {
			dst = append(dst, '-')
		} else if isBefore {
			dst = append(dst, '+')
		}
		dst = appendPad(dst, absI(hour), 2)
		dst = append(dst, ':')
		dst = appendPad(dst, absI(min), 2)
		dst = append(dst, ':')
		dst = appendPad(dst, absI(sec), 2)
		dst = appendFrac(dst, absI(fsec))
	}
	return dst
}

func absI(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// intervalUnits maps unit spellings to their kind.
var intervalUnits = map[string]string{
	"microsecond": "us", "microseconds": "us", "usec": "us", "usecs": "us", "us": "us", "useconds": "us", "usecond": "us",
	"millisecond": "ms", "milliseconds": "ms", "msec": "ms", "msecs": "ms", "ms": "ms", "mseconds": "ms", "msecond": "ms",
	"second": "s", "seconds": "s", "sec": "s", "secs": "s", "s": "s",
	"minute": "min", "minutes": "min", "min": "min", "mins": "min", "m": "min",
	"hour": "h", "hours": "h", "hr": "h", "hrs": "h", "h": "h",
	"day": "d", "days": "d", "d": "d",
	"week": "w", "weeks": "w", "w": "w",
	"month": "mon", "months": "mon", "mon": "mon", "mons": "mon",
	"year": "y", "years": "y", "yr": "y", "yrs": "y", "y": "y",
	"decade": "dec", "decades": "dec", "dec": "dec", "decs": "dec",
	"century": "c", "centuries": "c", "cent": "c", "c": "c",
	"millennium": "mil", "millennia": "mil", "mil": "mil", "mils": "mil", "millenniums": "mil",
}

// ivAcc accumulates interval fields in floating point for fractional
// cascading, then rounds to µs like PostgreSQL.
type ivAcc struct {
	months, days int64
	us           float64
}

func (a *ivAcc) add(unit string, v float64) {
	whole, frac := math.Modf(v)
	switch unit {
	case "us":
		a.us += v
	case "ms":
		a.us += v * 1000
	case "s":
		a.us += v * 1e6
	case "min":
		a.us += v * 60e6
	case "h":
		a.us += v * 3600e6
	case "d":
		a.days += int64(whole)
		a.us += frac * 86400e6
	case "w":
		d := v * 7
		dw, df := math.Modf(d)
		a.days += int64(dw)
		a.us += df * 86400e6
	case "mon":
		a.months += int64(whole)
		a.fracMonths(frac)
	case "y", "dec", "c", "mil":
		mult := map[string]float64{"y": 1, "dec": 10, "c": 100, "mil": 1000}[unit]
		y := v * mult
		yw, yf := math.Modf(y)
		a.months += int64(yw)*12 + int64(math.RoundToEven(yf*12))
	}
}

func (a *ivAcc) fracMonths(frac float64) {
	d := frac * 30
	dw, df := math.Modf(d)
	a.days += int64(dw)
	a.us += df * 86400e6
}

// parseInterval implements interval_in for the postgres, verbose (@ ...
// ago) and ISO 8601 (P...) forms.
func parseInterval(s string) (Interval, error) {
	v := strings.ToLower(trimSpace(s))
	bad := func() (Interval, error) { return Interval{}, errDatetimeSyntax(IntervalT, s) }
	if v == "" {
		return bad()
	}
	if v[0] == 'p' {
		iv, ok := parseISOInterval(v[1:])
		if !ok {
			return bad()
		}
		return iv, nil
	}
	var acc ivAcc
	ago := false
	any := false
	i, n := 0, len(v)
	for i < n {
		c := v[i]
		switch {
		case isSpace(c) || c == ',':
			i++
			continue
		case c == '@':
			i++
			continue
		case isAlpha(c):
			j := i
			for j < n && isAlpha(v[j]) {
				j++
			}
			if v[i:j] == "ago" {
				ago = true
				i = j
				continue
			}
			return bad()
		}
		// A signed number, a time hh:mm[:ss[.f]], or a number and unit.
		j := i
		sign := 1.0
		if v[j] == '+' || v[j] == '-' {
			if v[j] == '-' {
				sign = -1
			}
			j++
		}
		k := scanDigits(v, j)
		if k < n && v[k] == ':' {
			us, end, ok := parseIntervalClock(v, j)
			if !ok {
				return bad()
			}
			acc.us += sign * float64(us)
			i = end
			any = true
			continue
		}
		if k < n && v[k] == '.' {
			k = scanDigits(v, k+1)
		}
		if k == j || (k == j+1 && v[j] == '.') {
			return bad()
		}
		num, err := strconv.ParseFloat(v[j:k], 64)
		if err != nil {
			return bad()
		}
		num *= sign
		i = k
		for i < n && isSpace(v[i]) {
			i++
		}
		u := i
		for u < n && isAlpha(v[u]) {
			u++
		}
		unit := ""
		if u > i && v[i:u] != "ago" {
			var ok bool
			unit, ok = intervalUnits[v[i:u]]
			if !ok {
				return bad()
			}
			i = u
		} else {
			// A bare number is seconds, or days when a time follows.
			rest := i
			for rest < n && isSpace(v[rest]) {
				rest++
			}
			if rest < n && (isDigit(v[rest]) || v[rest] == '-' || v[rest] == '+') && strings.IndexByte(v[rest:], ':') > 0 {
				unit = "d"
			} else {
				unit = "s"
			}
		}
		acc.add(unit, num)
		any = true
	}
	if !any {
		return bad()
	}
	iv, err := acc.result()
	if err != nil {
		return Interval{}, pgerr.New(pgerr.DatetimeFieldOverflow, "interval field value out of range: \"%s\"", s)
	}
	if ago {
		iv = Interval{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}
	}
	return iv, nil
}

func (a *ivAcc) result() (Interval, error) {
	us := math.RoundToEven(a.us)
	if a.months > math.MaxInt32 || a.months < math.MinInt32 || a.days > math.MaxInt32 ||
		a.days < math.MinInt32 || math.IsNaN(us) || us >= 9.2e18 || us <= -9.2e18 {
		return Interval{}, errOutOfRange(IntervalT)
	}
	return Interval{Months: int32(a.months), Days: int32(a.days), Micros: int64(us)}, nil
}

// parseIntervalClock reads h:mm[:ss[.frac]] starting at digits.
func parseIntervalClock(v string, i int) (int64, int, bool) {
	j := scanDigits(v, i)
	if j == i || j-i > 12 {
		return 0, j, false
	}
	h := atoiDigits(v[i:j])
	i = j + 1
	j = scanDigits(v, i)
	if j == i || j-i > 2 {
		return 0, j, false
	}
	m := atoiDigits(v[i:j])
	var sec, us int64
	i = j
	if i < len(v) && v[i] == ':' {
		j = scanDigits(v, i+1)
		if j == i+1 || j-i-1 > 2 {
			return 0, j, false
		}
		sec = atoiDigits(v[i+1 : j])
		i = j
	}
	if i < len(v) && v[i] == '.' {
		j = scanDigits(v, i+1)
		us = fracMicros(v[i+1 : j])
		i = j
	}
	if m > 59 || sec > 59 {
		return 0, i, false
	}
	return h*MicrosPerHour + m*MicrosPerMinute + sec*MicrosPerSecond + us, i, true
}

// parseISOInterval reads the part after 'P' of an ISO 8601 duration.
func parseISOInterval(v string) (Interval, bool) {
	var acc ivAcc
	inTime := false
	any := false
	for i := 0; i < len(v); {
		if v[i] == 't' {
			if inTime {
				return Interval{}, false
			}
			inTime = true
			i++
			continue
		}
		j := i
		if j < len(v) && (v[j] == '-' || v[j] == '+') {
			j++
		}
		k := scanDigits(v, j)
		if k < len(v) && v[k] == '.' {
			k = scanDigits(v, k+1)
		}
		if k == j || k >= len(v) {
			return Interval{}, false
		}
		num, err := strconv.ParseFloat(v[i:k], 64)
		if err != nil {
			return Interval{}, false
		}
		var unit string
		switch v[k] {
		case 'y':
			unit = "y"
		case 'm':
			unit = "mon"
			if inTime {
				unit = "min"
			}
		case 'w':
			unit = "w"
		case 'd':
			unit = "d"
		case 'h':
			unit = "h"
		case 's':
			unit = "s"
		default:
			return Interval{}, false
		}
		if inTime != (unit == "h" || unit == "min" || unit == "s") {
			return Interval{}, false
		}
		acc.add(unit, num)
		any = true
		i = k + 1
	}
	if !any {
		return Interval{}, false
	}
	iv, err := acc.result()
	return iv, err == nil
}
