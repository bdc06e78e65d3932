// Package parse wraps pg_query, PostgreSQL's own parser: it is the one
// package meant to import pg_query, so that pg_query's types stay behind
// this wrapper and appear in no other package's API.
//
// For now it holds the PL/pgSQL grammar call. PlpgsqlJSON parses a
// routine body with PostgreSQL's PL/pgSQL grammar on a synthesized
// CREATE statement and returns pg_query's JSON tree; because the grammar
// knows no variable's type outside PostgreSQL, it first rewrites RETURN
// NEXT in set-returning functions and the cursor statements into
// markers (PlpgsqlOutRow, PlpgsqlCursorText) that the interpreter
// (package plpgsql) reads back. Grammar errors come back with
// PostgreSQL's SQLSTATEs and messages.
package parse
