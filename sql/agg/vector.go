package agg

import (
	"fmt"
	"slices"

	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Vector is the vectorized form of an aggregate: the states of many
// groups at once, kept in plain typed arrays indexed by group id (0, 1,
// 2, ...). Adding a batch is one call whose inner loop does no boxing and
// no interface call per row. An aggregate that has a vector form declares
// it where it registers (Aggregate.Vector); callers get one with
// Aggregate.NewVector for the argument types of a call.
//
// Every way out of a Vector gives what the aggregate's State gives when
// fed the same rows one at a time: Summary hands a group to a State
// (Fold), which always accepts it; Final appends the results themselves.
// Integer sums are exact (128 bits), so they overflow to numeric, or fail
// with bigint out of range, exactly as the State does.
//
// A Vector is not safe for concurrent use: parallel workers keep one
// each, and the partials are merged (Merge, or Summary into one State
// per group).
type Vector interface {
	// Grow makes groups 0..n-1 exist; the groups it adds are empty, like
	// a fresh State. It does nothing when there are n groups already.
	Grow(n int)
	// Add folds row r of v into group gids[r], for every r < len(gids).
	// v has the kind of the argument type the Vector was made for and at
	// least len(gids) rows; it is nil for count(*). NULL arguments are
	// skipped as PostgreSQL does. Every gids[r] must be a group (Grow).
	Add(gids []int32, v *col.Vec)
	// Merge folds group g of other, a Vector of the same aggregate and
	// argument types, into group into[g] of this one, for every
	// g < len(into). It panics when other is of another aggregate.
	Merge(other Vector, into []int32)
	// Summary returns group g as a Summary, the hand-off to the
	// aggregate's State: Fold(state, &summary, true) always succeeds.
	Summary(g int32) Summary
	// Final appends the results of groups, in that order, to dst, a
	// vector of the result type's kind: the values, NULLs and errors the
	// State's Result would give.
	Final(dst *col.Vec, groups []int32) error
	// Reset drops every group, keeping the arrays' memory.
	Reset()
}

// NewVector returns the vector form of a for argument types at, or false
// when a has none for them (the caller then feeds States row by row).
func (a *Aggregate) NewVector(at []types.T) (Vector, bool) {
	if a.Vector == nil || len(at) > 1 {
		return nil, false
	}
	v := a.Vector(at)
	return v, v != nil
}

// argKind returns the kind of the single argument type in at, or 0.
func argKind(at []types.T) col.Kind {
	if len(at) != 1 {
		return 0
	}
	return at[0].Kind()
}

// grow returns xs extended to length n with zero values (xs itself when
// it is that long already).
func grow[T int64 | uint64 | float64](xs []T, n int) []T {
	k := len(xs)
	if k >= n {
		return xs
	}
	xs = slices.Grow(xs, n-k)[:n]
	clear(xs[k:])
	return xs
}

// mustBe returns other as a V, panicking when a caller merged vectors of
// different aggregates.
func mustBe[V Vector](other Vector) V {
	o, ok := other.(V)
	if !ok {
		var v V
		panic(fmt.Sprintf("BUG: merging aggregate vector %T into %T", other, v))
	}
	return o
}
