package sql

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/ddl"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

type savepoint struct {
	name string
	txn  *storage.Txn // the transaction sp belongs to
	sp   storage.Savepoint
	cat  catalog.WriterMark // the DDL writer's changes so far (0: none)
}

type session struct {
	db       *DB
	user     string
	dbName   string
	dbOID    uint32
	pid      int32
	settings map[string]string
	loc      *time.Location

	// Transaction state.
	txn        *storage.Txn
	ddl        *catalog.Writer
	inBlock    bool // explicit BEGIN
	failed     bool // error inside a block: 25P02 until ROLLBACK
	txnStart   int64
	savepoints []savepoint
	// queried: a statement other than SET, SHOW and transaction control
	// ran in the transaction (its snapshot may be taken), after which
	// its isolation level is fixed (setIsolation).
	queried bool
	// extImplicit: an extended-protocol implicit transaction is open
	// until Sync.
	extImplicit bool
	// stmtCtx is the context of the statement running, which the DDL
	// writer's lock waits watch (rellocks.go).
	stmtCtx context.Context

	// caggInval holds the time range written per hypertable with
	// continuous aggregates, made invalidations at commit (cagg.go).
	caggInval continuous.WriteLog

	currval map[string]int64
	cursors map[string]*cursor

	stmts   map[string]*prepared
	portals map[string]*portal

	// act is what other sessions see of this one (activity.go).
	act activity

	// tempReady: the session's temporary schema is its own (temp.go);
	// onCommit are its temporary tables' ON COMMIT actions.
	tempReady bool
	onCommit  map[plan.ObjectName]string

	// plans are the generic plans of normalized queries (plancache.go).
	plans map[*parse.RawStmt]*cachedPlan
}

func newSession(db *DB, p StartupParams, d *catalog.Database) *session {
	s := &session{db: db, user: p.User, dbName: d.Name, dbOID: d.OID, loc: time.UTC,
		settings: map[string]string{}, stmts: map[string]*prepared{}, portals: map[string]*portal{}}
	s.pid = db.pids.Add(1)
	s.act.state, s.act.backendAt = "idle", time.Now().UnixMicro()
	s.act.stateAt = s.act.backendAt
	db.active.add(s)
	for k, v := range defaultSettings {
		s.settings[k] = v
	}
	s.settings["session_authorization"] = s.user
	for k, v := range p.Options {
		_ = s.set(k, strings.Fields(v)) // startup options: ignore unknown ones as libpq does not send them
		if k == "application_name" {
			s.settings["application_name"] = v
		}
	}
	return s
}

// ParameterStatus implements Session.
func (s *session) ParameterStatus() [][2]string {
	out := make([][2]string, 0, len(reported))
	for _, r := range reported {
		out = append(out, [2]string{r, s.settings[strings.ToLower(r)]})
	}
	return out
}

// Location implements Session.
func (s *session) Location() *time.Location { return s.loc }

// TxStatus implements Session.
func (s *session) TxStatus() byte {
	switch {
	case s.failed:
		return 'E'
	case s.inBlock:
		return 'T'
	}
	return 'I'
}

// Close implements Session.
func (s *session) Close() {
	defer s.db.active.remove(s)
	s.act.mu.Lock()
	if s.act.idleTimer != nil {
		s.act.idleTimer.Stop()
	}
	s.act.mu.Unlock()
	for _, p := range s.portals {
		p.close()
	}
	s.rollback()
	s.closeCursors(true)
	s.dropTempSchema()
}

// catalogSnap is the catalog this session sees.
func (s *session) catalogSnap() *catalog.Snapshot {
	if s.ddl != nil {
		return s.ddl.Snapshot()
	}
	return s.db.cat.Snapshot()
}

// writer returns the session's DDL writer, starting one.
func (s *session) writer() *catalog.Writer {
	if s.ddl == nil {
		s.ddl = s.db.cat.BeginDDL(s.txn)
		s.ddl.SetLocker(func(tag storage.LockTag, mode storage.RelLockMode) (bool, error) {
			ctx := s.stmtCtx
			if ctx == nil || ctx.Err() != nil {
				ctx = context.Background() // outside a statement: at COMMIT, at session end
			}
			return s.lockObject(ctx, tag, mode)
		})
	}
	return s.ddl
}

// begin ensures a storage transaction exists.
func (s *session) begin() {
	if s.txn == nil {
		s.txn = s.db.store.Begin()
		s.txn.SetWaitHook(s.noteWait)
		s.txn.SetLockOwner(s.pid)
		s.txnStart = time.Now().UnixMicro()
		s.savepoints = nil
		// Every statement runs in a transaction, so this is where
		// transaction_read_only and transaction_isolation return to
		// their defaults.
		s.settings["transaction_read_only"] = s.settings["default_transaction_read_only"]
		s.settings["transaction_isolation"] = s.settings["default_transaction_isolation"]
		s.queried = false
		s.txn.SetRepeatableRead(snapshotLevel(s.settings["transaction_isolation"]))
	}
}

// setTransactionModes applies the modes of BEGIN or SET TRANSACTION to
// the current transaction, or with session set, those of SET SESSION
// CHARACTERISTICS AS TRANSACTION to the defaults of later ones: READ
// ONLY / READ WRITE (readOnlyError) and the isolation level
// (setIsolation). DEFERRABLE is accepted and changes nothing.
func (s *session) setTransactionModes(modes map[string]string, session bool) error {
	for k, v := range modes {
		switch {
		case k == "transaction_isolation" && session:
			s.settings["default_transaction_isolation"] = v
		case k == "transaction_isolation":
			if err := s.setIsolation(v); err != nil {
				return err
			}
		case k == "transaction_read_only" && session:
			s.settings["default_transaction_read_only"] = v
		case k == "transaction_read_only":
			s.settings[k] = v
		}
	}
	return nil
}

// readOnlyError is the 25006 error of statement st in a READ ONLY
// transaction when st writes, or nil.
func (s *session) readOnlyError(st plan.Statement) error {
	if s.settings["transaction_read_only"] != "on" {
		return nil
	}
	name := ""
	switch x := st.(type) {
	case *plan.Insert:
		name = "INSERT"
	case *plan.Update:
		name = "UPDATE"
	case *plan.Delete:
		name = "DELETE"
	case *plan.Copy:
		if x.From {
			name = "COPY FROM"
		}
	default:
		name = ddl.CommandName(st)
	}
	if name == "" {
		return nil
	}
	return pgerr.New(pgerr.ReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", name)
}

func (s *session) commit() error {
	if s.txn == nil {
		s.reset()
		return nil
	}
	if err := s.flushInvalidations(); err != nil {
		s.rollback()
		return err
	}
	if err := s.runOnCommit(); err != nil {
		s.rollback()
		return err
	}
	err := s.txn.Commit()
	if err != nil {
		if s.ddl != nil {
			s.ddl.Abort()
		}
		s.reset()
		if errors.Is(err, storage.ErrConflict) {
			return pgerr.New("40001", "could not serialize access due to concurrent update")
		}
		return pgerr.Wrap(err, pgerr.Internal, "commit")
	}
	if s.ddl != nil {
		s.ddl.Publish()
	}
	s.reset()
	return nil
}

func (s *session) rollback() {
	if s.txn != nil {
		s.txn.Rollback()
	}
	if s.ddl != nil {
		s.ddl.Abort()
	}
	s.reset()
	s.forgetOnCommit()
}

func (s *session) reset() {
	s.closeCursors(false)
	s.txn, s.ddl = nil, nil
	s.caggInval = nil
	s.inBlock, s.failed = false, false
	s.savepoints = nil
}

// stmtSavepoint marks the state before a statement so a failure inside a
// transaction block undoes only that statement.
func (s *session) stmtSavepoint() savepoint {
	sp := savepoint{txn: s.txn, sp: s.txn.Savepoint()}
	if s.ddl != nil {
		sp.cat = s.ddl.Savepoint()
	}
	return sp
}

// failBlock marks the transaction block failed after an error and, as
// PostgreSQL's error aborts the (sub)transaction at once, lets go of
// what the failed part holds: the writes and locks after the innermost
// savepoint, or with none all of them (the DDL writer's locks too). Only
// ROLLBACK, COMMIT (which rolls back) and ROLLBACK TO a savepoint run
// until then.
func (s *session) failBlock() {
	s.failed = true
	if s.txn == nil {
		return
	}
	if n := len(s.savepoints); n > 0 {
		s.rollbackTo(s.savepoints[n-1])
		return
	}
	s.txn.Rollback()
	if s.ddl != nil {
		s.ddl.Abort()
	}
}

func (s *session) rollbackTo(sp savepoint) {
	if sp.txn != s.txn {
		// A procedure committed since sp was taken (stmt_context.go).
		return
	}
	s.txn.RollbackTo(sp.sp)
	if s.ddl != nil {
		s.ddl.Restore(sp.cat)
	}
}

// transaction runs BEGIN/COMMIT/ROLLBACK/SAVEPOINT statements.
func (s *session) transaction(t *plan.Transaction, w ResultWriter) error {
	switch t.Kind {
	case "BEGIN":
		if s.inBlock {
			_ = w.Notice("WARNING", "25001", "there is already a transaction in progress")
			return w.Complete("BEGIN")
		}
		s.begin()
		s.inBlock = true
		if err := s.setTransactionModes(t.Modes, false); err != nil {
			return err
		}
		return w.Complete("BEGIN")
	case "SET TRANSACTION":
		if !s.inBlock {
			_ = w.Notice("WARNING", "25P01", "SET TRANSACTION can only be used in transaction blocks")
			return w.Complete("SET")
		}
		if err := s.setTransactionModes(t.Modes, false); err != nil {
			return err
		}
		return w.Complete("SET")
	case "SET SESSION CHARACTERISTICS":
		if err := s.setTransactionModes(t.Modes, true); err != nil {
			return err
		}
		return w.Complete("SET")
	case "COMMIT":
		if !s.inBlock && s.txn == nil {
			_ = w.Notice("WARNING", "25P01", "there is no transaction in progress")
			return w.Complete("COMMIT")
		}
		if s.failed {
			s.rollback()
			return w.Complete("ROLLBACK")
		}
		if err := s.commit(); err != nil {
			return err
		}
		return w.Complete("COMMIT")
	case "ROLLBACK":
		if !s.inBlock && s.txn == nil {
			_ = w.Notice("WARNING", "25P01", "there is no transaction in progress")
		}
		s.rollback()
		return w.Complete("ROLLBACK")
	case "SAVEPOINT":
		if !s.inBlock {
			return pgerr.New(pgerr.NoActiveSQLTransaction, "SAVEPOINT can only be used in transaction blocks")
		}
		sp := s.stmtSavepoint()
		sp.name = t.Savepoint
		s.savepoints = append(s.savepoints, sp)
		return w.Complete("SAVEPOINT")
	case "RELEASE", "ROLLBACK TO":
		if !s.inBlock {
			return pgerr.New(pgerr.NoActiveSQLTransaction, "%s can only be used in transaction blocks", map[string]string{"RELEASE": "RELEASE SAVEPOINT", "ROLLBACK TO": "ROLLBACK TO SAVEPOINT"}[t.Kind])
		}
		i := len(s.savepoints) - 1
		for ; i >= 0; i-- {
			if s.savepoints[i].name == t.Savepoint {
				break
			}
		}
		if i < 0 {
			return pgerr.New(pgerr.InvalidSavepointSpec, "savepoint %q does not exist", t.Savepoint)
		}
		if t.Kind == "RELEASE" {
			s.savepoints = s.savepoints[:i]
			return w.Complete("RELEASE")
		}
		s.rollbackTo(s.savepoints[i])
		s.savepoints = s.savepoints[:i+1]
		s.failed = false
		return w.Complete("ROLLBACK")
	}
	return pgerr.New(pgerr.FeatureNotSupported, "unsupported transaction statement %s", t.Kind)
}

// Query implements Session: the statements of one simple-protocol string
// run in one implicit transaction unless they manage transactions
// themselves, as in PostgreSQL.
func (s *session) Query(ctx context.Context, query string, w ResultWriter) error {
	ctx, cancel := s.statementContext(ctx, query)
	defer cancel()
	return timeoutError(ctx, s.query(ctx, query, w))
}

func (s *session) query(ctx context.Context, query string, w ResultWriter) error {
	stmts, err := parse.Parse(query)
	if err != nil {
		if s.inBlock {
			s.failed = true
		}
		return err
	}
	if len(stmts) == 0 {
		return w.EmptyQuery()
	}
	implicit := false
	if len(stmts) > 1 {
		ctx = context.WithValue(ctx, multiStmtKey{}, s)
	}
	for i := 0; i < len(stmts); i++ {
		p := stmts[i]
		if !s.inBlock && s.txn == nil && !p.IsTransactionControl() {
			s.begin()
			implicit = true
		}
		s.newStatement(p)
		var err error
		if n := insertRun(stmts[i:]); n > 1 && !s.failed {
			err = s.runInsertRun(ctx, stmts[i:i+n], w)
			i += n - 1
		} else {
			err = s.runParsed(ctx, p, nil, w, 0, nil)
		}
		if err != nil {
			if s.inBlock {
				s.failBlock()
			} else {
				s.rollback()
			}
			return err
		}
		if s.inBlock {
			implicit = false
		}
		if implicit && len(stmts) == 1 {
			if err := s.commit(); err != nil {
				return err
			}
			implicit = false
		}
	}
	if implicit && !s.inBlock {
		return s.commit()
	}
	return nil
}

// insertRun returns how many statements at the front of stmts are one
// single-row INSERT repeated with different literals, as psycopg2's
// execute_batch sends them.
func insertRun(stmts []*parse.Statement) int {
	if len(stmts) < 2 || !stmts[0].IsSingleRowInsert() {
		return 1
	}
	n := 1
	for n < len(stmts) && stmts[0].SameStatement(stmts[n]) {
		n++
	}
	return n
}

// runInsertRun runs a run of single-row INSERTs into one hypertable (see
// insertRun) as one multi-row INSERT, reporting "INSERT 0 1" for each.
// Binding is per statement, as before; the rows are then routed, checked
// and appended once instead of once per statement. A failure leaves
// nothing of the run behind, as the transaction it fails is rolled back
// or aborted either way. Runs that do not bind to plain inserts of the
// same hypertable go one statement at a time.
func (s *session) runInsertRun(ctx context.Context, run []*parse.Statement, w ResultWriter) error {
	var merged *plan.Insert
	var rows [][]plan.Expr
	var env *execEnv
	for _, p := range run {
		env = s.newEnv(ctx, nil)
		st, _, err := plan.Bind(env, p, nil, s.loc)
		ins, ok := st.(*plan.Insert)
		var v *plan.Values
		if ok {
			v, ok = ins.Source.(*plan.Values)
		}
		if err != nil || !ok || ins.Table.Hyper == nil || len(v.Rows) != 1 || merged != nil && ins.Table != merged.Table {
			return s.runEach(ctx, run, w)
		}
		if merged == nil {
			merged = ins
		}
		rows = append(rows, v.Rows[0])
	}
	src := *merged.Source.(*plan.Values)
	src.Rows = rows
	merged.Source = &src
	s.begin()
	return s.runUndoable(ctx, env, merged, repeatedTag{ResultWriter: w, n: len(run)}, nil)
}

// runEach runs statements one at a time in the current transaction.
func (s *session) runEach(ctx context.Context, stmts []*parse.Statement, w ResultWriter) error {
	for i, p := range stmts {
		if i > 0 {
			s.newStatement(p)
		}
		if err := s.runParsed(ctx, p, nil, w, 0, nil); err != nil {
			return err
		}
	}
	return nil
}

// repeatedTag reports the one-row INSERT tag n times for the multi-row
// INSERT a run of n single-row ones became.
type repeatedTag struct {
	ResultWriter
	n int
}

func (r repeatedTag) Complete(string) error {
	for i := 0; i < r.n; i++ {
		if err := r.ResultWriter.Complete("INSERT 0 1"); err != nil {
			return err
		}
	}
	return nil
}

// runParsed binds and runs one statement in the current transaction,
// undoing its effects (but keeping the transaction) when it fails.
func (s *session) runParsed(ctx context.Context, p *parse.Statement, params []any, w ResultWriter, maxRows int, pt []types.T) error {
	if s.failed {
		if t, ok := txnKind(p); !ok || (t != "ROLLBACK" && t != "COMMIT" && t != "ROLLBACK TO") {
			return pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
		}
	}
	rebind := func() (*execEnv, plan.Statement, error) {
		env := s.newEnv(ctx, params)
		st, _, err := plan.Bind(env, p, pt, s.loc)
		return env, st, err
	}
	if params == nil && pt == nil {
		if env, st, ok := s.cachedQuery(ctx, p); ok {
			s.begin()
			return s.runUndoable(ctx, env, st, w, rebind)
		}
	}
	env, st, err := rebind()
	if err != nil {
		return err
	}
	if t, ok := st.(*plan.Transaction); ok {
		return s.transaction(t, w)
	}
	if params == nil && pt == nil {
		s.notePlan(p, env, st)
	}
	s.begin()
	return s.runUndoable(ctx, env, st, w, rebind)
}

// rewriteRetries bounds how often a top-level rewrite (isRewrite) runs again
// after losing a block it rewrites to a concurrent commit or merge.
const rewriteRetries = 16

// runUndoable runs top-level statement st, undoing its effects (but
// keeping the transaction) when it fails. A rewrite (isRewrite) that failed
// with a table.RaceError runs again, bound anew by rebind on a fresh snapshot:
// its rows reach the client only at its end, so a failed attempt has sent
// nothing. Each failed attempt pins the chunk it lost against merges.
func (s *session) runUndoable(ctx context.Context, env *execEnv, st plan.Statement, w ResultWriter, rebind func() (*execEnv, plan.Statement, error)) error {
	for try := 1; ; try++ {
		sp := s.stmtSavepoint()
		s.stmtCtx = ctx
		var err error
		if env, st, err = s.lockForRun(ctx, env, st, rebind); err == nil {
			err = s.run(ctx, env, st, w)
		}
		if err == nil {
			return nil
		}
		if s.txn == nil {
			return err
		}
		s.rollbackTo(sp)
		// A repeatable-read transaction keeps its snapshot: the block
		// it lost changed after it, a serialization failure (40001).
		var race table.RaceError
		if !errors.As(err, &race) || try == rewriteRetries || sp.txn != s.txn || !isRewrite(st) || s.repeatable() {
			return err
		}
		s.txn.NewStatement()
		if env, st, err = rebind(); err != nil {
			return err
		}
	}
}

// isRewrite reports whether st is an UPDATE, a DELETE or an INSERT ...
// ON CONFLICT DO UPDATE into a hypertable (which rewrites the blocks of
// the rows it updates).
func isRewrite(st plan.Statement) bool {
	switch x := st.(type) {
	case *plan.Update, *plan.Delete:
		return true
	case *plan.Insert:
		return x.Table.Hyper != nil && x.OnConflict != nil && !x.OnConflict.DoNothing
	}
	return false
}

func txnKind(p *parse.Statement) (string, bool) {
	if !p.IsTransactionControl() {
		return "", false
	}
	st, _, err := plan.Bind(nil, p, nil, nil)
	if err != nil {
		return "", false
	}
	return st.(*plan.Transaction).Kind, true
}

// newEnv returns the binding and execution environment of one statement.
func (s *session) newEnv(ctx context.Context, params []any) *execEnv {
	if s.ddl != nil {
		s.ddl.Sync()
	}
	e := &execEnv{s: s, ctx: ctx, params: params}
	return e
}
