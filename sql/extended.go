package sql

import (
	"context"
	"fmt"
	"time"

	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// prepared is a statement prepared with Parse or PREPARE: both share the
// session's namespace of statement names, as in PostgreSQL.
type prepared struct {
	parsed     *parse.Statement // nil for an empty query
	paramTypes []types.T
	cols       []Column
	// What pg_prepared_statements shows.
	sql         string // the Parse query or the PREPARE statement
	prepareTime int64  // micros since the epoch
	fromSQL     bool   // created by PREPARE
	generic     int64  // executions of a generic plan (or without parameters)
	custom      int64  // executions bound with their parameters' values
	// plan is the generic plan the statement runs once one was found to
	// be its custom plan's shape (plancache.go); snap marks the catalog
	// it was last tried on.
	plan genericPlan
	// bound is a statement without parameters as Parse bound it, which
	// its first execution runs when nothing it depends on has changed
	// (clients that prepare every statement they send, like pgx, then
	// bind it once, not twice).
	bound *boundStmt
}

// boundStmt is a statement bound at Parse time, with what it was bound on.
type boundStmt struct {
	planBasis
	st plan.Statement
}

// executed counts one execution the way PostgreSQL's plan cache reports
// it: statements without parameters and runs of the generic plan count
// as generic, the others (bound with their values) as custom.
func (p *prepared) executed(generic bool) {
	if generic || len(p.paramTypes) == 0 {
		p.generic++
	} else {
		p.custom++
	}
}

// portal is a bound statement, possibly suspended mid-result.
type portal struct {
	stmt    *prepared
	params  []any
	ectx    *exec.Ctx // its Context is replaced by each Execute's
	op      exec.Operator
	pending *col.Batch
	rows    int
	tag     string
}

func (p *portal) close() {
	if p.op != nil {
		p.op.Close()
		p.op = nil
	}
}

// Prepare implements Session.
func (s *session) Prepare(ctx context.Context, name, query string, paramOIDs []uint32) (*Prepared, error) {
	if _, ok := s.stmts[name]; ok && name != "" {
		return nil, pgerr.New(pgerr.DuplicatePreparedStatement, "prepared statement %q already exists", name)
	}
	stmts, err := parse.Parse(query)
	if err != nil {
		return nil, err
	}
	if len(stmts) > 1 {
		return nil, pgerr.New(pgerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	ps := &prepared{sql: query, prepareTime: nowMicros()}
	declared := make([]types.T, len(paramOIDs))
	for i, o := range paramOIDs {
		if o != 0 {
			declared[i] = types.T{OID: o, Mod: -1}
		}
	}
	if len(stmts) == 1 {
		ps.parsed = stmts[0]
		env := s.newEnv(ctx, nil)
		st, pt, err := plan.Bind(env, ps.parsed, declared, s.loc)
		if err != nil {
			return nil, err
		}
		ps.paramTypes = pt
		ps.cols = resultColumns(st)
		if _, ok := st.(*plan.Query); ok && len(pt) == 0 && !env.impure {
			ps.bound = &boundStmt{planBasis: s.basis(env.rels), st: st}
		}
		if x, ok := st.(*plan.ExecuteStmt); ok && s.stmts[x.Name] != nil {
			ps.cols = s.stmts[x.Name].cols
		}
	}
	s.stmts[name] = ps
	return &Prepared{ParamTypes: ps.paramTypes, Columns: ps.cols}, nil
}

// resultColumns returns the columns a statement produces (nil: none).
func resultColumns(st plan.Statement) []Column {
	switch x := st.(type) {
	case *plan.Query:
		return columnsOf(finalizeOutput(x.Node).Columns())
	case *plan.Insert:
		if x.Returning != nil {
			return columnsOf(x.RetCols)
		}
	case *plan.Update:
		if x.Returning != nil {
			return columnsOf(x.RetCols)
		}
	case *plan.Delete:
		if x.Returning != nil {
			return columnsOf(x.RetCols)
		}
	case *plan.ExplainStmt:
		return []Column{{Name: "QUERY PLAN", Type: types.Text}}
	case *plan.Show:
		return []Column{{Name: x.Name, Type: types.Text}}
	}
	return nil
}

// DescribeStatement implements Session.
func (s *session) DescribeStatement(name string) (*Prepared, error) {
	ps, ok := s.stmts[name]
	if !ok {
		return nil, pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", name)
	}
	return &Prepared{ParamTypes: ps.paramTypes, Columns: ps.cols}, nil
}

// Bind implements Session.
func (s *session) Bind(ctx context.Context, portalName, stmt string, formats []int16, params [][]byte) error {
	ps, ok := s.stmts[stmt]
	if !ok {
		return pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", stmt)
	}
	if len(params) != len(ps.paramTypes) {
		return pgerr.New(pgerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d", len(params), stmt, len(ps.paramTypes))
	}
	vals := make([]any, len(params))
	for i, raw := range params {
		if raw == nil {
			continue
		}
		f := int16(0)
		if len(formats) == 1 {
			f = formats[0]
		} else if i < len(formats) {
			f = formats[i]
		}
		t := ps.paramTypes[i]
		var err error
		if f == 1 {
			vals[i], err = types.DecodeBinary(t, raw)
		} else {
			vals[i], err = types.ParseText(t, string(raw), s.loc)
		}
		if err != nil {
			return err
		}
	}
	if old, ok := s.portals[portalName]; ok {
		old.close()
	}
	s.portals[portalName] = &portal{stmt: ps, params: vals}
	return nil
}

// DescribePortal implements Session.
func (s *session) DescribePortal(name string) ([]Column, error) {
	p, ok := s.portals[name]
	if !ok {
		return nil, pgerr.New(pgerr.InvalidCursorName, "portal %q does not exist", name)
	}
	return p.stmt.cols, nil
}

// CloseStatement implements Session.
func (s *session) CloseStatement(name string) { delete(s.stmts, name) }

// ClosePortal implements Session.
func (s *session) ClosePortal(name string) {
	if p, ok := s.portals[name]; ok {
		p.close()
		delete(s.portals, name)
	}
}

// Execute implements Session.
func (s *session) Execute(ctx context.Context, name string, maxRows int, w ResultWriter) (bool, error) {
	text := ""
	if p, ok := s.portals[name]; ok && p.stmt != nil && p.stmt.parsed != nil {
		text = p.stmt.parsed.SQL
	}
	ctx, cancel := s.statementContext(ctx, text)
	defer cancel()
	more, err := s.execute(ctx, name, maxRows, w)
	return more, timeoutError(ctx, err)
}

func (s *session) execute(ctx context.Context, name string, maxRows int, w ResultWriter) (bool, error) {
	p, ok := s.portals[name]
	if !ok {
		return false, pgerr.New(pgerr.InvalidCursorName, "portal %q does not exist", name)
	}
	if p.op != nil {
		p.ectx.Context = ctx
		return s.continuePortal(p, maxRows, w)
	}
	if p.stmt.parsed == nil {
		return false, w.EmptyQuery()
	}
	if !s.inBlock && s.txn == nil && !p.stmt.parsed.IsTransactionControl() {
		s.begin()
		s.extImplicit = true
	}
	s.newStatement(p.stmt.parsed)
	err := s.executePortal(ctx, p, maxRows, w)
	if err != nil {
		if s.inBlock {
			s.failBlock()
		} else {
			s.rollback()
			s.extImplicit = false
		}
		return false, err
	}
	if s.inBlock {
		s.extImplicit = false
	}
	return p.op != nil, nil
}

func (s *session) executePortal(ctx context.Context, p *portal, maxRows int, w ResultWriter) error {
	if s.failed {
		if t, ok := txnKind(p.stmt.parsed); !ok || (t != "ROLLBACK" && t != "COMMIT" && t != "ROLLBACK TO") {
			return pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
		}
	}
	env, st, err := s.bindPrepared(ctx, p.stmt, p.params)
	if err != nil {
		return err
	}
	if t, ok := st.(*plan.Transaction); ok {
		if t.Kind == "BEGIN" && s.txn != nil && s.extImplicit {
			s.inBlock, s.extImplicit = true, false
			if err := s.setTransactionModes(t.Modes, false); err != nil {
				return err
			}
			return w.Complete("BEGIN")
		}
		return s.transaction(t, w)
	}
	s.begin()
	if q, ok := st.(*plan.Query); ok && maxRows > 0 {
		s.noteQuery(q)
		ectx := env.execCtx()
		if !q.Physical {
			q.Node, q.Physical = s.physical(finalizeOutput(q.Node)), true
		}
		op, err := exec.Build(ectx, q.Node)
		if err != nil {
			return err
		}
		p.op, p.ectx = op, ectx
		_, err = s.continuePortal(p, maxRows, w)
		return err
	}
	return s.runUndoable(ctx, env, st, w, func() (*execEnv, plan.Statement, error) {
		env := s.newEnv(ctx, p.params)
		st, _, err := plan.Bind(env, p.stmt.parsed, p.stmt.paramTypes, s.loc)
		return env, st, err
	})
}

// bindPrepared binds prepared statement ps with parameter values params:
// to its generic plan when it has one for the current catalog, else to a
// custom plan, after which the first execution on this catalog tries
// whether a generic plan would be the same (plancache.go).
func (s *session) bindPrepared(ctx context.Context, ps *prepared, params []any) (*execEnv, plan.Statement, error) {
	env := s.newEnv(ctx, params)
	if b := ps.bound; b != nil {
		ps.bound = nil
		if s.holds(&b.planBasis) {
			b.use(env)
			ps.executed(false)
			return env, b.st, nil
		}
	}
	if st, ok := s.reuse(&ps.plan, env); ok {
		ps.executed(true)
		return env, st, nil
	}
	bind := func(env *execEnv) (plan.Statement, []types.T, error) {
		return plan.Bind(env, ps.parsed, ps.paramTypes, s.loc)
	}
	st, _, err := bind(env)
	if err != nil {
		return nil, nil, err
	}
	ps.executed(false)
	if q, ok := st.(*plan.Query); ok && !s.holds(&ps.plan.planBasis) {
		ps.plan, _ = s.makeGeneric(q, env, bind)
	}
	return env, st, nil
}

func (s *session) continuePortal(p *portal, maxRows int, w ResultWriter) (bool, error) {
	n, pending, err := stream(p.op, w, maxRows, p.pending)
	p.pending = pending
	p.rows += n
	if err != nil {
		p.close()
		return false, err
	}
	if maxRows > 0 && n == maxRows {
		return true, nil
	}
	p.close()
	return false, w.Complete(fmt.Sprintf("SELECT %d", p.rows))
}

// Sync implements Session: it ends the implicit transaction of an
// extended-protocol batch.
func (s *session) Sync(ctx context.Context) error {
	defer s.endActivity()
	if s.extImplicit && !s.inBlock {
		s.extImplicit = false
		if s.txn != nil {
			return s.commit()
		}
	}
	return nil
}

// prepareSQL runs PREPARE: it binds the statement against the declared
// parameter types and stores it under its name.
func (s *session) prepareSQL(env *execEnv, x *plan.PrepareStmt, w ResultWriter) error {
	if _, ok := s.stmts[x.Name]; ok {
		return pgerr.New(pgerr.DuplicatePreparedStatement, "prepared statement %q already exists", x.Name)
	}
	st, pt, err := plan.Bind(env, x.Query, x.ParamTypes, s.loc)
	if err != nil {
		return err
	}
	s.stmts[x.Name] = &prepared{parsed: x.Query, paramTypes: pt, cols: resultColumns(st),
		sql: x.SQL, prepareTime: nowMicros(), fromSQL: true}
	return w.Complete("PREPARE")
}

// executeSQL runs EXECUTE: the prepared statement bound with the
// parameter values, in the current statement's transaction.
func (s *session) executeSQL(ctx context.Context, env *execEnv, x *plan.ExecuteStmt, w ResultWriter) error {
	ps, ok := s.stmts[x.Name]
	if !ok || x.Name == "" {
		return pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", x.Name)
	}
	if len(x.Params) != len(ps.paramTypes) {
		return pgerr.New(pgerr.SyntaxError, "wrong number of parameters for prepared statement %q", x.Name).
			WithDetail("Expected %d parameters but got %d.", len(ps.paramTypes), len(x.Params))
	}
	ec := env.execCtx()
	vals := make([]any, len(x.Params))
	for i, e := range x.Params {
		v, err := exec.Eval(ec, e, nil)
		if err != nil {
			return err
		}
		if vals[i], err = paramValue(v, e.Type(), ps.paramTypes[i], i, s.loc); err != nil {
			return err
		}
	}
	penv, st, err := s.bindPrepared(ctx, ps, vals)
	if err != nil {
		return err
	}
	return s.run(ctx, penv, st, w)
}

// paramValue coerces EXECUTE's parameter i, value v of type from, to the
// statement's parameter type in assignment context, as PostgreSQL does.
func paramValue(v any, from, to types.T, i int, loc *time.Location) (any, error) {
	if v == nil || from.OID == to.OID {
		return v, nil
	}
	if str, ok := v.(string); ok && from.OID == types.OidUnknown {
		return types.ParseText(to, str, loc)
	}
	if _, assign, _ := types.CastContextOK(from, to); !assign {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "parameter $%d of type %s cannot be coerced to the expected type %s",
			i+1, from.Info().Name, to.Info().Name).WithHint("You will need to rewrite or cast the expression.")
	}
	return types.CastAssign(v, from, to, loc)
}

// deallocate runs DEALLOCATE name | ALL.
func (s *session) deallocate(x *plan.Deallocate, w ResultWriter) error {
	if x.All {
		for name := range s.stmts {
			if name != "" {
				delete(s.stmts, name)
			}
		}
		return w.Complete("DEALLOCATE ALL")
	}
	if _, ok := s.stmts[x.Name]; !ok {
		return pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", x.Name)
	}
	delete(s.stmts, x.Name)
	return w.Complete("DEALLOCATE")
}

// PreparedStatements implements pgcatalog.PreparedLister: the session's
// named prepared statements, SQL-level and protocol-level alike.
func (e *execEnv) PreparedStatements() []pgcatalog.PreparedStatement {
	var out []pgcatalog.PreparedStatement
	for name, p := range e.s.stmts {
		if name == "" {
			continue
		}
		ps := pgcatalog.PreparedStatement{Name: name, Statement: p.sql, PrepareTime: p.prepareTime,
			FromSQL: p.fromSQL, GenericPlans: p.generic, CustomPlans: p.custom}
		for _, t := range p.paramTypes {
			ps.ParamTypes = append(ps.ParamTypes, t.OID)
		}
		out = append(out, ps)
	}
	return out
}
