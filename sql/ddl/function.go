package ddl

import (
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/plpgsql"
	"github.com/tsgres/tsgres/sql/types"
)

// User-defined functions and procedures: CREATE [OR REPLACE] FUNCTION and
// PROCEDURE, and DROP FUNCTION and PROCEDURE. Calling them is the
// engine's (a call runs the body in the caller's session), not this
// package's.

// functionStmt runs CREATE FUNCTION / PROCEDURE and DROP FUNCTION /
// PROCEDURE; ok is false for other statements.
func functionStmt(h Host, st plan.Statement, w ResultWriter) (ok bool, err error) {
	switch x := st.(type) {
	case *plan.CreateFunction:
		return true, createFunction(h, x, w)
	case *plan.Drop:
		if x.Kind == "FUNCTION" || x.Kind == "PROCEDURE" {
			return true, dropFunctions(h, x, w)
		}
	}
	return false, nil
}

// RoutineWord is the word messages use for a routine: "procedure" or
// "function".
func RoutineWord(procedure bool) string {
	if procedure {
		return "procedure"
	}
	return "function"
}

// createFunction runs CREATE [OR REPLACE] FUNCTION and PROCEDURE. The
// body is checked first (check_function_bodies); OR REPLACE keeps the
// routine's OID and owner and may not change its kind or result type.
func createFunction(h Host, x *plan.CreateFunction, w ResultWriter) error {
	tag := "CREATE " + strings.ToUpper(RoutineWord(x.Procedure))
	schema := x.Name.Schema
	if schema == "" {
		for _, sc := range h.SearchPath() {
			if h.Catalog().Schema(h.Database(), sc) != nil && !strings.HasPrefix(sc, "pg_temp_") {
				schema = sc
				break
			}
		}
	} else if h.Catalog().Schema(h.Database(), schema) == nil {
		return pgerr.New(pgerr.InvalidSchemaName, "schema %q does not exist", schema)
	}
	f := &catalog.Function{DB: h.Database(), Schema: schema, Name: x.Name.Name, Kind: catalog.FuncKindFunction,
		ArgNames: x.ArgNames, ArgTypes: x.ArgTypes, Ret: x.Ret, Volatility: x.Volatility, Body: x.Body, Owner: h.User(),
		Language: x.Language, Params: x.Params, ArgDefaults: x.ArgDefaults, RetSet: x.RetSet,
		OutNames: x.OutNames, OutTypes: x.OutTypes, RetRel: x.RetRel}
	if x.Procedure {
		f.Kind = catalog.FuncKindProcedure
	}
	if strings.Join(f.ArgNames, "") == "" {
		f.ArgNames = nil
	}
	var err error
	if f.IsPlpgsql() {
		err = plpgsql.CheckRoutine(f)
	} else {
		err = checkBody(h, f)
	}
	if err != nil {
		return err
	}
	for _, old := range h.Catalog().Functions(h.Database(), schema, f.Name) {
		if !old.SameArgs(f.ArgTypes) {
			continue
		}
		if !x.Replace {
			return pgerr.New(pgerr.DuplicateFunction, "%s %q already exists with same argument types", RoutineWord(x.Procedure), f.Name)
		}
		if old.Kind != f.Kind {
			return pgerr.New(pgerr.WrongObjectType, "cannot change routine kind").
				WithDetail("%q is a %s.", f.Name, RoutineWord(old.IsProcedure()))
		}
		if old.Ret.OID != f.Ret.OID || old.RetSet != f.RetSet || !sameTypes(old.OutTypes, f.OutTypes) {
			return pgerr.New("42P13", "cannot change return type of existing function").
				WithHint("Use DROP FUNCTION %s first.", f.Name)
		}
		f.OID, f.Owner = old.OID, old.Owner
	}
	if err := h.Writer().PutFunction(f); err != nil {
		return err
	}
	return w.Complete(tag)
}

// checkBody validates a new LANGUAGE sql routine's body as PostgreSQL
// does with check_function_bodies: every statement must bind (unless the
// body has utility statements, which are only parsed), and a function's
// final statement must return a value of its result type.
func checkBody(h Host, f *catalog.Function) error {
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
		if last, err = plan.BindBody(h.PlanEnv(), p, f.ArgTypes, f.ArgNames, h.Location()); err != nil {
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
	return checkResultTypes(f, resultTypes(cols))
}

// resultTypes returns the types of the result columns a client sees of
// cols: hidden columns left out, unknown-typed literals as text (as
// viewColumns types them).
func resultTypes(cols []plan.OutCol) []types.T {
	var out []types.T
	for i, c := range viewColumns(cols) {
		if !cols[i].Hidden {
			out = append(out, c.Type)
		}
	}
	return out
}

// retName is the result type's name in messages.
func retName(f *catalog.Function) string {
	if f.RetRel != "" {
		return f.RetRel
	}
	return f.Ret.Info().SQLName
}

// checkResultTypes checks that a SQL function's final statement, which
// returns columns of types got, fits the function's result.
func checkResultTypes(f *catalog.Function, got []types.T) error {
	want := f.ResultTypes()
	mismatch := func() *pgerr.Error {
		return pgerr.New("42P13", "return type mismatch in function declared to return %s", retName(f))
	}
	switch {
	case len(want) == 1 && len(got) != 1:
		return mismatch().WithDetail("Final statement must return exactly one column.")
	case len(got) < len(want):
		return mismatch().WithDetail("Final statement returns too few columns.")
	case len(got) > len(want):
		return mismatch().WithDetail("Final statement returns too many columns.")
	}
	for i, t := range got {
		if _, _, explicit := types.CastContextOK(t, want[i]); !explicit && t.OID != want[i].OID {
			return mismatch().WithDetail("Actual return type is %s.", t.Info().SQLName)
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

// dropFunctions runs DROP FUNCTION and DROP PROCEDURE. A name without an
// argument list must name one routine of the kind.
func dropFunctions(h Host, x *plan.Drop, w ResultWriter) error {
	snap := h.Catalog()
	for i, on := range x.Names {
		var args []types.T
		if i < len(x.FuncArgs) {
			args = x.FuncArgs[i]
		}
		var match []*catalog.Function
		for _, f := range snap.Functions(h.Database(), on.Schema, on.Name) {
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
		if err := h.Writer().DropFunction(match[0].OID); err != nil {
			return err
		}
	}
	return w.Complete("DROP " + x.Kind)
}
