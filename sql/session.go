package sql

import (
	"context"
	"io"
	"time"

	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Column describes one result column as a RowDescription field does.
type Column struct {
	Name     string
	Type     types.T
	TableOID uint32 // 0 when the column is not a plain table column
	AttNum   int16  // 0 when the column is not a plain table column
}

// StartupParams are what a client sent in its StartupMessage.
type StartupParams struct {
	User     string
	Database string
	Options  map[string]string // all other startup parameters (application_name, DateStyle, options, ...)
}

// Engine creates sessions and answers authentication questions. It is safe
// for concurrent use.
type Engine interface {
	// NewSession opens a session for an authenticated user. It fails with
	// 3D000 when the database does not exist and 28000 when the role does
	// not exist.
	NewSession(ctx context.Context, p StartupParams) (Session, error)
	// RoleSecret returns the SCRAM-SHA-256 verifier stored for role (in
	// PostgreSQL's "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>"
	// form) and whether the role may log in. ok is false when the role is
	// unknown; secret is empty when the role has no password.
	RoleSecret(role string) (secret string, canLogin bool, ok bool)
}

// Session executes statements for one connection. A session is used by one
// goroutine at a time; ctx cancellation (CancelRequest, shutdown) makes a
// running statement fail with 57014.
//
// Extended protocol: Prepare/Bind/Execute follow the protocol's statement
// and portal lifetimes. The unnamed statement/portal is "". After an error
// the server discards messages until Sync and then calls Sync, which ends
// an implicit transaction (commit on success, rollback after an error).
type Session interface {
	// Query runs a simple-protocol query string, which may hold several
	// statements. Each statement's results go to w; the first error stops
	// the rest and is returned. An empty string (or only comments/';')
	// reports w.EmptyQuery().
	Query(ctx context.Context, query string, w ResultWriter) error

	// Prepare parses and analyzes query as statement name, replacing an
	// unnamed one. paramOIDs are the client's parameter types (0 =
	// infer). It returns the parameter types and the result columns (nil
	// for statements that return no rows).
	Prepare(ctx context.Context, name, query string, paramOIDs []uint32) (*Prepared, error)
	// DescribeStatement returns a prepared statement's parameter types and columns.
	DescribeStatement(name string) (*Prepared, error)
	// Bind creates portal from statement stmt with parameter values in
	// the given formats (0 text, 1 binary; one format means all; none
	// means text). A nil value is NULL.
	Bind(ctx context.Context, portal, stmt string, paramFormats []int16, params [][]byte) error
	// DescribePortal returns the columns a portal will produce (nil: no rows).
	DescribePortal(portal string) ([]Column, error)
	// Execute runs portal, writing at most maxRows rows (0 = all). It
	// returns suspended=true when rows remain (PortalSuspended).
	Execute(ctx context.Context, portal string, maxRows int, w ResultWriter) (suspended bool, err error)
	// CloseStatement and ClosePortal drop a statement or portal; closing
	// a name that does not exist is not an error.
	CloseStatement(name string)
	ClosePortal(name string)
	// Sync ends the implicit transaction of an extended-protocol batch.
	Sync(ctx context.Context) error

	// TxStatus is the ReadyForQuery status: 'I' idle, 'T' in a
	// transaction block, 'E' in a failed transaction block.
	TxStatus() byte
	// ParameterStatus lists the parameters reported at startup.
	ParameterStatus() [][2]string
	// Location is the session's TimeZone, used to format timestamptz
	// values in results; never nil.
	Location() *time.Location
	// Close releases the session, rolling back any open transaction.
	Close()
}

// Prepared describes a prepared statement.
type Prepared struct {
	ParamTypes []types.T
	Columns    []Column // nil: the statement returns no rows
}

// ResultWriter receives a statement's results. The server implements it
// and turns calls into protocol messages.
type ResultWriter interface {
	// Columns announces the result columns before any row (simple
	// protocol: RowDescription; extended: nothing, Describe did it).
	Columns(cols []Column) error
	// Batch sends the live rows of b; b.Cols line up with the announced
	// columns. b is valid only during the call.
	Batch(b *col.Batch) error
	// Complete ends a statement with its command tag, e.g. "SELECT 5",
	// "INSERT 0 3", "CREATE TABLE".
	Complete(tag string) error
	// EmptyQuery reports an empty query string.
	EmptyQuery() error
	// Notice sends a NoticeResponse (severity NOTICE/WARNING/...).
	Notice(severity, code, message string) error
	// ParameterStatus reports a changed run-time parameter (after SET).
	ParameterStatus(name, value string) error
	// CopyIn starts COPY FROM STDIN: the server sends CopyInResponse and
	// returns a reader over the CopyData payloads, which ends with io.EOF
	// at CopyDone and fails with a 57014 error at CopyFail.
	CopyIn(binary bool, ncols int) (io.Reader, error)
	// CopyOut starts COPY TO STDOUT; the engine then sends data with
	// CopyData and ends with Complete (the server sends CopyDone first).
	CopyOut(binary bool, ncols int) error
	CopyData(data []byte) error
}
