package funcs

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// textFn adapts a func over strings to a scalar Fn.
func text1(f func(string) any) scalarFn {
	return func(_ *Ctx, _ []types.T, a []any) (any, error) { return f(str(a[0])), nil }
}

func init() {
	T, I := types.Text, types.Int4
	for _, n := range []string{"length", "char_length", "character_length"} {
		reg(n, ts(T), I, text1(func(s string) any { return int64(utf8.RuneCountInString(s)) }))
	}
	reg("length", ts(types.Bytea), I, text1(func(s string) any { return int64(len(s)) }))
	reg("octet_length", ts(T), I, text1(func(s string) any { return int64(len(s)) }))
	reg("octet_length", ts(types.Bytea), I, text1(func(s string) any { return int64(len(s)) }))
	reg("bit_length", ts(T), I, text1(func(s string) any { return int64(8 * len(s)) }))
	reg("lower", ts(T), T, text1(func(s string) any { return strings.ToLower(s) }))
	reg("upper", ts(T), T, text1(func(s string) any { return strings.ToUpper(s) }))
	reg("initcap", ts(T), T, text1(func(s string) any { return initcap(s) }))
	reg("reverse", ts(T), T, text1(func(s string) any {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r)
	}))
	reg("md5", ts(T), T, text1(func(s string) any { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }))
	reg("md5", ts(types.Bytea), T, text1(func(s string) any { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }))
	reg("ascii", ts(T), I, text1(func(s string) any {
		if s == "" {
			return int64(0)
		}
		r, _ := utf8.DecodeRuneInString(s)
		return int64(r)
	}))
	reg("chr", ts(I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		c := a[0].(int64)
		if c == 0 {
			return nil, errf(pgerr.ProgramLimitExceeded, "null character not permitted")
		}
		if c < 0 || c > unicode.MaxRune || (c >= 0xD800 && c <= 0xDFFF) {
			return nil, errf(pgerr.ProgramLimitExceeded, "requested character too large for encoding: %d", c)
		}
		return string(rune(c)), nil
	})
	for _, t := range []types.T{I, types.Int8} {
		reg("to_hex", ts(t), T, func(_ *Ctx, at []types.T, a []any) (any, error) {
			v := a[0].(int64)
			if at[0].OID == types.OidInt4 {
				return strconv.FormatUint(uint64(uint32(v)), 16), nil
			}
			return strconv.FormatUint(uint64(v), 16), nil
		})
	}
	for _, n := range []string{"substring", "substr"} {
		reg(n, ts(T, I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			return substr(str(a[0]), a[1].(int64), -1, false)
		})
		reg(n, ts(T, I, I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			return substr(str(a[0]), a[1].(int64), a[2].(int64), true)
		})
	}
	for _, n := range []string{"position", "strpos"} {
		reg(n, ts(T, T), I, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			s, sub := str(a[0]), str(a[1])
			i := strings.Index(s, sub)
			if i < 0 {
				return int64(0), nil
			}
			return int64(utf8.RuneCountInString(s[:i]) + 1), nil
		})
	}
	reg("starts_with", ts(T, T), types.Bool, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return strings.HasPrefix(str(a[0]), str(a[1])), nil
	})
	reg("replace", ts(T, T, T), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		if str(a[1]) == "" {
			return str(a[0]), nil
		}
		return strings.ReplaceAll(str(a[0]), str(a[1]), str(a[2])), nil
	})
	reg("split_part", ts(T, T, I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		s, d, n := str(a[0]), str(a[1]), a[2].(int64)
		if n == 0 {
			return nil, errf(pgerr.InvalidParameterValue, "field position must not be zero")
		}
		var parts []string
		if d == "" {
			parts = []string{s}
			if s == "" {
				parts = nil
			}
		} else {
			parts = strings.Split(s, d)
		}
		if n < 0 {
			n = int64(len(parts)) + n + 1
		}
		if n < 1 || n > int64(len(parts)) {
			return "", nil
		}
		return parts[n-1], nil
	})
	reg("left", ts(T, I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		r := []rune(str(a[0]))
		n := clampLen(a[1].(int64), len(r))
		return string(r[:n]), nil
	})
	reg("right", ts(T, I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		r := []rune(str(a[0]))
		n := clampLen(a[1].(int64), len(r))
		return string(r[len(r)-n:]), nil
	})
	reg("lpad", ts(T, I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) { return padStr(str(a[0]), a[1].(int64), " ", true) })
	reg("lpad", ts(T, I, T), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return padStr(str(a[0]), a[1].(int64), str(a[2]), true)
	})
	reg("rpad", ts(T, I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) { return padStr(str(a[0]), a[1].(int64), " ", false) })
	reg("rpad", ts(T, I, T), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		return padStr(str(a[0]), a[1].(int64), str(a[2]), false)
	})
	trims := map[string]func(string, string) string{
		"ltrim": strings.TrimLeft, "rtrim": strings.TrimRight, "btrim": strings.Trim,
	}
	for n, f := range trims {
		f := f
		reg(n, ts(T), T, text1(func(s string) any { return f(s, " ") }))
		reg(n, ts(T, T), T, func(_ *Ctx, _ []types.T, a []any) (any, error) { return f(str(a[0]), str(a[1])), nil })
	}
	reg("repeat", ts(T, I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		n := a[1].(int64)
		if n <= 0 {
			return "", nil
		}
		if int64(len(str(a[0])))*n > 1<<30 {
			return nil, errf(pgerr.ProgramLimitExceeded, "requested length too large")
		}
		return strings.Repeat(str(a[0]), int(n)), nil
	})
	reg("translate", ts(T, T, T), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		from, to := []rune(str(a[1])), []rune(str(a[2]))
		var b strings.Builder
		for _, c := range str(a[0]) {
			i := indexRune(from, c)
			switch {
			case i < 0:
				b.WriteRune(c)
			case i < len(to):
				b.WriteRune(to[i])
			}
		}
		return b.String(), nil
	})
}

func indexRune(rs []rune, c rune) int {
	for i, r := range rs {
		if r == c {
			return i
		}
	}
	return -1
}

func clampLen(n int64, l int) int {
	if n < 0 {
		n = max(int64(l)+n, 0)
	}
	return int(min(n, int64(l)))
}

// substr is text_substr: 1-based start, which may be < 1; a negative
// length is an error.
func substr(s string, start, n int64, hasLen bool) (any, error) {
	r := []rune(s)
	if hasLen && n < 0 {
		return nil, errf("22011", "negative substring length not allowed")
	}
	from := start - 1
	to := int64(len(r))
	if hasLen {
		to = min(start-1+n, to)
		if start-1+n < start-1 { // overflow
			to = int64(len(r))
		}
	}
	from = max(from, 0)
	if from >= to || from >= int64(len(r)) {
		return "", nil
	}
	return string(r[from:to]), nil
}

func padStr(s string, n int64, fill string, left bool) (any, error) {
	if n <= 0 {
		return "", nil
	}
	if n > 1<<28 {
		return nil, errf(pgerr.ProgramLimitExceeded, "requested length too large")
	}
	r := []rune(s)
	if int64(len(r)) >= n {
		return string(r[:n]), nil
	}
	f := []rune(fill)
	if len(f) == 0 {
		return s, nil
	}
	need := int(n) - len(r)
	p := make([]rune, need)
	for i := range p {
		p[i] = f[i%len(f)]
	}
	if left {
		return string(p) + s, nil
	}
	return s + string(p), nil
}

// initcap upper-cases the first letter of each alphanumeric run.
func initcap(s string) string {
	var b strings.Builder
	prevAlnum := false
	for _, c := range s {
		if prevAlnum {
			b.WriteRune(unicode.ToLower(c))
		} else {
			b.WriteRune(unicode.ToUpper(c))
		}
		prevAlnum = unicode.IsLetter(c) || unicode.IsDigit(c)
	}
	return b.String()
}
