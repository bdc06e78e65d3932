package sql

import (
	"context"
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// User-defined SQL functions and procedures: CREATE/DROP FUNCTION and
// PROCEDURE, and running their bodies (plan binds calls to them as scalar
// overloads whose Fn reaches CallUserFunc through the function context).

// maxFuncDepth bounds nested user function calls (recursion).
const maxFuncDepth = 64

type funcDepthKey struct{}

// functionStmt runs CREATE FUNCTION / PROCEDURE and DROP FUNCTION /
// PROCEDURE; ok is false for other statements.
func (s *session) functionStmt(env *execEnv, st plan.Statement, w ResultWriter) (ok bool, err error) {
	switch x := st.(type) {
	case *plan.CreateFunction:
		return true, s.createFunction(env, x, w)
	case *plan.Drop:
		if x.Kind == "FUNCTION" || x.Kind == "PROCEDURE" {
			return true, s.dropFunctions(x, w)
		}
	}
	return false, nil
}

func routineWord(procedure bool) string {
	if procedure {
		return "procedure"
	}
	return "function"
}

func (s *session) createFunction(env *execEnv, x *plan.CreateFunction, w ResultWriter) error {
	tag := "CREATE " + strings.ToUpper(routineWord(x.Procedure))
	schema := x.Name.Schema
	if schema == "" {
		for _, sc := range env.SearchPath() {
			if s.catalogSnap().Schema(s.dbOID, sc) != nil {
				schema = sc
				break
			}
		}
	} else if s.catalogSnap().Schema(s.dbOID, schema) == nil {
		return pgerr.New(pgerr.InvalidSchemaName, "schema %q does not exist", schema)
	}
	f := &catalog.Function{DB: s.dbOID, Schema: schema, Name: x.Name.Name, Kind: catalog.FuncKindFunction,
		ArgNames: x.ArgNames, ArgTypes: x.ArgTypes, Ret: x.Ret, Volatility: x.Volatility, Body: x.Body, Owner: s.user,
		Language: x.Language, Params: x.Params, ArgDefaults: x.ArgDefaults, RetSet: x.RetSet,
		OutNames: x.OutNames, OutTypes: x.OutTypes, RetRel: x.RetRel}
	if x.Procedure {
		f.Kind = catalog.FuncKindProcedure
	}
	if strings.Join(f.ArgNames, "") == "" {
		f.ArgNames = nil
	}
	check := s.checkBody
	if f.IsPlpgsql() {
		check = s.checkPlpgsql
	}
	if err := check(env, f); err != nil {
		return err
	}
	for _, old := range s.catalogSnap().Functions(s.dbOID, schema, f.Name) {
		if !old.SameArgs(f.ArgTypes) {
			continue
		}
		if !x.Replace {
			return pgerr.New(pgerr.DuplicateFunction, "%s %q already exists with same argument types", routineWord(x.Procedure), f.Name)
		}
		if old.Kind != f.Kind {
			return pgerr.New(pgerr.WrongObjectType, "cannot change routine kind").
				WithDetail("%q is a %s.", f.Name, routineWord(old.IsProcedure()))
		}
		if old.Ret.OID != f.Ret.OID || old.RetSet != f.RetSet || !sameTypes(old.OutTypes, f.OutTypes) {
			return pgerr.New("42P13", "cannot change return type of existing function").
				WithHint("Use DROP FUNCTION %s first.", f.Name)
		}
		f.OID, f.Owner = old.OID, old.Owner
	}
	if err := s.writer().PutFunction(f); err != nil {
		return err
	}
	return w.Complete(tag)
}

// checkBody validates a new function's body as PostgreSQL does with
// check_function_bodies: every statement must bind (unless the body has
// utility statements, which are only parsed), and a function's final
// statement must return a value of its result type.
func (s *session) checkBody(env *execEnv, f *catalog.Function) error {
	stmts, err := parse.Parse(f.Body)
	if err != nil {
		return err
	}
	for _, p := range stmts {
		switch p.Tag {
		case "SELECT", "INSERT", "UPDATE", "DELETE":
		default:
			return nil
		}
	}
	var last plan.Statement
	for _, p := range stmts {
		if last, err = plan.BindBody(env, p, f.ArgTypes, f.ArgNames, s.loc); err != nil {
			return err
		}
	}
	if f.IsProcedure() || f.Ret.OID == types.OidVoid {
		return nil
	}
	var cols []plan.OutCol
	switch x := last.(type) {
	case *plan.Query:
		cols = x.Node.Columns()
	case *plan.Insert:
		cols = x.RetCols
	case *plan.Update:
		cols = x.RetCols
	case *plan.Delete:
		cols = x.RetCols
	}
	if len(cols) == 0 {
		return pgerr.New("42P13", "return type mismatch in function declared to return %s", retName(f)).
			WithDetail("Function's final statement must be SELECT or INSERT/UPDATE/DELETE RETURNING.")
	}
	return checkResultCols(f, columnsOf(cols))
}

// retName is the result type's name in messages.
func retName(f *catalog.Function) string {
	if f.RetRel != "" {
		return f.RetRel
	}
	return f.Ret.Info().SQLName
}

// checkResultCols checks that a SQL function's final statement returns
// columns cols fitting its result.
func checkResultCols(f *catalog.Function, cols []Column) error {
	want := f.ResultTypes()
	mismatch := func() *pgerr.Error {
		return pgerr.New("42P13", "return type mismatch in function declared to return %s", retName(f))
	}
	switch {
	case len(want) == 1 && len(cols) != 1:
		return mismatch().WithDetail("Final statement must return exactly one column.")
	case len(cols) < len(want):
		return mismatch().WithDetail("Final statement returns too few columns.")
	case len(cols) > len(want):
		return mismatch().WithDetail("Final statement returns too many columns.")
	}
	for i, c := range cols {
		if _, _, explicit := types.CastContextOK(c.Type, want[i]); !explicit && c.Type.OID != want[i].OID {
			return mismatch().WithDetail("Actual return type is %s.", c.Type.Info().SQLName)
		}
	}
	return nil
}

// sameTypes reports whether a and b list the same types.
func sameTypes(a, b []types.T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].OID != b[i].OID {
			return false
		}
	}
	return true
}

func (s *session) dropFunctions(x *plan.Drop, w ResultWriter) error {
	snap := s.catalogSnap()
	for i, on := range x.Names {
		var args []types.T
		if i < len(x.FuncArgs) {
			args = x.FuncArgs[i]
		}
		var match []*catalog.Function
		for _, f := range snap.Functions(s.dbOID, on.Schema, on.Name) {
			if f.IsProcedure() == (x.Kind == "PROCEDURE") && (args == nil || f.SameArgs(args)) {
				match = append(match, f)
			}
		}
		word := strings.ToLower(x.Kind)
		switch {
		case len(match) == 0 && x.IfExists:
			_ = w.Notice("NOTICE", "00000", fmt.Sprintf("%s %s does not exist, skipping", word, catalog.Signature(on.Name, args)))
			continue
		case len(match) == 0 && args == nil:
			return pgerr.New(pgerr.UndefinedFunction, "could not find a %s named %q", word, on.Name)
		case len(match) == 0:
			return pgerr.New(pgerr.UndefinedFunction, "%s %s does not exist", word, catalog.Signature(on.Name, args))
		case len(match) > 1:
			return pgerr.New("42725", "%s name %q is not unique", word, on.Name).
				WithHint("Specify the argument list to select the %s unambiguously.", word)
		}
		if err := s.writer().DropFunction(match[0].OID); err != nil {
			return err
		}
	}
	return w.Complete("DROP " + x.Kind)
}

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
			return pgerr.New(pgerr.FeatureNotSupported, "transaction control in %ss is not supported", routineWord(f.IsProcedure()))
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
