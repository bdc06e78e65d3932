package col

import (
	"fmt"
	"slices"
)

// Kind is the physical representation of a column vector.
type Kind uint8

const (
	// Int64 holds int2/int4/int8, timestamps (µs since the Unix epoch),
	// dates (days since the Unix epoch), times, oids.
	Int64 Kind = iota + 1
	// Float64 holds float4/float8.
	Float64
	// Bool holds boolean.
	Bool
	// Bytes holds text-like values and raw bytes (text, varchar, bytea,
	// json, jsonb, uuid as 16 raw bytes, and encoded forms of Any values
	// when stored).
	Bytes
	// Any holds boxed values (numeric, interval, arrays); executor only.
	Any
)

func (k Kind) String() string {
	switch k {
	case Int64:
		return "int64"
	case Float64:
		return "float64"
	case Bool:
		return "bool"
	case Bytes:
		return "bytes"
	case Any:
		return "any"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// DefaultBatchSize is the number of rows operators aim to put in a batch.
// It is a variable so tests can randomize it (1, 2, 3, 1024) to shake out
// boundary bugs.
var DefaultBatchSize = 1024

// Vec is one column of a batch. Exactly one of the typed slices is used,
// chosen by Kind; its length is the vector's length.
type Vec struct {
	Kind  Kind
	I64   []int64
	F64   []float64
	B     []bool
	S     []string
	A     []any
	Nulls []bool // nil: no nulls
}

// NewVec returns an empty vector of kind k with capacity n.
func NewVec(k Kind, n int) *Vec {
	v := &Vec{Kind: k}
	switch k {
	case Int64:
		v.I64 = make([]int64, 0, n)
	case Float64:
		v.F64 = make([]float64, 0, n)
	case Bool:
		v.B = make([]bool, 0, n)
	case Bytes:
		v.S = make([]string, 0, n)
	case Any:
		v.A = make([]any, 0, n)
	default:
		panic(fmt.Sprintf("BUG: col.NewVec of %v", k))
	}
	return v
}

// Len returns the number of slots in the vector.
func (v *Vec) Len() int {
	switch v.Kind {
	case Int64:
		return len(v.I64)
	case Float64:
		return len(v.F64)
	case Bool:
		return len(v.B)
	case Bytes:
		return len(v.S)
	case Any:
		return len(v.A)
	}
	return 0
}

// IsNull reports whether slot i is null.
func (v *Vec) IsNull(i int) bool { return v.Nulls != nil && v.Nulls[i] }

// HasNulls reports whether any slot may be null.
func (v *Vec) HasNulls() bool {
	for _, n := range v.Nulls {
		if n {
			return true
		}
	}
	return false
}

// Get returns slot i boxed: nil for null, else int64, float64, bool, string
// or the Any value.
func (v *Vec) Get(i int) any {
	if v.Nulls != nil && v.Nulls[i] {
		return nil
	}
	switch v.Kind {
	case Int64:
		return v.I64[i]
	case Float64:
		return v.F64[i]
	case Bool:
		return v.B[i]
	case Bytes:
		return v.S[i]
	case Any:
		return v.A[i]
	}
	return nil
}

// AppendNull appends a null slot.
func (v *Vec) AppendNull() {
	n := v.Len()
	if v.Nulls == nil {
		v.Nulls = make([]bool, n, cap(v.I64)+cap(v.F64)+cap(v.B)+cap(v.S)+cap(v.A)+1)
	}
	switch v.Kind {
	case Int64:
		v.I64 = append(v.I64, 0)
	case Float64:
		v.F64 = append(v.F64, 0)
	case Bool:
		v.B = append(v.B, false)
	case Bytes:
		v.S = append(v.S, "")
	case Any:
		v.A = append(v.A, nil)
	}
	v.Nulls = append(v.Nulls, true)
}

func (v *Vec) markNotNull() {
	if v.Nulls != nil {
		v.Nulls = append(v.Nulls, false)
	}
}

// Append appends a boxed value (as returned by Get); nil appends a null. It
// panics with a BUG message if x does not match the vector's kind.
func (v *Vec) Append(x any) {
	if x == nil {
		v.AppendNull()
		return
	}
	switch v.Kind {
	case Int64:
		v.I64 = append(v.I64, x.(int64))
	case Float64:
		v.F64 = append(v.F64, x.(float64))
	case Bool:
		v.B = append(v.B, x.(bool))
	case Bytes:
		v.S = append(v.S, x.(string))
	case Any:
		v.A = append(v.A, x)
	}
	v.markNotNull()
}

// AppendInt64 appends a non-null int64.
func (v *Vec) AppendInt64(x int64) { v.I64 = append(v.I64, x); v.markNotNull() }

// AppendFloat64 appends a non-null float64.
func (v *Vec) AppendFloat64(x float64) { v.F64 = append(v.F64, x); v.markNotNull() }

// AppendBool appends a non-null bool.
func (v *Vec) AppendBool(x bool) { v.B = append(v.B, x); v.markNotNull() }

// AppendString appends a non-null string.
func (v *Vec) AppendString(x string) { v.S = append(v.S, x); v.markNotNull() }

// AppendFrom appends slot i of src, which must have the same kind.
func (v *Vec) AppendFrom(src *Vec, i int) {
	if src.Nulls != nil && src.Nulls[i] {
		v.AppendNull()
		return
	}
	switch v.Kind {
	case Int64:
		v.I64 = append(v.I64, src.I64[i])
	case Float64:
		v.F64 = append(v.F64, src.F64[i])
	case Bool:
		v.B = append(v.B, src.B[i])
	case Bytes:
		v.S = append(v.S, src.S[i])
	case Any:
		v.A = append(v.A, src.A[i])
	}
	v.markNotNull()
}

// Reset empties the vector keeping its capacity.
func (v *Vec) Reset() {
	v.I64 = v.I64[:0]
	v.F64 = v.F64[:0]
	v.B = v.B[:0]
	v.S = v.S[:0]
	for i := range v.A {
		v.A[i] = nil
	}
	v.A = v.A[:0]
	v.Nulls = nil
}

// Slice returns a vector viewing rows [from, to) of v (sharing storage).
func (v *Vec) Slice(from, to int) *Vec {
	out := &Vec{Kind: v.Kind}
	switch v.Kind {
	case Int64:
		out.I64 = v.I64[from:to]
	case Float64:
		out.F64 = v.F64[from:to]
	case Bool:
		out.B = v.B[from:to]
	case Bytes:
		out.S = v.S[from:to]
	case Any:
		out.A = v.A[from:to]
	}
	if v.Nulls != nil {
		out.Nulls = v.Nulls[from:to]
	}
	return out
}

// Clone returns a copy of v that shares no storage with it.
func (v *Vec) Clone() *Vec {
	out := &Vec{Kind: v.Kind, I64: slices.Clone(v.I64), F64: slices.Clone(v.F64), B: slices.Clone(v.B),
		S: slices.Clone(v.S), A: slices.Clone(v.A), Nulls: slices.Clone(v.Nulls)}
	return out
}

// Gather returns a new vector holding v's slots at positions sel, in order.
func (v *Vec) Gather(sel []int) *Vec {
	out := &Vec{Kind: v.Kind}
	v.gatherInto(out, sel, nil, nil)
	return out
}

// gatherInto sets out (of v's kind) to v's slots at positions sel, in
// order. An Int64 or Float64 vector takes its values from i64 or f64
// when they hold len(sel) slots (capped, so appends to out reallocate
// instead of running into a neighbour's slots), else from a new slice.
func (v *Vec) gatherInto(out *Vec, sel []int, i64 []int64, f64 []float64) {
	n := len(sel)
	switch v.Kind {
	case Int64:
		out.I64 = gatherValues(i64, v.I64, sel)
	case Float64:
		out.F64 = gatherValues(f64, v.F64, sel)
	case Bool:
		out.B = make([]bool, n)
		for j, i := range sel {
			out.B[j] = v.B[i]
		}
	case Bytes:
		out.S = make([]string, n)
		for j, i := range sel {
			out.S[j] = v.S[i]
		}
	case Any:
		out.A = make([]any, n)
		for j, i := range sel {
			out.A[j] = v.A[i]
		}
	default:
		panic(fmt.Sprintf("BUG: col.Gather of %v", v.Kind))
	}
	if v.Nulls != nil {
		out.Nulls = make([]bool, n)
		for j, i := range sel {
			out.Nulls[j] = v.Nulls[i]
		}
	}
}

// gatherValues returns src's values at positions sel, in dst when it
// holds len(sel) slots, else in a new slice; the result's capacity is
// its length.
func gatherValues[T int64 | float64](dst, src []T, sel []int) []T {
	n := len(sel)
	if dst == nil || len(dst) != n {
		dst = make([]T, n)
	}
	for j, i := range sel {
		dst[j] = src[i]
	}
	return dst[:n:n]
}

// Batch is a set of column vectors of equal length plus an optional
// selection vector. See the package comment for its lifetime.
type Batch struct {
	Cols []*Vec
	Sel  []int // nil: all rows live
	n    int   // physical row count
}

// NewBatch returns a batch with one empty vector per kind.
func NewBatch(kinds []Kind, capacity int) *Batch {
	b := &Batch{Cols: make([]*Vec, len(kinds))}
	for i, k := range kinds {
		b.Cols[i] = NewVec(k, capacity)
	}
	return b
}

// FromVecs returns a batch over vecs with n physical rows. n is given
// explicitly so a batch with no columns (SELECT count(*)) still has rows.
func FromVecs(vecs []*Vec, n int) *Batch { return &Batch{Cols: vecs, n: n} }

// Rows returns the physical row count (ignoring the selection).
func (b *Batch) Rows() int { return b.n }

// SetRows sets the physical row count after vectors were appended to.
func (b *Batch) SetRows(n int) { b.n = n }

// Len returns the number of live rows.
func (b *Batch) Len() int {
	if b.Sel != nil {
		return len(b.Sel)
	}
	return b.n
}

// Values appends the values of physical row i (ignoring the selection)
// to dst[:0] and returns it.
func (b *Batch) Values(i int, dst []any) []any {
	dst = dst[:0]
	for _, v := range b.Cols {
		dst = append(dst, v.Get(i))
	}
	return dst
}

// Row returns the physical position of live row i.
func (b *Batch) Row(i int) int {
	if b.Sel != nil {
		return b.Sel[i]
	}
	return i
}

// Compact returns a batch without a selection vector holding only the live
// rows; it returns b itself when b has no selection.
func (b *Batch) Compact() *Batch {
	if b.Sel == nil {
		return b
	}
	return b.Gather(b.Sel)
}

// Gather returns a new batch (no selection vector) of the physical rows
// sel of b, in that order: every column gathered (Vec.Gather).
//
// A wide batch is gathered with few allocations: the new vectors come
// from one array, and the values of all its Int64 (and all its Float64)
// columns from one slice each, every column capped to its own part.
func (b *Batch) Gather(sel []int) *Batch {
	n := len(sel)
	out := &Batch{Cols: make([]*Vec, len(b.Cols)), n: n}
	var ni, nf int
	for _, c := range b.Cols {
		switch c.Kind {
		case Int64:
			ni++
		case Float64:
			nf++
		}
	}
	vecs := make([]Vec, len(b.Cols))
	i64 := make([]int64, ni*n)
	f64 := make([]float64, nf*n)
	for i, c := range b.Cols {
		v := &vecs[i]
		v.Kind = c.Kind
		switch c.Kind {
		case Int64:
			c.gatherInto(v, sel, i64[:n], nil)
			i64 = i64[n:]
		case Float64:
			c.gatherInto(v, sel, nil, f64[:n])
			f64 = f64[n:]
		default:
			c.gatherInto(v, sel, nil, nil)
		}
		out.Cols[i] = v
	}
	return out
}
