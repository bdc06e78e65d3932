package storage

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
)

// Cached block lists. Listing a chunk's stored blocks iterates its
// metadata keys in pebble; at thousands of blocks per chunk (TSBS at
// scale 4000: 4,200 sealed or 16,000 compressed blocks per 12-hour
// chunk) that cost milliseconds per scan, more than reading the few
// blocks a one-device query needs. So the list a snapshot saw is kept
// per chunk and reused by later snapshots that provably see the same
// stored state.
//
// Provably the same: every commit of a pebble batch is bracketed by
// commitStarted and commitDone counters, and a snapshot taken while no
// commit is in flight (commitDone read before, commitStarted read before
// and after, all equal) has the generation commitStarted: it holds every
// commit counted, and no other. Two such snapshots of one generation see
// the same stored blocks, so a list read at generation g serves any
// snapshot of generation g. Any commit (of any chunk) starts a new
// generation; snapshots taken while commits are in flight have none and
// list from pebble, as before.

// maxCachedLists bounds the chunks whose lists are kept.
const maxCachedLists = 4096

// blockLists caches the stored block lists of chunks.
type blockLists struct {
	started atomic.Uint64 // commits begun
	done    atomic.Uint64 // commits ended (with or without success)

	mu    sync.Mutex
	lists map[uint64]blockList
}

// blockList is one chunk's stored blocks, in id order, as snapshots of
// generation gen see them, and their key indexes (blockindex.go), shared
// with the entries of earlier generations that listed the same blocks.
type blockList struct {
	gen   uint64
	metas []*BlockMeta
	idx   *listIndexes
}

// commit runs f, a commit of a pebble batch, counted as described above.
func (l *blockLists) commit(f func() error) error {
	l.started.Add(1)
	defer l.done.Add(1)
	return f()
}

// quiet returns the generation now, ok false when a commit is in flight.
// A read of pebble that follows, and after which still(gen) holds, saw
// exactly generation gen.
func (l *blockLists) quiet() (gen uint64, ok bool) {
	d0 := l.done.Load()
	s0 := l.started.Load()
	return s0, d0 == s0
}

// still reports whether no commit has started since quiet returned gen.
func (l *blockLists) still(gen uint64) bool { return l.started.Load() == gen }

// newSnapshot takes a pebble snapshot of db and returns its generation,
// or ok false when a commit was in flight.
func (db *DB) newSnapshot() (s *pebble.Snapshot, gen uint64, ok bool) {
	gen, ok = db.lists.quiet()
	s = db.pdb.NewSnapshot()
	return s, gen, ok && db.lists.still(gen)
}

// storedBlocks returns the stored blocks of chunk visible in snap, in id
// order, and their key indexes (nil when the list is not cached); gen and
// ok are snap's generation (newSnapshot). The slice is shared: callers
// must not modify it.
func (db *DB) storedBlocks(snap reader, gen uint64, ok bool, chunk uint64) ([]*BlockMeta, *listIndexes, error) {
	l := &db.lists
	if ok {
		l.mu.Lock()
		e, hit := l.lists[chunk]
		l.mu.Unlock()
		if hit && e.gen == gen {
			return e.metas, e.idx, nil
		}
	}
	var metas []*BlockMeta
	if err := db.listStored(snap, chunk, func(m *BlockMeta) { metas = append(metas, m) }); err != nil {
		return nil, nil, err
	}
	if !ok {
		return metas, nil, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lists == nil || len(l.lists) >= maxCachedLists {
		l.lists = map[uint64]blockList{}
	}
	e, hit := l.lists[chunk]
	switch {
	case hit && e.gen >= gen:
		if e.gen == gen {
			return e.metas, e.idx, nil
		}
		return metas, nil, nil // an older snapshot: not cached
	case hit && sameBlocks(e.metas, metas):
		// Commits to other chunks: the indexes still hold.
		e.gen = gen
	default:
		e = blockList{gen: gen, metas: metas, idx: &listIndexes{}}
	}
	l.lists[chunk] = e
	return e.metas, e.idx, nil
}

// sameBlocks reports whether a and b list the same blocks in the same
// order (blocks are immutable and their ids never reused).
func sameBlocks(a, b []*BlockMeta) bool {
	return slices.EqualFunc(a, b, func(x, y *BlockMeta) bool { return x.ID == y.ID })
}
