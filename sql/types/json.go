package types

import (
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// This file holds the one JSON parser: json_in, jsonb_in, the jsonb casts
// and the json/jsonb functions and operators (package funcs) all parse with
// it. It accepts RFC 8259 JSON as PostgreSQL does, reports errors as 22P02
// with PostgreSQL's DETAIL, keeps number text as written, and bounds
// nesting at maxJSONDepth.

// JSONKind is the kind of a JSON value.
type JSONKind uint8

// The JSON kinds, in the order of their json_typeof names.
const (
	JSONNull JSONKind = iota
	JSONBool
	JSONNumber
	JSONString
	JSONArray
	JSONObject
)

var jsonKindNames = [...]string{"null", "boolean", "number", "string", "array", "object"}

// String returns the kind's name as json_typeof reports it.
func (k JSONKind) String() string { return jsonKindNames[k] }

// JSONValue is a parsed JSON value. Values of a parsed document are
// immutable after Normalize; Raw always holds the exact input text.
type JSONValue struct {
	Kind JSONKind
	// Bool is a JSONBool's value.
	Bool bool
	// Str is a JSONString's decoded value or a JSONNumber's text (as
	// written, or numeric's canonical text after Normalize).
	Str string
	// Raw is the value's exact input text, without surrounding white
	// space: json (not jsonb) results show it.
	Raw string
	// Keys are a JSONObject's member names in input order (duplicates
	// kept) or, after Normalize, unique and in jsonb order.
	Keys []string
	// Vals are a JSONObject's member values (parallel to Keys) or a
	// JSONArray's elements.
	Vals []*JSONValue
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

// ParseJSON parses s by json_in's rules (RFC 8259; \u0000 is accepted).
// The result keeps every member as written: duplicate keys, input order
// and number text. Errors are 22P02 with PostgreSQL's DETAIL.
func ParseJSON(s string) (*JSONValue, error) { return parseJSON(s, true) }

// ParseJSONB parses s by jsonb_in's rules (\u0000 is rejected) and returns
// the value in canonical form (see Normalize).
func ParseJSONB(s string) (*JSONValue, error) {
	v, err := parseJSON(s, false)
	if err != nil {
		return nil, err
	}
	v.Normalize()
	return v, nil
}

// parseJSON parses s; plain selects json's rules over jsonb's.
func parseJSON(s string, plain bool) (*JSONValue, error) {
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

func (p *jsonParser) fail(detail string) *JSONValue {
	if p.err == nil {
		p.err = jsonErr(detail)
	}
	return nil
}

func (p *jsonParser) value() *JSONValue {
	p.ws()
	if p.i >= len(p.s) {
		return p.fail("The input string ended unexpectedly.")
	}
	start := p.i
	v := p.scalarOrNested()
	if v != nil {
		v.Raw = p.s[start:p.i]
	}
	return v
}

// scalarOrNested parses the value starting at p.i (not white space).
func (p *jsonParser) scalarOrNested() *JSONValue {
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
		return &JSONValue{Kind: JSONString, Str: s}
	case c == '-' || isDigit(c):
		return p.number()
	default:
		tok := p.token()
		switch tok {
		case "true":
			p.i += 4
			return &JSONValue{Kind: JSONBool, Bool: true}
		case "false":
			p.i += 5
			return &JSONValue{Kind: JSONBool}
		case "null":
			p.i += 4
			return &JSONValue{Kind: JSONNull}
		}
		return p.fail("Token \"" + tok + "\" is invalid.")
	}
}

func (p *jsonParser) object() *JSONValue {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.fail("JSON nesting too deep.")
	}
	defer func() { p.depth-- }()
	p.i++
	v := &JSONValue{Kind: JSONObject}
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
		v.Keys = append(v.Keys, k)
		v.Vals = append(v.Vals, e)
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

func (p *jsonParser) array() *JSONValue {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.fail("JSON nesting too deep.")
	}
	defer func() { p.depth-- }()
	p.i++
	v := &JSONValue{Kind: JSONArray}
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
		v.Vals = append(v.Vals, e)
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

func (p *jsonParser) number() *JSONValue {
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
	v := &JSONValue{Kind: JSONNumber, Str: p.s[p.i:k]}
	p.i = k
	return v
}

// Normalize turns v into jsonb's canonical form, in place: object keys
// unique (the last duplicate wins) and ordered by (length, bytes), numbers
// as numeric's text. Raw is left as parsed.
func (v *JSONValue) Normalize() {
	switch v.Kind {
	case JSONObject:
		idx := make(map[string]int, len(v.Keys))
		var keys []string
		var vals []*JSONValue
		for i, k := range v.Keys {
			if j, ok := idx[k]; ok {
				vals[j] = v.Vals[i]
				continue
			}
			idx[k] = len(keys)
			keys = append(keys, k)
			vals = append(vals, v.Vals[i])
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
		v.Keys = make([]string, len(keys))
		v.Vals = make([]*JSONValue, len(keys))
		for i, o := range order {
			v.Keys[i], v.Vals[i] = keys[o], vals[o]
			v.Vals[i].Normalize()
		}
	case JSONArray:
		for _, e := range v.Vals {
			e.Normalize()
		}
	case JSONNumber:
		if d, err := parseNumeric(v.Str); err == nil {
			v.Str = string(appendNumeric(nil, d))
		}
	}
}

// AppendJSONB appends v in jsonb's output format (", " and ": "
// separators) to dst. v should be normalized.
func (v *JSONValue) AppendJSONB(dst []byte) []byte {
	switch v.Kind {
	case JSONObject:
		dst = append(dst, '{')
		for i, k := range v.Keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendJSONString(dst, k)
			dst = append(dst, ": "...)
			dst = v.Vals[i].AppendJSONB(dst)
		}
		return append(dst, '}')
	case JSONArray:
		dst = append(dst, '[')
		for i, e := range v.Vals {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = e.AppendJSONB(dst)
		}
		return append(dst, ']')
	case JSONString:
		return AppendJSONString(dst, v.Str)
	case JSONNumber:
		return append(dst, v.Str...)
	case JSONBool:
		if v.Bool {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	}
	return append(dst, "null"...)
}

// JSONBText returns v in jsonb's output format (see AppendJSONB).
func (v *JSONValue) JSONBText() string { return string(v.AppendJSONB(nil)) }

// Field returns the object member named k (the last one, when a json
// object repeats k), or nil when v is not an object or has no such member.
func (v *JSONValue) Field(k string) *JSONValue {
	if v.Kind != JSONObject {
		return nil
	}
	for i := len(v.Keys) - 1; i >= 0; i-- {
		if v.Keys[i] == k {
			return v.Vals[i]
		}
	}
	return nil
}

// Elem returns array element i (0-based; negative counts from the end), or
// nil when v is not an array or i is out of range.
func (v *JSONValue) Elem(i int64) *JSONValue {
	if v.Kind != JSONArray {
		return nil
	}
	if i < 0 {
		i += int64(len(v.Vals))
	}
	if i < 0 || i >= int64(len(v.Vals)) {
		return nil
	}
	return v.Vals[i]
}

// appendJSONString quotes s as PostgreSQL's escape_json.
func AppendJSONString(dst []byte, s string) []byte {
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
	v, err := ParseJSONB(s)
	if err != nil {
		return "", err
	}
	return v.JSONBText(), nil
}

// ValidateJSON reports a 22P02 error when s is not valid JSON.
func ValidateJSON(s string) error {
	_, err := ParseJSON(s)
	return err
}
