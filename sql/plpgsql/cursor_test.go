package plpgsql

import "testing"

// TestCursorSeek checks FETCH and MOVE positioning, and that a NO
// SCROLL cursor refuses to move backward.
func TestCursorSeek(t *testing.T) {
	rows := [][]any{{1}, {2}, {3}}
	steps := []struct {
		dir    fetchDir
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
	m := &Cursor{Rows: rows}
	for i, s := range steps {
		n, err := m.seek(s.dir, s.count)
		if err != nil || n != s.n || m.pos != s.pos {
			t.Errorf("step %d: got n=%d pos=%d err=%v, want n=%d pos=%d", i, n, m.pos, err, s.n, s.pos)
		}
	}
	ns := &Cursor{Rows: rows, noScroll: true}
	if _, err := ns.seek(dirNext, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.seek(dirPrior, 1); err == nil {
		t.Error("NO SCROLL cursor moved backward")
	}
}
