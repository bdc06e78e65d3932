package server

import (
	"context"
	"net"
)

// readahead reads a socket from a background goroutine so that a client
// going away is noticed while the connection's goroutine is busy running a
// statement (PostgreSQL's client_connection_check_interval, always on).
// The connection goroutine reads through Read; the buffers cycle between
// the two goroutines, so at most readaheadBufs chunks are in flight.
type readahead struct {
	nc   net.Conn
	ctx  context.Context // Read fails once ctx is done (shutdown)
	data chan chunk
	free chan []byte
	done chan struct{} // closed by stop: the background goroutine exits

	// onEOF is called from the background goroutine when the socket
	// fails or reaches EOF, before the error is delivered to Read.
	onEOF func()

	cur    []byte // unread part of curBuf
	curBuf []byte
	err    error
}

type chunk struct {
	buf []byte
	n   int
	err error
}

const (
	readaheadBufs    = 3
	readaheadBufSize = 32 << 10
)

func newReadahead(ctx context.Context, nc net.Conn, onEOF func()) *readahead {
	r := &readahead{
		nc:    nc,
		ctx:   ctx,
		data:  make(chan chunk, readaheadBufs),
		free:  make(chan []byte, readaheadBufs),
		done:  make(chan struct{}),
		onEOF: onEOF,
	}
	for range readaheadBufs {
		r.free <- make([]byte, readaheadBufSize)
	}
	go r.loop()
	return r
}

func (r *readahead) loop() {
	for {
		var buf []byte
		select {
		case buf = <-r.free:
		case <-r.done:
			return
		}
		n, err := r.nc.Read(buf)
		if err != nil && r.onEOF != nil {
			r.onEOF()
		}
		select {
		case r.data <- chunk{buf: buf, n: n, err: err}:
		case <-r.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read implements io.Reader for the connection goroutine.
func (r *readahead) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.curBuf != nil {
			r.free <- r.curBuf[:cap(r.curBuf)] // never blocks: free holds every buffer
			r.curBuf = nil
		}
		if r.err != nil {
			return 0, r.err
		}
		select {
		case ch := <-r.data:
			r.curBuf, r.cur, r.err = ch.buf, ch.buf[:ch.n], ch.err
		case <-r.ctx.Done():
			return 0, context.Cause(r.ctx)
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// stop ends the background goroutine once the socket is closed (or when
// it next tries to hand over a chunk).
func (r *readahead) stop() { close(r.done) }
