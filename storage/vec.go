package storage

// Column vector helpers: copying, concatenating and projecting the rows
// the transaction buffers and the merge rewrites.

import (
	"fmt"

	"github.com/tsgres/tsgres/storage/col"
)

// storable reports whether k can be stored in a chunk.
func storable(k col.Kind) bool {
	return k == col.Int64 || k == col.Float64 || k == col.Bool || k == col.Bytes
}

// nullVec returns a vector of kind k with n null slots.
func nullVec(k col.Kind, n int) *col.Vec { return refillNulls(nil, k, n) }

// refillNulls makes v (nil: a new vector) n NULLs of kind k, reusing its
// slices where they are large enough.
func refillNulls(v *col.Vec, k col.Kind, n int) *col.Vec {
	if v == nil {
		v = &col.Vec{}
	}
	nulls := v.Nulls[:0]
	i64, f64, b, str := v.I64[:0], v.F64[:0], v.B[:0], v.S[:0]
	v.Reset()
	v.Kind = k
	v.Nulls = append(nulls, make([]bool, n)...)
	for i := range v.Nulls {
		v.Nulls[i] = true
	}
	switch k {
	case col.Int64:
		v.I64 = append(i64, make([]int64, n)...)
	case col.Float64:
		v.F64 = append(f64, make([]float64, n)...)
	case col.Bool:
		v.B = append(b, make([]bool, n)...)
	case col.Bytes:
		v.S = append(str, make([]string, n)...)
	case col.Any:
		v.A = make([]any, n)
	}
	return v
}

// appendVec appends every slot of src to dst (same kind).
func appendVec(dst, src *col.Vec) {
	n := dst.Len()
	if src.Nulls != nil || dst.Nulls != nil {
		if dst.Nulls == nil {
			dst.Nulls = make([]bool, n, n+src.Len())
		}
		if src.Nulls != nil {
			dst.Nulls = append(dst.Nulls, src.Nulls...)
		} else {
			dst.Nulls = append(dst.Nulls, make([]bool, src.Len())...)
		}
	}
	switch dst.Kind {
	case col.Int64:
		dst.I64 = append(dst.I64, src.I64...)
	case col.Float64:
		dst.F64 = append(dst.F64, src.F64...)
	case col.Bool:
		dst.B = append(dst.B, src.B...)
	case col.Bytes:
		dst.S = append(dst.S, src.S...)
	case col.Any:
		dst.A = append(dst.A, src.A...)
	}
}

// appendNulls appends n null slots to v.
func appendNulls(v *col.Vec, n int) { appendVec(v, nullVec(v.Kind, n)) }

// copyLive returns a deep copy of the live rows of b (the selection
// applied), so the copy outlives b.
func copyLive(b *col.Batch) *col.Batch {
	vecs := make([]*col.Vec, len(b.Cols))
	for i, v := range b.Cols {
		if b.Sel != nil {
			vecs[i] = v.Gather(b.Sel)
			continue
		}
		c := col.NewVec(v.Kind, b.Rows())
		appendVec(c, v.Slice(0, b.Rows()))
		vecs[i] = c
	}
	return col.FromVecs(vecs, b.Len())
}

// checkBatch validates that b fits schema.
func checkBatch(schema ChunkSchema, b *col.Batch) error {
	if len(b.Cols) != len(schema.Cols) {
		return fmt.Errorf("storage: batch has %d columns, schema %d", len(b.Cols), len(schema.Cols))
	}
	if schema.TimeCol < 0 || schema.TimeCol >= len(schema.Cols) {
		return fmt.Errorf("storage: time column index %d out of range", schema.TimeCol)
	}
	if schema.Cols[schema.TimeCol].Kind != col.Int64 {
		return fmt.Errorf("storage: time column is %v, want int64", schema.Cols[schema.TimeCol].Kind)
	}
	for i, c := range schema.Cols {
		if !storable(c.Kind) {
			return fmt.Errorf("storage: column %d has unstorable kind %v", c.ID, c.Kind)
		}
		if b.Cols[i].Kind != c.Kind {
			return fmt.Errorf("storage: column %d is %v, schema says %v", c.ID, b.Cols[i].Kind, c.Kind)
		}
		if b.Cols[i].Len() < b.Rows() {
			return fmt.Errorf("storage: column %d has %d slots for %d rows", c.ID, b.Cols[i].Len(), b.Rows())
		}
	}
	return nil
}

// checkTimeNotNull reports a null in the time column of b's live rows.
func checkTimeNotNull(schema ChunkSchema, b *col.Batch) error {
	v := b.Cols[schema.TimeCol]
	if v.Nulls == nil {
		return nil
	}
	for i := 0; i < b.Len(); i++ {
		if v.Nulls[b.Row(i)] {
			return fmt.Errorf("storage: null value in time column %d", schema.Cols[schema.TimeCol].ID)
		}
	}
	return nil
}

// colIndex returns the position of column id in cols, or -1.
func colIndex(cols []ColumnRef, id uint32) int {
	for i, c := range cols {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// project returns b's columns (laid out by schema) as cols, with nulls for
// columns b lacks. Vectors are shared with b.
func project(schema ChunkSchema, b *col.Batch, cols []ColumnRef) (*col.Batch, error) {
	out := make([]*col.Vec, len(cols))
	for i, c := range cols {
		j := colIndex(schema.Cols, c.ID)
		if j < 0 {
			out[i] = nullVec(c.Kind, b.Rows())
			continue
		}
		if schema.Cols[j].Kind != c.Kind {
			return nil, fmt.Errorf("storage: column %d is stored as %v, read as %v", c.ID, schema.Cols[j].Kind, c.Kind)
		}
		out[i] = b.Cols[j]
	}
	return col.FromVecs(out, b.Rows()), nil
}

// sortedByTime reports whether the time column of b is non-decreasing.
func sortedByTime(schema ChunkSchema, b *col.Batch) bool {
	t := b.Cols[schema.TimeCol].I64
	for i := 1; i < b.Rows(); i++ {
		if t[i] < t[i-1] {
			return false
		}
	}
	return true
}
