// Package plan binds parsed statements against the catalog and produces
// tsgres's own plan types: bound, typed expressions (Expr) and a tree of
// relational nodes (Node) that package exec turns into operators.
//
// The binder reads the parse tree of package parse (PostgreSQL's raw
// parse nodes, see parse's doc.go) and never imports the parser library
// itself; the tree never leaves this package: everything exported here is
// tsgres's own.
//
// Rules applied while planning: chunk exclusion by time (a hypertable scan
// lists only the chunks whose range meets the WHERE clause's bounds on the
// time column), block-skipping predicates pushed into storage scans,
// projection pushdown (scans decode only referenced columns).
package plan
