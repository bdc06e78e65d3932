package sql

import (
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// regOut turns a reg* value into its name for result output; values of
// these types are OIDs in memory but print as names, which needs the
// session's catalog and search path.
var regOut = &funcs.Scalar{Name: plan.RegOutFunc, Args: []types.T{funcs.AnyT}, Strict: true,
	Ret: funcs.Fixed(types.Text),
	Fn: func(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
		e, err := envOf(ctx)
		if err != nil {
			return nil, err
		}
		return e.regName(at[0], a[0].(int64)), nil
	}}

func init() {
	funcs.RegisterScalar(regOut)
	funcs.RegisterScalar(&funcs.Scalar{Name: "pg_typeof", Args: []types.T{funcs.AnyT}, Ret: funcs.Fixed(types.Regtype),
		Fn: func(_ *funcs.Ctx, at []types.T, _ []any) (any, error) { return int64(at[0].OID), nil }})
}

// finalizeOutput makes a query's reg*-typed output columns print names:
// such columns are converted to text.
func finalizeOutput(n plan.Node) plan.Node {
	cols := n.Columns()
	need := false
	for _, c := range cols {
		if plan.IsReg(c.T) && !c.Hidden {
			need = true
		}
	}
	if !need {
		return n
	}
	exprs := make([]plan.Expr, len(cols))
	out := make([]plan.OutCol, len(cols))
	for i, c := range cols {
		var e plan.Expr = &plan.ColRef{T: c.T, Idx: i, Name: c.Name}
		out[i] = c
		if plan.IsReg(c.T) {
			e = &plan.Call{T: types.Text, Fn: regOut, Args: []plan.Expr{e}, ArgTypes: []types.T{c.T}}
			out[i].T = types.Text
		}
		exprs[i] = e
	}
	return &plan.Project{Input: n, Exprs: exprs, Cols: out}
}
