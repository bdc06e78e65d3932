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
//   - the recluster rewrites a chunk that went idle (see clusterIdleAge)
//     and whose series are spread over many blocks (small commits) in
//     slabs: time ranges of about clusterSlabSeriesRows rows per series,
//     each sorted by (series, time), so one series' rows of a slab sit in
//     one or two blocks while time-range queries still skip other slabs.
//     Chunks too large for one pass (rewritePassBytes) are rewritten in
//     time-range passes.
//
// Readers never rely on the order within a block: block skipping works
// on metadata, ordered scans sort blocks by their time ranges and merge
// overlapping ones (a clustered block spans its run's whole time range),
// and rewrites keep a block sealed only while its rows keep the order.

import (
	"cmp"
	"fmt"
	"slices"
	"time"
	"unsafe"

	"github.com/tsgres/tsgres/storage/col"
)

// A chunk is reclustered once it went clusterIdleAge without a commit
// and either the whole database did too (the rewrite waits for a quiet
// moment instead of competing with a bulk load) or the chunk went
// clusterBusyAge without one (a server that never pauses still gets its
// older chunks reclustered). A chunk still being loaded is left alone, so
// a bulk load pays for the rewrite once per chunk.
const (
	clusterIdleAge = 3 * time.Second
	clusterBusyAge = time.Minute
)

// clusterMinUnsorted is how many blocks not sorted by the series key
// (delta blocks, blocks from before the key) make a chunk worth
// reclustering: a few cost a one-series scan a block each, not a rewrite
// of the chunk.
const clusterMinUnsorted = 4

// A slab is the part of a chunk the recluster sorts by (series key,
// time) as a whole: its rows are the chunk's within a time range, about
// clusterSlabSeriesRows per series and at least clusterSlabMinRows. One
// series' rows of a slab then sit in one or two blocks, and a time-range
// query still skips the slabs outside its range (a slab of 100 devices
// reporting every 10 s spans about 1.8 hours).
const (
	clusterSlabMinRows    = 16 * SealedBlockRows
	clusterSlabSeriesRows = 512
)

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

// sortBlockOrderOwned is sortBlockOrder for a batch whose vectors the
// caller handed over (nobody else reads or writes them): the rows are
// permuted in place instead of gathered into new vectors, which spares a
// COPY's every batch one allocation (and a garbage collection's worth of
// work) the size of its data. Vectors sharing storage fall back to
// sortBlockOrder.
func sortBlockOrderOwned(schema ChunkSchema, b *col.Batch) *col.Batch {
	if inBlockOrder(schema, b) {
		return b
	}
	if !exactLen(b) || sharesStorage(b) {
		return sortBlockOrder(schema, b)
	}
	permuteInPlace(b, blockPerm(schema, b))
	return b
}

// sharesStorage reports whether two vectors of b share a backing array
// (one vector used for two columns, or slices of one), which an
// in-place permutation would permute twice.
func sharesStorage(b *col.Batch) bool {
	seen := make(map[unsafe.Pointer]bool, 2*len(b.Cols))
	note := func(p unsafe.Pointer) bool {
		if p == nil {
			return false
		}
		if seen[p] {
			return true
		}
		seen[p] = true
		return false
	}
	for _, v := range b.Cols {
		var p unsafe.Pointer
		switch v.Kind {
		case col.Int64:
			p = unsafe.Pointer(unsafe.SliceData(v.I64))
		case col.Float64:
			p = unsafe.Pointer(unsafe.SliceData(v.F64))
		case col.Bool:
			p = unsafe.Pointer(unsafe.SliceData(v.B))
		case col.Bytes:
			p = unsafe.Pointer(unsafe.SliceData(v.S))
		case col.Any:
			p = unsafe.Pointer(unsafe.SliceData(v.A))
		}
		if note(p) || note(unsafe.Pointer(unsafe.SliceData(v.Nulls))) {
			return true
		}
	}
	return false
}

// permuteInPlace reorders the slots of b's vectors so that slot j holds
// what slot perm[j] held, following perm's cycles (computed once for all
// vectors).
func permuteInPlace(b *col.Batch, perm []int) {
	// cyc lists each cycle of length > 1 as its slots c0, c1 = perm[c0],
	// ...; ends[k] is where cycle k ends in cyc.
	cyc := make([]int, 0, len(perm))
	var ends []int
	done := make([]bool, len(perm))
	for s := range perm {
		if done[s] || perm[s] == s {
			continue
		}
		for j := s; !done[j]; j = perm[j] {
			done[j] = true
			cyc = append(cyc, j)
		}
		ends = append(ends, len(cyc))
	}
	for _, v := range b.Cols {
		switch v.Kind {
		case col.Int64:
			applyCycles(v.I64, cyc, ends)
		case col.Float64:
			applyCycles(v.F64, cyc, ends)
		case col.Bool:
			applyCycles(v.B, cyc, ends)
		case col.Bytes:
			applyCycles(v.S, cyc, ends)
		case col.Any:
			applyCycles(v.A, cyc, ends)
		}
		if v.Nulls != nil {
			applyCycles(v.Nulls, cyc, ends)
		}
	}
}

// applyCycles moves s[c[i+1]] to s[c[i]] along each cycle c of cyc (see
// permuteInPlace), the first slot's value going to the last.
func applyCycles[T any](s []T, cyc, ends []int) {
	from := 0
	for _, end := range ends {
		c := cyc[from:end]
		first := s[c[0]]
		for i := 0; i+1 < len(c); i++ {
			s[c[i]] = s[c[i+1]]
		}
		s[c[len(c)-1]] = first
		from = end
	}
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
	if perm, starts, ok := bucketDense(keys, v, nulls); ok {
		return perm, starts
	}
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

// clusterShape describes how the uncompressed blocks of a chunk are laid
// out with respect to its series key: rows in them, how many blocks are
// not sorted by the key (delta blocks, blocks written before the key),
// and fanout, the average number of blocks whose series range holds a
// series (probed at the blocks' minimums): what a one-series scan of the
// whole chunk reads.
type clusterShape struct {
	rows, unsorted int
	fanout         float64
}

// clusterProbes bounds the series values shapeOf probes.
const clusterProbes = 64

func shapeOf(blocks []*BlockMeta, series uint32) clusterShape {
	var sh clusterShape
	var spans []seriesSpan
	for _, m := range blocks {
		if m.Compressed {
			continue
		}
		sh.rows += m.Rows
		if !m.Sealed || m.SeriesCol != series {
			sh.unsorted++
		}
		if c := m.Col(series); c != nil && c.Min != nil {
			spans = append(spans, seriesSpan{kind: c.Kind, lo: c.Min, hi: c.Max})
		}
	}
	if len(spans) == 0 {
		return sh
	}
	step := max(1, len(spans)/clusterProbes)
	probes, hits := 0, 0
	for i := 0; i < len(spans); i += step {
		v := spans[i].lo
		probes++
		for _, s := range spans {
			lo, _ := compareStat(s.kind, v, s.lo)
			hi, _ := compareStat(s.kind, v, s.hi)
			if lo >= 0 && hi <= 0 {
				hits++
			}
		}
	}
	sh.fanout = float64(hits) / float64(probes)
	return sh
}

// seriesSpan is the series range of a block.
type seriesSpan struct {
	kind   col.Kind
	lo, hi any
}

// needsRecluster reports whether the uncompressed blocks of a chunk are
// worth rewriting in slabs: they have a series key (that of the newest
// block), and either clusterMinUnsorted of them are not sorted by it or
// a series is spread over more than about twice as many blocks as the
// slabs would make (small commits, or late rows merged across slabs).
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
	sh := shapeOf(blocks, newest.SeriesCol)
	slabs := (sh.rows + clusterSlabMinRows - 1) / clusterSlabMinRows
	return sh.unsorted >= clusterMinUnsorted || sh.fanout > float64(2*slabs+1)
}

// Recluster rewrites the uncompressed blocks of chunk in slabs, each
// sorted by (series key, time), when needsRecluster says so (normally
// done in the background once the chunk is idle). Like Merge it gives up
// without error when a concurrent commit changed an input block.
func (db *DB) Recluster(chunk uint64) error {
	return db.recluster(chunk)
}

func (db *DB) recluster(chunk uint64) error {
	return db.rewriteChunk(chunk, func(snap reader) (*chunkInput, error) {
		in, err := db.listInputs(snap, chunk, func(m *BlockMeta) bool { return !m.Compressed })
		if err != nil || len(in.blocks) == 0 || !needsRecluster(in.blocks) {
			return nil, err
		}
		in.schema, err = unionSchema(in.blocks)
		return in, err
	}, func(snap reader, in *chunkInput) ([]encodedBlock, error) {
		var blocks []encodedBlock
		for _, r := range passRanges(in.blocks, len(in.schema.Cols)) {
			rows, err := readRange(snap, []*chunkInput{in}, in.schema, r)
			if err != nil {
				return nil, fmt.Errorf("recluster chunk %d: %w", chunk, err)
			}
			out, err := slabBlocks(&chunkInput{schema: in.schema, rows: rows}, 1)
			if err != nil {
				return nil, fmt.Errorf("recluster chunk %d: %w", chunk, err)
			}
			blocks = append(blocks, out...)
		}
		return blocks, nil
	})
}

// slabParts returns b's rows sorted in slabs (by time range, see
// clusterSlabMinRows), each slab by (series key, time), and cut into
// blocks of SealedBlockRows rows (a slab's last block may be shorter).
// A series key that cannot be bucketed (float, bool) makes one slab.
func slabParts(schema ChunkSchema, b *col.Batch) []*col.Batch {
	n := b.Rows()
	if n == 0 {
		return nil
	}
	si := schema.seriesIdx()
	var perm, starts []int
	if si >= 0 {
		perm, starts = bucketPerm(b.Cols[si], n)
	}
	var cuts []int // slab ends in the final order
	if perm == nil {
		perm = blockPerm(schema, b)
		cuts = []int{n}
	} else {
		perm, cuts = slabOrder(b.Cols[schema.TimeCol].I64, perm, starts, n)
	}
	vecs := make([]*col.Vec, len(b.Cols))
	for i, v := range b.Cols {
		if v.Len() != n {
			v = v.Slice(0, n)
		}
		vecs[i] = v.Gather(perm)
	}
	sorted := col.FromVecs(vecs, n)
	var parts []*col.Batch
	from := 0
	for _, end := range cuts {
		for ; from < end; from += SealedBlockRows {
			parts = append(parts, sliceExact(sorted, from, min(from+SealedBlockRows, end)))
		}
		from = end
	}
	return parts
}

// slabOrder reorders perm, rows grouped by series (the groups starting at
// starts), into slabs: time ranges holding about max(clusterSlabMinRows,
// clusterSlabSeriesRows per series) rows each, whose rows are ordered by
// (series, time). It returns the order and where each slab ends.
func slabOrder(t []int64, perm, starts []int, n int) ([]int, []int) {
	ends := make([]int, len(starts))
	for g := range starts {
		ends[g] = n
		if g+1 < len(starts) {
			ends[g] = starts[g+1]
		}
		grp := perm[starts[g]:ends[g]]
		if !slices.IsSortedFunc(grp, func(i, j int) int { return cmp.Compare(t[i], t[j]) }) {
			slices.SortStableFunc(grp, func(i, j int) int { return cmp.Compare(t[i], t[j]) })
		}
	}
	size := max(clusterSlabMinRows, clusterSlabSeriesRows*len(starts))
	slabs := max(1, (n+size/2)/size)
	if slabs == 1 {
		return perm, []int{n}
	}
	// Slab bounds: time quantiles of a sample of the rows.
	step := max(1, n/(64*slabs))
	var sample []int64
	for i := 0; i < n; i += step {
		sample = append(sample, t[i])
	}
	slices.Sort(sample)
	bounds := make([]int64, slabs-1) // slab k holds times < bounds[k]
	for k := range bounds {
		bounds[k] = sample[(k+1)*len(sample)/slabs]
	}
	out := make([]int, 0, n)
	cuts := make([]int, 0, slabs)
	at := slices.Clone(starts) // each group's next row
	for k := 0; k <= len(bounds); k++ {
		for g := range starts {
			for at[g] < ends[g] && (k == len(bounds) || t[perm[at[g]]] < bounds[k]) {
				out = append(out, perm[at[g]])
				at[g]++
			}
		}
		if len(out) > 0 && (len(cuts) == 0 || cuts[len(cuts)-1] < len(out)) {
			cuts = append(cuts, len(out))
		}
	}
	return out, cuts
}

// bucketDense is bucketPerm's counting sort for keys whose range is at
// most a few times their count (device ids numbered from 1, say): an
// array of counts instead of a map. ok is false for sparse keys.
func bucketDense(keys []int64, v *col.Vec, nulls bool) (perm, starts []int, ok bool) {
	n := len(keys)
	first := true
	var lo, hi int64
	for i, k := range keys {
		if nulls && v.IsNull(i) {
			continue
		}
		if first || k < lo {
			lo = k
		}
		if first || k > hi {
			hi = k
		}
		first = false
	}
	if first {
		lo, hi = 0, -1 // all NULL
	} else if hi-lo < 0 || uint64(hi-lo) > uint64(2*n+1024) {
		return nil, nil, false
	}
	at := make([]int, hi-lo+2) // last slot: NULLs
	null := len(at) - 1
	slot := func(i int) int {
		if nulls && v.IsNull(i) {
			return null
		}
		return int(keys[i] - lo)
	}
	for i := range keys {
		at[slot(i)]++
	}
	pos := 0
	for k, c := range at {
		if c > 0 {
			starts = append(starts, pos)
		}
		at[k] = pos
		pos += c
	}
	perm = make([]int, n)
	for i := range keys {
		k := slot(i)
		perm[at[k]] = i
		at[k]++
	}
	return perm, starts, true
}

// slabBlocks encodes the input rows as sealed blocks in slabs (slabParts)
// on up to workers goroutines: the layout the recluster writes, which
// DecompressChunk writes too.
func slabBlocks(in *chunkInput, workers int) ([]encodedBlock, error) {
	if in.rows == nil || in.rows.Rows() == 0 {
		return nil, nil
	}
	parts := slabParts(in.schema, in.rows)
	sealed := make([]bool, len(parts))
	for i := range parts {
		sealed[i] = true
	}
	return encodeBlocks(in.schema, parts, sealed, workers, false)
}
