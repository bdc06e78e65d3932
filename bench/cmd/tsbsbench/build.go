package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// tsbsModule is the Go module TSBS is built from; its version is the one
// bench/tsbs/go.mod requires.
const tsbsModule = "github.com/timescale/tsbs"

// tsbsTools are the TSBS commands the benchmark runs; bench/tsbs/go.mod
// names each in a tool directive.
var tsbsTools = []string{"tsbs_generate_data", "tsbs_generate_queries", "tsbs_load_timescaledb", "tsbs_run_queries_timescaledb"}

// creatorPatch is the one change TSBS needs for TimescaleDB 2.14 and
// later: its loader passes `replication_factor => NULL` to
// create_hypertable, an argument multi-node TimescaleDB had and 2.14
// removed (the call then fails). The patch omits the argument when no
// partitioning is asked for, as the peer's prebuilt tools do; tsgres
// accepts either form. Each old text must occur exactly once.
var creatorPatch = [][2]string{
	{`"replication_factor => NULL"`, `""`},
	{`'time'::name, %s, chunk_time_interval`, `'time'::name, %schunk_time_interval`},
	{`creationCommand, tableName, partitionsOption,`, `creationCommand, tableName, strings.TrimPrefix(partitionsOption+", ", ", "),`},
}

// creatorFile is the patched file, relative to the module's root.
const creatorFile = "pkg/targets/timescaledb/creator.go"

// buildTSBS builds the TSBS tools into cache/bin and returns that
// directory. The module's source is copied out of the module cache (which
// is read-only and which -overlay may not replace) into cache/src, patched
// (creatorPatch), and built with a copy of bench/tsbs/go.mod that replaces
// the module by the copy; bench/tsbs/go.mod itself stays untouched and
// its `godebug randseednop=0` keeps math/rand's Seed working, so --seed
// makes the same data and queries under current Go. The go command's
// build cache makes a rebuild take seconds.
func buildTSBS(root, cache string) (string, error) {
	modDir := filepath.Join(root, "bench", "tsbs")
	out, err := goCmd(modDir, "list", "-m", "-f", "{{.Dir}}", tsbsModule)
	if err != nil {
		return "", err
	}
	srcDir := strings.TrimSpace(out)
	src := filepath.Join(cache, "src")
	if err := os.RemoveAll(src); err != nil {
		return "", err
	}
	if err := os.CopyFS(src, os.DirFS(srcDir)); err != nil {
		return "", fmt.Errorf("copy %s: %w", tsbsModule, err)
	}
	if err := patchFile(filepath.Join(src, creatorFile), creatorPatch); err != nil {
		return "", err
	}
	mod, err := os.ReadFile(filepath.Join(modDir, "go.mod"))
	if err != nil {
		return "", err
	}
	sum, err := os.ReadFile(filepath.Join(modDir, "go.sum"))
	if err != nil {
		return "", err
	}
	modFile := filepath.Join(cache, "go.mod")
	mod = fmt.Appendf(mod, "\nreplace %s => %s\n", tsbsModule, src)
	if err := os.WriteFile(modFile, mod, 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(cache, "go.sum"), sum, 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "bin")
	if _, err := goCmd(modDir, "build", "-modfile", modFile, "-o", bin+string(filepath.Separator), "tool"); err != nil {
		return "", err
	}
	for _, t := range tsbsTools {
		if _, err := os.Stat(filepath.Join(bin, t)); err != nil {
			return "", fmt.Errorf("TSBS build made no %s: %w", t, err)
		}
	}
	return bin, nil
}

// patchFile replaces each old text of patch by its new one; each old text
// must occur exactly once, so a changed upstream file fails loudly.
func patchFile(path string, patch [][2]string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	for _, p := range patch {
		if n := strings.Count(s, p[0]); n != 1 {
			return fmt.Errorf("patch %s: %q occurs %d times, want 1", path, p[0], n)
		}
		s = strings.Replace(s, p[0], p[1], 1)
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

// goCmd runs the go command in dir and returns its standard output.
func goCmd(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}
