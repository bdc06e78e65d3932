package storage

// Keys written only when newer (PutNewer): the last-value index, whose
// entry per series is rewritten by every commit appending that series'
// rows. Each such write is checked against the committed value at
// commit, under db.newerMu; the stamps (first 8 bytes) of the committed
// values are kept in memory (newerCache), so a bulk load appending a few
// rows to each of thousands of series per commit neither reads the
// memtable twice per series and commit nor indexes its batch.
//
// The cache stays exact: it is filled and updated only by commits with
// PutNewer writes, under db.newerMu, with what they committed; a commit
// writing row keys otherwise (Put, Delete, DropTable) announces itself
// before its batch is applied (beginPlain) and removes the keys it wrote
// afterwards (endPlain). A newer commit that overlaps such a commit
// neither trusts the cache nor updates it.

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// newerCacheMax bounds the keys newerCache holds; past it the cache
// starts over (entries are re-read from pebble at the next commit).
const newerCacheMax = 1 << 18

// newerCache holds the stamp (the first 8 bytes) of the committed value
// of PutNewer keys, by key.
type newerCache struct {
	mu sync.Mutex
	m  map[string]*[8]byte
	// plain counts commits writing row keys otherwise that are in
	// flight; gen counts those that finished.
	plain int
	gen   uint64
}

// newerSettle is what settleNewer decided, for the cache once the commit
// landed: the stamp each key holds after it.
type newerSettle struct {
	trusted bool   // the cache was consistent when read (gen below)
	gen     uint64 // newerCache.gen then
	keys    []string
	stamps  [][8]byte
}

// PutNewer sets one key to val unless, when the transaction commits, the
// committed value is newer: values compare by their first 8 bytes as a
// big-endian unsigned number (a last-value index entry's time). Commits
// with such writes are serialized from that check to their write, so
// concurrent transactions leave the newest value, whatever their commit
// order. Reads in the transaction see val.
func (t *Txn) PutNewer(sp Space, key, val []byte) {
	k := rowKey(sp, key)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	t.addLocked(op{kind: opSet, newer: true, key: k, val: append([]byte{}, val...)})
}

// NewerStamp returns the first 8 bytes of the value the transaction sees
// for key (as GetLatest would read it), found false when there is none
// or it is shorter. A bulk load asks it for every series of every batch
// to skip rows older than the stored entry, so it answers from the
// transaction's own PutNewer writes and the committed stamps kept in
// memory, reading pebble only on a miss.
func (t *Txn) NewerStamp(sp Space, key []byte) (stamp [8]byte, found bool, err error) {
	k := rowKey(sp, key)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return stamp, false, errTxnDone
	}
	var v []byte
	switch own, mine := t.newerOwn[string(k)]; {
	case t.plainRows:
		// Its own Put or Delete may hide the committed value.
		v, found, err = getCopy(t.readerLocked(), k)
	case mine:
		v, found = own, true
	default:
		if st, ok := t.db.newer.lookup(k); ok {
			return st, true, nil
		}
		// Nothing of its own: the committed value, without indexing
		// the batch.
		v, found, err = getCopy(t.db.pdb, k)
	}
	if err != nil || !found || len(v) < 8 {
		return stamp, false, err
	}
	copy(stamp[:], v)
	return stamp, true, nil
}

// noteKeyWrite records key write o in the transaction's newer state.
func (t *Txn) noteKeyWrite(o *op) {
	switch {
	case o.newer:
		if t.newerOwn == nil {
			t.newerOwn = map[string][]byte{}
		}
		t.newerOwn[string(o.key)] = o.val
	case len(o.key) > 0 && o.key[0] == prefixRow:
		t.plainRows = true
	}
}

// hasNewer reports whether the transaction wrote keys by PutNewer.
func (t *Txn) hasNewer() bool { return len(t.newerOwn) > 0 }

// lookup returns the cached committed stamp of key.
func (c *newerCache) lookup(key []byte) ([8]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plain > 0 {
		return [8]byte{}, false
	}
	if p := c.m[string(key)]; p != nil {
		return *p, true
	}
	return [8]byte{}, false
}

// beginPlain announces a commit writing row keys otherwise than by
// PutNewer; endPlain(log) follows once its batch was applied or failed.
func (c *newerCache) beginPlain() {
	c.mu.Lock()
	c.plain++
	c.mu.Unlock()
}

// endPlain removes the keys log writes from the cache.
func (c *newerCache) endPlain(log []op) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.plain--
	c.gen++
	if len(c.m) == 0 {
		return
	}
	for i := range log {
		o := &log[i]
		switch o.kind {
		case opSet, opDel:
			delete(c.m, string(o.key))
		case opDelRange:
			for k := range c.m {
				if k >= string(o.key) && k < string(o.val) {
					delete(c.m, k)
				}
			}
		}
	}
}

// settled records what a newer commit left committed (s from
// settleNewer; nil for none) once its batch was applied.
func (c *newerCache) settled(s *newerSettle) {
	if s == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !s.trusted || c.plain > 0 || c.gen != s.gen {
		for _, k := range s.keys {
			delete(c.m, k)
		}
		return
	}
	if c.m == nil || len(c.m)+len(s.keys) > newerCacheMax {
		c.m = make(map[string]*[8]byte, len(s.keys))
	}
	for i, k := range s.keys {
		if p := c.m[k]; p != nil {
			*p = s.stamps[i]
		} else {
			st := s.stamps[i]
			c.m[k] = &st
		}
	}
}

// settleNewer writes back into b the committed value of each PutNewer
// key whose committed value is newer than the transaction's (see
// PutNewer), and returns the stamps the keys hold after the commit. The
// caller holds db.newerMu.
func (t *Txn) settleNewer(b *pebble.Batch) (*newerSettle, error) {
	mine := t.newerOwn
	if t.plainRows {
		// The last write of each PutNewer key is the one committed,
		// whichever wrote it.
		mine = map[string][]byte{}
		for i := range t.log {
			if o := &t.log[i]; o.newer {
				mine[string(o.key)] = nil
			}
		}
		for i := range t.log {
			o := &t.log[i]
			if o.chunkOp != nil {
				continue
			}
			if _, ok := mine[string(o.key)]; ok {
				if o.kind == opSet {
					mine[string(o.key)] = o.val
				} else {
					delete(mine, string(o.key))
				}
			}
		}
	}
	c := &t.db.newer
	s := &newerSettle{keys: make([]string, 0, len(mine)), stamps: make([][8]byte, 0, len(mine))}
	c.mu.Lock()
	s.trusted, s.gen = !t.plainRows && c.plain == 0, c.gen
	var check []string // keys whose committed value must be read
	for k, val := range mine {
		if len(val) < 8 {
			continue
		}
		if s.trusted {
			if p := c.m[k]; p != nil && bytes.Compare(p[:], val[:8]) <= 0 {
				s.keys = append(s.keys, k)
				s.stamps = append(s.stamps, [8]byte(val[:8]))
				continue
			}
		}
		check = append(check, k)
	}
	c.mu.Unlock()
	for _, k := range check {
		val := mine[k]
		st := [8]byte(val[:8])
		cur, closer, err := t.db.pdb.Get([]byte(k))
		switch {
		case errors.Is(err, pebble.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			if len(cur) >= 8 && bytes.Compare(cur[:8], val[:8]) > 0 {
				err = b.Set([]byte(k), cur, nil)
				st = [8]byte(cur[:8])
			}
			closer.Close()
			if err != nil {
				return nil, fmt.Errorf("settle newer key: %w", err)
			}
		}
		s.keys = append(s.keys, k)
		s.stamps = append(s.stamps, st)
	}
	return s, nil
}
