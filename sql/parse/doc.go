// Package parse is tsgres's parser: the one package that imports pg_query,
// PostgreSQL's own parser compiled into Go. Everything about turning SQL
// text into a parse tree has its home here: the parser library and its
// version, splitting a query string into statements, normalization and
// the parse cache, syntax-error mapping, deparsing, and the PL/pgSQL
// grammar call.
//
// # Statements
//
// Parse splits a query string into Statements, each with its own text,
// its command tag stem and its parse tree. Statements that differ only in
// literals (psycopg2 batches, ORMs) share one cached tree of their
// normalized text, in which the literals are placeholders $k, $k+1, ...;
// Statement.Literals hands the literals back to the binder, which turns
// placeholder k+i into literal i (normalize.go, cache.go). Trees from
// Parse and Tree are shared and must never be modified; Fresh returns a
// tree the caller owns. Syntax errors are pgerr errors with SQLSTATE 42601
// and the error's position.
//
// # The parse tree
//
// The tree is PostgreSQL's raw parse tree (parsenodes.h) as pg_query_go's
// protobuf messages. tree.go gives the binder (package plan) the node
// types, enumeration values and constructors it reads under this
// package's name, as aliases: the binder names parse.SelectStmt, never
// pg_query. tree.go is generated from the names the binder uses
// (gen_tree.sh; run `go generate ./sql/parse` after the binder starts
// using a new node), so it is also the inventory of PostgreSQL syntax
// tsgres understands.
//
// The aliases are a choice, argued in docs/design.md ("sql/parse"): a
// tree of tsgres's own would copy some 240 node kinds of PostgreSQL's
// grammar, with a converter to keep in step with every pg_query release
// and a second allocation of every tree, for no difference in what the
// binder can express. Swapping the parser library means changing this
// package and, where node shapes differ, the binder.
//
// # PL/pgSQL
//
// PlpgsqlJSON parses a routine body with PostgreSQL's PL/pgSQL grammar on
// a synthesized CREATE statement and returns pg_query's JSON tree;
// because the grammar knows no variable's type outside PostgreSQL, it
// first rewrites RETURN NEXT in set-returning functions and the cursor
// statements into markers (PlpgsqlOutRow, PlpgsqlCursorText) that the
// interpreter (package plpgsql) reads back. Grammar errors come back with
// PostgreSQL's SQLSTATEs and messages.
package parse

//go:generate sh gen_tree.sh
