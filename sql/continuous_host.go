package sql

import (
	"context"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/ddl"
	"github.com/tsgres/tsgres/sql/timescale"
	"github.com/tsgres/tsgres/storage/col"
)

// The engine side of package continuous: adapters through which
// continuous-aggregate maintenance (refresh, invalidation, drop) and job
// runs reach sessions, transactions and the catalog without package
// continuous importing this package.

// caggDB is the database as a continuous.Host and continuous.JobHost.
type caggDB struct{ db *DB }

var _ continuous.JobHost = caggDB{}

// Catalog implements continuous.Host.
func (h caggDB) Catalog() *catalog.Store { return h.db.cat }

// BeginRefresh implements continuous.Host: a new internal session inside
// a transaction block.
func (h caggDB) BeginRefresh(ctx context.Context, d *catalog.Database, user string) continuous.Txn {
	s := newSession(h.db, StartupParams{User: user, Database: d.Name}, d)
	s.begin()
	s.inBlock = true
	return &caggHost{s: s, env: s.newEnv(ctx, nil)}
}

// BeginJob implements continuous.JobHost: a new internal session of the
// job's owner named after the job.
func (h caggDB) BeginJob(d *catalog.Database, j *catalog.Job) continuous.JobSession {
	p := StartupParams{User: j.Owner, Database: d.Name, Options: map[string]string{"application_name": j.ApplicationName()}}
	return jobSession{newSession(h.db, p, d)}
}

// jobSession is a job run's internal session as a continuous.JobSession.
type jobSession struct{ s *session }

var _ continuous.JobSession = jobSession{}

// PID implements continuous.JobSession.
func (j jobSession) PID() int32 { return j.s.pid }

// Catalog implements continuous.JobSession.
func (j jobSession) Catalog() *catalog.Snapshot { return j.s.catalogSnap() }

// Query implements continuous.JobSession.
func (j jobSession) Query(ctx context.Context, sql string) error {
	return j.s.Query(ctx, sql, discard{})
}

// CompressionCandidates implements continuous.JobSession: package
// timescale selects the chunks, in a transaction of its own that reads
// and writes nothing else.
func (j jobSession) CompressionCandidates(ctx context.Context, t *catalog.Table, pc continuous.PolicyConfig) ([]*catalog.Chunk, error) {
	j.s.begin()
	defer j.s.rollback()
	h := j.s.newEnv(ctx, nil).TimescaleHost()
	return timescale.CompressionCandidates(h, t, pc.CompressAfter, pc.CompressCreatedBefore)
}

// Close implements continuous.JobSession.
func (j jobSession) Close() { j.s.Close() }

// caggHost is one session's transaction as a continuous.Txn (and, for
// CREATE and DROP, a continuous.Creator and continuous.Dropper). env is the environment the refresh's
// statements share: its executor context appends the state rows.
type caggHost struct {
	s   *session
	env *execEnv
}

var (
	_ continuous.Txn     = (*caggHost)(nil)
	_ continuous.Dropper = (*caggHost)(nil)
	_ continuous.Creator = (*caggHost)(nil)
)

// Catalog implements continuous.Txn.
func (h *caggHost) Catalog() *catalog.Snapshot { return h.s.catalogSnap() }

// CaggWatermark implements continuous.Txn.
func (h *caggHost) CaggWatermark(matID int32) (int64, bool, error) {
	return h.env.CaggWatermark(matID)
}

// Query implements continuous.Txn.
func (h *caggHost) Query(ctx context.Context, sql string, rows func(*col.Batch) error) error {
	if rows == nil {
		return h.s.Query(ctx, sql, discard{})
	}
	return h.s.Query(ctx, sql, &batchFunc{f: rows})
}

// AppendRows implements continuous.Txn.
func (h *caggHost) AppendRows(t *catalog.Table, b *col.Batch) error {
	return h.s.tableWriter().AppendHyper(t, b, true)
}

// Invalidations implements continuous.Txn.
func (h *caggHost) Invalidations(matID int32) ([]catalog.Invalidation, error) {
	return catalog.Invalidations(h.s.txn, matID)
}

// AddInvalidation implements continuous.Txn.
func (h *caggHost) AddInvalidation(matID int32, lo, hi int64) error {
	return h.s.db.cat.AddInvalidation(h.s.txn, matID, lo, hi)
}

// DeleteInvalidation implements continuous.Txn.
func (h *caggHost) DeleteInvalidation(inv catalog.Invalidation) {
	catalog.DeleteInvalidation(h.s.txn, inv)
}

// SetWatermark implements continuous.Txn.
func (h *caggHost) SetWatermark(matID int32, wm int64) { catalog.SetWatermark(h.s.txn, matID, wm) }

// Commit implements continuous.Txn.
func (h *caggHost) Commit() error { return h.s.commit() }

// Close implements continuous.Txn.
func (h *caggHost) Close() { h.s.Close() }

// NewHypertableID implements continuous.Creator.
func (h *caggHost) NewHypertableID() (int32, error) { return h.s.writer().NewHypertableID() }

// CreateTable implements continuous.Creator.
func (h *caggHost) CreateTable(t *catalog.Table) error { return h.s.writer().CreateTable(t) }

// CheckColumns implements continuous.Creator.
func (h *caggHost) CheckColumns(cols []catalog.Column) error { return ddl.CheckColumnNames(cols) }

// DropTable implements continuous.Dropper.
func (h *caggHost) DropTable(t *catalog.Table) error { return h.s.writer().DropTable(t) }

// DropCaggState implements continuous.Dropper.
func (h *caggHost) DropCaggState(matID int32) error { return catalog.DropCaggState(h.s.txn, matID) }

// batchFunc is a ResultWriter handing each batch to f.
type batchFunc struct {
	discard
	f func(*col.Batch) error
}

func (w *batchFunc) Batch(b *col.Batch) error { return w.f(b) }
