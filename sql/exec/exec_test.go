package exec

import (
	"testing"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// kv is a small input: k int8, v int8 (with NULLs), s text.
func kv() *plan.Virtual {
	return virt(ocols("k", types.Int8, "v", types.Int8, "s", types.Text),
		r(int64(1), int64(10), "a"),
		r(int64(2), int64(20), "b"),
		r(int64(1), nil, "c"),
		r(int64(3), int64(30), "a"),
		r(int64(2), int64(5), "b"),
	)
}

func TestFilterProject(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		in := kv()
		f := &plan.Filter{Input: in, Cond: op(plan.OpGt, types.Bool, cref(1, types.Int8), i64(9))}
		p := &plan.Project{Input: f, Exprs: []plan.Expr{cref(2, types.Text), op(plan.OpMul, types.Int8, cref(1, types.Int8), i64(2))},
			Cols: ocols("s", types.Text, "v2", types.Int8)}
		want(t, run(t, newCtx(), p), "a|20", "b|40", "a|60")
	})
}

func TestAggSortLimit(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		agg := &plan.Agg{Input: kv(), Keys: []plan.Expr{cref(0, types.Int8)},
			Aggs: []*plan.AggCall{aggCall(t, "sum", []plan.Expr{cref(1, types.Int8)}), aggCall(t, "count", nil),
				aggCall(t, "count", []plan.Expr{cref(1, types.Int8)})},
			Cols: ocols("k", types.Int8, "sum", types.Numeric, "n", types.Int8, "nv", types.Int8)}
		srt := &plan.Sort{Input: agg, Keys: []plan.SortKey{{E: cref(0, types.Int8), Desc: true}}}
		want(t, run(t, newCtx(), srt), "3|30|1|1", "2|25|2|2", "1|10|2|1")
		lim := &plan.Limit{Input: srt, Count: i64(1), Offset: i64(1)}
		want(t, run(t, newCtx(), lim), "2|25|2|2")
		_, err := runErr(newCtx(), &plan.Limit{Input: srt, Count: i64(-1)})
		if code(err) != "2201W" {
			t.Fatalf("negative limit: %v", err)
		}
	})
}

func TestGrandAggregateEmpty(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		empty := virt(ocols("v", types.Int8))
		agg := &plan.Agg{Input: empty, Grand: true,
			Aggs: []*plan.AggCall{aggCall(t, "count", nil), aggCall(t, "sum", []plan.Expr{cref(0, types.Int8)})},
			Cols: ocols("n", types.Int8, "s", types.Numeric)}
		want(t, run(t, newCtx(), agg), "0|NULL")
	})
}

func TestAggDistinctFilterOrder(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		cnt := aggCall(t, "count", []plan.Expr{cref(2, types.Text)})
		cnt.Distinct = true
		sum := aggCall(t, "sum", []plan.Expr{cref(1, types.Int8)})
		sum.Filter = op(plan.OpNe, types.Bool, cref(2, types.Text), cnst("b", types.Text))
		sagg := aggCall(t, "string_agg", []plan.Expr{cref(2, types.Text), cnst(",", types.Text)})
		sagg.OrderBy = []plan.SortKey{{E: cref(2, types.Text), Desc: true}}
		agg := &plan.Agg{Input: kv(), Grand: true, Aggs: []*plan.AggCall{cnt, sum, sagg},
			Cols: ocols("c", types.Int8, "s", types.Numeric, "g", types.Text)}
		want(t, run(t, newCtx(), agg), "3|40|c,b,b,a,a")
	})
}

func TestSortNulls(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		for _, tc := range []struct {
			desc, nullsFirst bool
			exp              []string
		}{
			{false, false, []string{"5", "10", "20", "30", "NULL"}},
			{true, true, []string{"NULL", "30", "20", "10", "5"}},
			{false, true, []string{"NULL", "5", "10", "20", "30"}},
		} {
			s := &plan.Sort{Input: kv(), Keys: []plan.SortKey{{E: cref(1, types.Int8), Desc: tc.desc, NullsFirst: tc.nullsFirst}}}
			p := &plan.Project{Input: s, Exprs: []plan.Expr{cref(1, types.Int8)}, Cols: ocols("v", types.Int8)}
			want(t, run(t, newCtx(), p), tc.exp...)
		}
	})
}

func TestDistinct(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		p := &plan.Project{Input: kv(), Exprs: []plan.Expr{cref(2, types.Text)}, Cols: ocols("s", types.Text)}
		want(t, run(t, newCtx(), &plan.Distinct{Input: p}), "a", "b", "c")
		s := &plan.Sort{Input: kv(), Keys: []plan.SortKey{{E: cref(0, types.Int8)}}}
		d := &plan.Distinct{Input: s, On: []plan.Expr{cref(0, types.Int8)}}
		want(t, run(t, newCtx(), d), "1|10|a", "2|20|b", "3|30|a")
	})
}

func TestJoins(t *testing.T) {
	left := func() *plan.Virtual {
		return virt(ocols("id", types.Int8, "name", types.Text), r(int64(1), "one"), r(int64(2), "two"), r(nil, "null"), r(int64(4), "four"))
	}
	right := func() *plan.Virtual {
		return virt(ocols("id", types.Int8, "val", types.Int8), r(int64(1), int64(100)), r(int64(1), int64(101)), r(int64(3), int64(300)), r(nil, int64(0)))
	}
	cond := op(plan.OpEq, types.Bool, cref(0, types.Int8), cref(2, types.Int8))
	forSizes(t, func(t *testing.T) {
		for _, hash := range []bool{false, true} {
			mk := func(k plan.JoinKind) *plan.Join {
				j := &plan.Join{Kind: k, Left: left(), Right: right(), Cond: cond}
				if hash {
					j.EqLeft, j.EqRight = []plan.Expr{cref(0, types.Int8)}, []plan.Expr{cref(0, types.Int8)}
				}
				return j
			}
			want(t, run(t, newCtx(), mk(plan.JoinInner)), "1|one|1|100", "1|one|1|101")
			want(t, run(t, newCtx(), mk(plan.JoinLeft)), "1|one|1|100", "1|one|1|101", "2|two|NULL|NULL", "NULL|null|NULL|NULL", "4|four|NULL|NULL")
			want(t, run(t, newCtx(), mk(plan.JoinFull)), "1|one|1|100", "1|one|1|101", "2|two|NULL|NULL", "NULL|null|NULL|NULL", "4|four|NULL|NULL", "NULL|NULL|3|300", "NULL|NULL|NULL|0")
			want(t, run(t, newCtx(), mk(plan.JoinRight)), "1|one|1|100", "1|one|1|101", "NULL|NULL|3|300", "NULL|NULL|NULL|0")
			want(t, run(t, newCtx(), mk(plan.JoinSemi)), "1|one")
			want(t, run(t, newCtx(), mk(plan.JoinAnti)), "2|two", "NULL|null", "4|four")
		}
		cross := &plan.Join{Kind: plan.JoinCross, Left: virt(ocols("a", types.Int8), r(int64(1)), r(int64(2))), Right: virt(ocols("b", types.Text), r("x"), r("y"))}
		want(t, run(t, newCtx(), cross), "1|x", "1|y", "2|x", "2|y")
	})
}

func TestLateralJoin(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		l := virt(ocols("n", types.Int8), r(int64(1)), r(int64(2)))
		// Right: VALUES (outer.n * 10), (outer.n * 100)
		o := &plan.OuterRef{T: types.Int8, Depth: 1, Idx: 0}
		rv := &plan.Values{Cols: ocols("m", types.Int8), Rows: [][]plan.Expr{{op(plan.OpMul, types.Int8, o, i64(10))}, {op(plan.OpMul, types.Int8, o, i64(100))}}}
		j := &plan.Join{Kind: plan.JoinCross, Left: l, Right: rv, Lateral: true}
		want(t, run(t, newCtx(), j), "1|10", "1|100", "2|20", "2|200")
	})
}

func TestSetOps(t *testing.T) {
	a := func() *plan.Virtual {
		return virt(ocols("x", types.Int8), r(int64(1)), r(int64(2)), r(int64(2)), r(nil), r(int64(3)))
	}
	b := func() *plan.Virtual { return virt(ocols("x", types.Int8), r(int64(2)), r(nil), r(int64(4))) }
	forSizes(t, func(t *testing.T) {
		for _, tc := range []struct {
			k   plan.SetOpKind
			all bool
			exp []string
		}{
			{plan.SetUnion, true, []string{"1", "2", "2", "NULL", "3", "2", "NULL", "4"}},
			{plan.SetUnion, false, []string{"1", "2", "NULL", "3", "4"}},
			{plan.SetIntersect, false, []string{"2", "NULL"}},
			{plan.SetIntersect, true, []string{"2", "NULL"}},
			{plan.SetExcept, false, []string{"1", "3"}},
			{plan.SetExcept, true, []string{"1", "2", "3"}},
		} {
			n := &plan.SetOp{Kind: tc.k, All: tc.all, Left: a(), Right: b(), Cols: ocols("x", types.Int8)}
			want(t, run(t, newCtx(), n), tc.exp...)
		}
	})
}

func TestWindow(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		part := []plan.Expr{cref(0, types.Int8)}
		ord := []plan.SortKey{{E: cref(1, types.Int8)}}
		sum := aggCall(t, "sum", []plan.Expr{cref(1, types.Int8)})
		w := &plan.Window{Input: kv(), Funcs: []*plan.WindowFunc{
			{Name: "row_number", T: types.Int8, Part: part, Order: ord},
			{Name: "rank", T: types.Int8, Order: []plan.SortKey{{E: cref(2, types.Text)}}},
			{Name: "lag", T: types.Int8, Args: []plan.Expr{cref(1, types.Int8), i64(1), i64(-1)}, Part: part, Order: ord},
			{Name: "sum", Agg: sum, T: types.Numeric, Part: part, Order: ord},
			{Name: "sum", Agg: sum, T: types.Numeric, Part: part},
		}}
		w.Cols = append(kv().Cols, ocols("rn", types.Int8, "rk", types.Int8, "lag", types.Int8, "run", types.Numeric, "tot", types.Numeric)...)
		want(t, run(t, newCtx(), w),
			"1|10|a|1|1|-1|10|10",
			"1|NULL|c|2|5|10|10|10",
			"2|5|b|1|3|-1|5|25",
			"2|20|b|2|3|5|25|25",
			"3|30|a|1|1|-1|30|30")
	})
}

func TestSubqueries(t *testing.T) {
	ctx := newCtx()
	one := &plan.Values{Cols: ocols("x", types.Int8), Rows: [][]plan.Expr{{i64(7)}}}
	two := &plan.Values{Cols: ocols("x", types.Int8), Rows: [][]plan.Expr{{i64(7)}, {i64(8)}}}
	v, err := Eval(ctx, &plan.Subquery{T: types.Int8, Kind: plan.SubScalar, Plan: one}, nil)
	if err != nil || v != int64(7) {
		t.Fatalf("scalar: %v %v", v, err)
	}
	_, err = Eval(ctx, &plan.Subquery{T: types.Int8, Kind: plan.SubScalar, Plan: two}, nil)
	if code(err) != "21000" {
		t.Fatalf("scalar >1 row: %v", err)
	}
	withNull := &plan.Values{Cols: ocols("x", types.Int8), Rows: [][]plan.Expr{{i64(7)}, {cnst(nil, types.Int8)}}}
	for _, tc := range []struct {
		e   plan.Expr
		exp any
	}{
		{&plan.Subquery{T: types.Bool, Kind: plan.SubIn, Plan: two, E: i64(8)}, true},
		{&plan.Subquery{T: types.Bool, Kind: plan.SubIn, Plan: withNull, E: i64(8)}, nil},
		{&plan.Subquery{T: types.Bool, Kind: plan.SubIn, Plan: withNull, E: i64(8), Not: true}, nil},
		{&plan.Subquery{T: types.Bool, Kind: plan.SubIn, Plan: two, E: i64(9), Not: true}, true},
		{&plan.Subquery{T: types.Bool, Kind: plan.SubAll, Op: plan.OpLt, Plan: two, E: i64(1)}, true},
		{&plan.Subquery{T: types.Bool, Kind: plan.SubAny, Op: plan.OpGt, Plan: two, E: i64(7)}, false},
		{&plan.Subquery{T: types.Bool, Kind: plan.SubExists, Plan: virt(ocols("x", types.Int8))}, false},
	} {
		got, err := Eval(ctx, tc.e, nil)
		if err != nil || got != tc.exp {
			t.Errorf("%s: got %v %v want %v", plan.Format(tc.e, nil), got, err, tc.exp)
		}
	}
	// Correlated: (SELECT outer.x + 1)
	corr := &plan.Subquery{T: types.Int8, Kind: plan.SubScalar, Correlated: true,
		Plan: &plan.Values{Cols: ocols("y", types.Int8), Rows: [][]plan.Expr{{op(plan.OpAdd, types.Int8, &plan.OuterRef{T: types.Int8, Depth: 1, Idx: 0}, i64(1))}}}}
	p := &plan.Project{Input: virt(ocols("x", types.Int8), r(int64(1)), r(int64(5))), Exprs: []plan.Expr{corr}, Cols: ocols("y", types.Int8)}
	want(t, run(t, ctx, p), "2", "6")
}

func TestCTEAndProjectSet(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		calls := 0
		src := virt(ocols("x", types.Int8), r(int64(1)), r(int64(2)))
		cte := &plan.CTE{Name: "c", Plan: &plan.Virtual{Name: "c", Cols: src.Cols, Rows: func(e any) ([][]any, error) {
			calls++
			return src.Rows(e)
		}}}
		ref := func() *plan.CTERef { return &plan.CTERef{CTE: cte, Cols: src.Cols} }
		j := &plan.Join{Kind: plan.JoinCross, Left: ref(), Right: ref()}
		want(t, run(t, newCtx(), j), "1|1", "1|2", "2|1", "2|2")
		if calls != 1 {
			t.Fatalf("CTE ran %d times", calls)
		}
		series := func(_ any, args []any) ([][]any, error) {
			var out [][]any
			for i := int64(1); i <= args[0].(int64); i++ {
				out = append(out, []any{i})
			}
			return out, nil
		}
		ps := &plan.ProjectSet{Input: src, Exprs: []plan.Expr{cref(0, types.Int8), nil}, SRF: 1, Fn: series,
			Args: []plan.Expr{cref(0, types.Int8)}, Cols: ocols("x", types.Int8, "g", types.Int8)}
		want(t, run(t, newCtx(), ps), "1|1", "2|1", "2|2")
		fs := &plan.FuncScan{Fn: series, Args: []plan.Expr{i64(3)}, Cols: ocols("g", types.Int8, "ordinality", types.Int8), Ordinality: true}
		want(t, run(t, newCtx(), fs), "1|1", "2|2", "3|3")
	})
}
