package server

import (
	"errors"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// connectionFailure is PostgreSQL's 08006, used when the client goes away
// in the middle of COPY FROM STDIN.
const connectionFailure pgerr.Code = "08006"

// CopyIn implements sql.ResultWriter: it sends CopyInResponse, flushes (the
// client waits for it before sending data) and returns a reader over the
// CopyData payloads that follow.
func (w *resultWriter) CopyIn(binaryFormat bool, ncols int) (io.Reader, error) {
	f, codes := copyFormats(binaryFormat, ncols)
	w.c.send(&pgproto3.CopyInResponse{OverallFormat: f, ColumnFormatCodes: codes})
	if err := w.c.flush(); err != nil {
		return nil, err
	}
	return &copyReader{c: w.c}, nil
}

// copyReader reads the COPY FROM STDIN sub-protocol: the concatenated
// payloads of CopyData messages, io.EOF at CopyDone and a 57014 error at
// CopyFail. Flush and Sync are ignored as in PostgreSQL; any other message
// fails the COPY with 08P01. A payload stays valid until the next Receive,
// which happens only once it is consumed.
type copyReader struct {
	c       *conn
	pending []byte
	err     error // sticky: io.EOF or the failure
}

func (r *copyReader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.err = r.next()
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// next receives one message; it returns nil when it set r.pending.
func (r *copyReader) next() error {
	msg, err := r.c.be.Receive()
	if err != nil {
		r.c.closing = true
		var ioe ioError
		if errors.As(err, &ioe) {
			return fatal(pgerr.New(connectionFailure, "unexpected EOF on client connection with an open transaction"))
		}
		return fatal(pgerr.New(pgerr.ProtocolViolation, "invalid frontend message during COPY from stdin: %v", err))
	}
	switch m := msg.(type) {
	case *pgproto3.CopyData:
		r.pending = m.Data
		return nil
	case *pgproto3.CopyDone:
		return io.EOF
	case *pgproto3.CopyFail:
		return pgerr.New(pgerr.QueryCanceled, "COPY from stdin failed: %s", m.Message)
	case *pgproto3.Flush, *pgproto3.Sync:
		// Some clients send these during COPY; PostgreSQL ignores them.
		return nil
	case *pgproto3.Terminate:
		r.c.closing = true
		return fatal(pgerr.New(connectionFailure, "unexpected EOF on client connection with an open transaction"))
	default:
		return pgerr.New(pgerr.ProtocolViolation, "unexpected message type %T during COPY from stdin", msg)
	}
}

func copyFormats(binaryFormat bool, ncols int) (byte, []uint16) {
	var f byte
	if binaryFormat {
		f = 1
	}
	codes := make([]uint16, ncols)
	for i := range codes {
		codes[i] = uint16(f)
	}
	return f, codes
}

// CopyOut implements sql.ResultWriter.
func (w *resultWriter) CopyOut(binaryFormat bool, ncols int) error {
	f, codes := copyFormats(binaryFormat, ncols)
	w.c.send(&pgproto3.CopyOutResponse{OverallFormat: f, ColumnFormatCodes: codes})
	w.copyOut = true
	return w.c.maybeFlush()
}

// CopyData implements sql.ResultWriter.
func (w *resultWriter) CopyData(data []byte) error {
	w.c.send(&pgproto3.CopyData{Data: data})
	return w.c.maybeFlush()
}
