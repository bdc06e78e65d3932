package storage

// Series clustering: the row order of blocks. A hypertable may name a
// series key (ChunkSchema.SeriesCol: the device, sensor or tag id its
// rows belong to); the blocks storage writes for it are then sorted by
// (series key, time) instead of by time alone, and the per-column min/max
// metadata of the series column bounds the series a block holds, so a
// scan for one series or a few (a BlockPred on the series column) reads
// only the blocks that can hold them.
//
// Three writers keep the order:
//
//   - a commit sorts each append's rows by (series, time) before cutting
//     them into blocks (full ones sealed, the tail a delta block), so even
//     fresh data is selective: a 10,000-row COPY of 100 devices becomes
//     three blocks of about 40 devices each, not three blocks of all 100;
//   - the merge sorts its inputs (delta blocks and small sealed blocks)
//     by (series, time);
//   - the recluster rewrites a chunk that went idle (clusterIdleAge
//     without a new commit) whose blocks overlap in their series ranges
//     into one run of blocks sorted by (series, time) across the chunk, so
//     one series' rows of the chunk sit in one or two blocks. Chunks too
//     large for one pass (rewritePassBytes) are rewritten in time-range
//     passes, each pass one run.
//
// Readers never rely on the order within a block: block skipping works
// on metadata, ordered scans sort blocks by their time ranges and merge
// overlapping ones (a clustered block spans its run's whole time range),
// and rewrites keep a block sealed only while its rows keep the order.

import (
	"cmp"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/tsgres/tsgres/storage/col"
)

// clusterIdleAge is how long a chunk must go without a commit before the
// recluster rewrites it; a chunk still being loaded is left alone, so a
// bulk load pays for the rewrite once per chunk.
const clusterIdleAge = 3 * time.Second

// clusterMinOverlaps is how many overlapping blocks (seriesOverlaps) make
// a chunk worth reclustering: a few late rows folded in by the merge
// cost a one-series scan a block or two each, not a rewrite of the chunk.
const clusterMinOverlaps = 4

// clusterIdleCheck is how often the background merge looks for idle
// chunks (to recluster, or to seal delta blocks after mergeIdleAge).
const clusterIdleCheck = time.Second

// seriesIdx returns the index in s.Cols of the series key column, or -1
// when s has none (or lacks the column).
func (s ChunkSchema) seriesIdx() int {
	if s.SeriesCol == 0 {
		return -1
	}
	return colIndex(s.Cols, s.SeriesCol)
}

// compareAt compares slots i and j of v, nulls last; floats order as
// PostgreSQL does (NaN greatest), strings bytewise (as block min/max).
func compareAt(v *col.Vec, i, j int) int {
	ni, nj := v.IsNull(i), v.IsNull(j)
	switch {
	case ni || nj:
		return cmp3(nj && !ni, ni && !nj)
	}
	switch v.Kind {
	case col.Int64:
		return cmp.Compare(v.I64[i], v.I64[j])
	case col.Float64:
		return cmp3(floatLess(v.F64[i], v.F64[j]), floatLess(v.F64[j], v.F64[i]))
	case col.Bool:
		return cmp3(!v.B[i] && v.B[j], v.B[i] && !v.B[j])
	case col.Bytes:
		return cmp.Compare(v.S[i], v.S[j])
	}
	return 0
}

// rowOrder compares rows i and j of b by schema's block order: (series,
// time) with a series key, else time.
func rowOrder(schema ChunkSchema, si int, b *col.Batch) func(i, j int) int {
	t := b.Cols[schema.TimeCol].I64
	if si < 0 {
		return func(i, j int) int { return cmp.Compare(t[i], t[j]) }
	}
	s := b.Cols[si]
	if s.Kind == col.Int64 && !s.HasNulls() {
		k := s.I64
		return func(i, j int) int {
			if c := cmp.Compare(k[i], k[j]); c != 0 {
				return c
			}
			return cmp.Compare(t[i], t[j])
		}
	}
	return func(i, j int) int {
		if c := compareAt(s, i, j); c != 0 {
			return c
		}
		return cmp.Compare(t[i], t[j])
	}
}

// inBlockOrder reports whether b's rows are in schema's block order.
func inBlockOrder(schema ChunkSchema, b *col.Batch) bool {
	si := schema.seriesIdx()
	if si < 0 {
		return sortedByTime(schema, b)
	}
	less := rowOrder(schema, si, b)
	for i := 1; i < b.Rows(); i++ {
		if less(i-1, i) > 0 {
			return false
		}
	}
	return true
}

// sortBlockOrder returns b's rows stably sorted in schema's block order:
// by (series key, time) when schema names one, else by time. A sorted b
// is returned as it is.
func sortBlockOrder(schema ChunkSchema, b *col.Batch) *col.Batch {
	if inBlockOrder(schema, b) {
		return b
	}
	perm := blockPerm(schema, b)
	vecs := make([]*col.Vec, len(b.Cols))
	for i, v := range b.Cols {
		if v.Len() != b.Rows() {
			v = v.Slice(0, b.Rows())
		}
		vecs[i] = v.Gather(perm)
	}
	return col.FromVecs(vecs, b.Rows())
}

// blockPerm returns the permutation sorting b's rows stably in schema's
// block order. An int64 or text series key is bucketed in one pass
// (stable, NULLs last), and only the buckets whose rows are not already
// in time order are sorted: rows read block after block, as the merge and
// the recluster read them, are mostly in time order within a series.
func blockPerm(schema ChunkSchema, b *col.Batch) []int {
	n := b.Rows()
	t := b.Cols[schema.TimeCol].I64
	byTime := func(g []int) {
		for k := 1; k < len(g); k++ {
			if t[g[k]] < t[g[k-1]] {
				slices.SortFunc(g, func(i, j int) int {
					if c := cmp.Compare(t[i], t[j]); c != 0 {
						return c
					}
					return cmp.Compare(i, j)
				})
				return
			}
		}
	}
	si := schema.seriesIdx()
	var perm, starts []int
	if si >= 0 {
		perm, starts = bucketPerm(b.Cols[si], n)
	}
	if perm == nil {
		perm = make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		if si < 0 {
			byTime(perm)
			return perm
		}
		order := rowOrder(schema, si, b)
		slices.SortFunc(perm, func(i, j int) int {
			if c := order(i, j); c != 0 {
				return c
			}
			return cmp.Compare(i, j)
		})
		return perm
	}
	for g := range starts {
		end := n
		if g+1 < len(starts) {
			end = starts[g+1]
		}
		byTime(perm[starts[g]:end])
	}
	return perm
}

// bucketPerm groups the first n slots of an int64 or text vector by value:
// it returns the positions ordered by value (NULLs last), stable within a
// value, and where each value's run starts; nil for other kinds.
func bucketPerm(v *col.Vec, n int) (perm, starts []int) {
	var keys []int64
	switch v.Kind {
	case col.Int64:
		keys = v.I64[:n]
	case col.Bytes:
		// Number the distinct strings in sorted order, then bucket those.
		ids := map[string]int64{}
		for i, s := range v.S[:n] {
			if !v.IsNull(i) {
				ids[s] = 0
			}
		}
		names := make([]string, 0, len(ids))
		for s := range ids {
			names = append(names, s)
		}
		slices.Sort(names)
		for i, s := range names {
			ids[s] = int64(i)
		}
		keys = make([]int64, n)
		for i, s := range v.S[:n] {
			keys[i] = ids[s]
		}
	default:
		return nil, nil
	}
	nulls := v.HasNulls()
	at := map[int64]int{}
	nnull := 0
	for i, k := range keys {
		if nulls && v.IsNull(i) {
			nnull++
			continue
		}
		at[k]++
	}
	distinct := make([]int64, 0, len(at))
	for k := range at {
		distinct = append(distinct, k)
	}
	slices.Sort(distinct)
	starts = make([]int, 0, len(distinct)+1)
	pos := 0
	for _, k := range distinct {
		c := at[k]
		at[k] = pos
		starts = append(starts, pos)
		pos += c
	}
	nullAt := pos
	if nnull > 0 {
		starts = append(starts, pos)
	}
	perm = make([]int, n)
	for i, k := range keys {
		if nulls && v.IsNull(i) {
			perm[nullAt] = i
			nullAt++
			continue
		}
		perm[at[k]] = i
		at[k]++
	}
	return perm, starts
}

// seriesOverlaps counts the uncompressed blocks among blocks whose series
// range overlaps an earlier one's (in order of series minimum): 0 when
// the chunk is one clustered run (adjacent blocks may share their
// boundary series). NULL series sort last. Delta blocks and blocks not
// sorted by series count as overlapping.
func seriesOverlaps(blocks []*BlockMeta, series uint32) int {
	var spans []seriesSpan
	n := 0
	for _, m := range blocks {
		if m.Compressed {
			continue
		}
		c := m.Col(series)
		if c == nil || m.SeriesCol != series || !m.Sealed || c.Min == nil && c.NullCount < c.Count {
			n++
			continue
		}
		s := seriesSpan{kind: c.Kind, lo: c.Min, hi: c.Max}
		if c.NullCount > 0 {
			s.hi = nil // a NULL sorts after every value
		}
		spans = append(spans, s)
	}
	slices.SortFunc(spans, func(a, b seriesSpan) int {
		if c := a.cmp(a.lo, b.lo); c != 0 {
			return c
		}
		return a.cmp(a.hi, b.hi)
	})
	for i := 1; i < len(spans); i++ {
		a, b := &spans[i-1], &spans[i]
		if a.cmp(b.lo, a.hi) < 0 {
			n++
		}
		if a.cmp(b.hi, a.hi) < 0 {
			b.hi = a.hi
		}
	}
	return n
}

// seriesSpan is the series range of a block; a nil bound is NULL, which
// sorts after every value.
type seriesSpan struct {
	kind   col.Kind
	lo, hi any
}

func (s seriesSpan) cmp(a, b any) int {
	switch {
	case a == nil || b == nil:
		return cmp3(a != nil, a == nil && b != nil)
	}
	c, _ := compareStat(s.kind, a, b)
	return c
}

// needsRecluster reports whether the uncompressed blocks of a chunk are
// worth rewriting as one clustered run: they have a series key (that of
// the newest block) and at least clusterMinOverlaps of them overlap in
// their series ranges or are delta blocks.
func needsRecluster(blocks []*BlockMeta) bool {
	var newest *BlockMeta
	for _, m := range blocks {
		if !m.Compressed && (newest == nil || m.ID > newest.ID) {
			newest = m
		}
	}
	if newest == nil || newest.SeriesCol == 0 {
		return false
	}
	return seriesOverlaps(blocks, newest.SeriesCol) >= clusterMinOverlaps
}

// Recluster rewrites the uncompressed blocks of chunk as one run sorted by
// (series key, time) when at least clusterMinOverlaps of them overlap in
// their series ranges (normally done in the background once the chunk is
// idle). Like Merge it gives up without error when a concurrent commit
// changed an input block.
func (db *DB) Recluster(chunk uint64) error {
	return db.recluster(chunk)
}

func (db *DB) recluster(chunk uint64) error {
	db.merge.run.Lock()
	defer db.merge.run.Unlock()
	if db.pinned(chunk) {
		return nil
	}
	snap := db.pdb.NewSnapshot()
	defer snap.Close()
	in, err := db.listInputs(snap, chunk, func(m *BlockMeta) bool { return !m.Compressed })
	if err != nil || len(in.blocks) == 0 || !needsRecluster(in.blocks) {
		return err
	}
	if in.schema, err = unionSchema(in.blocks); err != nil {
		return err
	}
	var blocks []encodedBlock
	for _, r := range passRanges(in.blocks, len(in.schema.Cols)) {
		part := &chunkInput{chunk: chunk, schema: in.schema}
		if part.rows, err = readRange(snap, []*chunkInput{in}, in.schema, r); err != nil {
			return err
		}
		out, err := sealedBlocks(part, 1)
		if err != nil {
			return err
		}
		blocks = append(blocks, out...)
	}
	_, err = db.swap(in, blocks, pebble.NoSync)
	return err
}
