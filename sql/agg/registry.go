package agg

import (
	"sort"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
)

// State accumulates one group of an aggregate.
type State interface {
	// Add feeds one row's argument values (NULLs included; aggregates
	// skip them as PostgreSQL does).
	Add(ctx *funcs.Ctx, args []any) error
	// Merge folds another state of the same aggregate into this one
	// (parallel partials, continuous aggregates).
	Merge(other State) error
	// Result returns the final value (nil for NULL).
	Result(ctx *funcs.Ctx) (any, error)
}

// Aggregate is one overload of an aggregate function.
type Aggregate struct {
	Name string
	Args []types.T
	Ret  func(args []types.T) types.T
	// New returns an empty state; direct holds the direct arguments of an
	// ordered-set aggregate (percentile_cont(0.5) WITHIN GROUP (ORDER BY
	// x): direct = [0.5], args = [x]); nil otherwise.
	New func(argTypes []types.T, direct []any) State
	// OrderedSet marks WITHIN GROUP aggregates.
	OrderedSet bool
	// DirectArgs are the direct argument types of an ordered-set aggregate.
	DirectArgs []types.T
	// Vector, when set, makes the aggregate's vector form for argument
	// types at, or returns nil when there is none for them (see Vector;
	// callers use NewVector).
	Vector func(at []types.T) Vector
}

var aggregates = map[string][]*Aggregate{}

// Register adds an aggregate overload; this package's init functions
// register the builtins.
func Register(a *Aggregate) { aggregates[a.Name] = append(aggregates[a.Name], a) }

// Overloads returns the overloads of an aggregate (lower-case name).
func Overloads(name string) []*Aggregate { return aggregates[name] }

// Lookup returns the overload of name (not ordered-set) whose parameters
// are exactly the types args, or else one whose any or anyelement
// parameters take the others (no args for count(*)), or nil. Callers
// whose arguments need casts bind them as the SQL binder does instead.
func Lookup(name string, args []types.T) *Aggregate {
	var generic *Aggregate
	for _, a := range aggregates[name] {
		if a.OrderedSet || len(a.Args) != len(args) {
			continue
		}
		exact, ok := true, true
		for i, p := range a.Args {
			switch {
			case p.OID == args[i].OID:
			case p.OID == types.OidAny || p.OID == types.OidAnyElement:
				exact = false
			default:
				ok = false
			}
		}
		switch {
		case ok && exact:
			return a
		case ok && generic == nil:
			generic = a
		}
	}
	return generic
}

// Names returns the names of all registered aggregates, sorted.
func Names() []string {
	out := make([]string, 0, len(aggregates))
	for k := range aggregates {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ts lists argument types.
func ts(t ...types.T) []types.T { return t }

// str returns v as a string (text-like datums).
func str(v any) string {
	s, _ := v.(string)
	return s
}
