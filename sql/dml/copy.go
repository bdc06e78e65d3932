package dml

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tsgres/tsgres/catalog"
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

// binarySignature starts a binary COPY file.
var binarySignature = []byte("PGCOPY\n\xff\r\n\x00")

// copyBuffers are COPY FROM's input buffers, reused across statements:
// a loader's every batch is a COPY, and values are copied out of the
// buffer as they are decoded.
var copyBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 256<<10) }}

// Copy runs COPY x: COPY TO sends a query's rows to the client (copyOut);
// COPY FROM reads the client's data in batches of copyBatchRows rows,
// fills the defaults of the columns it does not read, and writes each
// batch as INSERT does (without ON CONFLICT or RETURNING). After an
// error the rest of the client's data is read and dropped. The tag is
// "COPY n".
func Copy(h Host, x *plan.Copy, out Output) error {
	if !x.From {
		return copyOut(h, x, out)
	}
	t := x.Table
	r, err := out.CopyIn(x.Format == "binary", len(x.Cols))
	if err != nil {
		return err
	}
	ec := h.ExecCtx()
	w := h.Writer()
	cs := newConstraints(h, ec, w)
	br := copyBuffers.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() {
		br.Reset(nil)
		copyBuffers.Put(br)
	}()
	cr := &copyReader{t: t, x: x, br: br, first: true}
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
			d, err := plan.BindExpr(h.BindEnv(), t.Cols[i].Default, h.Location())
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
		full, err := fullRows(ec, t, x.Cols, defaults, b)
		if err != nil {
			return err
		}
		var n int64
		if t.Hyper != nil {
			if err = cs.checkBatch(t, full); err != nil {
				return err
			}
			// full is handed over unless the foreign key check below
			// reads it after the append (in input order, which names
			// the first violating row as PostgreSQL does).
			if err = w.AppendHyper(t, full, len(t.ForeignKeys) == 0); err == nil {
				n = int64(full.Rows())
				err = cs.referencesBatch(t, full)
			}
		} else {
			n, err = insertRows(ec, w, cs, t, full, nil, nil)
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
	return out.Complete(fmt.Sprintf("COPY %d", total))
}

// drain consumes the rest of the client's COPY data after an error.
func drain(r io.Reader) { _, _ = io.Copy(io.Discard, r) }

// copyReader parses the data of a COPY FROM into batches of the columns
// it reads (x.Cols of t), in text, CSV (copy_text.go) or binary
// (copy_binary.go) format. Every error is a *pgerr.Error whose Where
// names the table, line and, for a bad value, column and value.
type copyReader struct {
	t      *catalog.Table
	x      *plan.Copy
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

// where is the error context of line c.line: with col >= 0, of the
// value val of the col'th column read.
func (c *copyReader) where(col int, val string) string {
	if col < 0 {
		return fmt.Sprintf("COPY %s, line %d", c.t.Name, c.line)
	}
	return fmt.Sprintf("COPY %s, line %d, column %s: %q", c.t.Name, c.line, c.t.Cols[c.x.Cols[col]].Name, val)
}

// fail returns an error with code and message and the context of where.
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

// readLine reads one line without its line end; false at end of data.
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

// copyIOError is the error of a failed read of the client's data: the
// client's own error (CopyFail) as it is, others as 08000.
func copyIOError(err error) error {
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return pe
	}
	return pgerr.New(pgerr.ConnectionException, "could not read COPY data: %v", err)
}
