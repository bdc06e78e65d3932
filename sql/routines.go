package sql

import (
	"context"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/ddl"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// Running user-defined functions and procedures in the session: plan
// binds calls to them as scalar overloads whose Fn reaches CallUserFunc
// (or CallUserSet) through the function context, and CALL evaluates one.
// A call runs the routine's body in the caller's session and transaction,
// one level of call depth deeper; this is session state, which is why it
// lives here and not with CREATE FUNCTION in package ddl.

// maxFuncDepth bounds nested user function calls (recursion).
const maxFuncDepth = 64

type funcDepthKey struct{}

// CallUserFunc implements plan.FuncRunner: it runs f's statements with
// args in the caller's session and transaction and returns the first
// column of the last statement's first row (NULL without rows), cast to
// f's result type, or the whole row as a record for a function with OUT
// parameters. Procedures return NULL, or the record of their output
// parameters. PL/pgSQL bodies run in the interpreter (package plpgsql).
func (e *execEnv) CallUserFunc(f *catalog.Function, args []any) (any, error) {
	ctx, err := e.callDepth(f)
	if err != nil {
		return nil, err
	}
	if f.IsPlpgsql() {
		return e.callPlpgsql(ctx, f, args)
	}
	r := &rowBuffer{client: e.s.clientOf(ctx), max: 1}
	if err := e.runSQLBody(ctx, f, args, r); err != nil {
		return nil, err
	}
	if f.Ret.OID == types.OidVoid && len(f.OutTypes) == 0 {
		return "", nil
	}
	if len(r.data) == 0 {
		return nil, nil
	}
	row, err := types.CastAssignRow(r.data[0], columnTypes(r.cols), f.ResultTypes(), e.s.loc)
	if err != nil {
		return nil, err
	}
	return resultValue(f, row), nil
}

// CallUserSet implements plan.FuncRunner: it runs set-returning function
// f and returns its rows, each cast to f's result columns.
func (e *execEnv) CallUserSet(f *catalog.Function, args []any) ([][]any, error) {
	ctx, err := e.callDepth(f)
	if err != nil {
		return nil, err
	}
	if f.IsPlpgsql() {
		return e.callPlpgsqlSet(ctx, f, args)
	}
	r := &rowBuffer{client: e.s.clientOf(ctx)}
	if err := e.runSQLBody(ctx, f, args, r); err != nil {
		return nil, err
	}
	from := columnTypes(r.cols)
	for i, row := range r.data {
		if r.data[i], err = types.CastAssignRow(row, from, f.ResultTypes(), e.s.loc); err != nil {
			return nil, err
		}
	}
	return r.data, nil
}

// callDepth returns the context of a call of f one level deeper, or
// PostgreSQL's error for runaway recursion.
func (e *execEnv) callDepth(f *catalog.Function) (context.Context, error) {
	depth, _ := e.ctx.Value(funcDepthKey{}).(int)
	if depth >= maxFuncDepth {
		return nil, pgerr.New(pgerr.StatementTooComplex, "stack depth limit exceeded").
			WithHint("%s calls itself more than %d levels deep.", f.Name, maxFuncDepth)
	}
	return context.WithValue(e.ctx, funcDepthKey{}, depth+1), nil
}

// runSQLBody runs the statements of LANGUAGE sql routine f, the last
// one's rows into w (a function's result; a procedure's only when it has
// output parameters).
func (e *execEnv) runSQLBody(ctx context.Context, f *catalog.Function, args []any, w ResultWriter) error {
	// SQL bodies run atomically: a procedure they CALL cannot COMMIT.
	ctx = context.WithValue(ctx, atomicKey{}, true)
	stmts, err := parse.Parse(f.Body)
	if err != nil {
		return err
	}
	for i, p := range stmts {
		if p.IsTransactionControl() {
			return pgerr.New(pgerr.FeatureNotSupported, "transaction control in %ss is not supported", ddl.RoutineWord(f.IsProcedure()))
		}
		env := e.s.newEnv(ctx, args)
		st, err := plan.BindBody(env, p, f.ArgTypes, f.ArgNames, e.s.loc)
		if err != nil {
			return err
		}
		var out ResultWriter = discard{}
		if i == len(stmts)-1 && (!f.IsProcedure() || len(f.OutTypes) > 0) {
			out = w
		}
		if err := e.s.run(ctx, env, st, out); err != nil {
			return err
		}
	}
	return nil
}

// columnTypes returns the types of result columns cols.
func columnTypes(cols []Column) []types.T {
	ts := make([]types.T, len(cols))
	for i, c := range cols {
		ts[i] = c.Type
	}
	return ts
}

// resultValue is the value of a call of f returning row: a record for a
// function with several result columns, else the one value.
func resultValue(f *catalog.Function, row []any) any {
	if len(f.OutTypes) > 1 || f.RetRel != "" || f.IsProcedure() && len(f.OutTypes) > 0 {
		return &types.Record{Types: f.ResultTypes(), Vals: row}
	}
	return row[0]
}

// functionArg resolves a regproc-like argument naming a user function
// (any argument list) along the search path.
func (e *execEnv) functionArg(name string) (*catalog.Function, error) {
	on := parseQualified(name)
	schemas := e.SearchPath()
	if on.Schema != "" {
		schemas = []string{on.Schema}
	}
	for _, sc := range schemas {
		switch fs := e.s.catalogSnap().Functions(e.s.dbOID, sc, on.Name); len(fs) {
		case 0:
		case 1:
			return fs[0], nil
		default:
			return nil, pgerr.New("42725", "more than one function named %q", name)
		}
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "function %q does not exist", name)
}

// integerNow is the current time of integer-time hypertable t: the
// result of its integer now function.
func (e *execEnv) integerNow(t *catalog.Table) (int64, error) {
	f := e.s.catalogSnap().FunctionByOID(t.Hyper.IntegerNowFunc)
	if f == nil {
		return 0, continuous.ErrNoIntegerNow
	}
	v, err := e.CallUserFunc(f, nil)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, pgerr.New(pgerr.InvalidParameterValue, "integer_now function %s returned NULL", f.Name)
	}
	return n, nil
}
