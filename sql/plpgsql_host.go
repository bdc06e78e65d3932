package sql

import (
	"context"
	"io"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/plpgsql"
	"github.com/tsgres/tsgres/storage/col"
)

// The PL/pgSQL interpreter's side of the session: plHost runs the
// interpreter's statements, transactions, notices and portals on a
// session, and the entry points below run routines and DO blocks there.

// callPlpgsql runs PL/pgSQL routine f with args; ctx already counts the
// call's depth.
func (e *execEnv) callPlpgsql(ctx context.Context, f *catalog.Function, args []any) (any, error) {
	v, outs, err := plpgsql.Call(routineContext(ctx, f), plHost{e.s}, f, args)
	if err != nil {
		return nil, err
	}
	if outs != nil {
		return resultValue(f, outs), nil
	}
	return v, nil
}

// callPlpgsqlSet runs set-returning PL/pgSQL function f and returns the
// rows its RETURN NEXT and RETURN QUERY statements added.
func (e *execEnv) callPlpgsqlSet(ctx context.Context, f *catalog.Function, args []any) ([][]any, error) {
	return plpgsql.CallSet(routineContext(ctx, f), plHost{e.s}, f, args)
}

// routineContext is the context PL/pgSQL routine f runs in: a function
// runs atomically (no COMMIT inside); a procedure inherits its caller's
// ability to end transactions.
func routineContext(ctx context.Context, f *catalog.Function) context.Context {
	if f.IsProcedure() {
		return ctx
	}
	return context.WithValue(ctx, atomicKey{}, true)
}

// runDo runs a DO block.
func (s *session) runDo(ctx context.Context, d *plan.Do, w ResultWriter) error {
	if err := plpgsql.Do(ctx, plHost{s}, d.Body); err != nil {
		return err
	}
	return w.Complete("DO")
}

// plHost is the session as the PL/pgSQL interpreter's executor; it
// implements plpgsql.Executor.
type plHost struct{ s *session }

// Bind implements plpgsql.Executor.
func (h plHost) Bind(ctx context.Context, p *parse.Statement, params *plpgsql.Params) (plpgsql.Statement, error) {
	env := h.s.newEnv(ctx, params.Values)
	st, err := plan.BindPlpgsql(env, p, params.Types, params.Names, params.Qualified, h.s.loc)
	if err != nil {
		return nil, err
	}
	return &plBound{s: h.s, ctx: ctx, env: env, st: st}, nil
}

// Begin implements plpgsql.Executor.
func (h plHost) Begin() { h.s.begin() }

// Subtransaction implements plpgsql.Executor.
func (h plHost) Subtransaction(ctx context.Context) (context.Context, func()) {
	sp := h.s.stmtSavepoint()
	return context.WithValue(ctx, subtxnKey{}, true), func() { h.s.rollbackTo(sp) }
}

// EndTransaction implements plpgsql.Executor.
func (h plHost) EndTransaction(ctx context.Context, rollback bool) error {
	return h.s.endTransaction(ctx, rollback)
}

// Notice implements plpgsql.Executor.
func (h plHost) Notice(ctx context.Context, severity, code, msg string) error {
	return h.s.clientOf(ctx).Notice(severity, code, msg)
}

// Location implements plpgsql.Executor.
func (h plHost) Location() *time.Location { return h.s.loc }

// Cursor implements plpgsql.Executor.
func (h plHost) Cursor(name string) (*plpgsql.Cursor, bool) {
	c, ok := h.s.cursors[name]
	if !ok {
		return nil, false
	}
	return c.mat, true
}

// ReadCursor implements plpgsql.Executor.
func (h plHost) ReadCursor(ctx context.Context, name string) (*plpgsql.Cursor, bool, error) {
	c, ok := h.s.cursors[name]
	if !ok {
		return nil, false, nil
	}
	m, err := c.materialize(ctx)
	return m, true, err
}

// OpenCursor implements plpgsql.Executor.
func (h plHost) OpenCursor(name string, c *plpgsql.Cursor) {
	if h.s.cursors == nil {
		h.s.cursors = map[string]*cursor{}
	}
	h.s.cursors[name] = &cursor{cols: columnsFromPl(c.Columns), mat: c}
}

// CloseCursor implements plpgsql.Executor.
func (h plHost) CloseCursor(name string) bool {
	c, ok := h.s.cursors[name]
	if ok {
		c.close()
		delete(h.s.cursors, name)
	}
	return ok
}

// plBound is a statement plHost bound, with the environment it was
// bound in.
type plBound struct {
	s   *session
	ctx context.Context
	env *execEnv
	st  plan.Statement
}

// Columns implements plpgsql.Statement.
func (b *plBound) Columns() ([]plpgsql.Column, bool) {
	q, ok := b.st.(*plan.Query)
	if !ok {
		return nil, false
	}
	return columnsToPl(columnsOf(q.Node.Columns())), true
}

// Run implements plpgsql.Statement.
func (b *plBound) Run(max int) (*plpgsql.Result, error) {
	r := &rowBuffer{client: b.s.clientOf(b.ctx), max: max}
	if err := b.s.run(b.ctx, b.env, b.st, r); err != nil {
		return nil, err
	}
	return &plpgsql.Result{Columns: columnsToPl(r.cols), Rows: r.data, Count: r.n, Tag: r.tag}, nil
}

// columnsToPl converts result columns for the interpreter, keeping nil
// (no result set) nil.
func columnsToPl(cols []Column) []plpgsql.Column {
	if cols == nil {
		return nil
	}
	out := make([]plpgsql.Column, len(cols))
	for i, c := range cols {
		out[i] = plpgsql.Column(c)
	}
	return out
}

// columnsFromPl converts the interpreter's result columns back.
func columnsFromPl(cols []plpgsql.Column) []Column {
	if cols == nil {
		return nil
	}
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = Column(c)
	}
	return out
}

// rowBuffer is a ResultWriter collecting up to max rows (0: all) of a
// statement a routine runs; notices go on to the client.
type rowBuffer struct {
	client ResultWriter
	max    int
	cols   []Column
	data   [][]any
	n      int64 // rows seen, including those past max
	tag    string
}

func (r *rowBuffer) Columns(cols []Column) error { r.cols = cols; return nil }

func (r *rowBuffer) Batch(b *col.Batch) error {
	for i := 0; i < b.Len(); i++ {
		r.n++
		if r.max > 0 && len(r.data) >= r.max {
			continue
		}
		row := make([]any, len(b.Cols))
		for j, c := range b.Cols {
			row[j] = c.Get(b.Row(i))
		}
		r.data = append(r.data, row)
	}
	return nil
}

func (r *rowBuffer) Complete(tag string) error { r.tag = tag; return nil }
func (r *rowBuffer) EmptyQuery() error         { return nil }
func (r *rowBuffer) Notice(severity, code, msg string) error {
	return r.client.Notice(severity, code, msg)
}
func (r *rowBuffer) ParameterStatus(name, value string) error {
	return r.client.ParameterStatus(name, value)
}
func (*rowBuffer) CopyData([]byte) error               { return errRoutineCopy }
func (*rowBuffer) CopyOut(bool, int) error             { return errRoutineCopy }
func (*rowBuffer) CopyIn(bool, int) (io.Reader, error) { return nil, errRoutineCopy }

var errRoutineCopy = pgerr.New(pgerr.FeatureNotSupported, "cannot COPY to/from client in PL/pgSQL")
