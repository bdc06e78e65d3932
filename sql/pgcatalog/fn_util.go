package pgcatalog

import (
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// fnBody is the signature of funcs.Scalar.Fn.
type fnBody = func(ctx *funcs.Ctx, argTypes []types.T, args []any) (any, error)

// envOf returns the session Env a catalog function runs in.
func envOf(ctx *funcs.Ctx) (Env, error) {
	if ctx != nil {
		if env, ok := ctx.Extra.(Env); ok {
			return env, nil
		}
	}
	return nil, pgerr.New(pgerr.Internal, "catalog function called without a session")
}

// withEnv adapts a function body that needs the Env.
func withEnv(f func(env Env, args []any) (any, error)) fnBody {
	return func(ctx *funcs.Ctx, _ []types.T, args []any) (any, error) {
		env, err := envOf(ctx)
		if err != nil {
			return nil, err
		}
		return f(env, args)
	}
}

// ours records the function names this package registered.
var ours = map[string]bool{}

// def registers an overload unless another package already provides the
// function (package funcs' implementation wins).
func def(s *funcs.Scalar) {
	if !ours[s.Name] && len(funcs.Scalars(s.Name)) > 0 {
		return
	}
	ours[s.Name] = true
	if s.Fn == nil {
		panic("BUG: pgcatalog function without body: " + s.Name)
	}
	funcs.RegisterScalar(s)
}

// strictFn declares a strict, stable function with a fixed result type.
func strictFn(name string, args []types.T, defaults int, ret types.T, fn fnBody) {
	def(&funcs.Scalar{Name: name, Args: args, Defaults: defaults, Ret: funcs.Fixed(ret), Strict: true, Fn: fn})
}

// lenientFn declares a non-strict function (NULL arguments reach fn).
func lenientFn(name string, args []types.T, defaults int, ret types.T, fn fnBody) {
	def(&funcs.Scalar{Name: name, Args: args, Defaults: defaults, Ret: funcs.Fixed(ret), Fn: fn})
}

// constant returns a body yielding v.
func constant(v any) fnBody {
	return func(*funcs.Ctx, []types.T, []any) (any, error) { return v, nil }
}

// ts is shorthand for an argument type list.
func ts(t ...types.T) []types.T { return t }

// argInt returns an integer argument (0 when NULL or absent).
func argInt(args []any, i int) int64 {
	if i < len(args) {
		if v, ok := args[i].(int64); ok {
			return v
		}
	}
	return 0
}

// argStr returns a text argument ("" when NULL or absent).
func argStr(args []any, i int) string {
	if i < len(args) {
		if v, ok := args[i].(string); ok {
			return v
		}
	}
	return ""
}

// argBool returns a boolean argument (false when NULL or absent).
func argBool(args []any, i int) bool {
	if i < len(args) {
		if v, ok := args[i].(bool); ok {
			return v
		}
	}
	return false
}

// undefinedTable is PostgreSQL's error for an unknown relation name.
func undefinedTable(name string) error {
	return pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}

// undefinedColumn is PostgreSQL's error for an unknown column.
func undefinedColumn(col, table string) error {
	return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", col, table)
}
