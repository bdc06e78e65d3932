package storage

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

// iotSchema: time, device id, 8 float metrics and 2 int metrics.
func iotSchema() ChunkSchema {
	s := ChunkSchema{Cols: []ColumnRef{{ID: 1, Kind: col.Int64}, {ID: 2, Kind: col.Bytes}}}
	for i := 0; i < 8; i++ {
		s.Cols = append(s.Cols, ColumnRef{ID: uint32(3 + i), Kind: col.Float64})
	}
	s.Cols = append(s.Cols, ColumnRef{ID: 11, Kind: col.Int64}, ColumnRef{ID: 12, Kind: col.Int64})
	return s
}

// iotBatch returns rows of devices readings at 10 s intervals starting
// at step, with sensor-like values (few decimals, slow drift). Fixed seed.
func iotBatch(r *rand.Rand, schema ChunkSchema, devices, steps int, step int64) *col.Batch {
	kinds := make([]col.Kind, len(schema.Cols))
	for i, c := range schema.Cols {
		kinds[i] = c.Kind
	}
	n := devices * steps
	b := col.NewBatch(kinds, n)
	base := int64(1_700_000_000_000_000)
	for s := 0; s < steps; s++ {
		for d := 0; d < devices; d++ {
			b.Cols[0].AppendInt64(base + (step+int64(s))*10_000_000)
			b.Cols[1].AppendString(fmt.Sprintf("truck_%d", d))
			for m := 0; m < 8; m++ {
				v := float64(d%50) + 10*math.Sin(float64(step+int64(s))/100+float64(m)) + r.Float64()
				b.Cols[2+m].AppendFloat64(math.Round(v*100) / 100)
			}
			b.Cols[10].AppendInt64(int64(r.Intn(100)))
			b.Cols[11].AppendInt64(step + int64(s))
		}
	}
	b.SetRows(n)
	return b
}

func BenchmarkAppendCommit(b *testing.B) {
	db, err := Open(b.TempDir(), Options{DisableBackgroundMerge: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	schema := iotSchema()
	r := rand.New(rand.NewSource(1))
	const devices, steps = 1000, 10
	batches := make([]*col.Batch, 8)
	for i := range batches {
		batches[i] = iotBatch(r, schema, devices, steps, int64(i*steps))
	}
	rows := devices * steps
	walBefore := db.pdb.Metrics().WAL.BytesIn
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		txn := db.Begin()
		if err := txn.Append(uint64(i/64), schema, batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
		if err := txn.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	wal := db.pdb.Metrics().WAL.BytesIn - walBefore
	total := float64(rows) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(wal)/total, "walbytes/row")
}

func BenchmarkScanDecode(b *testing.B) {
	db, err := Open("", Options{InMemory: true, DisableBackgroundMerge: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	schema := iotSchema()
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 10; i++ {
		txn := db.Begin()
		txn.Append(1, schema, iotBatch(r, schema, 1000, 10, int64(i*10)))
		if err := txn.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Merge(1); err != nil {
		b.Fatal(err)
	}
	spec := &ScanSpec{Chunk: 1, Cols: []ColumnRef{schema.Cols[0], schema.Cols[1], schema.Cols[2]},
		TimeCol: 1, TimeMin: MinTime, TimeMax: MaxTime}
	b.ReportAllocs()
	b.ResetTimer()
	rows := 0
	for i := 0; i < b.N; i++ {
		txn := db.Begin()
		blocks, _, err := txn.Blocks(spec)
		if err != nil {
			b.Fatal(err)
		}
		for _, blk := range blocks {
			bt, err := txn.ReadBlock(spec, blk)
			if err != nil {
				b.Fatal(err)
			}
			rows += bt.Rows()
		}
		txn.Rollback()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPutRows writes 200,000 row-store keys (100-byte values) in one
// transaction and commits it: a bulk load of a regular table (COPY,
// pgbench -i), where every row is a logged key write.
func BenchmarkPutRows(b *testing.B) {
	const rows = 200_000
	db := openMem(b, Options{})
	val := make([]byte, 100)
	key := make([]byte, 8)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		txn := db.Begin()
		sp := Space{Table: uint64(100 + i)}
		for r := 0; r < rows; r++ {
			binary.BigEndian.PutUint64(key, uint64(r))
			txn.Put(sp, key, val)
		}
		if err := txn.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
