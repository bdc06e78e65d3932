package exec

import (
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Vectorized time_bucket(interval, timestamp[tz]) for a constant width of
// days and microseconds (no months) and no origin, offset or time zone:
// integer math over the whole vector, the same as funcs' bucketTs with the
// default origin 2000-01-03. Values near the int64 limits (including
// ±infinity) go through the scalar function.

// bucketSafe bounds the timestamps the fast loop handles without overflow.
const bucketSafe = int64(1) << 62

// fixedBucket describes a time_bucket call the integer fast paths handle:
// a constant width of days and microseconds on a timestamp[tz] argument.
type fixedBucket struct {
	w      types.Interval
	period int64 // width in µs
	origin int64 // the default origin reduced modulo period
}

// asFixedBucket recognizes such a call; ok is false for anything else.
func asFixedBucket(e *plan.Call) (fb fixedBucket, ok bool) {
	if DisableFastAgg || e.Fn == nil || e.Fn.Name != "time_bucket" || len(e.Args) != 2 || len(e.ArgTypes) != 2 {
		return fb, false
	}
	if e.ArgTypes[0].OID != types.OidInterval || e.T.OID != e.ArgTypes[1].OID ||
		(e.T.OID != types.OidTimestamp && e.T.OID != types.OidTimestamptz) {
		return fb, false
	}
	c, isConst := e.Args[0].(*plan.Const)
	if !isConst {
		return fb, false
	}
	w, isIv := c.V.(types.Interval)
	if !isIv || w.Months != 0 {
		return fb, false
	}
	period := int64(w.Days)*types.MicrosPerDay + w.Micros
	if period <= 0 || w.Days < 0 || w.Days > 1<<20 || w.Micros < 0 || w.Micros > bucketSafe/4 {
		return fb, false
	}
	return fixedBucket{w: w, period: period, origin: floorMod64(funcs.TimeBucketOrigin, period)}, true
}

// start returns the bucket of x, which must lie within ±bucketSafe.
func (fb fixedBucket) start(x int64) int64 {
	d := x - fb.origin
	q := d / fb.period
	if d%fb.period < 0 {
		q--
	}
	return q*fb.period + fb.origin
}

// timeBucketVec evaluates e when it is such a call; ok is false otherwise.
func timeBucketVec(ctx *Ctx, e *plan.Call, b *col.Batch) (out *col.Vec, ok bool, err error) {
	fb, ok := asFixedBucket(e)
	if !ok {
		return nil, false, nil
	}
	w := fb.w
	ts, err := EvalBatch(ctx, e.Args[1], b)
	if err != nil {
		return nil, true, err
	}
	if ts.Kind != col.Int64 {
		return nil, false, nil
	}
	n := b.Rows()
	out = &col.Vec{Kind: col.Int64, I64: make([]int64, n)}
	if ts.Nulls != nil {
		out.Nulls = append([]bool(nil), ts.Nulls[:n]...)
	}
	in := ts.I64[:n]
	res := out.I64
	bucket := fb.start
	if out.Nulls == nil && n > 0 {
		// Blocks hold nearby times: when the smallest and largest fall in
		// one bucket, every row does, and no division is needed per row.
		lo, hi := in[0], in[0]
		for _, x := range in {
			lo, hi = min(lo, x), max(hi, x)
		}
		if lo > -bucketSafe && hi < bucketSafe {
			if b := bucket(lo); b == bucket(hi) {
				for i := range res {
					res[i] = b
				}
				return out, true, nil
			}
		}
	}
	for i, x := range in {
		if out.Nulls != nil && out.Nulls[i] {
			continue
		}
		if x > -bucketSafe && x < bucketSafe {
			res[i] = bucket(x)
			continue
		}
		v, err := callFn(ctx, e.Fn, e.ArgTypes, []any{w, x})
		if err != nil {
			return nil, true, err
		}
		if v == nil {
			if out.Nulls == nil {
				out.Nulls = make([]bool, n)
			}
			out.Nulls[i] = true
			continue
		}
		res[i] = v.(int64)
	}
	return out, true, nil
}

func floorMod64(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
