package funcs

import (
	"cmp"
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/types"
)

// CompareDatum orders two non-NULL datums of the same SQL type as
// PostgreSQL's btree comparison does: NaN sorts above every float, text
// compares bytewise (C collation), intervals by their 30-day-month span,
// arrays element by element with NULL last.
func CompareDatum(a, b any) int {
	switch x := a.(type) {
	case int64:
		return cmp.Compare(x, b.(int64))
	case float64:
		y := b.(float64)
		switch {
		case math.IsNaN(x) && math.IsNaN(y):
			return 0
		case math.IsNaN(x):
			return 1
		case math.IsNaN(y):
			return -1
		}
		return cmp.Compare(x, y)
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		return types.CompareBool(x, b.(bool))
	case *apd.Decimal:
		return compareDecimal(x, b.(*apd.Decimal))
	case types.Interval:
		return compareInterval(x, b.(types.Interval))
	case *types.Array:
		y := b.(*types.Array)
		for i := 0; i < len(x.Vals) && i < len(y.Vals); i++ {
			u, v := x.Vals[i], y.Vals[i]
			switch {
			case u == nil && v == nil:
				continue
			case u == nil:
				return 1
			case v == nil:
				return -1
			}
			if c := CompareDatum(u, v); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(x.Vals), len(y.Vals))
	}
	return 0
}

// compareDecimal orders numerics with NaN above everything.
func compareDecimal(x, y *apd.Decimal) int {
	xn, yn := x.Form == apd.NaN || x.Form == apd.NaNSignaling, y.Form == apd.NaN || y.Form == apd.NaNSignaling
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	}
	return x.Cmp(y)
}

// compareInterval compares months*30 days + days + micros exactly.
func compareInterval(x, y types.Interval) int {
	xd, xr := intervalSpan(x)
	yd, yr := intervalSpan(y)
	if c := cmp.Compare(xd, yd); c != 0 {
		return c
	}
	return cmp.Compare(xr, yr)
}

// intervalSpan returns (whole days, remaining µs in [0, 1 day)).
func intervalSpan(iv types.Interval) (int64, int64) {
	d := int64(iv.Months)*30 + int64(iv.Days) + floorDiv(iv.Micros, types.MicrosPerDay)
	return d, floorMod(iv.Micros, types.MicrosPerDay)
}
