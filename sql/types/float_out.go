package types

import "math"

// Fast float8 text output. Most float8 results are short decimals (sensor
// readings, percentages, whole numbers) whose PostgreSQL text form
// appendFloat finds by the shortest round-trip algorithm, then reformats.
// appendShortDecimal finds those directly, and exactly:
//
// If m/10^k (m < 10^15 an integer, 10^k exact) rounds to f, the decimal
// D = m×10^-k reads back as f and has at most 15 significant digits.
// Every decimal of at most 15 significant digits survives a round trip
// through float8 (DBL_DIG = 15), so two different such decimals never read
// as the same float: D is the only one for f, hence the shortest, which
// is exactly the digits PostgreSQL prints. f in [RN(1e-4), 1e15) puts D's
// decimal exponent in [-4, 15) (rounding is monotone and 1e15 is a
// float), where PostgreSQL prints fixed notation. Other values, and short
// decimals with more than shortDecimalMaxFrac fractional digits, take
// the general path.

// shortDecimalMaxFrac bounds the fractional digits tried: each try costs
// a division, and values with more digits are rarely short.
const shortDecimalMaxFrac = 6

var shortDecimalPow10 = [shortDecimalMaxFrac + 1]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6}

// appendShortDecimal appends f's float8 text form when f is a decimal of
// at most 15 significant digits and 6 fractional digits in [1e-4, 1e15)
// in magnitude; ok is false (dst unchanged) otherwise.
func appendShortDecimal(dst []byte, f float64) (_ []byte, ok bool) {
	a := math.Abs(f)
	if !(a >= 1e-4 && a < 1e15) { // also NaN, ±Inf, ±0
		return dst, false
	}
	for k, p := range shortDecimalPow10 {
		x := a * p
		if x >= 1e15 {
			break
		}
		m := math.Round(x)
		if m/p != a {
			continue
		}
		var buf [32]byte
		i := len(buf)
		u := uint64(m)
		frac := k
		for frac > 0 && u%10 == 0 {
			u /= 10
			frac--
		}
		for range frac {
			i--
			buf[i] = byte('0' + u%10)
			u /= 10
		}
		if frac > 0 {
			i--
			buf[i] = '.'
		}
		if u == 0 {
			i--
			buf[i] = '0'
		}
		for ; u > 0; u /= 10 {
			i--
			buf[i] = byte('0' + u%10)
		}
		if f < 0 {
			i--
			buf[i] = '-'
		}
		return append(dst, buf[i:]...), true
	}
	return dst, false
}
