package funcs

import (
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Set-returning functions: the registry the binder resolves a function
// in FROM (or alone in a select list) against, and the function types the
// plan carries. A set-returning function is called with the engine's
// context (ctx any, which implements SetEnv) and its argument values.

// SetFunc computes a set-returning function's rows from its arguments.
type SetFunc func(ctx any, args []any) ([][]any, error)

// SetIter returns the next rows of a streaming set-returning function,
// at most max of them; no rows means the set is exhausted.
type SetIter func(max int) ([][]any, error)

// SetStream starts a set-returning function that produces its rows
// incrementally, so a huge set (generate_series(1, 1e9)) needs memory for
// one batch only and its consumer can stop it between batches.
type SetStream func(ctx any, args []any) (SetIter, error)

// SetEnv is what set-returning builtins read from the engine's context.
type SetEnv interface {
	// Location is the session TimeZone.
	Location() *time.Location
	// Err is non-nil once the statement is canceled.
	Err() error
}

// SetCol is one output column of a set-returning function.
type SetCol struct {
	Name string
	T    types.T
}

// Set is a set-returning function, resolved by argument types.
type Set struct {
	Name string
	// Resolve returns the function for argument types at and its
	// columns; ok is false when no form takes those arguments.
	Resolve func(at []types.T) (fn SetFunc, cols []SetCol, ok bool)
	// Stream, if set, returns the streaming form for argument types at
	// (false: none; the caller uses Resolve's function).
	Stream func(at []types.T) (SetStream, bool)
}

var sets = map[string]*Set{}

// RegisterSet registers a set-returning function; call it from init.
func RegisterSet(s *Set) {
	if sets[s.Name] != nil {
		panic("BUG: set-returning function " + s.Name + " registered twice")
	}
	sets[s.Name] = s
}

// LookupSet returns the set-returning function of a lower-case name, or nil.
func LookupSet(name string) *Set { return sets[name] }

// emptySet is the iterator of a set without rows.
func emptySet(int) ([][]any, error) { return nil, nil }

// maxSeriesRows bounds a materialized generate_series (one in a select
// list) so a typo cannot exhaust memory; in FROM it streams unbounded.
const maxSeriesRows = 100_000_000

// materializeChunk is how many rows materialize pulls between
// cancellation checks.
const materializeChunk = 4096

// materialize collects a streaming function's whole set (for callers of
// a SetFunc such as a set-returning function in a select list), checking
// the statement's cancellation between chunks and refusing sets beyond
// maxSeriesRows.
func materialize(ctx any, stream SetStream, args []any) ([][]any, error) {
	next, err := stream(ctx, args)
	if err != nil {
		return nil, err
	}
	env, _ := ctx.(SetEnv)
	var out [][]any
	for {
		if env != nil && env.Err() != nil {
			return nil, pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
		}
		rows, err := next(materializeChunk)
		if err != nil || len(rows) == 0 {
			return out, err
		}
		out = append(out, rows...)
		if len(out) > maxSeriesRows {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "generate_series would return more than %d rows", maxSeriesRows)
		}
	}
}
