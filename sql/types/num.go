package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// isSpace reports the characters PostgreSQL's scanners skip (isspace in C).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// parseBool implements boolin: any unambiguous prefix of true/false/yes/no,
// on/off (two letters at least), 1/0, case-insensitive, trimmed.
func parseBool(s string) (bool, error) {
	v := strings.ToLower(trimSpace(s))
	if v != "" {
		switch {
		case strings.HasPrefix("true", v), strings.HasPrefix("yes", v):
			return true, nil
		case strings.HasPrefix("false", v), strings.HasPrefix("no", v):
			return false, nil
		case len(v) >= 2 && strings.HasPrefix("on", v):
			return true, nil
		case len(v) >= 2 && strings.HasPrefix("off", v):
			return false, nil
		case v == "1":
			return true, nil
		case v == "0":
			return false, nil
		}
	}
	return false, errSyntax(Bool, s)
}

// intBounds returns the range of an integer type.
func intBounds(t T) (lo, hi int64) {
	switch t.OID {
	case OidInt2:
		return math.MinInt16, math.MaxInt16
	case OidInt4:
		return math.MinInt32, math.MaxInt32
	case OidOid, OidRegclass, OidRegtype, OidRegproc, OidRegprocedur, OidRegoper,
		OidRegnamesp, OidRegrole, OidRegconfig, OidXid, OidCid:
		return math.MinInt32, math.MaxUint32
	}
	return math.MinInt64, math.MaxInt64
}

// parseInt implements int2in/int4in/int8in (and oidin): optional
// surrounding whitespace and sign, decimal digits only.
func parseInt(t T, s string) (int64, error) {
	v := trimSpace(s)
	neg := false
	if v != "" && (v[0] == '+' || v[0] == '-') {
		neg = v[0] == '-'
		v = v[1:]
	}
	if v == "" {
		return 0, errSyntax(t, s)
	}
	var u uint64
	overflow := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, errSyntax(t, s)
		}
		if u > (math.MaxUint64-9)/10 {
			overflow = true
			continue
		}
		u = u*10 + uint64(c-'0')
	}
	lo, hi := intBounds(t)
	var n int64
	switch {
	case overflow:
		return 0, errRange(t, s)
	case neg && u > uint64(math.MaxInt64)+1:
		return 0, errRange(t, s)
	case neg:
		n = -int64(u)
	case u > uint64(math.MaxInt64):
		return 0, errRange(t, s)
	default:
		n = int64(u)
	}
	if t.OID == OidOid || (lo == math.MinInt32 && hi == math.MaxUint32) {
		// oidin accepts negative values and wraps them (strtoul semantics).
		if n < 0 && n >= math.MinInt32 {
			n = int64(uint32(int32(n)))
		}
	}
	if n < lo || n > hi {
		return 0, errRange(t, s)
	}
	return n, nil
}

// parseFloat implements float4in/float8in.
func parseFloat(t T, s string) (float64, error) {
	v := trimSpace(s)
	bits := 64
	if t.OID == OidFloat4 {
		bits = 32
	} else if f, ok := parseShortDecimal(v); ok {
		return f, nil
	}
	switch strings.ToLower(v) {
	case "nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	case "":
		return 0, errSyntax(t, s)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, errSyntax(t, s)
		}
	}
	f, err := strconv.ParseFloat(v, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, pgerr.New(pgerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", v, typeLabel(t))
		}
		return 0, errSyntax(t, s)
	}
	if f == 0 && hasNonZeroMantissa(v) {
		return 0, pgerr.New(pgerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", v, typeLabel(t))
	}
	return f, nil
}

// exactPow10 are the powers of ten a float64 holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseShortDecimal parses the common shape of sensor values, an optional
// sign, digits and an optional fraction ("-12.375"), with at most 15
// digits in all; ok is false for anything else. The mantissa and the power
// of ten are then exact float64s, so one division rounds correctly
// (Clinger's fast path) and the result equals strconv.ParseFloat's.
func parseShortDecimal(v string) (f float64, ok bool) {
	i, neg := 0, false
	if i < len(v) && (v[i] == '-' || v[i] == '+') {
		neg = v[i] == '-'
		i++
	}
	var m uint64
	digits, frac := 0, -1
	for ; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	f = float64(m)
	if frac > 0 {
		f /= exactPow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}

func hasNonZeroMantissa(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == 'e' || c == 'E' {
			return false
		}
		if c >= '1' && c <= '9' {
			return true
		}
	}
	return false
}

// appendFloat formats f as PostgreSQL 15's float8out/float4out with the
// default extra_float_digits=1: the shortest exact digits, fixed notation
// when the decimal exponent is in [-4, 15) (float8) or [-4, 6) (float4),
// otherwise C-style exponent notation ("1e+100", "1.5e-07").
func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	if bits == 64 {
		if out, ok := appendShortDecimal(dst, f); ok {
			return out
		}
	}
	return appendShortest(dst, f, bits)
}

// appendShortest is appendFloat for finite nonzero f by the shortest
// round-trip digits.
func appendShortest(dst []byte, f float64, bits int) []byte {
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, bits)
	// e is like "-1.2345e+07".
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	ei := strings.IndexByte(string(e), 'e')
	mant := e[:ei]
	exp, _ := strconv.Atoi(string(e[ei+1:]))
	var dbuf [24]byte
	digits := dbuf[:0]
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	maxExp := 15
	if bits == 32 {
		maxExp = 6
	}
	if neg {
		dst = append(dst, '-')
	}
	if exp < -4 || exp >= maxExp {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for i := 0; i < -exp-1; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	if len(digits) <= exp+1 {
		dst = append(dst, digits...)
		for i := len(digits); i <= exp; i++ {
			dst = append(dst, '0')
		}
		return dst
	}
	dst = append(dst, digits[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, digits[exp+1:]...)
}

// checkIntRange returns the 22003 error of t when n does not fit in t.
func checkIntRange(t T, n int64) error {
	lo, hi := intBounds(t)
	if n < lo || n > hi {
		return errOutOfRange(t)
	}
	return nil
}

// FloatToInt converts a float to an integer type as PostgreSQL's casts do:
// rounding to nearest, ties to even (rint), and 22003 when out of range.
func FloatToInt(f float64, to T) (int64, error) {
	r := math.RoundToEven(f)
	if math.IsNaN(r) || r < -9.223372036854775808e18 || r >= 9.223372036854775808e18 {
		return 0, errOutOfRange(to)
	}
	n := int64(r)
	if err := checkIntRange(to, n); err != nil {
		return 0, err
	}
	return n, nil
}
