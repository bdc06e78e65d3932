package table

import (
	"context"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Writer writes the rows of SQL tables inside one storage transaction:
// the row store of regular tables with their unique index entries
// (rowstore.go), the routing of hypertable rows to chunks (route.go),
// the rewriting of hypertable blocks (blocks.go) and the maintenance of
// the last-value index (lastvalue.go, lastvalue_rebuild.go).
//
// A Writer checks the constraints a write must hold (NOT NULL, unique
// indexes) and keeps every index of a table in step with its rows, in
// the same transaction; it evaluates no SQL expressions: the statement
// drivers (package dml) compute the rows and hand them over. Rows are
// []any in t.Cols order (SQL kinds), batches hold all of t's columns.
type Writer struct {
	// Txn is the transaction every read and write goes through.
	Txn *storage.Txn
	// Env is the session side of the writer: chunks, hidden row ids and
	// the notes continuous aggregates take of hypertable writes.
	Env Env
	// Ctx bounds the waits for row and chunk locks (locks.go): the
	// statement's context. Nil waits without bound.
	Ctx context.Context
	// LockTimeout bounds each wait for a lock (lock_timeout); 0: none.
	LockTimeout time.Duration
	// rowIDs are the hidden row ids reserved per table (nextRowID).
	rowIDs map[uint32]*idBlock
}

// Env is what a Writer needs from the session beyond its transaction.
// Every method works inside the session's current transaction.
type Env interface {
	// ChunkFor returns the chunk of hypertable t holding time ts (in
	// time-dimension units, see DimensionValue) in space partition part,
	// creating it in the transaction when there is none.
	ChunkFor(t *catalog.Table, ts int64, part int) (*catalog.Chunk, error)
	// ScanChunks returns the chunks of hypertable oid overlapping
	// [lo, hi] as the transaction sees them, ordered by range start.
	ScanChunks(oid uint32, lo, hi int64) []*catalog.Chunk
	// NextSequence returns the next value of the persisted counter name
	// (hidden row ids of tables without a primary key).
	NextSequence(name string, delta int64) (int64, error)
	// NoteHyperWrite records the times (the first n values of time
	// vector tv) of rows written to or removed from hypertable t, for
	// the invalidation of the continuous aggregates on it.
	NoteHyperWrite(t *catalog.Table, tv *col.Vec, n int)
}

// NewWriter returns a Writer over txn and env.
func NewWriter(txn *storage.Txn, env Env) *Writer { return &Writer{Txn: txn, Env: env} }
