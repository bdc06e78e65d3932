package agg

import (
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// The vector forms against the row-at-a-time reference: for every
// aggregate with a vector form, random rows in random groups are fed
//
//   - to one State per group, one row at a time (the reference);
//   - to a Vector in batches of random sizes (1, 2, 3, up to 1024) with
//     random group ids, read back both with Final and as Summaries
//     folded into States;
//   - to several Vectors, the rows split at random, merged (Merge);
//   - as blocks: each group's rows cut into random blocks whose
//     metadata goes through FromBlockMeta and is folded into the State
//     when it accepts it, the rows fed when not.
//
// The Vector fed in row order must give exactly the reference; merged
// partials and blocks add floats in another order and may differ in the
// last bits, as in PostgreSQL's parallel aggregation.

// vecCase is one aggregate overload and argument type with a vector form.
type vecCase struct {
	a  *Aggregate
	at []types.T
}

func (c vecCase) String() string {
	if len(c.at) == 0 {
		return c.a.Name + "(*)"
	}
	return fmt.Sprintf("%s(%s)", c.a.Name, c.at[0].Info().Name)
}

// vectorCases lists the overloads with a vector form over the argument
// types the tests generate, and checks that those without one have none.
func vectorCases(t *testing.T) []vecCase {
	var out []vecCase
	argTypes := []types.T{types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Timestamptz, types.Date, types.Numeric, types.Text}
	for _, name := range Names() {
		for _, a := range Overloads(name) {
			var ats [][]types.T
			switch {
			case len(a.Args) == 0:
				ats = [][]types.T{nil}
			case len(a.Args) == 1:
				for _, at := range argTypes {
					if argMatches(a.Args[0], at) {
						ats = append(ats, []types.T{at})
					}
				}
			}
			for _, at := range ats {
				if _, ok := a.NewVector(at); ok {
					out = append(out, vecCase{a, at})
				}
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d aggregates with a vector form: %v", len(out), out)
	}
	return out
}

// TestVectorForms checks which aggregates declare a vector form.
func TestVectorForms(t *testing.T) {
	has := map[string]bool{}
	for _, c := range vectorCases(t) {
		has[c.String()] = true
	}
	for name, want := range map[string]bool{
		"count(*)": true, "count(text)": true, "count(numeric)": true,
		"sum(int4)": true, "sum(int8)": true, "sum(float8)": true, "avg(int2)": true, "avg(float4)": true,
		"min(timestamptz)": true, "max(date)": true, "max(float4)": true, "min(int8)": true,
		"sum(float4)": false, "sum(numeric)": false, "min(text)": false, "max(numeric)": false, "stddev(float8)": false,
	} {
		if has[name] != want {
			t.Errorf("%s: vector form %v, want %v", name, has[name], want)
		}
	}
}

// TestLookup checks the exact overload lookup the typed refresh uses.
func TestLookup(t *testing.T) {
	for _, c := range []struct {
		name string
		args []types.T
		want string // the overload's parameters, or "none"
	}{
		{"count", nil, "[]"},
		{"count", []types.T{types.Text}, "[any]"},
		{"sum", []types.T{types.Int4}, "[int4]"},
		{"max", []types.T{types.Timestamptz}, "[timestamptz]"},
		{"sum", []types.T{types.Oid}, "none"},
		{"percentile_cont", []types.T{types.Float8}, "none"},
		{"nosuch", nil, "none"},
	} {
		got := "none"
		if a := Lookup(c.name, c.args); a != nil {
			var ps []string
			for _, p := range a.Args {
				ps = append(ps, p.Info().Name)
			}
			got = fmt.Sprint(ps)
			if len(ps) == 0 {
				got = "[]"
			}
		}
		if got != c.want {
			t.Errorf("Lookup(%s, %v) = %s, want %s", c.name, c.args, got, c.want)
		}
	}
}

// vecRows is a random argument column with a group id per row.
type vecRows struct {
	gids []int32
	vals []any // int64, float64 or nil
}

// With runs set, group ids come in runs of random length (as from a
// block sorted by series and time) and no value is NULL, which the
// vectors' run loops take.
func randomRows(r *rand.Rand, at []types.T, n, groups int, runs bool) vecRows {
	rows := vecRows{gids: make([]int32, n), vals: make([]any, n)}
	g := int32(r.Intn(groups))
	for i := range n {
		if !runs || r.Intn(50) == 0 {
			g = int32(r.Intn(groups))
		}
		rows.gids[i] = g
		if len(at) == 0 || (!runs && r.Intn(6) == 0) {
			continue // count(*), or NULL
		}
		switch at[0].Kind() {
		case col.Float64:
			switch r.Intn(40) {
			case 0:
				rows.vals[i] = math.NaN()
			case 1:
				rows.vals[i] = math.Inf(1 - 2*r.Intn(2))
			default:
				rows.vals[i] = (r.Float64() - 0.5) * 1e6
			}
		case col.Int64:
			if at[0].OID == types.OidInt8 && r.Intn(10) == 0 { // sums overflow int64
				rows.vals[i] = math.MaxInt64 - int64(r.Intn(1000))
			} else {
				rows.vals[i] = r.Int63n(60001) - 30000
			}
		default:
			rows.vals[i] = fmt.Sprint(r.Intn(100))
		}
	}
	return rows
}

// vecOf returns rows [lo, hi) as an argument vector (nil for count(*)).
func (rows vecRows) vecOf(at []types.T, lo, hi int) *col.Vec {
	if len(at) == 0 {
		return nil
	}
	v := col.NewVec(at[0].Kind(), hi-lo)
	for _, x := range rows.vals[lo:hi] {
		v.Append(x)
	}
	return v
}

func (c vecCase) args(v any) []any {
	if len(c.at) == 0 {
		return nil
	}
	return []any{v}
}

// reference feeds the rows one at a time into one State per group.
func (c vecCase) reference(t *testing.T, rows vecRows, groups int) []State {
	ctx := testCtx()
	states := make([]State, groups)
	for g := range states {
		states[g] = c.a.New(c.at, nil)
	}
	for i, g := range rows.gids {
		if err := states[g].Add(ctx, c.args(rows.vals[i])); err != nil {
			t.Fatal(err)
		}
	}
	return states
}

// feed adds rows [lo, hi) to v in batches of random sizes.
func (c vecCase) feed(r *rand.Rand, v Vector, rows vecRows, lo, hi int) {
	for lo < hi {
		size := []int{1, 2, 3, 1024, 1 + r.Intn(700)}[r.Intn(5)]
		end := min(hi, lo+size)
		v.Add(rows.gids[lo:end], rows.vecOf(c.at, lo, end))
		lo = end
	}
}

// results returns each state's result, or its error's SQLSTATE.
func results(states []State) []any {
	out := make([]any, len(states))
	for g, s := range states {
		v, err := s.Result(testCtx())
		if err != nil {
			v = pgerr.CodeOf(err)
		}
		out[g] = v
	}
	return out
}

// finals returns the results of v's groups through Final.
func (c vecCase) finals(v Vector, groups int) []any {
	dst := col.NewVec(c.a.Ret(c.at).Kind(), groups)
	out := make([]any, groups)
	for g := range groups {
		if err := v.Final(dst, []int32{int32(g)}); err != nil {
			out[g] = pgerr.CodeOf(err)
			dst.AppendNull()
			continue
		}
		out[g] = dst.Get(g)
	}
	return out
}

// summaries folds each group of v into a fresh State.
func (c vecCase) summaries(t *testing.T, v Vector, groups int) []State {
	states := make([]State, groups)
	for g := range states {
		states[g] = c.a.New(c.at, nil)
		st := v.Summary(int32(g))
		if !Fold(states[g], &st, true) {
			t.Fatalf("%v: the state refused its vector's summary %+v", c, st)
		}
	}
	return states
}

// sameValues compares results; with exact false, finite floats within
// 1e-9 relative (sums in another order).
func sameValues(c vecCase, a, b []any, exact bool) error {
	ret := c.a.Ret(c.at)
	for g := range a {
		x, y := a[g], b[g]
		fx, okx := x.(float64)
		fy, oky := y.(float64)
		switch {
		case okx && oky && (math.IsNaN(fx) || math.IsNaN(fy)):
			if math.IsNaN(fx) != math.IsNaN(fy) {
				return fmt.Errorf("group %d: %v, want %v", g, x, y)
			}
		case okx && oky && !exact && !math.IsInf(fx, 0) && !math.IsInf(fy, 0):
			if math.Abs(fx-fy) > 1e-9*math.Max(1, math.Max(math.Abs(fx), math.Abs(fy))) {
				return fmt.Errorf("group %d: %v, want %v", g, x, y)
			}
		default:
			if show(ret, x) != show(ret, y) {
				return fmt.Errorf("group %d: %s, want %s", g, show(ret, x), show(ret, y))
			}
		}
	}
	return nil
}

func show(t types.T, v any) string {
	if code, ok := v.(pgerr.Code); ok {
		return "error " + string(code)
	}
	return render(testCtx(), t, v)
}

// TestVectorsAgainstReference feeds random rows to every vector form.
func TestVectorsAgainstReference(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for _, c := range vectorCases(t) {
		for round := 0; round < 6; round++ {
			n, groups := 1+r.Intn(3000), 1+r.Intn(12)
			runs := round%2 == 1
			rows := randomRows(r, c.at, n, groups, runs)
			want := results(c.reference(t, rows, groups))
			name := fmt.Sprintf("%v round %d (%d rows, %d groups, runs %v)", c, round, n, groups, runs)

			v, _ := c.a.NewVector(c.at)
			v.Grow(groups)
			c.feed(r, v, rows, 0, n)
			if err := sameValues(c, c.finals(v, groups), want, true); err != nil {
				t.Errorf("%s: Final: %v", name, err)
			}
			if err := sameValues(c, results(c.summaries(t, v, groups)), want, true); err != nil {
				t.Errorf("%s: Summary: %v", name, err)
			}
			if err := sameValues(c, c.finals(c.merged(r, rows, groups), groups), want, false); err != nil {
				t.Errorf("%s: merged partials: %v", name, err)
			}
			if err := sameValues(c, results(c.blocks(t, r, rows, groups)), want, false); err != nil {
				t.Errorf("%s: block metadata: %v", name, err)
			}
			v.Reset()
			v.Grow(groups)
			if err := sameValues(c, c.finals(v, groups), results(c.reference(t, vecRows{}, groups)), true); err != nil {
				t.Errorf("%s: after Reset: %v", name, err)
			}
		}
	}
}

// merged splits the rows at random into partial Vectors, each with its
// own group numbering, and merges them into one.
func (c vecCase) merged(r *rand.Rand, rows vecRows, groups int) Vector {
	out, _ := c.a.NewVector(c.at)
	out.Grow(groups)
	parts := 1 + r.Intn(4)
	partOf := make([]int, len(rows.gids))
	for i := range partOf {
		partOf[i] = r.Intn(parts)
	}
	for p := 0; p < parts; p++ {
		part := vecRows{}
		local := map[int32]int32{} // group -> local id
		var into []int32
		for i, g := range rows.gids {
			if partOf[i] != p {
				continue
			}
			id, ok := local[g]
			if !ok {
				id = int32(len(into))
				local[g] = id
				into = append(into, g)
			}
			part.gids = append(part.gids, id)
			part.vals = append(part.vals, rows.vals[i])
		}
		v, _ := c.a.NewVector(c.at)
		v.Grow(len(into))
		c.feed(r, v, part, 0, len(part.gids))
		out.Merge(v, into)
	}
	return out
}

// blocks cuts each group's rows into random blocks and folds each
// block's metadata summary into the group's State, or the rows when the
// State refuses it.
func (c vecCase) blocks(t *testing.T, r *rand.Rand, rows vecRows, groups int) []State {
	ctx := testCtx()
	byGroup := make([][]any, groups)
	for i, g := range rows.gids {
		byGroup[g] = append(byGroup[g], rows.vals[i])
	}
	states := make([]State, groups)
	for g, vals := range byGroup {
		states[g] = c.a.New(c.at, nil)
		for lo := 0; lo < len(vals); {
			hi := min(len(vals), lo+1+r.Intn(300))
			var bc *BlockColumn
			kind := col.Kind(0)
			if len(c.at) > 0 {
				kind = c.at[0].Kind()
				bc = blockColumn(kind, vals[lo:hi])
			}
			st, ok := FromBlockMeta(int64(hi-lo), bc, kind, true)
			if !ok {
				t.Fatalf("%v: FromBlockMeta refused metadata of its own kind", c)
			}
			if !Fold(states[g], &st, true) {
				for _, v := range vals[lo:hi] {
					if err := states[g].Add(ctx, c.args(v)); err != nil {
						t.Fatal(err)
					}
				}
			}
			lo = hi
		}
	}
	return states
}

// blockColumn is the metadata storage keeps for a block holding vals: the
// integer sum only when it is exact in int64.
func blockColumn(kind col.Kind, vals []any) *BlockColumn {
	bc := &BlockColumn{Kind: kind, Count: int64(len(vals))}
	var isum big.Int
	for _, v := range vals {
		if v == nil {
			bc.NullCount++
			continue
		}
		switch x := v.(type) {
		case int64:
			isum.Add(&isum, big.NewInt(x))
			if bc.Min == nil || x < bc.Min.(int64) {
				bc.Min = x
			}
			if bc.Max == nil || x > bc.Max.(int64) {
				bc.Max = x
			}
		case float64:
			bc.FloatSum += x
			if bc.Min == nil || FloatLess(x, bc.Min.(float64)) {
				bc.Min = x
			}
			if bc.Max == nil || FloatLess(bc.Max.(float64), x) {
				bc.Max = x
			}
		}
	}
	bc.IntSum, bc.IntSumExact = isum.Int64(), isum.IsInt64()
	return bc
}

// TestFromBlockMeta checks the summaries block metadata gives and the
// metadata it refuses.
func TestFromBlockMeta(t *testing.T) {
	full := &BlockColumn{Kind: col.Int64, Count: 10, NullCount: 2, Min: int64(-3), Max: int64(9), IntSum: 40, IntSumExact: true}
	for _, c := range []struct {
		name   string
		rows   int64
		c      *BlockColumn
		kind   col.Kind
		minMax bool
		want   Summary
		ok     bool
	}{
		{"count(*)", 10, nil, 0, false, Summary{Rows: 10}, true},
		{"column added later", 10, nil, col.Int64, true, Summary{Rows: 10}, true},
		{"ints", 10, full, col.Int64, true, Summary{Rows: 10, NonNull: 8, Min: int64(-3), Max: int64(9), IntSum: 40, HasIntSum: true}, true},
		{"ints without min/max", 10, full, col.Int64, false, Summary{Rows: 10, NonNull: 8, IntSum: 40, HasIntSum: true}, true},
		{"inexact sum", 10, &BlockColumn{Kind: col.Int64, Count: 10, IntSum: 1}, col.Int64, true, Summary{Rows: 10, NonNull: 10, IntSum: 1}, true},
		{"floats", 4, &BlockColumn{Kind: col.Float64, Count: 4, Min: 1.5, Max: 2.5, FloatSum: 8}, col.Float64, true,
			Summary{Rows: 4, NonNull: 4, Min: 1.5, Max: 2.5, FloatSum: 8, HasFloatSum: true}, true},
		{"all NULL", 4, &BlockColumn{Kind: col.Float64, Count: 4, NullCount: 4}, col.Float64, true, Summary{Rows: 4}, true},
		{"stored as another kind", 10, full, col.Float64, true, Summary{}, false},
		{"not every row", 11, full, col.Int64, true, Summary{}, false},
	} {
		got, ok := FromBlockMeta(c.rows, c.c, c.kind, c.minMax)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("%s: %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// TestVectorSumOverflow checks integer sums past int64: sum(int4) fails
// with bigint out of range, sum(int8) and avg become numeric, as their
// States do.
func TestVectorSumOverflow(t *testing.T) {
	for _, name := range []string{"sum", "avg"} {
		for _, at := range []types.T{types.Int4, types.Int8} {
			c := vecCase{Lookup(name, []types.T{at}), []types.T{at}}
			rows := vecRows{gids: []int32{0, 0, 0, 1, 1}, vals: []any{int64(math.MinInt64), int64(math.MinInt64), int64(-5), int64(math.MaxInt64), int64(1)}}
			want := results(c.reference(t, rows, 2))
			v, _ := c.a.NewVector(c.at)
			v.Grow(2)
			v.Add(rows.gids, rows.vecOf(c.at, 0, len(rows.gids)))
			got := c.finals(v, 2)
			if err := sameValues(c, got, want, true); err != nil {
				t.Errorf("%v: %v", c, err)
			}
			if name == "sum" && at.OID == types.OidInt4 && got[0] != pgerr.NumericValueOutOfRange {
				t.Errorf("%v = %v, want error %s", c, got[0], pgerr.NumericValueOutOfRange)
			}
		}
	}
}
