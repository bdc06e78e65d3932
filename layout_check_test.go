package tsgres

import (
	"strings"
	"testing"
)

// cleanGraph is a fake import graph that keeps every rule of layoutRules.
func cleanGraph() importGraph {
	const pebble = "github.com/cockroachdb/pebble/v2"
	const pgquery = "github.com/pganalyze/pg_query_go/v5"
	const pgproto3 = "github.com/jackc/pgx/v5/pgproto3"
	std := map[string]bool{"fmt": true, "time": true}
	g := importGraph{}
	add := func(pkg string, imports ...string) {
		var full []string
		for _, imp := range imports {
			if !std[imp] {
				imp = resolve(imp)
			}
			full = append(full, imp)
		}
		g[resolve(pkg)] = full
	}
	add("sql/pgerr", "fmt")
	add("storage/col", "fmt")
	add("sql/types", "sql/pgerr", "storage/col", "time")
	add("storage", "storage/col", "storage/encoding", pebble, pebble+"/vfs")
	add("storage/encoding", "storage/col")
	add("catalog", "sql/types", "storage")
	add("sql/parse", pgquery)
	add("sql/funcs", "sql/types")
	add("sql/plan", "catalog", "sql/funcs", "sql/parse", "sql/types", "storage/col")
	add("sql/agg", "sql/funcs", "sql/types", "storage/col")
	add("sql/opt", "catalog", "sql/plan", "sql/types")
	add("sql/table", "catalog", "storage/col")
	add("sql/exec", "sql/agg", "sql/plan", "sql/table", "storage")
	add("sql/plpgsql", "catalog", "sql/parse", "sql/pgerr", "sql/types")
	add("sql/dml", "catalog", "sql/exec", "sql/plan", "sql/table", "storage/col")
	add("sql/ddl", "catalog", "server/scram", "sql/plan", "sql/plpgsql", "sql/table", "storage")
	add("sql", "sql/ddl", "sql/dml", "sql/exec", "sql/plan", "sql/plpgsql", "catalog")
	add("server/scram", "fmt")
	add("server", "server/scram", "sql", pgproto3)
	add("continuous", "sql")
	add("cmd/tsgres", "server", "sql", "continuous")
	return g
}

// TestCheckImports makes sure every rule can fail: each case breaks one
// rule in the clean graph and expects exactly the messages named.
func TestCheckImports(t *testing.T) {
	if v := checkImports(cleanGraph(), layoutRules); len(v) > 0 {
		t.Fatalf("clean graph breaks rules:\n%s", strings.Join(v, "\n"))
	}
	for _, tc := range []struct {
		name    string
		breakIt func(g importGraph)
		want    []string // substrings, one per expected message
	}{
		{"pgerr leaf", addImport("sql/pgerr", "sql/types"),
			[]string{"are leaves: sql/pgerr imports sql/types"}},
		{"col leaf", addImport("storage/col", "sql/pgerr"),
			[]string{"are leaves: storage/col imports sql/pgerr"}},
		{"types above leaves only", addImport("sql/types", "catalog"),
			[]string{"sql/types sits directly above the leaves sql/pgerr and storage/col: sql/types imports catalog",
				"only through sql/plan and sql/table: sql/exec depends on catalog (sql/exec -> sql/agg -> sql/types -> catalog)"}},
		{"plan imports storage", addImport("sql/plan", "storage"),
			[]string{"sql/plan does not import storage: sql/plan imports storage", "only through catalog: sql/plan imports storage"}},
		{"plan imports storage/encoding", addImport("sql/plan", "storage/encoding"),
			[]string{"sql/plan does not import storage: sql/plan imports storage/encoding", "only through catalog: sql/plan imports storage/encoding"}},
		{"plan reaches storage through funcs", addImport("sql/funcs", "storage/keyenc"),
			[]string{"sql/plan reaches storage only through catalog: sql/plan depends on storage/keyenc (sql/plan -> sql/funcs -> storage/keyenc)"}},
		{"exec imports catalog", addImport("sql/exec", "catalog"),
			[]string{"does not import catalog: sql/exec imports catalog", "only through sql/plan and sql/table: sql/exec imports catalog"}},
		{"exec reaches catalog through storage", addImport("storage", "catalog"),
			[]string{"only through sql/plan and sql/table: sql/exec depends on catalog (sql/exec -> storage -> catalog)"}},
		{"plpgsql imports storage", addImport("sql/plpgsql", "storage"),
			[]string{"only through its Executor: sql/plpgsql imports storage"}},
		{"opt imports exec", addImport("sql/opt", "sql/exec"),
			[]string{"sql/opt rewrites plans and runs nothing: no storage, executor or session: sql/opt imports sql/exec"}},
		{"table imports exec", addImport("sql/table", "sql/exec"),
			[]string{"sql/table writes tables and runs no SQL: no executor, plans or statement drivers: sql/table imports sql/exec"}},
		{"dml imports storage", addImport("sql/dml", "storage"),
			[]string{"sql/dml writes through sql/table's Writer, not storage: sql/dml imports storage"}},
		{"agg imports catalog", addImport("sql/agg", "catalog"),
			[]string{"not blocks or descriptors: sql/agg imports catalog",
				"only through sql/plan and sql/table: sql/exec depends on catalog (sql/exec -> sql/agg -> catalog)"}},
		{"ddl imports exec", addImport("sql/ddl", "sql/exec"),
			[]string{"no executor, optimizer or wire layer: sql/ddl imports sql/exec"}},
		{"ddl imports server", addImport("sql/ddl", "server"),
			[]string{"no executor, optimizer or wire layer: sql/ddl imports server"}},
		{"pebble outside storage", addImport("catalog", "github.com/cockroachdb/pebble/v2"),
			[]string{"only storage imports pebble: catalog imports github.com/cockroachdb/pebble/v2"}},
		{"pgproto3 outside server", addImport("sql", "github.com/jackc/pgx/v5/pgproto3"),
			[]string{"pgproto3): sql imports github.com/jackc/pgx/v5/pgproto3"}},
		{"pg_query outside sql/parse", addImport("sql/exec", "github.com/pganalyze/pg_query_go/v5/parser"),
			[]string{"only sql/parse imports pg_query: sql/exec imports github.com/pganalyze/pg_query_go/v5/parser"}},
		{"sql/... imports sql", addImport("sql/table", "sql"),
			[]string{"do not import it: sql/table imports sql"}},
		{"catalog imports sql", addImport("catalog", "sql"),
			[]string{"do not import it: catalog imports sql"}},
		{"rule names a missing package", func(g importGraph) { delete(g, resolve("sql/types")) },
			[]string{"sql/types sits directly above the leaves sql/pgerr and storage/col: package sql/types does not exist"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := cleanGraph()
			tc.breakIt(g)
			got := checkImports(g, layoutRules)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d messages, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for _, w := range tc.want {
				found := false
				for _, msg := range got {
					found = found || strings.Contains(msg, w)
				}
				if !found {
					t.Errorf("no message contains %q; got:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

// addImport returns a graph edit that makes pkg import imp.
func addImport(pkg, imp string) func(importGraph) {
	return func(g importGraph) {
		p := resolve(pkg)
		g[p] = append(g[p], resolve(imp))
	}
}

// removeImport returns a graph edit that makes pkg stop importing imp.
func removeImport(pkg, imp string) func(importGraph) {
	return func(g importGraph) {
		p, full := resolve(pkg), resolve(imp)
		var kept []string
		for _, i := range g[p] {
			if i != full {
				kept = append(kept, i)
			}
		}
		g[p] = kept
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"...", modulePath, true},
		{"...", modulePath + "/sql/plan", true},
		{"...", "github.com/tsgres/tsgresx", false},
		{"sql", modulePath + "/sql", true},
		{"sql", modulePath + "/sql/plan", false},
		{"sql/...", modulePath + "/sql", true},
		{"sql/...", modulePath + "/sqlx", false},
		{"storage/...", modulePath + "/storage/col", true},
		{"github.com/cockroachdb/pebble/...", "github.com/cockroachdb/pebble/v2/vfs", true},
		{"github.com/jackc/pgx/v5/pgproto3/...", "github.com/jackc/pgx/v5", false},
	} {
		if got := match(tc.pattern, tc.path); got != tc.want {
			t.Errorf("match(%q, %q) = %v", tc.pattern, tc.path, got)
		}
	}
}

// TestDebtLists checks the debt mechanism on a rule of its own (the
// layout rules have no debt left): a listed breaker passes, an unlisted
// one fails, and a listed package that no longer breaks the rule fails
// too, so debt lists only shrink.
func TestDebtLists(t *testing.T) {
	rule := importRule{
		name:   "only sql/parse imports pg_query",
		from:   []string{"..."},
		exempt: []string{"sql/parse/..."},
		to:     []string{"github.com/pganalyze/pg_query_go/..."},
		debt:   map[string]string{"sql/plan": "the binder walks pg_query nodes"},
	}
	g := cleanGraph()
	addImport("sql/plan", "github.com/pganalyze/pg_query_go/v5")(g)
	if v := checkImports(g, []importRule{rule}); len(v) > 0 {
		t.Errorf("listed breaker reported: %v", v)
	}
	addImport("sql/exec", "github.com/pganalyze/pg_query_go/v5")(g)
	if v := checkImports(g, []importRule{rule}); len(v) != 1 || !strings.Contains(v[0], "sql/exec imports github.com/pganalyze/pg_query_go/v5") {
		t.Errorf("unlisted breaker: got %v", v)
	}
	if v := checkImports(cleanGraph(), []importRule{rule}); len(v) != 1 || !strings.Contains(v[0], "sql/plan is on the debt list but no longer breaks the rule") {
		t.Errorf("paid debt: got %v", v)
	}
}
