package clients

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// runPython runs a script from compat-tests/python with the system
// interpreter, the DSN as first argument, and checks it reports OK.
// Against PostgreSQL the script also gets --postgres (no TimescaleDB
// there; scripts that use it skip those steps).
func runPython(t *testing.T, module, script string) {
	t.Helper()
	if err := exec.Command(compat.Python, "-c", "import "+module).Run(); err != nil {
		t.Skipf("%s cannot import %s (run compat-tests/install-deps.sh)", compat.Python, module)
	}
	compat.Pending(t, "engine")
	dsn := compat.Start(t).DSN("postgres")
	args := []string{filepath.Join("..", "python", script), dsn}
	if !compat.Ready("copy") {
		args = append(args, "--no-copy")
	}
	if compat.AgainstPostgres() {
		args = append(args, "--postgres")
	}
	cmd := exec.Command(compat.Python, args...)
	cmd.Env = append(os.Environ(), "PGTZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "OK ") {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}

func TestPsycopg2(t *testing.T) { runPython(t, "psycopg2", "psycopg2_check.py") }

func TestPsycopg3(t *testing.T) { runPython(t, "psycopg", "psycopg3_check.py") }

// TestSQLAlchemy runs SQLAlchemy Core (python3-sqlalchemy, psycopg2
// dialect): engine connect, create_all, reflection of a hypertable,
// insert and select.
func TestSQLAlchemy(t *testing.T) { runPython(t, "sqlalchemy", "sqlalchemy_check.py") }
