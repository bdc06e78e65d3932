package funcs

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// A small JSON model for the json/jsonb functions. json datums keep their
// text as written; jsonb datums are rendered in jsonb's canonical form
// (keys unique and ordered by length then bytes, ", " and ": "
// separators, numbers as numeric).

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

type jval struct {
	kind jkind
	raw  string // the exact input text of this value (json output)
	b    bool
	s    string // string value, or number text
	arr  []*jval
	keys []string
	vals []*jval
}

type jparser struct {
	s string
	i int
}

func parseJSON(s string) (*jval, error) {
	p := &jparser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, jsonErr()
	}
	return v, nil
}

func jsonErr() error {
	return errf(pgerr.InvalidTextRepresentation, "invalid input syntax for type json")
}

func (p *jparser) ws() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *jparser) value() (*jval, error) {
	p.ws()
	if p.i >= len(p.s) {
		return nil, jsonErr()
	}
	start := p.i
	var v *jval
	var err error
	switch c := p.s[p.i]; {
	case c == '{':
		v, err = p.object()
	case c == '[':
		v, err = p.array()
	case c == '"':
		var s string
		s, err = p.str()
		v = &jval{kind: jString, s: s}
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		v = &jval{kind: jBool, b: true}
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		v = &jval{kind: jBool}
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		v = &jval{kind: jNull}
	default:
		j := p.i
		for j < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[j]) >= 0 {
			j++
		}
		if j == p.i {
			return nil, jsonErr()
		}
		d, _, e := apd.NewFromString(p.s[p.i:j])
		if e != nil {
			return nil, jsonErr()
		}
		if d.Exponent > 0 {
			_, _ = exactCtx.Quantize(d, d, 0)
		}
		v = &jval{kind: jNumber, s: d.Text('f')}
		p.i = j
	}
	if err != nil {
		return nil, err
	}
	v.raw = p.s[start:p.i]
	return v, nil
}

func (p *jparser) str() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			switch e := p.s[p.i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'u':
				if p.i+4 >= len(p.s) {
					return "", jsonErr()
				}
				n, err := strconv.ParseUint(p.s[p.i+1:p.i+5], 16, 32)
				if err != nil {
					return "", jsonErr()
				}
				b.WriteRune(rune(n))
				p.i += 4
			default:
				b.WriteByte(e)
			}
			p.i++
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", jsonErr()
}

func (p *jparser) array() (*jval, error) {
	p.i++
	v := &jval{kind: jArray}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		e, err := p.value()
		if err != nil {
			return nil, err
		}
		v.arr = append(v.arr, e)
		p.ws()
		if p.i >= len(p.s) {
			return nil, jsonErr()
		}
		if p.s[p.i] == ']' {
			p.i++
			return v, nil
		}
		if p.s[p.i] != ',' {
			return nil, jsonErr()
		}
		p.i++
	}
}

func (p *jparser) object() (*jval, error) {
	p.i++
	v := &jval{kind: jObject}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return v, nil
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, jsonErr()
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, jsonErr()
		}
		p.i++
		e, err := p.value()
		if err != nil {
			return nil, err
		}
		v.keys = append(v.keys, k)
		v.vals = append(v.vals, e)
		p.ws()
		if p.i >= len(p.s) {
			return nil, jsonErr()
		}
		if p.s[p.i] == '}' {
			p.i++
			return v, nil
		}
		if p.s[p.i] != ',' {
			return nil, jsonErr()
		}
		p.i++
	}
}

// canon makes an object jsonb-canonical: last duplicate wins, keys sorted.
func (v *jval) canon() {
	switch v.kind {
	case jArray:
		for _, e := range v.arr {
			e.canon()
		}
	case jObject:
		idx := map[string]int{}
		var keys []string
		var vals []*jval
		for i, k := range v.keys {
			v.vals[i].canon()
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
		v.keys, v.vals = make([]string, len(keys)), make([]*jval, len(keys))
		for i, o := range order {
			v.keys[i], v.vals[i] = keys[o], vals[o]
		}
	}
}

// jsonbText renders v in jsonb's output form (v must be canonical).
func (v *jval) jsonbText(b *strings.Builder) {
	switch v.kind {
	case jNull:
		b.WriteString("null")
	case jBool:
		b.WriteString(strconv.FormatBool(v.b))
	case jNumber:
		b.WriteString(v.s)
	case jString:
		b.WriteString(jsonQuote(v.s))
	case jArray:
		b.WriteByte('[')
		for i, e := range v.arr {
			if i > 0 {
				b.WriteString(", ")
			}
			e.jsonbText(b)
		}
		b.WriteByte(']')
	case jObject:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(jsonQuote(k))
			b.WriteString(": ")
			v.vals[i].jsonbText(b)
		}
		b.WriteByte('}')
	}
}

func (v *jval) String() string {
	var b strings.Builder
	v.jsonbText(&b)
	return b.String()
}

// jsonQuote is escape_json.
func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00` + pad2hex(int(c)))
			} else if c == utf8.RuneError {
				b.WriteRune(c)
			} else {
				b.WriteRune(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func pad2hex(n int) string {
	s := strconv.FormatInt(int64(n), 16)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

// field returns the object member k, or nil.
func (v *jval) field(k string) *jval {
	if v.kind != jObject {
		return nil
	}
	for i := len(v.keys) - 1; i >= 0; i-- {
		if v.keys[i] == k {
			return v.vals[i]
		}
	}
	return nil
}

// elem returns array element i (negative counts from the end), or nil.
func (v *jval) elem(i int64) *jval {
	if v.kind != jArray {
		return nil
	}
	if i < 0 {
		i += int64(len(v.arr))
	}
	if i < 0 || i >= int64(len(v.arr)) {
		return nil
	}
	return v.arr[i]
}

// asText is the ->> rendering: strings unquoted, null as SQL NULL.
func (v *jval) asText(jsonb bool) any {
	switch v.kind {
	case jNull:
		return nil
	case jString:
		return v.s
	}
	if jsonb {
		return v.String()
	}
	return v.raw
}

// contains is jsonb @>.
func contains(a, b *jval, top bool) bool {
	if a.kind != b.kind {
		if top && a.kind == jArray && b.kind != jObject && b.kind != jArray {
			for _, e := range a.arr {
				if contains(e, b, false) {
					return true
				}
			}
		}
		return false
	}
	switch a.kind {
	case jObject:
		for i, k := range b.keys {
			av := a.field(k)
			if av == nil || !contains(av, b.vals[i], false) {
				return false
			}
		}
		return true
	case jArray:
		for _, be := range b.arr {
			found := false
			for _, ae := range a.arr {
				if contains(ae, be, false) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case jNumber:
		x, _, _ := apd.NewFromString(a.s)
		y, _, _ := apd.NewFromString(b.s)
		return x != nil && y != nil && x.Cmp(y) == 0
	case jString:
		return a.s == b.s
	case jBool:
		return a.b == b.b
	}
	return true
}
