package dml_test

import (
	"context"
	"testing"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// TestCopyCSVEmptyQuote: an empty CSV quote is rejected as PostgreSQL
// does (it used to index the empty string and panic).
func TestCopyCSVEmptyQuote(t *testing.T) {
	s := openSession(t)
	ctx := context.Background()
	w := &rowsWriter{step: 64}
	if err := s.Query(ctx, "CREATE TABLE q (a int, b text)", w); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"COPY q FROM STDIN (FORMAT csv, QUOTE '')",
		"COPY q TO STDOUT (FORMAT csv, QUOTE '')",
	} {
		w.copyData = []byte("1,x\n")
		err := s.Query(ctx, q, w)
		if e, ok := pgerr.As(err); !ok || e.Code != pgerr.FeatureNotSupported ||
			e.Message != "COPY quote must be a single one-byte character" {
			t.Errorf("%s: %v", q, err)
		}
	}
}
