package table

import (
	"slices"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
	"github.com/tsgres/tsgres/storage/keyenc"
)

// Unique indexes of hypertables. A hypertable keeps no index entries:
// a unique index holds because every write checks its rows against the
// rows of the chunk they go to. TimescaleDB requires a unique index to
// include the partitioning columns (VerifyHyperUnique), so equal keys
// always land in the same chunk and the check reads one chunk: the
// blocks whose time range and key-column metadata can hold a row's key
// (rows appended in time order, the common case, overlap no stored block
// and read nothing), in whatever state the chunk is (delta, sealed,
// compressed), plus the transaction's own appends.
//
// Two writers of one key take turns as on a regular table: a writer
// locks each key value it inserts (FOR NO KEY UPDATE strength, which
// conflicts with itself) before it looks, and looks at a fresh view of
// committed data, so the second finds the first's row once it commits.
// A batch of more than bulkUniqueRows rows for one chunk locks the
// chunk's keys as a whole instead (one lock instead of one per row):
// per-key lockers hold a weak lock on the same chunk-wide name, so a
// bulk writer and a per-key writer of one chunk take turns too.

// bulkUniqueRows is the largest batch for one chunk that locks its unique
// keys one by one.
const bulkUniqueRows = 512

// hyperUniques returns hypertable t's unique indexes.
func hyperUniques(t *catalog.Table) []*catalog.Index {
	var out []*catalog.Index
	for i := range t.Indexes {
		if ix := &t.Indexes[i]; ix.Unique {
			out = append(out, ix)
		}
	}
	return out
}

// HyperConflict is a row of a batch bound for a hypertable whose key in
// unique index Index is taken: by a stored row (row BlockRow of Block,
// when Block.Stored()) or by an earlier row of the batch (Prior).
type HyperConflict struct {
	Row      int
	Index    *catalog.Index
	Block    BlockRef
	BlockRow int
	Prior    int
}

// BlockRef names a stored block of a hypertable chunk as the transaction
// sees it; the zero BlockRef names none. It is comparable.
type BlockRef struct {
	chunk uint64
	blk   *storage.BlockMeta
}

// Stored reports whether b names a block.
func (b BlockRef) Stored() bool { return b.blk != nil }

// ReadBlockRef reads every column of block b of hypertable t, as
// ReadBlock does.
func (w *Writer) ReadBlockRef(t *catalog.Table, b BlockRef) (stored, rows *col.Batch, err error) {
	return w.ReadBlock(t, BlockScan(t, b.chunk, storage.MinTime, storage.MaxTime, nil), b.blk)
}

// RewriteBlockRef replaces block b of hypertable t with rows keep of
// stored (from ReadBlockRef), as RewriteBlock does.
func (w *Writer) RewriteBlockRef(t *catalog.Table, b BlockRef, stored *col.Batch, keep []int) error {
	return w.RewriteBlock(t, b.chunk, b.blk, stored, keep)
}

// checkHyperUnique fails with a UniqueViolation when a row of b (routed
// to groups) duplicates a stored row or an earlier row in a unique index
// of t.
func (w *Writer) checkHyperUnique(t *catalog.Table, b *col.Batch, groups []*chunkRows) error {
	conf, err := w.hyperConflicts(t, groups, hyperUniques(t))
	if err != nil || len(conf) == 0 {
		return err
	}
	first := conf[0]
	for _, c := range conf[1:] {
		if c.Row < first.Row {
			first = c
		}
	}
	return UniqueViolation(t, first.Index, b.Values(first.Row, nil))
}

// HyperConflicts routes rows b (SQL kinds, all of t's columns) of
// hypertable t to chunks, as AppendHyper would, locks their unique keys
// and returns every row whose key in a unique index is taken, at most
// one conflict per row, in row order. With rewrite, it first locks the
// chunks the rows go to for rewriting (LockForRewrite), so the blocks it
// names stay as they are until the transaction ends (INSERT ... ON
// CONFLICT DO UPDATE rewrites them).
func (w *Writer) HyperConflicts(t *catalog.Table, b *col.Batch, rewrite bool) ([]HyperConflict, error) {
	groups, err := w.routeHyper(t, b)
	if err != nil {
		return nil, err
	}
	if rewrite {
		ids := make([]uint64, len(groups))
		for i, g := range groups {
			ids[i] = g.c.ID
		}
		if err := w.LockForRewrite(t, ids); err != nil {
			return nil, err
		}
	}
	conf, err := w.hyperConflicts(t, groups, hyperUniques(t))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(conf, func(a, b HyperConflict) int { return a.Row - b.Row })
	return conf, nil
}

// hyperConflicts locks the keys of routed rows groups in unique indexes
// ixs of t and finds the rows whose keys are taken (rows numbered as in
// the routed batch).
func (w *Writer) hyperConflicts(t *catalog.Table, groups []*chunkRows, ixs []*catalog.Index) ([]HyperConflict, error) {
	type groupKeys struct {
		g    *chunkRows
		ix   *catalog.Index
		keys map[string]int // key -> first row of the group holding it
	}
	var conf []HyperConflict
	seen := map[int]bool{} // rows with a conflict already
	var all []groupKeys
	for _, g := range groups {
		for _, ix := range ixs {
			gk := groupKeys{g: g, ix: ix, keys: make(map[string]int, g.n)}
			pos := indexPositions(t, ix)
			var buf []byte
			for r := 0; r < g.n; r++ {
				k, ok := appendVecKey(buf[:0], g.vecs, pos, r)
				buf = k
				if !ok {
					continue
				}
				if prior, dup := gk.keys[string(k)]; dup {
					if row := g.batchRow(r); !seen[row] {
						seen[row] = true
						conf = append(conf, HyperConflict{Row: row, Index: ix, Prior: g.batchRow(prior)})
					}
					continue
				}
				gk.keys[string(k)] = r
			}
			if err := w.lockHyperKeys(t, ix, g.c, gk.keys); err != nil {
				return nil, err
			}
			all = append(all, gk)
		}
	}
	// The locks are held: read what the writers waited for committed
	// (in REPEATABLE READ too: ReadLatest).
	w.Txn.NewStatement()
	defer w.Txn.ReadLatest()()
	for _, gk := range all {
		if len(gk.keys) == 0 {
			continue
		}
		err := w.findStored(t, gk.g, gk.ix, func(key string, blk *storage.BlockMeta, blkRow int) {
			r, ok := gk.keys[key]
			if !ok {
				return
			}
			row := gk.g.batchRow(r)
			if seen[row] {
				return
			}
			seen[row] = true
			conf = append(conf, HyperConflict{Row: row, Index: gk.ix, Block: BlockRef{gk.g.c.ID, blk}, BlockRow: blkRow, Prior: -1})
		})
		if err != nil {
			return nil, err
		}
	}
	return conf, nil
}

// lockHyperKeys locks keys of unique index ix of hypertable t going to
// chunk c: one by one, under a shared chunk-wide lock, or all at once
// with the chunk-wide lock held exclusively when there are many.
func (w *Writer) lockHyperKeys(t *catalog.Table, ix *catalog.Index, c *catalog.Chunk, keys map[string]int) error {
	if len(keys) == 0 {
		return nil
	}
	sp := storage.Space{Table: uint64(t.OID), Index: ix.OID}
	wide := storage.Space{Table: uint64(t.OID) | 1<<63, Index: ix.OID}
	chunkKey := keyenc.AppendInt64(nil, int64(c.ID))
	if len(keys) > bulkUniqueRows {
		_, err := w.lockKey(t, wide, chunkKey, LockUpdate, Wait)
		return err
	}
	if _, err := w.lockKey(t, wide, chunkKey, LockKeyShare, Wait); err != nil {
		return err
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted) // a fixed order: two batches do not deadlock
	for _, k := range sorted {
		if _, err := w.lockKey(t, sp, []byte(k), LockNoKeyUpdate, Wait); err != nil {
			return err
		}
	}
	return nil
}

// findStored calls found with the key in unique index ix of every stored
// row of chunk g.c that may share a key with the rows of g: the rows of
// the blocks whose time range and key-column ranges overlap theirs.
func (w *Writer) findStored(t *catalog.Table, g *chunkRows, ix *catalog.Index, found func(key string, blk *storage.BlockMeta, blkRow int)) error {
	ti := t.ColByID(t.Hyper.TimeCol)
	tmin, tmax := vecRange(g.vecs[ti], g.n)
	spec := keyScan(t, ix, g.c.ID, tmin.(int64), tmax.(int64))
	for _, p := range indexPositions(t, ix) {
		if p == ti {
			continue
		}
		if lo, hi := vecRange(g.vecs[p], g.n); lo != nil {
			id := t.Cols[p].ID
			spec.Preds = append(spec.Preds, storage.BlockPred{Col: id, Op: storage.OpGe, Value: lo}, storage.BlockPred{Col: id, Op: storage.OpLe, Value: hi})
		}
	}
	return w.eachStoredKey(spec, func(key []byte, blk *storage.BlockMeta, r int) error {
		found(string(key), blk, r)
		return nil
	})
}

// keyScan returns the scan of the key columns of index ix (only, in
// index order) of chunk chunkID of hypertable t over times [tmin, tmax].
func keyScan(t *catalog.Table, ix *catalog.Index, chunkID uint64, tmin, tmax int64) *storage.ScanSpec {
	schema := ChunkSchema(t)
	spec := &storage.ScanSpec{Chunk: chunkID, TimeCol: t.Hyper.TimeCol, TimeMin: tmin, TimeMax: tmax}
	for _, p := range indexPositions(t, ix) {
		spec.Cols = append(spec.Cols, schema.Cols[p])
	}
	return spec
}

// eachStoredKey calls found with the key of every row, with a key free of
// NULLs, of the blocks keyScan spec lists (as the transaction sees them),
// with the block and the row's position in it.
func (w *Writer) eachStoredKey(spec *storage.ScanSpec, found func(key []byte, blk *storage.BlockMeta, r int) error) error {
	blocks, _, err := w.Txn.Blocks(spec)
	if err != nil {
		return err
	}
	keyPos := make([]int, len(spec.Cols))
	for i := range keyPos {
		keyPos[i] = i
	}
	var buf []byte
	for _, blk := range blocks {
		sb, err := w.Txn.ReadBlock(spec, blk)
		if err != nil {
			return err
		}
		sb = sb.Compact()
		for r := 0; r < sb.Rows(); r++ {
			k, ok := appendVecKey(buf[:0], sb.Cols, keyPos, r)
			buf = k
			if !ok {
				continue
			}
			if err := found(k, blk, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// indexPositions returns the column positions of index ix's key columns.
func indexPositions(t *catalog.Table, ix *catalog.Index) []int {
	pos := make([]int, len(ix.Cols))
	for i, id := range ix.Cols {
		pos[i] = t.ColByID(id)
	}
	return pos
}

// appendVecKey appends the key of row r of storable vectors vecs at
// positions pos; false when one of them is NULL (NULLs never conflict).
func appendVecKey(k []byte, vecs []*col.Vec, pos []int, r int) ([]byte, bool) {
	for _, p := range pos {
		v := vecs[p]
		if v.IsNull(r) {
			return k, false
		}
		switch v.Kind {
		case col.Int64:
			k = keyenc.AppendInt64(k, v.I64[r])
		case col.Float64:
			x := v.F64[r]
			if x == 0 {
				x = 0 // -0 = 0
			}
			k = keyenc.AppendFloat64(k, x)
		case col.Bool:
			k = keyenc.AppendBool(k, v.B[r])
		default:
			k = keyenc.AppendString(k, v.S[r])
		}
	}
	return k, true
}

// vecRange returns the least and greatest non-null values of the first
// n values of storable vector v (nil, nil when all are NULL or v's kind
// has no block metadata).
func vecRange(v *col.Vec, n int) (lo, hi any) {
	for r := 0; r < n; r++ {
		if v.IsNull(r) {
			continue
		}
		var x any
		switch v.Kind {
		case col.Int64:
			x = v.I64[r]
		case col.Float64:
			x = v.F64[r]
		case col.Bytes:
			x = v.S[r]
		default:
			return nil, nil
		}
		if lo == nil || less(x, lo) {
			lo = x
		}
		if hi == nil || less(hi, x) {
			hi = x
		}
	}
	return lo, hi
}

// less orders two values of one storable kind.
func less(a, b any) bool {
	switch a := a.(type) {
	case int64:
		return a < b.(int64)
	case float64:
		return a < b.(float64)
	case string:
		return a < b.(string)
	}
	return false
}

// codeBadUniqueIndex is TimescaleDB's SQLSTATE for a unique index that
// leaves out a partitioning column.
const codeBadUniqueIndex pgerr.Code = "TS103"

// VerifyHyperUnique fails, as TimescaleDB does, when unique index ix of
// hypertable t leaves out one of its partitioning columns (time, and
// the space column when there is one): equal keys could then land in
// different chunks.
func VerifyHyperUnique(t *catalog.Table, ix *catalog.Index) error {
	if t.Hyper == nil || !ix.Unique {
		return nil
	}
	parts := []uint32{t.Hyper.TimeCol}
	if sp := t.Hyper.Space; sp != nil {
		parts = append(parts, sp.Col)
	}
	for _, id := range parts {
		if !slices.Contains(ix.Cols, id) {
			return pgerr.New(codeBadUniqueIndex, "cannot create a unique index without the column %q (used in partitioning)", t.Cols[t.ColByID(id)].Name).
				WithHint("If you're creating a hypertable on a table with a primary key, ensure the partitioning column is part of the primary or composite key.")
		}
	}
	return nil
}

// CheckHyperUniqueData fails with 23505 when two stored rows of
// hypertable t share a key of unique index ix (CREATE UNIQUE INDEX and
// ADD CONSTRAINT on a hypertable with rows).
func (w *Writer) CheckHyperUniqueData(t *catalog.Table, ix *catalog.Index) error {
	for _, c := range w.Env.ScanChunks(t.OID, storage.MinTime, storage.MaxTime) {
		seen := map[string]bool{}
		err := w.eachStoredKey(keyScan(t, ix, c.ID, storage.MinTime, storage.MaxTime), func(key []byte, blk *storage.BlockMeta, r int) error {
			if !seen[string(key)] {
				seen[string(key)] = true
				return nil
			}
			sb, err := w.Txn.ReadBlock(keyScan(t, ix, c.ID, storage.MinTime, storage.MaxTime), blk)
			if err != nil {
				return err
			}
			return duplicatedKey(t, ix, sb.Compact(), r)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// duplicatedKey is the error of building unique index ix of t over rows
// that hold row r of sb (ix's key columns, storable kinds) twice.
func duplicatedKey(t *catalog.Table, ix *catalog.Index, sb *col.Batch, r int) error {
	row := make([]any, len(t.Cols))
	for i, id := range ix.Cols {
		c := t.ColByID(id)
		v, err := FromStorage(t.Cols[c].Type, sb.Cols[i].Slice(r, r+1))
		if err != nil {
			return err
		}
		row[c] = v.Get(0)
	}
	return duplicateIndexKey(t, ix, row)
}
