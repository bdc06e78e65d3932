package continuous_test

import (
	"context"
	"io"
	"testing"

	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/storage/col"
)

// testDB opens an in-memory engine and a session on its postgres
// database.
func testDB(tb testing.TB) (*sql.DB, sql.Session) {
	tb.Helper()
	db, err := sql.Open(sql.Options{InMemory: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s, err := db.NewSession(context.Background(), sql.StartupParams{User: "postgres", Database: "postgres"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return db, s
}

// run executes q on s, failing the test on an error.
func run(tb testing.TB, s sql.Session, q string) {
	tb.Helper()
	if err := s.Query(context.Background(), q, discard{}); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// discard is a sql.ResultWriter dropping everything.
type discard struct{}

func (discard) Columns([]sql.Column) error          { return nil }
func (discard) Batch(*col.Batch) error              { return nil }
func (discard) Complete(string) error               { return nil }
func (discard) EmptyQuery() error                   { return nil }
func (discard) Notice(_, _, _ string) error         { return nil }
func (discard) ParameterStatus(_, _ string) error   { return nil }
func (discard) CopyOut(bool, int) error             { return nil }
func (discard) CopyData([]byte) error               { return nil }
func (discard) CopyIn(bool, int) (io.Reader, error) { return nil, io.EOF }
