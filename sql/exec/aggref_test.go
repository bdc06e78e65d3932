package exec

import (
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// The aggregate reference test. Every aggregation path must give the
// answer of feeding the rows one at a time into the aggregate's state
// (agg.State.Add), the reference:
//
//   - typed hash aggregation (fastAgg), fed in random batch sizes, its
//     accumulators folded into states (agg.Fold);
//   - block metadata answers: rows cut into random blocks, each block's
//     summary folded in when the state accepts it, its rows fed when not;
//   - partial states (parallel aggregation, continuous aggregates): rows
//     split at random into states that are merged (State.Merge).
//
// Float sums may differ in the last bits when the order of additions
// differs (blocks, partials), as in PostgreSQL's parallel aggregation;
// everything else must be equal.

// refColumn is one random argument column with its group keys.
type refColumn struct {
	t    types.T
	keys []any // int64 or nil
	vals []any // int64, float64 or nil
}

func randomColumn(r *rand.Rand, t types.T, n int) refColumn {
	c := refColumn{t: t, keys: make([]any, n), vals: make([]any, n)}
	for i := range n {
		if r.Intn(20) > 0 {
			c.keys[i] = int64(r.Intn(4))
		}
		if r.Intn(6) == 0 {
			continue // NULL
		}
		switch t.OID {
		case types.OidFloat8:
			switch r.Intn(40) {
			case 0:
				c.vals[i] = math.NaN()
			case 1:
				c.vals[i] = math.Inf(1 - 2*r.Intn(2))
			default:
				c.vals[i] = (r.Float64() - 0.5) * 1e6
			}
		case types.OidInt8:
			if r.Intn(10) == 0 { // sums overflow int64
				c.vals[i] = math.MaxInt64 - int64(r.Intn(1000))
			} else {
				c.vals[i] = r.Int63n(2_000_001) - 1_000_000
			}
		default: // int4, int2
			c.vals[i] = r.Int63n(60001) - 30000
		}
	}
	return c
}

// TestAggStatesAgainstReference checks count, sum, avg, min and max over
// int2/int4/int8/float8, with NULLs, NaN, infinities and int64 overflow.
func TestAggStatesAgainstReference(t *testing.T) {
	ctx := newCtx()
	r := rand.New(rand.NewSource(11))
	for round := 0; round < 40; round++ {
		at := []types.T{types.Int2, types.Int4, types.Int8, types.Float8}[round%4]
		n := 1 + r.Intn(3000)
		c := randomColumn(r, at, n)
		calls := []*plan.AggCall{aggCall(t, "count", nil)}
		for _, name := range []string{"count", "sum", "avg", "min", "max"} {
			calls = append(calls, aggCall(t, name, []plan.Expr{cref(1, at)}))
		}
		for _, call := range calls {
			name := fmt.Sprintf("round %d: %s(%v) over %d rows", round, call.Agg.Name, at.Info().SQLName, n)
			want := refResults(t, ctx, call, c)
			if got := fastResults(t, ctx, call, c, r); !sameResults(got, want) {
				t.Errorf("%s: typed hash aggregation %v, reference %v", name, got, want)
			}
			if got := blockResults(t, ctx, call, c, r); !sameResults(got, want) {
				t.Errorf("%s: block metadata %v, reference %v", name, got, want)
			}
			if got := mergedResults(t, ctx, call, c, r); !sameResults(got, want) {
				t.Errorf("%s: merged partials %v, reference %v", name, got, want)
			}
		}
	}
}

func argsOf(call *plan.AggCall, v any) []any {
	if call.Star {
		return nil
	}
	return []any{v}
}

// feedRows feeds the rows keep selects one at a time into one state per
// group.
func feedRows(t *testing.T, ctx *Ctx, call *plan.AggCall, c refColumn, keep func(i int) bool) map[any]agg.State {
	states := map[any]agg.State{}
	for i := range c.vals {
		if !keep(i) {
			continue
		}
		s := states[c.keys[i]]
		if s == nil {
			s = call.Agg.New(call.ArgTypes, nil)
			states[c.keys[i]] = s
		}
		if err := s.Add(ctx.funcCtx(), argsOf(call, c.vals[i])); err != nil {
			t.Fatal(err)
		}
	}
	return states
}

// refResults is each group's result of feeding every row one at a time.
func refResults(t *testing.T, ctx *Ctx, call *plan.AggCall, c refColumn) map[any]any {
	return results(t, ctx, feedRows(t, ctx, call, c, func(int) bool { return true }))
}

func results(t *testing.T, ctx *Ctx, states map[any]agg.State) map[any]any {
	out := map[any]any{}
	for k, s := range states {
		v, err := s.Result(ctx.funcCtx())
		if err != nil {
			v = "error " + err.Error()
		}
		out[k] = v
	}
	return out
}

// fastResults runs the typed hash aggregation over random batches.
func fastResults(t *testing.T, ctx *Ctx, call *plan.AggCall, c refColumn, r *rand.Rand) map[any]any {
	n := &plan.Agg{Keys: []plan.Expr{cref(0, types.Int8)}, Aggs: []*plan.AggCall{call}}
	f := newFastAgg(n, [][]types.T{call.ArgTypes})
	if f == nil {
		return refResults(t, ctx, call, c) // not a typed aggregate: nothing to compare
	}
	for lo := 0; lo < len(c.vals); {
		hi := min(len(c.vals), lo+1+r.Intn(700))
		keys, vals := col.NewVec(col.Int64, hi-lo), col.NewVec(c.t.Kind(), hi-lo)
		for i := lo; i < hi; i++ {
			keys.Append(c.keys[i])
			vals.Append(c.vals[i])
		}
		f.consume([]*col.Vec{keys}, []*col.Vec{vals}, hi-lo)
		lo = hi
	}
	states := map[any]agg.State{}
	for g := 0; g < f.ngroup; g++ {
		s := call.Agg.New(call.ArgTypes, nil)
		st := f.accs[0].Summary(int32(g))
		if !agg.Fold(s, &st, true) {
			t.Fatalf("%s: a typed accumulator's summary was refused", call.Agg.Name)
		}
		states[f.keys[g][0]] = s
	}
	return results(t, ctx, states)
}

// blockResults cuts each group's rows into random blocks and folds each
// block's summary, as block metadata gives it, or its rows when the
// state refuses the summary.
func blockResults(t *testing.T, ctx *Ctx, call *plan.AggCall, c refColumn, r *rand.Rand) map[any]any {
	rows := map[any][]any{}
	var order []any
	for i, k := range c.keys {
		if _, ok := rows[k]; !ok {
			order = append(order, k)
		}
		rows[k] = append(rows[k], c.vals[i])
	}
	states := map[any]agg.State{}
	for _, k := range order {
		s := call.Agg.New(call.ArgTypes, nil)
		states[k] = s
		vals := rows[k]
		for lo := 0; lo < len(vals); {
			hi := min(len(vals), lo+1+r.Intn(300))
			st := blockStats(vals[lo:hi])
			if !agg.Fold(s, &st, true) {
				for _, v := range vals[lo:hi] {
					if err := s.Add(ctx.funcCtx(), argsOf(call, v)); err != nil {
						t.Fatal(err)
					}
				}
			}
			lo = hi
		}
	}
	return results(t, ctx, states)
}

// blockStats summarizes values as storage's block metadata does: the
// integer sum only when it is exact in int64.
func blockStats(vals []any) agg.Summary {
	st := agg.Summary{Rows: int64(len(vals))}
	var isum big.Int
	for _, v := range vals {
		if v == nil {
			continue
		}
		st.NonNull++
		switch x := v.(type) {
		case int64:
			isum.Add(&isum, big.NewInt(x))
			if st.Min == nil || x < st.Min.(int64) {
				st.Min = x
			}
			if st.Max == nil || x > st.Max.(int64) {
				st.Max = x
			}
		case float64:
			st.FloatSum += x
			st.HasFloatSum = true
			if st.Min == nil || agg.FloatLess(x, st.Min.(float64)) {
				st.Min = x
			}
			if st.Max == nil || agg.FloatLess(st.Max.(float64), x) {
				st.Max = x
			}
		}
	}
	if _, isInt := st.Min.(int64); isInt && isum.IsInt64() {
		st.IntSum, st.HasIntSum = isum.Int64(), true
	}
	return st
}

// mergedResults splits the rows at random into partial states, merged.
func mergedResults(t *testing.T, ctx *Ctx, call *plan.AggCall, c refColumn, r *rand.Rand) map[any]any {
	parts := 1 + r.Intn(5)
	part := make([]int, len(c.vals))
	for i := range part {
		part[i] = r.Intn(parts)
	}
	var merged map[any]agg.State
	for p := 0; p < parts; p++ {
		states := feedRows(t, ctx, call, c, func(i int) bool { return part[i] == p })
		if merged == nil {
			merged = states
			continue
		}
		for k, s := range states {
			if m := merged[k]; m != nil {
				if err := m.Merge(s); err != nil {
					t.Fatal(err)
				}
			} else {
				merged[k] = s
			}
		}
	}
	return results(t, ctx, merged)
}

// sameResults compares per-group results; floats within 1e-9 relative
// (sums in another order), NaN equal to NaN.
func sameResults(a, b map[any]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok {
			return false
		}
		fx, okx := x.(float64)
		fy, oky := y.(float64)
		switch {
		case okx && oky:
			if math.IsNaN(fx) || math.IsNaN(fy) || math.IsInf(fx, 0) || math.IsInf(fy, 0) {
				if !(math.IsNaN(fx) && math.IsNaN(fy)) && fx != fy {
					return false
				}
			} else if math.Abs(fx-fy) > 1e-9*math.Max(1, math.Max(math.Abs(fx), math.Abs(fy))) {
				return false
			}
		default:
			if fmt.Sprint(x) != fmt.Sprint(y) {
				return false
			}
		}
	}
	return true
}
