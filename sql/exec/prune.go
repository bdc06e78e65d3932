package exec

import "github.com/tsgres/tsgres/storage/col"

// Column pruning: sql/opt marks the columns a hypertable scan decodes
// (plan.HyperScan.Decode); the scan fills the other positions with shared
// all-NULL placeholders of the right length.

// placeholder returns a read-only all-NULL vector of kind k and n rows,
// shared by the scan's batches.
func (h *hyperScanOp) placeholder(k col.Kind, n int) *col.Vec {
	for _, v := range h.holders {
		if v.Kind == k && v.Len() == n {
			return v
		}
	}
	v := &col.Vec{Kind: k, Nulls: make([]bool, n)}
	for i := range v.Nulls {
		v.Nulls[i] = true
	}
	switch k {
	case col.Int64:
		v.I64 = make([]int64, n)
	case col.Float64:
		v.F64 = make([]float64, n)
	case col.Bool:
		v.B = make([]bool, n)
	case col.Bytes:
		v.S = make([]string, n)
	default:
		v.A = make([]any, n)
	}
	if len(h.holders) > 8 {
		h.holders = h.holders[1:]
	}
	h.holders = append(h.holders, v)
	return v
}
