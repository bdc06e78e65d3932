package col

import "testing"

// BenchmarkBatchGather gathers a tenth of the rows of a 1,024-row batch
// shaped like a wide metrics table (time, series id, ten floats, one
// all-NULL text column), as a scan filter keeping few rows does.
func BenchmarkBatchGather(b *testing.B) {
	kinds := []Kind{Int64, Int64, Float64, Float64, Float64, Float64, Float64, Float64, Float64, Float64, Float64, Float64, Bytes}
	bt := NewBatch(kinds, 1024)
	for r := range 1024 {
		for i, k := range kinds {
			switch k {
			case Int64:
				bt.Cols[i].AppendInt64(int64(r))
			case Float64:
				bt.Cols[i].AppendFloat64(float64(r))
			default:
				bt.Cols[i].AppendNull()
			}
		}
	}
	bt.SetRows(1024)
	var sel []int
	for r := 0; r < 1024; r += 10 {
		sel = append(sel, r)
	}
	b.ReportAllocs()
	for b.Loop() {
		bt.Gather(sel)
	}
}
