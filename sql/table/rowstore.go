package table

import (
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// The row store of regular tables: each row under its row key in
// storage.Space{Table: oid}, and its entries in the secondary indexes
// under storage.Space{Table: oid, Index: ix.Space} (index.go; formats:
// doc.go). Every write here changes a row and its index
// entries together.

// NotNullError is the error of a NULL in NOT NULL column c of t.
func NotNullError(t *catalog.Table, c *catalog.Column) error {
	return pgerr.New(pgerr.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", c.Name, t.Name).
		WithTable(t.Schema, t.Name).WithColumn(c.Name)
}

// CheckNotNull fails with NotNullError when a NOT NULL column of t holds
// a NULL in batch b (all of t's columns).
func CheckNotNull(t *catalog.Table, b *col.Batch) error {
	for i := range t.Cols {
		if t.Cols[i].NotNull && b.Cols[i].HasNulls() {
			return NotNullError(t, &t.Cols[i])
		}
	}
	return nil
}

// UniqueViolation is the error of row duplicating another row's values in
// unique index ix of t.
func UniqueViolation(t *catalog.Table, ix *catalog.Index, row []any) error {
	names, vals := keyText(t, ix, row)
	return pgerr.New(pgerr.UniqueViolation, "duplicate key value violates unique constraint %q", ix.Name).
		WithDetail("Key (%s)=(%s) already exists.", names, vals).
		WithTable(t.Schema, t.Name).WithConstraint(ix.Name)
}

// keyText returns the names of index ix's columns and row's values in
// them, comma-separated, for an error's "Key (a, b)=(1, x)" detail.
func keyText(t *catalog.Table, ix *catalog.Index, row []any) (names, vals string) {
	var ns, vs []string
	for _, id := range ix.Cols {
		i := t.ColByID(id)
		ns = append(ns, types.QuoteIdent(t.Cols[i].Name))
		vs = append(vs, types.FormatText(t.Cols[i].Type, row[i], nil))
	}
	return strings.Join(ns, ", "), strings.Join(vs, ", ")
}

// rowSpace is the key space of t's rows.
func rowSpace(t *catalog.Table) storage.Space { return storage.Space{Table: uint64(t.OID)} }

// indexSpace is the key space of t's secondary index ix.
func indexSpace(t *catalog.Table, ix *catalog.Index) storage.Space {
	return storage.Space{Table: uint64(t.OID), Index: ix.Space}
}

// NewRowKey returns the key a new row of t is stored under: its primary
// key (RowKey), or a new hidden row id when t has none.
func (w *Writer) NewRowKey(t *catalog.Table, row []any) ([]byte, error) {
	var rowID int64
	if t.PrimaryKey() == nil {
		id, err := w.nextRowID(t)
		if err != nil {
			return nil, err
		}
		rowID = id
	}
	return RowKey(t, row, rowID)
}

// rowIDBlock is how many hidden row ids a Writer takes from a table's
// counter at once: a bulk load of a table without a primary key then
// makes one counter update per block (and a durable one per
// storage.seqLogAhead blocks), not one every few rows. Ids only need to
// be unique; the ones a statement does not use are skipped.
const rowIDBlock = 1024

// nextRowID returns a new hidden row id of t from the writer's block,
// taking a new block from the counter when it is used up.
func (w *Writer) nextRowID(t *catalog.Table) (int64, error) {
	r := w.rowIDs[t.OID]
	if r == nil || r.next > r.last {
		hi, err := w.Env.NextSequence(fmt.Sprintf("rowid/%d", t.OID), rowIDBlock)
		if err != nil {
			return 0, err
		}
		if w.rowIDs == nil {
			w.rowIDs = map[uint32]*idBlock{}
		}
		r = &idBlock{next: hi - rowIDBlock + 1, last: hi}
		w.rowIDs[t.OID] = r
	}
	id := r.next
	r.next++
	return id, nil
}

// idBlock is a reserved run of hidden row ids [next, last].
type idBlock struct{ next, last int64 }

// Conflict finds a stored row of t that row (to be stored under key)
// conflicts with on a unique index: it returns that row's key and the
// index, or a nil index when there is none. NULLs never conflict. It
// first locks row's unique key values (lockUniqueKeys), so a concurrent
// insert of one of them has committed or rolled back before it looks.
// It reads the latest committed rows, whatever the transaction's
// snapshot (storage.Txn.GetLatest).
func (w *Writer) Conflict(t *catalog.Table, row []any, key []byte) ([]byte, *catalog.Index, error) {
	if err := w.lockUniqueKeys(t, row, key); err != nil {
		return nil, nil, err
	}
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if !ix.Unique {
			continue
		}
		if ix.Primary {
			if _, found, err := w.Txn.GetLatest(rowSpace(t), key); err != nil {
				return nil, nil, err
			} else if found {
				return key, ix, nil
			}
			continue
		}
		ik, ok := IndexKey(t, ix, row)
		if !ok {
			continue
		}
		pk, found, err := w.Txn.GetLatest(indexSpace(t, ix), ik)
		if err != nil {
			return nil, nil, err
		}
		if found {
			return append([]byte(nil), pk...), ix, nil
		}
	}
	return nil, nil, nil
}

// PutRow stores row under key with its secondary index entries. It
// checks nothing: callers check constraints first (Conflict,
// CheckNotNull).
func (w *Writer) PutRow(t *catalog.Table, key []byte, row []any) error {
	data, err := EncodeRow(t, row)
	if err != nil {
		return err
	}
	w.Txn.Put(rowSpace(t), key, data)
	return w.putIndexEntries(t, key, row)
}

// DeleteRow deletes row, stored under key, with its index entries.
func (w *Writer) DeleteRow(t *catalog.Table, key []byte, row []any) {
	w.Txn.Delete(rowSpace(t), key)
	w.deleteIndexEntries(t, key, row)
}

// GetRow reads the row of t stored under key; nil when there is none.
func (w *Writer) GetRow(t *catalog.Table, key []byte) ([]any, error) {
	data, found, err := w.Txn.Get(rowSpace(t), key)
	if err != nil || !found {
		return nil, err
	}
	row := make([]any, len(t.Cols))
	if err := DecodeRow(t, data, row); err != nil {
		return nil, err
	}
	return row, nil
}

// ReplaceRow replaces row old, stored under key, with row, moving it when
// its primary key changes, after checking NOT NULL and the unique
// indexes. A unique violation is found after old is deleted, which the
// transaction then still holds: the caller undoes the failed statement
// (the session's statement savepoint).
func (w *Writer) ReplaceRow(t *catalog.Table, key []byte, old, row []any) error {
	for i := range t.Cols {
		if t.Cols[i].NotNull && row[i] == nil {
			return NotNullError(t, &t.Cols[i])
		}
	}
	nkey := key
	if t.PrimaryKey() != nil {
		var err error
		if nkey, err = RowKey(t, row, 0); err != nil {
			return err
		}
	}
	if string(nkey) == string(key) && !entriesChange(t, key, old, row) {
		// No key moves: overwrite the row in place. Deleting it first
		// would leave a tombstone every later read of the key in this
		// transaction steps over, through all its committed versions.
		data, err := EncodeRow(t, row)
		if err != nil {
			return err
		}
		w.Txn.Put(rowSpace(t), key, data)
		return nil
	}
	w.DeleteRow(t, key, old)
	if ck, ix, err := w.Conflict(t, row, nkey); err != nil {
		return err
	} else if ix != nil && string(ck) != string(key) {
		return UniqueViolation(t, ix, row)
	}
	return w.PutRow(t, nkey, row)
}

// entriesChange reports whether replacing row old of t, stored under
// key, with row changes one of its secondary index entries.
func entriesChange(t *catalog.Table, key []byte, old, row []any) bool {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		switch t.IndexLayout(ix) {
		case catalog.IndexUniqueKeys:
			ok, ook := IndexKey(t, ix, old)
			nk, nok := IndexKey(t, ix, row)
			if ook != nok || string(ok) != string(nk) {
				return true
			}
		case catalog.IndexEntries:
			ok, oerr := entryKey(t, ix, old, key)
			nk, nerr := entryKey(t, ix, row, key)
			if oerr != nil || nerr != nil || string(ok) != string(nk) {
				return true
			}
		}
	}
	return false
}

// RekeyRows moves the rows of regular table t, whose primary key was
// just added or dropped (t is its new definition), to the row keys t
// gives them, with their index entries: under the new primary key, or
// under new hidden row ids. Two rows with one new primary key fail with
// 23505 ("could not create unique index").
func (w *Writer) RekeyRows(t *catalog.Table) error {
	it := w.Rows(t)
	var rows [][]any
	for it.Next() {
		rows = append(rows, it.Row())
	}
	if err := it.Err(); err != nil {
		it.Close()
		return err
	}
	if err := it.Close(); err != nil {
		return err
	}
	// Every row and index entry is written anew below: one range
	// deletion of the table's key spaces instead of a tombstone each.
	w.Txn.DropTable(uint64(t.OID))
	seen := map[string]bool{}
	for _, row := range rows {
		key, err := w.NewRowKey(t, row)
		if err != nil {
			return err
		}
		if seen[string(key)] {
			return duplicateIndexKey(t, t.PrimaryKey(), row)
		}
		seen[string(key)] = true
		if err := w.PutRow(t, key, row); err != nil {
			return err
		}
	}
	return nil
}

// Rows returns an iterator over the stored rows of regular table t, in
// row key order. The caller closes it.
func (w *Writer) Rows(t *catalog.Table) *RowIter {
	return &RowIter{t: t, it: w.Txn.Iter(rowSpace(t), nil, nil)}
}

// RowIter iterates the rows of a regular table (Writer.Rows).
type RowIter struct {
	t   *catalog.Table
	it  storage.KVIter
	row []any
	err error
}

// Next moves to the next row and decodes it; false at the end or on an
// error (Err).
func (r *RowIter) Next() bool {
	if r.err != nil || !r.it.Next() {
		return false
	}
	r.row = make([]any, len(r.t.Cols))
	if r.err = DecodeRow(r.t, r.it.Value(), r.row); r.err != nil {
		return false
	}
	return true
}

// Row returns the current row; it stays valid after Next.
func (r *RowIter) Row() []any { return r.row }

// Key returns a copy of the current row's key.
func (r *RowIter) Key() []byte { return append([]byte(nil), r.it.Key()...) }

// Err returns the error that ended the iteration, if any.
func (r *RowIter) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.it.Err()
}

// Close releases the iterator.
func (r *RowIter) Close() error { return r.it.Close() }
