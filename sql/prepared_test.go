package sql

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage/col"
)

// textWriter is a ResultWriter recording command tags and rows as text.
type textWriter struct {
	benchWriter
	rows []string
	tags []string
}

func (w *textWriter) Complete(tag string) error { w.tags = append(w.tags, tag); return nil }

func (w *textWriter) Batch(b *col.Batch) error {
	for i := 0; i < b.Len(); i++ {
		var vals []string
		for _, c := range b.Cols {
			vals = append(vals, fmt.Sprint(c.Get(b.Row(i))))
		}
		w.rows = append(w.rows, strings.Join(vals, " "))
	}
	return nil
}

// TestPreparedNamespaceShared checks that protocol-level (Parse) and
// SQL-level (PREPARE) statements share one namespace: each kind runs
// through the other's EXECUTE path, collides with the other's names,
// and both appear in pg_prepared_statements.
func TestPreparedNamespaceShared(t *testing.T) {
	_, s := benchSession(t, "unused")
	ctx := context.Background()
	query := func(q string) (*textWriter, error) {
		w := &textWriter{}
		return w, s.Query(ctx, q, w)
	}
	if _, err := s.Prepare(ctx, "p1", "SELECT $1::int + 1", nil); err != nil {
		t.Fatal(err)
	}
	w, err := query("EXECUTE p1(41)")
	if err != nil || strings.Join(w.rows, "|") != "42" {
		t.Fatalf("EXECUTE of a Parse'd statement: %v %v", w.rows, err)
	}
	if _, err := query("PREPARE p1 AS SELECT 1"); pgerr.CodeOf(err) != pgerr.DuplicatePreparedStatement {
		t.Fatalf("PREPARE over a Parse'd name: %v", err)
	}
	if _, err := query("PREPARE p2 (int) AS SELECT $1 * 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prepare(ctx, "p2", "SELECT 1", nil); pgerr.CodeOf(err) != pgerr.DuplicatePreparedStatement {
		t.Fatalf("Parse over a PREPAREd name: %v", err)
	}
	if err := s.Bind(ctx, "", "p2", nil, [][]byte{[]byte("21")}); err != nil {
		t.Fatal(err)
	}
	w = &textWriter{}
	if _, err := s.Execute(ctx, "", 0, w); err != nil || strings.Join(w.rows, "|") != "42" {
		t.Fatalf("protocol Execute of a PREPAREd statement: %v %v", w.rows, err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	w, err = query("SELECT name, statement, from_sql, custom_plans FROM pg_prepared_statements ORDER BY name")
	if want := "p1 SELECT $1::int + 1 false 1|p2 PREPARE p2 (int) AS SELECT $1 * 2 true 1"; err != nil || strings.Join(w.rows, "|") != want {
		t.Fatalf("pg_prepared_statements:\n got %q, %v\nwant %q", strings.Join(w.rows, "|"), err, want)
	}
	if _, err := query("DEALLOCATE p1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Bind(ctx, "", "p1", nil, [][]byte{[]byte("1")}); pgerr.CodeOf(err) != pgerr.InvalidSQLStatementName {
		t.Fatalf("Bind after DEALLOCATE: %v", err)
	}
}
