package sql

import (
	"context"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage/col"
)

// Continuous aggregates: the engine's hooks (the real-time union, write
// ranges noted for invalidation at commit, refresh in a transaction of
// its own) that hand over to package continuous, which owns refresh,
// materialization and the invalidation log (see continuous/doc.go and
// continuous_host.go for the adapters). Their CREATE, ALTER and DROP
// statements are package ddl's (view_cagg.go).

// CaggViewSQL implements plan.Env: the real-time union of package
// continuous, over the watermark the statement's transaction sees.
func (e *execEnv) CaggViewSQL(view *catalog.Table) (string, error) {
	return continuous.ViewSQL(e, view)
}

// CaggWatermark implements continuous.Watermarks: the aggregate's
// watermark as the statement's transaction sees it.
func (e *execEnv) CaggWatermark(matID int32) (int64, bool, error) {
	if e.s.txn == nil {
		txn := e.s.db.store.Begin()
		defer txn.Rollback()
		return catalog.Watermark(txn, matID)
	}
	return catalog.Watermark(e.s.txn, matID)
}

// noteHyperWrite records the time range of rows written to or deleted
// from hypertable t (time vector tv, n rows) for the continuous
// aggregates on it; commit turns it into invalidations.
func (s *session) noteHyperWrite(t *catalog.Table, tv *col.Vec, n int) {
	if n == 0 {
		return
	}
	s.caggInval.Note(s.catalogSnap(), t, tv.I64[:n])
}

// flushInvalidations adds the transaction's write ranges as
// invalidations of the continuous aggregates on the written hypertables,
// in the transaction being committed.
func (s *session) flushInvalidations() error {
	err := s.caggInval.Flush(s.catalogSnap(), func(matID int32, lo, hi int64) error {
		return s.db.cat.AddInvalidation(s.txn, matID, lo, hi)
	})
	if err != nil {
		return err
	}
	s.caggInval = nil
	return nil
}

// refreshCagg refreshes continuous aggregate oid over [start, end) (nil:
// open) in a transaction of its own; caller is the session asking
// (database and user).
func (db *DB) refreshCagg(ctx context.Context, caller *session, oid uint32, start, end *int64) error {
	d := caller.db.cat.Snapshot().Database(caller.dbName)
	if d == nil {
		return pgerr.New(pgerr.InvalidCatalogName, "database %q does not exist", caller.dbName)
	}
	return db.refreshCaggIn(ctx, d, caller.user, oid, start, end)
}

func (db *DB) refreshCaggIn(ctx context.Context, d *catalog.Database, user string, oid uint32, start, end *int64) error {
	return continuous.Refresh(ctx, caggDB{db}, d, user, oid, start, end)
}
