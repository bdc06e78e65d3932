package sql

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// noticeWriter records notices as "SEVERITY code message".
type noticeWriter struct {
	textWriter
	notices []string
}

func (w *noticeWriter) Notice(severity, code, msg string) error {
	w.notices = append(w.notices, severity+" "+code+" "+msg)
	return nil
}

func plSession(t *testing.T) (func(q string) (*noticeWriter, error), Session) {
	t.Helper()
	_, s := benchSession(t, "unused")
	return func(q string) (*noticeWriter, error) {
		w := &noticeWriter{}
		return w, s.Query(context.Background(), q, w)
	}, s
}

// TestPlpgsqlNotices checks that RAISE below ERROR reaches the client as
// notices with PostgreSQL's severities and SQLSTATEs, from DO blocks,
// from functions inside queries and from nested procedures, and that
// DEBUG and LOG do not.
func TestPlpgsqlNotices(t *testing.T) {
	query, _ := plSession(t)
	mustQuery := func(q string) *noticeWriter {
		t.Helper()
		w, err := query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return w
	}
	w := mustQuery(`DO $$ BEGIN
		RAISE NOTICE 'n % %', 1, NULL;
		RAISE INFO 'i';
		RAISE WARNING 'w';
		RAISE NOTICE 'coded' USING ERRCODE = '01XYZ';
		RAISE DEBUG 'd';
		RAISE LOG 'l';
	END $$`)
	want := []string{"NOTICE 00000 n 1 <NULL>", "INFO 00000 i", "WARNING 01000 w", "NOTICE 01XYZ coded"}
	if !reflect.DeepEqual(w.notices, want) || strings.Join(w.tags, ",") != "DO" {
		t.Fatalf("DO notices %q tags %q, want %q", w.notices, w.tags, want)
	}

	mustQuery(`CREATE FUNCTION noisy(x int) RETURNS int LANGUAGE plpgsql AS $$
		BEGIN RAISE NOTICE 'noisy %', x; RETURN x * 2; END $$`)
	w = mustQuery("SELECT noisy(g) FROM generate_series(1, 3) g")
	if want := []string{"NOTICE 00000 noisy 1", "NOTICE 00000 noisy 2", "NOTICE 00000 noisy 3"}; !reflect.DeepEqual(w.notices, want) {
		t.Fatalf("function notices %q, want %q", w.notices, want)
	}
	if got := strings.Join(w.rows, "|"); got != "2|4|6" {
		t.Fatalf("rows %q", got)
	}

	mustQuery(`CREATE PROCEDURE inner_p(job_id int, config jsonb) LANGUAGE plpgsql AS $$
		BEGIN RAISE NOTICE 'Executing action % with config %', job_id, config; END $$`)
	mustQuery(`CREATE PROCEDURE outer_p() LANGUAGE plpgsql AS $$
		BEGIN CALL inner_p(7, '{"a": 1}'); PERFORM noisy(5); END $$`)
	w = mustQuery("CALL outer_p()")
	if want := []string{`NOTICE 00000 Executing action 7 with config {"a": 1}`, "NOTICE 00000 noisy 5"}; !reflect.DeepEqual(w.notices, want) {
		t.Fatalf("nested notices %q, want %q", w.notices, want)
	}
}

// TestPlpgsqlCommitExtended checks that a procedure may COMMIT when
// CALLed through the extended protocol outside a transaction block, and
// that what it committed survives a later failure in the same CALL.
func TestPlpgsqlCommitExtended(t *testing.T) {
	query, s := plSession(t)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE c (i int)",
		`CREATE PROCEDURE commit_then(fail bool) LANGUAGE plpgsql AS $$
			BEGIN INSERT INTO c VALUES (1); COMMIT; INSERT INTO c VALUES (2);
			IF fail THEN RAISE EXCEPTION 'late'; END IF; END $$`,
	} {
		if _, err := query(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := s.Prepare(ctx, "", "CALL commit_then($1)", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Bind(ctx, "", "", nil, [][]byte{[]byte("true")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(ctx, "", 0, &noticeWriter{}); err == nil || !strings.Contains(err.Error(), "late") {
		t.Fatalf("CALL: got %v, want the procedure's error", err)
	}
	_ = s.Sync(ctx)
	w, err := query("SELECT i FROM c ORDER BY i")
	if err != nil || strings.Join(w.rows, "|") != "1" {
		t.Fatalf("rows after failed CALL: %q %v, want only the committed 1", w.rows, err)
	}
}

// TestPlpgsqlSingleLineScopes checks block scoping when every
// declaration is on one line, where line numbers cannot tell blocks
// apart: an inner block's variable is initialized on entry to that
// block and is not visible after it.
func TestPlpgsqlSingleLineScopes(t *testing.T) {
	query, _ := plSession(t)
	q := `CREATE FUNCTION scopes() RETURNS text LANGUAGE plpgsql AS $$ DECLARE x int := 1; s text := ''; BEGIN x := 5; DECLARE y int := x * 2; BEGIN s := s || y; END; DECLARE x int := 100; BEGIN s := s || ',' || x; END; RETURN s || ',' || x; END $$`
	if _, err := query(q); err != nil {
		t.Fatal(err)
	}
	w, err := query("SELECT scopes()")
	if err != nil || strings.Join(w.rows, "|") != "10,100,5" {
		t.Fatalf("scopes() = %q, %v; want 10,100,5", w.rows, err)
	}
}
