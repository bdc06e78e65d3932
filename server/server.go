package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/tsgres/tsgres/sql"
)

// Auth methods accepted in Config.Auth.
const (
	AuthTrust = "trust"
	AuthSCRAM = "scram"
)

// DefaultMaxMessageSize bounds one frontend message. pgproto3 allocates the
// whole body before reading it, so the bound is what a hostile length field
// can make a connection allocate; 256 MiB is far above any real Query or
// CopyData message (clients send COPY data in chunks of tens of KiB).
const DefaultMaxMessageSize = 256 << 20

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown.
var ErrServerClosed = errors.New("server: closed")

// Config configures a Server.
type Config struct {
	// Listen is the TCP address ListenAndServe listens on (host:port).
	Listen string
	// Auth is AuthTrust ("trust", the default when empty) or AuthSCRAM
	// ("scram": SCRAM-SHA-256 passwords).
	Auth string
	// Logger receives connection-level logs; slog.Default() when nil.
	Logger *slog.Logger
	// MaxMessageSize bounds one frontend message in bytes;
	// DefaultMaxMessageSize when 0.
	MaxMessageSize int
}

// Server accepts PostgreSQL connections and serves them from an engine.
type Server struct {
	cfg Config
	eng sql.Engine
	log *slog.Logger

	// ctx is the parent of every connection's context; Shutdown cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	lns    map[net.Listener]struct{}
	conns  map[uint32]*conn // by process id
	closed bool
	wg     sync.WaitGroup // one per live connection goroutine
}

// New returns a server for eng. It does not listen until Serve or
// ListenAndServe.
func New(cfg Config, eng sql.Engine) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Auth == "" {
		cfg.Auth = AuthTrust
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		cfg:    cfg,
		eng:    eng,
		log:    cfg.Logger,
		ctx:    ctx,
		cancel: cancel,
		lns:    map[net.Listener]struct{}{},
		conns:  map[uint32]*conn{},
	}
}

// Listen opens the TCP listener named by Config.Listen without serving on
// it yet, so callers can report the bound address (port 0 picks a free
// port) before calling Serve.
func (s *Server) Listen() (net.Listener, error) {
	switch s.cfg.Auth {
	case AuthTrust, AuthSCRAM:
	default:
		return nil, fmt.Errorf("unknown auth method %q (want %q or %q)", s.cfg.Auth, AuthTrust, AuthSCRAM)
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
	}
	return ln, nil
}

// ListenAndServe listens on Config.Listen and serves until Shutdown, when
// it returns ErrServerClosed.
func (s *Server) ListenAndServe() error {
	ln, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Addr returns the address of a listener being served, or nil before
// Serve is called.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.lns {
		return ln.Addr()
	}
	return nil
}

// Serve accepts connections on ln until Shutdown (returning
// ErrServerClosed) or a permanent accept error. It closes ln on return.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.lns[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.lns, ln)
		s.mu.Unlock()
		ln.Close()
	}()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("accept: %w", err)
			}
			// Anything else (e.g. out of file descriptors) is treated
			// as temporary: back off and retry rather than die.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed; retrying", "err", err, "delay", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if !s.startConn(nc) {
			nc.Close()
			return ErrServerClosed
		}
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// startConn registers nc's goroutine; it reports false after Shutdown.
func (s *Server) startConn(nc net.Conn) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		c := newConn(s, nc)
		c.serve()
	}()
	return true
}

// Shutdown stops accepting connections, cancels running statements, tells
// every connected client FATAL 57P01 and closes its connection, and waits
// for the connection goroutines to end. When ctx expires first it closes
// the remaining sockets forcibly and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for ln := range s.lns {
		ln.Close()
	}
	s.mu.Unlock()
	s.cancel()

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for _, c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		// Goroutines stuck in an engine call that ignores cancellation
		// are not waited for.
		return fmt.Errorf("shutdown: %w", ctx.Err())
	}
}

// register assigns c a process id unique among live connections and a
// random secret key, and makes it findable by CancelRequest.
func (s *Server) register(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A session with a backend pid of its own (pg_backend_pid,
	// pg_stat_activity) keeps it, so clients see one pid everywhere.
	if p, ok := c.sess.(interface{ BackendPID() int32 }); ok {
		if pid := uint32(p.BackendPID()); pid > 0 && s.conns[pid] == nil {
			c.pid, c.secret = pid, randUint32()
			s.conns[pid] = c
			return
		}
	}
	for {
		pid := randUint32() & 0x7fffffff // PostgreSQL pids are positive int32
		if pid == 0 {
			continue
		}
		if _, dup := s.conns[pid]; dup {
			continue
		}
		c.pid, c.secret = pid, randUint32()
		s.conns[pid] = c
		return
	}
}

func (s *Server) unregister(c *conn) {
	if c.pid == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns[c.pid] == c {
		delete(s.conns, c.pid)
	}
}

// cancelRequest cancels the running statement of the connection with pid
// when secret matches; otherwise it does nothing, as PostgreSQL does.
func (s *Server) cancelRequest(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.conns[pid]
	s.mu.Unlock()
	if c == nil || len(secret) != 4 {
		s.log.Debug("cancel request for unknown process", "pid", pid)
		return
	}
	var want [4]byte
	binary.BigEndian.PutUint32(want[:], c.secret)
	if subtle.ConstantTimeCompare(want[:], secret) != 1 {
		s.log.Debug("cancel request with wrong key", "pid", pid)
		return
	}
	c.cancelStatement()
}

func randUint32() uint32 {
	var b [4]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	return binary.BigEndian.Uint32(b[:])
}
