package opt_test

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/storage/col"
)

// TestRules runs the scripts in testdata, one engine per file. Commands:
//
//	exec            run the statements; print "ok" or the error
//	query           run the query; print its rows
//	opt             print the plan of the query without the optimizer
//	                (input) and with it (output); the query's rows must
//	                be the same both ways
//	analyze [vary]  print EXPLAIN ANALYZE of the query, less its
//	                execution time and worker count; with vary, row and
//	                block counts read as N
//
// Run with -rewrite to regenerate the expected output.
func TestRules(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		db, err := sql.Open(sql.Options{InMemory: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := context.Background()
		s, err := db.NewSession(ctx, sql.StartupParams{User: "postgres", Database: "postgres"})
		if err != nil {
			t.Fatal(err)
		}
		run := func(q string) ([]string, error) {
			w := &textWriter{}
			err := s.Query(ctx, q, w)
			return w.rows, err
		}
		must := func(q string) []string {
			rows, err := run(q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return rows
		}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "exec":
				if _, err := run(d.Input); err != nil {
					return "error: " + err.Error() + "\n"
				}
				return "ok\n"
			case "query":
				return strings.Join(must(d.Input), "\n") + "\n"
			case "analyze":
				var lines []string
				for _, l := range must("EXPLAIN ANALYZE " + d.Input) {
					// Times and worker counts vary by run and machine.
					if strings.HasPrefix(l, "Execution Time:") || strings.Contains(l, "Workers:") {
						continue
					}
					if d.HasArg("vary") && (strings.Contains(l, "actual rows=") || strings.Contains(l, "Blocks read:") || strings.Contains(l, "Time conditions by block order:")) {
						// Parallel workers race to the early stop.
						l = digits.ReplaceAllString(l, "N")
					}
					lines = append(lines, l)
				}
				return strings.Join(lines, "\n") + "\n"
			case "opt":
				must("SET tsgres.optimizer = off")
				before := must("EXPLAIN " + d.Input)
				want := must(d.Input)
				must("SET tsgres.optimizer = on")
				after := must("EXPLAIN " + d.Input)
				got := must(d.Input)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("%s: rows differ with the optimizer\n on: %q\noff: %q", d.Input, got, want)
				}
				return fmt.Sprintf("input:\n%s\noutput:\n%s\n", strings.Join(before, "\n"), strings.Join(after, "\n"))
			}
			t.Fatalf("unknown command %q", d.Cmd)
			return ""
		})
	})
}

// digits matches the numbers "analyze vary" hides.
var digits = regexp.MustCompile(`[0-9]+`)

// textWriter collects result rows as text.
type textWriter struct{ rows []string }

func (w *textWriter) Columns([]sql.Column) error { return nil }
func (w *textWriter) Batch(b *col.Batch) error {
	for i := 0; i < b.Len(); i++ {
		var vals []string
		for _, c := range b.Cols {
			vals = append(vals, fmt.Sprint(c.Get(b.Row(i))))
		}
		w.rows = append(w.rows, strings.Join(vals, " | "))
	}
	return nil
}
func (w *textWriter) Complete(string) error               { return nil }
func (w *textWriter) EmptyQuery() error                   { return nil }
func (w *textWriter) Notice(_, _, _ string) error         { return nil }
func (w *textWriter) ParameterStatus(_, _ string) error   { return nil }
func (w *textWriter) CopyIn(bool, int) (io.Reader, error) { return nil, io.EOF }
func (w *textWriter) CopyOut(bool, int) error             { return nil }
func (w *textWriter) CopyData([]byte) error               { return nil }
