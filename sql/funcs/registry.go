// Package funcs holds tsgres's built-in scalar and aggregate functions
// (PostgreSQL's and TimescaleDB's) behind a registry the binder resolves
// calls against. Functions work on datums (see package types for each
// type's Go form); the executor calls them per row, except where it has a
// vectorized fast path of its own.
package funcs

import (
	"sort"
	"time"

	"github.com/tsgres/tsgres/sql/types"
)

// Ctx is what a function may need from its session and statement.
type Ctx struct {
	// Loc is the session TimeZone (timestamptz input/output, date_trunc
	// and time_bucket with a time zone); never nil.
	Loc *time.Location
	// Now is the statement's transaction start time (now(),
	// current_timestamp), µs since the Unix epoch.
	Now int64
	// Extra lets the engine reach session state (current_setting, catalog
	// functions) without this package importing the engine.
	Extra any
}

// Polymorphic argument markers for Sig.Args.
var (
	AnyElement = types.T{OID: types.OidAnyElement, Mod: -1}
	AnyArray   = types.T{OID: types.OidAnyArray, Mod: -1}
	AnyT       = types.T{OID: types.OidAny, Mod: -1}
)

// Scalar is one overload of a scalar function.
type Scalar struct {
	Name string
	// Args are the declared parameter types; AnyElement/AnyArray are
	// polymorphic (all AnyElement args share one type), AnyT accepts
	// anything.
	Args []types.T
	// ArgNames are the parameter names for named notation (f(x => 1));
	// optional.
	ArgNames []string
	// Defaults is how many trailing Args may be omitted.
	Defaults int
	// DefaultSQL, when set, has one entry per defaulted trailing Arg: its
	// default as pg_get_function_arguments prints it ("NULL::interval",
	// "false"); \df shows them. Optional.
	DefaultSQL []string
	// Variadic: the last Arg repeats (its type is the element type).
	Variadic bool
	// Ret returns the result type given the resolved argument types.
	Ret func(args []types.T) types.T
	// Strict: any NULL argument gives NULL without calling Fn.
	Strict bool
	// Volatile: must not be constant-folded (now() is stable, random() volatile).
	Volatile bool
	// OutNames and OutTypes name the fields of a record result, so the
	// function can be used in FROM (SELECT * FROM create_hypertable(...)).
	OutNames []string
	OutTypes []types.T
	// Fn computes the result; args has one datum per actual argument
	// (omitted defaults are absent: len(args) may be < len(Args)).
	Fn func(ctx *Ctx, argTypes []types.T, args []any) (any, error)
}

var scalars = map[string][]*Scalar{}

// RegisterScalar adds an overload; used by this package's init functions
// and by the engine for catalog-aware functions.
func RegisterScalar(f *Scalar) { scalars[f.Name] = append(scalars[f.Name], f) }

// Scalars returns the overloads of a scalar function (lower-case name).
func Scalars(name string) []*Scalar { return scalars[name] }

// Fixed returns a Ret function that always yields t.
func Fixed(t types.T) func([]types.T) types.T { return func([]types.T) types.T { return t } }

// SameAsArg returns a Ret function yielding argument i's type.
func SameAsArg(i int) func([]types.T) types.T {
	return func(a []types.T) types.T { return a[i] }
}

// ScalarNames returns the names of all registered scalar functions, sorted.
func ScalarNames() []string { return sortedKeys(scalars) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
