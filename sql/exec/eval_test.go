package exec

import (
	"math"
	"math/rand"
	"testing"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

func TestArithErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    plan.Expr
		code pgerr.Code
		msg  string
	}{
		{"int4 overflow", op(plan.OpAdd, types.Int4, cnst(int64(math.MaxInt32), types.Int4), cnst(int64(1), types.Int4)), "22003", "integer out of range"},
		{"int2 overflow", op(plan.OpMul, types.Int2, cnst(int64(300), types.Int2), cnst(int64(300), types.Int2)), "22003", "smallint out of range"},
		{"int8 overflow", op(plan.OpMul, types.Int8, i64(math.MaxInt64/2), i64(3)), "22003", "bigint out of range"},
		{"int8 min / -1", op(plan.OpDiv, types.Int8, i64(math.MinInt64), i64(-1)), "22003", "bigint out of range"},
		{"int div zero", op(plan.OpDiv, types.Int4, cnst(int64(1), types.Int4), cnst(int64(0), types.Int4)), "22012", "division by zero"},
		{"int mod zero", op(plan.OpMod, types.Int8, i64(1), i64(0)), "22012", "division by zero"},
		{"float div zero", op(plan.OpDiv, types.Float8, cnst(1.0, types.Float8), cnst(0.0, types.Float8)), "22012", "division by zero"},
		{"float overflow", op(plan.OpMul, types.Float8, cnst(1e300, types.Float8), cnst(1e300, types.Float8)), "22003", "value out of range: overflow"},
		{"neg overflow", &plan.Op{T: types.Int4, Kind: plan.OpNeg, L: cnst(int64(math.MinInt32), types.Int4)}, "22003", "integer out of range"},
	} {
		// Both the row and the vector path must fail the same way.
		_, err := Eval(newCtx(), tc.e, nil)
		if code(err) != tc.code || err.Error() != tc.msg {
			t.Errorf("%s: Eval error %v (%s)", tc.name, err, code(err))
		}
		b := col.FromVecs(nil, 3)
		_, err = EvalBatch(newCtx(), tc.e, b)
		if code(err) != tc.code || err.Error() != tc.msg {
			t.Errorf("%s: EvalBatch error %v (%s)", tc.name, err, code(err))
		}
	}
}

func TestEvalValues(t *testing.T) {
	tsT := types.Timestamp
	day := int64(86400 * 1000000)
	nullB := cnst(nil, types.Bool)
	tru, fls := cnst(true, types.Bool), cnst(false, types.Bool)
	for _, tc := range []struct {
		name string
		e    plan.Expr
		exp  any
	}{
		{"int div truncates", op(plan.OpDiv, types.Int4, cnst(int64(-7), types.Int4), cnst(int64(2), types.Int4)), int64(-3)},
		{"int mod", op(plan.OpMod, types.Int4, cnst(int64(-7), types.Int4), cnst(int64(2), types.Int4)), int64(-1)},
		{"null and false", op(plan.OpAnd, types.Bool, nullB, fls), false},
		{"null and true", op(plan.OpAnd, types.Bool, nullB, tru), nil},
		{"null or true", op(plan.OpOr, types.Bool, nullB, tru), true},
		{"null or false", op(plan.OpOr, types.Bool, nullB, fls), nil},
		{"not null", &plan.Op{T: types.Bool, Kind: plan.OpNot, L: nullB}, nil},
		{"is distinct null", op(plan.OpIsDistinct, types.Bool, cnst(nil, types.Int8), i64(1)), true},
		{"is not distinct nulls", op(plan.OpIsNotDistinct, types.Bool, cnst(nil, types.Int8), cnst(nil, types.Int8)), true},
		{"concat", op(plan.OpConcat, types.Text, cnst("ab", types.Text), cnst("cd", types.Text)), "abcd"},
		{"ts + interval", op(plan.OpAdd, tsT, cnst(int64(0), tsT), cnst(types.Interval{Days: 1, Micros: 5}, types.IntervalT)), day + 5},
		{"ts - ts", op(plan.OpSub, types.IntervalT, cnst(2*day+3, tsT), cnst(int64(0), tsT)), types.Interval{Days: 2, Micros: 3}},
		{"date + int", op(plan.OpAdd, types.Date, cnst(int64(10), types.Date), cnst(int64(5), types.Int4)), int64(15)},
		{"date - date", op(plan.OpSub, types.Int4, cnst(int64(10), types.Date), cnst(int64(3), types.Date)), int64(7)},
		{"in list hit", &plan.InList{E: i64(2), List: []plan.Expr{i64(1), cnst(nil, types.Int8), i64(2)}}, true},
		{"in list null", &plan.InList{E: i64(3), List: []plan.Expr{i64(1), cnst(nil, types.Int8)}}, nil},
		{"not in list", &plan.InList{E: i64(3), List: []plan.Expr{i64(1)}, Not: true}, true},
		{"like", &plan.Like{E: cnst("hello", types.Text), Pattern: cnst("h_l%", types.Text)}, true},
		{"like escape", &plan.Like{E: cnst("50%", types.Text), Pattern: cnst(`50\%`, types.Text)}, true},
		{"like no match", &plan.Like{E: cnst("a.c", types.Text), Pattern: cnst("abc", types.Text)}, false},
		{"ilike", &plan.Like{E: cnst("HeLLo", types.Text), Pattern: cnst("hello", types.Text), CaseFold: true}, true},
		{"not like", &plan.Like{E: cnst("x", types.Text), Pattern: cnst("y%", types.Text), Not: true}, true},
		{"regex", op(plan.OpRegexIMatch, types.Bool, cnst("ABC", types.Text), cnst("^a.c$", types.Text)), true},
		{"greatest skips null", &plan.MinMax{T: types.Int8, Greatest: true, Args: []plan.Expr{i64(1), cnst(nil, types.Int8), i64(3)}}, int64(3)},
		{"least", &plan.MinMax{T: types.Int8, Args: []plan.Expr{i64(4), i64(2)}}, int64(2)},
		{"coalesce", &plan.Coalesce{T: types.Int8, Args: []plan.Expr{cnst(nil, types.Int8), i64(9)}}, int64(9)},
		{"nullif", &plan.NullIf{A: i64(1), B: i64(1)}, nil},
		{"case", &plan.Case{T: types.Int8, Whens: []plan.When{{Cond: nullB, Then: i64(1)}, {Cond: tru, Then: i64(2)}}}, int64(2)},
		{"case no else", &plan.Case{T: types.Int8, Whens: []plan.When{{Cond: fls, Then: i64(1)}}}, nil},
		{"case short-circuit", &plan.Case{T: types.Int8, Whens: []plan.When{{Cond: tru, Then: i64(1)}}, Else: op(plan.OpDiv, types.Int8, i64(1), i64(0))}, int64(1)},
		{"bool test", &plan.BoolTest{E: nullB, Value: true, Not: true}, true},
		{"is null", &plan.IsNull{E: cnst(nil, types.Int8)}, true},
		{"any array", &plan.AnyArray{E: i64(2), Op: plan.OpEq, Array: cnst(types.NewArray(types.Int8, []any{int64(1), int64(2)}), types.T{OID: types.OidInt8Array, Mod: -1})}, true},
		{"all array null", &plan.AnyArray{E: i64(2), Op: plan.OpGt, All: true, Array: cnst(types.NewArray(types.Int8, []any{int64(1), nil}), types.T{OID: types.OidInt8Array, Mod: -1})}, nil},
		{"subscript", &plan.Subscript{T: types.Int8, E: &plan.ArrayExpr{T: types.T{OID: types.OidInt8Array, Mod: -1}, Elems: []plan.Expr{i64(5), i64(6)}}, Idx: i64(2)}, int64(6)},
		{"subscript out of range", &plan.Subscript{T: types.Int8, E: &plan.ArrayExpr{T: types.T{OID: types.OidInt8Array, Mod: -1}, Elems: []plan.Expr{i64(5)}}, Idx: i64(3)}, nil},
		{"row eq null", op(plan.OpEq, types.Bool, &plan.RowExpr{Args: []plan.Expr{i64(1), cnst(nil, types.Int8)}}, &plan.RowExpr{Args: []plan.Expr{i64(1), i64(2)}}), nil},
		{"row ne", op(plan.OpNe, types.Bool, &plan.RowExpr{Args: []plan.Expr{i64(1), cnst(nil, types.Int8)}}, &plan.RowExpr{Args: []plan.Expr{i64(2), i64(2)}}), true},
		{"row lt", op(plan.OpLt, types.Bool, &plan.RowExpr{Args: []plan.Expr{i64(1), i64(5)}}, &plan.RowExpr{Args: []plan.Expr{i64(2), i64(0)}}), true},
		{"cast", &plan.Cast{E: cnst("42", types.Text), T: types.Int4}, int64(42)},
		{"float nan eq", op(plan.OpEq, types.Bool, cnst(math.NaN(), types.Float8), cnst(math.NaN(), types.Float8)), true},
		{"param", &plan.Param{T: types.Int8, N: 1}, int64(77)},
	} {
		ctx := newCtx()
		ctx.Params = []any{int64(77)}
		got, err := Eval(ctx, tc.e, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !sameDatum(got, tc.exp) {
			t.Errorf("%s: got %#v want %#v", tc.name, got, tc.exp)
		}
		v, err := EvalBatch(ctx, tc.e, col.FromVecs(nil, 2))
		if err != nil || v.Len() != 2 || !sameDatum(v.Get(1), tc.exp) {
			t.Errorf("%s: EvalBatch got %v %v", tc.name, v, err)
		}
	}
}

func sameDatum(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := a.(types.Interval); ok {
		return x == b
	}
	return a == b
}

// TestDifferential checks the vectorized fast paths against row-at-a-time
// evaluation on random data with NULLs, for every batch size.
func TestDifferential(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const rows = 200
	ints := col.NewVec(col.Int64, rows)
	ints2 := col.NewVec(col.Int64, rows)
	fl := col.NewVec(col.Float64, rows)
	fl2 := col.NewVec(col.Float64, rows)
	for i := 0; i < rows; i++ {
		add := func(v *col.Vec, x any) {
			if rng.Intn(8) == 0 {
				v.AppendNull()
			} else {
				v.Append(x)
			}
		}
		add(ints, int64(rng.Intn(21)-10))
		add(ints2, int64(rng.Intn(7)-3))
		add(fl, float64(rng.Intn(2000)-1000)/10)
		add(fl2, float64(rng.Intn(40)-20)/4)
	}
	b := col.FromVecs([]*col.Vec{ints, ints2, fl, fl2}, rows)
	i1, i2 := cref(0, types.Int8), cref(1, types.Int8)
	f1, f2 := cref(2, types.Float8), cref(3, types.Float8)
	var exprs []plan.Expr
	for _, k := range []plan.OpKind{plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe} {
		exprs = append(exprs, op(k, types.Bool, i1, i2), op(k, types.Bool, f1, f2), op(k, types.Bool, i1, i64(3)), op(k, types.Bool, f1, cnst(1.5, types.Float8)))
	}
	for _, k := range []plan.OpKind{plan.OpAdd, plan.OpSub, plan.OpMul} {
		exprs = append(exprs, op(k, types.Int8, i1, i2), op(k, types.Float8, f1, f2), op(k, types.Int4, i1, cnst(int64(7), types.Int4)))
	}
	cmp1 := op(plan.OpGt, types.Bool, i1, i64(0))
	cmp2 := op(plan.OpLt, types.Bool, f1, f2)
	exprs = append(exprs,
		op(plan.OpAnd, types.Bool, cmp1, cmp2), op(plan.OpOr, types.Bool, cmp1, cmp2),
		&plan.Op{T: types.Bool, Kind: plan.OpNot, L: cmp1}, &plan.IsNull{E: f1}, &plan.IsNull{E: i1, Not: true},
		&plan.Cast{E: i1, T: types.Float8},
		&plan.Case{T: types.Int8, Whens: []plan.When{{Cond: cmp1, Then: op(plan.OpMul, types.Int8, i1, i2)}}, Else: i2},
		// Vectorized CASE shapes: safe arms, no ELSE, constant results.
		&plan.Case{T: types.Int8, Whens: []plan.When{{Cond: cmp1, Then: i1}, {Cond: cmp2, Then: i2}}, Else: i64(0)},
		&plan.Case{T: types.Int8, Whens: []plan.When{{Cond: cmp2, Then: i64(1)}}},
		&plan.Case{T: types.Float8, Whens: []plan.When{{Cond: op(plan.OpGt, types.Bool, op(plan.OpDiv, types.Float8, f1, cnst(4.0, types.Float8)), cnst(1.0, types.Float8)), Then: f1}}, Else: f2},
	)
	ctx := newCtx()
	for _, e := range exprs {
		v, err := EvalBatch(ctx, e, b)
		if err != nil {
			t.Fatalf("%s: %v", plan.Format(e, nil), err)
		}
		row := make([]any, 4)
		for i := 0; i < rows; i++ {
			for j, c := range b.Cols {
				row[j] = c.Get(i)
			}
			exp, err := Eval(ctx, e, row)
			if err != nil {
				t.Fatalf("%s row %d: %v", plan.Format(e, nil), i, err)
			}
			if got := v.Get(i); !sameDatum(got, exp) {
				t.Fatalf("%s row %d %v: vector %v, row %v", plan.Format(e, nil), i, row, got, exp)
			}
		}
	}
}

func TestAndShortCircuit(t *testing.T) {
	// x <> 0 AND 10 / x > 1 must not divide by zero on rows where x = 0.
	v := col.NewVec(col.Int64, 3)
	for _, x := range []int64{0, 5, 20} {
		v.AppendInt64(x)
	}
	x := cref(0, types.Int8)
	e := op(plan.OpAnd, types.Bool, op(plan.OpNe, types.Bool, x, i64(0)),
		op(plan.OpGt, types.Bool, op(plan.OpDiv, types.Int8, i64(10), x), i64(1)))
	out, err := EvalBatch(newCtx(), e, col.FromVecs([]*col.Vec{v}, 3))
	if err != nil {
		t.Fatal(err)
	}
	if out.Get(0) != false || out.Get(1) != true || out.Get(2) != false {
		t.Fatalf("got %v", out.B)
	}
}

// TestCaseShortCircuit checks that a CASE arm guarded by an earlier arm
// is not evaluated for rows the earlier arm took (no division by zero).
func TestCaseShortCircuit(t *testing.T) {
	v := col.NewVec(col.Int64, 3)
	for _, x := range []int64{0, 5, 20} {
		v.AppendInt64(x)
	}
	x := cref(0, types.Int8)
	e := &plan.Case{T: types.Int8, Whens: []plan.When{
		{Cond: op(plan.OpEq, types.Bool, x, i64(0)), Then: i64(-1)},
		{Cond: op(plan.OpGt, types.Bool, op(plan.OpDiv, types.Int8, i64(10), x), i64(1)), Then: i64(1)},
	}, Else: i64(0)}
	out, err := EvalBatch(newCtx(), e, col.FromVecs([]*col.Vec{v}, 3))
	if err != nil {
		t.Fatal(err)
	}
	if out.Get(0) != int64(-1) || out.Get(1) != int64(1) || out.Get(2) != int64(0) {
		t.Fatalf("got %v", out.I64)
	}
}
