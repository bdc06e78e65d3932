package storage

// This file declares the storage API the SQL engine and catalog build
// against. Bodies marked "unimplemented" are filled in by the storage work;
// signatures change only together with their callers.

import (
	"errors"
	"math"

	"github.com/tsgres/tsgres/storage/col"
)

// Options configure Open.
type Options struct {
	// InMemory keeps everything in memory (tests); dir is ignored.
	InMemory bool
	// MergeThreshold is how many delta blocks a chunk may collect before
	// the background merge seals them; 0 picks the default.
	MergeThreshold int
	// DisableBackgroundMerge turns the background merge off (tests that
	// want to see delta blocks; Merge can still be called).
	DisableBackgroundMerge bool
	// CacheSize is the bytes of uncompressed sstable blocks kept in
	// memory (pebble's block cache, PostgreSQL's shared_buffers); 0
	// picks DefaultCacheSize.
	CacheSize int64
}

// ErrConflict is returned by Commit when a block this transaction rewrote
// or deleted was changed by another commit or a merge in the meantime
// (the SQL layer reports it as 40001).
var ErrConflict = errors.New("storage: write conflict")

// Space names a key space of a regular table: Index 0 holds the rows by
// primary key (or hidden row id); Index n > 0 holds secondary index n.
type Space struct {
	Table uint64
	Index uint32
}

// ColumnRef names a hypertable column as storage sees it: a stable id
// (not changed by RENAME, never reused after DROP) and a storable kind
// (Int64, Float64, Bool or Bytes).
type ColumnRef struct {
	ID   uint32
	Kind col.Kind
}

// ChunkSchema is the full column list of a chunk's hypertable at the time
// of a write, which column is time (its values are int64) and which, if
// any, is the series key blocks are clustered by (see cluster.go).
type ChunkSchema struct {
	Cols    []ColumnRef
	TimeCol int // index into Cols
	// SeriesCol is the column id of the hypertable's series key (0:
	// none): blocks written are sorted by (series key, time).
	SeriesCol uint32
}

// PredOp is a comparison usable for block skipping.
type PredOp uint8

const (
	OpEq PredOp = iota + 1
	OpLt
	OpLe
	OpGt
	OpGe
)

// BlockPred is "column op constant" on a storable column; Value is int64,
// float64, bool or string by the column's kind. Scans use it only to skip
// whole blocks whose min/max metadata proves no row can match; rows inside
// a returned block are not filtered.
type BlockPred struct {
	Col   uint32
	Op    PredOp
	Value any
}

// ScanSpec says what to read from one chunk.
type ScanSpec struct {
	Chunk uint64
	// Cols are the columns to decode, in the order the batches carry
	// them. Columns absent from an older block (added later) read as nulls.
	Cols []ColumnRef
	// TimeCol is the column id of the time column; TimeMin/TimeMax bound
	// it inclusively (math.MinInt64/MaxInt64 for unbounded). Blocks
	// outside the range are skipped; rows inside returned blocks are not
	// filtered.
	TimeCol          uint32
	TimeMin, TimeMax int64
	Preds            []BlockPred
}

// Unbounded time range ends.
const (
	MinTime int64 = math.MinInt64
	MaxTime int64 = math.MaxInt64
)

// ColumnMeta is a block's metadata for one column. Min/Max/Sum are
// meaningful only when Count > NullCount; Sum is kept for Int64 (as
// float64 and exact int64 when no overflow: SumInt, SumExact) and Float64.
//
// Min/Max may also be nil for a Bytes column whose extreme values are too
// long to keep in metadata (see maxStatString); callers then decode.
type ColumnMeta struct {
	ID        uint32
	Kind      col.Kind // storable kind the column was written with
	Count     int64    // rows in the block (including nulls)
	NullCount int64
	Min, Max  any // int64, float64, bool or string by kind; nil when all null
	Sum       float64
	SumInt    int64
	SumExact  bool
}

// BlockMeta describes one stored block of a chunk. Blocks are immutable:
// values returned by Blocks are shared and must not be modified. ID 0 names
// the transaction's own not-yet-written appends to the chunk.
type BlockMeta struct {
	ID               uint64
	Rows             int
	MinTime, MaxTime int64
	Sealed           bool // false for delta blocks (arrival order)
	// Compressed marks a block written by CompressChunk (sorted by
	// segmentby and orderby columns, compact codecs); it is also Sealed.
	Compressed bool
	TimeCol    uint32 // column id of the time column
	// SeriesCol is the column id of the series key the block was written
	// with (0: none): a sealed block's rows are sorted by (SeriesCol,
	// time), or by time when 0.
	SeriesCol uint32
	Cols      []ColumnMeta
}

// Col returns the metadata of column id, or nil when the block predates it.
func (m *BlockMeta) Col(id uint32) *ColumnMeta {
	for i := range m.Cols {
		if m.Cols[i].ID == id {
			return &m.Cols[i]
		}
	}
	return nil
}

// ScanStats counts what a scan did, for EXPLAIN ANALYZE.
type ScanStats struct {
	BlocksRead    int
	BlocksSkipped int // by time range or metadata predicates
	RowsRead      int
}

// KVIter iterates keys of a key space in ascending order.
type KVIter interface {
	Next() bool
	Key() []byte   // valid until the next Next
	Value() []byte // valid until the next Next
	Err() error
	Close() error
}
