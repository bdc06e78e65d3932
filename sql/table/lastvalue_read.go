package table

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/storage"
)

// LastValueReader looks up many series in one last-value index for one
// statement: a LATERAL join's probes of TSBS's lastpoint, one per device
// row. Each lookup is a point read through the transaction's view of the
// key space (storage.Txn.Get: its snapshot in REPEATABLE READ, its own
// writes merged), exactly as LastValueGet; the reader only keeps the
// scratch (key encoding, decoded entry) that every lookup would
// otherwise allocate anew.
//
// One forward iterator over the index stepped from key to key was tried
// and measured slower: the index rewrites each series' entry on every
// append, and an iterator's Next walks every version of an entry still
// in the memtable, where a point read seeks to the newest.
type LastValueReader struct {
	txn  *storage.Txn
	t    *catalog.Table
	ix   *catalog.Index
	sp   storage.Space
	key  []byte // scratch for the caller's key encodings (KeyBuf)
	full []any  // scratch for a decoded entry
}

// NewLastValueReader returns a reader of last-value index ix of t in
// txn.
func NewLastValueReader(txn *storage.Txn, t *catalog.Table, ix *catalog.Index) *LastValueReader {
	return &LastValueReader{txn: txn, t: t, ix: ix, sp: LastValueSpace(t, ix), full: make([]any, len(t.Cols))}
}

// KeyBuf returns an empty scratch buffer for encoding a key (AppendKey)
// to pass to Lookup; the next KeyBuf reuses it.
func (r *LastValueReader) KeyBuf() []byte { return r.key[:0] }

// Lookup returns the newest row of the series with key encoding key,
// as the columns colIdx selects (a new slice), or found false when the
// series has no rows.
func (r *LastValueReader) Lookup(key []byte, colIdx []int) (row []any, found bool, err error) {
	r.key = key
	v, found, err := r.txn.Get(r.sp, key)
	if err != nil || !found {
		return nil, false, err
	}
	row, err = decodeLastValue(r.t, r.ix, v, colIdx, r.full)
	return row, err == nil, err
}
