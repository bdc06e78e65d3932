package catalog

// IndexLayout is how the entries of one index are kept in storage, which
// decides what a scan of the index can answer (sql/opt) and how its
// entries are written (sql/table; formats in sql/table/doc.go).
type IndexLayout uint8

const (
	// IndexNotStored is an index kept in the catalog only: every index of
	// a hypertable (a last-value index is read by its own scan), and a
	// non-unique index of a regular table made before such indexes had
	// entries (Space 0). No scan may use it.
	IndexNotStored IndexLayout = iota
	// IndexRows is a regular table's primary key: the rows themselves,
	// stored under their key, ascending.
	IndexRows
	// IndexUniqueKeys is a unique index of a regular table: one entry per
	// row without NULLs in the key columns, keyed by the columns
	// (ascending, whatever the index's DESC options say), whose value is
	// the row key.
	IndexUniqueKeys
	// IndexEntries is a non-unique index of a regular table: one entry
	// per row, keyed by the columns in the index's order (DESC and NULLS
	// FIRST/LAST honoured) followed by the row key, with an empty value.
	IndexEntries
)

// IndexLayout returns how index ix of t is stored.
func (t *Table) IndexLayout(ix *Index) IndexLayout {
	switch {
	case t.Hyper != nil || ix.LastValue:
		return IndexNotStored
	case ix.Primary:
		return IndexRows
	case ix.Space == 0:
		return IndexNotStored
	case ix.Unique:
		return IndexUniqueKeys
	}
	return IndexEntries
}

// StoredDesc reports whether key column i of ix, as stored with layout l,
// sorts descending.
func (ix *Index) StoredDesc(l IndexLayout, i int) bool {
	return l == IndexEntries && ix.Option(i)&IndexDesc != 0
}

// StoredNullsFirst reports whether NULLs of key column i of ix, as
// stored with layout l, come before its values (the binder sets
// IndexNullsFirst for a DESC column without NULLS LAST). Only
// IndexEntries stores NULLs at all.
func (ix *Index) StoredNullsFirst(l IndexLayout, i int) bool {
	return l == IndexEntries && ix.Option(i)&IndexNullsFirst != 0
}

// SeriesKey returns the column id of hypertable t's series key (0: none
// or not a hypertable): the column naming the device, sensor or tag a row
// belongs to, by which storage clusters the chunks' blocks (sorted by
// series key, then time) so a scan for a few series reads only their
// blocks. It is decided, in this order, by
//
//   - the first compress_segmentby column, when compression is set;
//   - the hash-partitioned space column;
//   - the leading column of the first index whose next column is the
//     time column, e.g. CREATE INDEX ON t (device_id, time DESC), created
//     before or after create_hypertable.
//
// It is derived, not stored, so it follows the settings and indexes as
// they change; blocks written before a change keep their order and are
// re-sorted by the next merge.
func (t *Table) SeriesKey() uint32 {
	h := t.Hyper
	if h == nil {
		return 0
	}
	if h.Compression != nil && len(h.Compression.SegmentBy) > 0 {
		return h.Compression.SegmentBy[0]
	}
	if h.Space != nil {
		return h.Space.Col
	}
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if len(ix.Cols) >= 2 && ix.Cols[1] == h.TimeCol && ix.Cols[0] != h.TimeCol {
			return ix.Cols[0]
		}
	}
	return 0
}
