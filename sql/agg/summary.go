package agg

import (
	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/storage/col"
)

// Folding summaries into aggregate states: a Vector hands each group's
// accumulators to the aggregate's State as a Summary, and the executor
// answers count/sum/avg/min/max over whole storage blocks from their
// metadata (FromBlockMeta). The States take the totals so that results
// (types, overflow to numeric, NULL on no rows) are exactly those of
// feeding the rows one by one.

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

// summaryState is a State that can take a Summary of many rows: the
// states of count, sum, avg, min and max.
type summaryState interface {
	State
	// fold is Fold for this state.
	fold(st *Summary, apply bool) bool
}

// Fold folds st into state s when s's aggregate can be answered from
// such a summary, and reports whether it did. With apply false it only
// reports whether folding would succeed and changes nothing; the answer
// depends on the state's aggregate and argument type, not on what it has
// seen. States of other aggregates, float4 sums (float4 arithmetic) and
// summaries lacking what the aggregate needs are refused; callers then
// feed rows.
func Fold(s State, st *Summary, apply bool) bool {
	if x, ok := s.(summaryState); ok {
		return x.fold(st, apply)
	}
	return false
}

func (x *countState) fold(st *Summary, apply bool) bool {
	if apply {
		if x.star {
			x.n += st.Rows
		} else {
			x.n += st.NonNull
		}
	}
	return true
}

func (x *intSumState) fold(st *Summary, apply bool) bool {
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
}

func (x *floatSumState) fold(st *Summary, apply bool) bool {
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
}

func (x *minMaxState) fold(st *Summary, apply bool) bool {
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

// BlockColumn is what storage's block metadata records about one column
// of a block, as plain values (sql/agg does not import storage).
type BlockColumn struct {
	// Kind is the kind the column was stored with.
	Kind col.Kind
	// Count is the rows the metadata covers (NULLs included); NullCount
	// those that are NULL.
	Count, NullCount int64
	// Min and Max are the least and greatest non-NULL stored values.
	Min, Max any
	// FloatSum is the sum of a Float64 column.
	FloatSum float64
	// IntSum is the sum of an Int64 column, exact when IntSumExact.
	IntSum      int64
	IntSumExact bool
}

// FromBlockMeta returns the Summary of an aggregate argument over a
// block of rows rows from the block's metadata. c describes the argument
// column; it is nil for count(*) and for a column added after the block
// was written (NULL in every row). kind is the kind the column is stored
// with, and minMax says its stored min and max are its SQL datums
// (otherwise the Summary leaves them unknown). ok is false when the
// metadata does not describe the column that way (another kind, or not
// every row of the block); the caller then decodes the block.
func FromBlockMeta(rows int64, c *BlockColumn, kind col.Kind, minMax bool) (st Summary, ok bool) {
	st.Rows = rows
	if c == nil {
		return st, true
	}
	if c.Kind != kind || c.Count != rows {
		return st, false
	}
	st.NonNull = c.Count - c.NullCount
	if st.NonNull == 0 {
		return st, true
	}
	if minMax {
		st.Min, st.Max = c.Min, c.Max
	}
	switch c.Kind {
	case col.Float64:
		st.FloatSum, st.HasFloatSum = c.FloatSum, true
	case col.Int64:
		st.IntSum, st.HasIntSum = c.IntSum, c.IntSumExact
	}
	return st, true
}
