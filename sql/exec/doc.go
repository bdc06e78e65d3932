// Package exec runs bound plans (package sql/plan) as a pull-based,
// vectorized operator tree over column batches (package storage/col).
//
// # Operators
//
// Build turns a plan.Node into an Operator. Next returns the next batch of
// rows (nil when done); a batch is valid only until the following Next on
// the same operator, and its columns line up with the node's Columns()
// (hidden sort columns included). Operators that need all their input
// (Sort, Agg, Window, the build side of a join, CTEs) materialize it;
// everything else streams.
//
// # Expressions
//
// EvalBatch evaluates a bound expression over every physical row of a
// batch. Column references return the input vector itself, and
// comparisons, arithmetic and boolean logic on int64/float64 vectors run as
// typed loops. Every other expression is evaluated row by row on datums by
// the same code Eval uses, so both paths give identical results (a
// differential test checks this).
//
// # Storage formats
//
// Scans read rows and columns in the formats package sql/table defines:
// regular-table rows through table.DecodeRow, hypertable columns in their
// storable kinds (table.StorageKind, table.FromStorage).
//
// # Row locks
//
// LockRows (lockrows.go) locks the rows a SELECT ... FOR UPDATE returns
// through storage.Txn.LockKey, keyed by the row key its Scan carries in a
// hidden column, and passes one row per batch so a Limit above it locks
// no more than it returns. After each lock it re-reads the row by key
// (the newest committed version) and re-checks the WHERE, dropping rows
// deleted or updated away and recomputing the others, as PostgreSQL's
// EvalPlanQual does. Hypertables are locked by whole chunks
// (Txn.LockChunk) before the first row. Lock errors map to 55P03
// (NOWAIT), 40P01 (deadlock) and 57014 (a canceled wait).
//
// # Invariants
//
// Errors a client can provoke carry PostgreSQL's SQLSTATE (22003 for
// integer overflow, 22012 for division by zero, 21000 for a scalar
// subquery returning more than one row, 57014 for cancellation). The
// executor never panics on data; a panic means a broken plan invariant.
package exec
