package table

import (
	"slices"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// Foreign keys and CHECK constraints, the storage side: finding the
// referenced row of a foreign key by its key (and locking it FOR KEY
// SHARE), finding the rows that reference a key, and PostgreSQL's errors
// for violations. The statement drivers (package dml) decide when to
// check and evaluate CHECK expressions; nothing here evaluates SQL.

// CheckViolation is the error of row (all of t's columns) making CHECK
// constraint name of t false.
func CheckViolation(t *catalog.Table, name string, row []any) error {
	return pgerr.New(pgerr.CheckViolation, "new row for relation %q violates check constraint %q", t.Name, name).
		WithDetail("Failing row contains (%s).", rowText(t, row)).
		WithTable(t.Schema, t.Name).WithConstraint(name)
}

// rowText is a row as PostgreSQL's "Failing row contains" shows it.
func rowText(t *catalog.Table, row []any) string {
	parts := make([]string, len(row))
	for i, v := range row {
		if v == nil {
			parts[i] = "null"
			continue
		}
		parts[i] = types.FormatText(t.Cols[i].Type, v, nil)
	}
	return strings.Join(parts, ", ")
}

// KeyIndex returns the unique index of t whose columns are exactly ids
// (in any order): the index a foreign key referencing ids uses; nil when
// there is none.
func KeyIndex(t *catalog.Table, ids []uint32) *catalog.Index {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if !ix.Unique || !ix.Primary && ix.Space == 0 || len(ix.Cols) != len(ids) {
			continue
		}
		match := true
		for _, id := range ix.Cols {
			if !slices.Contains(ids, id) {
				match = false
				break
			}
		}
		if match {
			return ix
		}
	}
	return nil
}

// FKValues returns the values of row (of table t) in columns ids,
// converted to the types of columns refIDs of ref, and whether the key
// is complete: false when one of them is NULL (MATCH SIMPLE: the row
// references nothing).
func FKValues(t *catalog.Table, ids []uint32, row []any, ref *catalog.Table, refIDs []uint32) ([]any, bool, error) {
	out := make([]any, len(ids))
	for k, id := range ids {
		i := t.ColByID(id)
		v := row[i]
		if v == nil {
			return nil, false, nil
		}
		rt := ref.Cols[ref.ColByID(refIDs[k])].Type
		if t.Cols[i].Type.OID != rt.OID {
			cv, err := types.Cast(v, t.Cols[i].Type, rt, nil)
			if err != nil {
				return nil, false, err
			}
			v = cv
		}
		out[k] = v
	}
	return out, true, nil
}

// KeyString is a map key for the values of a foreign key.
func KeyString(t *catalog.Table, ids []uint32, vals []any) string {
	var k []byte
	for i, v := range vals {
		k, _ = AppendKey(k, t.Cols[t.ColByID(ids[i])].Type, v)
	}
	return string(k)
}

// ReferencedRow finds the row of ref whose columns ids (a primary key or
// unique index of ref, KeyIndex) hold vals and returns its row key; nil
// when there is none. With lock, it locks the row FOR KEY SHARE first
// (so the row cannot be deleted or its key changed until the
// transaction ends) and reads it again after the lock: a concurrent
// delete that committed while it waited leaves no row (under REPEATABLE
// READ, a change since the snapshot fails with 40001).
func (w *Writer) ReferencedRow(ref *catalog.Table, ids []uint32, vals []any, lock bool) ([]byte, error) {
	ix := KeyIndex(ref, ids)
	if ix == nil {
		return nil, pgerr.New(pgerr.InvalidForeignKey, "there is no unique constraint matching given keys for referenced table %q", ref.Name)
	}
	row := make([]any, len(ref.Cols))
	for k, id := range ids {
		row[ref.ColByID(id)] = vals[k]
	}
	find := func() ([]byte, error) {
		if ix.Primary {
			key, err := RowKey(ref, row, 0)
			if err != nil {
				return nil, err
			}
			if _, found, err := w.Txn.Get(rowSpace(ref), key); err != nil || !found {
				return nil, err
			}
			return key, nil
		}
		ik, ok := IndexKey(ref, ix, row)
		if !ok {
			return nil, nil
		}
		pk, found, err := w.Txn.Get(indexSpace(ref, ix), ik)
		if err != nil || !found {
			return nil, err
		}
		return append([]byte(nil), pk...), nil
	}
	key, err := find()
	if err != nil || key == nil || !lock {
		return key, err
	}
	if _, err := w.LockRow(ref, key, LockKeyShare, Wait); err != nil {
		return nil, err
	}
	if err := w.CheckRowUnchanged(ref, key); err != nil {
		return nil, err // REPEATABLE READ: changed since the snapshot
	}
	return find()
}

// ReferencingRows calls fn with the key and row of every row of regular
// table t whose columns ids hold one of keys: KeyString (in the types of
// ref's columns refIDs) to the values, in those types. It reads the rows
// through an index of t whose leading columns are ids when there is one
// (LookupIndex), else it scans t. It reads the latest committed rows
// whatever the isolation, as PostgreSQL's referenced-side checks do (a
// REPEATABLE READ caller fails rows changed since its snapshot with
// CheckRowUnchanged). Every row is found before fn changes any.
func (w *Writer) ReferencingRows(t *catalog.Table, ids []uint32, ref *catalog.Table, refIDs []uint32, keys map[string][]any, fn func(key []byte, row []any) error) error {
	rowKeys, rows, err := w.referencingRows(t, ids, ref, refIDs, keys)
	if err != nil {
		return err
	}
	for i, key := range rowKeys {
		if err := fn(key, rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// referencingRows collects the rows ReferencingRows calls fn with.
func (w *Writer) referencingRows(t *catalog.Table, ids []uint32, ref *catalog.Table, refIDs []uint32, keys map[string][]any) (rowKeys [][]byte, rows [][]any, err error) {
	defer w.Txn.ReadLatest()()
	ix, order := leadingIndex(t, ids)
	if ix == nil {
		return w.referencingScan(t, ids, ref, refIDs, keys)
	}
	sorted := make([]string, 0, len(keys))
	for ks := range keys {
		sorted = append(sorted, ks)
	}
	slices.Sort(sorted)
	for _, ks := range sorted {
		vals := make([]any, len(order))
		for j, k := range order {
			ct := t.Cols[t.ColByID(ids[k])].Type
			rt := ref.Cols[ref.ColByID(refIDs[k])].Type
			v := keys[ks][k]
			if ct.OID != rt.OID {
				if v, err = types.Cast(v, rt, ct, nil); err != nil {
					return nil, nil, err
				}
			}
			vals[j] = v
		}
		it, err := w.LookupIndex(t, ix, vals)
		if err != nil {
			return nil, nil, err
		}
		for it.Next() {
			rowKeys, rows = append(rowKeys, it.Key()), append(rows, it.Row())
		}
		err = it.Err()
		if cerr := it.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return rowKeys, rows, nil
}

// leadingIndex returns an index of regular table t with stored entries
// whose first len(ids) key columns are ids in some order, and for each
// of them the position in ids of its column; nil when there is none.
func leadingIndex(t *catalog.Table, ids []uint32) (*catalog.Index, []int) {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if len(ix.Cols) < len(ids) || t.IndexLayout(ix) == catalog.IndexNotStored {
			continue
		}
		order := make([]int, len(ids))
		for j, id := range ix.Cols[:len(ids)] {
			if order[j] = slices.Index(ids, id); order[j] < 0 {
				order = nil
				break
			}
		}
		if order != nil {
			return ix, order
		}
	}
	return nil, nil
}

// referencingScan is referencingRows without an index: a scan of t.
func (w *Writer) referencingScan(t *catalog.Table, ids []uint32, ref *catalog.Table, refIDs []uint32, keys map[string][]any) (rowKeys [][]byte, rows [][]any, err error) {
	it := w.Rows(t)
	defer it.Close()
	for it.Next() {
		vals, ok, err := FKValues(t, ids, it.Row(), ref, refIDs)
		if err != nil {
			return nil, nil, err
		}
		if _, hit := keys[KeyString(ref, refIDs, vals)]; ok && hit {
			rowKeys, rows = append(rowKeys, it.Key()), append(rows, it.Row())
		}
	}
	return rowKeys, rows, it.Err()
}

// HyperReferences returns a row of hypertable t whose columns ids hold
// values whose KeyString (in types of ref's columns refIDs) is in keys,
// or nil. It reads the blocks of every chunk, latest committed state.
func (w *Writer) HyperReferences(t *catalog.Table, ids []uint32, ref *catalog.Table, refIDs []uint32, keys map[string][]any) ([]any, error) {
	defer w.Txn.ReadLatest()()
	for _, c := range w.Env.ScanChunks(t.OID, storage.MinTime, storage.MaxTime) {
		spec := BlockScan(t, c.ID, storage.MinTime, storage.MaxTime, nil)
		blocks, _, err := w.Txn.Blocks(spec)
		if err != nil {
			return nil, err
		}
		for _, blk := range blocks {
			_, qb, err := w.ReadBlock(t, spec, blk)
			if err != nil {
				return nil, err
			}
			row := make([]any, len(t.Cols))
			for r := 0; r < qb.Rows(); r++ {
				for i, v := range qb.Cols {
					row[i] = v.Get(r)
				}
				vals, ok, err := FKValues(t, ids, row, ref, refIDs)
				if err != nil {
					return nil, err
				}
				if _, hit := keys[KeyString(ref, refIDs, vals)]; ok && hit {
					return row, nil
				}
			}
		}
	}
	return nil, nil
}

// fkKeyText is "(a, b)=(1, 2)" of columns ids of t holding vals, for
// foreign key errors.
func fkKeyText(t *catalog.Table, ids []uint32, vals []any) (string, string) {
	names := make([]string, len(ids))
	texts := make([]string, len(ids))
	for k, id := range ids {
		c := &t.Cols[t.ColByID(id)]
		names[k] = c.Name
		if vals[k] == nil {
			texts[k] = "null"
		} else {
			texts[k] = types.FormatText(c.Type, vals[k], nil)
		}
	}
	return strings.Join(names, ", "), strings.Join(texts, ", ")
}

// MissingReferenceError is the error of a row of t whose foreign key fk
// (values vals, in t's columns) has no row in ref.
func MissingReferenceError(t *catalog.Table, fk *catalog.ForeignKey, vals []any, ref *catalog.Table) error {
	names, texts := fkKeyText(t, fk.Cols, vals)
	return pgerr.New(pgerr.ForeignKeyViolation, "insert or update on table %q violates foreign key constraint %q", t.Name, fk.Name).
		WithDetail("Key (%s)=(%s) is not present in table %q.", names, texts, ref.Name).
		WithTable(t.Schema, t.Name).WithConstraint(fk.Name)
}

// MatchFullError is the error of a row of t mixing NULL and non-NULL
// values in MATCH FULL foreign key fk.
func MatchFullError(t *catalog.Table, fk *catalog.ForeignKey) error {
	return pgerr.New(pgerr.ForeignKeyViolation, "insert or update on table %q violates foreign key constraint %q", t.Name, fk.Name).
		WithDetail("MATCH FULL does not allow mixing of null and nonnull key values.").
		WithTable(t.Schema, t.Name).WithConstraint(fk.Name)
}

// StillReferencedError is the error of removing key vals (columns
// fk.RefCols of ref) that rows of child still reference through fk.
func StillReferencedError(ref *catalog.Table, fk *catalog.ForeignKey, vals []any, child *catalog.Table) error {
	names, texts := fkKeyText(ref, fk.RefCols, vals)
	return pgerr.New(pgerr.ForeignKeyViolation, "update or delete on table %q violates foreign key constraint %q on table %q", ref.Name, fk.Name, child.Name).
		WithDetail("Key (%s)=(%s) is still referenced from table %q.", names, texts, child.Name).
		WithTable(child.Schema, child.Name).WithConstraint(fk.Name)
}
