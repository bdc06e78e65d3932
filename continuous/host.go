package continuous

import (
	"context"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/storage/col"
)

// Host is the SQL engine as continuous-aggregate maintenance sees it.
// Package sql implements it over its database (this package does not
// import package sql; the engine calls in and hands itself over).
type Host interface {
	// Catalog is the live catalog store. Its committed snapshot names
	// the aggregates; the store also identifies the database (one
	// refresh lock per aggregate and store).
	Catalog() *catalog.Store
	// BeginRefresh opens a transaction in a new internal session of user
	// on database d, as an explicit transaction block would be. The
	// caller ends it with Commit or Close.
	BeginRefresh(ctx context.Context, d *catalog.Database, user string) Txn
}

// Txn is one open transaction of an internal engine session, in which a
// refresh reads the source, rewrites the materialization and moves the
// invalidation log and watermark. Everything it does commits together or
// not at all. A Txn is used by one goroutine.
type Txn interface {
	// Catalog returns the catalog the transaction sees, its own DDL
	// included.
	Catalog() *catalog.Snapshot
	// CaggWatermark returns the committed watermark of the continuous
	// aggregate with materialization hypertable matID, as seen by the
	// transaction (ok false before anything was materialized). With
	// Catalog it makes a Txn a Watermarks for the real-time union.
	CaggWatermark(matID int32) (wm int64, ok bool, err error)
	// Query runs one SQL statement in the transaction and hands each
	// result batch to rows, which must not keep it past the call; rows
	// may be nil to discard the result.
	Query(ctx context.Context, sql string, rows func(*col.Batch) error) error
	// AppendRows appends b to hypertable t in the transaction, routing
	// rows to chunks and maintaining t's indexes as INSERT does. The
	// transaction takes over b's vectors; rows appended in time order in
	// runs of storage.SealedBlockRows land as sealed blocks.
	AppendRows(t *catalog.Table, b *col.Batch) error
	// Invalidations returns the pending invalidations of the aggregate
	// with materialization hypertable matID.
	Invalidations(matID int32) ([]catalog.Invalidation, error)
	// AddInvalidation logs [lo, hi) (µs, bounds may be the int64
	// extremes for open ends) as invalid for materialization matID.
	AddInvalidation(matID int32, lo, hi int64) error
	// DeleteInvalidation removes one logged invalidation.
	DeleteInvalidation(inv catalog.Invalidation)
	// SetWatermark sets the aggregate's watermark: the end of its last
	// materialized bucket.
	SetWatermark(matID int32, wm int64)
	// Commit commits the transaction; a write conflict with a
	// concurrent transaction is a pgerr.Error with code 40001.
	Commit() error
	// Close ends the session, rolling back what was not committed.
	Close()
}

// Dropper is what dropping a continuous aggregate needs from the session
// running DROP: its catalog writer and transaction.
type Dropper interface {
	// Catalog returns the catalog the session sees, its own DDL
	// included.
	Catalog() *catalog.Snapshot
	// DropTable drops relation t in the session's DDL.
	DropTable(t *catalog.Table) error
	// DropCaggState deletes the watermark and invalidation log of the
	// aggregate with materialization hypertable matID.
	DropCaggState(matID int32) error
}
