package timescale

import (
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Host is what the TimescaleDB API needs from the SQL engine: one
// statement's view of its session. Every method works inside the
// session's current transaction; nothing a Host does commits.
type Host interface {
	// Catalog returns the catalog snapshot the statement sees, including
	// the transaction's own uncommitted DDL.
	Catalog() *catalog.Snapshot
	// Database returns the current database's OID.
	Database() uint32
	// Store returns the live catalog. Chunk-level changes (compress,
	// decompress, drop) are made through it with Writer's writer.
	Store() *catalog.Store
	// Writer returns the transaction's DDL writer, starting one. What is
	// written through it is published at COMMIT and dropped at ROLLBACK.
	Writer() *catalog.Writer
	// Txn returns the session's storage transaction; the statement runs
	// inside one, so it is never nil here.
	Txn() *storage.Txn
	// Chunks returns hypertable oid's chunks as the transaction sees
	// them, ordered by range start.
	Chunks(oid uint32) []*catalog.Chunk
	// Relation resolves a regclass-like function argument: an OID
	// (int64) or a possibly qualified, possibly quoted name (string)
	// looked up on the session's search path. A name that finds nothing
	// is 42P01.
	Relation(arg any) (*catalog.Table, error)
	// Function resolves a regproc-like function argument: a possibly
	// qualified name of a user-defined function (any argument list)
	// looked up on the session's search path; none is 42883, several are
	// 42725.
	Function(name string) (*catalog.Function, error)
	// HasRows reports whether table t holds any row (for a hypertable:
	// any chunk).
	HasRows(t *catalog.Table) bool
	// ReadRows reads all rows of regular table t into one batch, in the
	// column order of t.Cols.
	ReadRows(t *catalog.Table) (*col.Batch, error)
	// AppendRows routes rows b (in the column order of t.Cols) to
	// hypertable t's chunks, creating chunks as needed, and appends them
	// to the transaction with their index and last-value entries.
	AppendRows(t *catalog.Table, b *col.Batch) error
	// Now returns the statement's now(): the transaction's start, µs
	// since the Unix epoch.
	Now() int64
	// Location returns the session's TimeZone.
	Location() *time.Location
	// IntegerNow calls integer-time hypertable t's integer_now function
	// (set_integer_now_func); without one it fails as TimescaleDB does.
	IntegerNow(t *catalog.Table) (int64, error)
	// StaleLastValues returns, per last-value index of hypertable t, the
	// keys of the series whose newest row lies in one of chunks: the
	// entries that dropping those chunks leaves pointing at nothing.
	StaleLastValues(t *catalog.Table, chunks []*catalog.Chunk) (map[*catalog.Index]map[string]bool, error)
	// RecomputeLastValue rebuilds last-value index ix's entries for the
	// series keys in stale from the rows t still holds.
	RecomputeLastValue(t *catalog.Table, ix *catalog.Index, stale map[string]bool) error
	// CatalogEnv returns the statement's pgcatalog environment, for the
	// size and compression statistics that package pgcatalog computes.
	CatalogEnv() pgcatalog.Env
	// User returns the session's user: the owner of the jobs add_job
	// creates.
	User() string
	// InTransactionBlock reports whether the statement cannot be followed
	// by transactions of the function's own: it runs inside a
	// transaction block (BEGIN), or after DDL in the same implicit
	// transaction (whose catalog changes the function's own DDL would
	// wait for).
	InTransactionBlock() bool
	// RunJob runs job id now, in its own internal session and
	// transactions (see continuous.RunJob), and returns the error the
	// run failed with.
	RunJob(id int32) error
	// RefreshContinuousAggregate refreshes continuous aggregate oid over
	// [start, end) (nil: open) in transactions of its own, as the
	// session's user in the session's database (see continuous.Refresh).
	RefreshContinuousAggregate(oid uint32, start, end *int64) error
}

// Provider is implemented by the engine's per-statement value that it
// puts in funcs.Ctx.Extra and passes as the context of set-returning
// functions; the API's functions find their Host through it.
type Provider interface {
	// TimescaleHost returns the statement's Host.
	TimescaleHost() Host
}

// hostOf returns the Host of a scalar function call.
func hostOf(ctx *funcs.Ctx) (Host, error) {
	p, ok := ctx.Extra.(Provider)
	if !ok {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "function needs a session")
	}
	return p.TimescaleHost(), nil
}

// setHost returns the Host of a set-returning function call, whose
// context is the engine's Provider.
func setHost(ctx any) Host { return ctx.(Provider).TimescaleHost() }

// timeType returns the type of hypertable t's time column.
func timeType(t *catalog.Table) types.T { return t.Cols[t.ColByID(t.Hyper.TimeCol)].Type }
