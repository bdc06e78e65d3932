package dml

// COPY TO: a query's rows in text, CSV or binary format, one CopyData
// message per row as PostgreSQL sends them.

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// copyOut runs COPY x TO STDOUT.
func copyOut(h Host, x *plan.Copy, out Output) error {
	op, err := exec.Build(h.ExecCtx(), h.Physical(x.Query))
	if err != nil {
		return err
	}
	defer op.Close()
	cols := plan.ResultColumns(x.Query.Columns())
	bin := x.Format == "binary"
	if err := out.CopyOut(bin, len(cols)); err != nil {
		return err
	}
	var buf []byte
	if bin {
		buf = append(buf, binarySignature...)
		buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0)
	}
	if x.Header && x.Format == "csv" {
		for i, c := range cols {
			if i > 0 {
				buf = append(buf, x.Delimiter...)
			}
			buf = appendCSV(buf, c.Name, x)
		}
		buf = append(buf, '\n')
	}
	var n int
	for {
		b, err := op.Next()
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		for i := 0; i < b.Len(); i++ {
			r := b.Row(i)
			if bin {
				buf = binary.BigEndian.AppendUint16(buf, uint16(len(cols)))
			}
			for j, c := range cols {
				v := b.Cols[j].Get(r)
				if bin {
					if v == nil {
						buf = binary.BigEndian.AppendUint32(buf, 0xFFFFFFFF)
						continue
					}
					at := len(buf)
					buf = append(buf, 0, 0, 0, 0)
					if buf, err = types.AppendBinary(buf, c.T, v); err != nil {
						return err
					}
					binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
					continue
				}
				if j > 0 {
					buf = append(buf, x.Delimiter...)
				}
				if v == nil {
					buf = append(buf, x.Null...)
					continue
				}
				txt := types.FormatText(c.T, v, h.Location())
				if x.Format == "csv" {
					buf = appendCSV(buf, txt, x)
				} else {
					buf = appendCopyEscaped(buf, txt, x.Delimiter[0])
				}
			}
			if !bin {
				buf = append(buf, '\n')
			}
			n++
			// One CopyData per row, as PostgreSQL sends: psycopg parses
			// each message as exactly one row.
			if err := out.CopyData(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if bin {
		buf = binary.BigEndian.AppendUint16(buf, 0xFFFF)
	}
	if len(buf) > 0 {
		if err := out.CopyData(buf); err != nil {
			return err
		}
	}
	return out.Complete(fmt.Sprintf("COPY %d", n))
}

// appendCopyEscaped appends text-format field s, escaping backslash, line
// ends, tab and the delimiter.
func appendCopyEscaped(dst []byte, s string, delim byte) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c == delim {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
		}
	}
	return dst
}

// appendCSV appends CSV field s, quoted when it holds the delimiter, the
// quote or a line end, is the end marker, or is empty while the NULL
// string is empty.
func appendCSV(dst []byte, s string, x *plan.Copy) []byte {
	q := x.Quote[0]
	need := s == "" && x.Null == "" || strings.ContainsAny(s, x.Delimiter+string(q)+"\r\n") || s == `\.`
	if !need {
		return append(dst, s...)
	}
	dst = append(dst, q)
	for i := 0; i < len(s); i++ {
		if s[i] == q {
			dst = append(dst, x.Escape[0])
		}
		dst = append(dst, s[i])
	}
	return append(dst, q)
}
