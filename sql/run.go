package sql

import (
	"context"
	"fmt"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/ddl"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

func nowMicros() int64 { return time.Now().UnixMicro() }

// columnsOf converts plan output columns to wire columns.
func columnsOf(cols []plan.OutCol) []Column {
	rc := plan.ResultColumns(cols)
	out := make([]Column, len(rc))
	for i, c := range rc {
		out[i] = Column{Name: c.Name, Type: c.T, TableOID: c.TableOID, AttNum: c.AttNum}
	}
	return out
}

// run executes a bound statement inside the current transaction.
func (s *session) run(ctx context.Context, env *execEnv, st plan.Statement, w ResultWriter) error {
	if stmtOf(ctx, s) == nil {
		ctx = s.enterStatement(ctx, w)
		env.ctx = ctx
	}
	if err := s.readOnlyError(st); err != nil {
		return err
	}
	s.noteQuery(st)
	switch x := st.(type) {
	case *plan.Query:
		if !x.Physical {
			x.Node, x.Physical = s.physical(finalizeOutput(x.Node)), true
		}
		op, err := exec.Build(env.execCtx(), x.Node)
		if err != nil {
			return err
		}
		defer op.Close()
		if err := w.Columns(columnsOf(x.Node.Columns())); err != nil {
			return err
		}
		n, _, err := stream(op, w, 0, nil)
		if err != nil {
			return err
		}
		return w.Complete(fmt.Sprintf("SELECT %d", n))
	case *plan.Insert:
		return s.insert(env, x, w)
	case *plan.Update:
		return s.update(env, x, w)
	case *plan.Delete:
		return s.delete(env, x, w)
	case *plan.Copy:
		return s.copy(env, x, w)
	case *plan.ExplainStmt:
		return s.explain(env, x, w)
	case *plan.Set:
		return s.setStmt(x, w)
	case *plan.Show:
		return s.show(x, w)
	case *plan.CallStmt:
		v, err := exec.Eval(env.execCtx(), x.E, nil)
		if err != nil {
			return err
		}
		if c, ok := x.E.(*plan.Call); ok && len(c.Fn.OutNames) > 0 {
			return callResult(c.Fn.OutNames, c.Fn.OutTypes, v, w)
		}
		return w.Complete("CALL")
	case *plan.Do:
		return s.runDo(ctx, x, w)
	case *plan.DeclareCursor:
		return s.declareCursor(env, x, w)
	case *plan.Fetch:
		return s.fetch(env, x, w)
	case *plan.CloseCursor:
		if x.All {
			s.closeCursors(true)
			return w.Complete("CLOSE CURSOR ALL")
		}
		c, ok := s.cursors[x.Name]
		if !ok {
			return pgerr.New(pgerr.InvalidCursorName, "cursor %q does not exist", x.Name)
		}
		c.close()
		delete(s.cursors, x.Name)
		return w.Complete("CLOSE CURSOR")
	case *plan.Noop:
		if x.Warning != "" {
			_ = w.Notice("WARNING", "01000", x.Warning)
		}
		return w.Complete(x.Tag)
	case *plan.LockTable:
		return s.lockTables(ctx, x, w)
	case *plan.Deallocate:
		return s.deallocate(x, w)
	case *plan.PrepareStmt:
		return s.prepareSQL(env, x, w)
	case *plan.ExecuteStmt:
		return s.executeSQL(ctx, env, x, w)
	}
	// DDL that copies or indexes rows sees every committed one, whatever
	// the isolation level (as PostgreSQL's table rewrites and index
	// builds do).
	if s.txn != nil {
		defer s.txn.ReadLatest()()
	}
	return ddl.Run(ctx, ddlHost{env}, st, w)
}

// stream sends an operator's rows to w, at most maxRows (0: all). pending
// holds rows left over from a batch cut by an earlier call; the returned
// batch holds this call's leftovers.
func stream(op exec.Operator, w ResultWriter, maxRows int, pending *col.Batch) (int, *col.Batch, error) {
	n := 0
	for {
		b := pending
		pending = nil
		if b == nil {
			var err error
			if b, err = op.Next(); err != nil {
				return n, nil, err
			}
			if b == nil {
				return n, nil, nil
			}
		}
		l := b.Len()
		if l == 0 {
			continue
		}
		if maxRows > 0 && n+l > maxRows {
			take := maxRows - n
			c := b.Compact()
			head := sliceBatch(c, 0, take)
			if err := w.Batch(head); err != nil {
				return n, nil, err
			}
			return n + take, copyBatch(sliceBatch(c, take, c.Rows())), nil
		}
		if err := w.Batch(b); err != nil {
			return n, nil, err
		}
		n += l
		if maxRows > 0 && n == maxRows {
			return n, nil, nil
		}
	}
}

func sliceBatch(b *col.Batch, from, to int) *col.Batch {
	vecs := make([]*col.Vec, len(b.Cols))
	for i, v := range b.Cols {
		vecs[i] = v.Slice(from, to)
	}
	return col.FromVecs(vecs, to-from)
}

// copyBatch detaches a batch from its producer's buffers.
func copyBatch(b *col.Batch) *col.Batch {
	sel := make([]int, b.Rows())
	for i := range sel {
		sel[i] = i
	}
	return b.Gather(sel)
}

func (s *session) explain(env *execEnv, x *plan.ExplainStmt, w ResultWriter) error {
	var node plan.Node
	var top string // the modifying node above node, as PostgreSQL prints it
	switch q := x.Query.(type) {
	case *plan.Query:
		node = s.physical(q.Node)
	case *plan.Update:
		top, node = "Update on "+q.Table.Name, s.dmlScan(q.Table, q.Scan, q.Filter, q.From == nil)
	case *plan.Delete:
		top, node = "Delete on "+q.Table.Name, s.dmlScan(q.Table, q.Scan, q.Filter, q.Using == nil)
	case *plan.Insert:
		node = s.physical(q.Source)
	default:
		return pgerr.New(pgerr.FeatureNotSupported, "EXPLAIN of this statement is not supported")
	}
	lines, err := exec.Explain(env.execCtx(), node, x.Analyze)
	if err != nil {
		return err
	}
	if top != "" {
		nested := []string{top}
		for i, l := range lines {
			if i == 0 {
				nested = append(nested, "  ->  "+l)
			} else {
				nested = append(nested, "      "+l)
			}
		}
		lines = nested
	}
	if err := w.Columns([]Column{{Name: "QUERY PLAN", Type: types.Text}}); err != nil {
		return err
	}
	v := col.NewVec(col.Bytes, len(lines))
	for _, l := range lines {
		v.AppendString(l)
	}
	if err := w.Batch(col.FromVecs([]*col.Vec{v}, len(lines))); err != nil {
		return err
	}
	return w.Complete("EXPLAIN")
}

// dmlScan returns the plan EXPLAIN shows for how UPDATE or DELETE of
// table t finds its rows: for a regular table without FROM or USING
// (plain), the scan and filter the optimizer picks for a query with the
// same WHERE (an index scan when one applies, as the statement itself
// reads through opt.IndexRangeFor); otherwise the statement's scan.
func (s *session) dmlScan(t *catalog.Table, scan plan.Node, filter plan.Expr, plain bool) plan.Node {
	if t.Hyper != nil || !plain || filter == nil {
		return scan
	}
	return s.physical(&plan.Filter{Input: scan, Cond: filter})
}

func (s *session) setStmt(x *plan.Set, w ResultWriter) error {
	if x.All {
		for k, v := range defaultSettings {
			// The current transaction's modes are not reset (as
			// PostgreSQL's GUC_NO_RESET_ALL).
			if k != "transaction_isolation" && k != "transaction_read_only" {
				s.settings[k] = v
			}
		}
		s.loc = time.UTC
		return w.Complete("RESET")
	}
	if err := s.set(x.Name, x.Values); err != nil {
		return err
	}
	name := canonicalSetting(x.Name)
	if r, ok := reportedName(name); ok {
		_ = w.ParameterStatus(r, s.settings[name])
	}
	if x.Values == nil {
		return w.Complete("RESET")
	}
	return w.Complete("SET")
}

func (s *session) show(x *plan.Show, w ResultWriter) error {
	name := canonicalSetting(x.Name)
	if name == "all" {
		if err := w.Columns([]Column{{Name: "name", Type: types.Text}, {Name: "setting", Type: types.Text}, {Name: "description", Type: types.Text}}); err != nil {
			return err
		}
		list := s.settingsList()
		a, b, c := col.NewVec(col.Bytes, len(list)), col.NewVec(col.Bytes, len(list)), col.NewVec(col.Bytes, len(list))
		for _, kv := range list {
			a.AppendString(kv[0])
			b.AppendString(kv[1])
			c.AppendString("")
		}
		if err := w.Batch(col.FromVecs([]*col.Vec{a, b, c}, len(list))); err != nil {
			return err
		}
		return w.Complete(fmt.Sprintf("SHOW %d", len(list)))
	}
	v, ok := s.setting(name)
	if !ok {
		return pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", x.Name)
	}
	colName := name
	if r, ok := reportedName(name); ok {
		colName = r
	}
	if name == "timezone" {
		colName = "TimeZone"
	}
	if err := w.Columns([]Column{{Name: colName, Type: types.Text}}); err != nil {
		return err
	}
	vec := col.NewVec(col.Bytes, 1)
	vec.AppendString(v)
	if err := w.Batch(col.FromVecs([]*col.Vec{vec}, 1)); err != nil {
		return err
	}
	return w.Complete("SHOW")
}

// callResult sends the one row CALL returns for a procedure with output
// parameters: their values (v is their record).
func callResult(names []string, ts []types.T, v any, w ResultWriter) error {
	cols := make([]Column, len(names))
	vecs := make([]*col.Vec, len(names))
	r, _ := v.(*types.Record)
	for i, n := range names {
		cols[i] = Column{Name: n, Type: ts[i]}
		vecs[i] = col.NewVec(ts[i].Kind(), 1)
		if r == nil || i >= len(r.Vals) || r.Vals[i] == nil {
			vecs[i].AppendNull()
		} else {
			vecs[i].Append(r.Vals[i])
		}
	}
	if err := w.Columns(cols); err != nil {
		return err
	}
	if err := w.Batch(col.FromVecs(vecs, 1)); err != nil {
		return err
	}
	return w.Complete("CALL")
}
