package plpgsql

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// PL/pgSQL cursors. A cursor variable holds the name of a portal, which
// is a session cursor (Executor.OpenCursor) whose rows OPEN reads in
// full (Cursor), so FETCH may move in any direction and SQL-level FETCH
// can read a cursor a function opened and returned, as in PostgreSQL:
//
//	DECLARE
//	    c CURSOR (p int) FOR SELECT ... p ...;  -- bound: its name is "c"
//	    u refcursor;                            -- unbound: NULL until OPEN
//	BEGIN
//	    OPEN c(1); OPEN u FOR SELECT ...;       -- a NULL variable gets "<unnamed portal N>"
//	    FETCH [direction FROM] c INTO target; MOVE ...; CLOSE c;
//	    FOR r IN c(2) LOOP ... END LOOP;        -- opens and closes c
//
// The shared grammar cannot parse these statements (parse.PlpgsqlJSON
// hides them), so this file parses their text.

// cursorDecl is a bound cursor's declaration.
type cursorDecl struct {
	query    expr
	argNames []string
	argTypes []string
	noScroll bool
}

// fetchDir is the direction of FETCH and MOVE.
type fetchDir uint8

const (
	dirNext fetchDir = iota
	dirPrior
	dirFirst
	dirLast
	dirAbsolute
	dirRelative
	dirForward
	dirBackward
)

type (
	// openStmt is OPEN cur [(args)] or OPEN cur [[NO] SCROLL] FOR [EXECUTE] query.
	openStmt struct {
		line
		name     string
		args     []expr
		argNames []string // "" for a positional argument
		query    expr
		dynamic  bool
		params   []expr
		noScroll bool
	}
	// fetchStmt is FETCH or MOVE.
	fetchStmt struct {
		line
		move   bool
		dir    fetchDir
		count  expr // ABSOLUTE, RELATIVE, FORWARD, BACKWARD count; "" for 1
		all    bool // FORWARD ALL, BACKWARD ALL, ALL
		name   string
		target []string
	}
	// closeStmt is CLOSE cur.
	closeStmt struct {
		line
		name string
	}
	// forCursorLoop is FOR rec IN cur [(args)] LOOP.
	forCursorLoop struct {
		line
		label    string
		varName  string
		name     string
		args     []expr
		argNames []string
		body     []stmt
	}
)

// unnamedPortals numbers the portals of cursor variables opened NULL.
var unnamedPortals atomic.Int64

// fetchAll is the count of FORWARD ALL and BACKWARD ALL.
const fetchAll = int64(1) << 62

// cursorVar returns the cursor variable named name.
func (x *execState) cursorVar(name string) (*variable, error) {
	v := x.lookup(name)
	if n, err := strconv.Atoi(strings.TrimPrefix(name, "$")); err == nil && name[0] == '$' && n >= 1 && n <= len(x.vars) {
		// $n is the routine's n-th parameter (sql.go).
		v = x.vars[n-1]
	}
	if v == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "%q is not a known variable", name)
	}
	if v.cursor == nil && v.t.OID != types.OidText {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "variable %q must be of type cursor or refcursor", name)
	}
	return v, nil
}

// portalName returns the name of the portal cursor variable name holds.
func (x *execState) portalName(name string) (string, error) {
	v, err := x.cursorVar(name)
	if err != nil {
		return "", err
	}
	if v.val == nil {
		return "", pgerr.New(pgerr.NullValueNotAllowed, "cursor variable %q is null", name)
	}
	return fmt.Sprint(v.val), nil
}

func errNoCursor(name string) error {
	return pgerr.New(pgerr.InvalidCursorName, "cursor %q does not exist", name)
}

// openCheck fails when v names a portal that is open.
func (x *execState) openCheck(v *variable) error {
	if v.val == nil {
		return nil
	}
	if _, ok := x.h.Cursor(fmt.Sprint(v.val)); ok {
		return pgerr.New(pgerr.DuplicateCursor, "cursor %q already in use", fmt.Sprint(v.val))
	}
	return nil
}

// openPortal registers the rows r as the portal of cursor variable v,
// naming a NULL variable's portal "<unnamed portal N>".
func (x *execState) openPortal(v *variable, r *Result, noScroll bool) (*Cursor, string, error) {
	if r.Columns == nil {
		return nil, "", pgerr.New("42P11", "cannot open query as cursor: it returns no rows")
	}
	if v.val == nil {
		v.val = fmt.Sprintf("<unnamed portal %d>", unnamedPortals.Add(1))
	}
	name := fmt.Sprint(v.val)
	c := &Cursor{Columns: r.Columns, Rows: r.Rows, noScroll: noScroll}
	x.h.OpenCursor(name, c)
	return c, name, nil
}

// open runs OPEN.
func (x *execState) open(s *openStmt) error {
	v, err := x.cursorVar(s.name)
	if err != nil {
		return err
	}
	if err := x.openCheck(v); err != nil {
		return err
	}
	var r *Result
	switch {
	case v.cursor != nil && s.query != "":
		return pgerr.New(pgerr.SyntaxError, "cursor %q is bound to a query: OPEN it without FOR", s.name)
	case v.cursor != nil:
		if r, err = x.boundRows(s.name, v.cursor, s.args, s.argNames); err != nil {
			return err
		}
	case s.query == "":
		return pgerr.New(pgerr.SyntaxError, "syntax error, expected \"FOR\"")
	default:
		if r, err = x.runQuery(s.dynamic, s.query, s.params, 0); err != nil {
			return err
		}
	}
	_, _, err = x.openPortal(v, r, s.noScroll || v.cursor != nil && v.cursor.noScroll)
	return err
}

// boundRows runs bound cursor name's query with its arguments args
// (named by names, "" for positional ones) as variables.
func (x *execState) boundRows(name string, def *cursorDecl, args []expr, names []string) (*Result, error) {
	order, err := cursorArgOrder(name, def, args, names)
	if err != nil {
		return nil, err
	}
	vars := make([]*variable, len(def.argNames))
	for i, n := range def.argNames {
		vars[i] = &variable{name: n}
		if err := x.resolveType(vars[i], def.argTypes[i]); err != nil {
			return nil, err
		}
	}
	for i, a := range args {
		val, t, err := x.eval(a)
		if err != nil {
			return nil, err
		}
		if err := x.set(vars[order[i]], val, t); err != nil {
			return nil, err
		}
	}
	defer x.pop(x.push(vars...))
	return x.runSQL(def.query, 0)
}

// cursorArgOrder checks the arguments args (named by names, "" for
// positional ones) of OPEN or FOR on bound cursor name and returns the
// parameter each sets.
func cursorArgOrder(name string, def *cursorDecl, args []expr, names []string) ([]int, error) {
	switch {
	case len(def.argNames) == 0 && len(args) > 0:
		return nil, pgerr.New(pgerr.SyntaxError, "cursor %q has no arguments", name)
	case len(def.argNames) > 0 && len(args) == 0:
		return nil, pgerr.New(pgerr.SyntaxError, "cursor %q has arguments", name)
	case len(args) < len(def.argNames):
		return nil, pgerr.New(pgerr.SyntaxError, "not enough arguments for cursor %q", name)
	case len(args) > len(def.argNames):
		return nil, pgerr.New(pgerr.SyntaxError, "too many arguments for cursor %q", name)
	}
	order := make([]int, len(args))
	set := make([]bool, len(def.argNames))
	for i := range args {
		j := i
		if names[i] != "" {
			if j = indexOf(def.argNames, names[i]); j < 0 {
				return nil, pgerr.New(pgerr.SyntaxError, "cursor %q has no argument named %q", name, names[i])
			}
		}
		if set[j] {
			return nil, pgerr.New(pgerr.SyntaxError, "value for parameter %q of cursor %q specified more than once", def.argNames[j], name)
		}
		set[j], order[i] = true, j
	}
	return order, nil
}

// checkCursors makes PostgreSQL's CREATE-time checks of the cursor
// statements of body: arguments match their bound cursor, and FOR loops
// use a bound cursor. Cursors are found by name in any block.
func checkCursors(body []stmt) error {
	bound := map[string]*cursorDecl{}
	cursorVars := map[string]bool{}
	_ = walkPl(body, func(st stmt) error {
		if b, ok := st.(*block); ok {
			for _, d := range b.decls {
				if d.cursor != nil {
					bound[d.name] = d.cursor
				} else if strings.EqualFold(d.typ, "refcursor") {
					cursorVars[d.name] = true
				}
			}
		}
		return nil
	})
	return walkPl(body, func(st stmt) error {
		switch s := st.(type) {
		case *openStmt:
			if def := bound[s.name]; def != nil {
				_, err := cursorArgOrder(s.name, def, s.args, s.argNames)
				return err
			}
		case *forCursorLoop:
			if def := bound[s.name]; def != nil {
				_, err := cursorArgOrder(s.name, def, s.args, s.argNames)
				return err
			}
			if cursorVars[s.name] {
				return pgerr.New(pgerr.SyntaxError, "cursor FOR loop must use a bound cursor variable")
			}
		}
		return nil
	})
}

func indexOf(names []string, n string) int {
	for i, m := range names {
		if m == n {
			return i
		}
	}
	return -1
}

// fetch runs FETCH and MOVE: FOUND (and ROW_COUNT) say whether a row
// was fetched, or how many rows MOVE passed.
func (x *execState) fetch(s *fetchStmt) error {
	name, err := x.portalName(s.name)
	if err != nil {
		return err
	}
	m, ok, err := x.h.ReadCursor(x.ctx, name)
	if !ok {
		return errNoCursor(name)
	}
	if err != nil {
		return err
	}
	count := int64(1)
	if s.all {
		count = fetchAll
	} else if s.count != "" {
		v, t, err := x.eval(s.count)
		if err != nil {
			return err
		}
		if v == nil {
			return pgerr.New(pgerr.SyntaxError, "relative or absolute cursor position is null")
		}
		cv, err := x.convert(v, t, types.Int8)
		if err != nil {
			return err
		}
		count = cv.(int64)
	}
	n, err := m.seek(s.dir, count)
	if err != nil {
		return err
	}
	x.rowCount = int64(n)
	x.setFound(n > 0)
	if s.move {
		return nil
	}
	var row []any
	if n > 0 {
		row = m.Rows[m.pos-1]
	}
	return x.assignRow(s.target, m.Columns, row)
}

// closeStmt runs CLOSE.
func (x *execState) closeStmt(s *closeStmt) error {
	name, err := x.portalName(s.name)
	if err != nil {
		return err
	}
	if !x.h.CloseCursor(name) {
		return errNoCursor(name)
	}
	return nil
}

// forCursor runs FOR rec IN cur [(args)] LOOP: it opens the bound
// cursor, fetches each row into the loop's record variable, and closes
// the cursor when the loop ends.
func (x *execState) forCursor(s *forCursorLoop) (ctl, error) {
	v, err := x.cursorVar(s.name)
	if err != nil {
		return ctl{}, err
	}
	if v.cursor == nil {
		return ctl{}, pgerr.New(pgerr.SyntaxError, "cursor FOR loop must use a bound cursor variable")
	}
	if err := x.openCheck(v); err != nil {
		return ctl{}, err
	}
	wasNull := v.val == nil
	r, err := x.boundRows(s.name, v.cursor, s.args, s.argNames)
	if err != nil {
		return ctl{}, err
	}
	c, name, err := x.openPortal(v, r, v.cursor.noScroll)
	if err != nil {
		return ctl{}, err
	}
	defer func() {
		if open, _ := x.h.Cursor(name); open == c {
			x.h.CloseCursor(name)
		}
		if wasNull {
			v.val = nil
		}
	}()
	rec := &variable{name: s.varName, t: types.RecordT, isRecord: true}
	defer x.pop(x.push(rec))
	found := false
	for {
		if n, err := c.seek(dirNext, 1); err != nil || n == 0 {
			x.setFound(found)
			return ctl{}, err
		}
		found = true
		rec.setRow(c.Columns, c.Rows[c.pos-1])
		if out, done, err := x.iterate(s.label, s.body); done {
			if err == nil {
				x.setFound(true)
			}
			return out, err
		}
	}
}

// Cursor is a portal whose rows are all read: one a PL/pgSQL OPEN
// filled, or a cursor DECLAREd in SQL that PL/pgSQL has fetched from. Its
// position is 0 before the first row, i on row i, len(Rows)+1 after the
// last.
type Cursor struct {
	// Columns are the columns of the cursor's query.
	Columns []Column
	// Rows are all the rows of the query.
	Rows [][]any
	pos  int
	// noScroll refuses to move backward (NO SCROLL).
	noScroll bool
}

// NewCursor returns a cursor over rows, positioned before the first.
func NewCursor(cols []Column, rows [][]any) *Cursor {
	return &Cursor{Columns: cols, Rows: rows}
}

// seek moves the cursor as FETCH or MOVE dir count does and returns the
// number of rows it fetched (MOVE: passed); a FETCH's row is then the
// one at pos.
func (m *Cursor) seek(dir fetchDir, count int64) (int, error) {
	switch dir {
	case dirNext:
		dir, count = dirForward, 1
	case dirPrior:
		dir, count = dirBackward, 1
	case dirFirst:
		dir, count = dirAbsolute, 1
	case dirLast:
		dir, count = dirAbsolute, -1
	}
	if dir == dirForward && count < 0 {
		dir, count = dirBackward, -count
	} else if dir == dirBackward && count < 0 {
		dir, count = dirForward, -count
	}
	n, p := int64(len(m.Rows)), int64(m.pos)
	if m.noScroll && m.backward(dir, count) {
		return 0, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "cursor can only scan forward").
			WithHint("Declare it with SCROLL option to enable backward scan.")
	}
	var target int64
	switch dir {
	case dirForward:
		moved := min(count, max(0, n-p))
		m.pos = int(p + moved)
		if moved < count {
			m.pos = int(n + 1)
		}
		return int(moved), nil
	case dirBackward:
		moved := min(count, max(0, p-1))
		m.pos = int(p - moved)
		if moved < count {
			m.pos = 0
		}
		return int(moved), nil
	case dirAbsolute:
		switch {
		case count > 0:
			target = min(count, n+1)
		case count < 0:
			target = max(n+1+count, 0)
		}
	case dirRelative:
		target = min(max(p+count, 0), n+1)
	}
	m.pos = int(target)
	if target >= 1 && target <= n {
		return 1, nil
	}
	return 0, nil
}

// backward reports whether PostgreSQL moves a cursor backward (which a
// NO SCROLL cursor refuses) for dir and count (already normalized by
// seek).
func (m *Cursor) backward(dir fetchDir, count int64) bool {
	p := int64(m.pos)
	switch dir {
	case dirBackward:
		return count > 0
	case dirAbsolute:
		return count < 0 || p > 0 && count <= p
	case dirRelative:
		return count < 0 || count == 0 && p > 0
	}
	return false
}

// Forward moves the cursor forward by count rows (all when count < 0),
// as SQL FETCH and MOVE do, and returns the rows it passed.
func (m *Cursor) Forward(count int64) ([][]any, error) {
	if count < 0 {
		count = fetchAll
	}
	from := m.pos
	n, err := m.seek(dirForward, count)
	if err != nil || n == 0 {
		return nil, err
	}
	return m.Rows[from : from+n], nil
}
