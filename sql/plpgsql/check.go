package plpgsql

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Checks PostgreSQL's PL/pgSQL compiler makes at CREATE time that the
// shared parser (which compiles every body as a procedure) leaves out.
// As in PostgreSQL, the SQL inside the body is not bound until it runs.

// CheckRoutine validates the body of a new PL/pgSQL routine f.
func CheckRoutine(f *catalog.Function) error {
	fn, err := parsePlpgsql(argNamesOf(f), f.IsProcedure(), f.RetSet, f.Body)
	if err != nil {
		return err
	}
	return fn.check(checkOpts{procedure: f.IsProcedure(), voidFunc: !f.IsProcedure() && f.Ret.OID == types.OidVoid,
		setof: f.RetSet, outs: !f.IsProcedure() && f.HasOutParams()})
}

// checkOpts is what check needs to know of the routine.
type checkOpts struct {
	procedure, voidFunc bool
	// setof: a set-returning function; outs: a function with OUT
	// parameters.
	setof, outs bool
}

// check validates conditions and RETURN statements of the body.
func (fn *function) check(k checkOpts) error {
	if err := checkCursors([]stmt{fn.body}); err != nil {
		return err
	}
	return walkPl([]stmt{fn.body}, func(st stmt) error {
		switch s := st.(type) {
		case *block:
			for _, h := range s.handlers {
				for _, c := range h.conds {
					if c != "others" && len(conditionCodes(c)) == 0 {
						return errUnknownCondition(c)
					}
				}
			}
		case *raiseStmt:
			if s.condname != "" && len(conditionCodes(s.condname)) == 0 {
				return errUnknownCondition(s.condname)
			}
		case *returnStmt:
			switch {
			case s.expr != "" && k.procedure:
				return pgerr.New(pgerr.SyntaxError, "RETURN cannot have a parameter in a procedure")
			case s.expr != "" && k.setof:
				return pgerr.New(pgerr.DatatypeMismatch, "RETURN cannot have a parameter in function returning set").
					WithHint("Use RETURN NEXT or RETURN QUERY.")
			case s.expr != "" && k.outs:
				return pgerr.New(pgerr.DatatypeMismatch, "RETURN cannot have a parameter in function with OUT parameters")
			case s.expr != "" && k.voidFunc:
				return pgerr.New(pgerr.DatatypeMismatch, "RETURN cannot have a parameter in function returning void")
			case s.expr == "" && s.Lineno > 0 && !k.procedure && !k.voidFunc && !k.setof && !k.outs:
				return pgerr.New(pgerr.SyntaxError, "missing expression at or near \";\"")
			}
		case *returnNextStmt:
			switch {
			case s.expr != "" && k.outs:
				return pgerr.New(pgerr.DatatypeMismatch, "RETURN NEXT cannot have a parameter in function with OUT parameters")
			case s.expr == "" && !k.outs:
				return pgerr.New(pgerr.SyntaxError, "missing expression at or near \";\"")
			}
		}
		return nil
	})
}

// walkPl calls fn for every statement of ss and of the bodies nested in
// them, parents first.
func walkPl(ss []stmt, fn func(stmt) error) error {
	for _, st := range ss {
		if err := fn(st); err != nil {
			return err
		}
		var nested [][]stmt
		switch s := st.(type) {
		case *block:
			nested = append(nested, s.body)
			for _, h := range s.handlers {
				nested = append(nested, h.body)
			}
		case *ifStmt:
			nested = append(append(nested, s.bodies...), s.els)
		case *caseStmt:
			nested = append(append(nested, s.bodies...), s.els)
		case *loopStmt:
			nested = append(nested, s.body)
		case *forIntLoop:
			nested = append(nested, s.body)
		case *forQueryLoop:
			nested = append(nested, s.body)
		case *foreachLoop:
			nested = append(nested, s.body)
		case *forCursorLoop:
			nested = append(nested, s.body)
		}
		for _, body := range nested {
			if err := walkPl(body, fn); err != nil {
				return err
			}
		}
	}
	return nil
}
