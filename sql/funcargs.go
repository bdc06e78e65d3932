package sql

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
)

// Helpers of the functions the root registers (sequences, regclass
// output, user functions): the session a call runs in and its arguments.

var anyT = funcs.AnyT

// envOf returns the statement environment a function call runs in.
func envOf(ctx *funcs.Ctx) (*execEnv, error) {
	e, ok := ctx.Extra.(*execEnv)
	if !ok {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "function needs a session")
	}
	return e, nil
}

// tableArg resolves a regclass-like argument: an OID or a possibly
// qualified, possibly quoted name.
func (e *execEnv) tableArg(v any) (*catalog.Table, error) {
	switch x := v.(type) {
	case int64:
		if t := e.s.catalogSnap().TableByOID(uint32(x)); t != nil {
			return t, nil
		}
		return nil, pgerr.New(pgerr.UndefinedTable, "relation with OID %d does not exist", x)
	case string:
		on := parseQualified(x)
		if t := e.s.catalogSnap().FindTable(e.s.dbOID, e.SearchPath(), on.Schema, on.Name); t != nil {
			return t, nil
		}
		return nil, noTable(on)
	}
	return nil, pgerr.New(pgerr.DatatypeMismatch, "invalid relation argument")
}

// noTable is PostgreSQL's error for a relation name that finds nothing.
func noTable(on plan.ObjectName) error {
	name := on.Name
	if on.Schema != "" {
		name = on.Schema + "." + on.Name
	}
	return pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}

// parseQualified parses a relation name argument (see
// plan.ParseObjectName).
func parseQualified(s string) plan.ObjectName { return plan.ParseObjectName(s) }
