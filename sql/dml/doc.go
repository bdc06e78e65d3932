// Package dml runs the statements that change table data: INSERT (with
// ON CONFLICT), UPDATE and DELETE (with FROM / USING), their RETURNING
// clauses, and COPY FROM and COPY TO. It is the statement side of a
// write: it runs the statement's plans with package exec, evaluates its
// expressions (defaults, SET, WHERE, ON CONFLICT, RETURNING) and hands
// whole rows to a table.Writer (package table), which stores them, keeps
// indexes in step and checks constraints.
//
//	insert.go       INSERT: widen rows to all columns with defaults, then
//	                a hypertable's rows are routed to chunks and a regular
//	                table's are inserted one at a time with ON CONFLICT
//	update.go       UPDATE and DELETE of regular tables: every matching
//	                row is read first, then replaced or deleted
//	rewrite.go      UPDATE and DELETE of hypertables: blocks holding
//	                matching rows are rewritten without them; updated rows
//	                are appended again, so a changed time moves them
//	returning.go    RETURNING rows
//	copy*.go        COPY FROM (text, CSV, binary parsers) and COPY TO
//
// # The engine seam
//
// The package does not import the engine (package sql). A statement
// reaches its session through Host (executor context, physical plans,
// the transaction's table.Writer, binding environment, time zone) and
// its client through Output (result columns and rows, command tag, the
// COPY sub-protocol); the engine implements both with adapters
// (sql/dml_host.go).
//
// # Contract
//
// Each entry point (Insert, Update, Delete, Copy) runs one bound
// statement inside the session's current transaction and ends it with
// Output.Complete and PostgreSQL's command tag ("INSERT 0 n",
// "UPDATE n", "DELETE n", "COPY n"); it never commits. On error the
// statement's writes stay in the transaction, and the session undoes them
// (statement savepoint). RETURNING rows are collected while the statement
// runs and sent only at its end, so a statement that fails has sent no
// row; the session relies on this to run an UPDATE or DELETE again after
// a table.RaceError.
//
// COPY FROM reads the client's data in batches of copyBatchRows rows and
// writes each batch before reading the next; after a parse or write error
// it reads and drops the rest of the data, as the protocol requires. Parser errors are
// *pgerr.Error values with PostgreSQL's SQLSTATEs (22P04 for a malformed
// stream, the type's input error for a bad value) and a Where context
// naming the table, line and column; the fuzz targets
// (copy_fuzz_test.go) hold the parsers to that on arbitrary input.
package dml
