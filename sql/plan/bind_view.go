package plan

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// Views: CREATE [MATERIALIZED] VIEW, REFRESH, ALTER MATERIALIZED VIEW,
// and the expansion of a view reference in FROM into its query.

// maxViewDepth bounds view expansion (views on views), so a cycle made
// with CREATE OR REPLACE VIEW fails instead of recursing forever.
const maxViewDepth = 64

// viewCols returns a view's columns: its query's, renamed by an
// explicit column list.
func viewCols(n Node, aliases []*parse.Node) []OutCol {
	cols := visible(n.Columns())
	out := make([]OutCol, len(cols))
	for i, c := range cols {
		out[i] = OutCol{Name: c.Name, T: c.T}
		if i < len(aliases) {
			out[i].Name = strVal(aliases[i])
		}
	}
	return out
}

// createMatView binds CREATE MATERIALIZED VIEW.
func (b *binder) createMatView(s *parse.CreateTableAsStmt) (Statement, error) {
	q, err := deparseSelect(s.Query)
	if err != nil {
		return nil, err
	}
	st := &CreateMatView{Name: objName(s.Into.Rel), SQL: q, WithData: !s.Into.SkipData, IfNotExists: s.IfNotExists}
	continuous, matOnly := false, ""
	for _, o := range s.Into.Options {
		name, val := relOption(o.GetDefElem())
		switch name {
		case "timescaledb.continuous", "tsdb.continuous":
			if continuous, err = boolOption(name, val); err != nil {
				return nil, err
			}
		case "timescaledb.materialized_only", "tsdb.materialized_only":
			matOnly = val
		case "timescaledb.create_group_indexes", "timescaledb.finalized":
		default:
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unrecognized parameter %q", name)
		}
	}
	if !continuous {
		if matOnly != "" {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unrecognized parameter %q", "timescaledb.materialized_only")
		}
		node, err := b.selectStmt(s.Query.GetSelectStmt(), nil)
		if err != nil {
			return nil, err
		}
		st.Query, st.Cols = node, viewCols(node, s.Into.ColNames)
		return st, nil
	}
	if len(s.Into.ColNames) > 0 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "column lists on continuous aggregates are not supported by tsgres; use aliases in the query")
	}
	def, err := b.caggDef(s.Query.GetSelectStmt())
	if err != nil {
		return nil, err
	}
	def.Cagg.MaterializedOnly = DefaultMaterializedOnly
	if matOnly != "" {
		if def.Cagg.MaterializedOnly, err = boolOption("timescaledb.materialized_only", matOnly); err != nil {
			return nil, err
		}
	}
	st.Cagg, st.Cols = def, def.Cols
	return st, nil
}

// DefaultMaterializedOnly is timescaledb.materialized_only's default:
// true, as in TimescaleDB 2.13 and later (real-time aggregation is
// opt-in with materialized_only = false).
const DefaultMaterializedOnly = true

func boolOption(name, v string) (bool, error) {
	switch v {
	case "true", "on", "yes", "1", "t":
		return true, nil
	case "false", "off", "no", "0", "f":
		return false, nil
	}
	return false, pgerr.New(pgerr.InvalidParameterValue, "invalid value for boolean option %q: %s", name, v)
}

// alterView binds ALTER MATERIALIZED VIEW ... SET (...).
func alterView(s *parse.AlterTableStmt) (Statement, error) {
	av := &AlterView{Name: objName(s.Relation), IfExists: s.MissingOk, Options: map[string]string{}}
	for _, c := range s.Cmds {
		cmd := c.GetAlterTableCmd()
		if cmd.Subtype != parse.AlterTableType_AT_SetRelOptions {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "only ALTER MATERIALIZED VIEW ... SET (...) is supported")
		}
		for _, o := range cmd.Def.GetList().GetItems() {
			name, v := relOption(o.GetDefElem())
			av.Options[name] = v
		}
	}
	return av, nil
}

// viewNode expands a reference to view t into its bound query.
func (b *binder) viewNode(t *catalog.Table) (Node, error) {
	if t.View.Kind == catalog.ViewMaterialized {
		if !t.View.Populated {
			return nil, pgerr.New("55000", "materialized view %q has not been populated", t.Name).
				WithHint("Use the REFRESH MATERIALIZED VIEW command.")
		}
		return nil, nil
	}
	sql := t.View.SQL
	if t.IsCagg() {
		var err error
		if sql, err = b.env.CaggViewSQL(t); err != nil {
			return nil, err
		}
	}
	n, err := b.bindSQL(sql)
	if err != nil {
		return nil, err
	}
	cols := visible(n.Columns())
	if len(cols) != len(n.Columns()) {
		n = stripHidden(n)
	}
	exprs := make([]Expr, len(cols))
	out := make([]OutCol, len(cols))
	for i, c := range cols {
		exprs[i] = &ColRef{T: c.T, Idx: i, Name: c.Name}
		out[i] = OutCol{Name: c.Name, T: c.T, TableOID: t.OID, AttNum: int16(i + 1)}
		if i < len(t.Cols) {
			out[i].Name = t.Cols[i].Name
		}
	}
	return &Project{Input: n, Exprs: exprs, Cols: out}, nil
}
