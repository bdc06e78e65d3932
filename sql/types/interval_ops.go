package types

import (
	"math"
	"math/bits"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
)

const daysPerMonth = 30 // PostgreSQL's DAYS_PER_MONTH for interval math

func errIntervalRange() error {
	return pgerr.New(pgerr.DatetimeFieldOverflow, "interval out of range")
}

func add32(a, b int32) (int32, bool) {
	s := int64(a) + int64(b)
	return int32(s), s >= math.MinInt32 && s <= math.MaxInt32
}

func add64(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

// IntervalAdd returns a+b field by field (22008 on overflow).
func IntervalAdd(a, b Interval) (Interval, error) {
	m, ok1 := add32(a.Months, b.Months)
	d, ok2 := add32(a.Days, b.Days)
	u, ok3 := add64(a.Micros, b.Micros)
	if b.Micros == 0 {
		ok3 = true
	}
	if !ok1 || !ok2 || !ok3 {
		return Interval{}, errIntervalRange()
	}
	return Interval{m, d, u}, nil
}

// IntervalNeg returns -a.
func IntervalNeg(a Interval) (Interval, error) {
	if a.Months == math.MinInt32 || a.Days == math.MinInt32 || a.Micros == math.MinInt64 {
		return Interval{}, errIntervalRange()
	}
	return Interval{-a.Months, -a.Days, -a.Micros}, nil
}

// IntervalSub returns a-b.
func IntervalSub(a, b Interval) (Interval, error) {
	nb, err := IntervalNeg(b)
	if err != nil {
		return Interval{}, err
	}
	return IntervalAdd(a, nb)
}

// tsround rounds to microsecond precision as PostgreSQL's TSROUND.
func tsround(j float64) float64 { return math.RoundToEven(j*1e6) / 1e6 }

// IntervalMul returns iv*f as interval_mul: whole months and days are
// kept, their fractions cascade down to days and µs.
func IntervalMul(iv Interval, f float64) (Interval, error) {
	return intervalScale(iv, float64(iv.Months)*f, float64(iv.Days)*f, float64(iv.Micros)*f)
}

// IntervalDiv returns iv/f as interval_div; f == 0 is 22012.
func IntervalDiv(iv Interval, f float64) (Interval, error) {
	if f == 0 {
		return Interval{}, errDivZero()
	}
	return intervalScale(iv, float64(iv.Months)/f, float64(iv.Days)/f, float64(iv.Micros)/f)
}

func intervalScale(iv Interval, months, days, micros float64) (Interval, error) {
	if math.IsNaN(months) || math.IsNaN(days) || math.IsNaN(micros) ||
		math.Abs(months) > math.MaxInt32 || math.Abs(days) > math.MaxInt32 {
		return Interval{}, errIntervalRange()
	}
	rm := int32(months)
	rd := int32(days)
	monthRemDays := tsround((months - float64(rm)) * daysPerMonth)
	secRem := tsround((days - float64(rd) + monthRemDays - math.Trunc(monthRemDays)) * 86400)
	if math.Abs(secRem) >= 86400 {
		whole := math.Trunc(secRem / 86400)
		rd += int32(whole)
		secRem -= whole * 86400
	}
	rd += int32(monthRemDays)
	t := math.RoundToEven(micros + secRem*1e6)
	if math.IsNaN(t) || t >= 9.223372036854775807e18 || t < -9.223372036854775808e18 {
		return Interval{}, errIntervalRange()
	}
	return Interval{rm, rd, int64(t)}, nil
}

// intervalKey returns the comparison key of iv: total days at 30 days a
// month and 24 hours a day, plus the µs remainder in [0, 1 day).
func intervalKey(iv Interval) (int64, int64) {
	q, r := floorDiv(iv.Micros, MicrosPerDay)
	return int64(iv.Months)*daysPerMonth + int64(iv.Days) + q, r
}

// IntervalCmp compares intervals as PostgreSQL (1 mon = 30 days, 1 day = 24 h).
func IntervalCmp(a, b Interval) int {
	ad, ar := intervalKey(a)
	bd, br := intervalKey(b)
	switch {
	case ad < bd:
		return -1
	case ad > bd:
		return 1
	case ar < br:
		return -1
	case ar > br:
		return 1
	}
	return 0
}

// IntervalMicros returns iv's approximate length in µs (30-day months),
// saturating at the int64 range; used for bucket widths.
func IntervalMicros(iv Interval) int64 {
	d := int64(iv.Months)*daysPerMonth + int64(iv.Days)
	hi, lo := bits.Mul64(uint64(absI(d)), uint64(MicrosPerDay))
	if hi != 0 || lo > math.MaxInt64 {
		if d < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	v := int64(lo)
	if d < 0 {
		v = -v
	}
	s, ok := add64(v, iv.Micros)
	if !ok && iv.Micros != 0 {
		if iv.Micros > 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return s
}

// IntervalToTime converts like interval_time: the µs part modulo one day.
func IntervalToTime(iv Interval) int64 {
	_, r := floorDiv(iv.Micros, MicrosPerDay)
	return r
}

// addMonthsDays applies months then days to a wall-clock timestamp with
// PostgreSQL's month-end clamping.
func addMonthsDays(wall int64, months, days int32) (int64, bool) {
	day, tod := floorDiv(wall, MicrosPerDay)
	if months != 0 {
		y, m, d := civilFromDays(day)
		mm := y*12 + (m - 1) + int64(months)
		ny, nm := floorDiv(mm, 12)
		nm++
		if dim := daysInMonth(ny, nm); d > dim {
			d = dim
		}
		day = daysFromCivil(ny, nm, d)
	}
	day += int64(days)
	if day < minDate-1 || day > endDate+1 {
		return 0, false
	}
	return day*MicrosPerDay + tod, true
}

// AddInterval returns ts + iv for t timestamp, timestamptz or date (a date
// is taken as its midnight and the result is a timestamp, as date +
// interval is in PostgreSQL). Months are applied first (clamping to the
// month's end), then days, then µs; for timestamptz months and days move
// the wall clock in loc, so a day across a DST change is 23 or 25 hours.
// ±infinity is returned unchanged.
func AddInterval(t T, ts int64, iv Interval, loc *time.Location) (int64, error) {
	if ts == InfinityTS || ts == NegInfinityTS {
		return ts, nil
	}
	if t.OID == OidDate {
		var err error
		if ts, err = DateToTimestamp(ts); err != nil {
			return 0, err
		}
	}
	tzAware := t.OID == OidTimestamptz
	if iv.Months != 0 || iv.Days != 0 {
		wall := ts
		if tzAware {
			wall = TimestampToLocal(ts, loc)
		}
		w, ok := addMonthsDays(wall, iv.Months, iv.Days)
		if !ok {
			return 0, errOutOfRange(Timestamp)
		}
		if tzAware {
			ts = localToUTC(w, loc)
		} else {
			ts = w
		}
	}
	r, ok := add64(ts, iv.Micros)
	if (!ok && iv.Micros != 0) || r < minTimestamp || r >= endTimestamp {
		return 0, errOutOfRange(Timestamp)
	}
	return r, nil
}

// SubInterval returns ts - iv (see AddInterval).
func SubInterval(t T, ts int64, iv Interval, loc *time.Location) (int64, error) {
	n, err := IntervalNeg(iv)
	if err != nil {
		return 0, err
	}
	return AddInterval(t, ts, n, loc)
}

// SubTimestamps returns a - b as PostgreSQL's timestamp - timestamp: whole
// days and a time part of the same sign, never months. Infinite inputs
// (which PostgreSQL 15 rejects) give a zero interval.
func SubTimestamps(a, b int64) Interval {
	if a == InfinityTS || a == NegInfinityTS || b == InfinityTS || b == NegInfinityTS {
		return Interval{}
	}
	diff := a - b
	days := diff / MicrosPerDay
	us := diff - days*MicrosPerDay
	return Interval{Days: int32(days), Micros: us}
}

// DateSub returns a - b in days (date - date).
func DateSub(a, b int64) (int64, error) {
	if a == InfinityTS || a == NegInfinityTS || b == InfinityTS || b == NegInfinityTS {
		return 0, pgerr.New(pgerr.DatetimeFieldOverflow, "cannot subtract infinite dates")
	}
	return a - b, nil
}

// DateAddDays returns d + n days (date + integer); 22008 when out of range.
func DateAddDays(d, n int64) (int64, error) {
	if d == InfinityTS || d == NegInfinityTS {
		return d, nil
	}
	r := d + n
	if r < minDate || r >= endDate {
		return 0, errOutOfRange(Date)
	}
	return r, nil
}
