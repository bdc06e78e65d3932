package pgcatalog

import (
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
)

// Rows of the catalogs listing user views, materialized views and
// continuous aggregates: pg_views, pg_matviews, information_schema.views
// and timescaledb_information.continuous_aggregates. Their columns are
// registered with the other catalogs; this file supplies the rows, and
// the body of pg_get_viewdef (declared with the other pg_get_*def
// functions).

func init() {
	setRows(catalog.SchemaCatalog, "pg_views", func(env Env) ([][]any, error) {
		var rows [][]any
		for _, t := range userViews(env, catalog.ViewPlain) {
			rows = append(rows, []any{t.Schema, t.Name, ownerName(t), t.View.SQL})
		}
		return rows, nil
	})
	setRows(catalog.SchemaCatalog, "pg_matviews", func(env Env) ([][]any, error) {
		var rows [][]any
		for _, t := range userViews(env, catalog.ViewMaterialized) {
			rows = append(rows, []any{t.Schema, t.Name, ownerName(t), nil, false, t.View.Populated, t.View.SQL})
		}
		return rows, nil
	})
	setRows(catalog.SchemaInfo, "views", func(env Env) ([][]any, error) {
		var rows [][]any
		for _, t := range userViews(env, catalog.ViewPlain) {
			rows = append(rows, []any{env.DatabaseName(), t.Schema, t.Name, t.View.SQL, "NONE", "NO", "NO", "NO", "NO", "NO"})
		}
		return rows, nil
	})
	setRows(catalog.SchemaTSInfo, "continuous_aggregates", caggRows)
	setBody("pg_get_viewdef", withEnv(viewDef))
}

// setBody supplies the body of a function declared elsewhere.
func setBody(name string, fn fnBody) {
	fs := funcs.Scalars(name)
	if len(fs) == 0 {
		panic("BUG: function not declared: " + name)
	}
	for _, f := range fs {
		f.Fn = fn
	}
}

// viewDef is pg_get_viewdef(view [, pretty]): the view's query as
// PostgreSQL prints it (a leading space, a trailing semicolon), or NULL
// for a relation that is not a view. The view is an OID or a name.
func viewDef(env Env, args []any) (any, error) {
	var t *catalog.Table
	switch v := args[0].(type) {
	case int64:
		t = env.Catalog().TableByOID(uint32(v))
	case string:
		schema, name := "public", v
		if i := strings.LastIndexByte(v, '.'); i >= 0 {
			schema, name = v[:i], v[i+1:]
		}
		t = env.Catalog().Table(env.Database(), schema, name)
	}
	if t == nil || t.View == nil || t.DB != env.Database() {
		return nil, nil
	}
	return " " + t.View.SQL + ";", nil
}

// setRows supplies the rows of a catalog registered elsewhere.
func setRows(schema, name string, rows RowsFunc) {
	v := views[schema+"."+name]
	if v == nil {
		panic("BUG: pgcatalog view not registered: " + schema + "." + name)
	}
	v.rows = rows
}

// userViews returns the current database's views of kind ('v' includes
// continuous aggregates, as in TimescaleDB).
func userViews(env Env, kind byte) []*catalog.Table {
	var out []*catalog.Table
	for _, t := range env.Catalog().Tables(env.Database()) {
		if t.View != nil && t.View.Kind == kind {
			out = append(out, t)
		}
	}
	return out
}

func ownerName(t *catalog.Table) string {
	if t.Owner == "" {
		return catalog.DefaultRole
	}
	return t.Owner
}

func caggRows(env Env) ([][]any, error) {
	snap := env.Catalog()
	var rows [][]any
	for _, t := range snap.Caggs(env.Database()) {
		c := t.View.Cagg
		// A hierarchical aggregate's hypertable is its parent's
		// materialization hypertable, as in TimescaleDB.
		src := snap.TableByOID(c.SourceOID)
		if src != nil && src.IsCagg() {
			src = snap.TableByOID(src.View.Cagg.MatOID)
		}
		var hs, hn any
		if src != nil {
			hs, hn = src.Schema, src.Name
		}
		mat := snap.TableByOID(c.MatOID)
		var ms, mn any
		if mat != nil {
			ms, mn = mat.Schema, mat.Name
		}
		rows = append(rows, []any{hs, hn, t.Schema, t.Name, ownerName(t), c.MaterializedOnly, mat != nil && CompressionEnabled(mat),
			ms, mn, t.View.SQL, true})
	}
	return rows, nil
}
