package sql

import (
	"reflect"
	"testing"
)

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

func TestCursorSeek(t *testing.T) {
	rows := [][]any{{1}, {2}, {3}}
	steps := []struct {
		dir    plFetchDir
		count  int64
		n, pos int
	}{
		{dir: dirNext, n: 1, pos: 1},
		{dir: dirForward, count: 5, n: 2, pos: 4},
		{dir: dirPrior, n: 1, pos: 3},
		{dir: dirRelative, count: -5, n: 0, pos: 0},
		{dir: dirLast, n: 1, pos: 3},
		{dir: dirAbsolute, count: -3, n: 1, pos: 1},
		{dir: dirBackward, count: fetchAll, n: 0, pos: 0},
		{dir: dirAbsolute, count: 9, n: 0, pos: 4},
	}
	m := &plCursor{Rows: rows}
	for i, s := range steps {
		n, err := m.seek(s.dir, s.count)
		if err != nil || n != s.n || m.pos != s.pos {
			t.Errorf("step %d: got n=%d pos=%d err=%v, want n=%d pos=%d", i, n, m.pos, err, s.n, s.pos)
		}
	}
	ns := &plCursor{Rows: rows, noScroll: true}
	if _, err := ns.seek(dirNext, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.seek(dirPrior, 1); err == nil {
		t.Error("NO SCROLL cursor moved backward")
	}
}
