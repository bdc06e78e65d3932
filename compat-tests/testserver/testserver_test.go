package testserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// fakeServer mimics tsgres's process contract: it prints the listening
// line on stderr and exits 0 on SIGTERM.
const fakeServer = `#!/bin/sh
trap 'echo bye >&2; exit 0' TERM
echo "data=$4" >&2
echo "tsgres listening on $2 (fake)" >&2
while :; do sleep 0.05; done
`

func TestServerLifecycle(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "fake-tsgres")
	if err := os.WriteFile(bin, []byte(fakeServer), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(BinEnv, bin)
	if p, _ := BinaryE(); p != bin {
		t.Skipf("binary already resolved to %q in this process", p)
	}
	s := Start(t, Options{})
	if !strings.HasPrefix(s.Addr, "127.0.0.1:") || s.Port() == "" {
		t.Fatalf("Addr = %q", s.Addr)
	}
	if !strings.Contains(s.Logs(), "data="+s.DataDir) {
		t.Fatalf("data dir not passed; logs:\n%s", s.Logs())
	}
	addr := s.Addr
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !strings.Contains(s.Logs(), "bye") {
		t.Fatalf("SIGTERM not delivered; logs:\n%s", s.Logs())
	}
	if err := s.Restart(); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if s.Addr != addr {
		t.Fatalf("Restart moved address %s -> %s", addr, s.Addr)
	}
	if err := s.Kill(); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	if err := s.Restart(); err != nil {
		t.Fatalf("Restart after Kill: %v", err)
	}
	if got := strings.Count(s.Logs(), "listening on"); got != 3 {
		t.Fatalf("started %d times, want 3", got)
	}
}

func TestPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	p := StartPostgres(t, PGOptions{})
	ctx := context.Background()
	query := func() string {
		conn, err := pgx.Connect(ctx, p.DSN("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var v string
		if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num') || ' ' || current_setting('TimeZone')").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := query(); !strings.HasPrefix(got, "15") || !strings.HasSuffix(got, " UTC") {
		t.Fatalf("got %q, want PostgreSQL 15 in UTC", got)
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	query()
}
