package plan

import (
	"sync"
	"time"

	pg "github.com/pganalyze/pg_query_go/v5"
	"github.com/pganalyze/pg_query_go/v5/parser"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// shared is binder state common to a statement and all its subqueries.
type shared struct {
	env    Env
	params []types.T
	loc    *time.Location
	// lits/litBase: placeholders $litBase.. of a normalized statement.
	lits    []*pg.Node
	litBase int
	// argNames are a user function's argument names while binding its
	// body (see BindBody).
	argNames []string
}

type binder struct {
	*shared
	correlated  bool
	outputAlias map[string]Expr
	windows     map[string]*pg.WindowDef
	ctes        map[string]*CTE
	parent      *binder
	// viewDepth counts the views being expanded around this binder.
	viewDepth int
	// keepUnknown leaves the untyped literals of the next SELECT's own
	// select list unresolved (INSERT ... SELECT 'NaN' coerces them to
	// the target columns' types, as PostgreSQL does), instead of text.
	keepUnknown bool
}

func newBinder(env Env, params []types.T, loc *time.Location) *binder {
	if loc == nil {
		loc = time.UTC
	}
	return &binder{shared: &shared{env: env, params: append([]types.T(nil), params...), loc: loc}}
}

func (b *binder) child() *binder {
	return &binder{shared: b.shared, parent: b, viewDepth: b.viewDepth}
}

func (b *binder) cte(name string) *CTE {
	for x := b; x != nil; x = x.parent {
		if c, ok := x.ctes[name]; ok {
			return c
		}
	}
	return nil
}

// ParamTypes returns the final parameter types (unresolved ones as text).
func (b *binder) paramTypes() []types.T {
	out := make([]types.T, len(b.params))
	for i, t := range b.params {
		if t.OID == 0 || t.OID == types.OidUnknown {
			t = types.Text
		}
		out[i] = t
	}
	return out
}

// Parsed is one parsed statement; its tree stays inside this package.
type Parsed struct {
	raw *pg.RawStmt
	// SQL is the statement's own text.
	SQL string
	// Tag is the command tag stem ("SELECT", "INSERT", "BEGIN", ...).
	Tag string
	// lits are the literals a normalized statement's placeholders $base..
	// stand for (nil when the tree is the original text's).
	lits []*pg.Node
	base int
}

// badNormalized remembers normalized texts that did not parse, so they
// go straight to the original text next time.
var badNormalized sync.Map

// Parse splits and parses a query string into statements. Statements
// that differ only in literals share one cached parse (see normalize.go).
func Parse(query string) ([]*Parsed, error) {
	split, ok := splitStatements(query)
	if !ok {
		return parseWhole(query)
	}
	out := make([]*Parsed, 0, len(split))
	for _, ns := range split {
		if ns.normalized != "" {
			if _, bad := badNormalized.Load(ns.normalized); !bad {
				res, err := parseCached(ns.normalized)
				if err == nil && len(res.Stmts) == 1 {
					out = append(out, &Parsed{raw: res.Stmts[0], SQL: ns.text, Tag: tagOf(res.Stmts[0].Stmt), lits: ns.lits, base: ns.base})
					continue
				}
				badNormalized.Store(ns.normalized, true)
			}
		}
		res, err := parseCached(ns.text)
		if err != nil {
			return nil, err
		}
		if len(res.Stmts) != 1 {
			// The tokenizer split differently from PostgreSQL: trust
			// the real parser.
			return parseWhole(query)
		}
		out = append(out, &Parsed{raw: res.Stmts[0], SQL: ns.text, Tag: tagOf(res.Stmts[0].Stmt)})
	}
	return out, nil
}

func parseWhole(query string) ([]*Parsed, error) {
	res, err := parseCached(query)
	if err != nil {
		return nil, err
	}
	out := make([]*Parsed, 0, len(res.Stmts))
	for _, rs := range res.Stmts {
		start := int(rs.StmtLocation)
		end := len(query)
		if rs.StmtLen > 0 {
			end = start + int(rs.StmtLen)
		}
		if start > len(query) {
			start = len(query)
		}
		if end > len(query) {
			end = len(query)
		}
		out = append(out, &Parsed{raw: rs, SQL: query[start:end], Tag: tagOf(rs.Stmt)})
	}
	return out, nil
}

func tagOf(n *pg.Node) string {
	switch x := n.Node.(type) {
	case *pg.Node_SelectStmt:
		return "SELECT"
	case *pg.Node_InsertStmt:
		return "INSERT"
	case *pg.Node_UpdateStmt:
		return "UPDATE"
	case *pg.Node_DeleteStmt:
		return "DELETE"
	case *pg.Node_TransactionStmt:
		switch x.TransactionStmt.Kind {
		case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
			return "BEGIN"
		case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
			return "COMMIT"
		case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
			return "ROLLBACK"
		}
		return "TRANSACTION"
	}
	return ""
}

// SameStatement reports whether p and q are one statement with different
// literals (they share the cached parse of their normalized text).
func (p *Parsed) SameStatement(q *Parsed) bool { return p.lits != nil && p.raw == q.raw }

// IsSingleRowInsert reports whether p is INSERT ... VALUES of one row,
// without WITH, ON CONFLICT or RETURNING.
func (p *Parsed) IsSingleRowInsert() bool {
	ins := p.raw.Stmt.GetInsertStmt()
	if ins == nil || ins.WithClause != nil || ins.OnConflictClause != nil || len(ins.ReturningList) > 0 {
		return false
	}
	sel := ins.SelectStmt.GetSelectStmt()
	return sel != nil && sel.Op == pg.SetOperation_SETOP_NONE && sel.WithClause == nil && len(sel.ValuesLists) == 1
}

// IsQuery reports whether p is a SELECT (returns rows).
func (p *Parsed) IsQuery() bool { return p.raw.Stmt.GetSelectStmt() != nil }

// IsFetch reports whether p is FETCH or MOVE, which continue reading a
// cursor opened by an earlier statement.
func (p *Parsed) IsFetch() bool { return p.raw.Stmt.GetFetchStmt() != nil }

// IsTransactionControl reports whether p is BEGIN/COMMIT/ROLLBACK/SAVEPOINT...
func (p *Parsed) IsTransactionControl() bool { return p.raw.Stmt.GetTransactionStmt() != nil }

func syntaxError(err error) error {
	if pe, ok := err.(*parser.Error); ok {
		return pgerr.New(pgerr.SyntaxError, "%s", pe.Message).WithPosition(int32(pe.Cursorpos))
	}
	return pgerr.New(pgerr.SyntaxError, "%s", err.Error())
}
