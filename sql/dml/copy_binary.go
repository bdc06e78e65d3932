package dml

// Binary COPY FROM: rows are decoded straight from the buffered reader into
// typed column vectors. Every field is decoded by sql/types' binary codec,
// the receive functions the wire protocol uses for binary parameters:
// int64, float64, bool and string datums go in unboxed
// (types.DecodeBinaryInt64 etc.), others through types.DecodeBinary.

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// decodeBinaryInto decodes the binary field b as a value of t and appends
// it to v, whose kind is t's; on error nothing is appended.
func decodeBinaryInto(t types.T, b []byte, v *col.Vec) error {
	switch v.Kind {
	case col.Int64:
		if x, ok, err := types.DecodeBinaryInt64(t, b); ok {
			if err == nil {
				v.AppendInt64(x)
			}
			return err
		}
	case col.Float64:
		if x, ok, err := types.DecodeBinaryFloat64(t, b); ok {
			if err == nil {
				v.AppendFloat64(x)
			}
			return err
		}
	case col.Bool:
		if x, ok, err := types.DecodeBinaryBool(t, b); ok {
			if err == nil {
				v.AppendBool(x)
			}
			return err
		}
	case col.Bytes:
		if x, ok, err := types.DecodeBinaryString(t, b); ok {
			if err == nil {
				v.AppendString(x)
			}
			return err
		}
	}
	x, err := types.DecodeBinary(t, b)
	if err == nil {
		v.Append(x)
	}
	return err
}

// binaryColumns records the types of a binary COPY's columns.
func (c *copyReader) binaryColumns() {
	if c.typ != nil {
		return
	}
	c.typ = make([]types.T, len(c.x.Cols))
	for i, ci := range c.x.Cols {
		c.typ[i] = c.t.Cols[ci].Type
	}
}

// readBinaryHeader consumes the file header; false at a clean end of data.
func (c *copyReader) readBinaryHeader() (bool, error) {
	hdr := make([]byte, 19)
	if _, err := io.ReadFull(c.br, hdr); err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "COPY file signature not recognized")
	}
	if !bytes.Equal(hdr[:11], binarySignature) {
		return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "COPY file signature not recognized")
	}
	ext := binary.BigEndian.Uint32(hdr[15:19])
	if ext > 1<<20 {
		return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "invalid COPY file header (wrong length)")
	}
	if _, err := io.CopyN(io.Discard, c.br, int64(ext)); err != nil {
		return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "invalid COPY file header (missing length)")
	}
	c.header = true
	return true, nil
}

// peekField is the largest field read in place from the buffered reader;
// bigger ones are copied out.
const peekField = 64 << 10

// readBig reads a field of n bytes, more than peekField, into c.big. The
// buffer grows as the data arrives rather than to the length word up
// front, so a stream that claims a field of up to 1 GB and then ends
// costs memory in proportion to what it sent. A short stream is
// io.EOF or io.ErrUnexpectedEOF.
func (c *copyReader) readBig(n int) ([]byte, error) {
	buf := c.big[:0]
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(n, max(2*cap(buf), 4*peekField)))
			copy(grown, buf)
			buf = grown
		}
		m, err := io.ReadFull(c.br, buf[len(buf):min(n, cap(buf))])
		buf = buf[:len(buf)+m]
		if err != nil {
			c.big = buf
			return nil, err
		}
	}
	c.big = buf
	return buf, nil
}

func (c *copyReader) nextBinary(vecs []*col.Vec) (bool, error) {
	if !c.header {
		if ok, err := c.readBinaryHeader(); !ok || err != nil {
			return false, err
		}
	}
	c.binaryColumns()
	nb, err := c.br.Peek(2)
	if len(nb) < 2 {
		if err == io.EOF && len(nb) == 0 {
			return false, nil // pgx omits the -1 trailer
		}
		if err != nil && err != io.EOF {
			return false, copyIOError(err)
		}
		return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "unexpected EOF in COPY data")
	}
	n := int16(binary.BigEndian.Uint16(nb))
	c.br.Discard(2)
	c.line++
	if n == -1 {
		return false, nil
	}
	if int(n) != len(vecs) {
		return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "row field count is %d, expected %d", n, len(vecs))
	}
	for i, v := range vecs {
		lb, err := c.br.Peek(4)
		if len(lb) < 4 {
			if err != nil && err != io.EOF {
				return false, copyIOError(err)
			}
			return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "unexpected EOF in COPY data")
		}
		l := int32(binary.BigEndian.Uint32(lb))
		c.br.Discard(4)
		if l == -1 {
			v.AppendNull()
			continue
		}
		if l < 0 || l > 1<<30 {
			return false, c.fail(pgerr.BadCopyFileFormat, i, "", "invalid field size")
		}
		var buf []byte
		if l <= peekField {
			buf, err = c.br.Peek(int(l))
			if len(buf) < int(l) {
				if err != nil && err != io.EOF {
					return false, copyIOError(err)
				}
				return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "unexpected EOF in COPY data")
			}
		} else if buf, err = c.readBig(int(l)); err != nil {
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				return false, copyIOError(err)
			}
			return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "unexpected EOF in COPY data")
		}
		if err := decodeBinaryInto(c.typ[i], buf, v); err != nil {
			e, _ := pgerr.As(err)
			cp := *e
			cp.Where = c.where(i, "")
			return false, &cp
		}
		if l <= peekField {
			c.br.Discard(int(l))
		}
	}
	return true, nil
}

// fastBinaryRows decodes up to max whole rows straight out of the reader's
// buffer and returns how many it decoded. It stops, leaving the rest to
// nextBinary, at the first row that is not entirely buffered, has the
// wrong field count (the trailer, a malformed row) or holds a value that
// does not decode (nextBinary reports the error with its context); such a
// row's partial values are removed. vecs hold base slots each on entry.
func (c *copyReader) fastBinaryRows(vecs []*col.Vec, base, max int) int {
	buf, _ := c.br.Peek(c.br.Buffered())
	pos, got := 0, 0
	ncol := len(vecs)
rows:
	for got < max {
		if len(buf)-pos < 2 || int(int16(binary.BigEndian.Uint16(buf[pos:]))) != ncol {
			break
		}
		// The row must be complete before anything is appended.
		end := pos + 2
		for i := 0; i < ncol; i++ {
			if len(buf)-end < 4 {
				break rows
			}
			l := int32(binary.BigEndian.Uint32(buf[end:]))
			end += 4
			if l > 0 {
				if int(l) > len(buf)-end {
					break rows
				}
				end += int(l)
			} else if l < -1 {
				break rows
			}
		}
		q := pos + 2
		for i, v := range vecs {
			l := int(int32(binary.BigEndian.Uint32(buf[q:])))
			q += 4
			if l == -1 {
				v.AppendNull()
				continue
			}
			if decodeBinaryInto(c.typ[i], buf[q:q+l], v) != nil {
				for _, v := range vecs {
					truncateVec(v, base+got)
				}
				break rows
			}
			q += l
		}
		pos = end
		got++
		c.line++
	}
	if pos > 0 {
		c.br.Discard(pos)
	}
	return got
}

// truncateVec cuts v back to n slots.
func truncateVec(v *col.Vec, n int) {
	switch v.Kind {
	case col.Int64:
		v.I64 = v.I64[:min(n, len(v.I64))]
	case col.Float64:
		v.F64 = v.F64[:min(n, len(v.F64))]
	case col.Bool:
		v.B = v.B[:min(n, len(v.B))]
	case col.Bytes:
		v.S = v.S[:min(n, len(v.S))]
	case col.Any:
		v.A = v.A[:min(n, len(v.A))]
	}
	if len(v.Nulls) > n {
		v.Nulls = v.Nulls[:n]
	}
}
