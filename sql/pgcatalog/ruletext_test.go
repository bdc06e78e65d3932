package pgcatalog

import (
	"testing"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// TestRuleText checks RuleText against what PostgreSQL 15's
// pg_get_constraintdef prints for the same CHECK expressions (plain and
// pretty; see also compat-tests/testdata/constraints.test, run with -pg).
func TestRuleText(t *testing.T) {
	varchar10 := types.T{OID: types.OidVarchar, Mod: 14}
	cols := []plan.OutCol{{Name: "v", T: types.Int4}, {Name: "w", T: types.Numeric}, {Name: "s", T: varchar10}, {Name: "Odd Name", T: types.Int4}}
	v := &plan.ColRef{T: types.Int4, Idx: 0}
	w := &plan.ColRef{T: types.Numeric, Idx: 1}
	s := &plan.ColRef{T: varchar10, Idx: 2}
	odd := &plan.ColRef{T: types.Int4, Idx: 3}
	i4 := func(n int64) plan.Expr { return &plan.Const{T: types.Int4, V: n} }
	op := func(k plan.OpKind, l, r plan.Expr) plan.Expr { return &plan.Op{T: types.Bool, Kind: k, L: l, R: r} }
	num := func(n int64) plan.Expr {
		d, _ := types.ParseText(types.Numeric, types.FormatText(types.Int8, n, nil), nil)
		return &plan.Const{T: types.Numeric, V: d}
	}
	for _, tc := range []struct {
		e            plan.Expr
		plain, prety string
	}{
		{op(plan.OpGt, v, i4(0)), "(v > 0)", "v > 0"},
		{op(plan.OpGt, v, i4(-1)), "(v > '-1'::integer)", "v > '-1'::integer"},
		{op(plan.OpAnd, op(plan.OpGe, w, num(0)), op(plan.OpLt, w, num(100))),
			"((w >= (0)::numeric) AND (w < (100)::numeric))", "w >= 0::numeric AND w < 100::numeric"},
		{op(plan.OpNe, s, &plan.Const{T: varchar10, V: ""}), "((s)::text <> ''::text)", "s::text <> ''::text"},
		{op(plan.OpOr, op(plan.OpLt, &plan.Cast{E: v, T: types.Numeric}, w), &plan.IsNull{E: w}),
			"(((v)::numeric < w) OR (w IS NULL))", "v::numeric < w OR w IS NULL"},
		{op(plan.OpGt, op(plan.OpAdd, op(plan.OpMul, v, i4(2)), i4(1)), i4(3)), "(((v * 2) + 1) > 3)", "(v * 2 + 1) > 3"},
		{op(plan.OpEq, odd, i4(1)), `("Odd Name" = 1)`, `"Odd Name" = 1`},
		{&plan.Op{T: types.Bool, Kind: plan.OpNot, L: op(plan.OpEq, v, i4(3))}, "(NOT (v = 3))", "NOT v = 3"},
	} {
		if got := RuleText(tc.e, cols, false); got != tc.plain {
			t.Errorf("plain: got %s, want %s", got, tc.plain)
		}
		if got := RuleText(tc.e, cols, true); got != tc.prety {
			t.Errorf("pretty: got %s, want %s", got, tc.prety)
		}
	}
}
