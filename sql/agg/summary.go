package agg

import (
	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/funcs"
)

// Folding summaries into aggregate states: the executor answers
// count/sum/avg/min/max over whole storage blocks from block metadata, and
// its typed hash aggregation keeps plain accumulators per group; both hand
// their totals to the ordinary states here so results (types, overflow to
// numeric, NULL on no rows) are exactly those of feeding rows one by one.

// Summary summarizes the values of one aggregate argument over a set
// of rows.
type Summary struct {
	// Rows is the number of rows covered (count(*)); NonNull those whose
	// argument is not NULL.
	Rows, NonNull int64
	// Min and Max are the least and greatest non-NULL values as datums of
	// the argument's type (int64, float64, string, bool); nil when unknown.
	Min, Max any
	// FloatSum is the sum of float arguments; HasFloatSum says it is set.
	FloatSum    float64
	HasFloatSum bool
	// IntSum is the exact sum of integer arguments when HasIntSum; when
	// the sum overflows int64 it is given as BigSum instead.
	IntSum    int64
	HasIntSum bool
	BigSum    *apd.Decimal
}

// Fold folds st into state s when s's aggregate can be answered from
// such a summary, and reports whether it did. With apply false it only
// reports whether folding would succeed and changes nothing. States of
// other aggregates, float4 sums (float4 arithmetic) and summaries lacking
// what the aggregate needs are refused; callers then feed rows.
func Fold(s State, st *Summary, apply bool) bool {
	switch x := s.(type) {
	case *countState:
		if apply {
			if x.star {
				x.n += st.Rows
			} else {
				x.n += st.NonNull
			}
		}
		return true
	case *intSumState:
		if st.NonNull == 0 {
			return true
		}
		if !st.HasIntSum && st.BigSum == nil {
			return false
		}
		if apply {
			if st.BigSum != nil {
				x.big = funcs.DecAdd(x.total(), st.BigSum)
			} else {
				x.addInt(st.IntSum)
			}
			x.n += st.NonNull
		}
		return true
	case *floatSumState:
		if st.NonNull == 0 {
			return true
		}
		if x.f4 || !st.HasFloatSum {
			return false
		}
		if apply {
			x.sum += st.FloatSum
			x.n += st.NonNull
		}
		return true
	case *minMaxState:
		if st.NonNull == 0 {
			return true
		}
		v := st.Min
		if x.sign > 0 {
			v = st.Max
		}
		if v == nil {
			return false
		}
		if apply {
			_ = x.Add(nil, []any{v})
		}
		return true
	}
	return false
}
