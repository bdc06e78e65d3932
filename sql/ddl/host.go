package ddl

import (
	"context"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
)

// Host is the session a schema change runs in, as this package sees it.
// The engine (package sql) implements it for one statement; everything
// the statements read or write goes through it or through the catalog
// writer and storage transaction it hands out.
type Host interface {
	// Catalog returns the catalog snapshot the statement sees, including
	// the transaction's own uncommitted DDL. It changes once Writer has
	// been called, so callers ask again rather than keep one.
	Catalog() *catalog.Snapshot
	// Database returns the current database's OID.
	Database() uint32
	// DatabaseName returns the current database's name.
	DatabaseName() string
	// User returns the session's user: the owner of what it creates.
	User() string
	// SearchPath lists the schemas unqualified names are looked up in.
	SearchPath() []string
	// OtherSessions returns the pids of the other sessions connected to
	// database name.
	OtherSessions(name string) []int32
	// Terminate ends session pid's connection (pg_terminate_backend).
	Terminate(pid int32)
	// InTransactionBlock reports whether the session is inside an
	// explicit transaction block (BEGIN ... COMMIT).
	InTransactionBlock() bool
	// Location returns the session's TimeZone, for binding defaults and
	// function bodies.
	Location() *time.Location

	// Writer returns the transaction's DDL writer, starting one. What is
	// written through it is published at COMMIT and dropped at ROLLBACK.
	Writer() *catalog.Writer
	// NewOID allocates an object OID (for indexes made outside the
	// writer's CreateTable).
	NewOID() (uint32, error)
	// Txn returns the session's storage transaction; the statement runs
	// inside one, so it is never nil here.
	Txn() *storage.Txn
	// Chunks returns hypertable oid's chunks as the transaction sees
	// them, ordered by range start.
	Chunks(oid uint32) []*catalog.Chunk
	// HasRows reports whether table t holds any row (for a hypertable:
	// any chunk).
	HasRows(t *catalog.Table) bool

	// PlanEnv returns the statement's binding environment, for binding
	// column defaults, view queries and function bodies.
	PlanEnv() plan.Env
	// Eval evaluates a bound expression without column references in
	// the statement's executor context.
	Eval(e plan.Expr) (any, error)
	// EvalRow evaluates a bound expression over row (a table's columns),
	// for validating a CHECK constraint against stored rows.
	EvalRow(e plan.Expr, row []any) (any, error)
	// Insert inserts the rows of bound query q into table t (all of its
	// columns, in order) as INSERT ... SELECT does, and returns their
	// number.
	Insert(t *catalog.Table, q plan.Node) (int64, error)
	// TempSchema returns the session's temporary schema (pg_temp_<pid>)
	// in the current database, creating it in the transaction when
	// needed (and dropping a stale one a crashed server left behind).
	TempSchema() (string, error)
	// OnCommit registers the ON COMMIT action ("DROP" or "DELETE ROWS")
	// of the session's temporary table on.
	OnCommit(on plan.ObjectName, action string)
	// TableWriter returns the transaction's row and block writer
	// (package table), for index builds and backfills.
	TableWriter() *table.Writer
	// SetCompression applies the timescaledb.compress* options in opts
	// to hypertable nt (package timescale's SetCompression) and returns
	// the other options.
	SetCompression(nt *catalog.Table, opts map[string]string) (map[string]string, error)

	// CreateCagg creates continuous aggregate d in the transaction's DDL
	// (continuous.Create) and returns its view.
	CreateCagg(d continuous.Definition) (*catalog.Table, error)
	// DropCagg drops continuous aggregate t with its materialization
	// hypertable, policies, watermark and invalidations; with cascade,
	// the continuous aggregates built on it go too.
	DropCagg(t *catalog.Table, cascade bool) error
	// Commit commits the session's transaction.
	Commit() error
	// RefreshContinuousAggregate refreshes continuous aggregate oid over
	// its whole range in a transaction of its own.
	RefreshContinuousAggregate(ctx context.Context, oid uint32) error
}

// ResultWriter receives a schema change's notices and its command tag;
// the engine's ResultWriter is one.
type ResultWriter interface {
	// Notice sends a NoticeResponse (severity NOTICE/WARNING/...).
	Notice(severity, code, message string) error
	// Complete ends the statement with its command tag.
	Complete(tag string) error
}
