package plan

import (
	"strings"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// CreateFunction is CREATE [OR REPLACE] FUNCTION|PROCEDURE ... LANGUAGE
// sql|plpgsql.
type CreateFunction struct {
	Name      ObjectName
	Procedure bool
	Replace   bool
	ArgNames  []string
	ArgTypes  []types.T
	Ret       types.T
	// Volatility is 'i', 's' or 'v'.
	Volatility byte
	Body       string
	// Language is catalog.LangSQL or catalog.LangPlpgsql.
	Language string
	// Params, ArgDefaults, RetSet, OutNames, OutTypes and RetRel are as
	// in catalog.Function.
	Params      []catalog.Param
	ArgDefaults []string
	RetSet      bool
	OutNames    []string
	OutTypes    []types.T
	RetRel      string
}

func (*CreateFunction) stmt() {}

// invalidFunctionDefinition is SQLSTATE 42P13.
const invalidFunctionDefinition pgerr.Code = "42P13"

// FuncRunner is implemented by the engine's function context (funcs.Ctx
// Extra, and the Engine of set-returning functions): it runs a
// user-defined function's or procedure's body. CallUserSet runs a
// set-returning function and returns all its rows (one value per row,
// or the row's columns when it has OutTypes).
type FuncRunner interface {
	CallUserFunc(f *catalog.Function, args []any) (any, error)
	CallUserSet(f *catalog.Function, args []any) ([][]any, error)
}

// createFunction binds CREATE FUNCTION / CREATE PROCEDURE.
func (b *binder) createFunction(s *parse.CreateFunctionStmt) (Statement, error) {
	schema, name := funcName(s.Funcname)
	cf := &CreateFunction{Name: ObjectName{Schema: schema, Name: name}, Procedure: s.IsProcedure, Replace: s.Replace,
		Ret: types.Void, Volatility: 'v'}
	lang := ""
	for _, o := range s.Options {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		switch d.Defname {
		case "language":
			lang = strings.ToLower(strVal(d.Arg))
		case "volatility":
			cf.Volatility = strVal(d.Arg)[0]
		case "as":
			if l := d.Arg.GetList(); l != nil && len(l.Items) == 1 {
				cf.Body = strVal(l.Items[0])
			} else {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "AS 'obj_file', 'link_symbol' is not supported")
			}
		}
	}
	if lang == "" && s.SqlBody != nil {
		lang = "sql"
	}
	switch lang {
	case catalog.LangSQL, catalog.LangPlpgsql:
		cf.Language = lang
	case "":
		return nil, pgerr.New(invalidFunctionDefinition, "no language specified")
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "language %s is not supported", lang)
	}
	if s.SqlBody != nil {
		body, err := atomicBody(s.SqlBody)
		if err != nil {
			return nil, err
		}
		cf.Body = body
	}
	if err := b.functionParams(cf, s.Parameters); err != nil {
		return nil, err
	}
	if err := b.functionResult(cf, s); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cf.Body) == "" && s.SqlBody == nil {
		return nil, pgerr.New(invalidFunctionDefinition, "no function body specified")
	}
	if cf.Language == catalog.LangPlpgsql {
		// Only the PL/pgSQL grammar is checked here; the engine checks
		// the parsed body and, as PostgreSQL, binds its SQL only when
		// it runs.
		if _, err := parse.PlpgsqlJSON(cf.VarNames(), cf.Procedure, cf.RetSet, cf.Body); err != nil {
			return nil, err
		}
		return cf, nil
	}
	if _, err := parse.Parse(cf.Body); err != nil {
		return nil, err
	}
	return cf, nil
}

// doStmt binds DO [LANGUAGE plpgsql] 'body'.
func doStmt(s *parse.DoStmt) (Statement, error) {
	d := &Do{}
	lang := catalog.LangPlpgsql
	for _, a := range s.Args {
		e := a.GetDefElem()
		if e == nil {
			continue
		}
		switch e.Defname {
		case "as":
			d.Body = strVal(e.Arg)
		case "language":
			lang = strings.ToLower(strVal(e.Arg))
		}
	}
	switch lang {
	case catalog.LangPlpgsql:
	case catalog.LangSQL, "c", "internal":
		return nil, pgerr.New(pgerr.FeatureNotSupported, "language %q does not support inline code execution", lang)
	default:
		return nil, pgerr.New(pgerr.UndefinedObject, "language %q does not exist", lang)
	}
	if _, err := parse.PlpgsqlJSON(nil, true, false, d.Body); err != nil {
		return nil, err
	}
	return d, nil
}

// atomicBody turns a SQL-standard body (RETURN expr, or BEGIN ATOMIC ...
// END) into statement text.
func atomicBody(n *parse.Node) (string, error) {
	var stmts []*parse.Node
	if l := n.GetList(); l != nil {
		for _, it := range l.Items {
			if inner := it.GetList(); inner != nil {
				stmts = append(stmts, inner.Items...)
			} else {
				stmts = append(stmts, it)
			}
		}
	} else {
		stmts = []*parse.Node{n}
	}
	var parts []string
	for _, st := range stmts {
		if r := st.GetReturnStmt(); r != nil {
			st = &parse.Node{Node: &parse.Node_SelectStmt{SelectStmt: &parse.SelectStmt{
				TargetList: []*parse.Node{{Node: &parse.Node_ResTarget{ResTarget: &parse.ResTarget{Val: r.Returnval}}}},
			}}}
		}
		s, err := parse.Deparse(&parse.ParseResult{Stmts: []*parse.RawStmt{{Stmt: st}}})
		if err != nil {
			return "", pgerr.New(pgerr.FeatureNotSupported, "cannot deparse function body: %v", err)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ";\n"), nil
}

// funcArgTypes resolves the argument types of a DROP FUNCTION name; nil
// when the arguments were not given.
func (b *binder) funcArgTypes(ow *parse.ObjectWithArgs) ([]types.T, error) {
	if ow == nil || ow.ArgsUnspecified {
		return nil, nil
	}
	out := []types.T{}
	for _, a := range ow.Objargs {
		t, err := b.typeName(a.GetTypeName())
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// userOverloads returns the user-defined functions (or, for CALL,
// procedures) named schema.name as scalar overloads whose Fn runs the
// body through the FuncRunner of the function context.
func (b *binder) userOverloads(schema, name string, procedure bool) (out []*funcs.Scalar, wrongKind *catalog.Function) {
	if b.env == nil || b.env.Catalog() == nil {
		return nil, nil
	}
	for _, f := range b.env.Catalog().Functions(b.env.Database(), schema, name) {
		if f.IsProcedure() != procedure {
			wrongKind = f
			continue
		}
		out = append(out, userScalar(f))
	}
	return out, wrongKind
}

func userScalar(f *catalog.Function) *funcs.Scalar {
	// Always volatile: folding at bind time could run the body outside a
	// transaction (Prepare).
	sc := &funcs.Scalar{Name: f.Name, Args: f.ArgTypes, ArgNames: f.ArgNames, Ret: funcs.Fixed(f.Ret), Volatile: true,
		Defaults: len(f.ArgDefaults), DefaultSQL: f.ArgDefaults,
		Fn: func(ctx *funcs.Ctx, _ []types.T, args []any) (any, error) {
			r, ok := ctx.Extra.(FuncRunner)
			if !ok {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "function %s needs a session", f.Name)
			}
			if f.RetSet {
				return nil, errSetInScalar
			}
			return r.CallUserFunc(f, args)
		}}
	if len(f.OutTypes) > 0 {
		sc.OutNames, sc.OutTypes = f.OutNames, f.OutTypes
	}
	return sc
}

// errSetInScalar is PostgreSQL's error for a set-returning function
// where a single value is needed.
var errSetInScalar = pgerr.New(pgerr.FeatureNotSupported, "set-valued function called in context that cannot accept a set")

// wrongKindError is PostgreSQL's error for calling a procedure in an
// expression or CALLing a function.
func wrongKindError(f *catalog.Function, call bool) error {
	if call {
		return pgerr.New(pgerr.WrongObjectType, "%s is not a procedure", f.Name).
			WithHint("To call a function, use SELECT.")
	}
	return pgerr.New(pgerr.WrongObjectType, "%s is a procedure", f.Name).
		WithHint("To call a procedure, use CALL.")
}

// BindBody binds one statement of a user function's body: $1..$n and the
// argument names (where no column of that name is in scope) refer to the
// arguments, typed argTypes.
func BindBody(env Env, p *parse.Statement, argTypes []types.T, argNames []string, loc *time.Location) (Statement, error) {
	b := newBinder(env, argTypes, loc)
	b.lits, b.litBase = p.Literals()
	b.argNames = argNames
	return b.statement(p.Tree().Stmt, p.SQL)
}

// argRef resolves an unqualified name to a function argument, or nil.
func (b *binder) argRef(name string) Expr {
	for i, n := range b.argNames {
		if n != "" && n == name {
			return &Param{T: b.params[i], N: i + 1}
		}
	}
	return nil
}

// BindPlpgsql binds one SQL statement of a PL/pgSQL body: like BindBody,
// and qualified maps two-part references "qualifier.name" (record
// fields, label- or routine-qualified variables) to parameter numbers.
// Such references win over table columns of the same spelling.
func BindPlpgsql(env Env, p *parse.Statement, argTypes []types.T, argNames []string, qualified map[string]int, loc *time.Location) (Statement, error) {
	if len(qualified) == 0 {
		return BindBody(env, p, argTypes, argNames, loc)
	}
	// Substitute on a private copy of the original (not normalized)
	// tree: cached trees are shared, and literal placeholders would
	// collide with the parameter numbers.
	res, err := parse.Tree(p.SQL)
	if err != nil {
		return nil, err
	}
	if len(res.Stmts) != 1 {
		return nil, pgerr.New(pgerr.SyntaxError, "expected one statement in %q", p.SQL)
	}
	stmt := proto.Clone(res.Stmts[0].Stmt).(*parse.Node)
	substituteQualified(stmt.ProtoReflect(), qualified)
	b := newBinder(env, argTypes, loc)
	b.argNames = argNames
	return b.statement(stmt, p.SQL)
}

// substituteQualified replaces, in m and every message below it, each
// two-part column reference named in qualified by its parameter.
func substituteQualified(m protoreflect.Message, qualified map[string]int) {
	if n, ok := m.Interface().(*parse.Node); ok {
		if c := n.GetColumnRef(); c != nil && len(c.Fields) == 2 {
			if k, ok := qualified[strVal(c.Fields[0])+"."+strVal(c.Fields[1])]; ok {
				n.Node = &parse.Node_ParamRef{ParamRef: &parse.ParamRef{Number: int32(k), Location: c.Location}}
				return
			}
		}
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Message() == nil || fd.IsMap():
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				substituteQualified(l.Get(i).Message(), qualified)
			}
		default:
			substituteQualified(v.Message(), qualified)
		}
		return true
	})
}

// VarNames are the names of all the routine's parameters in declaration
// order ("" for unnamed ones): the variables a PL/pgSQL body sees.
func (cf *CreateFunction) VarNames() []string {
	if cf.Params == nil {
		return cf.ArgNames
	}
	out := make([]string, len(cf.Params))
	for i, p := range cf.Params {
		out[i] = p.Name
	}
	return out
}

// functionParams binds the parameter list of CREATE FUNCTION/PROCEDURE:
// ArgNames/ArgTypes get the call signature (a function's input
// parameters, every parameter of a procedure), OutNames/OutTypes the
// output ones, Params all of them when any is not IN.
func (b *binder) functionParams(cf *CreateFunction, params []*parse.Node) error {
	allIn := true
	for _, p := range params {
		fp := p.GetFunctionParameter()
		mode := byte(catalog.ParamIn)
		switch fp.Mode {
		case parse.FunctionParameterMode_FUNC_PARAM_IN, parse.FunctionParameterMode_FUNC_PARAM_DEFAULT:
		case parse.FunctionParameterMode_FUNC_PARAM_OUT:
			mode = catalog.ParamOut
		case parse.FunctionParameterMode_FUNC_PARAM_INOUT:
			mode = catalog.ParamInOut
		case parse.FunctionParameterMode_FUNC_PARAM_TABLE:
			mode = catalog.ParamTable
		default:
			return pgerr.New(pgerr.FeatureNotSupported, "VARIADIC parameters are not supported")
		}
		t, err := b.typeName(fp.ArgType)
		if err != nil {
			return err
		}
		prm := catalog.Param{Name: fp.Name, Type: t, Mode: mode}
		allIn = allIn && mode == catalog.ParamIn
		cf.Params = append(cf.Params, prm)
		if prm.IsInput() || cf.Procedure {
			cf.ArgNames = append(cf.ArgNames, fp.Name)
			cf.ArgTypes = append(cf.ArgTypes, t)
			if err := b.paramDefault(cf, fp, t); err != nil {
				return err
			}
		} else if fp.Defexpr != nil {
			return pgerr.New(invalidFunctionDefinition, "only input parameters can have default values")
		}
		if !prm.IsInput() || mode == catalog.ParamInOut {
			cf.OutNames = append(cf.OutNames, fp.Name)
			cf.OutTypes = append(cf.OutTypes, t)
		}
	}
	if allIn {
		cf.Params = nil
	}
	return nil
}

// paramDefault records the DEFAULT of a call argument, which every
// later argument must then have too.
func (b *binder) paramDefault(cf *CreateFunction, fp *parse.FunctionParameter, t types.T) error {
	if fp.Defexpr == nil {
		if len(cf.ArgDefaults) > 0 {
			return pgerr.New(invalidFunctionDefinition, "input parameters after one with a default value must also have defaults")
		}
		return nil
	}
	text, err := exprSQL(fp.Defexpr)
	if err != nil {
		return err
	}
	// The default must be an expression of the parameter's type.
	if _, err := b.paramDefaultExpr(text, t); err != nil {
		return err
	}
	cf.ArgDefaults = append(cf.ArgDefaults, text)
	return nil
}

// exprSQL deparses an expression to SQL text.
func exprSQL(n *parse.Node) (string, error) {
	sel := &parse.Node{Node: &parse.Node_SelectStmt{SelectStmt: &parse.SelectStmt{
		TargetList: []*parse.Node{{Node: &parse.Node_ResTarget{ResTarget: &parse.ResTarget{Val: n}}}},
	}}}
	s, err := parse.Deparse(&parse.ParseResult{Stmts: []*parse.RawStmt{{Stmt: sel}}})
	if err != nil {
		return "", pgerr.New(pgerr.FeatureNotSupported, "cannot deparse default expression: %v", err)
	}
	return strings.TrimPrefix(s, "SELECT "), nil
}

// paramDefaultExpr binds a parameter's DEFAULT expression text as a value of
// type t.
func (b *binder) paramDefaultExpr(text string, t types.T) (Expr, error) {
	res, err := parse.Tree("SELECT " + text)
	if err != nil {
		return nil, err
	}
	val := res.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val
	db := newBinder(b.env, nil, b.loc)
	e, err := db.expr(val, &exprCtx{sc: newScope(nil), what: "DEFAULT expressions"})
	if err != nil {
		return nil, err
	}
	return db.castTo(e, t, isUnknown(e))
}

// functionResult binds a function's result: RETURNS type, SETOF type,
// SETOF a table's row type, TABLE (...) or the OUT parameters' record.
func (b *binder) functionResult(cf *CreateFunction, s *parse.CreateFunctionStmt) error {
	if cf.Procedure {
		return nil
	}
	rt := s.ReturnType
	if rt != nil {
		cf.RetSet = rt.Setof
	}
	if len(cf.OutTypes) > 0 {
		want := types.RecordT
		if len(cf.OutTypes) == 1 {
			want = cf.OutTypes[0]
		}
		if rt != nil {
			t, err := b.typeName(rt)
			if err != nil && !isRecordName(rt) {
				return err
			}
			if isRecordName(rt) {
				t = types.RecordT
			}
			if t.OID != want.OID {
				return pgerr.New(invalidFunctionDefinition, "function result type must be %s because of OUT parameters", typeDisplay(want))
			}
		}
		cf.Ret = want
		return nil
	}
	if rt == nil {
		return pgerr.New(invalidFunctionDefinition, "function result type must be specified")
	}
	t, err := b.typeName(rt)
	if err == nil {
		cf.Ret = t
		return nil
	}
	if len(rt.Names) > 2 || len(rt.Typmods) > 0 || len(rt.ArrayBounds) > 0 {
		return err
	}
	schema, name := funcName(rt.Names)
	tbl := lookupTable(b.env, schema, name)
	if tbl == nil {
		return err
	}
	cf.Ret, cf.RetRel = types.RecordT, tbl.Name
	for _, c := range tbl.Cols {
		cf.OutNames, cf.OutTypes = append(cf.OutNames, c.Name), append(cf.OutTypes, c.Type)
	}
	return nil
}

// isRecordName reports whether a type name is record.
func isRecordName(tn *parse.TypeName) bool {
	_, name := funcName(tn.Names)
	return strings.EqualFold(name, "record")
}
