package table

import (
	"fmt"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/keyenc"
)

// Secondary index entries of regular tables (layouts: catalog.IndexLayout,
// formats: doc.go): their keys, their upkeep with the rows (PutRow,
// DeleteRow), building and dropping a whole index.

// NULL column markers of IndexEntries keys. keyenc's value markers lie
// in [0x10, 0xf0) and, inverted for a DESC column, in (0x0f, 0xf0) too,
// so [valuesLo, valuesHi) after a key prefix holds exactly the entries
// whose next column is not NULL, in either direction.
const (
	nullLow  byte = 0x01 // NULL before every value
	nullHigh byte = 0xf0 // NULL after every value (keyenc's null marker)
	valuesLo byte = 0x10
	valuesHi byte = 0xf0
)

// AppendIndexColumn appends the key of value v as key column i of index
// ix of t, stored with layout l (t.IndexLayout(ix)). v must have the
// column's type; a NULL is only valid for IndexEntries (other layouts
// hold no entries for NULLs).
func AppendIndexColumn(dst []byte, t *catalog.Table, ix *catalog.Index, l catalog.IndexLayout, i int, v any) ([]byte, error) {
	typ := t.Cols[t.ColByID(ix.Cols[i])].Type
	switch l {
	case catalog.IndexRows:
		return AppendKey(dst, typ, v)
	case catalog.IndexUniqueKeys:
		if v == nil {
			return nil, fmt.Errorf("key of unique index %s: NULL column", ix.Name)
		}
		return appendUniqueColumn(dst, typ, v), nil
	case catalog.IndexEntries:
	default:
		return nil, fmt.Errorf("index %s has no stored entries", ix.Name)
	}
	start := len(dst)
	desc := ix.StoredDesc(l, i)
	if v == nil {
		// DESC columns are inverted below: a NULL that must come first
		// in a DESC column is written high, and the reverse.
		if ix.StoredNullsFirst(l, i) == desc {
			dst = append(dst, nullHigh)
		} else {
			dst = append(dst, nullLow)
		}
	} else {
		var err error
		if dst, err = AppendKey(dst, typ, v); err != nil {
			return nil, err
		}
	}
	if desc {
		for j := start; j < len(dst); j++ {
			dst[j] = ^dst[j]
		}
	}
	return dst, nil
}

// entryKey returns the key of row's entry in index ix (layout
// IndexEntries) of t: its columns, then the row key.
func entryKey(t *catalog.Table, ix *catalog.Index, row []any, key []byte) ([]byte, error) {
	var k []byte
	for i, id := range ix.Cols {
		var err error
		if k, err = AppendIndexColumn(k, t, ix, catalog.IndexEntries, i, row[t.ColByID(id)]); err != nil {
			return nil, err
		}
	}
	return append(k, key...), nil
}

// EntryRowKey returns the row key at the end of an entry key of index ix
// (layout IndexEntries).
func EntryRowKey(ix *catalog.Index, entry []byte) ([]byte, error) {
	p := entry
	for i := range ix.Cols {
		n, err := columnLen(p, ix.StoredDesc(catalog.IndexEntries, i))
		if err != nil {
			return nil, fmt.Errorf("entry of index %s: %w", ix.Name, err)
		}
		p = p[n:]
	}
	return p, nil
}

// columnLen returns the length of the column key at the front of b
// (inverted when desc).
func columnLen(b []byte, desc bool) (int, error) {
	at := func(i int) byte {
		if desc {
			return ^b[i]
		}
		return b[i]
	}
	if len(b) == 0 {
		return 0, keyenc.ErrCorrupt
	}
	n := 0
	switch keyenc.PeekKind([]byte{at(0)}) {
	case keyenc.KindNull:
		n = 1
	case keyenc.KindInt64, keyenc.KindFloat64:
		n = 9
	case keyenc.KindBool:
		n = 2
	case keyenc.KindString:
		for i := 1; i+1 < len(b); i++ {
			if at(i) == 0 {
				if at(i+1) == 1 {
					return i + 2, nil
				}
				i++
			}
		}
		return 0, keyenc.ErrCorrupt
	default:
		if at(0) != nullLow {
			return 0, keyenc.ErrCorrupt
		}
		n = 1
	}
	if n > len(b) {
		return 0, keyenc.ErrCorrupt
	}
	return n, nil
}

// putIndexEntries writes the entries of row, stored under key, in t's
// secondary indexes.
func (w *Writer) putIndexEntries(t *catalog.Table, key []byte, row []any) error {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		switch t.IndexLayout(ix) {
		case catalog.IndexUniqueKeys:
			if ik, ok := IndexKey(t, ix, row); ok {
				w.Txn.Put(indexSpace(t, ix), ik, key)
			}
		case catalog.IndexEntries:
			ek, err := entryKey(t, ix, row, key)
			if err != nil {
				return err
			}
			w.Txn.Put(indexSpace(t, ix), ek, nil)
		}
	}
	return nil
}

// deleteIndexEntries deletes the entries of row, stored under key, from
// t's secondary indexes.
func (w *Writer) deleteIndexEntries(t *catalog.Table, key []byte, row []any) {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		switch t.IndexLayout(ix) {
		case catalog.IndexUniqueKeys:
			if ik, ok := IndexKey(t, ix, row); ok {
				w.Txn.Delete(indexSpace(t, ix), ik)
			}
		case catalog.IndexEntries:
			// The row was stored with this entry (PutRow), so its key
			// encodes.
			if ek, err := entryKey(t, ix, row, key); err == nil {
				w.Txn.Delete(indexSpace(t, ix), ek)
			}
		}
	}
}

// BuildIndex fills secondary index ix of regular table t (already in
// t.Indexes or about to be, with its Space set) from the rows the
// transaction sees: CREATE INDEX on a table with rows. A unique index
// fails with 23505 ("could not create unique index") when two rows share
// a key; rows with a NULL in the key have no entry in it.
func (w *Writer) BuildIndex(t *catalog.Table, ix *catalog.Index) error {
	l := t.IndexLayout(ix)
	if l != catalog.IndexUniqueKeys && l != catalog.IndexEntries {
		return nil
	}
	sp := indexSpace(t, ix)
	it := w.Rows(t)
	defer it.Close()
	for it.Next() {
		row := it.Row()
		if l == catalog.IndexEntries {
			ek, err := entryKey(t, ix, row, it.Key())
			if err != nil {
				return err
			}
			w.Txn.Put(sp, ek, nil)
			continue
		}
		k, ok := IndexKey(t, ix, row)
		if !ok {
			continue
		}
		if _, found, err := w.Txn.Get(sp, k); err != nil {
			return err
		} else if found {
			return duplicateIndexKey(t, ix, row)
		}
		w.Txn.Put(sp, k, it.Key())
	}
	return it.Err()
}

// duplicateIndexKey is the error of CREATE UNIQUE INDEX (or ADD UNIQUE)
// finding row's key twice, with PostgreSQL's message and detail.
func duplicateIndexKey(t *catalog.Table, ix *catalog.Index, row []any) error {
	names, vals := keyText(t, ix, row)
	return pgerr.New(pgerr.UniqueViolation, "could not create unique index %q", ix.Name).
		WithDetail("Key (%s)=(%s) is duplicated.", names, vals).
		WithTable(t.Schema, t.Name).WithConstraint(ix.Name)
}

// DropIndex deletes every entry of secondary index ix of t: DROP INDEX.
func (w *Writer) DropIndex(t *catalog.Table, ix *catalog.Index) error {
	if ix.Space == 0 || ix.Primary {
		return nil
	}
	sp := indexSpace(t, ix)
	it := w.Txn.Iter(sp, nil, nil)
	var keys [][]byte
	for it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	if err := it.Close(); err != nil {
		return err
	}
	for _, k := range keys {
		w.Txn.Delete(sp, k)
	}
	return nil
}

// indexEntrySpace is the key space an index scan of ix reads: the rows
// for the primary key, the index's own space otherwise.
func indexEntrySpace(t *catalog.Table, ix *catalog.Index, l catalog.IndexLayout) storage.Space {
	if l == catalog.IndexRows {
		return rowSpace(t)
	}
	return indexSpace(t, ix)
}
