package pgcatalog

import (
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// indexColumns returns the quoted column names of an index.
func indexColumns(t *catalog.Table, ix *catalog.Index) []string {
	var out []string
	for _, id := range ix.Cols {
		if i := t.ColByID(id); i >= 0 {
			out = append(out, types.QuoteIdent(t.Cols[i].Name))
		}
	}
	return out
}

// indexDef renders an index as pg_get_indexdef does:
// "CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)".
func indexDef(t *catalog.Table, ix *catalog.Index) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if ix.Unique || ix.Primary {
		b.WriteString("UNIQUE ")
	}
	method := ix.Method
	if method == "" {
		method = "btree"
	}
	cols := indexColumns(t, ix)
	for i := range cols {
		cols[i] += sortOptions(ix.Option(i))
	}
	b.WriteString("INDEX " + types.QuoteIdent(ix.Name) + " ON " + types.QuoteIdent(t.Schema) + "." + types.QuoteIdent(t.Name) +
		" USING " + method + " (" + strings.Join(cols, ", ") + ")")
	return b.String()
}

// sortOptions renders an index column's non-default ordering as
// pg_get_indexdef does: DESC implies NULLS FIRST, ASC NULLS LAST.
func sortOptions(opt int16) string {
	desc, nullsFirst := opt&catalog.IndexDesc != 0, opt&catalog.IndexNullsFirst != 0
	switch {
	case desc && nullsFirst:
		return " DESC"
	case desc:
		return " DESC NULLS LAST"
	case nullsFirst:
		return " NULLS FIRST"
	}
	return ""
}

// indexColumnDef renders one column of an index (pg_get_indexdef(oid, n, ...)).
func indexColumnDef(t *catalog.Table, ix *catalog.Index, n int) string {
	cols := indexColumns(t, ix)
	if n < 1 || n > len(cols) {
		return ""
	}
	return cols[n-1]
}

// constraintDef renders a constraint as pg_get_constraintdef does:
// "PRIMARY KEY (id)", "UNIQUE (a, b)".
func constraintDef(t *catalog.Table, ix *catalog.Index) string {
	kw := "UNIQUE"
	if ix.Primary {
		kw = "PRIMARY KEY"
	}
	return kw + " (" + strings.Join(indexColumns(t, ix), ", ") + ")"
}

// findIndex returns the table and index with index OID oid in the current
// database.
func findIndex(env Env, oid uint32) (*catalog.Table, *catalog.Index) {
	for _, t := range env.Catalog().Tables(env.Database()) {
		for i := range t.Indexes {
			if t.Indexes[i].OID == oid {
				return t, &t.Indexes[i]
			}
		}
	}
	return nil, nil
}
