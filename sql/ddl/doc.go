// Package ddl runs the schema-change statements: what CREATE, ALTER,
// DROP and their kin do to the catalog and to the data already stored.
//
//	tables      CREATE TABLE [AS] (serial columns, PRIMARY KEY, UNIQUE),
//	            ALTER TABLE (columns, defaults with backfill, NOT NULL,
//	            constraints, types, renames, SET (options) including
//	            TimescaleDB compression), TRUNCATE, DROP TABLE/SEQUENCE
//	indexes     CREATE [UNIQUE] INDEX (unique builds over existing rows,
//	            last-value indexes on hypertables), DROP INDEX
//	views       CREATE [OR REPLACE] VIEW, CREATE/REFRESH MATERIALIZED
//	            VIEW, continuous aggregates (CREATE MATERIALIZED VIEW ...
//	            WITH (timescaledb.continuous), ALTER MATERIALIZED VIEW
//	            SET (...)), DROP VIEW/MATERIALIZED VIEW
//	functions   CREATE [OR REPLACE] FUNCTION/PROCEDURE with PostgreSQL's
//	            body checks (check_function_bodies), DROP
//	            FUNCTION/PROCEDURE
//	others      CREATE/DROP SCHEMA, DATABASE, EXTENSION; CREATE/ALTER/
//	            DROP ROLE
//
// Run is the one entry point: the engine hands it every bound statement
// that is neither a query, DML, COPY nor session or transaction control.
//
// # The engine seam
//
// The package does not import the engine (package sql). It reaches the
// session through Host, which the engine implements per statement
// (sql/ddl_host.go): the catalog snapshot and the transaction's DDL
// writer, the storage transaction, name resolution on the search path,
// binding and evaluating expressions, inserting a query's rows, the
// last-value and compression hooks, and, for continuous aggregates,
// creating, dropping, committing and refreshing. Results go to a
// ResultWriter that only takes notices and the command tag; the engine's
// ResultWriter is one.
//
// Running a routine (a SQL function called in a query, CALL) and the
// sequence functions (nextval, currval, setval) are not schema changes
// and stay with the session, which owns the call depth and currval.
//
// # Invariants
//
//   - Catalog changes go through Host.Writer, so they are part of the
//     statement's transaction: published at COMMIT, dropped at ROLLBACK,
//     undone to a savepoint with the rest of it. Data changes a schema
//     change makes (a unique index's entries, ADD COLUMN's backfill,
//     TRUNCATE, REFRESH) go to Host.Txn, in the same transaction.
//   - A statement either completes with its command tag or fails with a
//     pgerr.Error carrying PostgreSQL's SQLSTATE, message, detail and
//     hint. A failed statement may leave partial changes in the
//     transaction; the engine undoes them (the statement's savepoint
//     inside a block, the implicit transaction's rollback outside).
//   - ALTER TABLE works on a clone of the descriptor and writes it once,
//     after every command succeeded; descriptors from the snapshot are
//     never modified in place.
//   - The only statement that commits on its own is CREATE MATERIALIZED
//     VIEW ... WITH DATA of a continuous aggregate, which refuses to run
//     inside a transaction block, as TimescaleDB's does.
package ddl
