package funcs

import (
	"math"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/types"
)

// Numeric overloads of the math functions, with PostgreSQL's result
// scales: at least 16 significant digits, never less than the input scale.

func init() {
	numUnary := map[string]func(*apd.Decimal) (any, error){
		"ceil":    func(x *apd.Decimal) (any, error) { return decIntegral(x, apd.RoundCeiling), nil },
		"ceiling": func(x *apd.Decimal) (any, error) { return decIntegral(x, apd.RoundCeiling), nil },
		"floor":   func(x *apd.Decimal) (any, error) { return decIntegral(x, apd.RoundFloor), nil },
		"round":   func(x *apd.Decimal) (any, error) { return decRound(x, 0), nil },
		"trunc":   func(x *apd.Decimal) (any, error) { return decTrunc(x, 0), nil },
		"sign": func(x *apd.Decimal) (any, error) {
			return apd.New(int64(x.Sign()), 0), nil
		},
		"sqrt": func(x *apd.Decimal) (any, error) { return DecSqrt(x, sqrtScale(x)) },
		"exp": func(x *apd.Decimal) (any, error) {
			f := ToF64(x) * 0.434294481903252
			f = max(min(f, 2000), -2000)
			rs := clampScale(int32(numericMinSigDigits-int(f)), dscale(x))
			return decFn(func(c *apd.Context, d *apd.Decimal) error { _, err := c.Exp(d, x); return err }, int(f), rs)
		},
		"ln": func(x *apd.Decimal) (any, error) {
			if err := checkLogArg(x); err != nil {
				return nil, err
			}
			rs := clampScale(int32(numericMinSigDigits-lnDWeight(x)), dscale(x))
			return decFn(func(c *apd.Context, d *apd.Decimal) error { _, err := c.Ln(d, x); return err }, lnDWeight(x), rs)
		},
		"log":   func(x *apd.Decimal) (any, error) { return logNumeric(apd.New(10, 0), x) },
		"log10": func(x *apd.Decimal) (any, error) { return logNumeric(apd.New(10, 0), x) },
	}
	for name, f := range numUnary {
		f := f
		reg(name, ts(types.Numeric), types.Numeric, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			return f(ToDec(a[0]))
		})
	}
	reg("round", ts(types.Numeric, types.Int4), types.Numeric, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return decRoundScale(ToDec(a[0]), a[1].(int64), false), nil
	})
	reg("trunc", ts(types.Numeric, types.Int4), types.Numeric, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return decRoundScale(ToDec(a[0]), a[1].(int64), true), nil
	})
	reg("log", ts(types.Numeric, types.Numeric), types.Numeric, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return logNumeric(ToDec(a[0]), ToDec(a[1]))
	})
}

// decRoundScale is round/trunc(numeric, int): a negative scale rounds
// left of the point; the result's display scale is max(scale, 0).
func decRoundScale(x *apd.Decimal, s int64, trunc bool) *apd.Decimal {
	s = max(min(s, numericMaxDisplayScale), -numericMaxDisplayScale)
	var r *apd.Decimal
	if trunc {
		r = decTrunc(x, int32(s))
	} else {
		r = decRound(x, int32(s))
	}
	if s < 0 {
		r = decRound(r, 0)
	}
	return r
}

func decIntegral(x *apd.Decimal, mode apd.Rounder) *apd.Decimal {
	c := *exactCtx
	c.Rounding = mode
	r := new(apd.Decimal)
	_, _ = c.Quantize(r, x, 0)
	return r
}

func clampScale(r int32, scales ...int32) int32 {
	for _, s := range scales {
		r = max(r, s)
	}
	return min(max(r, 0), numericMaxDisplayScale)
}

func checkLogArg(x *apd.Decimal) error {
	if x.IsZero() {
		return errf(codeInvalidArgForLog, "cannot take logarithm of zero")
	}
	if x.Sign() < 0 {
		return errf(codeInvalidArgForLog, "cannot take logarithm of a negative number")
	}
	return nil
}

// lnDWeight estimates the decimal weight of ln(x) (estimate_ln_dweight).
func lnDWeight(x *apd.Decimal) int {
	f := ToF64(x)
	if f >= 0.9 && f <= 1.1 {
		d := DecSub(x, apd.New(1, 0))
		if d.IsZero() {
			return 0
		}
		return int(math.Floor(math.Log10(math.Abs(ToF64(d)))))
	}
	l := math.Log(f)
	if l == 0 || math.IsInf(l, 0) || math.IsNaN(l) {
		return 0
	}
	return int(math.Log10(math.Abs(l)))
}

// decFn evaluates f with enough precision for rscale digits after the
// point given the result's decimal weight, then rounds.
func decFn(f func(*apd.Context, *apd.Decimal) error, weight int, rscale int32) (any, error) {
	c := *exactCtx
	c.Precision = uint32(max(weight+1, 1) + int(rscale) + 12)
	d := new(apd.Decimal)
	if err := f(&c, d); err != nil {
		return nil, OutOfRange("value")
	}
	return decRound(d, rscale), nil
}

func logNumeric(b, x *apd.Decimal) (any, error) {
	if err := checkLogArg(b); err != nil {
		return nil, err
	}
	if err := checkLogArg(x); err != nil {
		return nil, err
	}
	if b.Cmp(apd.New(1, 0)) == 0 {
		return nil, divZero()
	}
	rw := lnDWeight(x) - lnDWeight(b)
	rs := clampScale(int32(numericMinSigDigits-rw), dscale(b), dscale(x))
	return decFn(func(c *apd.Context, d *apd.Decimal) error {
		c.Precision += 10
		lb, lx := new(apd.Decimal), new(apd.Decimal)
		if _, err := c.Ln(lb, b); err != nil {
			return err
		}
		if _, err := c.Ln(lx, x); err != nil {
			return err
		}
		_, err := c.Quo(d, lx, lb)
		return err
	}, int(math.Log10(math.Abs(ToF64(x)))+1), rs)
}

func powNumeric(b, e *apd.Decimal) (any, error) {
	if b.IsZero() && e.Sign() < 0 {
		return nil, errf(codeInvalidArgForPower, "zero raised to a negative power is undefined")
	}
	isInt := e.Exponent >= 0 || decTrunc(e, 0).Cmp(e) == 0
	if b.Sign() < 0 && !isInt {
		return nil, errf(codeInvalidArgForPower, "a negative number raised to a non-integer power yields a complex result")
	}
	if e.IsZero() {
		return decRound(apd.New(1, 0), clampScale(numericMinSigDigits, dscale(b), dscale(e))), nil
	}
	if b.IsZero() {
		return decRound(apd.New(0, 0), clampScale(numericMinSigDigits, dscale(b), dscale(e))), nil
	}
	f := ToF64(e) * math.Log10(math.Abs(ToF64(b)))
	if f > 2000 {
		return nil, errf("22003", "value overflows numeric format")
	}
	f = max(f, -2000)
	rs := clampScale(int32(numericMinSigDigits-int(f)), dscale(b), dscale(e))
	return decFn(func(c *apd.Context, d *apd.Decimal) error { _, err := c.Pow(d, b, e); return err }, int(f), rs)
}
