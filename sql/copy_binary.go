package sql

// Binary COPY FROM: rows are decoded straight from the buffered reader into
// typed column vectors. The common fixed-width types (integers, floats,
// bool, timestamps, dates) and text take a fast path that appends to the
// typed slice without boxing; anything the fast path does not accept
// (other types, unusual widths, values near a range limit) goes through
// types.DecodeBinary, which also produces the exact PostgreSQL error.

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// pgEpochUnixMicros and pgEpochUnixDays are 2000-01-01 in Unix time.
const (
	pgEpochUnixDays   = 10957
	pgEpochUnixMicros = pgEpochUnixDays * 86400_000_000
	// Values within these bounds of 2000-01-01 are certainly inside
	// PostgreSQL's timestamp and date ranges; others take the slow path.
	fastTimestampSpan = 1 << 52 // ~142 years in microseconds
	fastDateSpan      = 1 << 20 // ~2870 years in days
)

// binDecoder appends the binary value b to v and reports true, or reports
// false (appending nothing) when the value needs the generic decoder.
type binDecoder func(v *col.Vec, b []byte) bool

// fastBinaryDecoder returns the fast decoder for t, or nil.
func fastBinaryDecoder(t types.T) binDecoder {
	switch t.OID {
	case types.OidBool:
		return func(v *col.Vec, b []byte) bool {
			if len(b) != 1 {
				return false
			}
			v.B = append(v.B, b[0] != 0)
			return true
		}
	case types.OidInt2:
		return func(v *col.Vec, b []byte) bool {
			if len(b) != 2 {
				return false
			}
			v.I64 = append(v.I64, int64(int16(binary.BigEndian.Uint16(b))))
			return true
		}
	case types.OidInt4:
		return func(v *col.Vec, b []byte) bool {
			switch len(b) {
			case 4:
				v.I64 = append(v.I64, int64(int32(binary.BigEndian.Uint32(b))))
			case 2:
				v.I64 = append(v.I64, int64(int16(binary.BigEndian.Uint16(b))))
			default:
				return false
			}
			return true
		}
	case types.OidInt8:
		return func(v *col.Vec, b []byte) bool {
			switch len(b) {
			case 8:
				v.I64 = append(v.I64, int64(binary.BigEndian.Uint64(b)))
			case 4:
				v.I64 = append(v.I64, int64(int32(binary.BigEndian.Uint32(b))))
			case 2:
				v.I64 = append(v.I64, int64(int16(binary.BigEndian.Uint16(b))))
			default:
				return false
			}
			return true
		}
	case types.OidFloat8:
		return func(v *col.Vec, b []byte) bool {
			if len(b) != 8 {
				return false
			}
			v.F64 = append(v.F64, math.Float64frombits(binary.BigEndian.Uint64(b)))
			return true
		}
	case types.OidFloat4:
		return func(v *col.Vec, b []byte) bool {
			if len(b) != 4 {
				return false
			}
			v.F64 = append(v.F64, float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
			return true
		}
	case types.OidTimestamp, types.OidTimestamptz:
		return func(v *col.Vec, b []byte) bool {
			if len(b) != 8 {
				return false
			}
			x := int64(binary.BigEndian.Uint64(b))
			if x <= -fastTimestampSpan || x >= fastTimestampSpan {
				return false
			}
			v.I64 = append(v.I64, x+pgEpochUnixMicros)
			return true
		}
	case types.OidDate:
		return func(v *col.Vec, b []byte) bool {
			if len(b) != 4 {
				return false
			}
			x := int64(int32(binary.BigEndian.Uint32(b)))
			if x <= -fastDateSpan || x >= fastDateSpan {
				return false
			}
			v.I64 = append(v.I64, x+pgEpochUnixDays)
			return true
		}
	case types.OidText:
		return func(v *col.Vec, b []byte) bool {
			v.S = append(v.S, string(b))
			return true
		}
	}
	return nil
}

// binaryColumns prepares the per-column decoders of a binary COPY.
func (c *copyReader) binaryColumns() {
	if c.dec != nil {
		return
	}
	c.dec = make([]binDecoder, len(c.x.Cols))
	c.typ = make([]types.T, len(c.x.Cols))
	for i, ci := range c.x.Cols {
		c.typ[i] = c.t.Cols[ci].Type
		c.dec[i] = fastBinaryDecoder(c.typ[i])
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
		} else {
			if cap(c.big) < int(l) {
				c.big = make([]byte, l)
			}
			buf = c.big[:l]
			if _, err := io.ReadFull(c.br, buf); err != nil {
				if err != io.EOF && err != io.ErrUnexpectedEOF {
					return false, copyIOError(err)
				}
				return false, c.fail(pgerr.BadCopyFileFormat, -1, "", "unexpected EOF in COPY data")
			}
		}
		if d := c.dec[i]; d != nil && d(v, buf) {
			if v.Nulls != nil {
				v.Nulls = append(v.Nulls, false)
			}
		} else {
			x, err := types.DecodeBinary(c.typ[i], buf)
			if err != nil {
				e, _ := pgerr.As(err)
				cp := *e
				cp.Where = c.where(i, "")
				return false, &cp
			}
			v.Append(x)
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
// wrong field count (the trailer, a malformed row) or holds a value the
// fast decoders do not take; such a row's partial values are removed.
// vecs hold base slots each on entry.
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
			d := c.dec[i]
			if d == nil || !d(v, buf[q:q+l]) {
				for _, v := range vecs {
					truncateVec(v, base+got)
				}
				break rows
			}
			if v.Nulls != nil {
				v.Nulls = append(v.Nulls, false)
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
