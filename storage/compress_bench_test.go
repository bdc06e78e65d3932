package storage

import (
	"testing"
	"time"

	"github.com/tsgres/tsgres/bench/gen"
	"github.com/tsgres/tsgres/storage/col"
)

// PostgreSQL heap layout constants for the size a table of the same rows
// takes there (storage/page/bufpage.h, access/htup_details.h).
const (
	pgPageSize       = 8192
	pgPageHeader     = 24
	pgTupleHeader    = 24 // 23-byte header, MAXALIGNed, no null bitmap
	pgLinePointer    = 4
	pgMaxAlign       = 8
	sensorTupleData  = 8 + 4 + 4 + gen.NumMetrics*8 // timestamptz, int4, padding to 8, float8s
	vehicleTupleData = 8 + 4 + 4 + 6*8
)

// pgHeapBytes is the heap size PostgreSQL needs for rows tuples of
// dataBytes each (fillfactor 100, no TOAST).
func pgHeapBytes(rows, dataBytes int) int64 {
	tuple := (pgTupleHeader + dataBytes + pgMaxAlign - 1) / pgMaxAlign * pgMaxAlign
	perPage := (pgPageSize - pgPageHeader) / (tuple + pgLinePointer)
	return int64((rows+perPage-1)/perPage) * pgPageSize
}

// sensorChunk stores devices×ticks rows of bench/gen's sensor data (time,
// device_id, ten metrics) in chunk 1 of a fresh database, committed in
// per-tick batches of all devices as an ingest would, and merged.
func sensorChunk(b *testing.B, devices, ticks int) (*DB, ChunkSchema) {
	schema := ChunkSchema{Cols: []ColumnRef{{ID: 1, Kind: col.Int64}, {ID: 2, Kind: col.Int64}}}
	for m := 0; m < gen.NumMetrics; m++ {
		schema.Cols = append(schema.Cols, ColumnRef{ID: uint32(3 + m), Kind: col.Float64})
	}
	kinds := make([]col.Kind, len(schema.Cols))
	for i, c := range schema.Cols {
		kinds[i] = c.Kind
	}
	db, err := Open("", Options{InMemory: true, DisableBackgroundMerge: true})
	if err != nil {
		b.Fatal(err)
	}
	g := gen.NewSensors(1, devices, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 10*time.Second)
	const ticksPerCommit = 50
	var m [gen.NumMetrics]float64
	for t := 0; t < ticks; t += ticksPerCommit {
		n := devices * min(ticksPerCommit, ticks-t)
		bt := col.NewBatch(kinds, n)
		for i := 0; i < n; i++ {
			ts, dev := g.Next(&m)
			bt.Cols[0].AppendInt64(ts.UnixMicro())
			bt.Cols[1].AppendInt64(int64(dev))
			for j, v := range m {
				bt.Cols[2+j].AppendFloat64(v)
			}
		}
		bt.SetRows(n)
		txn := db.Begin()
		if err := txn.Append(1, schema, bt); err != nil {
			b.Fatal(err)
		}
		if err := txn.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Merge(1); err != nil {
		b.Fatal(err)
	}
	return db, schema
}

// BenchmarkCompressSensors compresses a chunk of sensor rows and reports
// stored bytes per value, the ratio to PostgreSQL's heap for the same
// rows and to the chunk's size before compression (sealed blocks).
func BenchmarkCompressSensors(b *testing.B) {
	const devices, ticks = 100, 5000
	for _, c := range []struct {
		name string
		opts CompressOptions
	}{
		{"segmentby=device", CompressOptions{SegmentBy: []uint32{2}}},
		{"no-segmentby", CompressOptions{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			db, schema := sensorChunk(b, devices, ticks)
			defer db.Close()
			first, err := db.CompressChunk(1, c.opts)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := db.CompressChunk(1, c.opts); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			rows := devices * ticks
			values := float64(rows * len(schema.Cols))
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(first.OutputBytes)/values, "bytes/value")
			b.ReportMetric(float64(pgHeapBytes(rows, sensorTupleData))/float64(first.OutputBytes), "x-vs-pg-heap")
			b.ReportMetric(float64(first.InputBytes)/float64(first.OutputBytes), "x-vs-sealed")
		})
	}
}

// BenchmarkCompressedSum decodes one float column of a compressed sensor
// chunk block by block through the storage read path, reusing decode
// buffers as the executor's scans do (ReadBlockBuf), and sums it.
func BenchmarkCompressedSum(b *testing.B) {
	db, schema := sensorChunk(b, 100, 5000)
	defer db.Close()
	if _, err := db.CompressChunk(1, CompressOptions{SegmentBy: []uint32{2}}); err != nil {
		b.Fatal(err)
	}
	spec := &ScanSpec{Chunk: 1, Cols: schema.Cols[2:3], TimeCol: 1, TimeMin: MinTime, TimeMax: MaxTime}
	values := 0
	var sum float64
	var buf ReadBuf
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		txn := db.Begin()
		blocks, _, err := txn.Blocks(spec)
		if err != nil {
			b.Fatal(err)
		}
		for _, blk := range blocks {
			bt, err := txn.ReadBlockBuf(spec, blk, &buf)
			if err != nil {
				b.Fatal(err)
			}
			for _, v := range bt.Cols[0].F64 {
				sum += v
			}
			values += bt.Rows()
		}
		txn.Rollback()
	}
	b.ReportMetric(float64(values)/b.Elapsed().Seconds(), "values/s")
	if sum == 0 {
		b.Fatal("zero sum")
	}
}

// BenchmarkRecompressLateRows folds ten late rows of one device into a
// compressed 500,000-row sensor chunk (what the compression policy does
// for a partially compressed chunk).
func BenchmarkRecompressLateRows(b *testing.B) {
	db, schema := sensorChunk(b, 100, 5000)
	defer db.Close()
	opts := CompressOptions{SegmentBy: []uint32{2}}
	if _, err := db.CompressChunk(1, opts); err != nil {
		b.Fatal(err)
	}
	kinds := make([]col.Kind, len(schema.Cols))
	for i, c := range schema.Cols {
		kinds[i] = c.Kind
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		late := col.NewBatch(kinds, 10)
		for r := 0; r < 10; r++ {
			late.Cols[0].AppendInt64(int64(i*10 + r))
			late.Cols[1].AppendInt64(7)
			for m := 2; m < len(kinds); m++ {
				late.Cols[m].AppendFloat64(float64(r))
			}
		}
		late.SetRows(10)
		txn := db.Begin()
		if err := txn.Append(1, schema, late); err != nil {
			b.Fatal(err)
		}
		if err := txn.Commit(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := db.CompressChunk(1, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPGHeapModel pins the heap model's rows per 8 KiB page as derived
// from PostgreSQL's layout: a sensor tuple is 24 + 96 = 120 bytes plus a
// 4-byte line pointer, 65 per page; a vehicle tuple 24 + 64 = 88 plus 4,
// 88 per page. (Derived, not measured with pg_relation_size.)
func TestPGHeapModel(t *testing.T) {
	if got := pgHeapBytes(65*100, sensorTupleData); got != 100*pgPageSize {
		t.Fatalf("sensor heap of 6500 rows = %d, want 100 pages", got)
	}
	if got := pgHeapBytes(88*10+1, vehicleTupleData); got != 11*pgPageSize {
		t.Fatalf("vehicle heap of 881 rows = %d, want 11 pages", got)
	}
}
