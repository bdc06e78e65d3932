// Package plan binds parsed statements against the catalog and produces
// tsgres's own plan types: bound, typed expressions (Expr) and a tree of
// relational nodes (Node) that package exec turns into operators.
//
// The binder reads the parse tree of package parse (PostgreSQL's raw
// parse nodes, see parse's doc.go) and never imports the parser library
// itself; the tree never leaves this package: everything exported here is
// tsgres's own.
//
// The binder only binds: it takes no optimizer decision. Where it has
// bound a FROM list (its WHERE and inner joins' ON conditions), an
// UPDATE/DELETE scan, a COPY scan or a whole query block, it calls the
// Rewriter its Env provides (sql/opt.Rewriter): NarrowScans and
// LookupChunks give every hypertable scan its time bounds, block
// predicates and chunk list, and RewriteBlock rewrites each query block
// (filter pushdown, projection merging, column pruning, ...) before it
// becomes part of the enclosing plan. Invariants: every HyperScan the
// binder makes passes through LookupChunks exactly once before its
// block is rewritten, and RewriteBlock keeps a block's columns, so the
// binding of the enclosing block does not depend on the rewrites. The
// one rewrite the binder keeps is postponeVolatile (postpone.go): it is
// PostgreSQL's order of evaluation, not an optimization.
//
// A SELECT's locking clause (FOR UPDATE and its kin) becomes a LockRows
// node between the block's Sort and its Limit (lockrows.go); the locked
// regular table's Scan then also produces each row's storage key as a
// hidden column (ColIdx entry RowKeyCol), and LockRows keeps the block's
// WHERE and select list bound over that table's row for the executor's
// re-check of a row's newest version.
package plan
