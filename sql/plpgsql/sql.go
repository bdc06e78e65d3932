package plpgsql

import (
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// SQL inside PL/pgSQL: expressions are evaluated as "SELECT expr" and
// statements run as written, both bound with the visible variables as
// parameters: $1..$n are the variables in stack order (so a routine's
// own parameters keep their numbers), an unqualified name resolves to
// the innermost variable of that name when no column has it, and
// "label.var", "routine.param" and "record.field" resolve by name.

// scope returns the visible variables as the parameters of one
// statement.
func (x *execState) scope() *Params {
	n := len(x.vars)
	sc := &Params{Types: make([]types.T, n), Names: make([]string, n), Values: make([]any, n)}
	seen := map[string]bool{}
	for i := n - 1; i >= 0; i-- {
		v := x.vars[i]
		sc.Types[i], sc.Values[i] = v.t, v.val
		if v.qual != "" && v.name != "" {
			sc.qualify(v.qual+"."+v.name, i+1)
		}
		if v.name == "" || seen[v.name] {
			continue
		}
		seen[v.name] = true
		sc.Names[i] = v.name
		if v.rec == nil {
			continue
		}
		for j, f := range v.rec.names {
			sc.Types = append(sc.Types, v.rec.types[j])
			sc.Values = append(sc.Values, v.rec.vals[j])
			sc.Names = append(sc.Names, "")
			sc.qualify(v.name+"."+f, len(sc.Types))
		}
	}
	return sc
}

// qualify makes "qualifier.name" refer to parameter param unless it
// refers to one already (an inner variable hides an outer one).
func (sc *Params) qualify(name string, param int) {
	if sc.Qualified == nil {
		sc.Qualified = map[string]int{}
	}
	if _, dup := sc.Qualified[name]; !dup {
		sc.Qualified[name] = param
	}
}

// parseOne parses a statement of the body.
func parseOne(sql string) (*parse.Statement, error) {
	ps, err := parse.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(ps) != 1 {
		return nil, pgerr.New(pgerr.SyntaxError, "query %q is not a single statement", sql)
	}
	if ps[0].IsTransactionControl() {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported transaction command in PL/pgSQL")
	}
	return ps[0], nil
}

// runSQL binds sql with the visible variables and runs it, keeping at
// most max of its rows (0: all).
func (x *execState) runSQL(sql string, max int) (*Result, error) {
	p, err := parseOne(sql)
	if err != nil {
		return nil, err
	}
	st, err := x.h.Bind(x.ctx, p, x.scope())
	if err != nil {
		return nil, x.recordError(err)
	}
	x.h.Begin()
	return st.Run(max)
}

// recordError turns the binder's error for a field of a record variable
// that holds no row yet into PostgreSQL's.
func (x *execState) recordError(err error) error {
	pe, ok := pgerr.As(err)
	const prefix = "missing FROM-clause entry for table "
	if !ok || pe.Code != pgerr.UndefinedTable || !strings.HasPrefix(pe.Message, prefix) {
		return err
	}
	name, uerr := strconv.Unquote(strings.TrimPrefix(pe.Message, prefix))
	if v := x.lookup(name); uerr == nil && v != nil && v.isRecord && v.rec == nil {
		return pgerr.New(pgerr.ObjectNotInPrerequisiteState, "record %q is not assigned yet", name).
			WithDetail("The tuple structure of a not-yet-assigned record is indeterminate.")
	}
	return err
}

// describe returns the result columns of a query without running it.
func (x *execState) describe(sql string) ([]Column, error) {
	p, err := parseOne(sql)
	if err != nil {
		return nil, err
	}
	st, err := x.h.Bind(x.ctx, p, x.scope())
	if err != nil {
		return nil, err
	}
	cols, ok := st.Columns()
	if !ok {
		return nil, pgerr.New(pgerr.SyntaxError, "%q is not a query", sql)
	}
	return cols, nil
}

// eval evaluates a PL/pgSQL expression to one value and its type.
func (x *execState) eval(expr expr) (any, types.T, error) {
	r, err := x.runSQL("SELECT "+expr, 2)
	if err != nil {
		return nil, types.T{}, err
	}
	if len(r.Columns) != 1 {
		return nil, types.T{}, pgerr.New(pgerr.SyntaxError, "query %q returned %d columns", "SELECT "+expr, len(r.Columns))
	}
	switch len(r.Rows) {
	case 0:
		return nil, r.Columns[0].Type, nil
	case 1:
		return r.Rows[0][0], r.Columns[0].Type, nil
	}
	return nil, types.T{}, pgerr.New(pgerr.CardinalityViolation, "query %q returned more than one row", "SELECT "+expr)
}

// cond evaluates a boolean condition; NULL is false.
func (x *execState) cond(expr expr) (bool, error) {
	v, t, err := x.eval(expr)
	if err != nil || v == nil {
		return false, err
	}
	b, err := x.convert(v, t, types.Bool)
	if err != nil {
		return false, err
	}
	return b.(bool), nil
}

// affected is the row count of a finished statement: rows returned,
// else the count of its command tag ("INSERT 0 3", "UPDATE 2").
func (r *Result) affected() int64 {
	if r.Columns != nil {
		return r.Count
	}
	if i := strings.LastIndexByte(r.Tag, ' '); i >= 0 {
		n, _ := strconv.ParseInt(r.Tag[i+1:], 10, 64)
		return n
	}
	return 0
}

// execSQL runs a SQL statement of the body, with or without INTO.
func (x *execState) execSQL(s *sqlStmt) error {
	max := 0
	if s.into {
		max = 2
	}
	r, err := x.runSQL(s.sql, max)
	if err != nil {
		return err
	}
	x.rowCount = r.affected()
	if !s.into {
		if r.Columns != nil {
			return pgerr.New(pgerr.SyntaxError, "query has no destination for result data").
				WithHint("If you want to discard the results of a SELECT, use PERFORM instead.")
		}
		x.setFound(x.rowCount > 0)
		return nil
	}
	if err := x.into(s.target, s.strict, r, !isSelect(s.sql)); err != nil {
		return err
	}
	x.setFound(x.rowCount > 0)
	return nil
}

func isSelect(sql string) bool {
	f := strings.Fields(strings.ToUpper(sql))
	return len(f) > 0 && (f[0] == "SELECT" || f[0] == "WITH" || f[0] == "VALUES" || f[0] == "TABLE")
}

// into assigns the first row of r to target (NULLs without rows).
// strict (or dml, for INSERT/UPDATE/DELETE RETURNING) requires exactly
// one row.
func (x *execState) into(target []string, strict bool, r *Result, dml bool) error {
	switch {
	case r.Count == 0 && strict:
		return pgerr.New("P0002", "query returned no rows")
	case r.Count > 1 && (strict || dml):
		return pgerr.New("P0003", "query returned more than one row").
			WithHint("Make sure the query returns a single row, or use LIMIT 1.")
	}
	var row []any
	if len(r.Rows) > 0 {
		row = r.Rows[0]
	}
	return x.assignRow(target, r.Columns, row)
}

// assignRow assigns a row (nil: all NULL) to a record variable or to
// the variables of target, in order.
func (x *execState) assignRow(target []string, cols []Column, row []any) error {
	vars := make([]*variable, len(target))
	for i, name := range target {
		if vars[i] = x.lookup(name); vars[i] == nil {
			return pgerr.New(pgerr.UndefinedObject, "variable %q does not exist", name)
		}
	}
	if len(vars) == 1 && vars[0].isRecord {
		vars[0].setRow(cols, row)
		return nil
	}
	for i, v := range vars {
		var val any
		t := types.Text
		if i < len(cols) {
			t = cols[i].Type
			if row != nil {
				val = row[i]
			}
		}
		if err := x.set(v, val, t); err != nil {
			return err
		}
	}
	return nil
}

// perform runs PERFORM query (and CALL), discarding the rows.
func (x *execState) perform(s *performStmt) error {
	r, err := x.runSQL(s.sql, 1)
	if err != nil {
		return err
	}
	x.rowCount = r.affected()
	x.setFound(x.rowCount > 0)
	return nil
}

// dynamic evaluates the text and USING values of an EXECUTE and binds
// the statement with those values as $1..$n.
func (x *execState) dynamic(query expr, params []expr) (*parse.Statement, []types.T, []any, error) {
	q, t, err := x.eval(query)
	if err != nil {
		return nil, nil, nil, err
	}
	if q == nil {
		return nil, nil, nil, pgerr.New(pgerr.NullValueNotAllowed, "query string argument of EXECUTE is null")
	}
	text := types.FormatText(t, q, x.h.Location())
	p, err := parseOne(text)
	if err != nil {
		return nil, nil, nil, err
	}
	ts, vals := make([]types.T, len(params)), make([]any, len(params))
	for i, e := range params {
		if vals[i], ts[i], err = x.eval(e); err != nil {
			return nil, nil, nil, err
		}
	}
	return p, ts, vals, nil
}

// runDynamic runs an EXECUTE'd statement, keeping at most max of its
// rows (0: all), and returns the statement's text with its result.
func (x *execState) runDynamic(query expr, params []expr, max int) (string, *Result, error) {
	p, ts, vals, err := x.dynamic(query, params)
	if err != nil {
		return "", nil, err
	}
	st, err := x.h.Bind(x.ctx, p, &Params{Types: ts, Values: vals})
	if err != nil {
		return "", nil, err
	}
	x.h.Begin()
	r, err := st.Run(max)
	return p.SQL, r, err
}

// dynExec runs EXECUTE query [INTO [STRICT] target] [USING ...]. It sets
// ROW_COUNT but, as in PostgreSQL, not FOUND.
func (x *execState) dynExec(s *dynExecStmt) error {
	max := 0
	if s.into {
		max = 2
	}
	sql, r, err := x.runDynamic(s.query, s.params, max)
	if err != nil {
		return err
	}
	x.rowCount = r.affected()
	if !s.into {
		return nil
	}
	return x.into(s.target, s.strict, r, !isSelect(sql))
}

// runQuery runs query, or with dynamic set the query EXECUTE computes
// from it with params, keeping at most max of its rows (0: all).
func (x *execState) runQuery(dynamic bool, query expr, params []expr, max int) (*Result, error) {
	if dynamic {
		_, r, err := x.runDynamic(query, params, max)
		return r, err
	}
	return x.runSQL(query, max)
}

// forQuery runs FOR target IN [EXECUTE] query LOOP. The rows are read
// in full first, so the body may COMMIT.
func (x *execState) forQuery(s *forQueryLoop) (ctl, error) {
	r, err := x.runQuery(s.dynamic, s.query, s.params, 0)
	if err != nil {
		return ctl{}, err
	}
	for _, row := range r.Rows {
		if err := x.assignRow(s.target, r.Columns, row); err != nil {
			return ctl{}, err
		}
		if out, done, err := x.iterate(s.label, s.body); done {
			if err == nil {
				x.setFound(true)
			}
			return out, err
		}
	}
	x.setFound(len(r.Rows) > 0)
	return ctl{}, nil
}

// getDiag runs GET [CURRENT|STACKED] DIAGNOSTICS.
func (x *execState) getDiag(s *getDiagStmt) error {
	var cur *pgerr.Error
	if s.stacked {
		if len(x.errs) == 0 {
			return pgerr.New("0Z002", "GET STACKED DIAGNOSTICS cannot be used outside an exception handler")
		}
		cur = x.errs[len(x.errs)-1]
	}
	for _, it := range s.items {
		v := x.lookup(it.target)
		if v == nil {
			return pgerr.New(pgerr.UndefinedObject, "variable %q does not exist", it.target)
		}
		var val any
		t := types.Text
		switch it.kind {
		case "ROW_COUNT":
			val, t = x.rowCount, types.Int8
		case "RETURNED_SQLSTATE":
			val = string(cur.Code)
		case "MESSAGE_TEXT":
			val = cur.Message
		case "PG_EXCEPTION_DETAIL":
			val = cur.Detail
		case "PG_EXCEPTION_HINT":
			val = cur.Hint
		case "PG_EXCEPTION_CONTEXT":
			val = cur.Where
		case "PG_CONTEXT", "COLUMN_NAME", "CONSTRAINT_NAME", "PG_DATATYPE_NAME", "TABLE_NAME", "SCHEMA_NAME":
			val = ""
		default:
			return pgerr.New(pgerr.FeatureNotSupported, "GET DIAGNOSTICS item %s is not supported", it.kind)
		}
		if err := x.set(v, val, t); err != nil {
			return err
		}
	}
	return nil
}
