package dml

// COPY FROM in text and CSV format: one row per line (a quoted CSV field
// may span lines), fields split at the delimiter, NULL marked by the
// NULL string, values parsed by their type's text input function.

import (
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// nextText reads one text (csv false) or CSV row into vecs; false at end
// of data or at the end marker `\.`. The HEADER line is skipped.
func (c *copyReader) nextText(vecs []*col.Vec, csv bool) (bool, error) {
	for {
		line, ok, err := c.readLine()
		if err != nil || !ok {
			return false, err
		}
		if line == `\.` {
			return false, nil
		}
		if c.x.Header && !c.header {
			c.header = true
			continue
		}
		c.fields, c.nulls = c.fields[:0], c.nulls[:0]
		if csv {
			if err := c.splitCSV(line); err != nil {
				return false, err
			}
		} else if err := c.splitText(line); err != nil {
			return false, err
		}
		if len(c.fields) > len(vecs) {
			return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "extra data after last expected column")
		}
		if len(c.fields) < len(vecs) {
			return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "missing data for column %q", c.t.Cols[c.x.Cols[len(c.fields)]].Name)
		}
		for i, f := range c.fields {
			if c.nulls[i] {
				vecs[i].AppendNull()
				continue
			}
			if err := parseTextInto(c.t.Cols[c.x.Cols[i]].Type, f, vecs[i]); err != nil {
				e, _ := pgerr.As(err)
				cp := *e
				cp.Where = c.where(i, f)
				return false, &cp
			}
		}
		return true, nil
	}
}

// parseTextInto parses f as a value of t and appends it to v; the common
// int64 and float64 datums go in unboxed.
func parseTextInto(t types.T, f string, v *col.Vec) error {
	switch v.Kind {
	case col.Int64:
		if x, ok, err := types.ParseTextInt64(t, f, nil); ok {
			if err == nil {
				v.AppendInt64(x)
			}
			return err
		}
	case col.Float64:
		if x, ok, err := types.ParseTextFloat64(t, f); ok {
			if err == nil {
				v.AppendFloat64(x)
			}
			return err
		}
	}
	x, err := types.ParseText(t, f, nil)
	if err == nil {
		v.Append(x)
	}
	return err
}

// splitText splits a text-format line into c.fields and c.nulls.
func (c *copyReader) splitText(line string) error {
	delim := c.x.Delimiter[0]
	for {
		i := strings.IndexByte(line, delim)
		f := line
		if i >= 0 {
			f = line[:i]
		}
		if f == c.x.Null {
			c.fields, c.nulls = append(c.fields, ""), append(c.nulls, true)
		} else {
			c.fields, c.nulls = append(c.fields, unescapeCopy(f)), append(c.nulls, false)
		}
		if i < 0 {
			return nil
		}
		line = line[i+1:]
	}
}

// unescapeCopy decodes COPY text-format backslash escapes.
func unescapeCopy(f string) string {
	if strings.IndexByte(f, '\\') < 0 {
		return f
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		ch := f[i]
		if ch != '\\' || i+1 >= len(f) {
			b.WriteByte(ch)
			continue
		}
		i++
		switch e := f[i]; e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			j := i + 1
			for j < len(f) && j < i+3 && isHex(f[j]) {
				j++
			}
			if j == i+1 {
				b.WriteByte('x')
				continue
			}
			v, _ := strconv.ParseUint(f[i+1:j], 16, 8)
			b.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(f) && j < i+3 && f[j] >= '0' && f[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(f[i:j], 8, 16)
			b.WriteByte(byte(v))
			i = j - 1
		default:
			b.WriteByte(e)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// splitCSV splits a CSV line into c.fields and c.nulls, reading further
// lines while a quoted field is open. An unquoted field equal to the NULL
// string is NULL; a quoted one never is.
func (c *copyReader) splitCSV(line string) error {
	delim, quote := c.x.Delimiter[0], c.x.Quote[0]
	esc := c.x.Escape[0]
	var f strings.Builder
	quoted, inQuote, wasQuoted := false, false, false
	i := 0
	for {
		if i >= len(line) {
			if inQuote {
				next, ok, err := c.readLine()
				if err != nil {
					return err
				}
				if !ok {
					return c.fail(pgerr.BadCopyFileFormat, -1, "", "unterminated CSV quoted field")
				}
				f.WriteByte('\n')
				line, i = next, 0
				continue
			}
			s := f.String()
			c.fields = append(c.fields, s)
			c.nulls = append(c.nulls, !wasQuoted && s == c.x.Null)
			return nil
		}
		ch := line[i]
		switch {
		case inQuote && ch == esc && i+1 < len(line) && line[i+1] == quote:
			f.WriteByte(quote)
			i += 2
			continue
		case inQuote && ch == quote:
			inQuote = false
		case !inQuote && ch == quote:
			inQuote, quoted, wasQuoted = true, true, true
		case !inQuote && ch == delim:
			s := f.String()
			c.fields = append(c.fields, s)
			c.nulls = append(c.nulls, !wasQuoted && s == c.x.Null)
			f.Reset()
			quoted, wasQuoted = false, false
		default:
			f.WriteByte(ch)
		}
		_ = quoted
		i++
	}
}
