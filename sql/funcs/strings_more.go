package funcs

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

func init() {
	T := types.Text
	RegisterScalar(&Scalar{Name: "concat", Args: ts(AnyT), Variadic: true, Ret: Fixed(T),
		Fn: func(ctx *Ctx, at []types.T, a []any) (any, error) {
			var b strings.Builder
			for i, v := range a {
				if v != nil {
					b.WriteString(datumText(at[i], v, locOf(ctx)))
				}
			}
			return b.String(), nil
		}})
	RegisterScalar(&Scalar{Name: "concat_ws", Args: ts(T, AnyT), Variadic: true, Ret: Fixed(T),
		Fn: func(ctx *Ctx, at []types.T, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			var parts []string
			for i := 1; i < len(a); i++ {
				if a[i] != nil {
					parts = append(parts, datumText(at[i], a[i], locOf(ctx)))
				}
			}
			return strings.Join(parts, str(a[0])), nil
		}})
	RegisterScalar(&Scalar{Name: "format", Args: ts(T, AnyT), Variadic: true, Defaults: 1, Ret: Fixed(T),
		Fn: func(ctx *Ctx, at []types.T, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			return format(ctx, str(a[0]), at[1:], a[1:])
		}})
	reg("quote_ident", ts(T), T, text1(func(s string) any { return types.QuoteIdent(s) }))
	reg("quote_literal", ts(T), T, text1(func(s string) any { return quoteLiteral(s) }))
	RegisterScalar(&Scalar{Name: "quote_nullable", Args: ts(T), Ret: Fixed(T),
		Fn: func(_ *Ctx, _ []types.T, a []any) (any, error) {
			if a[0] == nil {
				return "NULL", nil
			}
			return quoteLiteral(str(a[0])), nil
		}})
	RegisterScalar(&Scalar{Name: "string_to_array", Args: ts(T, T, T), Defaults: 1, Ret: Fixed(types.TextArray),
		Fn: stringToArray})
	RegisterScalar(&Scalar{Name: "array_to_string", Args: ts(AnyArray, T, T), Defaults: 1, Ret: Fixed(T),
		Fn: func(ctx *Ctx, _ []types.T, a []any) (any, error) {
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			arr := a[0].(*types.Array)
			var null *string
			if len(a) > 2 && a[2] != nil {
				s := str(a[2])
				null = &s
			}
			var parts []string
			for _, v := range arr.Vals {
				switch {
				case v != nil:
					parts = append(parts, datumText(arr.Elem, v, locOf(ctx)))
				case null != nil:
					parts = append(parts, *null)
				}
			}
			return strings.Join(parts, str(a[1])), nil
		}})
	reg("encode", ts(types.Bytea, T), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		b := []byte(str(a[0]))
		switch strings.ToLower(str(a[1])) {
		case "hex":
			return hex.EncodeToString(b), nil
		case "base64":
			s := base64.StdEncoding.EncodeToString(b)
			var out strings.Builder
			for i := 0; i < len(s); i += 76 {
				if i > 0 {
					out.WriteByte('\n')
				}
				out.WriteString(s[i:min(i+76, len(s))])
			}
			return out.String(), nil
		case "escape":
			var out strings.Builder
			for _, c := range b {
				switch {
				case c == 0 || c >= 0x80:
					out.WriteString("\\" + pad3oct(c))
				case c == '\\':
					out.WriteString(`\\`)
				default:
					out.WriteByte(c)
				}
			}
			return out.String(), nil
		}
		return nil, errf(pgerr.InvalidParameterValue, "unrecognized encoding: \"%s\"", str(a[1]))
	})
	reg("decode", ts(T, T), types.Bytea, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		s := str(a[0])
		switch strings.ToLower(str(a[1])) {
		case "hex":
			b, err := hex.DecodeString(strings.Map(dropSpace, s))
			if err != nil {
				return nil, errf(pgerr.InvalidParameterValue, "invalid hexadecimal data")
			}
			return string(b), nil
		case "base64":
			b, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, s))
			if err != nil {
				return nil, errf(pgerr.InvalidParameterValue, "invalid base64 end sequence")
			}
			return string(b), nil
		case "escape":
			var out []byte
			for i := 0; i < len(s); i++ {
				if s[i] != '\\' {
					out = append(out, s[i])
					continue
				}
				if i+1 < len(s) && s[i+1] == '\\' {
					out = append(out, '\\')
					i++
					continue
				}
				if i+3 < len(s) {
					if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
						out = append(out, byte(n))
						i += 3
						continue
					}
				}
				return nil, errf(pgerr.InvalidTextRepresentation, "invalid input syntax for type bytea")
			}
			return string(out), nil
		}
		return nil, errf(pgerr.InvalidParameterValue, "unrecognized encoding: \"%s\"", str(a[1]))
	})
	RegisterScalar(&Scalar{Name: "gen_random_uuid", Ret: Fixed(types.UUID), Strict: true, Volatile: true,
		Fn: func(*Ctx, []types.T, []any) (any, error) {
			var u [16]byte
			_, _ = rand.Read(u[:])
			u[6] = u[6]&0x0f | 0x40
			u[8] = u[8]&0x3f | 0x80
			return string(u[:]), nil
		}})
}

func dropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}

func pad3oct(c byte) string {
	s := strconv.FormatUint(uint64(c), 8)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

func textArray(vals []any) *types.Array {
	a := &types.Array{Elem: types.Text, Vals: vals}
	if len(vals) > 0 {
		a.Dims = []int{len(vals)}
	}
	return a
}

func stringToArray(_ *Ctx, _ []types.T, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	s := str(a[0])
	if s == "" {
		return textArray(nil), nil
	}
	var parts []string
	switch {
	case a[1] == nil:
		for _, r := range s {
			parts = append(parts, string(r))
		}
	case str(a[1]) == "":
		parts = []string{s}
	default:
		parts = strings.Split(s, str(a[1]))
	}
	vals := make([]any, len(parts))
	for i, p := range parts {
		vals[i] = p
		if len(a) > 2 && a[2] != nil && p == str(a[2]) {
			vals[i] = nil
		}
	}
	return textArray(vals), nil
}

// quoteLiteral is quote_literal: doubled quotes, and an E prefix with
// doubled backslashes when s has a backslash.
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// format implements format(): %[n$][-][width]{s,I,L} and %%.
func format(ctx *Ctx, f string, at []types.T, args []any) (any, error) {
	var b strings.Builder
	next := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			return nil, errf(pgerr.InvalidParameterValue, "unterminated format() type specifier")
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// Optional argument position n$.
		j := i
		for j < len(f) && f[j] >= '0' && f[j] <= '9' {
			j++
		}
		argIdx := -1
		if j < len(f) && f[j] == '$' && j > i {
			n, _ := strconv.Atoi(f[i:j])
			if n < 1 {
				return nil, errf(pgerr.InvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
			}
			argIdx = n - 1
			i = j + 1
		}
		left := false
		if i < len(f) && f[i] == '-' {
			left = true
			i++
		}
		width := 0
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			width = width*10 + int(f[i]-'0')
			i++
		}
		if i >= len(f) {
			return nil, errf(pgerr.InvalidParameterValue, "unterminated format() type specifier")
		}
		if argIdx < 0 {
			argIdx = next
		}
		next = argIdx + 1
		if argIdx >= len(args) {
			return nil, errf(pgerr.InvalidParameterValue, "too few arguments for format()")
		}
		v := args[argIdx]
		var s string
		switch f[i] {
		case 's':
			if v != nil {
				s = datumText(at[argIdx], v, locOf(ctx))
			}
		case 'I':
			if v == nil {
				return nil, errf(pgerr.NullValueNotAllowed, "null values cannot be formatted as an SQL identifier")
			}
			s = types.QuoteIdent(datumText(at[argIdx], v, locOf(ctx)))
		case 'L':
			if v == nil {
				s = "NULL"
			} else {
				s = quoteLiteral(datumText(at[argIdx], v, locOf(ctx)))
			}
		default:
			return nil, errf(pgerr.InvalidParameterValue, "unrecognized format() type specifier \"%c\"", f[i])
		}
		if n := width - len([]rune(s)); n > 0 {
			if left {
				s += strings.Repeat(" ", n)
			} else {
				s = strings.Repeat(" ", n) + s
			}
		}
		b.WriteString(s)
	}
	return b.String(), nil
}
