package sql

import (
	"context"
	"fmt"
	"testing"

	"github.com/tsgres/tsgres/sql/parse"
)

// TestRewriteRetriesAfterMerge runs UPDATE and DELETE on a statement
// snapshot taken before a merge replaced the blocks they rewrite: each
// must run again on a fresh snapshot instead of failing with 40001, and
// change every row exactly once.
func TestRewriteRetriesAfterMerge(t *testing.T) {
	db, sess := benchSession(t, "unused")
	s := sess.(*session)
	run(t, s, "CREATE TABLE m (time timestamptz NOT NULL, v int)")
	run(t, s, "SELECT create_hypertable('m', 'time')")
	for i := 0; i < 5; i++ {
		run(t, s, fmt.Sprintf("INSERT INTO m VALUES ('2024-01-01'::timestamptz + interval '%d s', 0)", i))
	}
	oid := s.catalogSnap().Table(s.dbOID, "public", "m").OID
	for _, c := range []struct{ q, tag string }{
		{"UPDATE m SET v = v + 1", "UPDATE 5"},
		{"UPDATE m SET v = v + 1 WHERE time < '2024-01-01 00:00:02+00'", "UPDATE 2"},
		{"DELETE FROM m WHERE v = 2", "DELETE 2"},
	} {
		s.begin()
		s.txn.FixView()
		chunks := s.chunks(oid)
		if len(chunks) != 1 {
			t.Fatalf("%d chunks, want 1", len(chunks))
		}
		if err := db.store.Merge(chunks[0].ID); err != nil {
			t.Fatal(err)
		}
		ps, err := parse.Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		w := &benchWriter{}
		if err := s.runParsed(context.Background(), ps[0], nil, w, 0, nil); err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if err := s.commit(); err != nil {
			t.Fatalf("%s: commit: %v", c.q, err)
		}
		if w.tag != c.tag {
			t.Fatalf("%s: %s, want %s", c.q, w.tag, c.tag)
		}
	}
	w := &textWriter{}
	if err := s.Query(context.Background(), "SELECT count(*), sum(v) FROM m", w); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(w.rows); got != "[3 3]" {
		t.Fatalf("count, sum = %s, want [3 3]", got)
	}
}

// run executes q on s, failing the test on an error.
func run(b testing.TB, s Session, q string) {
	b.Helper()
	if err := s.Query(context.Background(), q, &benchWriter{}); err != nil {
		b.Fatalf("%s: %v", q, err)
	}
}
