package ddl

import (
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
)

// dropViews runs DROP VIEW and DROP MATERIALIZED VIEW; the latter also
// drops continuous aggregates. Each must name the kind of relation it
// drops, with PostgreSQL's hint otherwise.
func dropViews(h Host, x *plan.Drop, w ResultWriter) error {
	kind := strings.ToLower(x.Kind)
	for _, on := range x.Names {
		t := findTable(h, on)
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
			if err := h.DropCagg(t, x.Cascade); err != nil {
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
		if err := h.Writer().DropTable(t); err != nil {
			return err
		}
	}
	return w.Complete("DROP " + x.Kind)
}

// dropKind is the DROP statement's kind word that removes relation t.
func dropKind(t *catalog.Table) string {
	switch {
	case t.View == nil:
		return "TABLE"
	case t.View.Kind == catalog.ViewMaterialized || t.IsCagg():
		return "MATERIALIZED VIEW"
	}
	return "VIEW"
}

// relDescription names relation t's kind in hints ("a view").
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
func checkDropTables(h Host, x *plan.Drop) error {
	for _, on := range x.Names {
		t := findTable(h, on)
		if t == nil {
			continue
		}
		if t.View != nil {
			return pgerr.New(pgerr.WrongObjectType, "%q is not a table", t.Name).
				WithHint("Use DROP %s to remove %s.", dropKind(t), relDescription(t))
		}
		caggs := h.Catalog().CaggsOn(t.OID)
		if len(caggs) == 0 {
			continue
		}
		if !x.Cascade {
			return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop table %s because other objects depend on it", t.Name).
				WithDetail("view %s depends on table %s", caggs[0].Name, t.Name).
				WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		for _, c := range caggs {
			if err := h.DropCagg(c, true); err != nil {
				return err
			}
		}
	}
	return nil
}
