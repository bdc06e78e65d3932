package sql

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/ddl"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
)

// The engine's side of package ddl (the schema-change statements):
// ddlHost implements ddl.Host for one statement, which run hands to
// ddl.Run.

// ddlHost is one statement's ddl.Host: the statement's execEnv seen from
// the schema-change statements.
type ddlHost struct{ e *execEnv }

var _ ddl.Host = ddlHost{}

func (h ddlHost) Catalog() *catalog.Snapshot { return h.e.s.catalogSnap() }
func (h ddlHost) Database() uint32           { return h.e.s.dbOID }
func (h ddlHost) DatabaseName() string       { return h.e.s.dbName }
func (h ddlHost) User() string               { return h.e.s.user }
func (h ddlHost) SearchPath() []string       { return h.e.SearchPath() }
func (h ddlHost) InTransactionBlock() bool   { return h.e.s.inBlock }
func (h ddlHost) Terminate(pid int32)        { h.e.signalBackend(pid, true) }

func (h ddlHost) OtherSessions(name string) []int32 {
	var pids []int32
	for _, s := range h.e.s.db.active.all() {
		if s != h.e.s && s.dbName == name {
			pids = append(pids, s.pid)
		}
	}
	return pids
}

func (h ddlHost) Location() *time.Location           { return h.e.s.loc }
func (h ddlHost) Writer() *catalog.Writer            { return h.e.s.writer() }
func (h ddlHost) NewOID() (uint32, error)            { return h.e.s.db.cat.NewOID() }
func (h ddlHost) Txn() *storage.Txn                  { return h.e.s.txn }
func (h ddlHost) Chunks(oid uint32) []*catalog.Chunk { return h.e.s.chunks(oid) }
func (h ddlHost) HasRows(t *catalog.Table) bool      { return h.e.s.hasRows(t) }
func (h ddlHost) PlanEnv() plan.Env                  { return h.e }
func (h ddlHost) Commit() error                      { return h.e.s.commit() }

func (h ddlHost) Eval(e plan.Expr) (any, error) { return exec.Eval(h.e.execCtx(), e, nil) }
func (h ddlHost) EvalRow(e plan.Expr, row []any) (any, error) {
	return exec.Eval(h.e.execCtx(), e, row)
}

// Insert runs INSERT INTO t SELECT q through the DML path and reads the
// row count from its command tag ("INSERT 0 n").
func (h ddlHost) Insert(t *catalog.Table, q plan.Node) (int64, error) {
	ins := &plan.Insert{Table: t, Source: q, Defaults: make([]plan.Expr, len(t.Cols))}
	for i := range t.Cols {
		ins.Cols = append(ins.Cols, i)
	}
	var tag insertTag
	if err := h.e.s.insert(h.e, ins, &tag); err != nil {
		return 0, err
	}
	return tag.rows, nil
}

// insertTag is a ResultWriter keeping the row count of an INSERT's
// command tag; an INSERT without RETURNING sends nothing else.
type insertTag struct {
	discard
	rows int64
}

func (w *insertTag) Complete(tag string) error {
	f := strings.Fields(tag)
	n, err := strconv.ParseInt(f[len(f)-1], 10, 64)
	w.rows = n
	return err
}

func (h ddlHost) TableWriter() *table.Writer { return h.e.s.tableWriter() }

func (h ddlHost) SetCompression(nt *catalog.Table, opts map[string]string) (map[string]string, error) {
	return h.e.s.setCompression(nt, opts)
}

func (h ddlHost) CreateCagg(d continuous.Definition) (*catalog.Table, error) {
	return continuous.Create(&caggHost{s: h.e.s}, d)
}

func (h ddlHost) DropCagg(t *catalog.Table, cascade bool) error {
	return continuous.Drop(&caggHost{s: h.e.s}, t, cascade)
}

func (h ddlHost) RefreshContinuousAggregate(ctx context.Context, oid uint32) error {
	return h.e.s.db.refreshCagg(ctx, h.e.s, oid, nil, nil)
}

// hasRows reports whether table t holds any row (for a hypertable: any
// chunk) as the session's transaction sees it.
func (s *session) hasRows(t *catalog.Table) bool {
	if t.Hyper != nil {
		return len(s.chunks(t.OID)) > 0
	}
	it := s.txn.Iter(storage.Space{Table: uint64(t.OID)}, nil, nil)
	defer it.Close()
	return it.Next()
}
