package sql

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// copyBatchRows is how many COPY rows are collected before they are
// written; large enough to amortize per-batch work, small enough that
// storage starts encoding a batch's sealed blocks in the background
// (several per batch) while the next batch is still arriving.
const copyBatchRows = 16384

var binarySignature = []byte("PGCOPY\n\xff\r\n\x00")

func (s *session) copy(env *execEnv, x *plan.Copy, w ResultWriter) error {
	if !x.From {
		return s.copyOut(env, x, w)
	}
	t := x.Table
	r, err := w.CopyIn(x.Format == "binary", len(x.Cols))
	if err != nil {
		return err
	}
	ec := env.execCtx()
	cr := &copyReader{t: t, x: x, loc: s.loc, br: bufio.NewReaderSize(r, 256<<10), first: true}
	defaults := make([]plan.Expr, len(t.Cols))
	given := map[int]bool{}
	for _, c := range x.Cols {
		given[c] = true
	}
	for i := range t.Cols {
		if given[i] {
			continue
		}
		if t.Cols[i].Default != "" {
			d, err := plan.BindExpr(env, t.Cols[i].Default, s.loc)
			if err != nil {
				return err
			}
			if d.Type() != t.Cols[i].Type {
				d = &plan.Cast{E: d, T: t.Cols[i].Type}
			}
			defaults[i] = d
		}
	}
	var total int64
	flush := func(b *col.Batch) error {
		if b.Rows() == 0 {
			return nil
		}
		full, err := s.fullRows(ec, t, x.Cols, defaults, b)
		if err != nil {
			return err
		}
		var n int64
		if t.Hyper != nil {
			n, err = s.appendHyperOwned(ec, t, full)
		} else {
			n, err = s.insertRowStore(ec, t, full, nil, nil)
		}
		total += n
		return err
	}
	for {
		b, err := cr.batch(copyBatchRows)
		if err != nil {
			drain(r)
			return err
		}
		if b == nil {
			break
		}
		if err := flush(b); err != nil {
			drain(r)
			return err
		}
		if err := ec.Context.Err(); err != nil {
			return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
		}
	}
	return w.Complete(fmt.Sprintf("COPY %d", total))
}

// drain consumes the rest of the client's COPY data after an error.
func drain(r io.Reader) { _, _ = io.Copy(io.Discard, r) }

type copyReader struct {
	t      *catalog.Table
	x      *plan.Copy
	loc    interface{}
	br     *bufio.Reader
	line   int
	header bool
	done   bool
	fields []string
	nulls  []bool
	// binary format: the columns' types and a scratch buffer for fields
	// too large to read in place.
	typ []types.T
	big []byte
	// first is true until the first batch has been read.
	first bool
}

func (c *copyReader) where(col int, val string) string {
	if col < 0 {
		return fmt.Sprintf("COPY %s, line %d", c.t.Name, c.line)
	}
	return fmt.Sprintf("COPY %s, line %d, column %s: %q", c.t.Name, c.line, c.t.Cols[c.x.Cols[col]].Name, val)
}

func (c *copyReader) fail(code pgerr.Code, col int, val, format string, args ...any) error {
	e := pgerr.New(code, format, args...)
	e.Where = c.where(col, val)
	return e
}

// copyCapHint is the row count of the latest COPY's first batch. New
// batches' vectors are sized by it, so short COPYs stay cheap while
// clients that send a long load as many same-sized COPYs (pgx in chunks)
// do not regrow their vectors every time. It is only a capacity hint.
var copyCapHint atomic.Int64

// capacity returns the capacity for a new batch of at most n rows.
func (c *copyReader) capacity(n int) int {
	if !c.first {
		return n // a second batch: the stream is long
	}
	return min(n, max(int(copyCapHint.Load()), 1024))
}

// batch reads up to n rows; nil at end of data.
func (c *copyReader) batch(n int) (*col.Batch, error) {
	if c.done {
		return nil, nil
	}
	vecs := make([]*col.Vec, len(c.x.Cols))
	for i, ci := range c.x.Cols {
		vecs[i] = col.NewVec(c.t.Cols[ci].Type.Kind(), c.capacity(n))
	}
	rows := 0
	for rows < n {
		if c.x.Format == "binary" && c.header {
			if rows += c.fastBinaryRows(vecs, rows, n-rows); rows == n {
				break
			}
		}
		ok, err := c.next(vecs)
		if err != nil {
			return nil, err
		}
		if !ok {
			c.done = true
			break
		}
		rows++
	}
	if rows == 0 {
		return nil, nil
	}
	if c.first {
		c.first = false
		copyCapHint.Store(int64(rows))
	}
	return col.FromVecs(vecs, rows), nil
}

// next reads one row into vecs; false at end of data.
func (c *copyReader) next(vecs []*col.Vec) (bool, error) {
	switch c.x.Format {
	case "binary":
		return c.nextBinary(vecs)
	case "csv":
		return c.nextText(vecs, true)
	}
	return c.nextText(vecs, false)
}

func (c *copyReader) readLine() (string, bool, error) {
	line, err := c.br.ReadString('\n')
	if err == io.EOF {
		if line == "" {
			return "", false, nil
		}
	} else if err != nil {
		return "", false, copyIOError(err)
	}
	c.line++
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	return line, true, nil
}

func copyIOError(err error) error {
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return pe
	}
	return pgerr.New(pgerr.ConnectionException, "could not read COPY data: %v", err)
}

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

func (s *session) copyOut(env *execEnv, x *plan.Copy, w ResultWriter) error {
	op, err := exec.Build(env.execCtx(), s.physical(x.Query))
	if err != nil {
		return err
	}
	defer op.Close()
	cols := columnsOf(x.Query.Columns())
	bin := x.Format == "binary"
	if err := w.CopyOut(bin, len(cols)); err != nil {
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
					if buf, err = types.AppendBinary(buf, c.Type, v); err != nil {
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
				txt := types.FormatText(c.Type, v, s.loc)
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
			if true {
				if err := w.CopyData(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	if bin {
		buf = binary.BigEndian.AppendUint16(buf, 0xFFFF)
	}
	if len(buf) > 0 {
		if err := w.CopyData(buf); err != nil {
			return err
		}
	}
	return w.Complete(fmt.Sprintf("COPY %d", n))
}

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
