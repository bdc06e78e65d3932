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
