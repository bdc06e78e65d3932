package testserver

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// PGBinDir is where Debian installs the PostgreSQL 15 server programs.
const PGBinDir = "/usr/lib/postgresql/15/bin"

// PGOptions configure a scratch PostgreSQL cluster.
type PGOptions struct {
	// Durable keeps fsync and synchronous_commit on (PostgreSQL's normal
	// configuration). Tests leave it false: fsync=off makes them fast.
	Durable bool
	// Settings are extra "name=value" server settings (-c).
	Settings []string
	// Locale, when set, is the cluster's locale (initdb --locale), for
	// comparisons of what a client shows (psql's \l lists Collate and
	// Ctype); empty means initdb --no-locale (the C locale).
	Locale string
}

// Postgres is a scratch PostgreSQL 15 cluster.
type Postgres struct {
	// Addr is 127.0.0.1:PORT.
	Addr string
	// Dir holds the data directory (Dir/data), socket and log.
	Dir string

	port    int
	opts    PGOptions
	asOwner bool // run commands as the postgres user (we are root)
	running bool
}

// Kind returns "postgres".
func (p *Postgres) Kind() string { return "postgres" }

// PGAvailable reports whether the PostgreSQL 15 server programs exist.
func PGAvailable() bool {
	_, err := os.Stat(filepath.Join(PGBinDir, "initdb"))
	return err == nil
}

// StartPostgres creates and starts a scratch cluster, skipping the test
// when PostgreSQL 15 is not installed. The cluster is removed when the
// test ends.
func StartPostgres(t testing.TB, opts PGOptions) *Postgres {
	t.Helper()
	if !PGAvailable() {
		t.Skipf("PostgreSQL 15 not installed in %s (run compat-tests/install-deps.sh)", PGBinDir)
	}
	p, err := StartPostgresE(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("postgres log:\n%s", p.Logs())
		}
		if err := p.Close(); err != nil {
			t.Errorf("stop postgres: %v", err)
		}
	})
	return p
}

// StartPostgresE is StartPostgres returning an error; the caller must
// Close the cluster.
func StartPostgresE(opts PGOptions) (*Postgres, error) {
	dir, err := os.MkdirTemp("", "tsgres-pg-")
	if err != nil {
		return nil, fmt.Errorf("make postgres dir: %w", err)
	}
	p := &Postgres{Dir: dir, opts: opts, asOwner: os.Geteuid() == 0}
	if p.asOwner {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("initdb needs a non-root user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("chown postgres dir: %w", err)
		}
	}
	locale := "--no-locale"
	if opts.Locale != "" {
		locale = "--locale=" + opts.Locale
	}
	if out, err := p.run("initdb", "-D", p.dataDir(), "-U", "postgres", "--auth=trust",
		locale, "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	for attempt := 0; ; attempt++ {
		if p.port, err = FreePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		p.Addr = fmt.Sprintf("127.0.0.1:%d", p.port)
		if err = p.Start(); err == nil {
			return p, nil
		}
		if attempt == 2 {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

func (p *Postgres) dataDir() string { return filepath.Join(p.Dir, "data") }

// Logs returns the server log.
func (p *Postgres) Logs() string {
	b, _ := os.ReadFile(filepath.Join(p.Dir, "server.log"))
	return string(b)
}

// run runs a PostgreSQL program, as the postgres user when we are root.
func (p *Postgres) run(prog string, args ...string) ([]byte, error) {
	path := filepath.Join(PGBinDir, prog)
	var cmd *exec.Cmd
	if p.asOwner {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	return cmd.CombinedOutput()
}

// Start starts a stopped cluster on its port (StartPostgres already does).
func (p *Postgres) Start() error {
	settings := []string{
		"-p " + strconv.Itoa(p.port),
		"-k " + p.Dir,
		"-c listen_addresses=127.0.0.1",
		"-c timezone=UTC",
		"-c log_timezone=UTC",
		"-c datestyle='ISO, MDY'",
		"-c max_connections=100",
	}
	if !p.opts.Durable {
		settings = append(settings, "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
	}
	for _, s := range p.opts.Settings {
		settings = append(settings, "-c "+s)
	}
	out, err := p.run("pg_ctl", "start", "-w", "-t", "60", "-D", p.dataDir(),
		"-l", filepath.Join(p.Dir, "server.log"), "-o", strings.Join(settings, " "))
	if err != nil {
		return fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, p.Logs())
	}
	p.running = true
	return nil
}

// Stop shuts the cluster down cleanly (fast mode).
func (p *Postgres) Stop() error { return p.stop("fast") }

// Kill stops the cluster in immediate mode: every process exits without a
// checkpoint, as after a crash; the next Start runs crash recovery.
func (p *Postgres) Kill() error { return p.stop("immediate") }

func (p *Postgres) stop(mode string) error {
	if !p.running {
		return nil
	}
	p.running = false
	if out, err := p.run("pg_ctl", "stop", "-w", "-m", mode, "-D", p.dataDir()); err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// Restart stops (fast) a running cluster and starts it again.
func (p *Postgres) Restart() error {
	if err := p.Stop(); err != nil {
		return err
	}
	return p.Start()
}

// Close stops the cluster immediately and removes its files.
func (p *Postgres) Close() error {
	err := p.stop("immediate")
	os.RemoveAll(p.Dir)
	return err
}

// DSN returns a connection string for database db as user postgres.
func (p *Postgres) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", p.Addr, db)
}

// Target is a database server a client test can talk to: a tsgres
// *Server or a scratch *Postgres.
type Target interface {
	// Kind is "tsgres" or "postgres".
	Kind() string
	// DSN returns a URL connection string for database db.
	DSN(db string) string
	// Stop shuts down cleanly, Kill crashes it, Restart starts it again
	// on the same data (after Stop or Kill, or stopping it first).
	Stop() error
	Kill() error
	Restart() error
}

var (
	_ Target = (*Server)(nil)
	_ Target = (*Postgres)(nil)
)
