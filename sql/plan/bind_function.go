package plan

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v5"
	"github.com/pganalyze/pg_query_go/v5/parser"
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
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
func (b *binder) createFunction(s *pg.CreateFunctionStmt) (Statement, error) {
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
		if _, err := PlpgsqlJSON(cf.VarNames(), cf.Procedure, cf.RetSet, cf.Body); err != nil {
			return nil, err
		}
		return cf, nil
	}
	if _, err := Parse(cf.Body); err != nil {
		return nil, err
	}
	return cf, nil
}

// doStmt binds DO [LANGUAGE plpgsql] 'body'.
func doStmt(s *pg.DoStmt) (Statement, error) {
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
	if _, err := PlpgsqlJSON(nil, true, false, d.Body); err != nil {
		return nil, err
	}
	return d, nil
}

// PlpgsqlJSON parses a PL/pgSQL body with PostgreSQL's own PL/pgSQL
// grammar and returns its PLpgSQL_function tree as JSON (an array of one
// function). argNames are the routine's parameter names ("" for unnamed
// ones), setof whether it returns a set. Grammar errors are 42601, and
// RETURN NEXT or RETURN QUERY outside a set-returning function 42804.
func PlpgsqlJSON(argNames []string, procedure, setof bool, body string) (string, error) {
	// The parser takes a whole CREATE statement; parameter types and
	// the result type do not matter to it.
	args := make([]string, len(argNames))
	for i, n := range argNames {
		args[i] = "int"
		if n != "" {
			args[i] = `"` + strings.ReplaceAll(n, `"`, `""`) + `" int`
		}
	}
	if setof {
		body = setofBody(body)
	}
	body = cursorBody(body)
	tag := "$plpgsql_body$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$plpgsql_body%d$", i)
	}
	head := "FUNCTION plpgsql_body(" + strings.Join(args, ", ") + ") RETURNS void"
	if setof {
		head = "FUNCTION plpgsql_body(" + strings.Join(args, ", ") + ") RETURNS SETOF int"
	}
	if procedure {
		head = "PROCEDURE plpgsql_body(" + strings.Join(args, ", ") + ")"
	}
	j, err := pg.ParsePlPgSqlToJSON("CREATE " + head + " LANGUAGE plpgsql AS " + tag + body + tag)
	if err != nil {
		msg := err.Error()
		if pe, ok := err.(*parser.Error); ok {
			msg = pe.Message
		}
		code := pgerr.SyntaxError
		switch {
		case strings.HasPrefix(msg, "unrecognized exception condition"):
			code = pgerr.UndefinedObject
		case strings.HasPrefix(msg, "cannot use RETURN "):
			code = pgerr.DatatypeMismatch
		}
		return "", pgerr.New(code, "%s", msg)
	}
	return j, nil
}

// PlpgsqlOutRow is the expression of a RETURN NEXT without one (in a
// function with OUT parameters) in the tree PlpgsqlJSON returns.
const PlpgsqlOutRow = `"?out_row?"`

var (
	returnNextBare = regexp.MustCompile(`(?i)\breturn\s+next\s*;`)
	returnNextVar  = regexp.MustCompile(`(?i)\b(return\s+next\s+)([a-z_][a-z0-9_$]*|"(?:[^"]|"")+")\s*;`)
)

// setofBody rewrites the RETURN NEXT statements of a set-returning
// function's body so the PL/pgSQL grammar keeps what they return:
// without OUT parameters known to it, it rejects a bare RETURN NEXT,
// and it keeps a lone variable only as a number the JSON tree omits.
func setofBody(body string) string {
	body = returnNextVar.ReplaceAllString(body, "${1}(${2});")
	return returnNextBare.ReplaceAllString(body, "RETURN NEXT "+PlpgsqlOutRow+";")
}

// The shared PL/pgSQL grammar gives every variable type OID 0, so it
// refuses every cursor statement (OPEN, FETCH, MOVE, CLOSE: "must be of
// type cursor or refcursor") and reads FOR r IN cur LOOP as a query.
// cursorBody hides those statements from it: each becomes
//
//	PERFORM "?plcursor?"($tag$<the statement's text>$tag$)
//
// and the cursor of a FOR loop becomes the integer range
// "?plcursor?"($tag$cur(args)$tag$)..0 (an integer FOR declares its
// loop variable as a cursor FOR does). The engine recognizes the
// marker (PlpgsqlCursorText) and parses the kept text itself. The text
// keeps its line breaks, so line numbers do not move.

// plCursorMark is the function name marking a hidden cursor statement.
const plCursorMark = `"?plcursor?"(`

// cursorStmtWords start the cursor statements cursorBody hides.
var cursorStmtWords = map[string]bool{"open": true, "fetch": true, "move": true, "close": true}

// notCursorNames are words that cannot follow OPEN, FETCH, MOVE or
// CLOSE in a cursor statement: after them the word is a column or
// variable in an expression ("CASE WHEN a THEN close ELSE open END").
var notCursorNames = map[string]bool{"else": true, "end": true, "when": true, "then": true, "and": true,
	"or": true, "is": true, "not": true, "as": true, "like": true, "between": true, "into": true}

// nonCursorQueries start the queries of FOR loops over queries.
var nonCursorQueries = map[string]bool{"select": true, "with": true, "values": true, "execute": true,
	"table": true, "reverse": true, "explain": true, "insert": true, "update": true, "delete": true}

// cursorBody rewrites the cursor statements of a PL/pgSQL body (see
// above); a body the SQL scanner cannot read is returned unchanged for
// the grammar to report.
func cursorBody(body string) string {
	sr, err := pg.Scan(body)
	if err != nil {
		return body
	}
	var toks []*pg.ScanToken
	for _, t := range sr.Tokens {
		if t.Token != pg.Token_SQL_COMMENT && t.Token != pg.Token_C_COMMENT {
			toks = append(toks, t)
		}
	}
	word := func(i int) string {
		if i >= len(toks) {
			return ""
		}
		return strings.ToLower(body[toks[i].Start:toks[i].End])
	}
	tag := "$plcur$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$plcur%d$", i)
	}
	var out strings.Builder
	last, inDecl := 0, false
	for i := 0; i < len(toks); i++ {
		w := word(i)
		switch w {
		case "declare":
			inDecl = true
		case "begin":
			inDecl = false
		}
		if inDecl || i > 0 && !stmtBoundary(word(i-1)) {
			continue
		}
		var from, to int // the tokens [from, to) to hide
		suffix := ""
		switch {
		case cursorStmtWords[w] && cursorStmt(w, word(i+1), word(i+2)):
			from, to = i, i
			for depth := 0; to < len(toks) && (word(to) != ";" || depth > 0); to++ {
				depth += parenDelta(word(to))
			}
		case w == "for" && word(i+2) == "in" && isCursorName(word(i+3)) && !nonCursorQueries[word(i+3)]:
			from, to = i+3, i+4
			if word(to) == "(" {
				for depth := 1; to+1 < len(toks) && depth > 0; {
					to++
					depth += parenDelta(word(to))
				}
				to++
			}
			if word(to) != "loop" {
				continue
			}
			suffix = "..0 "
		default:
			continue
		}
		if to >= len(toks) || to == from {
			continue
		}
		start, end := int(toks[from].Start), int(toks[to].Start)
		text := strings.TrimRight(body[start:end], " \t\r\n")
		out.WriteString(body[last:start])
		if suffix == "" {
			out.WriteString("PERFORM ")
		}
		out.WriteString(plCursorMark + tag + text + tag + ")" + suffix + body[start+len(text):end])
		last, i = end, to-1
	}
	if last == 0 {
		return body
	}
	out.WriteString(body[last:])
	return out.String()
}

// stmtBoundary reports whether a statement may start after token w.
func stmtBoundary(w string) bool {
	switch w {
	case ";", "begin", "loop", "then", "else", ">>":
		return true
	}
	return false
}

// cursorStmt reports whether OPEN, FETCH, MOVE or CLOSE (w) followed by
// next and then after starts a cursor statement.
func cursorStmt(w, next, after string) bool {
	if !isCursorName(next) || notCursorNames[next] {
		return false
	}
	switch w {
	case "open":
		return after == ";" || after == "(" || after == "for" || after == "scroll" || after == "no"
	case "close":
		return after == ";"
	}
	return true
}

// isCursorName reports whether token w is an identifier or a
// parameter reference ($1).
func isCursorName(w string) bool {
	if w == "" {
		return false
	}
	c := w[0]
	return c == '"' || c == '$' || c == '_' || c >= 'a' && c <= 'z' || c >= 0x80
}

func parenDelta(w string) int {
	switch w {
	case "(", "[":
		return 1
	case ")", "]":
		return -1
	}
	return 0
}

// PlpgsqlCursorText returns the cursor statement (or FOR loop cursor)
// text that cursorBody hid in expression expr of the parsed tree:
// "SELECT <mark>" for a statement, "<mark>" for a FOR loop's lower bound.
func PlpgsqlCursorText(expr string) (string, bool) {
	expr = strings.TrimPrefix(expr, "SELECT ")
	if !strings.HasPrefix(expr, plCursorMark) || !strings.HasSuffix(expr, ")") {
		return "", false
	}
	inner := expr[len(plCursorMark) : len(expr)-1]
	end := strings.IndexByte(inner[1:], '$')
	if !strings.HasPrefix(inner, "$") || end < 0 {
		return "", false
	}
	tag := inner[:end+2]
	if len(inner) < 2*len(tag) || !strings.HasSuffix(inner, tag) {
		return "", false
	}
	return inner[len(tag) : len(inner)-len(tag)], true
}

// atomicBody turns a SQL-standard body (RETURN expr, or BEGIN ATOMIC ...
// END) into statement text.
func atomicBody(n *pg.Node) (string, error) {
	var stmts []*pg.Node
	if l := n.GetList(); l != nil {
		for _, it := range l.Items {
			if inner := it.GetList(); inner != nil {
				stmts = append(stmts, inner.Items...)
			} else {
				stmts = append(stmts, it)
			}
		}
	} else {
		stmts = []*pg.Node{n}
	}
	var parts []string
	for _, st := range stmts {
		if r := st.GetReturnStmt(); r != nil {
			st = &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: &pg.SelectStmt{
				TargetList: []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: r.Returnval}}}},
			}}}
		}
		s, err := pg.Deparse(&pg.ParseResult{Stmts: []*pg.RawStmt{{Stmt: st}}})
		if err != nil {
			return "", pgerr.New(pgerr.FeatureNotSupported, "cannot deparse function body: %v", err)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ";\n"), nil
}

// funcArgTypes resolves the argument types of a DROP FUNCTION name; nil
// when the arguments were not given.
func (b *binder) funcArgTypes(ow *pg.ObjectWithArgs) ([]types.T, error) {
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
func BindBody(env Env, p *Parsed, argTypes []types.T, argNames []string, loc *time.Location) (Statement, error) {
	b := newBinder(env, argTypes, loc)
	b.lits, b.litBase = p.lits, p.base
	b.argNames = argNames
	return b.statement(p.raw.Stmt, p.SQL)
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
func BindPlpgsql(env Env, p *Parsed, argTypes []types.T, argNames []string, qualified map[string]int, loc *time.Location) (Statement, error) {
	if len(qualified) == 0 {
		return BindBody(env, p, argTypes, argNames, loc)
	}
	// Substitute on a private copy of the original (not normalized)
	// tree: cached trees are shared, and literal placeholders would
	// collide with the parameter numbers.
	res, err := parseCached(p.SQL)
	if err != nil {
		return nil, err
	}
	if len(res.Stmts) != 1 {
		return nil, pgerr.New(pgerr.SyntaxError, "expected one statement in %q", p.SQL)
	}
	stmt := proto.Clone(res.Stmts[0].Stmt).(*pg.Node)
	substituteQualified(stmt.ProtoReflect(), qualified)
	b := newBinder(env, argTypes, loc)
	b.argNames = argNames
	return b.statement(stmt, p.SQL)
}

// substituteQualified replaces, in m and every message below it, each
// two-part column reference named in qualified by its parameter.
func substituteQualified(m protoreflect.Message, qualified map[string]int) {
	if n, ok := m.Interface().(*pg.Node); ok {
		if c := n.GetColumnRef(); c != nil && len(c.Fields) == 2 {
			if k, ok := qualified[strVal(c.Fields[0])+"."+strVal(c.Fields[1])]; ok {
				n.Node = &pg.Node_ParamRef{ParamRef: &pg.ParamRef{Number: int32(k), Location: c.Location}}
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
func (b *binder) functionParams(cf *CreateFunction, params []*pg.Node) error {
	allIn := true
	for _, p := range params {
		fp := p.GetFunctionParameter()
		mode := byte(catalog.ParamIn)
		switch fp.Mode {
		case pg.FunctionParameterMode_FUNC_PARAM_IN, pg.FunctionParameterMode_FUNC_PARAM_DEFAULT:
		case pg.FunctionParameterMode_FUNC_PARAM_OUT:
			mode = catalog.ParamOut
		case pg.FunctionParameterMode_FUNC_PARAM_INOUT:
			mode = catalog.ParamInOut
		case pg.FunctionParameterMode_FUNC_PARAM_TABLE:
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
func (b *binder) paramDefault(cf *CreateFunction, fp *pg.FunctionParameter, t types.T) error {
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
func exprSQL(n *pg.Node) (string, error) {
	sel := &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: &pg.SelectStmt{
		TargetList: []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: n}}}},
	}}}
	s, err := pg.Deparse(&pg.ParseResult{Stmts: []*pg.RawStmt{{Stmt: sel}}})
	if err != nil {
		return "", pgerr.New(pgerr.FeatureNotSupported, "cannot deparse default expression: %v", err)
	}
	return strings.TrimPrefix(s, "SELECT "), nil
}

// paramDefaultExpr binds a parameter's DEFAULT expression text as a value of
// type t.
func (b *binder) paramDefaultExpr(text string, t types.T) (Expr, error) {
	res, err := parseCached("SELECT " + text)
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
func (b *binder) functionResult(cf *CreateFunction, s *pg.CreateFunctionStmt) error {
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
func isRecordName(tn *pg.TypeName) bool {
	_, name := funcName(tn.Names)
	return strings.EqualFold(name, "record")
}
