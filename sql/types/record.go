package types

import (
	"strings"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// appendRecord implements record_out: "(1,public,\"a b\",)" with NULL as
// nothing and quotes doubled inside quoted fields.
func appendRecord(dst []byte, r *Record, loc *time.Location) []byte {
	dst = append(dst, '(')
	for k, v := range r.Vals {
		if k > 0 {
			dst = append(dst, ',')
		}
		if v == nil {
			continue
		}
		t := Text
		if k < len(r.Types) {
			t = r.Types[k]
		}
		e := AppendText(nil, t, v, loc)
		need := len(e) == 0
		for _, c := range e {
			if c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || isSpace(c) {
				need = true
				break
			}
		}
		if !need {
			dst = append(dst, e...)
			continue
		}
		dst = append(dst, '"')
		for _, c := range e {
			if c == '"' || c == '\\' {
				dst = append(dst, c)
			}
			dst = append(dst, c)
		}
		dst = append(dst, '"')
	}
	return append(dst, ')')
}

// parseRecord implements record_in for an anonymous record: every field is
// text (NULL when empty and unquoted).
func parseRecord(s string) (*Record, error) {
	bad := func(d string) error {
		return pgerr.New(pgerr.InvalidTextRepresentation, "malformed record literal: \"%s\"", s).WithDetail("%s", d)
	}
	v := trimSpace(s)
	if v == "" || v[0] != '(' {
		return nil, bad("Missing left parenthesis.")
	}
	r := &Record{}
	i := 1
	for {
		var b strings.Builder
		quoted := false
		for i < len(v) && v[i] != ',' && v[i] != ')' {
			c := v[i]
			switch {
			case c == '"':
				quoted = true
				i++
				for {
					if i >= len(v) {
						return nil, bad("Unexpected end of input.")
					}
					if v[i] == '"' {
						if i+1 < len(v) && v[i+1] == '"' {
							b.WriteByte('"')
							i += 2
							continue
						}
						i++
						break
					}
					if v[i] == '\\' && i+1 < len(v) {
						i++
					}
					b.WriteByte(v[i])
					i++
				}
			case c == '\\' && i+1 < len(v):
				b.WriteByte(v[i+1])
				i += 2
			default:
				b.WriteByte(c)
				i++
			}
		}
		if i >= len(v) {
			return nil, bad("Unexpected end of input.")
		}
		r.Types = append(r.Types, Text)
		if b.Len() == 0 && !quoted {
			r.Vals = append(r.Vals, nil)
		} else {
			r.Vals = append(r.Vals, b.String())
		}
		if v[i] == ')' {
			i++
			break
		}
		i++
	}
	if i != len(v) {
		return nil, bad("Junk after right parenthesis.")
	}
	return r, nil
}
