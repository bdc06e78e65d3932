package funcs

import (
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// TimescaleDB's time_bucket. Interval buckets are aligned to 2000-01-03
// (a Monday) unless an origin is given, month buckets to 2000-01-01;
// results are always floored, also before the origin. Timestamptz buckets
// without a time zone argument are computed on UTC, as TimescaleDB does.

const (
	// TimeBucketOrigin is time_bucket's default origin for buckets of
	// days, hours and smaller: 2000-01-03 00:00:00 (a Monday), in µs
	// since 1970-01-01.
	TimeBucketOrigin = types.PGEpochMicros + 2*types.MicrosPerDay
	// timeBucketMonthOrigin is the default origin of month buckets:
	// 2000-01-01.
	timeBucketMonthOrigin = types.PGEpochMicros
)

func init() {
	iv := types.IntervalT
	for _, t := range []types.T{types.Timestamp, types.Timestamptz, types.Date} {
		t := t
		RegisterScalar(&Scalar{Name: "time_bucket", Args: ts(iv, t), ArgNames: []string{"bucket_width", "ts"},
			Ret: Fixed(t), Strict: true, Fn: func(_ *Ctx, at []types.T, a []any) (any, error) {
				return bucketTyped(t, a[0].(types.Interval), a[1].(int64), nil, types.Interval{})
			}})
		RegisterScalar(&Scalar{Name: "time_bucket", Args: ts(iv, t, t), ArgNames: []string{"bucket_width", "ts", "origin"},
			Ret: Fixed(t), Strict: true, Fn: func(_ *Ctx, at []types.T, a []any) (any, error) {
				o := a[2].(int64)
				return bucketTyped(t, a[0].(types.Interval), a[1].(int64), &o, types.Interval{})
			}})
		RegisterScalar(&Scalar{Name: "time_bucket", Args: ts(iv, t, iv), ArgNames: []string{"bucket_width", "ts", "offset"},
			Ret: Fixed(t), Strict: true, Fn: func(_ *Ctx, at []types.T, a []any) (any, error) {
				return bucketTyped(t, a[0].(types.Interval), a[1].(int64), nil, a[2].(types.Interval))
			}})
	}
	RegisterScalar(&Scalar{Name: "time_bucket", Args: ts(iv, types.Timestamptz, types.Text, types.Timestamptz, iv),
		ArgNames: []string{"bucket_width", "ts", "timezone", "origin", "offset"},
		Defaults: 2, DefaultSQL: []string{"NULL::timestamp with time zone", "NULL::interval"},
		Ret: Fixed(types.Timestamptz), Fn: func(_ *Ctx, _ []types.T, a []any) (any, error) {
			if a[0] == nil || a[1] == nil || a[2] == nil {
				return nil, nil
			}
			loc, err := loadZone(str(a[2]))
			if err != nil {
				return nil, err
			}
			us := a[1].(int64)
			if isInfTs(us) {
				return us, nil
			}
			var origin *int64
			if len(a) > 3 && a[3] != nil {
				o := localOf(a[3].(int64), loc)
				origin = &o
			}
			var off types.Interval
			if len(a) > 4 && a[4] != nil {
				off = a[4].(types.Interval)
			}
			r, err := bucketTs(a[0].(types.Interval), localOf(us, loc), origin, off)
			if err != nil {
				return nil, err
			}
			return fromLocal(r, loc), nil
		}})
	for _, t := range []types.T{types.Int2, types.Int4, types.Int8} {
		t := t
		RegisterScalar(&Scalar{Name: "time_bucket", Args: ts(t, t), ArgNames: []string{"bucket_width", "ts"},
			Ret: Fixed(t), Strict: true, Fn: func(_ *Ctx, _ []types.T, a []any) (any, error) {
				return bucketInt(t, a[0].(int64), a[1].(int64), 0)
			}})
		RegisterScalar(&Scalar{Name: "time_bucket", Args: ts(t, t, t), ArgNames: []string{"bucket_width", "ts", "offset"},
			Ret: Fixed(t), Strict: true, Fn: func(_ *Ctx, _ []types.T, a []any) (any, error) {
				return bucketInt(t, a[0].(int64), a[1].(int64), a[2].(int64))
			}})
	}
}

func periodError() error {
	return errf(pgerr.InvalidParameterValue, "period must be greater than 0")
}

// bucketInt floors ts to a multiple of width shifted by offset.
func bucketInt(t types.T, width, ts, offset int64) (any, error) {
	if width <= 0 {
		return nil, periodError()
	}
	if offset != 0 {
		offset %= width
	}
	r := floorDiv(ts-offset, width)*width + offset
	if (ts-offset > ts) != (offset < 0) { // overflow of ts - offset
		return nil, errf(pgerr.NumericValueOutOfRange, "timestamp out of range")
	}
	return checkInt(t, r)
}

// bucketTyped buckets a timestamp, timestamptz (as UTC) or date.
func bucketTyped(t types.T, width types.Interval, v int64, origin *int64, off types.Interval) (any, error) {
	if t.OID != types.OidDate {
		if isInfTs(v) {
			return v, nil
		}
		if origin != nil && isInfTs(*origin) {
			return nil, errf(pgerr.InvalidParameterValue, "invalid origin value: infinity")
		}
		return bucketTs(width, v, origin, off)
	}
	if isInfDate(v) {
		return v, nil
	}
	if width.Months == 0 {
		period := int64(width.Days)*types.MicrosPerDay + width.Micros
		if period <= 0 {
			return nil, periodError()
		}
		if period < types.MicrosPerDay {
			return nil, errf(pgerr.InvalidParameterValue, "interval must not have sub-day precision")
		}
		if period%types.MicrosPerDay != 0 {
			return nil, errf(pgerr.InvalidParameterValue, "interval must be a multiple of a day")
		}
	}
	us := v * types.MicrosPerDay
	var o *int64
	if origin != nil {
		ou := *origin * types.MicrosPerDay
		o = &ou
	}
	r, err := bucketTs(width, us, o, off)
	if err != nil {
		return nil, err
	}
	return floorDiv(r, types.MicrosPerDay), nil
}

// bucketTs buckets a naive timestamp.
func bucketTs(width types.Interval, us int64, origin *int64, off types.Interval) (int64, error) {
	if width.Months != 0 {
		if width.Days != 0 || width.Micros != 0 {
			return 0, errf(pgerr.InvalidParameterValue, "month intervals cannot have day or time component")
		}
		if width.Months < 0 {
			return 0, periodError()
		}
		x, err := addIntervalNaive(us, negInterval(off))
		if err != nil {
			return 0, err
		}
		o := timeBucketMonthOrigin
		if origin != nil {
			o = *origin
		}
		tm, to := civil(x), civil(o)
		mon := int64(tm.Year())*12 + int64(tm.Month()) - 1
		omon := int64(to.Year())*12 + int64(to.Month()) - 1
		w := int64(width.Months)
		offset := floorMod(omon, w)
		b := floorDiv(mon-offset, w)*w + offset
		r := fromCivil(time.Date(int(floorDiv(b, 12)), time.Month(floorMod(b, 12)+1), 1, 0, 0, 0, 0, time.UTC))
		return addIntervalNaive(r, off)
	}
	period := int64(width.Days)*types.MicrosPerDay + width.Micros
	if period <= 0 {
		return 0, periodError()
	}
	o := TimeBucketOrigin
	if origin != nil {
		o = *origin
	}
	o = floorMod(o, period)
	x, err := addIntervalNaive(us, negInterval(off))
	if err != nil {
		return 0, err
	}
	r := floorDiv(x-o, period)*period + o
	return addIntervalNaive(r, off)
}

func negInterval(iv types.Interval) types.Interval {
	return types.Interval{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}
}

// addIntervalNaive adds an interval to a timestamp without time zone:
// months first (clamping the day to the month's end), then days, then
// microseconds, as timestamp_pl_interval does.
func addIntervalNaive(us int64, iv types.Interval) (int64, error) {
	if isInfTs(us) {
		return us, nil
	}
	if iv.Months != 0 {
		us = addMonths(us, int64(iv.Months))
	}
	r, ok := Add64(us, int64(iv.Days)*types.MicrosPerDay)
	if ok {
		r, ok = Add64(r, iv.Micros)
	}
	if !ok || isInfTs(r) {
		return 0, errf(pgerr.DatetimeFieldOverflow, "timestamp out of range")
	}
	return r, nil
}

// addMonths adds n months to a naive timestamp, clamping the day.
func addMonths(us, n int64) int64 {
	t := civil(us)
	mon := int64(t.Year())*12 + int64(t.Month()) - 1 + n
	y, m := int(floorDiv(mon, 12)), time.Month(floorMod(mon, 12)+1)
	d := t.Day()
	if last := daysIn(y, m); d > last {
		d = last
	}
	tod := floorMod(us, types.MicrosPerDay)
	return fromCivil(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) + tod
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// addIntervalZoned adds an interval to a timestamptz in loc: months and
// days move the wall clock, microseconds the instant.
func addIntervalZoned(us int64, iv types.Interval, loc *time.Location) (int64, error) {
	if isInfTs(us) {
		return us, nil
	}
	if iv.Months != 0 || iv.Days != 0 {
		l := localOf(us, loc)
		l, err := addIntervalNaive(l, types.Interval{Months: iv.Months, Days: iv.Days})
		if err != nil {
			return 0, err
		}
		us = fromLocal(l, loc)
	}
	return us + iv.Micros, nil
}

// Add64 adds with overflow detection.
func Add64(a, b int64) (int64, bool) {
	r := a + b
	return r, (r > a) == (b > 0) || b == 0
}

// MonthBucket returns the month bucket of width months holding
// timestamp us (microseconds, naive or UTC) under time_bucket's default
// origin: its start and the start of the next bucket. ok is false for a
// width below one month or a time the bucket cannot be computed for.
func MonthBucket(months int32, us int64) (start, next int64, ok bool) {
	if months <= 0 || isInfTs(us) {
		return 0, 0, false
	}
	start, err := bucketTs(types.Interval{Months: months}, us, nil, types.Interval{})
	if err != nil {
		return 0, 0, false
	}
	return start, addMonths(start, int64(months)), true
}
