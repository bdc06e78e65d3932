package agg

import (
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

func column(vals ...any) [][]any {
	rows := make([][]any, len(vals))
	for i, v := range vals {
		rows[i] = []any{v}
	}
	return rows
}

func TestAggregates(t *testing.T) {
	floatStats = map[string]bool{"stddev": true, "variance": true, "stddev_pop": true, "corr": true,
		"covar_pop": true, "covar_samp": true, "regr_slope": true, "regr_intercept": true, "regr_r2": true, "avg": true, "sum": true}
	defer func() { floatStats = map[string]bool{} }()
	ctx := testCtx()
	I4, I8, F8, N, IV, T := types.Int4, types.Int8, types.Float8, types.Numeric, types.IntervalT, types.Text
	ints := column(int64(1), int64(2), nil, int64(4), int64(7))
	floats := column(1.5, 2.25, 4.1, 7.3)
	nums := column(dec("1.50"), dec("2.25"), dec("4.1"))
	ivs := column(ivl(0, 1, 2*types.MicrosPerHour), ivl(1, 0, 3*types.MicrosPerHour), ivl(0, 0, 5*types.MicrosPerMinute))
	xy := [][]any{{2.0, 1.0}, {3.5, 2.0}, {7.25, 3.0}, {8.0, 4.0}}
	cases := []struct {
		name   string
		at     []types.T
		direct []any
		rows   [][]any
		want   string
	}{
		{"count", nil, nil, ints, "5"},
		{"count", ts(I4), nil, ints, "4"},
		{"sum", ts(I4), nil, ints, "14"},
		{"sum", ts(I4), nil, column(nil), "<null>"},
		{"avg", ts(I4), nil, ints, "3.5000000000000000"},
		{"avg", ts(I4), nil, column(int64(1), int64(2)), "1.5000000000000000"},
		{"avg", ts(I8), nil, column(int64(1), int64(2), int64(2)), "1.6666666666666667"},
		{"sum", ts(I8), nil, column(int64(9223372036854775807), int64(1)), "9223372036854775808"},
		{"stddev", ts(I4), nil, ints, "2.6457513110645906"},
		{"variance", ts(I4), nil, ints, "7.0000000000000000"},
		{"var_pop", ts(I4), nil, ints, "5.2500000000000000"},
		{"stddev_pop", ts(I4), nil, ints, "2.2912878474779200"},
		{"stddev", ts(I4), nil, column(int64(5)), "<null>"},
		{"var_pop", ts(I4), nil, column(int64(5)), "0"},
		{"stddev", ts(I8), nil, column(int64(100000), int64(200001), int64(300007)), "100003.50001042"},
		{"avg", ts(F8), nil, floats, "3.7874999999999996"},
		{"sum", ts(F8), nil, floats, "15.149999999999999"},
		{"stddev", ts(F8), nil, floats, "2.5840456007328254"},
		{"variance", ts(F8), nil, floats, "6.677291666666668"},
		{"stddev_pop", ts(F8), nil, floats, "2.2378491347720475"},
		{"sum", ts(types.Float4), nil, column(0.1, 0.2, 0.3), "0.6"},
		{"avg", ts(N), nil, nums, "2.6166666666666667"},
		{"sum", ts(N), nil, nums, "7.85"},
		{"stddev", ts(N), nil, nums, "1.3382202110763883"},
		{"var_pop", ts(N), nil, nums, "1.1938888888888889"},
		{"sum", ts(IV), nil, ivs, "1 mon 1 day 05:05:00"},
		{"avg", ts(IV), nil, ivs, "10 days 09:41:40"},
		{"corr", ts(F8, F8), nil, xy, "0.9693630921740696"},
		{"covar_pop", ts(F8, F8), nil, xy, "2.71875"},
		{"covar_samp", ts(F8, F8), nil, xy, "3.625"},
		{"regr_slope", ts(F8, F8), nil, xy, "2.175"},
		{"regr_intercept", ts(F8, F8), nil, xy, "-0.25"},
		{"regr_r2", ts(F8, F8), nil, xy, "0.9396648044692737"},
		{"min", ts(I4), nil, ints, "1"},
		{"max", ts(T), nil, column("b", "a", nil, "c"), "c"},
		{"max", ts(IV), nil, column(ivl(0, 31, 0), ivl(1, 0, 0)), "31 days"},
		{"min", ts(N), nil, nums, "1.50"},
		{"bool_and", ts(types.Bool), nil, column(true, nil, false), "f"},
		{"bool_or", ts(types.Bool), nil, column(true, nil, false), "t"},
		{"every", ts(types.Bool), nil, column(nil), "<null>"},
		{"string_agg", ts(T, T), nil, [][]any{{"a", ","}, {nil, ","}, {"b", ";"}, {"c", ","}}, "a;b,c"},
		{"array_agg", ts(I4), nil, column(int64(1), nil, int64(3)), "{1,NULL,3}"},
		{"first", ts(T, types.Timestamptz), nil, [][]any{{"b", int64(2)}, {"a", int64(1)}, {"x", int64(1)}, {"n", nil}}, "a"},
		{"last", ts(T, types.Timestamptz), nil, [][]any{{"b", int64(2)}, {"a", int64(1)}, {"y", int64(2)}}, "b"},
		{"last", ts(F8, I8), nil, [][]any{{nil, int64(5)}, {1.0, int64(2)}}, "<null>"},
		{"histogram", ts(F8, F8, F8, I4), nil, [][]any{{-1.0, 0.0, 10.0, int64(5)}, {0.0, 0.0, 10.0, int64(5)}, {3.9, 0.0, 10.0, int64(5)},
			{9.99, 0.0, 10.0, int64(5)}, {10.0, 0.0, 10.0, int64(5)}, {nil, 0.0, 10.0, int64(5)}}, "{1,1,1,0,0,1,1}"},
		{"percentile_cont", ts(F8), []any{0.5}, column(1.0, 2.0, 2.0, 5.0, 9.0), "2"},
		{"percentile_cont", ts(F8), []any{0.3}, column(9.0, 2.0, 1.0, 5.0, 2.0), "2"},
		{"percentile_cont", ts(F8), []any{0.25}, column(1.0, 2.0, 4.0), "1.5"},
		{"percentile_disc", ts(F8), []any{0.3}, column(1.0, 2.0, 2.0, 5.0, 9.0), "2"},
		{"mode", ts(F8), nil, column(5.0, 1.0, 2.0, 2.0, 9.0, 5.0), "2"},
		{"percentile_cont", ts(IV), []any{0.25}, column(ivl(0, 1, 0), ivl(1, 0, 0), ivl(0, 0, 3*types.MicrosPerHour)), "13:30:00"},
		{"percentile_cont", ts(F8), []any{1.5}, column(1.0), "error 22003"},
	}
	for _, c := range cases {
		if got := runAgg(t, ctx, c.name, c.at, c.direct, c.rows); got != c.want {
			t.Errorf("%s%v = %s, want %s", c.name, c.at, got, c.want)
		}
	}
}

func TestFloatMergeClose(t *testing.T) {
	// Youngs-Cramer combine of halves stays within a few ulps.
	ctx := testCtx()
	agg := Overloads("stddev")[0]
	for _, a := range Overloads("stddev") {
		if a.Args[0].OID == types.OidFloat8 {
			agg = a
		}
	}
	whole, a, b := agg.New(nil, nil), agg.New(nil, nil), agg.New(nil, nil)
	for i := 0; i < 1000; i++ {
		v := float64(i%97) * 1.1
		_ = whole.Add(ctx, []any{v})
		if i < 400 {
			_ = a.Add(ctx, []any{v})
		} else {
			_ = b.Add(ctx, []any{v})
		}
	}
	_ = a.Merge(b)
	w, _ := whole.Result(ctx)
	m, _ := a.Result(ctx)
	if d := w.(float64) - m.(float64); d > 1e-12 || d < -1e-12 {
		t.Fatalf("merged stddev %v, sequential %v", m, w)
	}
}
