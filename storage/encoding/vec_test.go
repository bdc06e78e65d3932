package encoding

import (
	"errors"
	"slices"
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

// nullPatterns returns null masks of length n (nil: no nulls).
func nullPatterns(n int) map[string][]bool {
	r := newRand(uint64(n) + 7)
	pats := map[string][]bool{"none": nil}
	if n == 0 {
		return pats
	}
	some := make([]bool, n)
	for i := range some {
		some[i] = r.IntN(5) == 0
	}
	ends := make([]bool, n)
	ends[0], ends[n-1] = true, true
	pats["some"] = some
	pats["ends"] = ends
	pats["all"] = repeat(true, n)
	pats["allocated-none"] = make([]bool, n)
	return pats
}

// vecsOf builds vectors of every kind from the test shapes.
func vecsOf() map[string]*col.Vec {
	vecs := map[string]*col.Vec{}
	for name, v := range intShapes() {
		vecs["int/"+name] = &col.Vec{Kind: col.Int64, I64: v}
	}
	for name, v := range floatShapes() {
		vecs["float/"+name] = &col.Vec{Kind: col.Float64, F64: v}
	}
	for name, v := range boolShapes() {
		vecs["bool/"+name] = &col.Vec{Kind: col.Bool, B: v}
	}
	for name, v := range stringShapes() {
		vecs["bytes/"+name] = &col.Vec{Kind: col.Bytes, S: v}
	}
	return vecs
}

// withNulls returns a copy of v whose slots are null per mask, zeroed.
func withNulls(v *col.Vec, mask []bool) *col.Vec {
	out := col.NewVec(v.Kind, v.Len())
	for i := 0; i < v.Len(); i++ {
		if mask != nil && mask[i] {
			out.AppendNull()
		} else {
			out.AppendFrom(v, i)
		}
	}
	if mask != nil && out.Nulls == nil {
		out.Nulls = slices.Clone(mask) // all false but allocated
	}
	return out
}

func equalVecs(a, b *col.Vec) bool {
	if a.Kind != b.Kind || a.Len() != b.Len() || a.HasNulls() != b.HasNulls() {
		return false
	}
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) != b.IsNull(i) {
			return false
		}
	}
	switch a.Kind {
	case col.Int64:
		return slices.Equal(a.I64, b.I64)
	case col.Float64:
		return sameFloats(a.F64, b.F64)
	case col.Bool:
		return slices.Equal(a.B, b.B)
	case col.Bytes:
		return slices.Equal(a.S, b.S)
	}
	return false
}

func TestVecRoundTrip(t *testing.T) {
	dst := &col.Vec{} // reused across kinds and shapes
	for name, v := range vecsOf() {
		for pname, mask := range nullPatterns(v.Len()) {
			in := withNulls(v, mask)
			enc := EncodeVec([]byte{0xAA}, in)[1:]
			if err := DecodeVec(enc, in.Kind, dst); err != nil {
				t.Fatalf("%s/%s: %v", name, pname, err)
			}
			if !equalVecs(in, dst) {
				t.Fatalf("%s/%s: round trip mismatch", name, pname)
			}
			if n, err := DecodeCount(enc); err != nil || n != in.Len() {
				t.Fatalf("%s/%s: DecodeCount = %d, %v", name, pname, n, err)
			}
			if in.HasNulls() != (Encoding(enc[0]) == Nulls) {
				t.Fatalf("%s/%s: nulls section present = %v", name, pname, !in.HasNulls())
			}
			checkPrefixes(t, enc, func(b []byte) error { return DecodeVec(b, in.Kind, dst) })
		}
	}
}

func TestDecodeVecWrongKind(t *testing.T) {
	vecs := vecsOf()
	for _, tc := range []struct {
		vec  string
		kind col.Kind
	}{
		{"int/counter", col.Float64},
		{"float/temps", col.Int64},
		{"bool/random", col.Bytes},
		{"bytes/trucks", col.Bool},
		{"int/counter", col.Any},
	} {
		enc := EncodeVec(nil, vecs[tc.vec])
		dst := &col.Vec{}
		if err := DecodeVec(enc, tc.kind, dst); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s as %v: err = %v, want ErrCorrupt", tc.vec, tc.kind, err)
		}
		if dst.Len() != 0 {
			t.Errorf("%s as %v: dst not empty after error", tc.vec, tc.kind)
		}
	}
}

func TestDecodeCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"unknown encoding", []byte{99, 1, 0}},
		{"huge count", []byte{byte(IntConst), 0xff, 0xff, 0xff, 0xff, 0x0f, 2}},
		{"raw short", []byte{byte(IntRaw), 2, 1, 2, 3}},
		{"trailing", append(EncodeInt64(nil, []int64{1, 2, 3}), 0)},
		{"bad width", []byte{byte(IntDelta), 3, 0, 0, 65, 0}},
		{"exception out of range", []byte{byte(IntDelta), 3, 0, 0, 0, 1, 5, 1}},
		{"nulls padding", []byte{byte(Nulls), 1, 0x02, byte(IntRaw), 1, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"nulls count mismatch", []byte{byte(Nulls), 2, 0x01, byte(IntRaw), 0}},
	} {
		var dst col.Vec
		err := DecodeVec(tc.src, col.Int64, &dst)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", tc.name, err)
		}
	}
}

func TestDecodeAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	r := newRand(9)
	for _, tc := range []struct {
		name string
		vec  *col.Vec
	}{
		{"alp", &col.Vec{Kind: col.Float64, F64: genTemperatures(r, 1000)}},
		{"ts", &col.Vec{Kind: col.Int64, I64: genTimestamps(r, 1000, 1000)}},
		{"xor", &col.Vec{Kind: col.Float64, F64: floatShapes()["random"]}},
		{"bools", &col.Vec{Kind: col.Bool, B: boolShapes()["random"]}},
		{"nulls", withNulls(&col.Vec{Kind: col.Float64, F64: genTemperatures(r, 1000)}, nullPatterns(1000)["some"])},
	} {
		enc := EncodeVec(nil, tc.vec)
		dst := &col.Vec{}
		if err := DecodeVec(enc, tc.vec.Kind, dst); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if err := DecodeVec(enc, tc.vec.Kind, dst); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per decode, want 0", tc.name, allocs)
		}
	}
}
