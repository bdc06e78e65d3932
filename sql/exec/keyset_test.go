package exec

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

// TestProbeKeys: the key-set row filter keeps the rows whose column is a
// key, probing runs of equal values once and copying a consecutive run
// of rows whole; NULLs are never keys.
func TestProbeKeys(t *testing.T) {
	ks := &keySet{idx: 0, ints: map[int64]struct{}{2: {}, 5: {}}}
	for _, tc := range []struct {
		ids  []int64
		null int // a NULL slot (-1: none)
		want []int64
	}{
		{[]int64{1, 1, 2, 2, 2, 3}, -1, []int64{2, 2, 2}}, // one run
		{[]int64{2, 2, 3, 5, 5}, -1, []int64{2, 2, 5, 5}}, // two runs
		{[]int64{2, 2, 2}, 1, []int64{2, 2}},              // NULL dropped
		{[]int64{7, 8}, -1, nil},                          // none
		{[]int64{5, 2, 5, 1}, -1, []int64{5, 2, 5}},       // unsorted
	} {
		b := col.NewBatch([]col.Kind{col.Int64, col.Float64}, len(tc.ids))
		for i, id := range tc.ids {
			if i == tc.null {
				b.Cols[0].AppendNull()
			} else {
				b.Cols[0].AppendInt64(id)
			}
			b.Cols[1].AppendFloat64(float64(i))
		}
		b.SetRows(len(tc.ids))
		out, removed := probeKeys([]*keySet{ks}, b)
		var got []int64
		for i := 0; i < out.Rows(); i++ {
			got = append(got, out.Cols[0].I64[i])
			if f := out.Cols[1].F64[i]; tc.ids[int(f)] != got[i] {
				t.Fatalf("%v: row %d carries the value of row %v", tc.ids, i, f)
			}
		}
		if !slices.Equal(got, tc.want) || removed != len(tc.ids)-len(tc.want) {
			t.Fatalf("%v: kept %v (removed %d), want %v", tc.ids, got, removed, tc.want)
		}
	}
	strs := &keySet{idx: 0, strs: map[string]struct{}{"b": {}}}
	b := col.NewBatch([]col.Kind{col.Bytes}, 4)
	for _, s := range []string{"a", "b", "b", "c"} {
		b.Cols[0].AppendString(s)
	}
	b.SetRows(4)
	out, _ := probeKeys([]*keySet{strs}, b)
	if got := fmt.Sprint(out.Cols[0].S); got != "[b b]" {
		t.Fatalf("text keys kept %s, want [b b]", got)
	}
}
