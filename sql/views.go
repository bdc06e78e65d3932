package sql

import (
	"context"
	"fmt"
	"strings"

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
// views.go). Continuous aggregates are in cagg.go.

// viewStmt runs the view statements; ok is false for other statements.
func (s *session) viewStmt(ctx context.Context, env *execEnv, st plan.Statement, w ResultWriter) (ok bool, err error) {
	switch x := st.(type) {
	case *plan.CreateView:
		return true, s.createView(x, w)
	case *plan.CreateMatView:
		if x.Cagg != nil {
			return true, s.createCagg(ctx, x, w)
		}
		return true, s.createMatView(env, x, w)
	case *plan.RefreshMatView:
		return true, s.refreshMatView(env, x, w)
	case *plan.AlterView:
		return true, s.alterView(x, w)
	case *plan.Drop:
		switch x.Kind {
		case "VIEW", "MATERIALIZED VIEW":
			return true, s.dropViews(x, w)
		case "TABLE":
			return false, s.checkDropTables(x)
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

func (s *session) createView(x *plan.CreateView, w ResultWriter) error {
	schema := s.schemaOrDefault(x.Name.Schema)
	cols := viewColumns(x.Cols)
	if err := checkColumnNames(cols); err != nil {
		return err
	}
	wr := s.writer()
	if old := s.catalogSnap().Table(s.dbOID, schema, x.Name.Name); old != nil {
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
	t := &catalog.Table{DB: s.dbOID, Schema: schema, Name: x.Name.Name, Owner: s.user, Cols: cols,
		NextColID: uint32(len(cols)), View: &catalog.View{Kind: catalog.ViewPlain, SQL: x.SQL}}
	if err := wr.CreateTable(t); err != nil {
		return err
	}
	return w.Complete("CREATE VIEW")
}

func checkColumnNames(cols []catalog.Column) error {
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

func (s *session) createMatView(env *execEnv, x *plan.CreateMatView, w ResultWriter) error {
	schema := s.schemaOrDefault(x.Name.Schema)
	if s.catalogSnap().Table(s.dbOID, schema, x.Name.Name) != nil && x.IfNotExists {
		_ = w.Notice("NOTICE", "42P07", fmt.Sprintf("relation %q already exists, skipping", x.Name.Name))
		return w.Complete("CREATE MATERIALIZED VIEW")
	}
	cols := viewColumns(x.Cols)
	if err := checkColumnNames(cols); err != nil {
		return err
	}
	t := &catalog.Table{DB: s.dbOID, Schema: schema, Name: x.Name.Name, Owner: s.user, Cols: cols,
		NextColID: uint32(len(cols)), View: &catalog.View{Kind: catalog.ViewMaterialized, SQL: x.SQL, Populated: x.WithData}}
	if err := s.writer().CreateTable(t); err != nil {
		return err
	}
	if !x.WithData {
		return w.Complete("CREATE MATERIALIZED VIEW")
	}
	return s.fillMatView(env, t, x.Query, &tagOnly{ResultWriter: w, tag: "SELECT"})
}

// fillMatView inserts query's rows into materialized view t.
func (s *session) fillMatView(env *execEnv, t *catalog.Table, query plan.Node, w ResultWriter) error {
	ins := &plan.Insert{Table: t, Source: query, Defaults: make([]plan.Expr, len(t.Cols))}
	for i := range t.Cols {
		ins.Cols = append(ins.Cols, i)
	}
	return s.insert(env, ins, w)
}

// viewTarget finds the view a view statement names.
func (s *session) viewTarget(on plan.ObjectName) (*catalog.Table, error) {
	t := s.findTable(on)
	if t == nil {
		return nil, noTable(on)
	}
	return t, nil
}

func (s *session) refreshMatView(env *execEnv, x *plan.RefreshMatView, w ResultWriter) error {
	t, err := s.viewTarget(x.Name)
	if err != nil {
		return err
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
		if err := s.writer().PutTable(nt); err != nil {
			return err
		}
		t = nt
	}
	s.txn.DropTable(uint64(t.OID))
	if x.WithData {
		q, err := s.bindQuery(env, t.View.SQL)
		if err != nil {
			return err
		}
		if err := s.fillMatView(env, t, q, discard{}); err != nil {
			return err
		}
	}
	return w.Complete("REFRESH MATERIALIZED VIEW")
}

// bindQuery binds one SELECT given as text.
func (s *session) bindQuery(env *execEnv, sql string) (plan.Node, error) {
	ps, err := parse.Parse(sql)
	if err != nil {
		return nil, err
	}
	st, _, err := plan.Bind(env, ps[0], nil, s.loc)
	if err != nil {
		return nil, err
	}
	q, ok := st.(*plan.Query)
	if !ok {
		return nil, pgerr.New(pgerr.Internal, "BUG: view query is not a SELECT")
	}
	return q.Node, nil
}

func (s *session) dropViews(x *plan.Drop, w ResultWriter) error {
	kind := strings.ToLower(x.Kind)
	for _, on := range x.Names {
		t := s.findTable(on)
		if t == nil {
			if x.IfExists {
				_ = w.Notice("NOTICE", "00000", fmt.Sprintf("%s %q does not exist, skipping", kind, on.Name))
				continue
			}
			return noTable(on)
		}
		want := byte(catalog.ViewPlain)
		if x.Kind == "MATERIALIZED VIEW" {
			want = catalog.ViewMaterialized
		}
		switch {
		case t.IsCagg() && x.Kind == "MATERIALIZED VIEW":
			if err := s.dropCagg(t, x.Cascade); err != nil {
				return err
			}
			continue
		case t.IsCagg():
			return pgerr.New(pgerr.WrongObjectType, "cannot drop continuous aggregate using DROP VIEW").
				WithHint("Use DROP MATERIALIZED VIEW to drop a continuous aggregate.")
		case t.View == nil || t.View.Kind != want:
			return pgerr.New(pgerr.WrongObjectType, "%q is not a %s", t.Name, kind).
				WithHint("Use DROP %s to remove %s.", dropKind(t), relDescription(t))
		}
		if err := s.writer().DropTable(t); err != nil {
			return err
		}
	}
	return w.Complete("DROP " + x.Kind)
}

func dropKind(t *catalog.Table) string {
	switch {
	case t.View == nil:
		return "TABLE"
	case t.View.Kind == catalog.ViewMaterialized || t.IsCagg():
		return "MATERIALIZED VIEW"
	}
	return "VIEW"
}

func relDescription(t *catalog.Table) string {
	switch {
	case t.View == nil:
		return "a table"
	case t.View.Kind == catalog.ViewMaterialized || t.IsCagg():
		return "a materialized view"
	}
	return "a view"
}

// checkDropTables rejects DROP TABLE of a view, and of a hypertable with
// continuous aggregates unless CASCADE (which drops them first).
func (s *session) checkDropTables(x *plan.Drop) error {
	for _, on := range x.Names {
		t := s.findTable(on)
		if t == nil {
			continue
		}
		if t.View != nil {
			return pgerr.New(pgerr.WrongObjectType, "%q is not a table", t.Name).
				WithHint("Use DROP %s to remove %s.", dropKind(t), relDescription(t))
		}
		caggs := s.catalogSnap().CaggsOn(t.OID)
		if len(caggs) == 0 {
			continue
		}
		if !x.Cascade {
			return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop table %s because other objects depend on it", t.Name).
				WithDetail("view %s depends on table %s", caggs[0].Name, t.Name).
				WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		for _, c := range caggs {
			if err := s.dropCagg(c, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *session) alterView(x *plan.AlterView, w ResultWriter) error {
	t := s.findTable(x.Name)
	if t == nil {
		if x.IfExists {
			_ = w.Notice("NOTICE", "00000", fmt.Sprintf("relation %q does not exist, skipping", x.Name.Name))
			return w.Complete("ALTER MATERIALIZED VIEW")
		}
		return noTable(x.Name)
	}
	if !t.IsCagg() {
		for name := range x.Options {
			return pgerr.New(pgerr.InvalidParameterValue, "unrecognized parameter %q", name)
		}
		return w.Complete("ALTER MATERIALIZED VIEW")
	}
	nt := t.Clone()
	compress := map[string]string{}
	for name, v := range x.Options {
		if opt, ok := caggCompressOptions[name]; ok {
			compress[opt] = v
			continue
		}
		switch name {
		case "timescaledb.materialized_only", "tsdb.materialized_only":
			b, err := caggBoolOption(name, v)
			if err != nil {
				return err
			}
			nt.View.Cagg.MaterializedOnly = b
		default:
			return pgerr.New(pgerr.InvalidParameterValue, "unrecognized parameter %q", name)
		}
	}
	if len(compress) > 0 {
		if err := s.setCaggCompression(t, compress); err != nil {
			return err
		}
	}
	if err := s.writer().PutTable(nt); err != nil {
		return err
	}
	return w.Complete("ALTER MATERIALIZED VIEW")
}

func caggBoolOption(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "on", "yes", "1", "t":
		return true, nil
	case "false", "off", "no", "0", "f":
		return false, nil
	}
	return false, pgerr.New(pgerr.InvalidParameterValue, "invalid value for boolean option %q: %s", name, v)
}
