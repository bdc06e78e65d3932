package dml

import (
	"io"
	"time"

	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage/col"
)

// Host is one statement's view of its session: what INSERT, UPDATE,
// DELETE and COPY need from the engine. Everything works inside the
// session's current transaction; nothing a Host does commits.
type Host interface {
	// ExecCtx returns a new executor context for the statement: its
	// transaction, parameters, functions and cancellation.
	ExecCtx() *exec.Ctx
	// Physical returns the plan the executor runs for bound plan n (the
	// optimizer's output, or n itself when the session turned it off).
	Physical(n plan.Node) plan.Node
	// Writer returns the table writer of the session's transaction.
	Writer() *table.Writer
	// BindEnv returns the statement's binding environment; COPY FROM
	// binds the defaults of the columns it does not read with it.
	BindEnv() plan.Env
	// Location returns the session's TimeZone, in which COPY TO formats
	// values.
	Location() *time.Location
}

// Output is where a statement's results go: the client, as the
// session's ResultWriter.
type Output interface {
	// Columns announces the result columns (RETURNING) before any row.
	Columns(cols []plan.OutCol) error
	// Batch sends the live rows of b; b is valid only during the call.
	Batch(b *col.Batch) error
	// Complete ends the statement with its command tag.
	Complete(tag string) error
	// CopyIn starts COPY FROM STDIN and returns a reader over the
	// client's data, which ends with io.EOF at the end of the data.
	CopyIn(binary bool, ncols int) (io.Reader, error)
	// CopyOut starts COPY TO STDOUT; data follows with CopyData and
	// ends with Complete.
	CopyOut(binary bool, ncols int) error
	// CopyData sends COPY TO data.
	CopyData(data []byte) error
}
