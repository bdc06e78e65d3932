package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// flushThreshold is the output buffer size past which a connection writes
// to its socket mid-statement, so big results stream in bounded memory.
const flushThreshold = 64 << 10

// maxRetainedOut is the largest output buffer kept between flushes; a
// buffer that grew past it (one huge row) is dropped after the flush.
const maxRetainedOut = 1 << 20

// conn is one client connection. All fields except mu/stmtCancel are owned
// by the connection's goroutine.
type conn struct {
	srv *Server
	nc  net.Conn
	log *slog.Logger

	ctx    context.Context // cancelled by Shutdown (through srv.ctx) and at exit
	cancel context.CancelFunc
	be     *pgproto3.Backend

	out     []byte // pending output
	partial int    // start of a message being built in out, -1 when none
	werr    error  // first socket write error; the client is gone

	pid, secret uint32
	user        string
	sess        sql.Session

	mu         sync.Mutex
	stmtCancel context.CancelFunc // cancels the running statement, nil when idle
	alive      *time.Timer        // checks that the client is still there while a statement runs

	ignoreTillSync bool // an extended-protocol message failed: skip to Sync
	closing        bool // a FATAL was sent: end after flushing
	portals        map[string]*portalInfo
	w              resultWriter
}

// ioError marks errors from the socket, so the message loop can tell a
// client that went away from one that sent garbage.
type ioError struct{ err error }

func (e ioError) Error() string { return e.err.Error() }
func (e ioError) Unwrap() error { return e.err }

// ioReader wraps the socket so every error it returns is an ioError.
type ioReader struct{ r io.Reader }

func (r ioReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil {
		err = ioError{err}
	}
	return n, err
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancel(s.ctx)
	c := &conn{
		srv:     s,
		nc:      nc,
		log:     s.log.With("remote", nc.RemoteAddr().String()),
		ctx:     ctx,
		cancel:  cancel,
		partial: -1,
		portals: map[string]*portalInfo{},
	}
	c.w.c = c
	// Shutdown (or the end of the connection) interrupts a read in
	// progress: the message loop then sees srv.ctx done.
	context.AfterFunc(ctx, func() { nc.SetReadDeadline(time.Unix(1, 0)) })
	return c
}

// serve runs the connection to its end. It never panics.
func (c *conn) serve() {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("BUG: panic in connection", "panic", r, "stack", string(debug.Stack()))
			c.dropPartial()
			c.sendError(fatal(pgerr.New(pgerr.Internal, "internal error: %v", r)))
			c.flush()
		}
		c.close()
	}()
	if !c.startup() {
		c.flush()
		return
	}
	c.loop()
	c.flush()
}

func (c *conn) close() {
	c.srv.unregister(c)
	if c.sess != nil {
		func() {
			defer func() {
				if r := recover(); r != nil {
					c.log.Error("BUG: panic closing session", "panic", r, "stack", string(debug.Stack()))
				}
			}()
			c.sess.Close()
		}()
	}
	c.cancel()
	c.nc.Close()
}

// loop reads and handles messages until Terminate, a FATAL error, the
// client going away or Shutdown.
func (c *conn) loop() {
	for !c.closing {
		if c.srv.ctx.Err() != nil {
			c.sendError(shutdownError())
			return
		}
		msg, err := c.be.Receive()
		if err != nil {
			var ioe ioError
			switch {
			case c.srv.ctx.Err() != nil:
				c.sendError(shutdownError())
			case errors.As(err, &ioe):
				c.log.Debug("client went away", "err", err)
			default:
				var tooBig *pgproto3.ExceededMaxBodyLenErr
				if errors.As(err, &tooBig) {
					c.sendError(fatal(pgerr.New(pgerr.ProtocolViolation, "invalid message length")))
				} else {
					c.sendError(fatal(pgerr.New(pgerr.ProtocolViolation, "invalid frontend message: %v", err)))
				}
			}
			return
		}
		if !c.handle(msg) {
			return
		}
		if len(c.out) >= flushThreshold {
			c.flush()
		}
	}
}

// handle dispatches one message; it reports false when the connection
// must end. A panic is reported to the client as XX000 and the connection
// carries on, as after any other failed statement.
func (c *conn) handle(msg pgproto3.FrontendMessage) (keep bool) {
	extended := false
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("BUG: panic handling message", "message", fmt.Sprintf("%T", msg), "panic", r, "stack", string(debug.Stack()))
			c.dropPartial()
			c.sendError(pgerr.New(pgerr.Internal, "internal error: %v", r))
			if extended {
				c.ignoreTillSync = true
			} else {
				c.readyForQuery()
			}
			keep = !c.closing
		}
	}()

	if c.ignoreTillSync {
		switch msg.(type) {
		case *pgproto3.Sync:
		case *pgproto3.Terminate:
			return false
		default:
			return true
		}
	}

	var err error
	switch m := msg.(type) {
	case *pgproto3.Query:
		c.simpleQuery(m.String)
	case *pgproto3.Parse:
		extended = true
		err = c.parse(m)
	case *pgproto3.Bind:
		extended = true
		err = c.bind(m)
	case *pgproto3.Describe:
		extended = true
		err = c.describe(m)
	case *pgproto3.Execute:
		extended = true
		err = c.execute(m)
	case *pgproto3.Close:
		extended = true
		err = c.closeObject(m)
	case *pgproto3.Sync:
		c.ignoreTillSync = false
		c.sync()
	case *pgproto3.Flush:
		c.flush()
	case *pgproto3.Terminate:
		return false
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Left over from a COPY FROM STDIN that failed: PostgreSQL
		// drops these silently.
	case *pgproto3.FunctionCall:
		c.sendError(pgerr.New(pgerr.FeatureNotSupported, "fastpath function calls are not supported"))
		c.readyForQuery()
	default:
		c.sendError(fatal(pgerr.New(pgerr.ProtocolViolation, "unexpected message type %T", msg)))
	}
	if err != nil {
		c.sendError(err)
		c.ignoreTillSync = true
	}
	return !c.closing
}

// stmtContext returns the context for one statement run, cancellable by a
// CancelRequest, and the function that ends it.
func (c *conn) stmtContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(c.ctx)
	c.mu.Lock()
	c.stmtCancel = cancel
	if c.alive == nil {
		c.alive = time.AfterFunc(aliveCheckInterval, c.checkAlive)
	} else {
		c.alive.Reset(aliveCheckInterval)
	}
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.alive.Stop()
		c.stmtCancel = nil
		c.mu.Unlock()
		cancel()
	}
}

// cancelStatement cancels the running statement, if any. It is called from
// other goroutines (CancelRequest, checkAlive).
func (c *conn) cancelStatement() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmtCancel != nil {
		c.stmtCancel()
	}
}

// send appends m to the output buffer.
func (c *conn) send(m pgproto3.BackendMessage) {
	out, err := m.Encode(c.out)
	if err != nil {
		// Only absurd sizes (> 1 GiB fields) fail to encode.
		c.log.Error("cannot encode message", "message", fmt.Sprintf("%T", m), "err", err)
		return
	}
	c.out = out
}

// flush writes pending output. After a write error the client is gone:
// the running statement is cancelled and later output is discarded.
func (c *conn) flush() error {
	if c.werr != nil {
		c.out = c.out[:0]
		return c.werr
	}
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.nc.Write(c.out)
	if cap(c.out) > maxRetainedOut {
		c.out = nil
	} else {
		c.out = c.out[:0]
	}
	if err != nil {
		c.werr = fmt.Errorf("write to client: %w", err)
		c.cancelStatement()
		c.closing = true
		return c.werr
	}
	return nil
}

// maybeFlush flushes when the output buffer is large.
func (c *conn) maybeFlush() error {
	if len(c.out) >= flushThreshold {
		return c.flush()
	}
	return c.werr
}

// dropPartial removes a half-built message after a panic.
func (c *conn) dropPartial() {
	if c.partial >= 0 && c.partial <= len(c.out) {
		c.out = c.out[:c.partial]
	}
	c.partial = -1
}

func (c *conn) readyForQuery() {
	if c.closing {
		c.flush() // a FATAL error ends the connection: no ReadyForQuery
		return
	}
	status := byte('I')
	if c.sess != nil {
		status = c.sess.TxStatus()
	}
	c.send(&pgproto3.ReadyForQuery{TxStatus: status})
	c.flush()
}

// fatal marks e as ending the connection.
func fatal(e *pgerr.Error) *pgerr.Error {
	e.Severity = "FATAL"
	return e
}

func shutdownError() *pgerr.Error {
	return fatal(pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command"))
}

// sendError sends err as an ErrorResponse. Errors without a SQLSTATE are
// logged as bugs and sent as XX000; a statement cancelled by Shutdown is
// reported as FATAL 57P01. A FATAL error marks the connection closing.
func (c *conn) sendError(err error) {
	pe, ok := pgerr.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			pe = pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
		} else {
			c.log.Error("BUG: error without SQLSTATE", "err", err)
		}
	}
	if pe.Code == pgerr.QueryCanceled && c.srv.ctx.Err() != nil {
		pe = shutdownError()
	}
	sev := pe.Severity
	if sev == "" {
		sev = "ERROR"
	}
	if sev == "FATAL" || sev == "PANIC" {
		c.closing = true
	}
	c.send(&pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                string(pe.Code),
		Message:             pe.Message,
		Detail:              pe.Detail,
		Hint:                pe.Hint,
		Position:            pe.Position,
		Where:               pe.Where,
		SchemaName:          pe.SchemaName,
		TableName:           pe.TableName,
		ColumnName:          pe.ColumnName,
		DataTypeName:        pe.DataTypeName,
		ConstraintName:      pe.ConstraintName,
	})
}
