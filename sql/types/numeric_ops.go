package types

import (
	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
)

func numNaN() *Decimal { return &Decimal{Form: apd.NaN} }

func isNaNNum(d *Decimal) bool { return d.Form == apd.NaN || d.Form == apd.NaNSignaling }

// NumericAdd returns a+b with display scale max(scale(a), scale(b)).
func NumericAdd(a, b *Decimal) *Decimal {
	r := new(Decimal)
	_, _ = numCtx.Add(r, a, b)
	return normNumeric(r)
}

// NumericSub returns a-b with display scale max(scale(a), scale(b)).
func NumericSub(a, b *Decimal) *Decimal {
	r := new(Decimal)
	_, _ = numCtx.Sub(r, a, b)
	return normNumeric(r)
}

// NumericMul returns a*b with display scale scale(a)+scale(b).
func NumericMul(a, b *Decimal) *Decimal {
	r := new(Decimal)
	if a.Form == apd.Infinite || b.Form == apd.Infinite {
		if isNaNNum(a) || isNaNNum(b) || (a.Form == apd.Finite && a.IsZero()) || (b.Form == apd.Finite && b.IsZero()) {
			return numNaN()
		}
		return &Decimal{Form: apd.Infinite, Negative: a.Negative != b.Negative}
	}
	_, _ = numCtx.Mul(r, a, b)
	return normNumeric(r)
}

// NumericNeg returns -a.
func NumericNeg(a *Decimal) *Decimal {
	r := new(Decimal)
	r.Neg(a)
	return normNumeric(r)
}

// errDivZero is PostgreSQL's 22012.
func errDivZero() error { return pgerr.New(pgerr.DivisionByZero, "division by zero") }

// NumericDiv returns a/b rounded half away from zero to the scale
// PostgreSQL's select_div_scale picks: at least 16 significant digits and
// no less than either input's display scale. Division by zero is 22012.
func NumericDiv(a, b *Decimal) (*Decimal, error) {
	if isNaNNum(a) || isNaNNum(b) {
		return numNaN(), nil
	}
	if b.Form == apd.Finite && b.IsZero() {
		return nil, errDivZero()
	}
	if a.Form == apd.Infinite {
		if b.Form == apd.Infinite {
			return numNaN(), nil
		}
		return &Decimal{Form: apd.Infinite, Negative: a.Negative != b.Negative}, nil
	}
	if b.Form == apd.Infinite {
		return apd.New(0, 0), nil
	}
	return divScale(a, b, selectDivScale(a, b)), nil
}

// NumericDivScale returns a/b rounded half away from zero to rscale digits.
func NumericDivScale(a, b *Decimal, rscale int32) (*Decimal, error) {
	if b.Form == apd.Finite && b.IsZero() {
		return nil, errDivZero()
	}
	if a.Form != apd.Finite || b.Form != apd.Finite {
		return NumericDiv(a, b)
	}
	return divScale(a, b, rscale), nil
}

func divScale(a, b *Decimal, rscale int32) *Decimal {
	num := new(apd.BigInt).Set(&a.Coeff)
	den := new(apd.BigInt).Set(&b.Coeff)
	shift := int64(a.Exponent) - int64(b.Exponent) + int64(rscale)
	if shift >= 0 {
		num.Mul(num, pow10Big(shift))
	} else {
		den.Mul(den, pow10Big(-shift))
	}
	var q, rem apd.BigInt
	q.QuoRem(num, den, &rem)
	rem.Mul(&rem, apd.NewBigInt(2))
	if rem.CmpAbs(den) >= 0 {
		q.Add(&q, apd.NewBigInt(1))
	}
	r := &Decimal{Exponent: -rscale, Negative: a.Negative != b.Negative}
	r.Coeff.Set(&q)
	return normNumeric(r)
}

// base10000Lead returns the weight and first base-10000 digit of d as
// PostgreSQL's NumericVar would hold them (0, 0 for zero).
func base10000Lead(d *Decimal) (weight, first int) {
	if d.Coeff.Sign() == 0 {
		return 0, 0
	}
	digits := d.Coeff.String()
	if digits[0] == '-' {
		digits = digits[1:]
	}
	e := int(d.Exponent) + len(digits) - 1 // exponent of the leading digit
	w := e / 4
	if e < 0 && e%4 != 0 {
		w--
	}
	k := e - 4*w + 1 // decimal digits in the leading group
	for i := 0; i < k; i++ {
		first *= 10
		if i < len(digits) {
			first += int(digits[i] - '0')
		}
	}
	return w, first
}

func selectDivScale(a, b *Decimal) int32 {
	w1, f1 := base10000Lead(a)
	w2, f2 := base10000Lead(b)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := int32(numericMinSigDigits - qweight*4)
	rscale = max(rscale, numericScale(a), numericScale(b), 0)
	return min(rscale, numericMaxDisplayScal)
}

// NumericMod returns a mod b (sign of a, scale max of both); 22012 when b
// is zero.
func NumericMod(a, b *Decimal) (*Decimal, error) {
	if isNaNNum(a) || isNaNNum(b) {
		return numNaN(), nil
	}
	if b.Form == apd.Finite && b.IsZero() {
		return nil, errDivZero()
	}
	if a.Form == apd.Infinite {
		return numNaN(), nil
	}
	if b.Form == apd.Infinite {
		r := new(Decimal)
		r.Set(a)
		return r, nil
	}
	e := min(a.Exponent, b.Exponent)
	x := new(apd.BigInt).Set(&a.Coeff)
	y := new(apd.BigInt).Set(&b.Coeff)
	x.Mul(x, pow10Big(int64(a.Exponent-e)))
	y.Mul(y, pow10Big(int64(b.Exponent-e)))
	var q, rem apd.BigInt
	q.QuoRem(x, y, &rem)
	r := &Decimal{Exponent: e, Negative: a.Negative}
	r.Coeff.Abs(&rem)
	return normNumeric(r), nil
}

// NumericCmp compares like PostgreSQL: NaN is greater than everything
// (including +Infinity) and equal to itself.
func NumericCmp(a, b *Decimal) int {
	an, bn := isNaNNum(a), isNaNNum(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return a.Cmp(b)
}
