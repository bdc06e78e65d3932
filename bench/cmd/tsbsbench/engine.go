package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// Engine names, as printed and as keys of the JSON.
const (
	tsgresName = "tsgres"
	peerName   = "timescaledb"
)

// engine is one server under test: tsgres started by this run, or the
// TimescaleDB peer it was pointed at.
type engine struct {
	name string
	host string
	port string
	user string
	pass string
	// cpu returns the server's CPU time so far in seconds (user and
	// system, its finished children included); nil when it cannot be
	// read (a peer on another machine).
	cpu   func() (float64, error)
	close func() error
}

// dsn returns a connection string for database db.
func (e *engine) dsn(db string) string {
	u := e.user
	if e.pass != "" {
		u += ":" + e.pass
	}
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", u, net.JoinHostPort(e.host, e.port), db)
}

// startTsgres starts tsgres ($TSGRES_BIN, else built from the checkout)
// on a free port with a fresh data directory under the temp directory,
// removed again by close.
func startTsgres() (*engine, error) {
	dir, err := os.MkdirTemp("", "tsbsbench-data-")
	if err != nil {
		return nil, err
	}
	s, err := testserver.StartE(testserver.Options{DataDir: dir})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	pid := s.PID()
	return &engine{
		name: tsgresName, host: s.Host(), port: s.Port(), user: "postgres",
		cpu: func() (float64, error) { return procCPU(pid, false) },
		close: func() error {
			err := s.Close()
			if rerr := os.RemoveAll(dir); err == nil {
				err = rerr
			}
			return err
		},
	}, nil
}

// connectPeer checks that the TimescaleDB at addr (HOST:PORT) answers and
// has the extension available. When the peer runs on this machine (a
// loopback address) and its postmaster.pid is readable, its CPU time is
// the postmaster's plus its children's.
func connectPeer(ctx context.Context, addr, user, pass string) (*engine, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("peer address %q: %w", addr, err)
	}
	e := &engine{name: peerName, host: host, port: port, user: user, pass: pass, close: func() error { return nil }}
	c, err := pgx.Connect(ctx, e.dsn("postgres"))
	if err != nil {
		return nil, fmt.Errorf("connect to peer %s: %w", addr, err)
	}
	defer c.Close(ctx)
	var version string
	if err := c.QueryRow(ctx, "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'").Scan(&version); err != nil {
		return nil, fmt.Errorf("peer %s has no timescaledb extension: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		var dataDir string
		if c.QueryRow(ctx, "SHOW data_directory").Scan(&dataDir) == nil {
			if pid, err := postmasterPID(dataDir); err == nil {
				e.cpu = func() (float64, error) { return procCPU(pid, true) }
			}
		}
	}
	return e, nil
}

// postmasterPID reads the postmaster's process id from its data directory.
func postmasterPID(dataDir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return 0, err
	}
	_, err = procStat(pid)
	return pid, err
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times (100 on
// every Linux architecture Go supports).
const clockTicks = 100

// procStat returns the fields of /proc/pid/stat after the command name;
// index 0 is the state (field 3 of proc(5)).
func procStat(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	return strings.Fields(s[i+1:]), nil
}

// procCPU returns the CPU seconds of pid: utime, stime, and the cutime
// and cstime of its reaped children; with children, also the utime and
// stime of its live children (a postmaster's backends, whose time moves
// to the postmaster's cutime and cstime when they exit).
func procCPU(pid int, children bool) (float64, error) {
	f, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	ticks := sumFields(f, 11, 15) // utime stime cutime cstime
	if children {
		ents, err := os.ReadDir("/proc")
		if err != nil {
			return 0, err
		}
		parent := strconv.Itoa(pid)
		for _, ent := range ents {
			child, err := strconv.Atoi(ent.Name())
			if err != nil {
				continue
			}
			if cf, err := procStat(child); err == nil && len(cf) > 1 && cf[1] == parent {
				ticks += sumFields(cf, 11, 13)
			}
		}
	}
	return float64(ticks) / clockTicks, nil
}

// sumFields adds the integer fields f[from:to].
func sumFields(f []string, from, to int) int64 {
	var n int64
	for _, s := range f[from:min(to, len(f))] {
		v, _ := strconv.ParseInt(s, 10, 64)
		n += v
	}
	return n
}

// settle gives a postmaster time to reap the loader's backends, so their
// CPU time is counted once they exited.
const settle = 300 * time.Millisecond

// execSQL runs one statement on database db of e.
func execSQL(ctx context.Context, e *engine, db, sql string) error {
	c, err := pgx.Connect(ctx, e.dsn(db))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}
