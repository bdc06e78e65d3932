package types

import (
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// jsonValue is a parsed JSON value. kind is one of 'o' object, 'a' array,
// 's' string, 'n' number, 't' true, 'f' false, 'z' null.
type jsonValue struct {
	kind byte
	str  string // string value (decoded) or number text
	keys []string
	vals []*jsonValue
}

type jsonParser struct {
	s     string
	i     int
	depth int
	err   error
	json  bool // plain json: \u0000 is accepted
}

// maxJSONDepth bounds nesting so hostile input cannot exhaust the stack.
const maxJSONDepth = 6400

func jsonErr(detail string) error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail("%s", detail)
}

// parseJSON parses s as JSON (RFC 8259, as PostgreSQL's json_in accepts).
func parseJSON(s string) (*jsonValue, error) { return parseJSONMode(s, false) }

func parseJSONMode(s string, plain bool) (*jsonValue, error) {
	p := &jsonParser{s: s, json: plain}
	v := p.value()
	if p.err != nil {
		return nil, p.err
	}
	p.ws()
	if p.i < len(p.s) {
		return nil, jsonErr("Token \"" + p.token() + "\" is invalid.")
	}
	return v, nil
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *jsonParser) token() string {
	j := p.i
	for j < len(p.s) && (isAlpha(p.s[j]) || isDigit(p.s[j]) || p.s[j] >= 0x80) {
		j++
	}
	if j == p.i && j < len(p.s) {
		_, n := utf8.DecodeRuneInString(p.s[j:])
		j += n
	}
	return p.s[p.i:j]
}

func (p *jsonParser) fail(detail string) *jsonValue {
	if p.err == nil {
		p.err = jsonErr(detail)
	}
	return nil
}

func (p *jsonParser) value() *jsonValue {
	p.ws()
	if p.i >= len(p.s) {
		return p.fail("The input string ended unexpectedly.")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil
		}
		return &jsonValue{kind: 's', str: s}
	case c == '-' || isDigit(c):
		return p.number()
	default:
		tok := p.token()
		switch tok {
		case "true":
			p.i += 4
			return &jsonValue{kind: 't'}
		case "false":
			p.i += 5
			return &jsonValue{kind: 'f'}
		case "null":
			p.i += 4
			return &jsonValue{kind: 'z'}
		}
		return p.fail("Token \"" + tok + "\" is invalid.")
	}
}

func (p *jsonParser) object() *jsonValue {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.fail("JSON nesting too deep.")
	}
	defer func() { p.depth-- }()
	p.i++
	v := &jsonValue{kind: 'o'}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return v
	}
	for {
		p.ws()
		if p.i >= len(p.s) {
			return p.fail("The input string ended unexpectedly.")
		}
		if p.s[p.i] != '"' {
			return p.fail("Expected string or \"}\", but found \"" + p.token() + "\".")
		}
		k, ok := p.str()
		if !ok {
			return nil
		}
		p.ws()
		if p.i >= len(p.s) {
			return p.fail("The input string ended unexpectedly.")
		}
		if p.s[p.i] != ':' {
			return p.fail("Expected \":\", but found \"" + p.token() + "\".")
		}
		p.i++
		e := p.value()
		if e == nil {
			return nil
		}
		v.keys = append(v.keys, k)
		v.vals = append(v.vals, e)
		p.ws()
		if p.i >= len(p.s) {
			return p.fail("The input string ended unexpectedly.")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return v
		default:
			return p.fail("Expected \",\" or \"}\", but found \"" + p.token() + "\".")
		}
	}
}

func (p *jsonParser) array() *jsonValue {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.fail("JSON nesting too deep.")
	}
	defer func() { p.depth-- }()
	p.i++
	v := &jsonValue{kind: 'a'}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return v
	}
	for {
		e := p.value()
		if e == nil {
			return nil
		}
		v.vals = append(v.vals, e)
		p.ws()
		if p.i >= len(p.s) {
			return p.fail("The input string ended unexpectedly.")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return v
		default:
			return p.fail("Expected \",\" or \"]\", but found \"" + p.token() + "\".")
		}
	}
}

func (p *jsonParser) str() (string, bool) {
	p.i++
	var b []byte
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			if b == nil {
				s := p.s[start:p.i]
				p.i++
				return s, true
			}
			b = append(b, p.s[start:p.i]...)
			p.i++
			return string(b), true
		case c < 0x20:
			p.fail("Character with value 0x" + strconv.FormatInt(int64(c)|0x100, 16)[1:] + " must be escaped.")
			return "", false
		case c == '\\':
			b = append(b, p.s[start:p.i]...)
			if p.i+1 >= len(p.s) {
				p.fail("The input string ended unexpectedly.")
				return "", false
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					if p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
						p.i += 2
						r2, ok := p.hex4()
						if !ok {
							return "", false
						}
						r = utf16.DecodeRune(r, r2)
					}
					if r == utf8.RuneError {
						p.fail("Unicode low surrogate must follow a high surrogate.")
						return "", false
					}
				}
				if r == 0 && !p.json {
					p.fail("\\u0000 cannot be converted to text.")
					return "", false
				}
				b = utf8.AppendRune(b, r)
			default:
				p.fail("Escape sequence \"\\" + string(e) + "\" is invalid.")
				return "", false
			}
			start = p.i
		default:
			p.i++
		}
	}
	p.fail("The input string ended unexpectedly.")
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		p.fail("\"\\u\" must be followed by four hexadecimal digits.")
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		d, ok := unhex(p.s[p.i+k])
		if !ok {
			p.fail("\"\\u\" must be followed by four hexadecimal digits.")
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.i += 4
	return r, true
}

func (p *jsonParser) number() *jsonValue {
	j := p.i
	if j < len(p.s) && p.s[j] == '-' {
		j++
	}
	k := scanDigits(p.s, j)
	if k == j || (p.s[j] == '0' && k > j+1) {
		end := max(k, j+1)
		if end > len(p.s) {
			end = len(p.s)
		}
		return p.fail("Token \"" + p.s[p.i:end] + "\" is invalid.")
	}
	if k < len(p.s) && p.s[k] == '.' {
		m := scanDigits(p.s, k+1)
		if m == k+1 {
			return p.fail("Token \"" + p.s[p.i:m] + "\" is invalid.")
		}
		k = m
	}
	if k < len(p.s) && (p.s[k] == 'e' || p.s[k] == 'E') {
		m := k + 1
		if m < len(p.s) && (p.s[m] == '+' || p.s[m] == '-') {
			m++
		}
		e := scanDigits(p.s, m)
		if e == m {
			return p.fail("Token \"" + p.s[p.i:e] + "\" is invalid.")
		}
		k = e
	}
	v := &jsonValue{kind: 'n', str: p.s[p.i:k]}
	p.i = k
	return v
}

// normalizeJSONB turns parsed JSON into jsonb's canonical form: object keys
// unique (last wins) and sorted by (length, bytes), numbers as numeric.
func normalizeJSONB(v *jsonValue) {
	switch v.kind {
	case 'o':
		idx := make(map[string]int, len(v.keys))
		var keys []string
		var vals []*jsonValue
		for i, k := range v.keys {
			if j, ok := idx[k]; ok {
				vals[j] = v.vals[i]
				continue
			}
			idx[k] = len(keys)
			keys = append(keys, k)
			vals = append(vals, v.vals[i])
		}
		order := make([]int, len(keys))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool {
			ka, kb := keys[order[a]], keys[order[b]]
			if len(ka) != len(kb) {
				return len(ka) < len(kb)
			}
			return ka < kb
		})
		v.keys = make([]string, len(keys))
		v.vals = make([]*jsonValue, len(keys))
		for i, o := range order {
			v.keys[i], v.vals[i] = keys[o], vals[o]
			normalizeJSONB(v.vals[i])
		}
	case 'a':
		for _, e := range v.vals {
			normalizeJSONB(e)
		}
	case 'n':
		if d, err := parseNumeric(v.str); err == nil {
			v.str = string(appendNumeric(nil, d))
		}
	}
}

// appendJSONB writes v in jsonb's output format: ", " and ": " separators.
func appendJSONB(dst []byte, v *jsonValue) []byte {
	switch v.kind {
	case 'o':
		dst = append(dst, '{')
		for i, k := range v.keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ": "...)
			dst = appendJSONB(dst, v.vals[i])
		}
		return append(dst, '}')
	case 'a':
		dst = append(dst, '[')
		for i, e := range v.vals {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendJSONB(dst, e)
		}
		return append(dst, ']')
	case 's':
		return appendJSONString(dst, v.str)
	case 'n':
		return append(dst, v.str...)
	case 't':
		return append(dst, "true"...)
	case 'f':
		return append(dst, "false"...)
	}
	return append(dst, "null"...)
}

// appendJSONString quotes s as PostgreSQL's escape_json.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// NormalizeJSONB parses s as JSON and returns its canonical jsonb text.
func NormalizeJSONB(s string) (string, error) {
	v, err := parseJSON(s)
	if err != nil {
		return "", err
	}
	normalizeJSONB(v)
	return string(appendJSONB(nil, v)), nil
}

// ValidateJSON reports a 22P02 error when s is not valid JSON.
func ValidateJSON(s string) error {
	_, err := parseJSONMode(s, true)
	return err
}
