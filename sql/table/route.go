package table

import (
	"hash/fnv"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Hypertable routing: rows written to a hypertable go to the chunk whose
// time range (and space partition) holds them, appended to the
// transaction in their storable form, after their last-value entries are
// updated and their times noted for the continuous aggregates.

// ChunkSchema returns the storage schema of hypertable t's chunks: every
// column with its storable kind, the time column and the series key the
// blocks are clustered by (catalog.Table.SeriesKey).
func ChunkSchema(t *catalog.Table) storage.ChunkSchema {
	cs := storage.ChunkSchema{Cols: make([]storage.ColumnRef, len(t.Cols)), TimeCol: t.ColByID(t.Hyper.TimeCol), SeriesCol: t.SeriesKey()}
	for i, c := range t.Cols {
		cs.Cols[i] = storage.ColumnRef{ID: c.ID, Kind: StorageKind(c.Type)}
	}
	return cs
}

// spacePartition returns the space partition of row of b: the FNV-1a hash
// of the space column's text form modulo the partition count (0 without
// space partitioning and for NULL).
func spacePartition(t *catalog.Table, b *col.Batch, row int) int {
	sp := t.Hyper.Space
	if sp == nil || sp.Partitions <= 1 {
		return 0
	}
	i := t.ColByID(sp.Col)
	v := b.Cols[i].Get(row)
	if v == nil {
		return 0
	}
	h := fnv.New32a()
	h.Write(types.AppendText(nil, t.Cols[i].Type, v, nil))
	return int(h.Sum32() % uint32(sp.Partitions))
}

// AppendHyper routes rows b (SQL kinds, all of t's columns) of hypertable
// t to chunks by time and space partition, creating chunks as needed, and
// appends them to the transaction. With owned, the caller hands b's
// vectors over (COPY) and the transaction may keep them without copying
// and reorder them in place: the caller must not read b afterwards.
// A NULL time is a NotNullError, a duplicate in a unique index a
// UniqueViolation (hyperunique.go); other constraints are the caller's.
func (w *Writer) AppendHyper(t *catalog.Table, b *col.Batch, owned bool) error {
	groups, err := w.routeHyper(t, b)
	if err != nil {
		return err
	}
	if len(hyperUniques(t)) > 0 {
		if err := w.checkHyperUnique(t, b, groups); err != nil {
			return err
		}
	}
	return w.appendRouted(t, b, groups, owned)
}

// chunkRows are the rows of a batch bound for one chunk: rows lists
// them (nil when the whole batch goes there), vecs holds them in
// storable kinds.
type chunkRows struct {
	c    *catalog.Chunk
	rows []int
	vecs []*col.Vec
	n    int
}

// batchRow returns the index in the routed batch of the group's i-th row.
func (g *chunkRows) batchRow(i int) int {
	if g.rows == nil {
		return i
	}
	return g.rows[i]
}

// routeHyper splits rows b of hypertable t by chunk, in first-seen order,
// and converts each group to storable kinds.
func (w *Writer) routeHyper(t *catalog.Table, b *col.Batch) ([]*chunkRows, error) {
	ti := t.ColByID(t.Hyper.TimeCol)
	tv := b.Cols[ti]
	if tv.HasNulls() {
		return nil, NotNullError(t, &t.Cols[ti])
	}
	one, err := w.singleChunk(t, ti, b)
	if err != nil {
		return nil, err
	}
	var groups []*chunkRows
	if one != nil {
		groups = []*chunkRows{{c: one, n: b.Rows()}}
	} else {
		byChunk := map[*catalog.Chunk]*chunkRows{}
		var last *catalog.Chunk
		for r := 0; r < b.Rows(); r++ {
			ts := DimensionValue(t.Cols[ti].Type, tv.I64[r])
			part := spacePartition(t, b, r)
			c := last
			if c == nil || ts < c.Start || ts >= c.End || c.Partition != part {
				if c, err = w.Env.ChunkFor(t, ts, part); err != nil {
					return nil, err
				}
				last = c
			}
			g := byChunk[c]
			if g == nil {
				g = &chunkRows{c: c, rows: []int{}}
				byChunk[c] = g
				groups = append(groups, g)
			}
			g.rows = append(g.rows, r)
			g.n++
		}
		if len(groups) == 1 {
			groups[0].rows = nil
		}
	}
	for _, g := range groups {
		g.vecs = make([]*col.Vec, len(t.Cols))
		for i, v := range b.Cols {
			if g.rows != nil {
				v = v.Gather(g.rows)
			}
			sv, err := ToStorage(t.Cols[i].Type, v)
			if err != nil {
				return nil, err
			}
			g.vecs[i] = sv
		}
	}
	return groups, nil
}

// appendRouted appends routed rows b of hypertable t to their chunks,
// after maintaining their last-value entries and noting their times.
func (w *Writer) appendRouted(t *catalog.Table, b *col.Batch, groups []*chunkRows, owned bool) error {
	if err := MaintainLastValue(w.Txn, t, b); err != nil {
		return err
	}
	w.Env.NoteHyperWrite(t, b.Cols[t.ColByID(t.Hyper.TimeCol)], b.Rows())
	schema := ChunkSchema(t)
	for _, g := range groups {
		app := w.Txn.Append
		if owned {
			app = w.Txn.AppendOwned
		}
		if err := app(g.c.ID, schema, col.FromVecs(g.vecs, g.n)); err != nil {
			return pgerr.Wrap(err, pgerr.Internal, "append to chunk %s", g.c.Name)
		}
	}
	return nil
}

// singleChunk returns the chunk holding all of b's rows when there is
// one (no space partitioning and the time range fits a chunk), else nil.
func (w *Writer) singleChunk(t *catalog.Table, ti int, b *col.Batch) (*catalog.Chunk, error) {
	if sp := t.Hyper.Space; (sp != nil && sp.Partitions > 1) || b.Rows() == 0 {
		return nil, nil
	}
	times := b.Cols[ti].I64[:b.Rows()]
	lo, hi := times[0], times[0]
	for _, x := range times[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	tt := t.Cols[ti].Type
	lo, hi = DimensionValue(tt, lo), DimensionValue(tt, hi)
	c, err := w.Env.ChunkFor(t, lo, 0)
	if err != nil {
		return nil, err
	}
	if lo < c.Start || hi >= c.End || c.Partition != 0 {
		return nil, nil
	}
	return c, nil
}
