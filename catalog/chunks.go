package catalog

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage"
)

// Chunk is one time (and optionally space) slice of a hypertable.
type Chunk struct {
	ID      uint64
	Table   uint32 // hypertable OID
	HyperID int32
	Schema  string
	Name    string
	// Start and End bound the time range [Start, End) in the time
	// column's units (µs or integer units).
	Start, End int64
	// Partition is the space partition (0 when not space-partitioned).
	Partition  int
	Compressed bool
	// Created is the creation time, µs since the Unix epoch.
	Created int64
	// BeforeBytes and AfterBytes are the chunk's stored bytes before and
	// after compression, set by CompressChunk (0 while not compressed).
	BeforeBytes int64 `json:",omitempty"`
	AfterBytes  int64 `json:",omitempty"`
	// MergedInto, in memory only, is the chunk this one was rolled up
	// into by CompressChunk. Its stored record is gone and so are its
	// rows, but scans started from older storage snapshots may still
	// find rows under its id, so ScanChunksIn keeps listing it while a
	// transaction older than the roll-up is open. Everything else
	// ignores it.
	MergedInto uint64 `json:"-"`
	// mergedEpoch is the storage epoch (storage.DB.Epoch) after the
	// roll-up committed: once no open transaction began before it, the
	// chunk is left out of scans and forgotten.
	mergedEpoch uint64
	// dropped marks, in a transaction's staged records only, a chunk the
	// transaction drops.
	dropped bool
}

type chunkSet struct {
	mu   sync.RWMutex
	list []*Chunk // sorted by (Start, Partition)
}

func (cs *chunkSet) insert(c *Chunk) {
	i := sort.Search(len(cs.list), func(i int) bool {
		x := cs.list[i]
		return x.Start > c.Start || x.Start == c.Start && x.Partition >= c.Partition
	})
	cs.list = append(cs.list, nil)
	copy(cs.list[i+1:], cs.list[i:])
	cs.list[i] = c
}

func chunkKey(c *Chunk) string { return fmt.Sprintf("%s%d/%d", keyChunk, c.Table, c.ID) }

func (s *Store) chunkSet(table uint32) *chunkSet {
	s.chunkMu.Lock()
	defer s.chunkMu.Unlock()
	cs := s.chunks[table]
	if cs == nil {
		cs = &chunkSet{}
		s.chunks[table] = cs
	}
	return cs
}

// Chunks returns the hypertable's chunks ordered by start time.
func (s *Store) Chunks(table uint32) []*Chunk { return s.ChunksIn(nil, table) }

// ChunksOverlapping is ScanChunksIn outside any transaction.
func (s *Store) ChunksOverlapping(table uint32, lo, hi int64) []*Chunk {
	return s.ScanChunksIn(nil, table, lo, hi)
}

// ChunkFor returns the chunk holding time ts in space partition part for
// a write in w's transaction (w may be nil), creating and durably
// recording it when missing. Chunks the transaction dropped do not count:
// a write into a dropped range gets a new chunk.
func (s *Store) ChunkFor(w *Writer, t *Table, ts int64, part int) (*Chunk, error) {
	gone := func(c *Chunk) bool {
		return c.MergedInto != 0 || w != nil && w.snap.chunks[c.ID] != nil && w.snap.chunks[c.ID].dropped
	}
	cs := s.chunkSet(t.OID)
	cs.mu.RLock()
	for _, c := range cs.list {
		if ts >= c.Start && ts < c.End && c.Partition == part && !gone(c) {
			cs.mu.RUnlock()
			return c, nil
		}
	}
	cs.mu.RUnlock()

	cs.mu.Lock()
	defer cs.mu.Unlock()
	start, end := chunkRange(ts, t.Hyper.Interval)
	for _, c := range cs.list {
		if c.Partition != part || gone(c) {
			continue
		}
		if ts >= c.Start && ts < c.End {
			return c, nil
		}
		// A changed chunk interval must not make chunks overlap: cut the
		// new range at its neighbours.
		if c.End <= ts && c.End > start {
			start = c.End
		}
		if c.Start > ts && c.Start < end {
			end = c.Start
		}
	}
	id, err := s.db.NextSequence(seqChunk, 1)
	if err != nil {
		return nil, fmt.Errorf("allocate chunk id: %w", err)
	}
	schema := t.Hyper.AssociatedSchema
	if schema == "" {
		schema = SchemaInternal
	}
	prefix := t.Hyper.AssociatedPrefix
	if prefix == "" {
		prefix = fmt.Sprintf("_hyper_%d", t.Hyper.ID)
	}
	c := &Chunk{
		ID: uint64(id), Table: t.OID, HyperID: t.Hyper.ID, Schema: schema,
		Name:  fmt.Sprintf("%s_%d_chunk", prefix, id),
		Start: start, End: end, Partition: part,
		Created: time.Now().UnixMicro(),
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	txn := s.db.Begin()
	txn.PutMeta(chunkKey(c), b)
	if err := txn.Commit(); err != nil {
		return nil, fmt.Errorf("record chunk %s: %w", c.Name, err)
	}
	cs.insert(c)
	return c, nil
}

// chunkRange returns the aligned [start, end) of width interval holding
// ts. Like TimescaleDB, boundaries are multiples of the interval counted
// from the Unix epoch (so 7-day chunks start on Thursdays).
func chunkRange(ts, interval int64) (int64, int64) {
	q := ts / interval
	if ts%interval != 0 && ts < 0 {
		q--
	}
	start := q * interval
	end := start + interval
	if end < start { // overflow at the far end of the range
		end = math.MaxInt64
	}
	return start, end
}

// IsIntegerTime reports whether the hypertable's time column is an integer.
func (t *Table) IsIntegerTime() bool {
	if t.Hyper == nil {
		return false
	}
	i := t.ColByID(t.Hyper.TimeCol)
	return i >= 0 && t.Cols[i].Type.IsInteger()
}

// DropChunks removes chunks from the catalog in w's transaction (their
// data must be dropped by the caller in the same transaction); they
// disappear from the transaction's lookups at once and from everyone's
// when it commits.
func (s *Store) DropChunks(w *Writer, chunks []*Chunk) error {
	for _, c := range chunks {
		if err := w.lockChunk(c); err != nil {
			return err
		}
		if err := w.txn.RemoveChunk(c.ID); err != nil {
			return fmt.Errorf("drop chunk %s: %w", c.Name, err)
		}
		w.txn.DeleteMeta(chunkKey(c))
		w.dropChunk(c)
	}
	return nil
}

// dropChunk stages the removal of chunk c's record.
func (w *Writer) dropChunk(c *Chunk) {
	d := *c
	d.dropped = true
	w.stageChunk(&d)
}

// CompressChunk compresses chunk c of hypertable t (whose compression
// must be enabled) by t's settings in w's transaction and records it
// compressed, with its sizes, in the same transaction. A chunk compressed
// before keeps its first "before" size plus that of the rows added since.
// When t's compress_chunk_time_interval allows, c is rolled up into the
// compressed chunk before it instead (see mergeTarget). It returns the
// chunk now holding c's rows. Nothing is visible to others before the
// transaction commits, and a rollback undoes it.
func (s *Store) CompressChunk(w *Writer, t *Table, c *Chunk) (*Chunk, error) {
	if err := w.lockChunk(c); err != nil {
		return nil, err
	}
	c, err := s.current(w, c)
	if err != nil {
		return nil, err
	}
	opts := compressOptions(t.Hyper.Compression)
	if p := s.mergeTarget(w, t, c); p != nil {
		return s.compressInto(w, p, c, opts)
	}
	st, err := w.txn.CompressChunk(c.ID, opts)
	if err != nil {
		return nil, fmt.Errorf("compress chunk %s: %w", c.Name, err)
	}
	n := *c
	n.Compressed, n.BeforeBytes, n.AfterBytes = true, st.InputBytes, st.OutputBytes+st.KeptBytes
	if c.Compressed {
		n.BeforeBytes = c.BeforeBytes + st.UncompressedBytes
	}
	return &n, w.putChunk(&n)
}

// compressOptions turns compression settings into storage's options.
func compressOptions(comp *Compression) storage.CompressOptions {
	opts := storage.CompressOptions{SegmentBy: comp.SegmentBy}
	for _, o := range comp.OrderBy {
		opts.OrderBy = append(opts.OrderBy, storage.OrderCol{ID: o.Col, Desc: o.Desc, NullsFirst: o.NullsFirst})
	}
	return opts
}

// mergeTarget returns the chunk TimescaleDB's compress_chunk would roll
// uncompressed chunk c up into: the compressed chunk of the same space
// partition holding the instant before c's start, when the two ranges
// together span no more than compress_chunk_time_interval. Integer-time
// hypertables have no such interval.
func (s *Store) mergeTarget(w *Writer, t *Table, c *Chunk) *Chunk {
	limit := t.Hyper.Compression.ChunkInterval
	if limit <= 0 || c.Compressed || t.IsIntegerTime() {
		return nil
	}
	for _, p := range s.ChunksIn(w, t.OID) {
		if p.ID != c.ID && p.Partition == c.Partition && p.Start < c.Start && p.End == c.Start {
			if p.Compressed && (p.End-p.Start)+(c.End-c.Start) <= limit {
				return p
			}
			return nil
		}
	}
	return nil
}

// compressInto rolls chunk c up into compressed chunk p: c's rows and p's
// are compressed together into p, whose range grows to end where c's
// ended, and c's record is deleted.
func (s *Store) compressInto(w *Writer, p, c *Chunk, opts storage.CompressOptions) (*Chunk, error) {
	st, err := w.txn.CompressChunkInto(p.ID, c.ID, opts)
	if err != nil {
		return nil, fmt.Errorf("compress chunk %s into %s: %w", c.Name, p.Name, err)
	}
	n := *p
	n.End = c.End
	n.BeforeBytes = p.BeforeBytes + st.UncompressedBytes
	n.AfterBytes = st.OutputBytes
	if err := w.putChunk(&n); err != nil {
		return nil, err
	}
	merged := *c
	merged.MergedInto = p.ID
	w.txn.DeleteMeta(chunkKey(c))
	w.stageChunk(&merged)
	return &n, nil
}

// DecompressChunk turns chunk c back into ordinary blocks in w's
// transaction and records it uncompressed.
func (s *Store) DecompressChunk(w *Writer, c *Chunk) (*Chunk, error) {
	if err := w.lockChunk(c); err != nil {
		return nil, err
	}
	c, err := s.current(w, c)
	if err != nil {
		return nil, err
	}
	if _, err := w.txn.DecompressChunk(c.ID); err != nil {
		return nil, fmt.Errorf("decompress chunk %s: %w", c.Name, err)
	}
	n := *c
	n.Compressed, n.BeforeBytes, n.AfterBytes = false, 0, 0
	return &n, w.putChunk(&n)
}

// current returns chunk c's record as w's transaction sees it; it fails
// with 42P01 once c was dropped or rolled up into another chunk.
func (s *Store) current(w *Writer, c *Chunk) (*Chunk, error) {
	for _, x := range s.ChunksIn(w, c.Table) {
		if x.ID == c.ID {
			return x, nil
		}
	}
	return nil, pgerr.New(pgerr.UndefinedTable, "chunk %q does not exist", c.Name)
}

// putChunk writes chunk record c in w's transaction and stages it.
func (w *Writer) putChunk(c *Chunk) error {
	if err := w.put(chunkKey(c), c); err != nil {
		return err
	}
	w.stageChunk(c)
	return nil
}

// stageChunk makes c the chunk's record in w's lookups (ChunksIn) and,
// once the transaction commits, everyone's. A chunk whose range grows
// (a roll-up target) grows in everyone's lookups just before the commit
// writes, so a reader whose view includes the rows moved into it lists
// it (see storage.Txn.FixView); a chunk rolled up into another stays
// listed for scans (Chunk.MergedInto). Staged records live in the
// writer's snapshot, so savepoints restore them.
func (w *Writer) stageChunk(c *Chunk) {
	w.apply(func(s *Snapshot) {
		if s.chunks == nil {
			s.chunks = map[uint64]*Chunk{}
		}
		s.chunks[c.ID] = c
	})
	if w.chunkHooks {
		return
	}
	w.chunkHooks = true
	w.txn.BeforeCommit(func() {
		for _, n := range w.snap.chunks {
			w.s.widenChunk(n)
		}
	})
}

// widenChunk extends the listed range of n's chunk to n's when n's is
// wider.
func (s *Store) widenChunk(n *Chunk) {
	cs := s.chunkSet(n.Table)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for i, x := range cs.list {
		if x.ID == n.ID && (n.Start < x.Start || n.End > x.End) {
			wide := *x
			wide.Start, wide.End = min(x.Start, n.Start), max(x.End, n.End)
			cs.list[i] = &wide
		}
	}
}

// publishChunks makes committed chunk records current: dropped chunks
// (and those rolled up into them) leave the lists, others replace their
// old records.
func (s *Store) publishChunks(staged map[uint64]*Chunk) {
	epoch, oldest := s.db.Epoch(), s.db.OldestEpoch()
	tables := map[uint32]bool{}
	for _, n := range staged {
		tables[n.Table] = true
		if n.MergedInto != 0 {
			n.mergedEpoch = epoch
		}
	}
	for table := range tables {
		cs := s.chunkSet(table)
		cs.mu.Lock()
		out := cs.list[:0:0]
		for _, x := range cs.list {
			if n := staged[x.ID]; n != nil {
				x = n
			}
			into := staged[x.MergedInto]
			if x.dropped || into != nil && into.dropped || x.obsolete(oldest) {
				continue
			}
			out = append(out, x)
		}
		cs.list = out
		cs.mu.Unlock()
	}
}

// obsolete reports whether c was rolled up into another chunk before
// every open transaction began (oldest is storage.DB.OldestEpoch), so no
// scan can find rows under it any more.
func (c *Chunk) obsolete(oldest uint64) bool {
	return c.MergedInto != 0 && c.mergedEpoch != 0 && c.mergedEpoch <= oldest
}

// ChunksIn returns the hypertable's chunks ordered by start time as w's
// transaction sees them (w may be nil: everyone's view).
func (s *Store) ChunksIn(w *Writer, table uint32) []*Chunk {
	return s.chunksWhere(w, table, func(c *Chunk) bool { return c.MergedInto == 0 })
}

// ScanChunksIn returns the chunks a scan of [lo, hi] (inclusive bounds)
// must read in w's transaction (w may be nil): those whose range meets
// it, including chunks rolled up into another (see Chunk.MergedInto).
func (s *Store) ScanChunksIn(w *Writer, table uint32, lo, hi int64) []*Chunk {
	var oldest uint64
	known := false
	return s.chunksWhere(w, table, func(c *Chunk) bool {
		if c.Start > hi || c.End <= lo {
			return false
		}
		if c.MergedInto == 0 {
			return true
		}
		if !known { // only tables with rolled-up chunks pay for the epoch
			oldest, known = s.db.OldestEpoch(), true
		}
		return !c.obsolete(oldest)
	})
}

// chunksWhere returns table's chunks that keep selects, ordered by start
// time, with w's staged records in place of the published ones.
func (s *Store) chunksWhere(w *Writer, table uint32, keep func(*Chunk) bool) []*Chunk {
	var staged map[uint64]*Chunk
	if w != nil {
		staged = w.snap.chunks
	}
	cs := s.chunkSet(table)
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	var out []*Chunk
	for _, c := range cs.list {
		if n := staged[c.ID]; n != nil {
			c = n
		}
		if !c.dropped && keep(c) {
			out = append(out, c)
		}
	}
	return out
}
