package parse

import (
	"sync"

	pg "github.com/pganalyze/pg_query_go/v5"
	"github.com/pganalyze/pg_query_go/v5/parser"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// Statement is one parsed statement of a query string. Its tree is
// shared with every statement of the same normalized text (the parse
// cache) and must not be modified.
type Statement struct {
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

// Tree returns the statement's parse tree.
func (s *Statement) Tree() *RawStmt { return s.raw }

// Literals returns the literals (A_Const nodes) that placeholders
// $base, $base+1, ... of a normalized statement stand for; nil when the
// tree is that of the statement's original text.
func (s *Statement) Literals() (lits []*Node, base int) { return s.lits, s.base }

// Nested returns the statement at stmt inside another statement's tree
// (the query of PREPARE), with text sql and that statement's literals.
func Nested(stmt *Node, sql string, lits []*Node, base int) *Statement {
	return &Statement{raw: &pg.RawStmt{Stmt: stmt}, SQL: sql, Tag: tagOf(stmt), lits: lits, base: base}
}

// badNormalized remembers normalized texts that did not parse, so they
// go straight to the original text next time.
var badNormalized sync.Map

// Parse splits and parses a query string into statements. Statements
// that differ only in literals share one cached parse (see normalize.go).
// A syntax error comes back as a pgerr error with SQLSTATE 42601 and the
// error's position.
func Parse(query string) ([]*Statement, error) {
	split, ok := splitStatements(query)
	if !ok {
		return parseWhole(query)
	}
	out := make([]*Statement, 0, len(split))
	for _, ns := range split {
		if ns.normalized != "" {
			if _, bad := badNormalized.Load(ns.normalized); !bad {
				res, err := normalizedTree(ns)
				if err == nil && len(res.Stmts) == 1 {
					out = append(out, &Statement{raw: res.Stmts[0], SQL: ns.text, Tag: tagOf(res.Stmts[0].Stmt), lits: ns.lits, base: ns.base})
					continue
				}
				badNormalized.Store(ns.normalized, true)
			}
		}
		res, err := Tree(ns.text)
		if err != nil {
			return nil, err
		}
		if len(res.Stmts) != 1 {
			// The tokenizer split differently from PostgreSQL: trust
			// the real parser.
			return parseWhole(query)
		}
		out = append(out, &Statement{raw: res.Stmts[0], SQL: ns.text, Tag: tagOf(res.Stmts[0].Stmt)})
	}
	return out, nil
}

// normalizedTree parses ns's normalized text, a bulk INSERT's VALUES
// list row shape once (values.go).
func normalizedTree(ns normStmt) (*pg.ParseResult, error) {
	if ns.values != nil {
		if res, ok := ns.values.tree(ns.normalized); ok {
			return res, nil
		}
	}
	return Tree(ns.normalized)
}

func parseWhole(query string) ([]*Statement, error) {
	res, err := Tree(query)
	if err != nil {
		return nil, err
	}
	out := make([]*Statement, 0, len(res.Stmts))
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
		out = append(out, &Statement{raw: rs, SQL: query[start:end], Tag: tagOf(rs.Stmt)})
	}
	return out, nil
}

// Fresh parses query without the cache: the tree is the caller's to
// modify. Errors are syntax errors as in Parse.
func Fresh(query string) (*ParseResult, error) {
	res, err := pg.Parse(query)
	if err != nil {
		return nil, syntaxError(err)
	}
	return res, nil
}

// Deparse turns a parse tree back into SQL text.
func Deparse(tree *ParseResult) (string, error) { return pg.Deparse(tree) }

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

// SameStatement reports whether s and t are one statement with different
// literals (they share the cached parse of their normalized text).
func (s *Statement) SameStatement(t *Statement) bool { return s.lits != nil && s.raw == t.raw }

// IsSingleRowInsert reports whether s is INSERT ... VALUES of one row,
// without WITH, ON CONFLICT or RETURNING.
func (s *Statement) IsSingleRowInsert() bool {
	ins := s.raw.Stmt.GetInsertStmt()
	if ins == nil || ins.WithClause != nil || ins.OnConflictClause != nil || len(ins.ReturningList) > 0 {
		return false
	}
	sel := ins.SelectStmt.GetSelectStmt()
	return sel != nil && sel.Op == pg.SetOperation_SETOP_NONE && sel.WithClause == nil && len(sel.ValuesLists) == 1
}

// IsQuery reports whether s is a SELECT (returns rows).
func (s *Statement) IsQuery() bool { return s.raw.Stmt.GetSelectStmt() != nil }

// IsFetch reports whether s is FETCH or MOVE, which continue reading a
// cursor opened by an earlier statement.
func (s *Statement) IsFetch() bool { return s.raw.Stmt.GetFetchStmt() != nil }

// IsTransactionControl reports whether s is BEGIN/COMMIT/ROLLBACK/SAVEPOINT...
func (s *Statement) IsTransactionControl() bool { return s.raw.Stmt.GetTransactionStmt() != nil }

func syntaxError(err error) error {
	if pe, ok := err.(*parser.Error); ok {
		return pgerr.New(pgerr.SyntaxError, "%s", pe.Message).WithPosition(int32(pe.Cursorpos))
	}
	return pgerr.New(pgerr.SyntaxError, "%s", err.Error())
}
