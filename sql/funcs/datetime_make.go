package funcs

import (
	"math"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// make_*, age, justify_*, date_bin, timezone (AT TIME ZONE), isfinite and
// to_timestamp(float8).

func init() {
	I, F, T := types.Int4, types.Float8, types.Text
	RegisterScalar(&Scalar{Name: "make_interval", Args: ts(I, I, I, I, I, I, F),
		ArgNames: []string{"years", "months", "weeks", "days", "hours", "mins", "secs"}, Defaults: 7,
		Ret: Fixed(types.IntervalT), Strict: true, Fn: makeInterval})
	reg("make_date", ts(I, I, I), types.Date, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		us, err := makeTs(a[0].(int64), a[1].(int64), a[2].(int64), 0, 0, 0)
		if err != nil {
			return nil, err
		}
		return us / types.MicrosPerDay, nil
	})
	RegisterScalar(&Scalar{Name: "make_timestamp", Args: ts(I, I, I, I, I, F),
		ArgNames: []string{"year", "month", "mday", "hour", "min", "sec"}, Ret: Fixed(types.Timestamp), Strict: true,
		Fn: func(_ *Ctx, _ []types.T, a []any) (any, error) {
			return makeTs(a[0].(int64), a[1].(int64), a[2].(int64), a[3].(int64), a[4].(int64), ToF64(a[5]))
		}})
	RegisterScalar(&Scalar{Name: "make_timestamptz", Args: ts(I, I, I, I, I, F, T), Defaults: 1,
		ArgNames: []string{"year", "month", "mday", "hour", "min", "sec", "timezone"}, Ret: Fixed(types.Timestamptz), Strict: true,
		Fn: func(ctx *Ctx, _ []types.T, a []any) (any, error) {
			loc := locOf(ctx)
			if len(a) > 6 {
				l, err := loadZone(str(a[6]))
				if err != nil {
					return nil, err
				}
				loc = l
			}
			us, err := makeTs(a[0].(int64), a[1].(int64), a[2].(int64), a[3].(int64), a[4].(int64), ToF64(a[5]))
			if err != nil {
				return nil, err
			}
			return fromLocal(us, loc), nil
		}})
	reg("age", ts(types.Timestamp, types.Timestamp), types.IntervalT, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return age(a[0].(int64), a[1].(int64), nil)
	})
	reg("age", ts(types.Timestamptz, types.Timestamptz), types.IntervalT, func(ctx *Ctx, _ []types.T, a []any) (any, error) {
		return age(a[0].(int64), a[1].(int64), locOf(ctx))
	})
	reg("age", ts(types.Timestamp), types.IntervalT, func(ctx *Ctx, _ []types.T, a []any) (any, error) {
		today := floorDiv(localOf(ctx.Now, locOf(ctx)), types.MicrosPerDay) * types.MicrosPerDay
		return age(today, a[0].(int64), nil)
	})
	iv := types.IntervalT
	reg("justify_days", ts(iv), iv, func(_ *Ctx, _ []types.T, a []any) (any, error) { return justifyDays(a[0].(types.Interval)), nil })
	reg("justify_hours", ts(iv), iv, func(_ *Ctx, _ []types.T, a []any) (any, error) { return justifyHours(a[0].(types.Interval)), nil })
	reg("justify_interval", ts(iv), iv, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return justifyInterval(a[0].(types.Interval)), nil
	})
	for _, t := range []types.T{types.Timestamp, types.Timestamptz} {
		reg("date_bin", ts(iv, t, t), t, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			return dateBin(a[0].(types.Interval), a[1].(int64), a[2].(int64))
		})
	}
	reg("timezone", ts(T, types.Timestamptz), types.Timestamp, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		loc, err := loadZone(str(a[0]))
		if err != nil {
			return nil, err
		}
		return localOf(a[1].(int64), loc), nil
	})
	reg("timezone", ts(T, types.Timestamp), types.Timestamptz, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		loc, err := loadZone(str(a[0]))
		if err != nil {
			return nil, err
		}
		return fromLocal(a[1].(int64), loc), nil
	})
	for _, t := range []types.T{types.Timestamp, types.Timestamptz} {
		reg("isfinite", ts(t), types.Bool, func(_ *Ctx, _ []types.T, a []any) (any, error) { return !isInfTs(a[0].(int64)), nil })
	}
	reg("isfinite", ts(types.Date), types.Bool, func(_ *Ctx, _ []types.T, a []any) (any, error) { return !isInfDate(a[0].(int64)), nil })
	reg("isfinite", ts(iv), types.Bool, func(*Ctx, []types.T, []any) (any, error) { return true, nil })
	reg("to_timestamp", ts(F), types.Timestamptz, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		f := ToF64(a[0])
		switch {
		case math.IsNaN(f):
			return nil, errf(pgerr.DatetimeFieldOverflow, "timestamp cannot be NaN")
		case math.IsInf(f, 1):
			return types.InfinityTS, nil
		case math.IsInf(f, -1):
			return types.NegInfinityTS, nil
		}
		us := math.RoundToEven(f * 1e6)
		if us < -210866803200e6 || us >= 9224318016000e6 {
			return nil, errf(pgerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", FormatFloat(f, 64))
		}
		return int64(us), nil
	})
}

func makeInterval(_ *Ctx, _ []types.T, a []any) (any, error) {
	get := func(i int) int64 {
		if i < len(a) && a[i] != nil {
			return i64(a[i])
		}
		return 0
	}
	secs := 0.0
	if len(a) > 6 && a[6] != nil {
		secs = ToF64(a[6])
	}
	if math.IsInf(secs, 0) || math.IsNaN(secs) {
		return nil, errf(pgerr.DatetimeFieldOverflow, "interval out of range")
	}
	months := get(0)*12 + get(1)
	days := get(2)*7 + get(3)
	us := get(4)*types.MicrosPerHour + get(5)*types.MicrosPerMinute + int64(math.RoundToEven(secs*1e6))
	if months != int64(int32(months)) || days != int64(int32(days)) {
		return nil, errf(pgerr.DatetimeFieldOverflow, "interval out of range")
	}
	return types.Interval{Months: int32(months), Days: int32(days), Micros: us}, nil
}

// makeTs builds a naive timestamp, validating fields as make_timestamp.
func makeTs(y, m, d, h, mi int64, sec float64) (int64, error) {
	if y == 0 || m < 1 || m > 12 || d < 1 || y > 294276 || y < -4713 || d > int64(daysIn(astroYear(y), time.Month(m))) {
		return 0, errf(pgerr.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
	}
	if h < 0 || h > 24 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || math.IsNaN(sec) ||
		h == 24 && (mi != 0 || sec != 0) {
		return 0, errf(pgerr.DatetimeFieldOverflow, "time field value out of range: %d:%02d:%s", h, mi, FormatFloat(sec, 64))
	}
	day := fromCivil(time.Date(astroYear(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC))
	return day + h*types.MicrosPerHour + mi*types.MicrosPerMinute + int64(math.RoundToEven(sec*1e6)), nil
}

// astroYear maps PostgreSQL's year (negative = BC) to Go's year numbering.
func astroYear(y int64) int {
	if y < 0 {
		return int(y + 1)
	}
	return int(y)
}

// age is timestamp_age / timestamptz_age: a symbolic difference in
// years, months, days and time.
func age(t1, t2 int64, loc *time.Location) (any, error) {
	if isInfTs(t1) || isInfTs(t2) {
		return nil, errf(pgerr.DatetimeFieldOverflow, "interval out of range")
	}
	l1, l2 := t1, t2
	if loc != nil {
		l1, l2 = localOf(t1, loc), localOf(t2, loc)
	}
	a, b := civil(l1), civil(l2)
	fsec := floorMod(l1, types.MicrosPerSecond) - floorMod(l2, types.MicrosPerSecond)
	sec := a.Second() - b.Second()
	mn := a.Minute() - b.Minute()
	hr := a.Hour() - b.Hour()
	mday := a.Day() - b.Day()
	mon := int(a.Month()) - int(b.Month())
	year := a.Year() - b.Year()
	neg := t1 < t2
	if neg {
		fsec, sec, mn, hr, mday, mon, year = -fsec, -sec, -mn, -hr, -mday, -mon, -year
	}
	for fsec < 0 {
		fsec += types.MicrosPerSecond
		sec--
	}
	for sec < 0 {
		sec += 60
		mn--
	}
	for mn < 0 {
		mn += 60
		hr--
	}
	for hr < 0 {
		hr += 24
		mday--
	}
	for mday < 0 {
		ref := b
		if neg {
			ref = a
		}
		mday += daysIn(ref.Year(), ref.Month())
		mon--
	}
	for mon < 0 {
		mon += 12
		year--
	}
	if neg {
		fsec, sec, mn, hr, mday, mon, year = -fsec, -sec, -mn, -hr, -mday, -mon, -year
	}
	return types.Interval{Months: int32(year*12 + mon), Days: int32(mday),
		Micros: int64(hr)*types.MicrosPerHour + int64(mn)*types.MicrosPerMinute + int64(sec)*types.MicrosPerSecond + fsec}, nil
}

func justifyDays(r types.Interval) types.Interval {
	whole := r.Days / 30
	r.Days -= whole * 30
	r.Months += whole
	if r.Months > 0 && r.Days < 0 {
		r.Days += 30
		r.Months--
	} else if r.Months < 0 && r.Days > 0 {
		r.Days -= 30
		r.Months++
	}
	return r
}

func justifyHours(r types.Interval) types.Interval {
	whole := r.Micros / types.MicrosPerDay
	r.Micros -= whole * types.MicrosPerDay
	r.Days += int32(whole)
	if r.Days > 0 && r.Micros < 0 {
		r.Micros += types.MicrosPerDay
		r.Days--
	} else if r.Days < 0 && r.Micros > 0 {
		r.Micros -= types.MicrosPerDay
		r.Days++
	}
	return r
}

func justifyInterval(r types.Interval) types.Interval {
	whole := r.Micros / types.MicrosPerDay
	r.Micros -= whole * types.MicrosPerDay
	r.Days += int32(whole)
	wm := r.Days / 30
	r.Days -= wm * 30
	r.Months += wm
	if r.Months > 0 && (r.Days < 0 || r.Days == 0 && r.Micros < 0) {
		r.Days += 30
		r.Months--
	} else if r.Months < 0 && (r.Days > 0 || r.Days == 0 && r.Micros > 0) {
		r.Days -= 30
		r.Months++
	}
	if r.Days > 0 && r.Micros < 0 {
		r.Micros += types.MicrosPerDay
		r.Days--
	} else if r.Days < 0 && r.Micros > 0 {
		r.Micros -= types.MicrosPerDay
		r.Days++
	}
	return r
}

// dateBin is date_bin as in PostgreSQL 15 (including its treatment of an
// origin after the source).
func dateBin(stride types.Interval, ts, origin int64) (any, error) {
	if isInfTs(ts) {
		return ts, nil
	}
	if isInfTs(origin) {
		return nil, errf(pgerr.DatetimeFieldOverflow, "origin out of range")
	}
	if stride.Months != 0 {
		return nil, errf(pgerr.FeatureNotSupported, "timestamps cannot be binned into intervals containing months or years")
	}
	s := int64(stride.Days)*types.MicrosPerDay + stride.Micros
	if s <= 0 {
		return nil, errf(pgerr.DatetimeFieldOverflow, "stride must be greater than zero")
	}
	diff := ts - origin
	delta := diff - diff%s
	if origin > ts && s > 1 {
		delta -= s
	}
	return origin + delta, nil
}
