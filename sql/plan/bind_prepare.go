package plan

import (
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/types"
)

// PrepareStmt is SQL-level PREPARE name [(types)] AS statement. The
// statement shares its namespace with the wire protocol's named
// statements, as in PostgreSQL.
type PrepareStmt struct {
	Name string
	// ParamTypes are the declared parameter types (more may be inferred).
	ParamTypes []types.T
	// Query is the statement prepared, bound when PREPARE runs.
	Query *parse.Statement
	// SQL is the PREPARE statement's text (pg_prepared_statements).
	SQL string
}

// ExecuteStmt is SQL-level EXECUTE name [(params)].
type ExecuteStmt struct {
	Name string
	// Params are the parameter values' expressions (without column
	// references), coerced to the statement's parameter types when it
	// runs.
	Params []Expr
}

func (*PrepareStmt) stmt() {}
func (*ExecuteStmt) stmt() {}

// prepare binds PREPARE: the parameter types; the statement itself is
// bound when PREPARE runs, against the declared types.
func (b *binder) prepare(s *parse.PrepareStmt, sql string) (Statement, error) {
	ps := &PrepareStmt{Name: s.Name, SQL: sql,
		Query: parse.Nested(s.Query, sql, b.lits, b.litBase)}
	for _, a := range s.Argtypes {
		t, err := b.typeName(a.GetTypeName())
		if err != nil {
			return nil, err
		}
		ps.ParamTypes = append(ps.ParamTypes, t)
	}
	return ps, nil
}

// execute binds EXECUTE's parameter expressions.
func (b *binder) execute(s *parse.ExecuteStmt) (Statement, error) {
	es := &ExecuteStmt{Name: s.Name}
	for _, p := range s.Params {
		e, err := b.expr(p, &exprCtx{sc: newScope(nil), what: "EXECUTE parameter"})
		if err != nil {
			return nil, err
		}
		es.Params = append(es.Params, e)
	}
	return es, nil
}
