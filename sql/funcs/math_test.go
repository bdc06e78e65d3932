package funcs

import (
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

func TestMath(t *testing.T) {
	F, N, I2, I4, I8 := types.Float8, types.Numeric, types.Int2, types.Int4, types.Int8
	runScalarCases(t, testCtx(""), []scalarCase{
		{name: "power", at: ts(N, N), args: []any{dec("2"), dec("3")}, want: "8.0000000000000000"},
		{name: "power", at: ts(N, N), args: []any{dec("2.5"), dec("2")}, want: "6.2500000000000000"},
		{name: "power", at: ts(N, N), args: []any{dec("2"), dec("0.5")}, want: "1.4142135623730950"},
		{name: "power", at: ts(N, N), args: []any{dec("2"), dec("-2")}, want: "0.2500000000000000"},
		{name: "exp", at: ts(N), args: []any{dec("1")}, want: "2.7182818284590452"},
		{name: "exp", at: ts(N), args: []any{dec("10")}, want: "22026.465794806717"},
		{name: "ln", at: ts(N), args: []any{dec("2")}, want: "0.6931471805599453"},
		{name: "ln", at: ts(N), args: []any{dec("1.05")}, want: "0.048790164169432003"},
		{name: "log", at: ts(N), args: []any{dec("100")}, want: "2.0000000000000000"},
		{name: "log", at: ts(N, N), args: []any{dec("2"), dec("8")}, want: "3.0000000000000000"},
		{name: "sqrt", at: ts(N), args: []any{dec("2")}, want: "1.414213562373095"},
		{name: "sqrt", at: ts(N), args: []any{dec("16")}, want: "4.000000000000000"},
		{name: "round", at: ts(F), args: []any{2.5}, want: "2"},
		{name: "round", at: ts(N), args: []any{dec("-2.5")}, want: "-3"},
		{name: "round", at: ts(N, I4), args: []any{dec("1.2345"), int64(2)}, want: "1.23"},
		{name: "round", at: ts(N, I4), args: []any{dec("1234.5"), int64(-2)}, want: "1200"},
		{name: "trunc", at: ts(F), args: []any{-1.7}, want: "-1"},
		{name: "trunc", at: ts(N, I4), args: []any{dec("1.789"), int64(1)}, want: "1.7"},
		{name: "sign", at: ts(N), args: []any{dec("-3")}, want: "-1"},
		{name: "mod", at: ts(I4, I4), args: []any{int64(-7), int64(3)}, want: "-1"},
		{name: "mod", at: ts(I4, I4), args: []any{int64(7), int64(0)}, code: "22012"},
		{name: "div", at: ts(N, N), args: []any{dec("7"), dec("2")}, want: "3"},
		{name: "width_bucket", at: ts(N, N, N, I4), args: []any{dec("5.35"), dec("0.024"), dec("10.06"), int64(5)}, want: "3"},
		{name: "degrees", at: ts(F), args: []any{1.0}, want: "57.29577951308232"},
		{name: "pi", at: nil, want: "3.141592653589793"},
		{name: "abs", at: ts(I2), args: []any{int64(-32768)}, code: "22003"},
		{name: "abs", at: ts(I8), args: []any{int64(-5)}, want: "5"},
		{name: "sqrt", at: ts(F), args: []any{-1.0}, code: "2201F"},
		{name: "ln", at: ts(F), args: []any{0.0}, code: "2201E"},
		{name: "log", at: ts(F), args: []any{-1.0}, code: "2201E"},
		{name: "ln", at: ts(N), args: []any{dec("0")}, code: "2201E"},
		{name: "ceil", at: ts(F), args: []any{-1.5}, want: "-1"},
		{name: "floor", at: ts(N), args: []any{dec("-1.5")}, want: "-2"},
		{name: "sqrt", at: ts(F), args: []any{nil}, want: "<null>"},
	})
}

func TestFloatText(t *testing.T) {
	for _, c := range []struct {
		f    float64
		bits int
		want string
	}{{1.5, 64, "1.5"}, {1e15, 64, "1e+15"}, {1e-5, 64, "1e-05"}, {123456.7, 32, "123456.7"}, {1e6, 32, "1e+06"},
		{123456789012345, 64, "123456789012345"}} {
		if got := FormatFloat(c.f, c.bits); got != c.want {
			t.Errorf("fmtFloat(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}
