package table

import (
	"encoding/binary"
	"math"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// The last-value index.
//
// A hypertable index on (series column, time, ...) — the index TimescaleDB
// users create for "latest value per device" — and the hash space
// dimension keep, in a key space of their own, the newest row of every
// series: key = the series value's key encoding (AppendKey), value = the
// row's time (8 bytes, big endian, sign-flipped) followed by the row in
// row-store encoding (EncodeRow). Writes update it in the same
// transaction as the data, so it is exactly as durable and atomic; an
// older (out-of-order) row never replaces a newer one. DELETE and UPDATE
// recompute the series whose newest row they removed.

// IsLastValueShape reports whether an index on cols of hypertable t
// keeps a last-value index: its leading column is not the time column,
// the time column is among the others, and the leading column has none
// yet.
func IsLastValueShape(t *catalog.Table, cols []uint32) bool {
	if t.Hyper == nil || len(cols) < 2 || cols[0] == t.Hyper.TimeCol || t.HasLastValue(cols[0]) {
		return false
	}
	for _, c := range cols[1:] {
		if c == t.Hyper.TimeCol {
			return true
		}
	}
	return false
}

// AdoptLastValueIndexes makes the (series, time) indexes of a table
// turned into hypertable t (create_hypertable) last-value indexes, as
// CREATE INDEX does on a hypertable: TimescaleDB users commonly create
// the index first. Each gets a fresh key space; the caller fills it
// (the table is empty, or its rows are appended after the conversion).
func AdoptLastValueIndexes(t *catalog.Table) {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if ix.LastValue || !IsLastValueShape(t, ix.Cols) {
			continue
		}
		t.NextSpace++
		ix.Space, ix.LastValue = t.NextSpace, true
	}
}

// LastValueSpace is the key space of hypertable t's last-value index ix.
func LastValueSpace(t *catalog.Table, ix *catalog.Index) storage.Space {
	return storage.Space{Table: uint64(t.OID), Index: ix.Space}
}

// LastValueTime returns the time stored in last-value entry v (the
// smallest int64 for a malformed entry).
func LastValueTime(v []byte) int64 {
	if len(v) < 8 {
		return math.MinInt64
	}
	return int64(binary.BigEndian.Uint64(v) ^ (1 << 63))
}

// SeriesKey encodes row r's series value for last-value index ix.
func SeriesKey(t *catalog.Table, ix *catalog.Index, b *col.Batch, r int) ([]byte, error) {
	i := t.ColByID(ix.Cols[0])
	return AppendKey(nil, t.Cols[i].Type, b.Cols[i].Get(r))
}

// MaintainLastValue folds rows appended to hypertable t (SQL kinds, all
// table columns) into its last-value indexes in txn.
func MaintainLastValue(txn *storage.Txn, t *catalog.Table, b *col.Batch) error {
	ixs := t.LastValueIndexes()
	if len(ixs) == 0 || b.Rows() == 0 {
		return nil
	}
	times := b.Cols[t.ColByID(t.Hyper.TimeCol)].I64
	var enc rowEncoder
	var val, key []byte
	for _, ix := range ixs {
		si := t.ColByID(ix.Cols[0])
		sp := LastValueSpace(t, ix)
		rows, err := newestPerSeries(b.Cols[si], t.Cols[si].Type, times, b.Rows())
		if err != nil {
			return err
		}
		for _, r := range rows {
			var err error
			if key, err = AppendKey(key[:0], t.Cols[si].Type, b.Cols[si].Get(r)); err != nil {
				return err
			}
			old, found, err := txn.NewerStamp(sp, key)
			if err != nil {
				return err
			}
			if found && LastValueTime(old[:]) > times[r] {
				continue
			}
			// The entry: the time, big endian with the sign flipped (see
			// LastValueTime), then the row.
			val = binary.BigEndian.AppendUint64(val[:0], uint64(times[r])^(1<<63))
			if val, err = enc.appendRow(val, t, b, r); err != nil {
				return err
			}
			txn.PutNewer(sp, key, val)
		}
	}
	return nil
}

// newestPerSeries returns, for each distinct value of series vector s
// among the first n rows (NULL being one series), the row with the
// greatest time; of rows with equal times, the last. Rows are grouped by
// their value (integers and strings without encoding a key), so an
// append pays one map probe per row.
func newestPerSeries(s *col.Vec, typ types.T, times []int64, n int) ([]int, error) {
	g := newestGroups{times: times, nullAt: -1}
	switch s.Kind {
	case col.Int64:
		groupNewest(&g, s, n, func(r int) (int64, error) { return s.I64[r], nil })
	case col.Bytes:
		groupNewest(&g, s, n, func(r int) (string, error) { return s.S[r], nil })
	default:
		// Other kinds group by their key encoding: equal values, equal
		// keys.
		var buf []byte
		err := groupNewest(&g, s, n, func(r int) (string, error) {
			var err error
			buf, err = AppendKey(buf[:0], typ, s.Get(r))
			return string(buf), err
		})
		if err != nil {
			return nil, err
		}
	}
	return g.out, nil
}

// newestGroups collects the newest row of each series for
// newestPerSeries.
type newestGroups struct {
	times  []int64
	out    []int // the newest row of each series seen
	nullAt int   // the NULL series' position in out, or -1
}

// keep folds row r into the series at position at of out (-1: a new
// series) and returns the series' position.
func (g *newestGroups) keep(at, r int) int {
	if at < 0 {
		g.out = append(g.out, r)
		return len(g.out) - 1
	}
	if g.times[r] >= g.times[g.out[at]] {
		g.out[at] = r
	}
	return at
}

// groupNewest folds the first n rows of s into g, grouping non-NULL
// values by key(r).
func groupNewest[K comparable](g *newestGroups, s *col.Vec, n int, key func(r int) (K, error)) error {
	pos := map[K]int{}
	for r := 0; r < n; r++ {
		if s.IsNull(r) {
			g.nullAt = g.keep(g.nullAt, r)
			continue
		}
		k, err := key(r)
		if err != nil {
			return err
		}
		at, ok := pos[k]
		if !ok {
			at = -1
		}
		pos[k] = g.keep(at, r)
	}
	return nil
}

// LastValueRemoved notes rows (SQL kinds) deleted from hypertable t: the
// series whose newest row was among them are added to stale, per index,
// for the caller to recompute.
func LastValueRemoved(txn *storage.Txn, t *catalog.Table, b *col.Batch, stale map[*catalog.Index]map[string]bool) error {
	ti := t.ColByID(t.Hyper.TimeCol)
	for _, ix := range t.LastValueIndexes() {
		sp := LastValueSpace(t, ix)
		for r := 0; r < b.Rows(); r++ {
			k, err := SeriesKey(t, ix, b, r)
			if err != nil {
				return err
			}
			old, found, err := txn.GetLatest(sp, k)
			if err != nil {
				return err
			}
			if found && LastValueTime(old) == b.Cols[ti].I64[r] {
				if stale[ix] == nil {
					stale[ix] = map[string]bool{}
				}
				stale[ix][string(k)] = true
			}
		}
	}
	return nil
}

// LastValueRows reads last-value index ix of t as rows of the columns
// colIdx selects, ordered by series key.
func LastValueRows(txn *storage.Txn, t *catalog.Table, ix *catalog.Index, colIdx []int) ([][]any, error) {
	it := txn.Iter(LastValueSpace(t, ix), nil, nil)
	defer it.Close()
	var out [][]any
	full := make([]any, len(t.Cols))
	for it.Next() {
		row, err := decodeLastValue(t, ix, it.Value(), colIdx, full)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, it.Err()
}

// LastValueGet reads the newest row of the series with key encoding key
// (AppendKey) from last-value index ix of t: no rows when the series has
// none.
func LastValueGet(txn *storage.Txn, t *catalog.Table, ix *catalog.Index, key []byte, colIdx []int) ([][]any, error) {
	v, found, err := txn.Get(LastValueSpace(t, ix), key)
	if err != nil || !found {
		return nil, err
	}
	row, err := decodeLastValue(t, ix, v, colIdx, make([]any, len(t.Cols)))
	if err != nil {
		return nil, err
	}
	return [][]any{row}, nil
}

// decodeLastValue decodes a last-value entry into full (len(t.Cols)) and
// returns the columns colIdx selects.
func decodeLastValue(t *catalog.Table, ix *catalog.Index, v []byte, colIdx []int, full []any) ([]any, error) {
	if len(v) < 8 {
		return nil, pgerr.New(pgerr.DataCorrupted, "corrupt last-value entry in %s", ix.Name)
	}
	if err := DecodeRow(t, v[8:], full); err != nil {
		return nil, err
	}
	row := make([]any, len(colIdx))
	for i, c := range colIdx {
		row[i] = full[c]
	}
	return row, nil
}
