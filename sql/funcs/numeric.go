package funcs

import (
	"math"
	"strconv"

	"github.com/cockroachdb/apd/v3"
)

// PostgreSQL numeric constants (numeric.c).
const (
	numericMinSigDigits    = 16
	numericMaxDisplayScale = 1000
	decDigits              = 4
)

// exactCtx performs add/sub/mul exactly for any realistic operand size.
var exactCtx = &apd.Context{
	Precision:   4000,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.InvalidOperation,
	Rounding:    apd.RoundHalfUp,
}

// DecFromInt64 returns v as a numeric.
func DecFromInt64(v int64) *apd.Decimal { return apd.New(v, 0) }

// decFromFloat converts a float8 to numeric as PostgreSQL's float8_numeric
// does: through its shortest-round-trip text (15 significant digits in
// PostgreSQL; we use 15 to match).
func decFromFloat(f float64) (*apd.Decimal, error) {
	if math.IsNaN(f) {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if math.IsInf(f, 0) {
		return &apd.Decimal{Form: apd.Infinite, Negative: f < 0}, nil
	}
	s := strconv.FormatFloat(f, 'g', 15, 64)
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return nil, err
	}
	if d.Exponent > 0 {
		// Write e.g. 1e+20 as an integer with scale 0.
		_, _ = exactCtx.Quantize(d, d, 0)
	}
	return d, nil
}

func decToInt64(d *apd.Decimal) (int64, error) {
	r := new(apd.Decimal)
	if _, err := exactCtx.RoundToIntegralValue(r, d); err != nil {
		return 0, err
	}
	n, err := r.Int64()
	if err != nil {
		return 0, OutOfRange("bigint")
	}
	return n, nil
}

// ToDec converts an int/float/numeric datum to numeric.
func ToDec(v any) *apd.Decimal {
	switch x := v.(type) {
	case int64:
		return DecFromInt64(x)
	case float64:
		d, _ := decFromFloat(x)
		return d
	case *apd.Decimal:
		return x
	}
	return &apd.Decimal{Form: apd.NaN}
}

// dscale is a numeric's display scale (digits after the point).
func dscale(d *apd.Decimal) int32 {
	if d.Form != apd.Finite || d.Exponent >= 0 {
		return 0
	}
	return -d.Exponent
}

// weightFirst returns PostgreSQL's base-10000 weight and first digit of a
// nonzero finite numeric (0, 0 for zero).
func weightFirst(d *apd.Decimal) (int, int) {
	if d.IsZero() || d.Form != apd.Finite {
		return 0, 0
	}
	s := d.Coeff.String()
	p := len(s) - 1 + int(d.Exponent) // decimal position of the first digit
	w := int(floorDiv(int64(p), decDigits))
	n := p - w*decDigits + 1 // digits of the first base-10000 group
	first := 0
	for i := 0; i < n; i++ {
		first *= 10
		if i < len(s) {
			first += int(s[i] - '0')
		}
	}
	return w, first
}

// DivScale is PostgreSQL's select_div_scale.
func DivScale(x, y *apd.Decimal) int32 {
	w1, f1 := weightFirst(x)
	w2, f2 := weightFirst(y)
	qw := w1 - w2
	if f1 <= f2 {
		qw--
	}
	r := int32(numericMinSigDigits - qw*decDigits)
	r = max(r, dscale(x), dscale(y), 0)
	return min(r, numericMaxDisplayScale)
}

// decRound rounds d to scale digits after the point, half away from zero.
func decRound(d *apd.Decimal, scale int32) *apd.Decimal {
	r := new(apd.Decimal)
	c := *exactCtx
	c.Rounding = apd.RoundHalfUp
	if _, err := c.Quantize(r, d, -scale); err != nil {
		return d
	}
	return r
}

// decTrunc truncates d to scale digits after the point.
func decTrunc(d *apd.Decimal, scale int32) *apd.Decimal {
	r := new(apd.Decimal)
	c := *exactCtx
	c.Rounding = apd.RoundDown
	if _, err := c.Quantize(r, d, -scale); err != nil {
		return d
	}
	return r
}

// DecQuoScale divides x by y rounding to scale (half away from zero).
func DecQuoScale(x, y *apd.Decimal, scale int32) (*apd.Decimal, error) {
	if y.IsZero() {
		return nil, divZero()
	}
	// Truncate with guard digits, then round once.
	wx, _ := weightFirst(x)
	wy, _ := weightFirst(y)
	prec := (wx-wy+2)*decDigits + int(scale) + 8
	if prec < 8 {
		prec = 8
	}
	c := *exactCtx
	c.Precision = uint32(prec)
	c.Rounding = apd.RoundDown
	q := new(apd.Decimal)
	if _, err := c.Quo(q, x, y); err != nil {
		return nil, err
	}
	return decRound(q, scale), nil
}

// DecDiv is numeric division with PostgreSQL's result scale.
func DecDiv(x, y *apd.Decimal) (*apd.Decimal, error) {
	if y.IsZero() {
		return nil, divZero()
	}
	return DecQuoScale(x, y, DivScale(x, y))
}

// DecAdd is numeric addition (exact).
func DecAdd(x, y *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal)
	_, _ = exactCtx.Add(r, x, y)
	return r
}

// DecSub is numeric subtraction (exact).
func DecSub(x, y *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal)
	_, _ = exactCtx.Sub(r, x, y)
	return r
}

// DecMul is numeric multiplication (exact).
func DecMul(x, y *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal)
	_, _ = exactCtx.Mul(r, x, y)
	return r
}

// DecSqrt is sqrt_var rounded to rscale.
func DecSqrt(x *apd.Decimal, rscale int32) (*apd.Decimal, error) {
	if x.Sign() < 0 {
		return nil, errf(codeInvalidArgForPower, "cannot take square root of a negative number")
	}
	if x.IsZero() {
		return decRound(apd.New(0, 0), rscale), nil
	}
	w, _ := weightFirst(x)
	c := *exactCtx
	c.Precision = uint32(max((w/2+2)*decDigits+int(rscale)+10, 20))
	c.Rounding = apd.RoundDown
	r := new(apd.Decimal)
	if _, err := c.Sqrt(r, x); err != nil {
		return nil, err
	}
	return decRound(r, rscale), nil
}

// sqrtScale is numeric_sqrt's result scale for x.
func sqrtScale(x *apd.Decimal) int32 {
	w, _ := weightFirst(x)
	sweight := (w+1)*decDigits/2 - 1
	r := int32(numericMinSigDigits - sweight)
	r = max(r, dscale(x), 0)
	return min(r, numericMaxDisplayScale)
}
