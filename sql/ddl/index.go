package ddl

import (
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
)

// createIndex runs CREATE [UNIQUE] INDEX. Besides the catalog entry:
//   - on a hypertable, an index (series, ..., time, ...) whose leading
//     column has no last-value index yet gets one (its own key space),
//     filled from the rows already there;
//   - an index on a regular table gets its own key space, filled from
//     the rows already there in the same transaction (a unique one fails
//     with 23505 on a duplicate key). UNIQUE on a hypertable records a
//     plain index (uniqueness is not enforced there).
func createIndex(h Host, x *plan.CreateIndex, w ResultWriter) error {
	t := findTable(h, x.Table)
	if t == nil {
		return noTable(x.Table)
	}
	name := x.Name
	if name == "" {
		name = t.Name + "_" + strings.Join(x.Cols, "_") + "_idx"
	}
	for _, ix := range t.Indexes {
		if ix.Name == name {
			if x.IfNotExists {
				_ = w.Notice("NOTICE", "42P07", fmt.Sprintf("relation %q already exists, skipping", name))
				return w.Complete("CREATE INDEX")
			}
			return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", name)
		}
	}
	nt := t.Clone()
	ix := catalog.Index{Name: name, Method: "btree"}
	for i, c := range x.Cols {
		col := t.Col(c)
		if col == nil && c != "expr" {
			return pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", c)
		}
		if col != nil {
			ix.Cols = append(ix.Cols, col.ID)
			ix.Options = append(ix.Options, x.Options[i])
		}
	}
	if table.IsLastValueShape(t, ix.Cols) {
		nt.NextSpace++
		ix.Space, ix.LastValue = nt.NextSpace, true
	}
	if x.Unique && t.Hyper != nil {
		ix.Unique, ix.Standalone = true, true
		if err := table.VerifyHyperUnique(t, &ix); err != nil {
			return err
		}
		if err := h.TableWriter().CheckHyperUniqueData(t, &ix); err != nil {
			return err
		}
	}
	if t.Hyper == nil {
		ix.Unique, ix.Standalone = x.Unique, x.Unique
		nt.NextSpace++
		ix.Space = nt.NextSpace
		if err := h.TableWriter().BuildIndex(nt, &ix); err != nil {
			return err
		}
	}
	oid, err := h.NewOID()
	if err != nil {
		return err
	}
	ix.OID = oid
	nt.Indexes = append(nt.Indexes, ix)
	if err := h.Writer().PutTable(nt); err != nil {
		return err
	}
	if ix.LastValue {
		if err := h.TableWriter().RecomputeLastValue(nt, &nt.Indexes[len(nt.Indexes)-1], nil); err != nil {
			return err
		}
	}
	return w.Complete("CREATE INDEX")
}

// dropIndex runs DROP INDEX for one name. The index of a primary key
// cannot be dropped on its own.
func dropIndex(h Host, on plan.ObjectName, ifExists bool, w ResultWriter) error {
	for _, t := range h.Catalog().Tables(h.Database()) {
		for i, ix := range t.Indexes {
			if ix.Name != on.Name {
				continue
			}
			if ix.Primary {
				return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop index %s because constraint %s on table %s requires it", ix.Name, ix.Name, t.Name)
			}
			if tables, fks := dependentForeignKeys(h, t, &t.Indexes[i], nil); len(fks) > 0 {
				return dependentsError("index "+ix.Name, "index "+ix.Name, tables, fks)
			}
			if t.Hyper == nil {
				if err := h.TableWriter().DropIndex(t, &t.Indexes[i]); err != nil {
					return err
				}
			}
			nt := t.Clone()
			nt.Indexes = append(nt.Indexes[:i], nt.Indexes[i+1:]...)
			return h.Writer().PutTable(nt)
		}
	}
	if ifExists {
		_ = w.Notice("NOTICE", "00000", fmt.Sprintf("index %q does not exist, skipping", on.Name))
		return nil
	}
	return pgerr.New(pgerr.UndefinedObject, "index %q does not exist", on.Name)
}

// buildUnique fills unique index ix of regular table t from the rows the
// transaction sees, failing with 23505 when two rows share a key.
func buildUnique(h Host, t *catalog.Table, ix *catalog.Index) error {
	return h.TableWriter().BuildIndex(t, ix)
}

// containsID reports whether ids holds id.
func containsID(ids []uint32, id uint32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
