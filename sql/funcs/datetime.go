package funcs

import (
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// unixJulian is the Julian day number of 1970-01-01.
const unixJulian = 2440588

func init() {
	for _, n := range []string{"now", "current_timestamp", "transaction_timestamp", "statement_timestamp"} {
		RegisterScalar(&Scalar{Name: n, Ret: Fixed(types.Timestamptz), Strict: true,
			Fn: func(ctx *Ctx, _ []types.T, _ []any) (any, error) { return ctx.Now, nil }})
	}
	RegisterScalar(&Scalar{Name: "clock_timestamp", Ret: Fixed(types.Timestamptz), Strict: true, Volatile: true,
		Fn: func(*Ctx, []types.T, []any) (any, error) { return time.Now().UnixMicro(), nil }})
	RegisterScalar(&Scalar{Name: "localtimestamp", Ret: Fixed(types.Timestamp), Strict: true,
		Fn: func(ctx *Ctx, _ []types.T, _ []any) (any, error) { return localOf(ctx.Now, locOf(ctx)), nil }})
	RegisterScalar(&Scalar{Name: "current_date", Ret: Fixed(types.Date), Strict: true,
		Fn: func(ctx *Ctx, _ []types.T, _ []any) (any, error) {
			return floorDiv(localOf(ctx.Now, locOf(ctx)), types.MicrosPerDay), nil
		}})

	T := types.Text
	reg("date_trunc", ts(T, types.Timestamp), types.Timestamp, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return truncLocal(str(a[0]), a[1].(int64), nil)
	})
	reg("date_trunc", ts(T, types.Timestamptz), types.Timestamptz, func(ctx *Ctx, _ []types.T, a []any) (any, error) {
		return truncLocal(str(a[0]), a[1].(int64), locOf(ctx))
	})
	reg("date_trunc", ts(T, types.Timestamptz, T), types.Timestamptz, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		loc, err := loadZone(str(a[2]))
		if err != nil {
			return nil, err
		}
		return truncLocal(str(a[0]), a[1].(int64), loc)
	})
	reg("date_trunc", ts(T, types.IntervalT), types.IntervalT, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return truncInterval(str(a[0]), a[1].(types.Interval))
	})

	for _, t := range []types.T{types.Timestamp, types.Timestamptz, types.Date, types.IntervalT, types.Time} {
		t := t
		reg("date_part", ts(T, t), types.Float8, func(ctx *Ctx, at []types.T, a []any) (any, error) {
			src, v := t, a[1]
			if t.OID == types.OidDate { // date_part(text, date) goes through timestamp
				us, _ := dateToUs(v.(int64))
				src, v = types.Timestamp, us
			}
			d, err := extract(ctx, str(a[0]), src, v)
			if err != nil || d == nil {
				return nil, err
			}
			return ToF64(d), nil
		})
		reg("extract", ts(T, t), types.Numeric, func(ctx *Ctx, _ []types.T, a []any) (any, error) {
			d, err := extract(ctx, str(a[0]), t, a[1])
			if err != nil || d == nil {
				return nil, err
			}
			return d, nil
		})
	}
}

// normUnit lower-cases a field name and maps PostgreSQL's aliases.
func normUnit(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	switch u {
	case "microsecond", "microseconds", "us", "usec", "usecs", "useconds":
		return "microseconds"
	case "millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds":
		return "milliseconds"
	case "second", "seconds", "s", "sec", "secs":
		return "second"
	case "minute", "minutes", "m", "min", "mins":
		return "minute"
	case "hour", "hours", "h", "hr", "hrs":
		return "hour"
	case "day", "days", "d":
		return "day"
	case "week", "weeks", "w":
		return "week"
	case "month", "months", "mon", "mons":
		return "month"
	case "quarter", "qtr":
		return "quarter"
	case "year", "years", "y", "yr", "yrs":
		return "year"
	case "decade", "decades", "dec", "decs":
		return "decade"
	case "century", "centuries", "c", "cent":
		return "century"
	case "millennium", "millennia", "mil", "mils", "millenniums":
		return "millennium"
	case "j", "jd":
		return "julian"
	}
	return u
}

func unitError(unit, typ string) error {
	return errf(pgerr.FeatureNotSupported, "unit \"%s\" not supported for type %s", unit, typ)
}

func unitUnknown(unit, typ string) error {
	return errf(pgerr.InvalidParameterValue, "unit \"%s\" not recognized for type %s", unit, typ)
}

// truncLocal is date_trunc over a timestamp (loc nil) or a timestamptz
// truncated in loc.
func truncLocal(unit string, us int64, loc *time.Location) (any, error) {
	if isInfTs(us) {
		return us, nil
	}
	typ := "timestamp without time zone"
	local := us
	if loc != nil {
		typ = "timestamp with time zone"
		local = localOf(us, loc)
	}
	u := normUnit(unit)
	var r int64
	switch u {
	case "microseconds":
		r = local
	case "milliseconds":
		r = local - floorMod(local, 1000)
	case "second":
		r = local - floorMod(local, types.MicrosPerSecond)
	case "minute":
		r = local - floorMod(local, types.MicrosPerMinute)
	case "hour":
		r = local - floorMod(local, types.MicrosPerHour)
	default:
		t := civil(local)
		y, m, d := t.Date()
		switch u {
		case "day":
		case "week":
			wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
			d -= wd
		case "month":
			d = 1
		case "quarter":
			m, d = time.Month((int(m)-1)/3*3+1), 1
		case "year":
			m, d = 1, 1
		case "decade":
			if y > 0 {
				y = y / 10 * 10
			} else {
				y = -((8 - (y - 1)) / 10 * 10)
			}
			m, d = 1, 1
		case "century":
			if y > 0 {
				y = (y+99)/100*100 - 99
			} else {
				y = -((99 - (y - 1)) / 100 * 100) + 1
			}
			m, d = 1, 1
		case "millennium":
			if y > 0 {
				y = (y+999)/1000*1000 - 999
			} else {
				y = -((999 - (y - 1)) / 1000 * 1000) + 1
			}
			m, d = 1, 1
		default:
			return nil, unitUnknown(unit, typ)
		}
		r = fromCivil(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	}
	if loc != nil {
		if u == "microseconds" || u == "milliseconds" || u == "second" || u == "minute" {
			// Sub-hour truncation never crosses an offset change.
			return us - (local - r), nil
		}
		return fromLocal(r, loc), nil
	}
	return r, nil
}

func truncInterval(unit string, iv types.Interval) (any, error) {
	u := normUnit(unit)
	r := types.Interval{}
	years := iv.Months / 12
	switch u {
	case "millennium":
		r.Months = years / 1000 * 1000 * 12
	case "century":
		r.Months = years / 100 * 100 * 12
	case "decade":
		r.Months = years / 10 * 10 * 12
	case "year":
		r.Months = years * 12
	case "quarter":
		r.Months = iv.Months / 3 * 3
	case "month":
		r.Months = iv.Months
	case "day":
		r.Months, r.Days = iv.Months, iv.Days
	case "hour", "minute", "second", "milliseconds", "microseconds":
		r.Months, r.Days = iv.Months, iv.Days
		step := map[string]int64{"hour": types.MicrosPerHour, "minute": types.MicrosPerMinute, "second": types.MicrosPerSecond,
			"milliseconds": 1000, "microseconds": 1}[u]
		r.Micros = iv.Micros / step * step
	case "week":
		return nil, pgerr.New(pgerr.FeatureNotSupported, "unit \"%s\" not supported for type interval", unit).
			WithDetail("Months usually have fractional weeks.")
	default:
		return nil, unitUnknown(unit, "interval")
	}
	return r, nil
}

// extract implements EXTRACT(field FROM v) returning numeric with
// PostgreSQL 14+'s scales; nil means NULL.
func extract(ctx *Ctx, unit string, t types.T, v any) (*apd.Decimal, error) {
	u := normUnit(unit)
	switch t.OID {
	case types.OidInterval:
		return extractInterval(u, unit, v.(types.Interval))
	case types.OidTime:
		return extractTime(u, unit, v.(int64))
	case types.OidDate:
		return extractDate(u, unit, v.(int64))
	}
	us := v.(int64)
	tz := t.OID == types.OidTimestamptz
	typ := "timestamp without time zone"
	if tz {
		typ = "timestamp with time zone"
	}
	if isInfTs(us) {
		switch u {
		case "epoch", "julian", "year", "decade", "century", "millennium", "isoyear":
			return &apd.Decimal{Form: apd.Infinite, Negative: us < 0}, nil
		}
		return nil, nil
	}
	if u == "epoch" {
		return apd.New(us, -6), nil
	}
	local := us
	var off int
	if tz {
		_, off = usToTime(us, locOf(ctx)).Zone()
		local = us + int64(off)*types.MicrosPerSecond
	}
	switch u {
	case "timezone", "timezone_hour", "timezone_minute":
		if !tz {
			return nil, unitError(unit, typ)
		}
		switch u {
		case "timezone":
			return apd.New(int64(off), 0), nil
		case "timezone_hour":
			return apd.New(int64(off/3600), 0), nil
		}
		return apd.New(int64(off/60%60), 0), nil
	case "julian":
		day := floorDiv(local, types.MicrosPerDay)
		frac, err := DecDiv(DecFromInt64(floorMod(local, types.MicrosPerDay)), DecFromInt64(types.MicrosPerDay))
		if err != nil {
			return nil, err
		}
		return DecAdd(DecFromInt64(day+unixJulian), frac), nil
	}
	tm := civil(local)
	secUs := int64(tm.Second())*types.MicrosPerSecond + floorMod(local, types.MicrosPerSecond)
	switch u {
	case "microseconds":
		return apd.New(secUs, 0), nil
	case "milliseconds":
		return apd.New(secUs, -3), nil
	case "second":
		return apd.New(secUs, -6), nil
	case "minute":
		return apd.New(int64(tm.Minute()), 0), nil
	case "hour":
		return apd.New(int64(tm.Hour()), 0), nil
	}
	return extractDateFields(u, unit, typ, tm)
}

// extractDateFields handles the calendar fields shared by date and
// timestamps.
func extractDateFields(u, unit, typ string, tm time.Time) (*apd.Decimal, error) {
	y := tm.Year()
	var r int64
	switch u {
	case "day":
		r = int64(tm.Day())
	case "month":
		r = int64(tm.Month())
	case "quarter":
		r = int64((tm.Month()-1)/3 + 1)
	case "year":
		r = int64(y)
		if y <= 0 {
			r = int64(y - 1)
		}
	case "decade":
		if y >= 0 {
			r = int64(y / 10)
		} else {
			r = -int64((8 - (y - 1)) / 10)
		}
	case "century":
		if y > 0 {
			r = int64((y + 99) / 100)
		} else {
			r = -int64((99 - (y - 1)) / 100)
		}
	case "millennium":
		if y > 0 {
			r = int64((y + 999) / 1000)
		} else {
			r = -int64((999 - (y - 1)) / 1000)
		}
	case "dow":
		r = int64(tm.Weekday())
	case "isodow":
		r = int64(tm.Weekday())
		if r == 0 {
			r = 7
		}
	case "doy":
		r = int64(tm.YearDay())
	case "week":
		_, w := tm.ISOWeek()
		r = int64(w)
	case "isoyear":
		iy, _ := tm.ISOWeek()
		r = int64(iy)
		if iy <= 0 {
			r = int64(iy - 1)
		}
	default:
		if isKnownUnit(u) {
			return nil, unitError(unit, typ)
		}
		return nil, unitUnknown(unit, typ)
	}
	return apd.New(r, 0), nil
}

func isKnownUnit(u string) bool {
	switch u {
	case "microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month",
		"quarter", "year", "decade", "century", "millennium", "julian", "epoch", "dow", "isodow",
		"doy", "isoyear", "timezone", "timezone_hour", "timezone_minute":
		return true
	}
	return false
}

func extractDate(u, unit string, d int64) (*apd.Decimal, error) {
	if isInfDate(d) {
		switch u {
		case "epoch", "julian", "year", "decade", "century", "millennium", "isoyear":
			return &apd.Decimal{Form: apd.Infinite, Negative: d < 0}, nil
		}
		return nil, nil
	}
	switch u {
	case "epoch":
		return apd.New(d*86400, 0), nil
	case "julian":
		return apd.New(d+unixJulian, 0), nil
	case "microseconds", "milliseconds", "second", "minute", "hour", "timezone", "timezone_hour", "timezone_minute":
		return nil, unitError(unit, "date")
	}
	return extractDateFields(u, unit, "date", civil(d*types.MicrosPerDay))
}

func extractTime(u, unit string, us int64) (*apd.Decimal, error) {
	sec := us % types.MicrosPerMinute
	switch u {
	case "microseconds":
		return apd.New(sec, 0), nil
	case "milliseconds":
		return apd.New(sec, -3), nil
	case "second":
		return apd.New(sec, -6), nil
	case "minute":
		return apd.New(us/types.MicrosPerMinute%60, 0), nil
	case "hour":
		return apd.New(us/types.MicrosPerHour, 0), nil
	case "epoch":
		return apd.New(us, -6), nil
	}
	if isKnownUnit(u) {
		return nil, unitError(unit, "time without time zone")
	}
	return nil, unitUnknown(unit, "time without time zone")
}

func extractInterval(u, unit string, iv types.Interval) (*apd.Decimal, error) {
	secUs := iv.Micros % types.MicrosPerMinute
	years := int64(iv.Months / 12)
	switch u {
	case "microseconds":
		return apd.New(secUs, 0), nil
	case "milliseconds":
		return apd.New(secUs, -3), nil
	case "second":
		return apd.New(secUs, -6), nil
	case "minute":
		return apd.New(iv.Micros/types.MicrosPerMinute%60, 0), nil
	case "hour":
		return apd.New(iv.Micros/types.MicrosPerHour, 0), nil
	case "day":
		return apd.New(int64(iv.Days), 0), nil
	case "month":
		return apd.New(int64(iv.Months%12), 0), nil
	case "quarter":
		return apd.New(int64(iv.Months%12/3+1), 0), nil
	case "year":
		return apd.New(years, 0), nil
	case "decade":
		return apd.New(years/10, 0), nil
	case "century":
		return apd.New(years/100, 0), nil
	case "millennium":
		return apd.New(years/1000, 0), nil
	case "epoch":
		secs := (1461*years + 120*int64(iv.Months%12) + 4*int64(iv.Days)) * (86400 / 4)
		return DecAdd(apd.New(secs, 0), apd.New(iv.Micros, -6)), nil
	}
	if isKnownUnit(u) {
		return nil, unitError(unit, "interval")
	}
	return nil, unitUnknown(unit, "interval")
}
