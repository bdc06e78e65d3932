package plpgsql

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports holds the package to its seam: it reaches the session only
// through Executor, so it imports neither package sql (which imports
// it) nor storage or the wire protocol, and pg_query only through
// sql/parse.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	banned := func(path string) bool {
		return path == "github.com/tsgres/tsgres/sql" ||
			strings.HasPrefix(path, "github.com/tsgres/tsgres/storage") ||
			strings.HasPrefix(path, "github.com/tsgres/tsgres/server") ||
			strings.Contains(path, "pg_query") || strings.Contains(path, "pgproto3")
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); banned(path) {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
