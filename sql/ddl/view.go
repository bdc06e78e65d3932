package ddl

import (
	"context"
	"fmt"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// Views and materialized views (PostgreSQL's CREATE VIEW, CREATE
// MATERIALIZED VIEW, REFRESH MATERIALIZED VIEW, DROP). A view is a catalog
// entry with its query text, bound where it is used; a materialized view
// is a row-store table filled with its query's result (see catalog's
// views.go). Continuous aggregates are in view_cagg.go.

// viewStmt runs the view statements; ok is false for other statements.
// It also vets DROP TABLE (checkDropTables) before drop runs it.
func viewStmt(ctx context.Context, h Host, st plan.Statement, w ResultWriter) (ok bool, err error) {
	switch x := st.(type) {
	case *plan.CreateView:
		return true, createView(h, x, w)
	case *plan.CreateMatView:
		if x.Cagg != nil {
			return true, createCagg(ctx, h, x, w)
		}
		return true, createMatView(h, x, w)
	case *plan.RefreshMatView:
		return true, refreshMatView(h, x, w)
	case *plan.AlterView:
		return true, alterView(h, x, w)
	case *plan.Drop:
		switch x.Kind {
		case "VIEW", "MATERIALIZED VIEW":
			return true, dropViews(h, x, w)
		case "TABLE":
			return false, checkDropTables(h, x)
		}
	}
	return false, nil
}

// viewColumns converts bound columns to catalog columns (unknown-typed
// literals become text, as PostgreSQL does).
func viewColumns(cols []plan.OutCol) []catalog.Column {
	out := make([]catalog.Column, len(cols))
	for i, c := range cols {
		t := c.T
		if t.OID == 0 || t.OID == types.OidUnknown {
			t = types.Text
		}
		out[i] = catalog.Column{ID: uint32(i + 1), Name: c.Name, Type: t}
	}
	return out
}

// createView runs CREATE [OR REPLACE] VIEW.
func createView(h Host, x *plan.CreateView, w ResultWriter) error {
	schema := schemaOrDefault(h, x.Name.Schema)
	cols := viewColumns(x.Cols)
	if err := CheckColumnNames(cols); err != nil {
		return err
	}
	wr := h.Writer()
	if old := h.Catalog().Table(h.Database(), schema, x.Name.Name); old != nil {
		if !x.Replace {
			return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", x.Name.Name)
		}
		if old.View == nil || old.View.Kind != catalog.ViewPlain || old.IsCagg() {
			return pgerr.New(pgerr.WrongObjectType, "%q is not a view", x.Name.Name)
		}
		if err := replaceableColumns(old.Cols, cols); err != nil {
			return err
		}
		nt := old.Clone()
		nt.Cols, nt.NextColID, nt.View.SQL = cols, uint32(len(cols)), x.SQL
		if err := wr.PutTable(nt); err != nil {
			return err
		}
		return w.Complete("CREATE VIEW")
	}
	t := &catalog.Table{DB: h.Database(), Schema: schema, Name: x.Name.Name, Owner: h.User(), Cols: cols,
		NextColID: uint32(len(cols)), View: &catalog.View{Kind: catalog.ViewPlain, SQL: x.SQL}}
	if err := wr.CreateTable(t); err != nil {
		return err
	}
	return w.Complete("CREATE VIEW")
}

// CheckColumnNames checks a new relation's column list: no name twice
// (42701). Package continuous applies it to continuous aggregates
// through its Creator.
func CheckColumnNames(cols []catalog.Column) error {
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c.Name] {
			return pgerr.New(pgerr.DuplicateColumn, "column %q specified more than once", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

// replaceableColumns applies PostgreSQL's CREATE OR REPLACE VIEW rule: the
// new query keeps the old columns (names and types, in order) and may
// only add columns at the end.
func replaceableColumns(old, cols []catalog.Column) error {
	if len(cols) < len(old) {
		return pgerr.New(pgerr.InvalidTableDefinition, "cannot drop columns from view")
	}
	for i, c := range old {
		if cols[i].Name != c.Name {
			return pgerr.New(pgerr.InvalidTableDefinition, "cannot change name of view column %q to %q", c.Name, cols[i].Name).
				WithHint("Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.")
		}
		if cols[i].Type != c.Type {
			return pgerr.New(pgerr.InvalidTableDefinition, "cannot change data type of view column %q from %s to %s",
				c.Name, c.Type.Info().Name, cols[i].Type.Info().Name)
		}
	}
	return nil
}

// createMatView runs CREATE MATERIALIZED VIEW of a plain (not
// continuous) materialized view, filling it unless WITH NO DATA.
func createMatView(h Host, x *plan.CreateMatView, w ResultWriter) error {
	schema := schemaOrDefault(h, x.Name.Schema)
	if h.Catalog().Table(h.Database(), schema, x.Name.Name) != nil && x.IfNotExists {
		_ = w.Notice("NOTICE", "42P07", fmt.Sprintf("relation %q already exists, skipping", x.Name.Name))
		return w.Complete("CREATE MATERIALIZED VIEW")
	}
	cols := viewColumns(x.Cols)
	if err := CheckColumnNames(cols); err != nil {
		return err
	}
	t := &catalog.Table{DB: h.Database(), Schema: schema, Name: x.Name.Name, Owner: h.User(), Cols: cols,
		NextColID: uint32(len(cols)), View: &catalog.View{Kind: catalog.ViewMaterialized, SQL: x.SQL, Populated: x.WithData}}
	if err := h.Writer().CreateTable(t); err != nil {
		return err
	}
	if !x.WithData {
		return w.Complete("CREATE MATERIALIZED VIEW")
	}
	return fill(h, t, x.Query, w)
}

// refreshMatView runs REFRESH MATERIALIZED VIEW: the view's rows are
// replaced by its query's (re-bound now), or emptied WITH NO DATA.
func refreshMatView(h Host, x *plan.RefreshMatView, w ResultWriter) error {
	t := findTable(h, x.Name)
	if t == nil {
		return noTable(x.Name)
	}
	if t.IsCagg() {
		return pgerr.New(pgerr.WrongObjectType, "operation not supported on continuous aggregate").
			WithHint("Use refresh_continuous_aggregate() to refresh a continuous aggregate.")
	}
	if t.View == nil || t.View.Kind != catalog.ViewMaterialized {
		return pgerr.New(pgerr.WrongObjectType, "%q is not a materialized view", t.Name)
	}
	if t.View.Populated != x.WithData {
		nt := t.Clone()
		nt.View.Populated = x.WithData
		if err := h.Writer().PutTable(nt); err != nil {
			return err
		}
		t = nt
	}
	h.Txn().DropTable(uint64(t.OID))
	if x.WithData {
		q, err := bindQuery(h, t.View.SQL)
		if err != nil {
			return err
		}
		if _, err := h.Insert(t, q); err != nil {
			return err
		}
	}
	return w.Complete("REFRESH MATERIALIZED VIEW")
}

// bindQuery binds one SELECT given as text.
func bindQuery(h Host, sql string) (plan.Node, error) {
	ps, err := parse.Parse(sql)
	if err != nil {
		return nil, err
	}
	st, _, err := plan.Bind(h.PlanEnv(), ps[0], nil, h.Location())
	if err != nil {
		return nil, err
	}
	q, ok := st.(*plan.Query)
	if !ok {
		return nil, pgerr.New(pgerr.Internal, "BUG: view query is not a SELECT")
	}
	return q.Node, nil
}
