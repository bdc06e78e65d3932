package storage

// Key-value parts of a transaction: metadata (catalog, job state) and the
// row store of regular tables. Reads go through the transaction's indexed
// batch, which overlays its own writes on the latest committed state;
// in a repeatable-read transaction, key-space reads (Get, Iter) go
// through its snapshot and overlay instead (snapshot.go).

import (
	"errors"
	"fmt"
	"io"

	"github.com/cockroachdb/pebble/v2"
)

// reader is what both the DB, a snapshot and an indexed batch offer.
type reader interface {
	Get(key []byte) ([]byte, io.Closer, error)
	NewIter(o *pebble.IterOptions) (*pebble.Iterator, error)
}

// readerLocked returns the view key reads use: the batch when the
// transaction wrote keys (indexed from now on), else the database.
func (t *Txn) readerLocked() reader {
	if t.batch == nil {
		return t.db.pdb
	}
	if !t.indexed {
		ib := t.db.pdb.NewIndexedBatch()
		if err := ib.Apply(t.batch, nil); err != nil {
			panic(fmt.Sprintf("BUG: index a transaction's batch: %v", err))
		}
		t.batch.Close()
		t.batch, t.indexed = ib, true
	}
	return t.batch
}

// get returns a copy of key's value.
func (t *Txn) get(key []byte) ([]byte, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return nil, false, errTxnDone
	}
	return getCopy(t.readerLocked(), key)
}

// getView is get through the transaction's view of key spaces.
func (t *Txn) getView(key []byte) ([]byte, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return nil, false, errTxnDone
	}
	if t.ov != nil && t.latest == 0 {
		return t.snapGetLocked(key)
	}
	if t.batch == nil {
		return t.db.getLatest(key)
	}
	return getCopy(t.readerLocked(), key)
}

// getCopy reads key from r, copying the value.
func getCopy(r reader, key []byte) ([]byte, bool, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	out := append([]byte{}, v...)
	closer.Close()
	return out, true, nil
}

// GetMeta reads a metadata value (catalog descriptors, job state).
func (t *Txn) GetMeta(key string) ([]byte, bool, error) {
	v, ok, err := t.get(metaKey(key))
	if err != nil {
		return nil, false, fmt.Errorf("get metadata %q: %w", key, err)
	}
	return v, ok, nil
}

// PutMeta writes a metadata value.
func (t *Txn) PutMeta(key string, val []byte) {
	t.add(op{kind: opSet, key: metaKey(key), val: append([]byte{}, val...)})
}

// DeleteMeta deletes a metadata value.
func (t *Txn) DeleteMeta(key string) {
	t.add(op{kind: opDel, key: metaKey(key)})
}

// ScanMeta calls fn for each metadata key with prefix, in key order. val
// is a copy fn may keep.
func (t *Txn) ScanMeta(prefix string, fn func(key string, val []byte) error) error {
	lower := metaKey(prefix)
	it := t.newIter(lower, prefixEnd(lower), 1, false, false)
	for it.Next() {
		if err := fn(string(it.Key()), append([]byte{}, it.Value()...)); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("scan metadata %q: %w", prefix, err)
	}
	return nil
}

// Get reads one key of a regular table's key space: in read committed
// the latest committed state, in repeatable read the transaction's
// snapshot, plus the transaction's own writes.
func (t *Txn) Get(sp Space, key []byte) ([]byte, bool, error) {
	v, ok, err := t.getView(rowKey(sp, key))
	if err != nil {
		return nil, false, fmt.Errorf("get key of table %d index %d: %w", sp.Table, sp.Index, err)
	}
	return v, ok, nil
}

// Put writes one key.
func (t *Txn) Put(sp Space, key, val []byte) {
	t.add(op{kind: opSet, key: rowKey(sp, key), val: append([]byte{}, val...)})
}

// Delete deletes one key.
func (t *Txn) Delete(sp Space, key []byte) {
	t.add(op{kind: opDel, key: rowKey(sp, key)})
}

// Iter iterates keys in [start, end) of a key space (nil = unbounded),
// merging the transaction's own writes, over the same view as Get. Writes
// the transaction makes while the iterator is open may not be visible to
// it.
func (t *Txn) Iter(sp Space, start, end []byte) KVIter {
	return t.spaceIter(sp, start, end, false)
}

// IterReverse iterates keys in [start, end) of a key space (nil =
// unbounded) from the last to the first, merging the transaction's own
// writes like Iter: the backward index scans of ORDER BY ... DESC.
func (t *Txn) IterReverse(sp Space, start, end []byte) KVIter {
	return t.spaceIter(sp, start, end, true)
}

// spaceIter is Iter, or with reverse IterReverse.
func (t *Txn) spaceIter(sp Space, start, end []byte, reverse bool) KVIter {
	p := spacePrefix(sp)
	lower, upper := p, prefixEnd(p)
	if start != nil {
		lower = rowKey(sp, start)
	}
	if end != nil {
		upper = rowKey(sp, end)
	}
	return t.newIter(lower, upper, len(p), true, reverse)
}

// DropTable deletes every key of every key space of table.
func (t *Txn) DropTable(table uint64) {
	start, end := tableSpan(table)
	t.add(op{kind: opDelRange, key: start, val: end})
}

// newIter returns an iterator over [lower, upper) whose keys lose their
// first strip bytes; with view set, over the transaction's view of key
// spaces (its snapshot in repeatable read), else the latest state.
func (t *Txn) newIter(lower, upper []byte, strip int, view, reverse bool) KVIter {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return &kvIter{pebbleIter: pebbleIter{err: errTxnDone}}
	}
	if view && t.ov != nil && t.latest == 0 {
		return t.snapIterLocked(lower, upper, strip, reverse)
	}
	it, err := t.readerLocked().NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return &kvIter{pebbleIter: pebbleIter{err: err}}
	}
	return &kvIter{pebbleIter: pebbleIter{it: it}, strip: strip, reverse: reverse}
}

// kvIter adapts a pebble iterator to KVIter.
type kvIter struct {
	pebbleIter
	strip   int
	reverse bool // from the last key to the first
	started bool
	val     []byte
}

func (k *kvIter) Next() bool {
	if k.it == nil || k.err != nil {
		return false
	}
	var ok bool
	switch {
	case !k.started:
		k.started = true
		ok = first(k.it, k.reverse)
	case k.reverse:
		ok = k.it.Prev()
	default:
		ok = k.it.Next()
	}
	if !ok {
		return false
	}
	k.val, k.err = k.it.ValueAndErr()
	return k.err == nil
}

func (k *kvIter) Key() []byte   { return k.it.Key()[k.strip:] }
func (k *kvIter) Value() []byte { return k.val }

// first positions it at its first key (its last when reverse).
func first(it *pebble.Iterator, reverse bool) bool {
	if reverse {
		return it.Last()
	}
	return it.First()
}

// pebbleIter is the error and closing part of a KVIter over a pebble
// iterator.
type pebbleIter struct {
	it  *pebble.Iterator
	err error
}

func (k *pebbleIter) Err() error {
	if k.err != nil {
		return k.err
	}
	if k.it != nil {
		return k.it.Error()
	}
	return nil
}

func (k *pebbleIter) Close() error {
	err := k.Err()
	if k.it != nil {
		if e := k.it.Close(); err == nil {
			err = e
		}
		k.it = nil
	}
	return err
}
