package flask

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// startTimeout bounds how long the app may take to create its schema and
// start listening.
const startTimeout = 60 * time.Second

func TestFlaskApp(t *testing.T) {
	if err := exec.Command(compat.Python, "-c", "import flask, psycopg2").Run(); err != nil {
		t.Skipf("%s cannot import flask and psycopg2 (run compat-tests/install-deps.sh)", compat.Python)
	}
	if compat.AgainstPostgres() {
		t.Skip("the app needs TimescaleDB (hypertables, continuous aggregates, compression), not installed in the reference PostgreSQL")
	}
	compat.Pending(t, "engine")
	srv := compat.Start(t)
	url := startApp(t, srv.DSN("postgres"))

	cmd := exec.Command(compat.Python, "-m", "unittest", "-v", "test_app")
	cmd.Env = append(os.Environ(), "TSGRES_DSN="+srv.DSN("postgres"), "APP_URL="+url, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "\nOK") {
		t.Fatalf("flask app tests: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}

// startApp runs app.py on a free loopback port and returns its base URL
// once /api/health answers. The app is stopped when the test ends.
func startApp(t *testing.T, dsn string) string {
	t.Helper()
	port := freePort(t)
	var logs syncBuffer
	app := exec.Command(compat.Python, "app.py", fmt.Sprint(port))
	app.Env = append(os.Environ(), "TSGRES_DSN="+dsn, "PYTHONDONTWRITEBYTECODE=1")
	app.Stdout, app.Stderr = &logs, &logs
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	t.Cleanup(func() {
		_ = app.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("app log:\n%s", logs.String())
		}
	})

	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(url + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("app exited before serving: %v\n%s", err, logs.String())
		case <-ctx.Done():
			t.Fatalf("app not serving on %s after %v\n%s", url, startTimeout, logs.String())
		case <-tick.C:
		}
	}
}

// freePort returns a loopback TCP port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects the app's output from its two pipes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
