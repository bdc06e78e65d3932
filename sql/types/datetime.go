package types

import (
	"math"
	"strconv"
	"time"
)

// Calendar constants, the one definition of each for every package.
// Timestamps are int64 µs since 1970-01-01 UTC and dates int64 days since
// 1970-01-01; PostgreSQL's own epoch, which its binary formats count from,
// is 2000-01-01.
const (
	// MicrosPerSecond is the number of microseconds in a second.
	MicrosPerSecond = int64(1_000_000)
	// MicrosPerMinute is the number of microseconds in a minute.
	MicrosPerMinute = 60 * MicrosPerSecond
	// MicrosPerHour is the number of microseconds in an hour.
	MicrosPerHour = 60 * MicrosPerMinute
	// MicrosPerDay is the number of microseconds in a day of 24 hours.
	MicrosPerDay = 24 * MicrosPerHour

	// PGEpochDays is 2000-01-01 (PostgreSQL's epoch) in days since
	// 1970-01-01.
	PGEpochDays = 10957
	// PGEpochMicros is 2000-01-01 in µs since 1970-01-01.
	PGEpochMicros = PGEpochDays * MicrosPerDay
)

// InfinityTS and NegInfinityTS are the ±infinity timestamps and dates.
const (
	InfinityTS    = int64(math.MaxInt64)
	NegInfinityTS = int64(math.MinInt64)
)

// Valid ranges: PostgreSQL's MIN_TIMESTAMP (4714-11-24 BC) and the date
// range up to 5874898-01-01. PostgreSQL's END_TIMESTAMP (294277-01-01) does
// not fit in int64 µs since 1970, so timestamps end a little earlier, at
// the last whole day below math.MaxInt64 µs (in 294247).
var (
	minDate      = daysFromCivil(-4713, 11, 24)
	endDate      = daysFromCivil(5874898, 1, 1)
	minTimestamp = minDate * MicrosPerDay
	endTimestamp = (math.MaxInt64/MicrosPerDay - 1) * MicrosPerDay
)

// NowFunc returns the current time for the 'now', 'today', 'tomorrow' and
// 'yesterday' inputs. The engine may replace it (e.g. with the transaction
// start time).
var NowFunc = time.Now

// daysFromCivil returns days since 1970-01-01 of the proleptic Gregorian date
// y-m-d, with astronomical year numbering (year 0 is 1 BC).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInMonth(y, m int64) int64 {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// floorDiv returns floor(a/b) and the non-negative remainder for b > 0.
func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return q, r
}

// zoneOffset returns loc's UTC offset in seconds at the instant ts (µs).
func zoneOffset(ts int64, loc *time.Location) int64 {
	if loc == nil || loc == time.UTC {
		return 0
	}
	sec, _ := floorDiv(ts, MicrosPerSecond)
	_, off := time.Unix(sec, 0).In(loc).Zone()
	return int64(off)
}

// localToUTC converts a wall-clock time in loc (µs as if UTC) to an instant.
// Like PostgreSQL, a wall time in a DST gap or overlap resolves using the
// offset in effect just before the transition where possible.
func localToUTC(wall int64, loc *time.Location) int64 {
	if loc == nil || loc == time.UTC {
		return wall
	}
	off1 := zoneOffset(wall, loc)
	guess := wall - off1*MicrosPerSecond
	off2 := zoneOffset(guess, loc)
	if off2 == off1 {
		return guess
	}
	guess2 := wall - off2*MicrosPerSecond
	if zoneOffset(guess2, loc) == off2 {
		return guess2
	}
	// In a gap: PostgreSQL interprets the time using the offset in effect
	// before the transition.
	before := zoneOffset(wall-max(off1, off2)*MicrosPerSecond, loc)
	return wall - before*MicrosPerSecond
}

// TimestampToLocal returns the wall clock (µs as if UTC) of instant ts in loc.
func TimestampToLocal(ts int64, loc *time.Location) int64 {
	if ts == InfinityTS || ts == NegInfinityTS {
		return ts
	}
	return ts + zoneOffset(ts, loc)*MicrosPerSecond
}

// LocalToTimestamp returns the instant of wall clock w (µs as if UTC) in loc.
func LocalToTimestamp(w int64, loc *time.Location) int64 {
	if w == InfinityTS || w == NegInfinityTS {
		return w
	}
	return localToUTC(w, loc)
}

func appendPad(dst []byte, n int64, width int) []byte {
	s := strconv.FormatInt(n, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendYMD appends the date part without the BC suffix; it returns whether
// the year is BC.
func appendYMD(dst []byte, days int64) ([]byte, bool) {
	y, m, d := civilFromDays(days)
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	dst = appendPad(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPad(dst, m, 2)
	dst = append(dst, '-')
	dst = appendPad(dst, d, 2)
	return dst, bc
}

// appendTimeOfDay appends HH:MM:SS[.ffffff] with trailing zeros trimmed.
func appendTimeOfDay(dst []byte, us int64) []byte {
	h := us / MicrosPerHour
	us -= h * MicrosPerHour
	mi := us / MicrosPerMinute
	us -= mi * MicrosPerMinute
	s := us / MicrosPerSecond
	us -= s * MicrosPerSecond
	dst = appendPad(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPad(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendPad(dst, s, 2)
	return appendFrac(dst, us)
}

func appendFrac(dst []byte, us int64) []byte {
	if us == 0 {
		return dst
	}
	dst = append(dst, '.')
	start := len(dst)
	dst = appendPad(dst, us, 6)
	for len(dst) > start && dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

func appendDate(dst []byte, days int64) []byte {
	switch days {
	case InfinityTS:
		return append(dst, "infinity"...)
	case NegInfinityTS:
		return append(dst, "-infinity"...)
	}
	dst, bc := appendYMD(dst, days)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

func appendTimestamp(dst []byte, ts int64, withTZ bool, loc *time.Location) []byte {
	switch ts {
	case InfinityTS:
		return append(dst, "infinity"...)
	case NegInfinityTS:
		return append(dst, "-infinity"...)
	}
	var off int64
	if withTZ {
		off = zoneOffset(ts, loc)
	}
	days, us := floorDiv(ts+off*MicrosPerSecond, MicrosPerDay)
	dst, bc := appendYMD(dst, days)
	dst = append(dst, ' ')
	dst = appendTimeOfDay(dst, us)
	if withTZ {
		dst = appendOffset(dst, off)
	}
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendOffset appends a UTC offset as +HH, +HH:MM or +HH:MM:SS.
func appendOffset(dst []byte, off int64) []byte {
	if off < 0 {
		dst = append(dst, '-')
		off = -off
	} else {
		dst = append(dst, '+')
	}
	dst = appendPad(dst, off/3600, 2)
	if m, s := off/60%60, off%60; m != 0 || s != 0 {
		dst = append(dst, ':')
		dst = appendPad(dst, m, 2)
		if s != 0 {
			dst = append(dst, ':')
			dst = appendPad(dst, s, 2)
		}
	}
	return dst
}

// DateToTimestamp returns midnight of date d as a timestamp (wall clock).
func DateToTimestamp(d int64) (int64, error) {
	switch d {
	case InfinityTS, NegInfinityTS:
		return d, nil
	}
	ts := d * MicrosPerDay
	if ts < minTimestamp || ts >= endTimestamp {
		return 0, errOutOfRange(Timestamp)
	}
	return ts, nil
}

// TimestampToDate returns the date of a timestamp's wall clock.
func TimestampToDate(ts int64) int64 {
	switch ts {
	case InfinityTS, NegInfinityTS:
		return ts
	}
	d, _ := floorDiv(ts, MicrosPerDay)
	return d
}

// TimestampTimeOfDay returns the time-of-day part of a wall-clock timestamp.
func TimestampTimeOfDay(ts int64) int64 {
	_, us := floorDiv(ts, MicrosPerDay)
	return us
}
