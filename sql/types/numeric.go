package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// numericPrecision bounds apd's exact add/sub/mul; PostgreSQL numerics have
// at most 131072 digits before and 16383 after the point, far beyond any
// value tsgres keeps, so 4000 digits is exact in practice.
const numericPrecision = 4000

// Numeric division result scale bounds, as NUMERIC_MIN_SIG_DIGITS and
// NUMERIC_MAX_DISPLAY_SCALE in PostgreSQL's numeric.c.
const (
	numericMinSigDigits   = 16
	numericMaxDisplayScal = 1000
)

var numCtx = &apd.Context{
	Precision:   numericPrecision,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Rounding:    apd.RoundHalfUp,
}

var bigTen = apd.NewBigInt(10)

func pow10Big(n int64) *apd.BigInt {
	var r apd.BigInt
	return r.Exp(bigTen, apd.NewBigInt(n), nil)
}

// normNumeric puts d in the canonical datum form: a finite value has a
// non-positive exponent (its display scale is -Exponent) and zero is never
// negative.
func normNumeric(d *Decimal) *Decimal {
	if d.Form == apd.Finite {
		if d.Exponent > 0 {
			d.Coeff.Mul(&d.Coeff, pow10Big(int64(d.Exponent)))
			d.Exponent = 0
		}
		if d.Coeff.Sign() == 0 {
			d.Negative = false
		}
	} else if d.Form != apd.Infinite {
		d.Form = apd.NaN
		d.Negative = false
	}
	return d
}

// numericScale returns d's display scale.
func numericScale(d *Decimal) int32 {
	if d.Form != apd.Finite || d.Exponent >= 0 {
		return 0
	}
	return -d.Exponent
}

// parseNumeric implements numeric_in.
func parseNumeric(s string) (*Decimal, error) {
	v := trimSpace(s)
	switch strings.ToLower(v) {
	case "nan":
		return &Decimal{Form: apd.NaN}, nil
	case "infinity", "+infinity", "inf", "+inf":
		return &Decimal{Form: apd.Infinite}, nil
	case "-infinity", "-inf":
		return &Decimal{Form: apd.Infinite, Negative: true}, nil
	}
	if !validNumericSyntax(v) {
		return nil, errSyntax(Numeric, s)
	}
	d, _, err := apd.NewFromString(v)
	if err != nil {
		return nil, errSyntax(Numeric, s)
	}
	if d.Exponent < -16383 || d.Exponent > 131072 {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	return normNumeric(d), nil
}

func validNumericSyntax(v string) bool {
	i := 0
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		i++
	}
	nd := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
		nd++
	}
	if i < len(v) && v[i] == '.' {
		i++
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
			nd++
		}
	}
	if nd == 0 {
		return false
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		ne := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
			ne++
		}
		if ne == 0 || ne > 9 {
			return false
		}
	}
	return i == len(v)
}

// appendNumeric implements numeric_out.
func appendNumeric(dst []byte, d *Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(dst, "NaN"...)
	case apd.Infinite:
		if d.Negative {
			return append(dst, "-Infinity"...)
		}
		return append(dst, "Infinity"...)
	}
	if d.Exponent > 0 {
		var c Decimal
		c.Set(d)
		d = normNumeric(&c)
	}
	if d.Negative && d.Coeff.Sign() == 0 {
		var c Decimal
		c.Set(d)
		c.Negative = false
		d = &c
	}
	return d.Append(dst, 'f')
}

// NumericRound rounds d to scale digits after the point (negative scale
// rounds left of it), half away from zero, as PostgreSQL's round(numeric,
// int). The result has display scale max(scale, 0).
func NumericRound(d *Decimal, scale int32) *Decimal {
	r := new(Decimal)
	r.Set(d)
	if d.Form != apd.Finite {
		return r
	}
	e := -scale
	switch {
	case r.Exponent < e:
		div := pow10Big(int64(e - r.Exponent))
		var q, rem apd.BigInt
		q.QuoRem(&r.Coeff, div, &rem)
		rem.Mul(&rem, apd.NewBigInt(2))
		if rem.CmpAbs(div) >= 0 {
			q.Add(&q, apd.NewBigInt(1))
		}
		r.Coeff.Set(&q)
		r.Exponent = e
	case r.Exponent > e && e <= 0:
		r.Coeff.Mul(&r.Coeff, pow10Big(int64(r.Exponent-e)))
		r.Exponent = e
	}
	return normNumeric(r)
}

// applyNumericTypmod rounds d to numeric(p,s) and checks its precision.
func applyNumericTypmod(d *Decimal, mod int32) (*Decimal, error) {
	if mod < 4 {
		return d, nil
	}
	p := int32(((mod - 4) >> 16) & 0xffff)
	s := int32((((mod - 4) & 0x7ff) ^ 1024) - 1024)
	switch d.Form {
	case apd.Finite:
	case apd.Infinite:
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "numeric field overflow").
			WithDetail("A field with precision %d, scale %d cannot hold an infinite value.", p, s)
	default:
		return d, nil
	}
	r := NumericRound(d, s)
	if s < 0 {
		// Keep display scale 0 for negative-scale typmods.
		r = normNumeric(r)
	}
	if r.Coeff.Sign() != 0 {
		e := int32(r.NumDigits()) + r.Exponent // digits before the point
		maxdigits := p - s
		if e > maxdigits {
			pre, n := "10^", maxdigits
			if maxdigits == 0 {
				pre, n = "", 1
			}
			return nil, pgerr.New(pgerr.NumericValueOutOfRange, "numeric field overflow").
				WithDetail("A field with precision %d, scale %d must round to an absolute value less than %s%d.", p, s, pre, n)
		}
	}
	return r, nil
}

// NumericTypmod returns the typmod of numeric(p,s).
func NumericTypmod(p, s int32) int32 { return ((p << 16) | (s & 0xffff)) + 4 }

// NumericFromInt64 returns n as a numeric with scale 0.
func NumericFromInt64(n int64) *Decimal { return apd.New(n, 0) }

// NumericFromFloat64 converts like float8_numeric: the value printed with 15
// significant digits ("%.15g") and read back, so 0.1::float8::numeric is
// 0.1. NaN and ±Inf map to NaN and ±Infinity.
func NumericFromFloat64(f float64) *Decimal { return numericFromFloat(f, 15) }

func numericFromFloat(f float64, digits int) *Decimal {
	switch {
	case math.IsNaN(f):
		return &Decimal{Form: apd.NaN}
	case math.IsInf(f, 0):
		return &Decimal{Form: apd.Infinite, Negative: f < 0}
	}
	s := strconv.FormatFloat(f, 'e', digits-1, 64)
	ei := strings.IndexByte(s, 'e')
	mant, exp := s[:ei], s[ei+1:]
	x, _ := strconv.Atoi(exp)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	mant = strings.Replace(mant, ".", "", 1)
	mant = strings.TrimRight(mant, "0")
	if mant == "" {
		return apd.New(0, 0)
	}
	d, _, _ := apd.NewFromString(mant)
	d.Exponent = int32(x - (len(mant) - 1))
	d.Negative = neg
	return normNumeric(d)
}

// NumericToFloat64 converts like numeric_float8 (via the decimal text).
func NumericToFloat64(d *Decimal) float64 {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return math.NaN()
	case apd.Infinite:
		if d.Negative {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	f, err := strconv.ParseFloat(d.Text('e'), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0
	}
	return f
}

// NumericToInt64 rounds d half away from zero to an integer of type to
// (int2, int4 or int8), with PostgreSQL's errors for NaN, infinity and
// overflow.
func NumericToInt64(d *Decimal, to T) (int64, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return 0, pgerr.New(pgerr.FeatureNotSupported, "cannot convert NaN to %s", intName(to))
	case apd.Infinite:
		return 0, pgerr.New(pgerr.FeatureNotSupported, "cannot convert infinity to %s", intName(to))
	}
	r := NumericRound(d, 0)
	if r.NumDigits() > 19 {
		return 0, errOutOfRange(to)
	}
	n, err := r.Int64()
	if err != nil {
		return 0, errOutOfRange(to)
	}
	if err := checkIntRange(to, n); err != nil {
		return 0, err
	}
	return n, nil
}

func intName(t T) string {
	switch t.OID {
	case OidInt2:
		return "smallint"
	case OidInt4:
		return "integer"
	}
	return "bigint"
}
