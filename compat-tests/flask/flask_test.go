// Package flask tests the Flask REST example app (app.py) with Flask's
// test client (test_app.py) against a real server.
package flask

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

func TestFlaskApp(t *testing.T) {
	if err := exec.Command(compat.Python, "-c", "import flask, psycopg2").Run(); err != nil {
		t.Skipf("%s cannot import flask and psycopg2 (run compat-tests/install-deps.sh)", compat.Python)
	}
	compat.Pending(t, "engine")
	srv := compat.Start(t)
	cmd := exec.Command(compat.Python, "-m", "unittest", "-v", "test_app")
	cmd.Env = append(os.Environ(), "TSGRES_DSN="+srv.DSN("postgres"), "PYTHONDONTWRITEBYTECODE=1")
	if srv.Kind() == "tsgres" {
		cmd.Env = append(cmd.Env, "TSGRES_HYPERTABLE=1")
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "\nOK") {
		t.Fatalf("flask app tests: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}
