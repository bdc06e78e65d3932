package testserver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// BinEnv names the environment variable holding a prebuilt tsgres binary.
const BinEnv = "TSGRES_BIN"

var build struct {
	once sync.Once
	path string
	err  error
}

// Binary returns the path of a tsgres binary, building it on the first call
// of the process. It fails the test when the build fails.
func Binary(t testing.TB) string {
	t.Helper()
	p, err := BinaryE()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// BinaryE is Binary returning an error. The build runs once per process;
// later calls return the first result.
func BinaryE() (string, error) {
	build.once.Do(func() {
		if p := os.Getenv(BinEnv); p != "" {
			if _, err := os.Stat(p); err != nil {
				build.err = fmt.Errorf("$%s: %w", BinEnv, err)
				return
			}
			build.path, build.err = filepath.Abs(p)
			return
		}
		root, err := RepoRoot()
		if err != nil {
			build.err = err
			return
		}
		dir, err := os.MkdirTemp("", "tsgres-bin-")
		if err != nil {
			build.err = fmt.Errorf("make build dir: %w", err)
			return
		}
		out := filepath.Join(dir, "tsgres")
		cmd := exec.Command("go", "build", "-o", out, "./cmd/tsgres")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ./cmd/tsgres: %w\n%s", err, b)
			return
		}
		build.path = out
	})
	return build.path, build.err
}

// RepoRoot returns the directory holding the module's go.mod, found by
// walking up from the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repo root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find repo root: no go.mod above the working directory")
		}
		dir = parent
	}
}
