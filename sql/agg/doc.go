// Package agg is the aggregate framework: every aggregate function, and
// the forms in which every aggregation path feeds it.
//
// An aggregate (Aggregate, registered by name and argument types, found
// with Overloads) makes States. A State is fed in one of three ways, and
// each must give the result of feeding the rows one at a time:
//
//   - Add, one row's arguments: the executor's generic hash and ordered
//     aggregation, DISTINCT and ORDER BY aggregates, window aggregates;
//   - Merge, another State of the same aggregate: partial states of
//     parallel aggregation and of continuous-aggregate refresh;
//   - Fold, a Summary of many rows (count, non-NULL count, min, max, exact
//     or float sum): the typed accumulators below, and block metadata,
//     which answers count/sum/avg/min/max for whole storage blocks
//     without decoding them. A state refuses a summary it cannot take
//     exactly (Fold returns false) and the caller feeds rows instead.
//
// Typed accumulators (Typed) are the vectorized form of count, sum, avg,
// min and max over int64- and float64-kind arguments: arrays indexed by
// group id that take a whole column vector per call and give each group's
// Summary at the end.
//
// Files: registry.go (Aggregate, State, the registry); basic.go (count,
// sum, avg, min, max, bool_and/bool_or/every); stats.go (variance,
// stddev, covariance, regression, with PostgreSQL's Youngs-Cramer
// transitions); more.go (string_agg, array_agg, first, last, histogram);
// orderedset.go (percentile_cont/disc, mode); summary.go (Summary, Fold);
// typed.go (Typed).
//
// # Invariants
//
// Result types and values follow PostgreSQL exactly: integer sums are
// exact and overflow to numeric, avg of integers is numeric, min/max of
// floats order NaN above everything, an aggregate over no rows is NULL
// (count: 0). Merge is exact for everything but float sums, whose last
// bits depend on the order of additions as in PostgreSQL's parallel
// aggregation. Errors a client can provoke carry a SQLSTATE; no state
// panics on bad input. sql/exec's aggref_test.go checks every path
// against row-at-a-time states.
package agg
