package sql

import (
	"context"
	"strings"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/timescale"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// execEnv is one statement's view of its session: it implements plan.Env
// for binding, pgcatalog.Env for catalog views, and is the Engine handle
// passed to set-returning functions and TimescaleDB API functions.
type execEnv struct {
	s      *session
	ctx    context.Context
	params []any
	fctx   *funcs.Ctx
	// rels are the relations binding resolved (NoteRelation, in
	// rellocks.go), kept in relBuf while few.
	rels   []*catalog.Table
	relBuf [4]*catalog.Table
	// impure is set when binding evaluated an expression whose value may
	// change between binding and execution (a function call such as
	// now(), a subquery): the plan is then only good for this execution.
	impure bool
}

func (e *execEnv) funcCtx() *funcs.Ctx {
	if e.fctx == nil {
		now := e.s.txnStart
		if now == 0 {
			now = nowMicros()
		}
		e.fctx = &funcs.Ctx{Loc: e.s.loc, Now: now, Extra: e}
	}
	return e.fctx
}

// execCtx returns an executor context for this statement.
func (e *execEnv) execCtx() *exec.Ctx {
	return &exec.Ctx{Context: e.ctx, Txn: e.s.txn, Params: e.params, Funcs: e.funcCtx(), Engine: e,
		LockTimeout: e.s.millisSetting("lock_timeout"), ReadOnly: e.s.settings["transaction_read_only"] == "on"}
}

// plan.Env

func (e *execEnv) Catalog() *catalog.Snapshot { return e.s.catalogSnap() }
func (e *execEnv) Database() uint32           { return e.s.dbOID }

func (e *execEnv) SearchPath() []string {
	sp := e.s.settings["search_path"]
	var out []string
	for _, p := range strings.Split(sp, ",") {
		p = strings.Trim(strings.TrimSpace(p), "\"")
		if p == "$user" {
			p = e.s.user
		}
		if p != "" {
			out = append(out, p)
		}
	}
	out = append(out, catalog.SchemaCatalog)
	if e.s.tempReady {
		// The temporary schema is searched first for relations.
		out = append([]string{e.s.tempSchemaName()}, out...)
	}
	return out
}

// Chunks lists the chunks a scan of t over [lo, hi] reads. The
// statement's storage view is fixed first (see storage.Txn.FixView).
func (e *execEnv) Chunks(t *catalog.Table, lo, hi int64) ([]*catalog.Chunk, int) {
	if e.s.txn != nil {
		e.s.txn.FixView()
	}
	return e.s.db.cat.ScanChunksIn(e.s.ddl, t.OID, lo, hi), len(e.s.chunks(t.OID))
}

// newStatement starts client statement p's view of committed data (see
// storage.Txn.NewStatement); statements run inside it (function bodies)
// share it. FETCH and MOVE keep the view of the statement before them,
// normally the cursor's DECLARE, so a cursor reading its chunks one FETCH
// at a time sees each commit in all of them or in none.
func (s *session) newStatement(p *parse.Statement) {
	if s.txn != nil && !p.IsFetch() {
		s.txn.NewStatement()
	}
}

// chunks returns hypertable oid's chunks as the session's transaction
// sees them.
func (s *session) chunks(oid uint32) []*catalog.Chunk { return s.db.cat.ChunksIn(s.ddl, oid) }

func (e *execEnv) ChunksOf(oid uint32) []*catalog.Chunk { return e.s.chunks(oid) }

func (e *execEnv) VirtualTable(schema, name string) (*plan.Virtual, bool) {
	cols, rows, ok := pgcatalog.Lookup(schema, name)
	if !ok {
		return nil, false
	}
	return &plan.Virtual{Name: schema + "." + name, Cols: cols, Rows: func(ctx any) ([][]any, error) {
		return rows(ctx.(pgcatalog.Env))
	}}, true
}

// Location implements funcs.SetEnv: the session TimeZone.
func (e *execEnv) Location() *time.Location { return e.s.loc }

// Err implements funcs.SetEnv: the statement's cancellation.
func (e *execEnv) Err() error {
	if e.ctx == nil {
		return nil
	}
	return e.ctx.Err()
}

func (e *execEnv) EvalConst(x plan.Expr) (any, bool, error) {
	unbound, impure := false, false
	plan.Walk(x, func(n plan.Expr) bool {
		switch n := n.(type) {
		case *plan.Param:
			unbound = unbound || n.N > len(e.params)
		case *plan.Const, *plan.Cast, *plan.Op:
		default:
			impure = true
		}
		return !unbound
	})
	if unbound {
		return nil, false, nil
	}
	e.impure = e.impure || impure
	v, err := exec.Eval(e.execCtx(), x, nil)
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// pgcatalog.Env

func (e *execEnv) Store() *catalog.Store              { return e.s.db.cat }
func (e *execEnv) DatabaseName() string               { return e.s.dbName }
func (e *execEnv) User() string                       { return e.s.user }
func (e *execEnv) Setting(name string) (string, bool) { return e.s.setting(name) }
func (e *execEnv) Settings() [][2]string              { return e.s.settingsList() }

func (e *execEnv) ChunkBytes(id uint64) int64 {
	n, _ := e.s.db.store.ChunkBytes(id)
	return n
}

func (e *execEnv) PartiallyCompressed(c *catalog.Chunk) bool {
	t := e.s.catalogSnap().TableByOID(c.Table)
	if t == nil || t.Hyper == nil {
		return false
	}
	partial, err := timescale.PartiallyCompressed(e.TimescaleHost(), t, c)
	return err == nil && partial
}

func (e *execEnv) TableBytes(oid uint32) int64 {
	t := e.s.catalogSnap().TableByOID(oid)
	if t != nil && t.Hyper != nil {
		var sum int64
		for _, c := range e.s.chunks(oid) {
			sum += e.ChunkBytes(c.ID)
		}
		return sum
	}
	n, _ := e.s.db.store.TableBytes(uint64(oid))
	return n
}

func (e *execEnv) ResolveReg(t types.T, s string) (int64, error) {
	switch t.OID {
	case types.OidRegclass:
		return pgcatalog.ResolveRegclass(e, s)
	case types.OidRegtype:
		if oid, ok := pgcatalog.RegtypeOID(s); ok {
			return oid, nil
		}
		return 0, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", s)
	case types.OidRegnamesp:
		if oid, ok := pgcatalog.RegnamespaceOID(e, s); ok {
			return oid, nil
		}
		return 0, pgerr.New(pgerr.UndefinedObject, "schema %q does not exist", s)
	case types.OidRegrole:
		if oid, ok := pgcatalog.RegroleOID(e, s); ok {
			return oid, nil
		}
		return 0, pgerr.New(pgerr.UndefinedObject, "role %q does not exist", s)
	default:
		if oid, ok := pgcatalog.RegprocOID(s); ok {
			return oid, nil
		}
		return 0, pgerr.New(pgerr.UndefinedFunction, "function %q does not exist", s)
	}
}

// regName renders a reg* value as its name, as the type's output
// function does.
func (e *execEnv) regName(t types.T, oid int64) string {
	switch t.OID {
	case types.OidRegclass:
		return pgcatalog.RegclassName(e, oid)
	case types.OidRegtype:
		return pgcatalog.RegtypeName(oid)
	case types.OidRegnamesp:
		return pgcatalog.RegnamespaceName(e, oid)
	case types.OidRegrole:
		return pgcatalog.RegroleName(e, oid)
	}
	return pgcatalog.RegprocName(oid)
}

// BackendPID implements pgcatalog.PIDer.
func (e *execEnv) BackendPID() int32 { return e.s.pid }

// FuncCtx returns the statement's function context (plan.FuncScan of a
// scalar function calls through it).
func (e *execEnv) FuncCtx() *funcs.Ctx { return e.funcCtx() }

// ChunkRows implements pgcatalog.RowCounter: the rows of a chunk as its
// block metadata counts them, including this transaction's own writes.
func (e *execEnv) ChunkRows(t *catalog.Table, chunkID uint64) (int64, error) {
	spec := &storage.ScanSpec{Chunk: chunkID, TimeCol: t.Hyper.TimeCol, TimeMin: storage.MinTime, TimeMax: storage.MaxTime}
	blocks, _, err := e.s.txn.Blocks(spec)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, b := range blocks {
		n += int64(b.Rows)
	}
	return n, nil
}

// TableRows implements pgcatalog.RowCounter for regular tables: it counts
// the primary key space.
func (e *execEnv) TableRows(t *catalog.Table) (int64, error) {
	it := e.s.txn.Iter(storage.Space{Table: uint64(t.OID)}, nil, nil)
	var n int64
	for it.Next() {
		n++
	}
	return n, it.Close()
}
