package parse

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// TestPlpgsqlCursorMarkers checks that cursor statements hidden from the
// PL/pgSQL grammar come back whole from the parsed tree, and that words
// like "open" inside expressions are left alone.
func TestPlpgsqlCursorMarkers(t *testing.T) {
	body := `DECLARE c CURSOR FOR SELECT 1; r record; open int := 0;
	BEGIN
		OPEN c;
		FETCH NEXT FROM c INTO r;
		FOR r IN c LOOP NULL; END LOOP;
		open := CASE WHEN open > 0 THEN open ELSE 1 END;
		CLOSE c;
	END`
	j, err := PlpgsqlJSON(nil, true, false, body)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal([]byte(j), &tree); err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func(any)
	walk = func(n any) {
		switch n := n.(type) {
		case []any:
			for _, e := range n {
				walk(e)
			}
		case map[string]any:
			if q, ok := n["query"].(string); ok {
				if text, ok := PlpgsqlCursorText(q); ok {
					got = append(got, text)
				}
			}
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(tree)
	sort.Strings(got)
	want := []string{"CLOSE c", "FETCH NEXT FROM c INTO r", "OPEN c", "c"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("hidden cursor statements %q, want %q", got, want)
	}
	if _, ok := PlpgsqlCursorText("SELECT open + 1"); ok {
		t.Error("an ordinary expression read as a cursor statement")
	}
}

// TestPlpgsqlErrors checks the SQLSTATEs of the grammar's errors.
func TestPlpgsqlErrors(t *testing.T) {
	for _, tc := range []struct {
		body  string
		setof bool
		code  pgerr.Code
	}{
		{"BEGIN x := ; END", false, pgerr.SyntaxError},
		{"BEGIN NULL; EXCEPTION WHEN no_such_condition THEN NULL; END", false, pgerr.UndefinedObject},
		{"BEGIN RETURN NEXT 1; END", false, pgerr.DatatypeMismatch},
		{"BEGIN RETURN NEXT 1; END", true, ""},
	} {
		_, err := PlpgsqlJSON([]string{"a", ""}, false, tc.setof, tc.body)
		var got pgerr.Code
		if err != nil {
			got = pgerr.CodeOf(err)
		}
		if got != tc.code {
			t.Errorf("%q: error %v, want SQLSTATE %q", tc.body, err, tc.code)
		}
	}
}
