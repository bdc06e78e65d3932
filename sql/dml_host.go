package sql

import (
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/dml"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage/col"
)

// The engine's side of packages dml (INSERT, UPDATE, DELETE, COPY) and
// table (writing rows of SQL tables): dmlHost is a statement as a
// dml.Host, dmlOutput a ResultWriter as a dml.Output, and tableEnv the
// session as a table.Env.

func (s *session) insert(env *execEnv, x *plan.Insert, w ResultWriter) error {
	return dml.Insert(dmlHost{env}, x, dmlOutput{w})
}

func (s *session) update(env *execEnv, x *plan.Update, w ResultWriter) error {
	return dml.Update(dmlHost{env}, x, dmlOutput{w})
}

func (s *session) delete(env *execEnv, x *plan.Delete, w ResultWriter) error {
	return dml.Delete(dmlHost{env}, x, dmlOutput{w})
}

func (s *session) copy(env *execEnv, x *plan.Copy, w ResultWriter) error {
	return dml.Copy(dmlHost{env}, x, dmlOutput{w})
}

// tableWriter returns a table writer over the session's transaction.
func (s *session) tableWriter() *table.Writer { return table.NewWriter(s.txn, tableEnv{s}) }

// dmlHost is one statement's dml.Host.
type dmlHost struct{ e *execEnv }

var _ dml.Host = dmlHost{}

func (h dmlHost) ExecCtx() *exec.Ctx             { return h.e.execCtx() }
func (h dmlHost) Physical(n plan.Node) plan.Node { return h.e.s.physical(n) }
func (h dmlHost) Writer() *table.Writer {
	w := h.e.s.tableWriter()
	w.Ctx, w.LockTimeout = h.e.ctx, h.e.s.millisSetting("lock_timeout")
	return w
}
func (h dmlHost) BindEnv() plan.Env        { return h.e }
func (h dmlHost) Location() *time.Location { return h.e.s.loc }

// dmlOutput is a ResultWriter as a dml.Output.
type dmlOutput struct{ ResultWriter }

var _ dml.Output = dmlOutput{}

// Columns announces plan columns as the client's result columns.
func (o dmlOutput) Columns(cols []plan.OutCol) error {
	return o.ResultWriter.Columns(columnsOf(cols))
}

// tableEnv is the session as a table.Env: chunks as its transaction
// (and DDL writer) sees them, the database's sequences and the
// continuous-aggregate write notes.
type tableEnv struct{ s *session }

var _ table.Env = tableEnv{}

func (e tableEnv) ChunkFor(t *catalog.Table, ts int64, part int) (*catalog.Chunk, error) {
	return e.s.db.cat.ChunkFor(e.s.ddl, t, ts, part)
}

func (e tableEnv) ScanChunks(oid uint32, lo, hi int64) []*catalog.Chunk {
	return e.s.db.cat.ScanChunksIn(e.s.ddl, oid, lo, hi)
}

func (e tableEnv) NextSequence(name string, delta int64) (int64, error) {
	return e.s.db.store.NextSequence(name, delta)
}

func (e tableEnv) NoteHyperWrite(t *catalog.Table, tv *col.Vec, n int) { e.s.noteHyperWrite(t, tv, n) }
