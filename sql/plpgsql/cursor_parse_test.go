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
		want plStmt
	}{
		{"OPEN c", &plOpen{name: "c"}},
		{`OPEN "Cur"(1, x := 'a,b')`, &plOpen{name: "Cur", args: []plExpr{"1", "'a,b'"}, argNames: []string{"", "x"}}},
		{"OPEN u NO SCROLL FOR SELECT 1, (2)", &plOpen{name: "u", query: "SELECT 1, (2)", noScroll: true}},
		{"OPEN u FOR EXECUTE 'SELECT ' || q USING a, f(b, c)", &plOpen{name: "u", query: "'SELECT ' || q", dynamic: true, params: []plExpr{"a", "f(b, c)"}}},
		{"FETCH c INTO a, b", &plFetch{name: "c", target: []string{"a", "b"}}},
		{"FETCH ABSOLUTE n + 1 FROM c INTO r", &plFetch{dir: dirAbsolute, count: "n + 1", name: "c", target: []string{"r"}}},
		{"FETCH PRIOR IN c INTO r", &plFetch{dir: dirPrior, name: "c", target: []string{"r"}}},
		{"MOVE BACKWARD ALL FROM c", &plFetch{move: true, dir: dirBackward, all: true, name: "c"}},
		{"MOVE 3 IN c", &plFetch{move: true, dir: dirForward, count: "3", name: "c"}},
		{"CLOSE $1", &plClose{name: "$1"}},
	}
	for _, c := range cases {
		got, err := parseCursorStmt(plLine{}, c.text)
		if err != nil {
			t.Errorf("%s: %v", c.text, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.text, got, c.want)
		}
	}
	for _, bad := range []string{"FETCH FORWARD 2 FROM c INTO x", "FETCH ALL FROM c INTO x", "CLOSE c d", "MOVE c INTO x"} {
		if _, err := parseCursorStmt(plLine{}, bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
