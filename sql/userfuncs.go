package sql

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
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
		Language: x.Language}
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
		if old.Ret.OID != f.Ret.OID {
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
	stmts, err := plan.Parse(f.Body)
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
	q, ok := last.(*plan.Query)
	if !ok {
		return pgerr.New("42P13", "return type mismatch in function declared to return %s", f.Ret.Info().SQLName).
			WithDetail("Function's final statement must be SELECT or INSERT/UPDATE/DELETE RETURNING.")
	}
	cols := columnsOf(q.Node.Columns())
	if len(cols) != 1 {
		return pgerr.New("42P13", "return type mismatch in function declared to return %s", f.Ret.Info().SQLName).
			WithDetail("Final statement must return exactly one column.")
	}
	if _, _, explicit := types.CastContextOK(cols[0].Type, f.Ret); !explicit && cols[0].Type.OID != f.Ret.OID {
		return pgerr.New("42P13", "return type mismatch in function declared to return %s", f.Ret.Info().SQLName).
			WithDetail("Actual return type is %s.", cols[0].Type.Info().SQLName)
	}
	return nil
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
			_ = w.Notice("NOTICE", "00000", fmt.Sprintf("%s %s does not exist, skipping", word, signature(on.Name, args)))
			continue
		case len(match) == 0 && args == nil:
			return pgerr.New(pgerr.UndefinedFunction, "could not find a %s named %q", word, on.Name)
		case len(match) == 0:
			return pgerr.New(pgerr.UndefinedFunction, "%s %s does not exist", word, signature(on.Name, args))
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

// signature renders name(type, ...) as PostgreSQL's messages do.
func signature(name string, args []types.T) string {
	ts := make([]string, len(args))
	for i, t := range args {
		ts[i] = t.Info().SQLName
	}
	return name + "(" + strings.Join(ts, ", ") + ")"
}

// CallUserFunc implements plan.FuncRunner: it runs f's statements with
// args in the caller's session and transaction and returns the first
// column of the last statement's first row (NULL without rows), cast to
// f's result type. Procedures return NULL. PL/pgSQL bodies run in the
// interpreter (plpgsql_exec.go).
func (e *execEnv) CallUserFunc(f *catalog.Function, args []any) (any, error) {
	depth, _ := e.ctx.Value(funcDepthKey{}).(int)
	if depth >= maxFuncDepth {
		return nil, pgerr.New(pgerr.StatementTooComplex, "stack depth limit exceeded").
			WithHint("%s calls itself more than %d levels deep.", f.Name, maxFuncDepth)
	}
	ctx := context.WithValue(e.ctx, funcDepthKey{}, depth+1)
	if f.IsPlpgsql() {
		return e.callPlpgsql(ctx, f, args)
	}
	// SQL bodies run atomically: a procedure they CALL cannot COMMIT.
	ctx = context.WithValue(ctx, atomicKey{}, true)
	stmts, err := plan.Parse(f.Body)
	if err != nil {
		return nil, err
	}
	out := &firstValue{}
	for i, p := range stmts {
		if p.IsTransactionControl() {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "transaction control in %ss is not supported", routineWord(f.IsProcedure()))
		}
		env := e.s.newEnv(ctx, args)
		st, err := plan.BindBody(env, p, f.ArgTypes, f.ArgNames, e.s.loc)
		if err != nil {
			return nil, err
		}
		var w ResultWriter = discard{}
		if i == len(stmts)-1 && !f.IsProcedure() {
			w = out
		}
		if err := e.s.run(ctx, env, st, w); err != nil {
			return nil, err
		}
	}
	if f.IsProcedure() || f.Ret.OID == types.OidVoid {
		return "", nil
	}
	if out.v == nil || out.t.OID == f.Ret.OID {
		return out.v, nil
	}
	return types.CastAssign(out.v, out.t, f.Ret, e.s.loc)
}

// firstValue is a ResultWriter keeping the first column of the first row.
type firstValue struct {
	t   types.T
	v   any
	got bool
}

func (f *firstValue) Columns(cols []Column) error {
	if len(cols) > 0 {
		f.t = cols[0].Type
	}
	return nil
}

func (f *firstValue) Batch(b *col.Batch) error {
	if !f.got && b.Len() > 0 && len(b.Cols) > 0 {
		f.v, f.got = b.Cols[0].Get(b.Row(0)), true
	}
	return nil
}

func (*firstValue) Complete(string) error                { return nil }
func (*firstValue) EmptyQuery() error                    { return nil }
func (*firstValue) Notice(string, string, string) error  { return nil }
func (*firstValue) ParameterStatus(string, string) error { return nil }
func (*firstValue) CopyData([]byte) error                { return nil }
func (*firstValue) CopyOut(bool, int) error              { return errNoCopy }
func (*firstValue) CopyIn(bool, int) (io.Reader, error)  { return nil, errNoCopy }

func init() {
	funcs.RegisterScalar(&funcs.Scalar{Name: "set_integer_now_func", Args: []types.T{anyT, types.Text, types.Bool},
		ArgNames: []string{"hypertable", "integer_now_func", "replace_if_exists"}, Defaults: 1,
		Ret: funcs.Fixed(types.Void), Volatile: true, Fn: setIntegerNowFunc})
}

// setIntegerNowFunc is set_integer_now_func(hypertable, integer_now_func,
// replace_if_exists): it records the function policies on an
// integer-time hypertable take as "now", validated as TimescaleDB does.
func setIntegerNowFunc(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	t, err := e.hypertableArg(argAt(a, 0))
	if err != nil {
		return nil, err
	}
	if t.Hyper.IntegerNowFunc != 0 && !boolAt(a, 2, false) {
		return nil, pgerr.New(pgerr.DuplicateObject, "custom time function already set for hypertable %q", t.Name)
	}
	tt := t.Cols[t.ColByID(t.Hyper.TimeCol)].Type
	if !tt.IsInteger() {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "custom time function not supported").
			WithHint("A custom time function can only be set for hypertables that have integer time dimensions.")
	}
	name, _ := argAt(a, 1).(string)
	f, err := e.functionArg(name)
	if err != nil {
		return nil, err
	}
	if len(f.ArgTypes) != 0 || f.IsProcedure() || f.Volatility == 'v' {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid custom time function").
			WithHint("A custom time function must take no arguments and be STABLE.")
	}
	if f.Ret.OID != tt.OID {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid custom time function").
			WithHint("The return type of the custom time function must be the same as the type of the time column of the hypertable.")
	}
	c := t.Clone()
	c.Hyper.IntegerNowFunc = f.OID
	return "", e.s.writer().PutTable(c)
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
		return 0, errNoIntegerNow
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

// errNoIntegerNow is TimescaleDB's error for an integer-time policy on a
// hypertable without set_integer_now_func.
var errNoIntegerNow = pgerr.New(pgerr.UndefinedFunction, "integer_now function not set")
