package storage

import (
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// Cached point reads. A keyed lookup (a primary key, a last-value index
// entry: TSBS's lastpoint reads one per device) is a pebble Get, a few
// microseconds of skiplist and sstable search each; a dashboard asking
// for the latest row of 4,000 devices pays it 4,000 times per refresh.
// So the values point reads found are kept, per commit generation
// (blocklist.go): a read that provably saw generation g (no commit in
// flight before and after it, or a snapshot of generation g) stores its
// value under g, and any later read of generation g takes it from
// memory. A read of another generation misses; the first store of a
// newer generation drops every entry of older ones. Reads of a
// transaction with writes of its own go to its batch, never here.
//
// Like the block lists, the entries serve only between commits: a
// steady stream of commits (an ongoing load) leaves the cache empty, and
// costs each read two atomic loads and a map lookup.

// Bounds of the cache: entries dropped wholesale once reached.
const (
	maxPointReads     = 1 << 16
	maxPointReadBytes = 32 << 20
	maxPointReadValue = 4 << 10 // larger values are not kept
)

// pointReads caches point reads of one generation.
type pointReads struct {
	mu    sync.Mutex
	gen   uint64
	m     map[string]pointRead
	bytes int
}

// pointRead is one cached read: the value, or found false.
type pointRead struct {
	val   []byte
	found bool
}

// lookup returns the value of key read at generation gen, hit false when
// none is kept. The value is a copy.
func (c *pointReads) lookup(gen uint64, key []byte) (val []byte, found, hit bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.m == nil {
		return nil, false, false
	}
	e, hit := c.m[string(key)]
	if !hit || !e.found {
		return nil, false, hit
	}
	return append([]byte{}, e.val...), true, true
}

// store keeps val (found false: no value) as key's value at generation
// gen, unless a newer generation is cached already.
func (c *pointReads) store(gen uint64, key, val []byte, found bool) {
	if len(val) > maxPointReadValue {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return
	case gen > c.gen || c.m == nil || len(c.m) >= maxPointReads || c.bytes >= maxPointReadBytes:
		c.gen, c.m, c.bytes = gen, map[string]pointRead{}, 0
	}
	if _, ok := c.m[string(key)]; ok {
		return
	}
	e := pointRead{found: found}
	if found {
		e.val = append([]byte{}, val...)
	}
	c.m[string(key)] = e
	c.bytes += len(key) + len(val) + 48
}

// getLatest reads key's latest committed value (a copy), through the
// cache when no commit is in flight around the read.
func (db *DB) getLatest(key []byte) ([]byte, bool, error) {
	gen, quiet := db.lists.quiet()
	if quiet {
		if v, found, hit := db.reads.lookup(gen, key); hit {
			return v, found, nil
		}
	}
	v, found, err := getCopy(db.pdb, key)
	if err == nil && quiet && db.lists.still(gen) {
		db.reads.store(gen, key, v, found)
	}
	return v, found, err
}

// getSnapLocked reads key in snapshot s (a copy), through the cache when the
// transaction knows s's generation.
func (t *Txn) getSnapLocked(s *pebble.Snapshot, key []byte) ([]byte, bool, error) {
	gen, ok := t.gens[s]
	if ok {
		if v, found, hit := t.db.reads.lookup(gen, key); hit {
			return v, found, nil
		}
	}
	v, found, err := getCopy(s, key)
	if err == nil && ok {
		t.db.reads.store(gen, key, v, found)
	}
	return v, found, err
}
