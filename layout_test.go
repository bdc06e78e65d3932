// The import rules of the package layout (docs/design.md, "Packages"),
// held by a test. They live at the module root because they are about the
// module as a whole, not about one package: `go test .` here checks every
// package the module holds, and the root has no other Go files.
//
// The test reads the import graph with `go list` (no build, no network:
// GOPROXY=off) and checks each rule against every package's non-test
// imports. Test files are free to import what they like (pgx as a client,
// a storage engine for fixtures): they build no production code.
//
// A rule that does not hold yet names its current breakers in a debt
// list, with the reason and the work that removes it. The test fails when
// a package not on the list breaks the rule, and also when a listed
// package no longer does, so the lists only shrink.
package tsgres

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// modulePath is the module's import path; rule patterns without a dot in
// their first element are relative to it.
const modulePath = "github.com/tsgres/tsgres"

// layoutRules are the import rules. Each is checked on direct, non-test
// imports unless it says transitive.
//
// Two rules hold only in part transitively, and are checked that way with
// the part that does not hold left out (importRule.through):
//   - sql/plan reaches storage through catalog: catalog.Store keeps the
//     descriptors in storage (catalog -> storage), and the binder reads
//     descriptors.
//   - sql/exec reaches catalog through sql/plan and sql/table: bound plans
//     and table forms carry catalog descriptors.
var layoutRules = []importRule{
	{
		name: "sql/pgerr and storage/col are leaves",
		from: []string{"sql/pgerr", "storage/col"},
		to:   []string{"..."},
	},
	{
		name:  "sql/types sits directly above the leaves sql/pgerr and storage/col",
		from:  []string{"sql/types"},
		to:    []string{"..."},
		allow: []string{"sql/pgerr", "storage/col"},
	},
	{
		name:  "plan nodes are data: sql/plan does not import storage",
		from:  []string{"sql/plan"},
		to:    []string{"storage/..."},
		allow: []string{"storage/col"},
	},
	{
		name:       "sql/plan reaches storage only through catalog",
		from:       []string{"sql/plan"},
		to:         []string{"storage/..."},
		allow:      []string{"storage/col"},
		transitive: true,
		through:    []string{"catalog"},
	},
	{
		name: "sql/exec runs physical plans and does not import catalog",
		from: []string{"sql/exec"},
		to:   []string{"catalog/..."},
	},
	{
		name:       "sql/exec reaches catalog only through sql/plan and sql/table",
		from:       []string{"sql/exec"},
		to:         []string{"catalog/..."},
		transitive: true,
		through:    []string{"sql/plan", "sql/table"},
	},
	{
		name: "sql/plpgsql reaches the database only through its Executor",
		from: []string{"sql/plpgsql"},
		to:   []string{"storage/...", "server/..."},
	},
	{
		name: "sql/opt rewrites plans and runs nothing: no storage, executor or session",
		from: []string{"sql/opt"},
		to:   []string{"storage/...", "sql/exec", "sql/table"},
	},
	{
		name: "sql/table writes tables and runs no SQL: no executor, plans or statement drivers",
		from: []string{"sql/table"},
		to:   []string{"sql/exec", "sql/plan", "sql/dml"},
	},
	{
		name:  "sql/dml writes through sql/table's Writer, not storage",
		from:  []string{"sql/dml"},
		to:    []string{"storage/..."},
		allow: []string{"storage/col"},
	},
	{
		name:  "sql/agg folds values and summaries, not blocks or descriptors",
		from:  []string{"sql/agg"},
		to:    []string{"storage/...", "catalog/...", "sql/plan/...", "sql/exec/..."},
		allow: []string{"storage/col"},
	},
	{
		name:  "sql/ddl changes schemas and runs no queries: no executor, optimizer or wire layer",
		from:  []string{"sql/ddl"},
		to:    []string{"sql/exec", "sql/opt", "server/..."},
		allow: []string{"server/scram"},
	},
	{
		name:   "only storage imports pebble",
		from:   []string{"..."},
		exempt: []string{"storage/..."},
		to:     []string{"github.com/cockroachdb/pebble/..."},
	},
	{
		name:   "only server speaks the wire protocol (pgproto3)",
		from:   []string{"..."},
		exempt: []string{"server/..."},
		to:     []string{"github.com/jackc/pgx/v5/pgproto3/..."},
	},
	{
		name:   "only sql/parse imports pg_query",
		from:   []string{"..."},
		exempt: []string{"sql/parse/..."},
		to:     []string{"github.com/pganalyze/pg_query_go/..."},
	},
	{
		name:   "the sql root is the seam: packages below it do not import it",
		from:   []string{"sql/...", "catalog/...", "storage/..."},
		exempt: []string{"sql"},
		to:     []string{"sql"},
	},
}

// TestImportRules checks layoutRules against the module's import graph.
func TestImportRules(t *testing.T) {
	g := listImports(t)
	if len(g) < 10 {
		t.Fatalf("go list found only %d packages: %v", len(g), g)
	}
	for _, v := range checkImports(g, layoutRules) {
		t.Error(v)
	}
}

// listImports returns the import graph of the module's packages from
// `go list`, run in the module root (the test's working directory).
func listImports(t *testing.T) importGraph {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	g := importGraph{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if !match("...", f[0]) {
			t.Fatalf("go list: package %s is outside module %s", f[0], modulePath)
		}
		g[f[0]] = f[1:]
	}
	return g
}

// importGraph maps each package of the module (full import path) to its
// direct non-test imports (full import paths, ours and others').
type importGraph map[string][]string

// importRule forbids some packages of the module some imports.
//
// Patterns name packages as `go list` does: "x" is the package x and
// "x/..." is x and every package below it. A pattern whose first element
// has no dot is relative to the module ("sql/plan"; "..." alone is every
// package of the module); one with a dot is a full import path
// ("github.com/cockroachdb/pebble/...").
type importRule struct {
	// name states the rule; it heads each violation.
	name string
	// from and exempt select the packages the rule applies to: those
	// matching from and not exempt.
	from, exempt []string
	// to and allow select the forbidden imports: those matching to and
	// not allowed.
	to, allow []string
	// transitive extends the rule to every package the selected package
	// depends on, not only the ones it imports.
	transitive bool
	// through lists packages a transitive rule does not look past:
	// dependencies reached only through one of them are not checked.
	through []string
	// debt lists packages that break the rule today, each with the reason.
	// They are not reported; a listed package that no longer breaks the
	// rule is (drop it from the list, the rule now holds for it).
	debt map[string]string
}

// checkImports returns one message per broken rule, naming the rule, the
// package and the forbidden import (with the import chain for transitive
// rules), sorted.
func checkImports(g importGraph, rules []importRule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.check(g)...)
	}
	sort.Strings(out)
	return out
}

func (r importRule) check(g importGraph) []string {
	var out []string
	for _, p := range r.from {
		if !strings.HasSuffix(p, "...") && !hasPackage(g, p) {
			out = append(out, fmt.Sprintf("%s: package %s does not exist; update the rule", r.name, p))
		}
	}
	broken := map[string]bool{}
	for _, pkg := range sortedPackages(g) {
		if !matchAny(r.from, pkg) || matchAny(r.exempt, pkg) {
			continue
		}
		for _, chain := range r.offences(g, pkg) {
			if _, ok := r.debt[rel(pkg)]; ok {
				broken[rel(pkg)] = true
				continue
			}
			verb := "imports"
			if len(chain) > 2 {
				verb = "depends on"
			}
			msg := fmt.Sprintf("%s: %s %s %s", r.name, rel(pkg), verb, rel(chain[len(chain)-1]))
			if len(chain) > 2 {
				msg += " (" + relChain(chain) + ")"
			}
			out = append(out, msg)
		}
	}
	for pkg := range r.debt {
		if !broken[pkg] {
			out = append(out, fmt.Sprintf("%s: %s is on the debt list but no longer breaks the rule; remove it from the list", r.name, pkg))
		}
	}
	return out
}

// offences returns the forbidden imports of pkg, each as the import chain
// from pkg to it (two elements for a direct import).
func (r importRule) offences(g importGraph, pkg string) [][]string {
	forbidden := func(p string) bool { return matchAny(r.to, p) && !matchAny(r.allow, p) }
	var out [][]string
	if !r.transitive {
		for _, imp := range g[pkg] {
			if forbidden(imp) {
				out = append(out, []string{pkg, imp})
			}
		}
		return out
	}
	// Breadth first, so each chain is a shortest one. Forbidden packages
	// and the through packages are not looked past.
	parent := map[string]string{pkg: ""}
	queue := []string{pkg}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		imps := append([]string(nil), g[p]...)
		sort.Strings(imps)
		for _, imp := range imps {
			if _, seen := parent[imp]; seen {
				continue
			}
			parent[imp] = p
			switch {
			case forbidden(imp):
				var chain []string
				for q := imp; q != ""; q = parent[q] {
					chain = append([]string{q}, chain...)
				}
				out = append(out, chain)
			case !matchAny(r.through, imp):
				queue = append(queue, imp)
			}
		}
	}
	return out
}

// resolve turns a pattern into a full import path pattern.
func resolve(pattern string) string {
	first, _, _ := strings.Cut(pattern, "/")
	switch {
	case pattern == "...":
		return modulePath + "/..."
	case strings.Contains(first, "."):
		return pattern
	}
	return modulePath + "/" + pattern
}

// match reports whether the import path p matches pattern.
func match(pattern, p string) bool {
	full := resolve(pattern)
	if base, ok := strings.CutSuffix(full, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == full
}

func matchAny(patterns []string, p string) bool {
	for _, pat := range patterns {
		if match(pat, p) {
			return true
		}
	}
	return false
}

func hasPackage(g importGraph, pattern string) bool {
	_, ok := g[resolve(pattern)]
	return ok
}

func sortedPackages(g importGraph) []string {
	var ps []string
	for p := range g {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// rel shortens an import path of the module to its module-relative form.
func rel(p string) string {
	if p == modulePath {
		return "."
	}
	return strings.TrimPrefix(p, modulePath+"/")
}

func relChain(chain []string) string {
	r := make([]string, len(chain))
	for i, p := range chain {
		r[i] = rel(p)
	}
	return strings.Join(r, " -> ")
}
