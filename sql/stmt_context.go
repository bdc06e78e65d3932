package sql

import (
	"context"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// Statement context and transaction control for PL/pgSQL.
//
// A client statement (session.run entered from Query or Execute) carries
// a stmtInfo in its context: the ResultWriter of the client, which RAISE
// NOTICE writes to, and whether the statement may end transactions. As in
// PostgreSQL, COMMIT and ROLLBACK inside a procedure (or DO block) work
// only when the CALL or DO is a top-level statement outside a transaction
// block and outside a multi-statement query string, and no function (nor
// a LANGUAGE sql routine) and no block with an EXCEPTION clause lies
// between the CALL and the COMMIT.

// stmtKey holds the *stmtInfo of the client statement being run.
type stmtKey struct{}

// multiStmtKey marks (with the session) a simple-protocol query string
// holding several statements: its implicit transaction is a block.
type multiStmtKey struct{}

// atomicKey marks a context in which transaction control is not allowed
// (inside a function or a SQL-language routine).
type atomicKey struct{}

// subtxnKey marks a context inside a PL/pgSQL block with an EXCEPTION
// clause, whose savepoint a COMMIT would destroy.
type subtxnKey struct{}

// stmtInfo describes the client statement a context belongs to.
type stmtInfo struct {
	s *session
	// client receives notices; nested statements write their results
	// elsewhere.
	client ResultWriter
	// nonAtomic: a procedure CALLed by this statement may COMMIT.
	nonAtomic bool
}

// stmtOf returns the client statement of ctx when it belongs to s.
func stmtOf(ctx context.Context, s *session) *stmtInfo {
	if si, ok := ctx.Value(stmtKey{}).(*stmtInfo); ok && si.s == s {
		return si
	}
	return nil
}

// enterStatement marks ctx as the context of a client statement of s
// writing to w.
func (s *session) enterStatement(ctx context.Context, w ResultWriter) context.Context {
	multi, _ := ctx.Value(multiStmtKey{}).(*session)
	si := &stmtInfo{s: s, client: w, nonAtomic: !s.inBlock && multi != s}
	return context.WithValue(ctx, stmtKey{}, si)
}

// clientOf returns the writer notices of statements run in ctx go to.
func (s *session) clientOf(ctx context.Context) ResultWriter {
	if si := stmtOf(ctx, s); si != nil {
		return si.client
	}
	return discard{}
}

// endTransaction runs COMMIT (or ROLLBACK) of a procedure or DO block in
// ctx: the session's transaction ends and a new one starts.
func (s *session) endTransaction(ctx context.Context, rollback bool) error {
	si := stmtOf(ctx, s)
	if si == nil || !si.nonAtomic || ctx.Value(atomicKey{}) != nil || s.inBlock {
		return pgerr.New(invalidTxnTermination, "invalid transaction termination")
	}
	if ctx.Value(subtxnKey{}) != nil {
		if rollback {
			return pgerr.New(invalidTxnTermination, "cannot roll back while a subtransaction is active")
		}
		return pgerr.New(invalidTxnTermination, "cannot commit while a subtransaction is active")
	}
	if rollback {
		s.rollback()
	} else if err := s.commit(); err != nil {
		return err
	}
	s.begin()
	return nil
}

// invalidTxnTermination is SQLSTATE 2D000.
const invalidTxnTermination pgerr.Code = "2D000"
