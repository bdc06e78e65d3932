package plan

import (
	"time"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/types"
)

// shared is binder state common to a statement and all its subqueries.
type shared struct {
	env    Env
	params []types.T
	loc    *time.Location
	// lits/litBase: placeholders $litBase.. of a normalized statement.
	lits    []*parse.Node
	litBase int
	// argNames are a user function's argument names while binding its
	// body (see BindBody).
	argNames []string
}

type binder struct {
	*shared
	correlated  bool
	outputAlias map[string]Expr
	windows     map[string]*parse.WindowDef
	ctes        map[string]*CTE
	parent      *binder
	// viewDepth counts the views being expanded around this binder.
	viewDepth int
	// keepUnknown leaves the untyped literals of the next SELECT's own
	// select list unresolved (INSERT ... SELECT 'NaN' coerces them to
	// the target columns' types, as PostgreSQL does), instead of text.
	keepUnknown bool
}

func newBinder(env Env, params []types.T, loc *time.Location) *binder {
	if loc == nil {
		loc = time.UTC
	}
	return &binder{shared: &shared{env: env, params: append([]types.T(nil), params...), loc: loc}}
}

func (b *binder) child() *binder {
	return &binder{shared: b.shared, parent: b, viewDepth: b.viewDepth}
}

func (b *binder) cte(name string) *CTE {
	for x := b; x != nil; x = x.parent {
		if c, ok := x.ctes[name]; ok {
			return c
		}
	}
	return nil
}

// ParamTypes returns the final parameter types (unresolved ones as text).
func (b *binder) paramTypes() []types.T {
	out := make([]types.T, len(b.params))
	for i, t := range b.params {
		if t.OID == 0 || t.OID == types.OidUnknown {
			t = types.Text
		}
		out[i] = t
	}
	return out
}
