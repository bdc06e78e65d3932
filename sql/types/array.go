package types

import (
	"strconv"
	"strings"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// maxArrayDims is PostgreSQL's MAXDIM.
const maxArrayDims = 6

func errArray(s, detail string) error {
	e := pgerr.New(pgerr.InvalidTextRepresentation, "malformed array literal: \"%s\"", s)
	if detail != "" {
		e = e.WithDetail("%s", detail)
	}
	return e
}

type arrayParser struct {
	s      string
	i      int
	dims   []int // element count per depth, -1 until known
	leaf   int   // depth of elements, -1 until known
	elems  []string
	isNull []bool
	err    error
}

// parseArray implements array_in for arrays of elem.
func parseArray(t T, s string, loc *time.Location) (*Array, error) {
	elem, ok := t.Elem()
	if !ok {
		elem = Text
	}
	elem.Mod = t.Mod
	v := s
	p := &arrayParser{s: v, leaf: -1}
	p.skipWS()
	var lower []int
	var declDims []int
	if p.i < len(v) && v[p.i] == '[' {
		for p.i < len(v) && v[p.i] == '[' {
			p.i++
			lo, hi, ok := p.dimRange()
			if !ok {
				return nil, errArray(s, "Missing \"]\" after array dimensions.")
			}
			if hi < lo-1 {
				return nil, pgerr.New(pgerr.ProgramLimitExceeded, "upper bound cannot be less than lower bound")
			}
			lower = append(lower, lo)
			declDims = append(declDims, hi-lo+1)
		}
		p.skipWS()
		if p.i >= len(v) || v[p.i] != '=' {
			return nil, errArray(s, "Missing \"=\" after array dimensions.")
		}
		p.i++
		p.skipWS()
	}
	if p.i >= len(v) || v[p.i] != '{' {
		return nil, errArray(s, "Array value must start with \"{\" or dimension information.")
	}
	p.level(0)
	if p.err != nil {
		return nil, errArray(s, p.err.Error())
	}
	p.skipWS()
	if p.i != len(v) {
		return nil, errArray(s, "Junk after closing right brace.")
	}
	a := &Array{Elem: T{OID: elem.OID, Mod: -1}}
	if len(p.elems) == 0 {
		return a, nil
	}
	a.Dims = p.dims
	if declDims != nil {
		if len(declDims) != len(p.dims) {
			return nil, errArray(s, "Specified array dimensions do not match array contents.")
		}
		for k := range declDims {
			if declDims[k] != p.dims[k] {
				return nil, errArray(s, "Specified array dimensions do not match array contents.")
			}
		}
		a.Lower = lower
	}
	a.Vals = make([]any, len(p.elems))
	for k, e := range p.elems {
		if p.isNull[k] {
			continue
		}
		x, err := ParseText(elem, e, loc)
		if err != nil {
			return nil, err
		}
		a.Vals[k] = x
	}
	return a, nil
}

func (p *arrayParser) skipWS() {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
}

func (p *arrayParser) dimRange() (lo, hi int, ok bool) {
	j := p.i
	if j < len(p.s) && (p.s[j] == '-' || p.s[j] == '+') {
		j++
	}
	k := scanDigits(p.s, j)
	if k == j || k-j > 9 {
		return 0, 0, false
	}
	n1, _ := strconv.Atoi(p.s[p.i:k])
	p.i = k
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return 1, n1, true
	}
	if p.i >= len(p.s) || p.s[p.i] != ':' {
		return 0, 0, false
	}
	p.i++
	j = p.i
	if j < len(p.s) && (p.s[j] == '-' || p.s[j] == '+') {
		j++
	}
	k = scanDigits(p.s, j)
	if k == j || k-j > 9 || k >= len(p.s) || p.s[k] != ']' {
		return 0, 0, false
	}
	n2, _ := strconv.Atoi(p.s[p.i:k])
	p.i = k + 1
	return n1, n2, true
}

type arrErr string

func (e arrErr) Error() string { return string(e) }

func (p *arrayParser) fail(d string) { p.err = arrErr(d) }

// level parses one {...} at depth.
func (p *arrayParser) level(depth int) {
	if depth >= maxArrayDims {
		p.fail("number of array dimensions exceeds the maximum allowed (6)")
		return
	}
	p.i++ // '{'
	if len(p.dims) <= depth {
		p.dims = append(p.dims, -1)
	}
	count := 0
	p.skipWS()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		if depth != 0 || p.leaf >= 0 {
			p.fail("Multidimensional arrays must have sub-arrays with matching dimensions.")
		}
		p.dims = nil
		return
	}
	for p.err == nil {
		p.skipWS()
		if p.i >= len(p.s) {
			p.fail("Unexpected end of input.")
			return
		}
		if p.s[p.i] == '{' {
			if p.leaf >= 0 && p.leaf != depth+1 && p.leaf <= depth {
				p.fail("Unexpected \"{\" character.")
				return
			}
			p.level(depth + 1)
		} else {
			if p.leaf >= 0 && p.leaf != depth {
				p.fail("Multidimensional arrays must have sub-arrays with matching dimensions.")
				return
			}
			if p.leaf < 0 {
				p.leaf = depth
				p.dims = p.dims[:depth+1]
			}
			p.element()
		}
		if p.err != nil {
			return
		}
		count++
		p.skipWS()
		if p.i >= len(p.s) {
			p.fail("Unexpected end of input.")
			return
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			if p.dims[depth] == -1 {
				p.dims[depth] = count
			} else if p.dims[depth] != count {
				p.fail("Multidimensional arrays must have sub-arrays with matching dimensions.")
			}
			return
		default:
			p.fail("Unexpected \"" + string(p.s[p.i]) + "\" character.")
			return
		}
	}
}

// element reads one element (quoted or not) into p.elems.
func (p *arrayParser) element() {
	var b strings.Builder
	if p.s[p.i] == '"' {
		p.i++
		for {
			if p.i >= len(p.s) {
				p.fail("Unexpected end of input.")
				return
			}
			c := p.s[p.i]
			if c == '\\' {
				if p.i+1 >= len(p.s) {
					p.fail("Unexpected end of input.")
					return
				}
				b.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			p.i++
			if c == '"' {
				break
			}
			b.WriteByte(c)
		}
		p.elems = append(p.elems, b.String())
		p.isNull = append(p.isNull, false)
		return
	}
	escaped := false
	keep := 0 // length of b up to the last escaped or non-space char
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == ',' || c == '}' {
			break
		}
		if c == '{' || c == '"' {
			p.fail("Unexpected \"" + string(c) + "\" character.")
			return
		}
		if c == '\\' {
			if p.i+1 >= len(p.s) {
				p.fail("Unexpected end of input.")
				return
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
			escaped = true
			keep = b.Len()
			continue
		}
		b.WriteByte(c)
		p.i++
		if !isSpace(c) {
			keep = b.Len()
		}
	}
	e := b.String()[:keep]
	if e == "" && !escaped {
		p.fail("Unexpected \"" + string(p.s[min(p.i, len(p.s)-1)]) + "\" character.")
		return
	}
	p.elems = append(p.elems, e)
	p.isNull = append(p.isNull, !escaped && strings.EqualFold(e, "NULL"))
}

// appendArray implements array_out.
func appendArray(dst []byte, a *Array, loc *time.Location) []byte {
	if len(a.Dims) == 0 || len(a.Vals) == 0 {
		return append(dst, "{}"...)
	}
	if a.Lower != nil {
		custom := false
		for _, l := range a.Lower {
			if l != 1 {
				custom = true
			}
		}
		if custom {
			for k, d := range a.Dims {
				lo := 1
				if k < len(a.Lower) {
					lo = a.Lower[k]
				}
				dst = append(dst, '[')
				dst = strconv.AppendInt(dst, int64(lo), 10)
				dst = append(dst, ':')
				dst = strconv.AppendInt(dst, int64(lo+d-1), 10)
				dst = append(dst, ']')
			}
			dst = append(dst, '=')
		}
	}
	idx := 0
	var rec func(depth int)
	rec = func(depth int) {
		dst = append(dst, '{')
		for k := 0; k < a.Dims[depth]; k++ {
			if k > 0 {
				dst = append(dst, ',')
			}
			if depth+1 < len(a.Dims) {
				rec(depth + 1)
				continue
			}
			if idx >= len(a.Vals) {
				continue
			}
			v := a.Vals[idx]
			idx++
			if v == nil {
				dst = append(dst, "NULL"...)
				continue
			}
			dst = appendQuotedElem(dst, AppendText(nil, a.Elem, v, loc))
		}
		dst = append(dst, '}')
	}
	rec(0)
	return dst
}

func appendQuotedElem(dst, e []byte) []byte {
	need := len(e) == 0 || strings.EqualFold(string(e), "NULL")
	for _, c := range e {
		if c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || isSpace(c) {
			need = true
			break
		}
	}
	if !need {
		return append(dst, e...)
	}
	dst = append(dst, '"')
	for _, c := range e {
		if c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// NewArray returns a one-dimensional array of vals (an empty array when
// vals is empty).
func NewArray(elem T, vals []any) *Array {
	a := &Array{Elem: elem, Vals: vals}
	if len(vals) > 0 {
		a.Dims = []int{len(vals)}
	}
	return a
}
