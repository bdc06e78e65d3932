package testserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StartTimeout bounds how long Start waits for the "listening" line.
const StartTimeout = 30 * time.Second

// stopTimeout bounds how long Stop waits after SIGTERM before SIGKILL.
const stopTimeout = 20 * time.Second

// listeningPrefix starts the line tsgres writes to stderr once it accepts
// connections.
const listeningPrefix = "tsgres listening on "

// Options configure a tsgres server.
type Options struct {
	// DataDir is the data directory; empty means a fresh temporary one,
	// removed by Stop/cleanup.
	DataDir string
	// Auth is passed as --auth ("trust" when empty).
	Auth string
	// Args are extra command-line arguments.
	Args []string
	// Env are extra environment entries (KEY=VALUE).
	Env []string
	// LogOutput, when set, also receives the server's stderr/stdout.
	LogOutput io.Writer
}

// Server is a running (or stopped) tsgres process.
type Server struct {
	// Addr is HOST:PORT the server listens on.
	Addr string
	// DataDir is the server's data directory.
	DataDir string

	opts    Options
	bin     string
	ownData bool

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd exits
	logs bytes.Buffer
}

// Kind returns "tsgres".
func (s *Server) Kind() string { return "tsgres" }

// Start builds (once) and starts tsgres; the server is stopped and its
// temporary data removed when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := StartE(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stop tsgres: %v", err)
		}
		if t.Failed() {
			t.Logf("tsgres log:\n%s", s.Logs())
		}
	})
	return s
}

// StartE is Start returning an error; the caller must Close the server.
func StartE(opts Options) (*Server, error) {
	bin, err := BinaryE()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, bin: bin, DataDir: opts.DataDir}
	if s.DataDir == "" {
		s.DataDir, err = os.MkdirTemp("", "tsgres-data-")
		if err != nil {
			return nil, fmt.Errorf("make data dir: %w", err)
		}
		s.ownData = true
	}
	// A free port can be taken between probing and binding; retry.
	for attempt := 0; ; attempt++ {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		s.Addr = fmt.Sprintf("127.0.0.1:%d", port)
		err = s.start()
		if err == nil {
			return s, nil
		}
		if attempt == 2 || !strings.Contains(err.Error(), "address already in use") {
			s.removeData()
			return nil, err
		}
	}
}

// DSN returns a connection string for database db (user postgres, no TLS).
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", s.Addr, db)
}

// Host returns the host part of Addr.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr); return h }

// Port returns the port part of Addr.
func (s *Server) Port() string { _, p, _ := net.SplitHostPort(s.Addr); return p }

// Logs returns everything the server wrote to stdout and stderr so far.
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// logWriter appends process output to the server's log buffer.
type logWriter struct{ s *Server }

func (w logWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	w.s.logs.Write(p)
	w.s.mu.Unlock()
	if w.s.opts.LogOutput != nil {
		w.s.opts.LogOutput.Write(p)
	}
	return len(p), nil
}

func (s *Server) start() error {
	auth := s.opts.Auth
	if auth == "" {
		auth = "trust"
	}
	args := append([]string{"--listen", s.Addr, "--data", s.DataDir, "--auth", auth}, s.opts.Args...)
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(os.Environ(), s.opts.Env...)
	cmd.SysProcAttr = childAttr()
	cmd.Stdout = logWriter{s}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return fmt.Errorf("start tsgres: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start tsgres: %w", err)
	}
	ready := make(chan string, 1)
	go func() {
		// Copy stderr into the log, reporting the listening line once.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		announced := false
		for sc.Scan() {
			line := sc.Text()
			logWriter{s}.Write([]byte(line + "\n"))
			if !announced && strings.Contains(line, listeningPrefix) {
				announced = true
				ready <- line
			}
		}
		close(ready)
	}()
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	select {
	case line, ok := <-ready:
		if !ok {
			<-done
			return fmt.Errorf("tsgres exited before listening (%v):\n%s", cmd.ProcessState, s.Logs())
		}
		// Prefer the address the server reports (it may have resolved it).
		rest := line[strings.Index(line, listeningPrefix)+len(listeningPrefix):]
		if f := strings.Fields(rest); len(f) > 0 {
			if _, _, err := net.SplitHostPort(f[0]); err == nil {
				s.Addr = f[0]
			}
		}
		return nil
	case <-time.After(StartTimeout):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("tsgres did not report listening within %v:\n%s", StartTimeout, s.Logs())
	}
}

// PID returns the server process's id, or 0 when it is not running (for
// benchmarks that read its memory use from /proc).
func (s *Server) PID() int {
	cmd, _ := s.running()
	if cmd == nil {
		return 0
	}
	return cmd.Process.Pid
}

// running reports the current process and its done channel (nil when stopped).
func (s *Server) running() (*exec.Cmd, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd, s.done
}

// Stop sends SIGTERM and waits for the process to exit (SIGKILL after a
// timeout, reported as an error). It returns an error when the process
// exited unsuccessfully. Stopping a stopped server does nothing.
func (s *Server) Stop() error {
	cmd, done := s.running()
	if cmd == nil {
		return nil
	}
	defer s.forget()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(stopTimeout):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("tsgres did not exit within %v of SIGTERM", stopTimeout)
	}
	if !cmd.ProcessState.Success() {
		return fmt.Errorf("tsgres exited with %v after SIGTERM", cmd.ProcessState)
	}
	return nil
}

// Kill sends SIGKILL and waits for the process to die, as a crash would.
func (s *Server) Kill() error {
	cmd, done := s.running()
	if cmd == nil {
		return nil
	}
	defer s.forget()
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill tsgres: %w", err)
	}
	<-done
	return nil
}

func (s *Server) forget() {
	s.mu.Lock()
	s.cmd, s.done = nil, nil
	s.mu.Unlock()
}

// Restart starts the server again on the same data directory and address,
// stopping it first (SIGTERM) when it is running.
func (s *Server) Restart() error {
	if err := s.Stop(); err != nil {
		return err
	}
	return s.start()
}

// Close stops the server and removes a data directory Start created.
func (s *Server) Close() error {
	err := s.Stop()
	s.removeData()
	return err
}

func (s *Server) removeData() {
	if s.ownData {
		os.RemoveAll(s.DataDir)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
