// Package agg is the aggregate framework: every aggregate function, and
// the forms in which every aggregation path feeds it.
//
// An aggregate (Aggregate, registered by name and argument types, found
// with Overloads or Lookup) makes States, and may declare a vector form
// (Aggregate.Vector, made with NewVector). Every form must give the
// result of feeding the rows to a State one at a time:
//
//   - State.Add, one row's arguments: the executor's generic hash and
//     ordered aggregation, DISTINCT and ORDER BY aggregates, window
//     aggregates;
//   - State.Merge, another State of the same aggregate: partial states;
//   - Vector, the states of many groups in typed arrays indexed by group
//     id: Grow adds groups, Add takes a whole argument vector and a group
//     id per row (one call per batch, no boxing and no interface call per
//     row), Merge folds another Vector's groups in, Summary hands a group
//     to a State, Final appends the groups' results to a column vector.
//     The executor's typed hash aggregation and its parallel workers use
//     Add and Summary; the continuous-aggregate refresh uses Add and
//     Final;
//   - Fold, a Summary of many rows (count, non-NULL count, min, max,
//     exact or float sum) into a State: a Vector's groups, and block
//     metadata (FromBlockMeta reads a Summary from a column's metadata,
//     given as plain values), which answers count/sum/avg/min/max for
//     whole storage blocks without decoding them. A state refuses a
//     summary it cannot take exactly (Fold returns false) and the caller
//     feeds rows instead; a Vector's own summaries are never refused.
//
// No caller decides by an aggregate's name: what an aggregate can do is
// declared where it registers (basic.go registers the vector forms of
// count, and of sum/avg/min/max over int64- and float64-kind arguments,
// except sum(float4), which adds in float4).
//
// Files: registry.go (Aggregate, State, the registry); basic.go (count,
// sum, avg, min, max, bool_and/bool_or/every); stats.go (variance,
// stddev, covariance, regression, with PostgreSQL's Youngs-Cramer
// transitions); more.go (string_agg, array_agg, first, last, histogram);
// orderedset.go (percentile_cont/disc, mode); summary.go (Summary, Fold,
// FromBlockMeta); vector.go (Vector); vector_basic.go (the vector forms
// of the basic aggregates).
//
// # Invariants
//
// Result types and values follow PostgreSQL exactly: integer sums are
// exact and overflow to numeric, avg of integers is numeric, min/max of
// floats order NaN above everything, an aggregate over no rows is NULL
// (count: 0). Vectors keep integer sums in 128 bits, so they overflow
// exactly as the States do. Merge is exact for everything but float
// sums, whose last bits depend on the order of additions as in
// PostgreSQL's parallel aggregation. Errors a client can provoke carry a
// SQLSTATE; no state panics on bad input. agg_test.go checks the States
// and vector_test.go the vector forms (random batch sizes and group ids,
// merged partials, block metadata) against row-at-a-time States;
// sql/exec's aggref_test.go checks every executor path the same way.
package agg
