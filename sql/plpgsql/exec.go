package plpgsql

import (
	"context"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// The PL/pgSQL interpreter: it walks a function tree (parse.go)
// with the routine's variables on a stack. Every expression and SQL
// statement of the body is bound when it runs, with the visible
// variables as named, typed parameters (sql.go), and runs in the
// caller's session and transaction.

// ctlKind says how a statement list ended.
type ctlKind uint8

const (
	ctlNext ctlKind = iota
	ctlExit
	ctlContinue
	ctlReturn
)

// ctl is the control-flow outcome of a statement: EXIT/CONTINUE carry
// their label ("" for the innermost loop).
type ctl struct {
	kind  ctlKind
	label string
}

// execState is one running call of a PL/pgSQL routine or DO block.
type execState struct {
	h    Executor
	ctx  context.Context
	vars []*variable
	// rowCount is ROW_COUNT of the last SQL statement.
	rowCount int64
	// errs are the errors being handled, innermost last.
	errs []*pgerr.Error
	// ret is the function's result (set by RETURN), cast to retT.
	ret  any
	retT types.T
	// void: a procedure, DO block or function returning void.
	void bool
	// outs are the OUT and INOUT parameters, whose values are the
	// result of a function (or CALL) having them.
	outs []*variable
	// retSet: a set-returning function, whose rows RETURN NEXT and RETURN
	// QUERY add to setRows, each with columns of types resT.
	retSet  bool
	setRows [][]any
	resT    []types.T
}

// argNamesOf returns the names of all f's parameters in declaration
// order ("" for unnamed ones): the variables its body sees.
func argNamesOf(f *catalog.Function) []string {
	params := f.AllParams()
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Name
	}
	return names
}

// Call runs PL/pgSQL function or procedure f with args in h. It
// returns the value of the routine's RETURN cast to f's result type (""
// for a procedure or a function returning void) or, for a routine with
// OUT or INOUT parameters, outs: their values in order.
func Call(ctx context.Context, h Executor, f *catalog.Function, args []any) (value any, outs []any, err error) {
	x, err := runRoutine(ctx, h, f, args)
	if err != nil {
		return nil, nil, err
	}
	if len(x.outs) > 0 {
		return nil, x.outValues(), nil
	}
	if x.void {
		return "", nil, nil
	}
	return x.ret, nil, nil
}

// CallSet runs set-returning PL/pgSQL function f with args in h and
// returns the rows its RETURN NEXT and RETURN QUERY statements added,
// each with f's result columns.
func CallSet(ctx context.Context, h Executor, f *catalog.Function, args []any) ([][]any, error) {
	x, err := runRoutine(ctx, h, f, args)
	if err != nil {
		return nil, err
	}
	return x.setRows, nil
}

// runRoutine declares f's parameters (OUT ones NULL, the others from
// args in order) and runs its body.
func runRoutine(ctx context.Context, h Executor, f *catalog.Function, args []any) (*execState, error) {
	names := argNamesOf(f)
	fn, err := parsePlpgsql(names, f.IsProcedure(), f.RetSet, f.Body)
	if err != nil {
		return nil, err
	}
	x := &execState{h: h, ctx: ctx, retT: f.Ret, void: f.IsProcedure() || f.Ret.OID == types.OidVoid,
		retSet: f.RetSet, resT: f.ResultTypes()}
	next := 0
	for i, p := range f.AllParams() {
		v := &variable{name: names[i], qual: f.Name, t: p.Type}
		if p.IsInput() || f.IsProcedure() {
			if next < len(args) && p.Mode != catalog.ParamOut {
				v.val = args[next]
			}
			next++
		}
		if !p.IsInput() || p.Mode == catalog.ParamInOut {
			x.outs = append(x.outs, v)
		}
		x.vars = append(x.vars, v)
	}
	if err := x.run(fn); err != nil {
		return nil, withContext(err, "PL/pgSQL function "+catalog.Signature(f.Name, f.ArgTypes))
	}
	return x, nil
}

// outValues are the current values of the OUT and INOUT parameters.
func (x *execState) outValues() []any {
	row := make([]any, len(x.outs))
	for i, v := range x.outs {
		row[i] = v.val
	}
	return row
}

// Do runs the body of a DO block in h.
func Do(ctx context.Context, h Executor, body string) error {
	fn, err := parsePlpgsql(nil, true, false, body)
	if err != nil {
		return err
	}
	if err := fn.check(checkOpts{procedure: true}); err != nil {
		return err
	}
	h.Begin()
	x := &execState{h: h, ctx: ctx, void: true}
	if err := x.run(fn); err != nil {
		return withContext(err, "PL/pgSQL function inline_code_block")
	}
	return nil
}

// withContext adds PostgreSQL's CONTEXT line naming the routine to err.
func withContext(err error, where string) error {
	pe, ok := pgerr.As(err)
	if !ok || pe.Where != "" {
		return err
	}
	cp := *pe
	cp.Where = where
	return &cp
}

// run executes the body after declaring FOUND.
func (x *execState) run(fn *function) error {
	x.vars = append(x.vars, &variable{name: "found", t: types.Bool, val: false})
	c, err := x.block(fn.body)
	if err != nil {
		return err
	}
	switch {
	case c.kind == ctlReturn || x.void || x.retSet || len(x.outs) > 0:
		return nil
	case c.kind == ctlExit || c.kind == ctlContinue:
		return pgerr.New(pgerr.SyntaxError, "EXIT or CONTINUE label %q is not defined", c.label)
	}
	return pgerr.New("2F005", "control reached end of function without RETURN")
}

// push adds v to the visible variables and returns the stack mark to
// restore with pop.
func (x *execState) push(v ...*variable) int {
	mark := len(x.vars)
	x.vars = append(x.vars, v...)
	return mark
}

func (x *execState) pop(mark int) { x.vars = x.vars[:mark] }

// lookup returns the innermost visible variable named name, or nil.
func (x *execState) lookup(name string) *variable {
	for i := len(x.vars) - 1; i >= 0; i-- {
		if x.vars[i].name == name {
			return x.vars[i]
		}
	}
	return nil
}

func (x *execState) stmts(ss []stmt) (ctl, error) {
	for _, st := range ss {
		if x.ctx.Err() != nil {
			return ctl{}, pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
		}
		c, err := x.stmt(st)
		if err != nil || c.kind != ctlNext {
			return c, err
		}
	}
	return ctl{}, nil
}

func (x *execState) stmt(st stmt) (ctl, error) {
	switch s := st.(type) {
	case *block:
		return x.block(s)
	case *assignStmt:
		return ctl{}, x.assign(s)
	case *ifStmt:
		return x.ifStmt(s)
	case *caseStmt:
		return x.caseStmt(s)
	case *loopStmt:
		return x.loop(s)
	case *forIntLoop:
		return x.forInt(s)
	case *forQueryLoop:
		return x.forQuery(s)
	case *foreachLoop:
		return x.foreach(s)
	case *exitStmt:
		return x.exit(s)
	case *returnStmt:
		return x.returnStmt(s)
	case *returnNextStmt:
		return ctl{}, x.returnNext(s)
	case *returnQueryStmt:
		return ctl{}, x.returnQuery(s)
	case *raiseStmt:
		return ctl{}, x.raise(s)
	case *assertStmt:
		return ctl{}, x.assert(s)
	case *sqlStmt:
		return ctl{}, x.execSQL(s)
	case *dynExecStmt:
		return ctl{}, x.dynExec(s)
	case *performStmt:
		return ctl{}, x.perform(s)
	case *getDiagStmt:
		return ctl{}, x.getDiag(s)
	case *commitStmt:
		return ctl{}, x.h.EndTransaction(x.ctx, s.rollback)
	case *openStmt:
		return ctl{}, x.open(s)
	case *fetchStmt:
		return ctl{}, x.fetch(s)
	case *closeStmt:
		return ctl{}, x.closeStmt(s)
	case *forCursorLoop:
		return x.forCursor(s)
	}
	return ctl{}, pgerr.New(pgerr.Internal, "BUG: unknown PL/pgSQL statement %T", st)
}

// block declares the block's variables, runs its body (under a
// savepoint when it has handlers) and consumes an EXIT naming it.
func (x *execState) block(b *block) (ctl, error) {
	defer x.pop(len(x.vars))
	for _, d := range b.decls {
		v, err := x.declare(d, b.label)
		if err != nil {
			return ctl{}, err
		}
		x.push(v)
	}
	var c ctl
	var err error
	if b.handlers == nil {
		c, err = x.stmts(b.body)
	} else {
		c, err = x.protected(b)
	}
	if err == nil && c.kind == ctlExit && c.label != "" && c.label == b.label {
		return ctl{}, nil
	}
	return c, err
}

// protected runs a block with an EXCEPTION clause: on an error a
// handler catches, the block's database changes are rolled back and the
// handler runs with SQLSTATE and SQLERRM set.
func (x *execState) protected(b *block) (ctl, error) {
	x.h.Begin()
	outer := x.ctx
	var rollback func()
	x.ctx, rollback = x.h.Subtransaction(outer)
	c, err := x.stmts(b.body)
	x.ctx = outer
	if err == nil {
		return c, nil
	}
	pe, ok := pgerr.As(err)
	if !ok {
		return c, err
	}
	h := matchHandler(b.handlers, pe.Code)
	if h == nil {
		return c, err
	}
	rollback()
	mark := x.push(&variable{name: "sqlstate", t: types.Text, val: string(pe.Code)},
		&variable{name: "sqlerrm", t: types.Text, val: pe.Message})
	x.errs = append(x.errs, pe)
	defer func() {
		x.errs = x.errs[:len(x.errs)-1]
		x.pop(mark)
	}()
	return x.stmts(h.body)
}

func (x *execState) ifStmt(s *ifStmt) (ctl, error) {
	for i, cond := range s.conds {
		ok, err := x.cond(cond)
		if err != nil {
			return ctl{}, err
		}
		if ok {
			return x.stmts(s.bodies[i])
		}
	}
	return x.stmts(s.els)
}

func (x *execState) caseStmt(s *caseStmt) (ctl, error) {
	if s.expr != "" {
		val, t, err := x.eval(s.expr)
		if err != nil {
			return ctl{}, err
		}
		defer x.pop(x.push(&variable{name: s.varName, t: t, val: val}))
	}
	for i, w := range s.whens {
		ok, err := x.cond(w)
		if err != nil {
			return ctl{}, err
		}
		if ok {
			return x.stmts(s.bodies[i])
		}
	}
	if !s.hasElse {
		return ctl{}, pgerr.New("20000", "case not found").WithHint("CASE statement is missing ELSE part.")
	}
	return x.stmts(s.els)
}

// returnStmt runs RETURN [expr]. A RETURN without a value in a function
// with a result is the one the parser adds at the end of every body.
func (x *execState) returnStmt(s *returnStmt) (ctl, error) {
	if x.void {
		if s.expr != "" {
			return ctl{}, pgerr.New(pgerr.DatatypeMismatch, "RETURN cannot have a parameter in a procedure")
		}
		return ctl{kind: ctlReturn}, nil
	}
	if x.retSet || len(x.outs) > 0 {
		// A RETURN with a value was refused at CREATE.
		return ctl{kind: ctlReturn}, nil
	}
	if s.expr == "" {
		return ctl{}, pgerr.New("2F005", "control reached end of function without RETURN")
	}
	val, t, err := x.eval(s.expr)
	if err != nil {
		return ctl{}, err
	}
	if x.ret, err = x.convert(val, t, x.retT); err != nil {
		return ctl{}, err
	}
	return ctl{kind: ctlReturn}, nil
}

// setFound sets the FOUND variable.
func (x *execState) setFound(b bool) {
	if v := x.lookup("found"); v != nil {
		v.val = b
	}
}

// returnNext runs RETURN NEXT [expr]: it adds the value of expr (a
// record for a function with several result columns), or the OUT
// parameters' row, to the function's result.
func (x *execState) returnNext(s *returnNextStmt) error {
	if s.expr == "" {
		x.setRows = append(x.setRows, x.outValues())
		return nil
	}
	val, t, err := x.eval(s.expr)
	if err != nil {
		return err
	}
	if len(x.resT) == 1 {
		v, err := x.convert(val, t, x.resT[0])
		if err != nil {
			return err
		}
		x.setRows = append(x.setRows, []any{v})
		return nil
	}
	row := make([]any, len(x.resT))
	if val != nil {
		r, ok := val.(*types.Record)
		if !ok || len(r.Vals) != len(x.resT) {
			return pgerr.New(pgerr.DatatypeMismatch, "wrong record type supplied in RETURN NEXT")
		}
		for i, want := range x.resT {
			if row[i], err = x.convert(r.Vals[i], r.Types[i], want); err != nil {
				return err
			}
		}
	}
	x.setRows = append(x.setRows, row)
	return nil
}

// returnQuery runs RETURN QUERY [EXECUTE] query: it adds the query's
// rows to the function's result and sets FOUND and ROW_COUNT.
func (x *execState) returnQuery(s *returnQueryStmt) error {
	r, err := x.runQuery(s.dynamic, s.query, s.params, 0)
	if err != nil {
		return err
	}
	if len(r.Columns) != len(x.resT) {
		return pgerr.New(pgerr.DatatypeMismatch, "structure of query does not match function result type").
			WithDetail("Number of returned columns (%d) does not match expected column count (%d).", len(r.Columns), len(x.resT))
	}
	from := make([]types.T, len(r.Columns))
	for i, c := range r.Columns {
		from[i] = c.Type
	}
	for _, row := range r.Rows {
		out, err := types.CastAssignRow(row, from, x.resT, x.h.Location())
		if err != nil {
			return err
		}
		x.setRows = append(x.setRows, out)
	}
	x.rowCount = int64(len(r.Rows))
	x.setFound(len(r.Rows) > 0)
	return nil
}
