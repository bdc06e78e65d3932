package server

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// A client that goes away while its statement runs gets the statement
// cancelled, so its locks and its transaction end with it (PostgreSQL's
// client_connection_check_interval, always on here). The connection's
// goroutine reads the socket itself between statements; while one runs,
// a timer looks at the socket every aliveCheckInterval without reading
// from it.

// aliveCheckInterval is how often a running statement's client is
// checked; statements shorter than this cost one timer reset.
const aliveCheckInterval = 250 * time.Millisecond

// checkAlive runs on the timer while a statement runs: it cancels the
// statement when the client has closed or reset the connection, and
// checks again later otherwise.
func (c *conn) checkAlive() {
	if clientGone(c.nc) {
		c.cancelStatement()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmtCancel != nil {
		c.alive.Reset(aliveCheckInterval)
	}
}

// clientGone reports whether the peer of nc has closed or reset the
// connection: a peek at the socket (it consumes nothing) finds its end
// or an error. A client that sent more messages before it closed is
// noticed only once they are read (the peek sees them first), so a
// pipelining client is never mistaken for a departed one.
func clientGone(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	gone := false
	var buf [1]byte
	err = raw.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == nil:
			gone = n == 0
		case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EINTR):
		default:
			gone = true
		}
	})
	return gone || err != nil
}
