package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Pebble tuning for a write-heavy time-series workload.
const (
	// memTableSize absorbs bursts of ingest in memory, flushed as few,
	// large L0 files, yet stays small enough to mostly fit in a CPU's L3
	// cache: every key a commit writes is a skiplist search of the
	// memtable, and a load of thousands of series per commit writes one
	// last-value entry per series (64 MiB cost BenchmarkCopyTSBS/4000
	// hosts 2.3-2.8 us/row, 16 MiB 1.9).
	memTableSize = 16 << 20
	// compactionConcurrency leaves room for foreground work on small machines.
	compactionConcurrency = 2
	// l0CompactionThreshold/l0StopWritesThreshold: compact L0 early, stall
	// writers only when compaction is far behind.
	l0CompactionThreshold = 4
	l0StopWritesThreshold = 24
	// minCacheSize and maxCacheSize bound DefaultCacheSize.
	minCacheSize = 64 << 20
	maxCacheSize = 1 << 30
)

// DefaultCacheSize is the block cache an Open without Options.CacheSize
// gets: an eighth of the machine's memory, between 64 MiB and 1 GiB.
// Point reads of a table that fits decode a cached block instead of
// reading and decompressing one (pgbench -S at scale 10 read a block from
// the file on most lookups with 64 MiB).
func DefaultCacheSize() int64 {
	return min(max(physicalMemory()/8, minCacheSize), maxCacheSize)
}

// blockIDReserve is how many block ids one durable write of the id counter
// reserves; ids lost to a crash are simply never used.
const blockIDReserve = 4096

// seqLogAhead is how many increments NextSequence reserves per durable
// write, like PostgreSQL's SEQ_LOG_VALS: after a crash a sequence may skip
// up to this many values but never repeats one.
const seqLogAhead = 32

// DB is one tsgres data directory: a single pebble database holding the
// catalog, regular tables and hypertable chunks. Safe for concurrent use.
type DB struct {
	pdb  *pebble.DB
	opts Options
	// lists caches chunks' stored block lists (blocklist.go); every
	// commit of a pebble batch goes through lists.commit.
	lists blockLists
	// reads caches point reads per commit generation (readcache.go).
	reads pointReads

	idMu     sync.Mutex
	nextID   uint64 // next block id to hand out
	reserved uint64 // ids < reserved are durably reserved

	seqMu sync.Mutex
	seqs  map[string]*seqState

	locksMu    sync.Mutex
	chunkLocks map[uint64]*sync.Mutex
	pins       map[uint64]int // chunk -> open transactions that rewrote its stored blocks
	// retired maps chunks rolled up into another (Txn.CompressChunkInto)
	// to it, and chunks dropped for good (RemoveChunk) to 0: rows for the
	// former go to the chunk it ended up in, rows for the latter are a
	// conflict (liveChunk). retireMu orders appending commits (read side)
	// against the commit retiring a chunk (write side).
	retired  map[uint64]uint64
	retireMu sync.RWMutex
	// newerMu serializes the commits of transactions with PutNewer
	// writes from their check of the committed values to their write.
	newerMu sync.Mutex
	// newer holds the committed stamps of PutNewer keys (newer.go).
	newer newerCache
	// epoch counts commits that retired chunks into others; open holds
	// the epoch every open transaction began in (see OldestEpoch).
	txnMu sync.Mutex
	epoch uint64
	open  map[*Txn]uint64
	// rr records the row keys commits write while repeatable-read
	// transactions are open (snapshot.go).
	rr rrState

	// rowLocks are the transactions' row and chunk locks (locks.go).
	rowLocks lockTable

	cacheMu   sync.RWMutex
	metaCache map[uint64]map[uint64]*BlockMeta // chunk -> block id -> meta
	cacheLen  int

	merge mergeState
	// encSem bounds the background encodings of large appends
	// (startPreEncode) to one per core.
	encSem chan struct{}

	closeOnce sync.Once
	stop      chan struct{}
	wg        sync.WaitGroup
}

// seqState is a sequence's in-memory value and its durable reservation.
type seqState struct {
	val, hi int64
}

// Open opens (creating when missing) the database in dir.
func Open(dir string, opts Options) (*DB, error) {
	if opts.MergeThreshold <= 0 {
		opts.MergeThreshold = defaultMergeThreshold
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize()
	}
	po := &pebble.Options{
		MemTableSize:          memTableSize,
		L0CompactionThreshold: l0CompactionThreshold,
		L0StopWritesThreshold: l0StopWritesThreshold,
		CacheSize:             opts.CacheSize,
		FormatMajorVersion:    pebble.FormatNewest,
		Logger:                quietLogger{},
		CompactionConcurrencyRange: func() (int, int) {
			return 1, compactionConcurrency
		},
	}
	// Bloom filters (10 bits a key, ~1% false positives) let a point
	// read skip the sstables of every level that lacks its key: primary
	// key lookups and the unique-key probes of every regular-table insert.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	if opts.InMemory {
		po.FS = vfs.NewMem()
		dir = ""
	}
	pdb, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("open storage in %q: %w", dir, err)
	}
	db := &DB{
		pdb:        pdb,
		opts:       opts,
		seqs:       map[string]*seqState{},
		chunkLocks: map[uint64]*sync.Mutex{},
		pins:       map[uint64]int{},
		retired:    map[uint64]uint64{},
		open:       map[*Txn]uint64{},
		rowLocks:   newLockTable(),
		metaCache:  map[uint64]map[uint64]*BlockMeta{},
		stop:       make(chan struct{}),
		encSem:     make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	if err := db.loadBlockIDs(); err != nil {
		pdb.Close()
		return nil, err
	}
	if err := db.initMerge(); err != nil {
		pdb.Close()
		return nil, err
	}
	return db, nil
}

// Close stops background work and closes the database.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		close(db.stop)
		db.wg.Wait()
		if e := db.pdb.Close(); e != nil {
			err = fmt.Errorf("close storage: %w", e)
		}
	})
	return err
}

// Begin starts a transaction. Reads see committed data (read committed:
// each call sees the latest commits; see SetRepeatableRead for one
// snapshot per transaction) plus the transaction's own writes.
func (db *DB) Begin() *Txn {
	t := &Txn{db: db, chunks: map[uint64]*chunkState{}}
	db.txnMu.Lock()
	db.open[t] = db.epoch
	db.txnMu.Unlock()
	return t
}

// Epoch is the number of commits so far that retired chunks into others.
func (db *DB) Epoch() uint64 {
	db.txnMu.Lock()
	defer db.txnMu.Unlock()
	return db.epoch
}

// OldestEpoch is the epoch the oldest open transaction began in (the
// current one when none is open): a chunk retired in an epoch up to it
// holds no row any open transaction can still see there.
func (db *DB) OldestEpoch() uint64 {
	db.txnMu.Lock()
	defer db.txnMu.Unlock()
	oldest := db.epoch
	for _, e := range db.open {
		oldest = min(oldest, e)
	}
	return oldest
}

// getInt64 reads an 8-byte big-endian value; ok is false when key is absent.
func (db *DB) getInt64(key []byte) (v int64, ok bool, err error) {
	val, closer, err := db.pdb.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	defer closer.Close()
	if len(val) != 8 {
		return 0, false, fmt.Errorf("storage: counter %q has %d bytes, want 8", key[1:], len(val))
	}
	return int64(binary.BigEndian.Uint64(val)), true, nil
}

// setInt64 durably writes an 8-byte big-endian value.
func (db *DB) setInt64(key []byte, v int64) error {
	return db.lists.commit(func() error {
		return db.pdb.Set(key, binary.BigEndian.AppendUint64(nil, uint64(v)), pebble.Sync)
	})
}

// loadBlockIDs restores the block id counter: every id below the stored
// reservation may have been used, so allocation restarts there.
func (db *DB) loadBlockIDs() error {
	v, _, err := db.getInt64(internalKey(internalBlockIDs))
	if err != nil {
		return fmt.Errorf("load block id counter: %w", err)
	}
	db.nextID = uint64(v) + 1 // id 0 names a transaction's pending rows
	db.reserved = db.nextID
	return nil
}

// allocBlockIDs returns the first of n consecutive unused block ids.
func (db *DB) allocBlockIDs(n int) (uint64, error) {
	db.idMu.Lock()
	defer db.idMu.Unlock()
	first := db.nextID
	if first+uint64(n) > db.reserved {
		hi := first + uint64(n) + blockIDReserve
		if err := db.setInt64(internalKey(internalBlockIDs), int64(hi-1)); err != nil {
			return 0, fmt.Errorf("reserve block ids: %w", err)
		}
		db.reserved = hi
	}
	db.nextID += uint64(n)
	return first, nil
}

// NextSequence atomically adds delta to the named counter and returns the
// new value; it is durable and not transactional (like nextval). A missing
// counter starts at 0. Positive steps reserve seqLogAhead increments per
// durable write, so values may skip after a crash but never repeat.
func (db *DB) NextSequence(name string, delta int64) (int64, error) {
	db.seqMu.Lock()
	defer db.seqMu.Unlock()
	st, err := db.seqLocked(name)
	if err != nil {
		return 0, err
	}
	nv := st.val + delta
	if (delta > 0 && nv < st.val) || (delta < 0 && nv > st.val) {
		return 0, fmt.Errorf("storage: sequence %q overflows", name)
	}
	if delta > 0 && nv <= st.hi {
		st.val = nv
		return nv, nil
	}
	hi := nv
	if delta > 0 {
		if step := delta * seqLogAhead; step/seqLogAhead == delta && nv+step > nv {
			hi = nv + step
		} else {
			hi = math.MaxInt64
		}
	}
	if err := db.setInt64(seqKey(name), hi); err != nil {
		return 0, fmt.Errorf("advance sequence %q: %w", name, err)
	}
	st.val, st.hi = nv, hi
	return nv, nil
}

// SetSequence sets a counter (setval).
func (db *DB) SetSequence(name string, v int64) error {
	db.seqMu.Lock()
	defer db.seqMu.Unlock()
	if err := db.setInt64(seqKey(name), v); err != nil {
		return fmt.Errorf("set sequence %q: %w", name, err)
	}
	db.seqs[name] = &seqState{val: v, hi: v}
	return nil
}

// seqLocked returns the cached state of sequence name, loading it.
func (db *DB) seqLocked(name string) (*seqState, error) {
	if st, ok := db.seqs[name]; ok {
		return st, nil
	}
	v, _, err := db.getInt64(seqKey(name))
	if err != nil {
		return nil, fmt.Errorf("load sequence %q: %w", name, err)
	}
	st := &seqState{val: v, hi: v}
	db.seqs[name] = st
	return st, nil
}

// ChunkBytes returns the stored size of a chunk's blocks: the bytes of
// their keys and encoded values, committed data only (recent writes in the
// memtable count too, unlike an estimate from sstable sizes).
func (db *DB) ChunkBytes(chunk uint64) (int64, error) {
	start, end := chunkSpan(chunk)
	return db.spanBytes(start, end)
}

// TableBytes returns the stored size of a regular table's rows and
// indexes, measured like ChunkBytes.
func (db *DB) TableBytes(table uint64) (int64, error) {
	start, end := tableSpan(table)
	return db.spanBytes(start, end)
}

// spanBytes sums the key and value bytes stored in [start, end).
func (db *DB) spanBytes(start, end []byte) (int64, error) {
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		return 0, fmt.Errorf("measure stored bytes: %w", err)
	}
	var n int64
	for ok := it.First(); ok; ok = it.Next() {
		n += int64(len(it.Key())) + int64(len(it.Value()))
	}
	if err := it.Close(); err != nil {
		return 0, fmt.Errorf("measure stored bytes: %w", err)
	}
	return n, nil
}

// chunkLock returns the lock serializing check-and-write commits (rewrites,
// drops, merges) of chunk.
func (db *DB) chunkLock(chunk uint64) *sync.Mutex {
	db.locksMu.Lock()
	defer db.locksMu.Unlock()
	mu, ok := db.chunkLocks[chunk]
	if !ok {
		mu = &sync.Mutex{}
		db.chunkLocks[chunk] = mu
	}
	return mu
}

// pinChunk keeps merges off chunk until unpinChunk: a transaction that
// rewrote stored blocks would otherwise see a merge's output holding the
// rows it replaced. Taking the chunk lock orders the pin against a merge's
// final check.
func (db *DB) pinChunk(chunk uint64) {
	mu := db.chunkLock(chunk)
	mu.Lock()
	db.locksMu.Lock()
	db.pins[chunk]++
	db.locksMu.Unlock()
	mu.Unlock()
}

func (db *DB) unpinChunk(chunk uint64) {
	db.locksMu.Lock()
	if db.pins[chunk]--; db.pins[chunk] <= 0 {
		delete(db.pins, chunk)
	}
	db.locksMu.Unlock()
}

func (db *DB) pinned(chunk uint64) bool {
	db.locksMu.Lock()
	defer db.locksMu.Unlock()
	return db.pins[chunk] > 0
}

// maxCachedMetas bounds the metadata cache; past it the cache starts over.
const maxCachedMetas = 1 << 20

// cachedMeta decodes the metadata value of block id of chunk, reusing the
// decoded form: blocks are immutable, so an id always has the same value.
func (db *DB) cachedMeta(chunk, id uint64, val []byte) (*BlockMeta, error) {
	db.cacheMu.RLock()
	m := db.metaCache[chunk][id]
	db.cacheMu.RUnlock()
	if m != nil {
		return m, nil
	}
	m, err := decodeMeta(id, val)
	if err != nil {
		return nil, fmt.Errorf("chunk %d: %w", chunk, err)
	}
	db.cacheMu.Lock()
	if db.cacheLen >= maxCachedMetas {
		db.metaCache = map[uint64]map[uint64]*BlockMeta{}
		db.cacheLen = 0
	}
	cm := db.metaCache[chunk]
	if cm == nil {
		cm = map[uint64]*BlockMeta{}
		db.metaCache[chunk] = cm
	}
	cm[id] = m
	db.cacheLen++
	db.cacheMu.Unlock()
	return m, nil
}

// forgetBlocks drops deleted blocks from the metadata cache; a nil ids
// forgets the whole chunk.
func (db *DB) forgetBlocks(chunk uint64, ids []uint64) {
	db.cacheMu.Lock()
	defer db.cacheMu.Unlock()
	cm := db.metaCache[chunk]
	if ids == nil {
		db.cacheLen -= len(cm)
		delete(db.metaCache, chunk)
		return
	}
	for _, id := range ids {
		if _, ok := cm[id]; ok {
			delete(cm, id)
			db.cacheLen--
		}
	}
}

// quietLogger drops pebble's informational logs and passes errors to the
// standard logger.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	log.Printf("storage: pebble: "+format, args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	log.Fatalf("storage: pebble: "+format, args...)
}

// mergeIdleCheck is how often the background merge looks for chunks whose
// delta blocks stopped growing.
const mergeIdleCheck = 10 * time.Second
