package funcs

import (
	"math"
	"math/rand/v2"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// float8 unary functions: name -> implementation returning an error for
// domain problems.
var float8Unary = map[string]func(float64) (float64, error){
	"ceil":    func(x float64) (float64, error) { return math.Ceil(x), nil },
	"ceiling": func(x float64) (float64, error) { return math.Ceil(x), nil },
	"floor":   func(x float64) (float64, error) { return math.Floor(x), nil },
	"round":   func(x float64) (float64, error) { return math.RoundToEven(x), nil },
	"trunc":   func(x float64) (float64, error) { return math.Trunc(x), nil },
	"sign": func(x float64) (float64, error) {
		switch {
		case x > 0:
			return 1, nil
		case x < 0:
			return -1, nil
		}
		return 0, nil
	},
	"sqrt": func(x float64) (float64, error) {
		if x < 0 {
			return 0, errf(codeInvalidArgForPower, "cannot take square root of a negative number")
		}
		return math.Sqrt(x), nil
	},
	"cbrt": func(x float64) (float64, error) { return math.Cbrt(x), nil },
	"exp": func(x float64) (float64, error) {
		r := math.Exp(x)
		if math.IsInf(r, 0) && !math.IsInf(x, 0) {
			return 0, errf(pgerr.NumericValueOutOfRange, "value out of range: overflow")
		}
		if r == 0 && !math.IsInf(x, 0) {
			return 0, errf(pgerr.NumericValueOutOfRange, "value out of range: underflow")
		}
		return r, nil
	},
	"ln":      func(x float64) (float64, error) { return logChecked(x, math.Log) },
	"log":     func(x float64) (float64, error) { return logChecked(x, math.Log10) },
	"log10":   func(x float64) (float64, error) { return logChecked(x, math.Log10) },
	"degrees": func(x float64) (float64, error) { return x * (180.0 / math.Pi), nil },
	"radians": func(x float64) (float64, error) { return x * (math.Pi / 180.0), nil },
	"sin":     func(x float64) (float64, error) { return trig(x, math.Sin) },
	"cos":     func(x float64) (float64, error) { return trig(x, math.Cos) },
	"tan":     func(x float64) (float64, error) { return trig(x, math.Tan) },
	"cot":     func(x float64) (float64, error) { return trig(x, func(v float64) float64 { return 1 / math.Tan(v) }) },
	"asin":    func(x float64) (float64, error) { return invTrig(x, math.Asin) },
	"acos":    func(x float64) (float64, error) { return invTrig(x, math.Acos) },
	"atan":    func(x float64) (float64, error) { return math.Atan(x), nil },
	"sinh":    func(x float64) (float64, error) { return math.Sinh(x), nil },
	"cosh":    func(x float64) (float64, error) { return math.Cosh(x), nil },
	"tanh":    func(x float64) (float64, error) { return math.Tanh(x), nil },
}

func logChecked(x float64, f func(float64) float64) (float64, error) {
	if x == 0 {
		return 0, errf(codeInvalidArgForLog, "cannot take logarithm of zero")
	}
	if x < 0 {
		return 0, errf(codeInvalidArgForLog, "cannot take logarithm of a negative number")
	}
	return f(x), nil
}

func trig(x float64, f func(float64) float64) (float64, error) {
	if math.IsInf(x, 0) {
		return 0, errf(pgerr.NumericValueOutOfRange, "input is out of range")
	}
	return f(x), nil
}

func invTrig(x float64, f func(float64) float64) (float64, error) {
	if x < -1 || x > 1 {
		return 0, errf(pgerr.NumericValueOutOfRange, "input is out of range")
	}
	return f(x), nil
}

func init() {
	for name, f := range float8Unary {
		f := f
		reg(name, ts(types.Float8), types.Float8, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			return f(ToF64(a[0]))
		})
	}
	// abs for every number type keeps the type.
	for _, t := range []types.T{types.Int2, types.Int4, types.Int8} {
		t := t
		reg("abs", ts(t), t, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			v := a[0].(int64)
			if v < 0 {
				v = -v
			}
			if v < 0 {
				return nil, OutOfRange("bigint")
			}
			return checkInt(t, v)
		})
	}
	for _, t := range []types.T{types.Float4, types.Float8} {
		reg("abs", ts(t), t, func(_ *Ctx, _ []types.T, a []any) (any, error) { return math.Abs(ToF64(a[0])), nil })
	}
	reg("abs", ts(types.Numeric), types.Numeric, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return new(apd.Decimal).Abs(ToDec(a[0])), nil
	})
	reg("atan2", ts(types.Float8, types.Float8), types.Float8, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return math.Atan2(ToF64(a[0]), ToF64(a[1])), nil
	})
	for _, n := range []string{"power", "pow"} {
		reg(n, ts(types.Float8, types.Float8), types.Float8, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			return powFloat(ToF64(a[0]), ToF64(a[1]))
		})
		reg(n, ts(types.Numeric, types.Numeric), types.Numeric, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			return powNumeric(ToDec(a[0]), ToDec(a[1]))
		})
	}
	reg("log", ts(types.Float8, types.Float8), types.Float8, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		b, x := ToF64(a[0]), ToF64(a[1])
		lb, err := logChecked(b, math.Log)
		if err != nil {
			return nil, err
		}
		lx, err := logChecked(x, math.Log)
		if err != nil {
			return nil, err
		}
		if lb == 0 {
			return nil, divZero()
		}
		return lx / lb, nil
	})
	for _, t := range []types.T{types.Int2, types.Int4, types.Int8} {
		t := t
		reg("mod", ts(t, t), t, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			x, y := a[0].(int64), a[1].(int64)
			if y == 0 {
				return nil, divZero()
			}
			if y == -1 {
				return int64(0), nil
			}
			return x % y, nil
		})
	}
	reg("mod", ts(types.Numeric, types.Numeric), types.Numeric, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		x, y := ToDec(a[0]), ToDec(a[1])
		if y.IsZero() {
			return nil, divZero()
		}
		r := new(apd.Decimal)
		if _, err := exactCtx.Rem(r, x, y); err != nil {
			return nil, err
		}
		return r, nil
	})
	reg("div", ts(types.Numeric, types.Numeric), types.Numeric, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		x, y := ToDec(a[0]), ToDec(a[1])
		if y.IsZero() {
			return nil, divZero()
		}
		// PostgreSQL truncates toward zero.
		r := new(apd.Decimal)
		if _, err := exactCtx.QuoInteger(r, x, y); err != nil {
			return nil, OutOfRange("value")
		}
		return decRound(r, 0), nil
	})
	RegisterScalar(&Scalar{Name: "pi", Ret: Fixed(types.Float8), Strict: true,
		Fn: func(*Ctx, []types.T, []any) (any, error) { return math.Pi, nil }})
	RegisterScalar(&Scalar{Name: "random", Ret: Fixed(types.Float8), Strict: true, Volatile: true,
		Fn: func(*Ctx, []types.T, []any) (any, error) { return rand.Float64(), nil }})
	reg("width_bucket", ts(types.Float8, types.Float8, types.Float8, types.Int4), types.Int4, WidthBucketFloat)
	reg("width_bucket", ts(types.Numeric, types.Numeric, types.Numeric, types.Int4), types.Int4,
		func(c *Ctx, t []types.T, a []any) (any, error) {
			return WidthBucketFloat(c, t, []any{ToF64(a[0]), ToF64(a[1]), ToF64(a[2]), a[3]})
		})
}

func powFloat(x, y float64) (any, error) {
	if x == 0 && y < 0 {
		return nil, errf(codeInvalidArgForPower, "zero raised to a negative power is undefined")
	}
	if x < 0 && y != math.Trunc(y) {
		return nil, errf(codeInvalidArgForPower, "a negative number raised to a non-integer power yields a complex result")
	}
	r := math.Pow(x, y)
	if math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
		return nil, errf(pgerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	return r, nil
}

// WidthBucketFloat is width_bucket_float8.
func WidthBucketFloat(_ *Ctx, _ []types.T, a []any) (any, error) {
	op, lo, hi, n := ToF64(a[0]), ToF64(a[1]), ToF64(a[2]), a[3].(int64)
	if n <= 0 {
		return nil, errf(codeInvalidArgForWidth, "count must be greater than zero")
	}
	if math.IsNaN(op) || math.IsNaN(lo) || math.IsNaN(hi) {
		return nil, errf(codeInvalidArgForWidth, "operand, lower bound, and upper bound cannot be NaN")
	}
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, errf(codeInvalidArgForWidth, "lower and upper bounds must be finite")
	}
	var r int64
	switch {
	case lo < hi:
		switch {
		case op < lo:
			r = 0
		case op >= hi:
			r = n + 1
		default:
			r = int64(float64(n)*((op-lo)/(hi-lo))) + 1
		}
	case lo > hi:
		switch {
		case op > lo:
			r = 0
		case op <= hi:
			r = n + 1
		default:
			r = int64(float64(n)*((lo-op)/(lo-hi))) + 1
		}
	default:
		return nil, errf(codeInvalidArgForWidth, "lower bound cannot equal upper bound")
	}
	return checkInt(types.Int4, r)
}
