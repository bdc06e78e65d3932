package sql

import (
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/timescale"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// The engine's side of package timescale (the TimescaleDB SQL API):
// tsHost implements timescale.Host for one statement, and the root's
// callers of the API (ALTER TABLE, continuous aggregates, the retention
// and compression policies' job runs) call the package's exported
// functions.

// tsHost is one statement's timescale.Host: it is the statement's
// execEnv seen from the TimescaleDB API.
type tsHost struct{ e *execEnv }

var _ timescale.Host = tsHost{}

// TimescaleHost implements timescale.Provider: the API's functions find
// the statement's Host through funcs.Ctx.Extra and the context of
// set-returning functions.
func (e *execEnv) TimescaleHost() timescale.Host { return tsHost{e} }

func (h tsHost) Catalog() *catalog.Snapshot               { return h.e.s.catalogSnap() }
func (h tsHost) Database() uint32                         { return h.e.s.dbOID }
func (h tsHost) Store() *catalog.Store                    { return h.e.s.db.cat }
func (h tsHost) Writer() *catalog.Writer                  { return h.e.s.writer() }
func (h tsHost) Txn() *storage.Txn                        { return h.e.s.txn }
func (h tsHost) Chunks(oid uint32) []*catalog.Chunk       { return h.e.s.chunks(oid) }
func (h tsHost) Relation(arg any) (*catalog.Table, error) { return h.e.tableArg(arg) }
func (h tsHost) HasRows(t *catalog.Table) bool            { return h.e.s.hasRows(t) }
func (h tsHost) Now() int64                               { return h.e.funcCtx().Now }
func (h tsHost) Location() *time.Location                 { return h.e.s.loc }
func (h tsHost) CatalogEnv() pgcatalog.Env                { return h.e }

func (h tsHost) IntegerNow(t *catalog.Table) (int64, error)      { return h.e.integerNow(t) }
func (h tsHost) Function(name string) (*catalog.Function, error) { return h.e.functionArg(name) }
func (h tsHost) User() string                                    { return h.e.s.user }
func (h tsHost) InTransactionBlock() bool                        { return h.e.s.inBlock || h.e.s.ddl != nil }

// RunJob runs the job through DB.RunJob, which the scheduler calls too;
// the pid of the job's internal session is of no use to run_job.
func (h tsHost) RunJob(id int32) error {
	_, err := h.e.s.db.RunJob(h.e.ctx, id)
	return err
}

func (h tsHost) RefreshContinuousAggregate(oid uint32, start, end *int64) error {
	return h.e.s.db.refreshCagg(h.e.ctx, h.e.s, oid, start, end)
}

func (h tsHost) AppendRows(t *catalog.Table, b *col.Batch) error {
	return h.e.s.tableWriter().AppendHyper(t, b, false)
}

func (h tsHost) RecomputeLastValue(t *catalog.Table, ix *catalog.Index, stale map[string]bool) error {
	return h.e.s.tableWriter().RecomputeLastValue(t, ix, stale)
}

// ReadRows reads a regular table into one batch (migrate_data).
func (h tsHost) ReadRows(t *catalog.Table) (*col.Batch, error) {
	vecs := make([]*col.Vec, len(t.Cols))
	for i, c := range t.Cols {
		vecs[i] = col.NewVec(c.Type.Kind(), 1024)
	}
	it := h.e.s.txn.Iter(storage.Space{Table: uint64(t.OID)}, nil, nil)
	defer it.Close()
	n := 0
	row := make([]any, len(t.Cols))
	for it.Next() {
		if err := table.DecodeRow(t, it.Value(), row); err != nil {
			return nil, err
		}
		for i, v := range row {
			vecs[i].Append(v)
		}
		n++
	}
	return col.FromVecs(vecs, n), it.Err()
}

// StaleLastValues returns, per last-value index, the series whose newest
// row lies in one of chunks.
func (h tsHost) StaleLastValues(t *catalog.Table, chunks []*catalog.Chunk) (map[*catalog.Index]map[string]bool, error) {
	stale := map[*catalog.Index]map[string]bool{}
	tt := t.Cols[t.ColByID(t.Hyper.TimeCol)].Type
	for _, ix := range t.LastValueIndexes() {
		it := h.e.s.txn.Iter(table.LastValueSpace(t, ix), nil, nil)
		for it.Next() {
			ts := table.DimensionValue(tt, table.LastValueTime(it.Value()))
			for _, c := range chunks {
				if ts >= c.Start && ts < c.End {
					if stale[ix] == nil {
						stale[ix] = map[string]bool{}
					}
					stale[ix][string(it.Key())] = true
					break
				}
			}
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
	}
	return stale, nil
}

// setCompression applies the timescaledb.compress* options of ALTER
// TABLE (or ALTER MATERIALIZED VIEW, for the materialization hypertable)
// to nt (see timescale.SetCompression) and returns the other options.
// It needs no statement: it only lists nt's chunks.
func (s *session) setCompression(nt *catalog.Table, opts map[string]string) (map[string]string, error) {
	return timescale.SetCompression(tsHost{&execEnv{s: s}}, nt, opts)
}
