package table

import (
	"bytes"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/keyenc"
)

// Index scans of regular tables: the key range of an index that holds
// the rows matching equalities on its leading columns and a range on the
// next one (IndexSpan), and the rows read through it (IndexIter).

// IndexBound is one end of a range on an index column: the value, and
// whether the range includes it.
type IndexBound struct {
	Val  any
	Incl bool
}

// IndexSpan returns the key range [start, end) of index ix of t holding
// the entries whose first len(eq) key columns equal eq (non-NULL values
// of the columns' types) and, when lo or hi is set, whose next column
// lies within them (NULLs excluded). A nil start or end is unbounded.
// The range is exact for types whose key order is their SQL order
// (plan.KeyEquality types); for others only equalities are.
func IndexSpan(t *catalog.Table, ix *catalog.Index, eq []any, lo, hi *IndexBound) (start, end []byte, err error) {
	l := t.IndexLayout(ix)
	var p []byte
	for i, v := range eq {
		if p, err = AppendIndexColumn(p, t, ix, l, i, v); err != nil {
			return nil, nil, err
		}
	}
	if lo == nil && hi == nil {
		if len(p) == 0 {
			return nil, nil, nil
		}
		return p, keyenc.PrefixEnd(p), nil
	}
	k := len(eq)
	if ix.StoredDesc(l, k) {
		lo, hi = hi, lo
	}
	start = append(append([]byte(nil), p...), valuesLo)
	end = append(append([]byte(nil), p...), valuesHi)
	at := func(b *IndexBound) ([]byte, error) {
		return AppendIndexColumn(append([]byte(nil), p...), t, ix, l, k, b.Val)
	}
	if lo != nil {
		if start, err = at(lo); err != nil {
			return nil, nil, err
		}
		if !lo.Incl {
			start = keyenc.PrefixEnd(start)
		}
	}
	if hi != nil {
		if end, err = at(hi); err != nil {
			return nil, nil, err
		}
		if hi.Incl {
			end = keyenc.PrefixEnd(end)
		}
	}
	return start, end, nil
}

// IndexIter reads the rows of a regular table through one of its
// indexes, in the index's order (or its reverse), within a key range.
// A row whose entry no longer matches it (changed by a transaction that
// committed after the entry was read) is skipped.
type IndexIter struct {
	txn   *storage.Txn
	t     *catalog.Table
	ix    *catalog.Index
	l     catalog.IndexLayout
	it    storage.KVIter
	row   []any
	key   []byte
	reads int
	err   error
	// keysOnly: rows are decoded from the entries' keys (KeysOnly).
	keysOnly bool
}

// NewIndexIter returns an iterator over the rows of t whose entries in
// index ix lie in [start, end) (IndexSpan), backwards when backward. The
// caller closes it.
func NewIndexIter(txn *storage.Txn, t *catalog.Table, ix *catalog.Index, start, end []byte, backward bool) *IndexIter {
	l := t.IndexLayout(ix)
	sp := indexEntrySpace(t, ix, l)
	r := &IndexIter{txn: txn, t: t, ix: ix, l: l}
	if start != nil && end != nil && bytes.Compare(start, end) >= 0 {
		return r // empty range
	}
	if backward {
		r.it = txn.IterReverse(sp, start, end)
	} else {
		r.it = txn.Iter(sp, start, end)
	}
	return r
}

// LookupIndex returns an iterator over the rows of t whose first
// len(vals) key columns of index ix equal vals (values of the columns'
// types; a NULL matches nothing), in index order: "the rows of t whose
// columns C equal v" for foreign keys. ix must have stored entries
// (t.IndexLayout(ix) is not catalog.IndexNotStored). The caller closes
// it.
func (w *Writer) LookupIndex(t *catalog.Table, ix *catalog.Index, vals []any) (*IndexIter, error) {
	for _, v := range vals {
		if v == nil {
			return &IndexIter{}, nil
		}
	}
	start, end, err := IndexSpan(t, ix, vals, nil, nil)
	if err != nil {
		return nil, err
	}
	return NewIndexIter(w.Txn, t, ix, start, end, false), nil
}

// Next moves to the next row; false at the end or on an error (Err).
func (r *IndexIter) Next() bool {
	if r.it == nil || r.err != nil {
		return false
	}
	for r.it.Next() {
		r.reads++
		ek := r.it.Key()
		var data []byte
		switch r.l {
		case catalog.IndexRows:
			r.key = append([]byte(nil), ek...)
			data = r.it.Value()
		case catalog.IndexUniqueKeys:
			r.key = append([]byte(nil), r.it.Value()...)
		default:
			rk, err := EntryRowKey(r.ix, ek)
			if err != nil {
				r.err = errCorruptRow(r.t, err.Error())
				return false
			}
			r.key = append([]byte(nil), rk...)
		}
		if r.keysOnly {
			if r.err = r.rowFromKeys(ek); r.err != nil {
				return false
			}
			return true
		}
		if data == nil {
			var found bool
			var err error
			r.reads++
			if data, found, err = r.txn.Get(rowSpace(r.t), r.key); err != nil {
				r.err = err
				return false
			} else if !found {
				continue // deleted since the entry was read
			}
		}
		r.row = make([]any, len(r.t.Cols))
		if r.err = DecodeRow(r.t, data, r.row); r.err != nil {
			return false
		}
		if ok, err := r.stillEntry(ek); err != nil {
			r.err = err
			return false
		} else if !ok {
			continue
		}
		return true
	}
	return false
}

// stillEntry reports whether the current row still has entry ek.
func (r *IndexIter) stillEntry(ek []byte) (bool, error) {
	switch r.l {
	case catalog.IndexUniqueKeys:
		k, ok := IndexKey(r.t, r.ix, r.row)
		return ok && bytes.Equal(k, ek), nil
	case catalog.IndexEntries:
		k, err := entryKey(r.t, r.ix, r.row, r.key)
		return err == nil && bytes.Equal(k, ek), err
	}
	return true, nil
}

// Row returns the current row (t.Cols order); it stays valid after Next.
func (r *IndexIter) Row() []any { return r.row }

// Key returns the current row's key; it stays valid after Next.
func (r *IndexIter) Key() []byte { return r.key }

// Reads returns the number of keys read so far: index entries and rows.
func (r *IndexIter) Reads() int { return r.reads }

// Err returns the error that ended the iteration, if any.
func (r *IndexIter) Err() error {
	if r.err != nil {
		return r.err
	}
	if r.it == nil {
		return nil
	}
	return r.it.Err()
}

// Close releases the iterator.
func (r *IndexIter) Close() error {
	if r.it == nil {
		return r.err
	}
	return r.it.Close()
}

// KeysOnly makes the iterator read no rows: each row is decoded from its
// index entry's key (and, for a unique index, the row key it holds) and
// only the index's key columns and the primary key columns are set; the
// others read as NULL (plan.IndexRange.Only). Call it before Next.
func (r *IndexIter) KeysOnly() { r.keysOnly = true }

// rowFromKeys fills r.row from entry key ek (and r.key) of the current
// entry: the index's key columns, then the primary key's.
func (r *IndexIter) rowFromKeys(ek []byte) error {
	r.row = make([]any, len(r.t.Cols))
	p := ek
	if r.l != catalog.IndexRows {
		for i, id := range r.ix.Cols {
			var err error
			if p, err = r.decodeColumn(p, r.t.ColByID(id), r.ix.StoredDesc(r.l, i)); err != nil {
				return err
			}
		}
	}
	if pk := r.t.PrimaryKey(); pk != nil {
		p = r.key
		for _, id := range pk.Cols {
			var err error
			if p, err = r.decodeColumn(p, r.t.ColByID(id), false); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeColumn decodes the column key at the front of b (inverted when
// desc) into r.row[pos] and returns the rest of b. A NULL, or a value
// of a type whose key is not its own value (numeric, interval, ...),
// reads as NULL.
func (r *IndexIter) decodeColumn(b []byte, pos int, desc bool) ([]byte, error) {
	n, err := columnLen(b, desc)
	if err != nil {
		return nil, errCorruptRow(r.t, "index entry: "+err.Error())
	}
	seg := b[:n]
	if desc {
		seg = make([]byte, n)
		for i := range seg {
			seg[i] = ^b[i]
		}
	}
	if seg[0] != nullLow && keyenc.PeekKind(seg) != keyenc.KindNull {
		v, _, err := keyenc.DecodeValue(seg)
		if err != nil {
			return nil, errCorruptRow(r.t, "index entry: "+err.Error())
		}
		switch v.(type) {
		case int64, bool, string, float64:
			if KeyDecodes(r.t.Cols[pos].Type) {
				r.row[pos] = v
			}
		}
	}
	return b[n:], nil
}

// KeyDecodes reports whether a column of type t can be read back from
// index keys (Index Only Scan): its key is its value's own encoding.
func KeyDecodes(t types.T) bool {
	switch t.OID {
	case types.OidText, types.OidVarchar, types.OidDate, types.OidTimestamp, types.OidTimestamptz, types.OidBool:
		return true
	}
	return t.IsInteger()
}
