package storage

// The merge turns a chunk's delta blocks (one per commit) and its small
// sealed blocks into sealed blocks in block order: sorted by (series key,
// time) for a hypertable with a series key (cluster.go), else by time. It reads
// its inputs from a snapshot without holding any lock, then takes the
// chunk's lock only to verify every input still exists and to commit one
// batch that deletes the inputs and writes the outputs. A commit that
// rewrote or dropped an input in the meantime makes the merge give up (it
// is retried later); a commit that rewrites an input after the merge sees
// the input gone and fails with ErrConflict. Rows are never lost or
// duplicated. A chunk with an open transaction that rewrote stored blocks
// is pinned and not merged until that transaction ends.

import (
	"cmp"
	"fmt"
	"log"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/tsgres/tsgres/storage/col"
)

// defaultMergeThreshold is how many delta blocks a chunk collects before
// the background merge seals them.
const defaultMergeThreshold = 16

// SealedBlockRows is the row count of a sealed block (the last block of
// a sealed run may be shorter): large enough for the codecs to shine,
// small enough that time-range and predicate skipping stay selective and
// a rewrite stays cheap. A time-ordered append of a whole multiple of
// SealedBlockRows rows lands as sealed blocks, which callers that write
// in bulk (continuous-aggregate refresh) rely on.
const SealedBlockRows = 4096

// mergeIdleAge is how long a chunk's delta blocks must go without a new
// one before the background merge seals them anyway.
const mergeIdleAge = 30 * time.Second

// mergeState tracks delta blocks per chunk for the background merge.
type mergeState struct {
	run sync.Mutex // serializes merges

	mu       sync.Mutex
	deltas   map[uint64]*deltaCount
	queue    map[uint64]bool
	wake     chan struct{}
	timerSet bool      // a wake-up for paced chunks is pending
	lastAny  time.Time // last commit writing blocks to any chunk
}

type deltaCount struct {
	n      int
	last   time.Time // last commit writing blocks noted
	merged time.Time // last background merge started
	// cluster is set by a commit writing blocks and cleared when the
	// chunk, idle for clusterIdleAge, is considered for a recluster.
	cluster bool
}

// mergeMinInterval paces background merges of one chunk: a chunk fed by
// many tiny commits is merged at most this often unless its delta blocks
// pile up past mergeBurst times the threshold. Each merge lists the
// chunk's blocks (skipping the tombstones of blocks merged before), so
// merging after every few commits would cost more than it saves readers.
const (
	mergeMinInterval = 250 * time.Millisecond
	mergeBurst       = 16
)

// initMerge counts the stored delta blocks of every chunk and starts the
// background merge unless disabled.
func (db *DB) initMerge() error {
	db.merge.deltas = map[uint64]*deltaCount{}
	db.merge.queue = map[uint64]bool{}
	db.merge.wake = make(chan struct{}, 1)
	lower := []byte{prefixChunk}
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return fmt.Errorf("count delta blocks: %w", err)
	}
	now := time.Now()
	for ok := it.First(); ok; {
		k := it.Key()
		if len(k) < chunkPrefixLen+1 || k[chunkPrefixLen] != chunkSubMeta {
			// column keys: skip to the next chunk
			_, end := chunkSpan(chunkOfKey(k))
			if end == nil {
				break
			}
			ok = it.SeekGE(end)
			continue
		}
		chunk, _, err := parseBlockMetaKey(k)
		if err != nil {
			it.Close()
			return err
		}
		val, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return fmt.Errorf("count delta blocks: %w", err)
		}
		if len(val) >= 2 && val[1]&metaFlagSealed == 0 {
			d := db.merge.deltas[chunk]
			if d == nil {
				d = &deltaCount{}
				db.merge.deltas[chunk] = d
			}
			d.n++
			d.last = now
		}
		ok = it.Next()
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("count delta blocks: %w", err)
	}
	if !db.opts.DisableBackgroundMerge {
		db.wg.Add(1)
		go db.mergeLoop()
	}
	return nil
}

// chunkOfKey returns the chunk id of a chunk key.
func chunkOfKey(k []byte) uint64 {
	var c uint64
	for i := 1; i < chunkPrefixLen && i < len(k); i++ {
		c = c<<8 | uint64(k[i])
	}
	return c
}

// noteDeltas records a commit that wrote blocks to chunk, n of them
// delta blocks, and queues the chunk for the background merge when it has
// too many.
func (db *DB) noteDeltas(chunk uint64, n int) {
	m := &db.merge
	m.mu.Lock()
	d := m.deltas[chunk]
	if d == nil {
		d = &deltaCount{}
		m.deltas[chunk] = d
	}
	d.n += n
	d.last = time.Now()
	d.cluster = true
	m.lastAny = d.last
	if d.n > db.opts.MergeThreshold {
		m.queue[chunk] = true
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
	m.mu.Unlock()
}

func (db *DB) forgetChunkDeltas(chunk uint64) {
	db.merge.mu.Lock()
	delete(db.merge.deltas, chunk)
	delete(db.merge.queue, chunk)
	db.merge.mu.Unlock()
}

// mergeLoop is the background merge goroutine.
func (db *DB) mergeLoop() {
	defer db.wg.Done()
	tick := time.NewTicker(min(mergeIdleCheck, clusterIdleCheck))
	defer tick.Stop()
	for {
		var chunks, cluster []uint64
		select {
		case <-db.stop:
			return
		case <-db.merge.wake:
			chunks = db.takeQueued(time.Now())
		case now := <-tick.C:
			db.merge.mu.Lock()
			for c, d := range db.merge.deltas {
				idle := now.Sub(d.last)
				switch {
				case d.cluster && idle >= clusterIdleAge &&
					(now.Sub(db.merge.lastAny) >= clusterIdleAge || idle >= clusterBusyAge):
					d.cluster = false
					cluster = append(cluster, c)
				case d.n > 0 && idle >= mergeIdleAge:
					chunks = append(chunks, c)
				}
			}
			db.merge.mu.Unlock()
		}
		if !db.runBackground(cluster, "recluster", db.recluster) ||
			!db.runBackground(chunks, "merge", db.mergeChunk) {
			return
		}
	}
}

// runBackground runs rewrite on each of chunks in id order, logging
// failures; false when the database is closing.
func (db *DB) runBackground(chunks []uint64, what string, rewrite func(uint64) error) bool {
	slices.Sort(chunks)
	for _, c := range chunks {
		select {
		case <-db.stop:
			return false
		default:
		}
		if err := rewrite(c); err != nil {
			log.Printf("storage: background %s of chunk %d: %v", what, c, err)
		}
	}
	return true
}

// takeQueued returns the queued chunks due for a merge at now and marks
// them merged; chunks merged too recently stay queued, with a wake-up set
// for when they are due.
func (db *DB) takeQueued(now time.Time) []uint64 {
	m := &db.merge
	m.mu.Lock()
	defer m.mu.Unlock()
	var due []uint64
	var wait time.Duration
	for c := range m.queue {
		d := m.deltas[c]
		if d != nil && d.n < mergeBurst*db.opts.MergeThreshold {
			if left := mergeMinInterval - now.Sub(d.merged); left > 0 {
				if wait == 0 || left < wait {
					wait = left
				}
				continue
			}
		}
		if d != nil {
			d.merged = now
		}
		due = append(due, c)
		delete(m.queue, c)
	}
	if wait > 0 && !m.timerSet {
		m.timerSet = true
		time.AfterFunc(wait, func() {
			m.mu.Lock()
			m.timerSet = false
			m.mu.Unlock()
			select {
			case m.wake <- struct{}{}:
			default:
			}
		})
	}
	return due
}

// Merge seals the delta blocks of chunk now (normally done in the
// background). When a concurrent commit changed an input block the merge
// gives up without error; a later merge picks the blocks up.
func (db *DB) Merge(chunk uint64) error {
	return db.mergeChunk(chunk)
}

func (db *DB) mergeChunk(chunk uint64) error {
	return db.rewriteChunk(chunk, func(snap reader) (*chunkInput, error) {
		return db.mergeInputs(snap, chunk)
	}, func(snap reader, in *chunkInput) ([]encodedBlock, error) {
		if err := in.read(snap); err != nil {
			return nil, fmt.Errorf("merge chunk %d: %w", chunk, err)
		}
		blocks, err := sealedBlocks(in, 1)
		if err != nil {
			return nil, fmt.Errorf("merge chunk %d: %w", chunk, err)
		}
		return blocks, nil
	})
}

// rewriteChunk is one background rewrite of chunk (a merge or a
// recluster): one at a time, never of a chunk a transaction pinned, it
// picks its inputs from a snapshot (nil: nothing to do), builds their
// replacement and swaps it in. NoSync: the batch is atomic in the WAL,
// and losing it in a crash only leaves the inputs in place. A lost race
// leaves them too; a later rewrite retries.
func (db *DB) rewriteChunk(chunk uint64, pick func(snap reader) (*chunkInput, error),
	build func(snap reader, in *chunkInput) ([]encodedBlock, error)) error {
	db.merge.run.Lock()
	defer db.merge.run.Unlock()
	if db.pinned(chunk) {
		return nil
	}
	snap := db.pdb.NewSnapshot()
	defer snap.Close()
	in, err := pick(snap)
	if err != nil || in == nil {
		return err
	}
	blocks, err := build(snap, in)
	if err != nil {
		return err
	}
	_, err = db.swap(in, blocks, pebble.NoSync)
	return err
}

// smallSealedFanIn is how many small sealed blocks (fewer than
// SealedBlockRows rows) a chunk may hold before the merge combines them.
const smallSealedFanIn = 8

// mergeInputs picks what one merge of chunk replaces, or nil when there is
// nothing to do. Delta blocks are always taken. Small sealed blocks join
// them only when together they fill a sealed block or there are
// smallSealedFanIn of them: a chunk fed by tiny commits (single-row
// INSERTs) then rewrites each row about twice, delta -> small sealed ->
// full sealed, instead of re-encoding its growing small block on every
// merge. Compressed blocks are never merged.
func (db *DB) mergeInputs(snap reader, chunk uint64) (*chunkInput, error) {
	var deltas, small []*BlockMeta
	rows := 0
	err := db.listStored(snap, chunk, func(m *BlockMeta) {
		switch {
		case m.Compressed:
		case !m.Sealed:
			deltas = append(deltas, m)
			rows += m.Rows
		case m.Rows < SealedBlockRows:
			small = append(small, m)
			rows += m.Rows
		}
	})
	if err != nil {
		return nil, err
	}
	in := &chunkInput{chunk: chunk, blocks: deltas, deltas: len(deltas)}
	if len(small) >= smallSealedFanIn || len(small) > 0 && rows >= SealedBlockRows {
		in.blocks = append(in.blocks, small...)
	}
	if len(in.blocks) == 0 || in.deltas == 0 && len(in.blocks) < 2 {
		return nil, nil
	}
	// Keep block order (ids) so merged rows keep their arrival order.
	slices.SortFunc(in.blocks, func(a, b *BlockMeta) int { return cmp.Compare(a.ID, b.ID) })
	return in, nil
}

// chunkInput is the set of stored blocks of one chunk a merge or a
// compression replaces, read from one snapshot.
type chunkInput struct {
	chunk  uint64
	blocks []*BlockMeta
	deltas int // how many of blocks are delta blocks
	// schema and rows are set by read: every column of the blocks and
	// all their rows, in block order.
	schema ChunkSchema
	rows   *col.Batch
	// passes is how many passes a rewrite reads the chunk in (rows
	// then holds one pass's time range); 0 or 1: all at once.
	passes int
}

// listInputs lists the stored blocks of chunk in snap that keep selects.
func (db *DB) listInputs(snap reader, chunk uint64, keep func(*BlockMeta) bool) (*chunkInput, error) {
	in := &chunkInput{chunk: chunk}
	err := db.listStored(snap, chunk, func(m *BlockMeta) {
		if keep(m) {
			in.blocks = append(in.blocks, m)
			if !m.Sealed {
				in.deltas++
			}
		}
	})
	return in, err
}

// read decodes every column of the input blocks from snap.
func (in *chunkInput) read(snap reader) error {
	if len(in.blocks) == 0 {
		return nil
	}
	schema, err := unionSchema(in.blocks)
	if err != nil {
		return err
	}
	rows, err := readRange(snap, []*chunkInput{in}, schema, timeRange{math.MinInt64, math.MaxInt64})
	if err != nil {
		return err
	}
	in.schema, in.rows = schema, rows
	return nil
}

// sealedBlocks encodes the input rows sorted in block order (by series key
// and time, or by time; see cluster.go) as sealed blocks of
// SealedBlockRows rows (the last may be shorter), on up to workers
// goroutines.
func sealedBlocks(in *chunkInput, workers int) ([]encodedBlock, error) {
	if in.rows == nil || in.rows.Rows() == 0 {
		return nil, nil
	}
	sorted := sortBlockOrder(in.schema, in.rows)
	var parts []*col.Batch
	var sealed []bool
	for from := 0; from < sorted.Rows(); from += SealedBlockRows {
		parts = append(parts, sliceExact(sorted, from, min(from+SealedBlockRows, sorted.Rows())))
		sealed = append(sealed, true)
	}
	return encodeBlocks(in.schema, parts, sealed, workers, false)
}

// swap replaces in's blocks of chunk by blocks (their ids are assigned
// here) in one pebble batch. Under the chunk's lock it checks that no
// transaction has pinned the chunk and that every input still exists;
// otherwise it writes nothing and reports false. Readers are never
// blocked: they read snapshots.
func (db *DB) swap(in *chunkInput, blocks []encodedBlock, opts *pebble.WriteOptions) (bool, error) {
	chunk := in.chunk
	b := db.pdb.NewBatch()
	defer b.Close()
	ids := blockIDs(in.blocks)
	for _, id := range ids {
		if err := deleteBlock(b, chunk, id); err != nil {
			return false, err
		}
	}
	if len(blocks) > 0 {
		first, err := db.allocBlockIDs(len(blocks))
		if err != nil {
			return false, err
		}
		var buf []byte
		for i := range blocks {
			blocks[i].meta.ID = first + uint64(i)
			if _, err := putBlock(b, chunk, in.schema, &blocks[i], &buf); err != nil {
				return false, err
			}
		}
	}
	mu := db.chunkLock(chunk)
	mu.Lock()
	defer mu.Unlock()
	if db.pinned(chunk) {
		return false, nil // a transaction is rewriting blocks of chunk
	}
	for _, id := range ids {
		ok, err := db.blockExists(chunk, id)
		if err != nil || !ok {
			return false, err // !ok: changed under us
		}
	}
	if err := db.lists.commit(func() error { return b.Commit(opts) }); err != nil {
		return false, fmt.Errorf("rewrite blocks of chunk %d: commit: %w", chunk, err)
	}
	db.forgetBlocks(chunk, ids)
	db.merge.mu.Lock()
	if d := db.merge.deltas[chunk]; d != nil {
		d.n = max(0, d.n-in.deltas)
	}
	db.merge.mu.Unlock()
	return true, nil
}

// liveChunk returns the chunk rows meant for chunk go to: chunk itself,
// or, when committed roll-ups retired it (Txn.CompressChunkInto), the
// chunk it ended up in. ok is false when a chunk on the way was dropped
// for good (RemoveChunk).
func (db *DB) liveChunk(chunk uint64) (live uint64, ok bool) {
	db.locksMu.Lock()
	defer db.locksMu.Unlock()
	for {
		into, retired := db.retired[chunk]
		switch {
		case !retired:
			return chunk, true
		case into == 0:
			return 0, false
		}
		chunk = into
	}
}

// unionSchema returns every column of the inputs ordered by id, with the
// time column they share.
func unionSchema(inputs []*BlockMeta) (ChunkSchema, error) {
	var cols []ColumnRef
	var timeCol uint32
	var newest *BlockMeta // its series key is the one to sort by
	for i, m := range inputs {
		if newest == nil || m.ID > newest.ID {
			newest = m
		}
		if i == 0 {
			timeCol = m.TimeCol
		} else if m.TimeCol != timeCol {
			return ChunkSchema{}, fmt.Errorf("storage: blocks disagree on the time column (%d, %d)", timeCol, m.TimeCol)
		}
		for _, c := range m.Cols {
			j := colIndex(cols, c.ID)
			if j < 0 {
				cols = append(cols, ColumnRef{ID: c.ID, Kind: c.Kind})
			} else if cols[j].Kind != c.Kind {
				return ChunkSchema{}, fmt.Errorf("storage: column %d stored as %v and %v", c.ID, cols[j].Kind, c.Kind)
			}
		}
	}
	slices.SortFunc(cols, func(a, b ColumnRef) int { return int(a.ID) - int(b.ID) })
	tc := colIndex(cols, timeCol)
	if tc < 0 {
		return ChunkSchema{}, fmt.Errorf("storage: time column %d missing from blocks", timeCol)
	}
	schema := ChunkSchema{Cols: cols, TimeCol: tc}
	if newest != nil && colIndex(cols, newest.SeriesCol) >= 0 {
		schema.SeriesCol = newest.SeriesCol
	}
	return schema, nil
}
