package server

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Wire format codes.
const (
	formatText   int16 = 0
	formatBinary int16 = 1
)

// resultWriter implements sql.ResultWriter for one connection, turning
// engine calls into protocol messages in the connection's output buffer.
// It is reset before every Query or Execute.
type resultWriter struct {
	c        *conn
	extended bool         // extended protocol: Describe sends RowDescription
	formats  []int16      // the portal's result format codes (Bind semantics)
	cols     []sql.Column // current result columns
	fmts     []int16      // per-column format, resolved from formats
	copyOut  bool         // inside COPY TO STDOUT: Complete sends CopyDone first
}

var _ sql.ResultWriter = (*resultWriter)(nil)

// reset prepares the writer for a statement run.
func (w *resultWriter) reset(extended bool, formats []int16, cols []sql.Column) {
	w.extended, w.formats, w.copyOut = extended, formats, false
	w.setColumns(cols)
}

func (w *resultWriter) setColumns(cols []sql.Column) {
	w.cols = cols
	w.fmts = w.fmts[:0]
	for i := range cols {
		w.fmts = append(w.fmts, formatFor(w.formats, i))
	}
}

// formatFor applies Bind's result-format rule: none means all text, one
// applies to every column, otherwise one per column.
func formatFor(formats []int16, i int) int16 {
	switch {
	case len(formats) == 0:
		return formatText
	case len(formats) == 1:
		return formats[0]
	case i < len(formats):
		return formats[i]
	}
	return formatText
}

// rowDescription builds a RowDescription for cols with the given result
// formats (Bind semantics).
func rowDescription(cols []sql.Column, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(cols))}
	for i, cl := range cols {
		rd.Fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(cl.Name),
			TableOID:             cl.TableOID,
			TableAttributeNumber: uint16(cl.AttNum),
			DataTypeOID:          cl.Type.OID,
			DataTypeSize:         cl.Type.Info().Len,
			TypeModifier:         cl.Type.Mod,
			Format:               formatFor(formats, i),
		}
	}
	return rd
}

// Columns implements sql.ResultWriter.
func (w *resultWriter) Columns(cols []sql.Column) error {
	if w.extended {
		// Describe announced the columns; keep them for encoding.
		w.setColumns(cols)
		return w.c.werr
	}
	w.formats = nil
	w.setColumns(cols)
	w.c.send(rowDescription(cols, nil))
	return w.c.maybeFlush()
}

// Batch implements sql.ResultWriter: one DataRow per live row.
//
// Each row is built in a local copy of the output buffer and stored back
// only once complete, so c.out never holds a partial message; values are
// read straight from the column vectors (appendTextValue,
// appendBinaryValue), without boxing or per-row allocations.
func (w *resultWriter) Batch(b *col.Batch) error {
	c := w.c
	if c.werr != nil {
		return c.werr
	}
	if len(b.Cols) != len(w.cols) {
		return pgerr.New(pgerr.Internal, "BUG: batch has %d columns, result has %d", len(b.Cols), len(w.cols))
	}
	loc := c.sess.Location()
	ncols := len(w.cols)
	out := c.out
	for i, n := 0, b.Len(); i < n; i++ {
		r := b.Row(i)
		start := len(out)
		out = append(out, 'D', 0, 0, 0, 0, byte(ncols>>8), byte(ncols))
		for j, v := range b.Cols {
			if v.Nulls != nil && v.Nulls[r] {
				out = append(out, 0xff, 0xff, 0xff, 0xff) // length -1: NULL
				continue
			}
			lenAt := len(out)
			out = append(out, 0, 0, 0, 0)
			t := w.cols[j].Type
			if w.fmts[j] == formatBinary {
				var err error
				if out, err = appendBinaryValue(out, t, v, r); err != nil {
					return err // c.out holds the complete rows only
				}
			} else {
				out = appendTextValue(out, t, v, r, loc)
			}
			binary.BigEndian.PutUint32(out[lenAt:], uint32(len(out)-lenAt-4))
		}
		binary.BigEndian.PutUint32(out[start+1:], uint32(len(out)-start-1))
		c.out = out
		if len(out) >= flushThreshold {
			if err := c.flush(); err != nil {
				return err
			}
			out = c.out
		}
	}
	return nil
}

// appendTextValue appends slot r of v in text format, as types.AppendText
// would for v.Get(r), reading int64 and float64 slots unboxed.
func appendTextValue(dst []byte, t types.T, v *col.Vec, r int, loc *time.Location) []byte {
	switch v.Kind {
	case col.Int64:
		return types.AppendInt64Text(dst, t, v.I64[r], loc)
	case col.Float64:
		return types.AppendFloat64Text(dst, t, v.F64[r])
	case col.Bool:
		if v.B[r] {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case col.Bytes:
		switch t.OID {
		case types.OidText, types.OidVarchar, types.OidName, types.OidBpchar, types.OidUnknown:
			return append(dst, v.S[r]...)
		}
	}
	return types.AppendText(dst, t, v.Get(r), loc)
}

// appendBinaryValue appends slot r of v in binary format, as
// types.AppendBinary would for v.Get(r), reading int64 and float64 slots
// unboxed. A float8 is sent with its bits as stored (NaN included).
func appendBinaryValue(dst []byte, t types.T, v *col.Vec, r int) ([]byte, error) {
	switch v.Kind {
	case col.Int64:
		return types.AppendInt64Binary(dst, t, v.I64[r])
	case col.Float64:
		if t.OID == types.OidFloat8 {
			return binary.BigEndian.AppendUint64(dst, math.Float64bits(v.F64[r])), nil
		}
		return types.AppendFloat64Binary(dst, t, v.F64[r])
	case col.Bool:
		if t.OID == types.OidBool {
			if v.B[r] {
				return append(dst, 1), nil
			}
			return append(dst, 0), nil
		}
	case col.Bytes:
		switch t.OID {
		case types.OidText, types.OidVarchar, types.OidName, types.OidBpchar, types.OidUnknown, types.OidBytea:
			return append(dst, v.S[r]...), nil
		}
	}
	return types.AppendBinary(dst, t, v.Get(r))
}

// Complete implements sql.ResultWriter.
func (w *resultWriter) Complete(tag string) error {
	if w.copyOut {
		w.c.send(&pgproto3.CopyDone{})
		w.copyOut = false
	}
	w.c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return w.c.maybeFlush()
}

// EmptyQuery implements sql.ResultWriter.
func (w *resultWriter) EmptyQuery() error {
	w.c.send(&pgproto3.EmptyQueryResponse{})
	return w.c.werr
}

// Notice implements sql.ResultWriter.
func (w *resultWriter) Notice(severity, code, message string) error {
	w.c.send(&pgproto3.NoticeResponse{Severity: severity, SeverityUnlocalized: severity, Code: code, Message: message})
	return w.c.werr
}

// NoticeDetail sends a notice with a DETAIL field (ddl's multi-object
// cascade notices; an optional method of sql.ResultWriter).
func (w *resultWriter) NoticeDetail(severity, code, message, detail string) error {
	w.c.send(&pgproto3.NoticeResponse{Severity: severity, SeverityUnlocalized: severity, Code: code, Message: message, Detail: detail})
	return w.c.werr
}

// ParameterStatus implements sql.ResultWriter.
func (w *resultWriter) ParameterStatus(name, value string) error {
	w.c.send(&pgproto3.ParameterStatus{Name: name, Value: value})
	return w.c.werr
}
