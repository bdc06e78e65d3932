package plpgsql

import (
	"context"
	"time"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/types"
)

// Executor is the session a PL/pgSQL routine runs in: the interpreter
// reaches the database, the transaction, the client and the session's
// portals through it alone. Every method is called from the goroutine
// running the session's statement.
type Executor interface {
	// Bind binds statement p of the body (or one EXECUTE computed) with
	// params in the session's current state: search path, catalog,
	// settings. Binding does not start a transaction.
	Bind(ctx context.Context, p *parse.Statement, params *Params) (Statement, error)

	// Begin starts a transaction unless one is open; the interpreter
	// calls it before running a bound statement and before
	// Subtransaction.
	Begin()

	// Subtransaction marks the database state at the start of a block
	// with an EXCEPTION clause. It returns the context to run the block
	// in, in which EndTransaction fails (also in routines the block
	// calls), and rollback, which undoes the database and catalog changes
	// made since (nothing once a COMMIT has ended the transaction).
	Subtransaction(ctx context.Context) (inner context.Context, rollback func())

	// EndTransaction runs COMMIT (or with rollback, ROLLBACK) of a
	// procedure or DO block and starts a new transaction. It fails with
	// SQLSTATE 2D000 where PostgreSQL refuses transaction control: in a
	// function, under a CALL in a transaction block or in a
	// multi-statement query string, or inside a Subtransaction context.
	EndTransaction(ctx context.Context, rollback bool) error

	// Notice sends a notice (RAISE below ERROR) to the client of the
	// statement ctx belongs to; severity is "NOTICE", "INFO" or
	// "WARNING".
	Notice(ctx context.Context, severity, code, msg string) error

	// Location is the session's time zone, which casts and text output
	// use. It may change while a routine runs (SET TIME ZONE).
	Location() *time.Location

	// Cursor returns the open portal named name: a cursor the
	// interpreter opened, or one DECLAREd in SQL (nil until ReadCursor
	// has read it). open is false when no portal has that name.
	Cursor(name string) (c *Cursor, open bool)

	// ReadCursor returns the portal named name with all its rows read,
	// reading the rest of a cursor DECLAREd in SQL first so it can be
	// positioned freely. open is false when no portal has that name.
	ReadCursor(ctx context.Context, name string) (c *Cursor, open bool, err error)

	// OpenCursor registers c as the portal named name, which is not
	// open. The portal closes at the end of the transaction or when
	// CloseCursor (or SQL CLOSE) closes it; SQL FETCH reads it too.
	OpenCursor(name string, c *Cursor)

	// CloseCursor closes the portal named name and reports whether it
	// was open.
	CloseCursor(name string) bool
}

// Statement is a statement bound by Executor.Bind.
type Statement interface {
	// Columns returns the result columns of a query without running it;
	// ok is false for a statement that is not a query.
	Columns() (cols []Column, ok bool)

	// Run runs the statement in the session's current transaction,
	// keeping at most max of the rows it returns (0: all). Notices it
	// raises go to the client.
	Run(max int) (*Result, error)
}

// Params are the parameters a statement is bound with: $i has type
// Types[i-1] and value Values[i-1]. An unqualified name the statement
// does not find as a column is the parameter of that name in Names (""
// for none), and the two-part references of Qualified ("label.var",
// "routine.param", "record.field") are the parameters they map to, ahead
// of columns of the same spelling.
type Params struct {
	Types     []types.T
	Values    []any
	Names     []string
	Qualified map[string]int
}

// Column describes a result column as a RowDescription field does. The
// interpreter reads Name and Type; TableOID and AttNum (0 unless the
// column is a plain table column) it only carries, so that SQL FETCH
// from a cursor it opened describes the columns as the query did.
type Column struct {
	Name     string
	Type     types.T
	TableOID uint32
	AttNum   int16
}

// Result is what a statement run by Statement.Run produced.
type Result struct {
	// Columns are the result columns; nil (not empty) for a statement
	// without a result set, such as INSERT without RETURNING.
	Columns []Column
	// Rows are the first rows of the result, as many as Run kept.
	Rows [][]any
	// Count is how many rows the statement returned, kept or not.
	Count int64
	// Tag is the command tag ("SELECT 3", "INSERT 0 2").
	Tag string
}
