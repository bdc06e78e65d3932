package dml_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// The COPY tests that run whole statements do so through the engine's
// seam (package sql), on an in-memory database.

// openSession opens a session on a new in-memory engine.
func openSession(tb testing.TB) sql.Session {
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
	return s
}

// rowsWriter is a ResultWriter that collects result rows as text and
// serves COPY data (copyData) through a reader that returns at most step
// bytes per Read.
type rowsWriter struct {
	copyData []byte
	tag      string
	step     int
	cols     []sql.Column
	rows     []string
}

func (w *rowsWriter) Columns(c []sql.Column) error      { w.cols = c; return nil }
func (w *rowsWriter) Complete(tag string) error         { w.tag = tag; return nil }
func (w *rowsWriter) EmptyQuery() error                 { return nil }
func (w *rowsWriter) Notice(_, _, _ string) error       { return nil }
func (w *rowsWriter) ParameterStatus(_, _ string) error { return nil }
func (w *rowsWriter) CopyOut(bool, int) error           { return nil }
func (w *rowsWriter) CopyData([]byte) error             { return nil }

func (w *rowsWriter) Batch(b *col.Batch) error {
	for i := 0; i < b.Len(); i++ {
		var f []string
		for j, v := range b.Cols {
			x := v.Get(b.Row(i))
			if x == nil {
				f = append(f, "NULL")
				continue
			}
			f = append(f, types.FormatText(w.cols[j].Type, x, nil))
		}
		w.rows = append(w.rows, strings.Join(f, "|"))
	}
	return nil
}

func (w *rowsWriter) CopyIn(bool, int) (io.Reader, error) {
	return &trickleReader{data: w.copyData, step: w.step}, nil
}

// trickleReader returns data at most step bytes per Read.
type trickleReader struct {
	data []byte
	step int
}

func (r *trickleReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.step)], r.data)
	r.data = r.data[n:]
	return n, nil
}
