package pgcatalog

import (
	"sort"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// PreparedStatement is one row of pg_prepared_statements.
type PreparedStatement struct {
	Name string
	// Statement is the Parse message's query, or the PREPARE statement.
	Statement string
	// PrepareTime is when it was prepared, in microseconds since the epoch.
	PrepareTime int64
	// ParamTypes are the parameter types' OIDs.
	ParamTypes []uint32
	// FromSQL is true for PREPARE, false for the wire protocol's Parse.
	FromSQL                   bool
	GenericPlans, CustomPlans int64
}

// PreparedLister is implemented by an Env whose session has prepared
// statements; pg_prepared_statements is empty for other Envs.
type PreparedLister interface {
	PreparedStatements() []PreparedStatement
}

func init() {
	register(catalog.SchemaCatalog, "pg_prepared_statements", cols(c("name", types.Text), c("statement", types.Text),
		c("prepare_time", types.Timestamptz), c("parameter_types", tOidArr), c("from_sql", types.Bool),
		c("generic_plans", types.Int8), c("custom_plans", types.Int8)), preparedRows)
}

// preparedRows lists the session's named prepared statements by name.
func preparedRows(env Env) ([][]any, error) {
	pl, ok := env.(PreparedLister)
	if !ok {
		return nil, nil
	}
	stmts := pl.PreparedStatements()
	sort.Slice(stmts, func(i, j int) bool { return stmts[i].Name < stmts[j].Name })
	rows := make([][]any, len(stmts))
	for i, p := range stmts {
		oids := make([]any, len(p.ParamTypes))
		for j, o := range p.ParamTypes {
			oids[j] = int64(o)
		}
		rows[i] = []any{p.Name, p.Statement, p.PrepareTime, types.NewArray(types.Oid, oids),
			p.FromSQL, p.GenericPlans, p.CustomPlans}
	}
	return rows, nil
}
