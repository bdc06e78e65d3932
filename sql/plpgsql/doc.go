// Package plpgsql is the PL/pgSQL interpreter: it runs the bodies of
// LANGUAGE plpgsql functions and procedures and of DO blocks, and checks
// a body when CREATE FUNCTION or CREATE PROCEDURE stores it.
//
// # Entry points
//
// Call runs a routine and returns its value (or its OUT parameters),
// CallSet runs a set-returning function and returns its rows, Do runs a
// DO block and CheckRoutine makes the checks PostgreSQL's PL/pgSQL
// compiler makes at CREATE time. Cursor is a portal whose rows are all
// read; the session keeps the cursors a routine opens as portals, and
// SQL FETCH reads them with Cursor.Forward.
//
// # Parsing
//
// A body is parsed by PostgreSQL's own PL/pgSQL grammar through
// sql/parse (parse.PlpgsqlJSON), whose JSON output parse.go turns into a
// tree of statements; this package does not import pg_query. Parsed
// bodies are cached by routine kind, parameter names and source. The
// SQL inside a body (expressions, queries, statements) is kept as text
// and is not bound until it runs, as in PostgreSQL.
//
// # The Executor contract
//
// The interpreter reaches the database only through an Executor, which
// the session implements (package sql, plpgsql_host.go): this package
// imports parse for the parsed statements it hands over, but never the
// session, the storage or the wire protocol. Each expression is run as
// "SELECT expr" and each statement as written, bound by Executor.Bind
// with the visible variables as parameters ($1..$n in stack order, plus
// names and qualified names, see Params) and run in the caller's
// session and transaction by Statement.Run, which returns plain rows.
// RAISE below ERROR goes to Executor.Notice; COMMIT and ROLLBACK go to
// Executor.EndTransaction; OPEN, FETCH, MOVE and CLOSE use the
// session's portals through Executor.Cursor, ReadCursor, OpenCursor and
// CloseCursor. All calls come from the goroutine running the
// statement.
//
// # Invariants
//
//   - A function runs atomically: the context the session passes to
//     Call and CallSet for a function (not a procedure) makes
//     EndTransaction fail with SQLSTATE 2D000, so COMMIT and ROLLBACK
//     work only in procedures and DO blocks called where PostgreSQL
//     allows them; the interpreter relies on the Executor to refuse.
//   - A block with an EXCEPTION clause runs in a subtransaction
//     (Executor.Subtransaction): when a handler catches an error, the
//     block's database and catalog changes are rolled back before the
//     handler runs with SQLSTATE and SQLERRM set. An error no handler
//     matches, or one without a SQLSTATE, propagates unchanged, and
//     COMMIT inside the block fails.
//   - A transaction is open before any statement runs (Executor.Begin).
//   - Errors carry PostgreSQL's SQLSTATEs and messages, and the CONTEXT
//     line naming the routine ("PL/pgSQL function f(integer)") is added
//     once, by the innermost routine.
//   - Nothing a routine computes survives it except its result, the
//     database changes of its statements, and the portals it left open.
package plpgsql
