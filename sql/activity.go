package sql

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Session activity: what pg_stat_activity shows of every session, and
// pg_cancel_backend / pg_terminate_backend, which reach another session
// by its pid.

// activity is one session's state as other sessions see it; its mutex
// guards every field (the session's own goroutine writes, others read).
type activity struct {
	mu          sync.Mutex
	state       string // active, idle, idle in transaction, idle in transaction (aborted)
	query       string // the running or last statement's text
	backendAt   int64  // µs since the epoch
	queryAt     int64
	stateAt     int64
	xactAt      int64 // 0: no transaction
	cancelStmt  context.CancelFunc
	terminate   func()
	terminating bool
	// idleTimer ends the connection of a session idle in its
	// transaction for idle_in_transaction_session_timeout.
	idleTimer *time.Timer
	// waitEvent is the lock the session waits for ("" when none):
	// pg_stat_activity's wait_event, with wait_event_type Lock.
	waitEvent string
}

// noteWait records that the session's transaction starts or stops
// waiting for a lock (storage.Txn.SetWaitHook).
func (s *session) noteWait(event string, waiting bool) {
	s.act.mu.Lock()
	defer s.act.mu.Unlock()
	if !waiting {
		event = ""
	}
	s.act.waitEvent = event
}

// sessions is the engine's registry of open sessions by pid.
type sessions struct {
	mu  sync.Mutex
	pid map[int32]*session
}

func (r *sessions) add(s *session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pid == nil {
		r.pid = map[int32]*session{}
	}
	r.pid[s.pid] = s
}

func (r *sessions) remove(s *session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.pid, s.pid)
}

func (r *sessions) get(pid int32) *session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pid[pid]
}

func (r *sessions) all() []*session {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*session, 0, len(r.pid))
	for _, s := range r.pid {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pid < out[j].pid })
	return out
}

// startActivity marks the session active running query, with cancel
// ending the statement (pg_cancel_backend).
func (s *session) startActivity(query string, cancel context.CancelFunc) {
	now := time.Now().UnixMicro()
	a := &s.act
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.idleTimer != nil {
		a.idleTimer.Stop()
		a.idleTimer = nil
	}
	a.state, a.query, a.queryAt, a.stateAt, a.cancelStmt = "active", query, now, now, cancel
}

// endActivity marks the session idle (in its transaction state) once a
// statement ended.
func (s *session) endActivity() {
	a := &s.act
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cancelStmt = nil
	a.stateAt = time.Now().UnixMicro()
	switch {
	case s.failed:
		a.state = "idle in transaction (aborted)"
	case s.txn != nil:
		a.state = "idle in transaction"
	default:
		a.state = "idle"
	}
	a.xactAt = 0
	if s.txn != nil {
		a.xactAt = s.txnStart
	}
	if a.idleTimer != nil {
		a.idleTimer.Stop()
		a.idleTimer = nil
	}
	if d := s.millisSetting("idle_in_transaction_session_timeout"); d > 0 && s.inBlock && a.terminate != nil {
		// As PostgreSQL, end the connection of a session that keeps
		// its transaction (and locks) open without using it.
		end := a.terminate
		a.idleTimer = time.AfterFunc(d, func() {
			s.db.log.Info("terminating connection due to idle-in-transaction timeout", "pid", s.pid)
			end()
		})
	}
}

// BackendPID returns the session's backend pid (pg_backend_pid), which
// the server also sends as the BackendKeyData process id.
func (s *session) BackendPID() int32 { return s.pid }

// SetTerminate implements the server's optional hook: terminate ends the
// session's connection (pg_terminate_backend).
func (s *session) SetTerminate(terminate func()) {
	s.act.mu.Lock()
	defer s.act.mu.Unlock()
	s.act.terminate = terminate
}

// Backends implements pgcatalog.BackendLister: every open session.
func (e *execEnv) Backends() []pgcatalog.Backend {
	var out []pgcatalog.Backend
	for _, s := range e.s.db.active.all() {
		a := &s.act
		a.mu.Lock()
		b := pgcatalog.Backend{PID: s.pid, DatabaseOID: s.dbOID, DatabaseName: s.dbName, User: s.user,
			State: a.state, Query: a.query, BackendStart: a.backendAt, QueryStart: a.queryAt,
			StateChange: a.stateAt, XactStart: a.xactAt}
		switch {
		case a.waitEvent != "":
			b.WaitEventType, b.WaitEvent = "Lock", a.waitEvent
		case strings.HasPrefix(a.state, "idle"):
			// Waiting for the client's next message, as PostgreSQL
			// reports its idle backends.
			b.WaitEventType, b.WaitEvent = "Client", "ClientRead"
		}
		a.mu.Unlock()
		if s == e.s {
			// The calling session is running this very statement.
			b.XactStart = s.txnStart
			b.AppName, _ = s.setting("application_name")
		}
		out = append(out, b)
	}
	return out
}

func init() {
	signal := func(name string, terminate bool) {
		funcs.RegisterScalar(&funcs.Scalar{Name: name, Args: []types.T{types.Int4}, Ret: funcs.Fixed(types.Bool), Volatile: true, Strict: true,
			Fn: func(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
				e, err := envOf(ctx)
				if err != nil {
					return nil, err
				}
				return e.signalBackend(int32(a[0].(int64)), terminate)
			}})
	}
	signal("pg_cancel_backend", false)
	signal("pg_terminate_backend", true)
}

// signalBackend cancels the running statement of the session with pid
// (pg_cancel_backend) or also ends its connection (pg_terminate_backend).
// An unknown pid gives PostgreSQL's warning and false.
func (e *execEnv) signalBackend(pid int32, terminate bool) (bool, error) {
	t := e.s.db.active.get(pid)
	if t == nil {
		if w := e.s.clientOf(e.ctx); w != nil {
			_ = w.Notice("WARNING", "01000", "PID "+strconv.Itoa(int(pid))+" is not a PostgreSQL backend process")
		}
		return false, nil
	}
	if terminate && t == e.s {
		err := pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command")
		err.Severity = "FATAL"
		return false, err
	}
	a := &t.act
	a.mu.Lock()
	cancel, end := a.cancelStmt, a.terminate
	if terminate {
		a.terminating = true
	}
	a.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if terminate && end != nil {
		end()
	}
	return true, nil
}
