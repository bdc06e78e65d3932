package dml_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tsgres/tsgres/bench/gen"
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/dml"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// copyBenchRows is the rows of one parsed COPY stream.
const copyBenchRows = 100_000

// vehicleCopyTable is the benchmark's vehicle table as the COPY parser
// sees it: timestamptz, three text tags and seven float8 metrics.
func vehicleCopyTable() *catalog.Table {
	t := &catalog.Table{Name: "vehicles"}
	for i, name := range gen.VehicleColumns {
		typ := types.Float8
		switch {
		case i == 0:
			typ = types.Timestamptz
		case i <= 3:
			typ = types.Text
		}
		t.Cols = append(t.Cols, catalog.Column{ID: uint32(i + 1), Name: name, Type: typ})
	}
	return t
}

// vehicleCopyData encodes generated fleet rows (with their NULLs) as a
// COPY text or binary stream.
func vehicleCopyData(format string) []byte {
	f := gen.NewFleet(1, 100, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	rows := make([]gen.VehicleRow, copyBenchRows)
	f.Fill(rows)
	var buf []byte
	if format == "binary" {
		buf = append(buf, gen.BinaryHeader...)
	}
	for i := range rows {
		if format == "binary" {
			buf = f.AppendBinary(buf, &rows[i])
		} else {
			buf = f.AppendText(buf, &rows[i])
		}
	}
	if format == "binary" {
		buf = append(buf, gen.BinaryTrailer...)
	}
	return buf
}

// BenchmarkCopyParse measures the COPY FROM parser alone (bytes to typed
// column batches, no storage) on vehicle telemetry in text and binary
// format: rows/s, values/s and input bytes/s.
func BenchmarkCopyParse(b *testing.B) {
	t := vehicleCopyTable()
	cols := make([]int, len(t.Cols))
	for i := range cols {
		cols[i] = i
	}
	for _, format := range []string{"text", "binary"} {
		b.Run(format, func(b *testing.B) {
			data := vehicleCopyData(format)
			x := &plan.Copy{Table: t, Cols: cols, From: true, Format: format, Delimiter: "\t", Null: `\N`}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				cr := dml.NewCopyReader(t, x, bytes.NewReader(data))
				n := 0
				for {
					batch, err := cr.Batch(dml.CopyBatchRows)
					if err != nil {
						b.Fatal(err)
					}
					if batch == nil {
						break
					}
					n += batch.Rows()
				}
				if n != copyBenchRows {
					b.Fatalf("parsed %d rows, want %d", n, copyBenchRows)
				}
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(copyBenchRows)*float64(b.N)/secs, "rows/s")
			b.ReportMetric(float64(copyBenchRows*len(cols))*float64(b.N)/secs, "values/s")
		})
	}
}
