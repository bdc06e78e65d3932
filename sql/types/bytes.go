package types

import (
	"unicode/utf8"

	"github.com/tsgres/tsgres/sql/pgerr"
)

const hexDigits = "0123456789abcdef"

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseBytea implements byteain: "\x" followed by hex pairs (whitespace
// allowed between pairs), or the escape format with \\ and \ooo.
func parseBytea(s string) (string, error) {
	if len(s) >= 2 && s[0] == '\\' && (s[1] == 'x' || s[1] == 'X') {
		out := make([]byte, 0, (len(s)-2)/2)
		for i := 2; i < len(s); {
			c := s[i]
			if isSpace(c) {
				i++
				continue
			}
			hi, ok := unhex(c)
			if !ok {
				return "", pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", runeAt(s, i))
			}
			if i+1 >= len(s) {
				return "", pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			lo, ok := unhex(s[i+1])
			if !ok {
				if isSpace(s[i+1]) {
					return "", pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
				}
				return "", pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", runeAt(s, i+1))
			}
			out = append(out, hi<<4|lo)
			i += 2
		}
		return string(out), nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == '\\' {
			out = append(out, '\\')
			i += 2
			continue
		}
		if i+3 < len(s)+0 && isOct(s[i+1]) && isOct(s[i+2]) && isOct(s[i+3]) && s[i+1] <= '3' {
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 4
			continue
		}
		return "", errSyntax(Bytea, s)
	}
	return string(out), nil
}

func isOct(c byte) bool { return c >= '0' && c <= '7' }

func runeAt(s string, i int) string {
	_, n := utf8.DecodeRuneInString(s[i:])
	return s[i : i+n]
}

func appendByteaHex(dst []byte, b string) []byte {
	dst = append(dst, '\\', 'x')
	for i := 0; i < len(b); i++ {
		dst = append(dst, hexDigits[b[i]>>4], hexDigits[b[i]&15])
	}
	return dst
}

// parseUUID implements uuid_in: 32 hex digits, optionally in braces, with
// a hyphen allowed after any group of four digits.
func parseUUID(s string) (string, error) {
	v := s
	if len(v) > 0 && v[0] == '{' {
		if v[len(v)-1] != '}' {
			return "", errSyntax(UUID, s)
		}
		v = v[1 : len(v)-1]
	}
	var out [16]byte
	n := 0
	for i := 0; i < len(v); {
		if n == 32 {
			return "", errSyntax(UUID, s)
		}
		hi, ok1 := unhex(v[i])
		if i+1 >= len(v) {
			return "", errSyntax(UUID, s)
		}
		lo, ok2 := unhex(v[i+1])
		if !ok1 || !ok2 {
			return "", errSyntax(UUID, s)
		}
		out[n/2] = hi<<4 | lo
		n += 2
		i += 2
		if i < len(v) && v[i] == '-' && n%4 == 0 && n < 32 && i+1 < len(v) {
			i++
		}
	}
	if n != 32 {
		return "", errSyntax(UUID, s)
	}
	return string(out[:]), nil
}

func appendUUID(dst []byte, u string) []byte {
	for i := 0; i < len(u); i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[u[i]>>4], hexDigits[u[i]&15])
	}
	return dst
}

// charLen counts characters (UTF-8 code points).
func charLen(s string) int { return utf8.RuneCountInString(s) }

// truncChars returns the first n characters of s.
func truncChars(s string, n int) string {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i]
}

// applyStringTypmod applies varchar(n)/bpchar(n)/name limits. explicit
// selects the explicit-cast rule (silent truncation) over the input and
// assignment rule (22001 unless only spaces are cut).
func applyStringTypmod(t T, s string, explicit bool) (string, error) {
	switch t.OID {
	case OidName:
		if len(s) > 63 {
			cut := 63
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			s = s[:cut]
		}
		return s, nil
	case OidChar:
		if len(s) > 1 {
			s = s[:1]
		}
		return s, nil
	case OidVarchar, OidBpchar:
	default:
		return s, nil
	}
	if t.Mod < 4 {
		return s, nil
	}
	n := int(t.Mod - 4)
	l := charLen(s)
	if l > n {
		cut := truncChars(s, n)
		if !explicit {
			for i := len(cut); i < len(s); i++ {
				if s[i] != ' ' {
					name := "character varying"
					if t.OID == OidBpchar {
						name = "character"
					}
					return "", pgerr.New(pgerr.StringDataRightTruncation, "value too long for type %s(%d)", name, n)
				}
			}
		}
		s, l = cut, n
	}
	if t.OID == OidBpchar && l < n {
		b := make([]byte, 0, len(s)+n-l)
		b = append(b, s...)
		for ; l < n; l++ {
			b = append(b, ' ')
		}
		s = string(b)
	}
	return s, nil
}
