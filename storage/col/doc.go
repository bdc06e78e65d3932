// Package col is the column batch type that flows between storage scans and
// the vectorized executor. It imports nothing of tsgres.
//
// # Contract
//
// A Batch is a set of equally long typed column vectors plus an optional
// selection vector. A batch returned by an operator's or a scan's Next is
// valid only until the next call to Next on the same source: callers that
// keep values must copy them (Vec.Get copies nothing for scalars; strings
// are immutable and safe to keep).
//
// A Vec stores one physical kind. Storage knows only the four storable kinds
// (Int64, Float64, Bool, Bytes); the executor additionally uses Any for
// values with no compact physical form (numeric, interval, arrays). The SQL
// type of a vector is known from the plan, never from the vector.
//
// Nulls: Vec.Nulls is nil when no value is null; otherwise Nulls[i] is true
// where row i is null and the slot in the typed slice holds a zero value.
//
// Selection: when Batch.Sel is non-nil only the rows it lists (ascending
// positions into the vectors) are live; Batch.Len() counts live rows.
package col
