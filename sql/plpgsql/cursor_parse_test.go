package plpgsql

import (
	"reflect"
	"testing"
)

// TestParseCursorStmt checks the parse of OPEN, FETCH, MOVE and CLOSE
// statements from their source text.
func TestParseCursorStmt(t *testing.T) {
	cases := []struct {
		text string
		want stmt
	}{
		{"OPEN c", &openStmt{name: "c"}},
		{`OPEN "Cur"(1, x := 'a,b')`, &openStmt{name: "Cur", args: []expr{"1", "'a,b'"}, argNames: []string{"", "x"}}},
		{"OPEN u NO SCROLL FOR SELECT 1, (2)", &openStmt{name: "u", query: "SELECT 1, (2)", noScroll: true}},
		{"OPEN u FOR EXECUTE 'SELECT ' || q USING a, f(b, c)", &openStmt{name: "u", query: "'SELECT ' || q", dynamic: true, params: []expr{"a", "f(b, c)"}}},
		{"FETCH c INTO a, b", &fetchStmt{name: "c", target: []string{"a", "b"}}},
		{"FETCH ABSOLUTE n + 1 FROM c INTO r", &fetchStmt{dir: dirAbsolute, count: "n + 1", name: "c", target: []string{"r"}}},
		{"FETCH PRIOR IN c INTO r", &fetchStmt{dir: dirPrior, name: "c", target: []string{"r"}}},
		{"MOVE BACKWARD ALL FROM c", &fetchStmt{move: true, dir: dirBackward, all: true, name: "c"}},
		{"MOVE 3 IN c", &fetchStmt{move: true, dir: dirForward, count: "3", name: "c"}},
		{"CLOSE $1", &closeStmt{name: "$1"}},
	}
	for _, c := range cases {
		got, err := parseCursorStmt(line{}, c.text)
		if err != nil {
			t.Errorf("%s: %v", c.text, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.text, got, c.want)
		}
	}
	for _, bad := range []string{"FETCH FORWARD 2 FROM c INTO x", "FETCH ALL FROM c INTO x", "CLOSE c d", "MOVE c INTO x"} {
		if _, err := parseCursorStmt(line{}, bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
