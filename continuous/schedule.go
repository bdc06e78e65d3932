package continuous

import (
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// Backoff limits of TimescaleDB's job scheduler (src/bgw/job_stat.c).
const (
	maxFailuresMultiplier = 20 // consecutive failures counted at most
	maxIntervalsBackoff   = 5  // backoff ceiling in schedule intervals
)

// fallbackStep is the next start of a job whose schedule cannot advance
// (a zero or negative interval): it never runs twice in the same second.
const fallbackStep = int64(time.Second / time.Microsecond)

// jobLocation is the zone a job's schedule is computed in.
func jobLocation(j *catalog.Job) *time.Location {
	if j.Timezone != "" {
		if loc, err := time.LoadLocation(j.Timezone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// add returns ts plus iv in j's zone, or ts plus fallbackStep when the
// result would not move forward.
func add(j *catalog.Job, ts int64, iv types.Interval) int64 {
	n, err := types.AddInterval(types.Timestamptz, ts, iv, jobLocation(j))
	if err != nil || n <= ts {
		return ts + fallbackStep
	}
	return n
}

// nextOnSuccess is the next start after a successful run that finished
// at finish (µs).
func nextOnSuccess(j *catalog.Job, finish int64) int64 {
	iv := j.ScheduleInterval
	step := types.IntervalMicros(iv)
	if !j.FixedSchedule || step <= 0 {
		return add(j, finish, iv)
	}
	origin := j.Created
	if j.InitialStart != nil {
		origin = *j.InitialStart
	}
	if finish < origin {
		return origin
	}
	// Estimate the number of whole intervals, then walk to the first
	// schedule point after finish (months and DST make steps uneven).
	k := (finish-origin)/step - 1
	if k < 0 {
		k = 0
	}
	for {
		n, err := types.AddInterval(types.Timestamptz, origin, scale(iv, k), jobLocation(j))
		if err != nil {
			return add(j, finish, iv)
		}
		if n > finish {
			return n
		}
		k++
	}
}

// scale multiplies an interval by k field by field.
func scale(iv types.Interval, k int64) types.Interval {
	return types.Interval{Months: iv.Months * int32(k), Days: iv.Days * int32(k), Micros: iv.Micros * k}
}

// nextOnFailure is the next start after the consecutive-th failed run in
// a row, which finished at finish.
func nextOnFailure(j *catalog.Job, finish int64, consecutive int64) int64 {
	mult := min(consecutive, maxFailuresMultiplier)
	backoff := scale(j.RetryPeriod, mult)
	ceiling := scale(j.ScheduleInterval, maxIntervalsBackoff)
	if types.IntervalMicros(ceiling) > 0 && types.IntervalCmp(backoff, ceiling) > 0 {
		backoff = ceiling
	}
	return add(j, finish, backoff)
}
