package col

import "testing"

func TestVecAppendGetNulls(t *testing.T) {
	v := NewVec(Int64, 0)
	v.AppendInt64(1)
	v.AppendNull()
	v.Append(int64(3))
	if v.Len() != 3 || v.Get(0) != int64(1) || v.Get(1) != nil || v.Get(2) != int64(3) {
		t.Fatalf("got %v %v %v", v.Get(0), v.Get(1), v.Get(2))
	}
	g := v.Gather([]int{2, 1})
	if g.Get(0) != int64(3) || g.Get(1) != nil {
		t.Fatalf("gather: %v %v", g.Get(0), g.Get(1))
	}
}

func TestBatchCompact(t *testing.T) {
	a := NewVec(Bytes, 0)
	for _, s := range []string{"a", "b", "c"} {
		a.AppendString(s)
	}
	b := FromVecs([]*Vec{a}, 3)
	b.Sel = []int{0, 2}
	c := b.Compact()
	if c.Len() != 2 || c.Cols[0].Get(1) != "c" {
		t.Fatalf("compact: %d %v", c.Len(), c.Cols[0].Get(1))
	}
}

// TestBatchGatherShared checks a gathered wide batch: every kind keeps
// its values and NULLs, and the columns that share one slice stay
// separate when one is appended to.
func TestBatchGatherShared(t *testing.T) {
	kinds := []Kind{Int64, Float64, Int64, Bytes, Float64, Bool, Any}
	b := NewBatch(kinds, 8)
	for r := range 8 {
		for i, k := range kinds {
			switch {
			case r == 3 && i == 1:
				b.Cols[i].AppendNull()
			case k == Int64:
				b.Cols[i].AppendInt64(int64(10*i + r))
			case k == Float64:
				b.Cols[i].AppendFloat64(float64(10*i+r) + 0.5)
			case k == Bytes:
				b.Cols[i].Append(string(rune('a' + r)))
			case k == Bool:
				b.Cols[i].Append(r%2 == 0)
			default:
				b.Cols[i].Append(int64(r))
			}
		}
	}
	b.SetRows(8)
	sel := []int{7, 3, 0, 5}
	g := b.Gather(sel)
	if g.Rows() != len(sel) {
		t.Fatalf("rows %d", g.Rows())
	}
	for i := range kinds {
		for j, r := range sel {
			if got, want := g.Cols[i].Get(j), b.Cols[i].Get(r); got != want {
				t.Fatalf("column %d row %d: %v, want %v", i, j, got, want)
			}
		}
	}
	g.Cols[0].AppendInt64(-1)
	g.Cols[1].AppendFloat64(-1)
	if g.Cols[2].Get(0) != int64(27) || g.Cols[4].Get(0) != 47.5 {
		t.Fatalf("an append ran into the next column: %v %v", g.Cols[2].Get(0), g.Cols[4].Get(0))
	}
	if e := b.Gather(nil); e.Rows() != 0 || e.Cols[0].Len() != 0 {
		t.Fatal("empty gather")
	}
}
