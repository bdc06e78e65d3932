package exec

import (
	"math"
	"math/rand"
	"testing"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// TestCmpConstBatch checks the column-versus-constant comparison kernels
// against row-by-row evaluation, for every operator with the constant on
// either side, over values with NULLs and (for floats) NaNs.
func TestCmpConstBatch(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const n = 300
	ints, floats, strs := col.NewVec(col.Int64, n), col.NewVec(col.Float64, n), col.NewVec(col.Bytes, n)
	for i := 0; i < n; i++ {
		if rng.Intn(10) == 0 {
			ints.AppendNull()
			floats.AppendNull()
			strs.AppendNull()
			continue
		}
		ints.AppendInt64(int64(rng.Intn(20) - 10))
		f := float64(rng.Intn(20)-10) / 2
		if rng.Intn(8) == 0 {
			f = math.NaN()
		}
		floats.AppendFloat64(f)
		strs.AppendString(string(rune('a' + rng.Intn(6))))
	}
	b := col.FromVecs([]*col.Vec{ints, floats, strs}, n)
	cases := []struct {
		t      types.T
		idx    int
		consts []any
	}{
		{types.Int8, 0, []any{int64(-3), int64(0), int64(9)}},
		{types.Float8, 1, []any{-1.5, 0.0, 4.5, math.NaN(), math.Inf(1)}},
		{types.Text, 2, []any{"a", "c", "cc", "z"}},
	}
	ctx := newCtx()
	for _, c := range cases {
		for _, v := range c.consts {
			for k := plan.OpEq; k <= plan.OpGe; k++ {
				for _, e := range []*plan.Op{
					op(k, types.Bool, cref(c.idx, c.t), cnst(v, c.t)),
					op(k, types.Bool, cnst(v, c.t), cref(c.idx, c.t)),
				} {
					got, err := EvalBatch(ctx, e, b)
					if err != nil {
						t.Fatal(err)
					}
					for i := 0; i < n; i++ {
						w, err := Eval(ctx, e, batchRowAny(b, i))
						if err != nil {
							t.Fatal(err)
						}
						var g any
						if !got.IsNull(i) {
							g = got.B[i]
						}
						if g != w {
							t.Fatalf("%v %v %v (const on the %s) row %d (%v): got %v, want %v",
								c.t.Info().Name, k, v, side(e), i, b.Cols[c.idx].Get(i), g, w)
						}
					}
				}
			}
		}
	}
}

func side(e *plan.Op) string {
	if _, ok := e.L.(*plan.Const); ok {
		return "left"
	}
	return "right"
}

func batchRowAny(b *col.Batch, i int) []any {
	row := make([]any, len(b.Cols))
	for j, v := range b.Cols {
		row[j] = v.Get(i)
	}
	return row
}
