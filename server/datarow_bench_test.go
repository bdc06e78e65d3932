package server

import (
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// countingConn is a net.Conn that counts and discards what is written.
type countingConn struct {
	net.Conn
	n int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// vehicleBatch is n rows shaped like the benchmark's vehicle query results:
// timestamptz, a text VIN and four float8 metrics, 1% of them NULL.
func vehicleBatch(n int) (*col.Batch, []sql.Column) {
	vecs := []*col.Vec{col.NewVec(col.Int64, n), col.NewVec(col.Bytes, n)}
	for range 4 {
		vecs = append(vecs, col.NewVec(col.Float64, n))
	}
	for i := range n {
		vecs[0].AppendInt64(762_652_800_000_000 + int64(i)*3_000_000)
		vecs[1].AppendString("WVWZZZ42000100017")
		for j, v := range vecs[2:] {
			if (i+j)%100 == 0 {
				v.AppendNull()
				continue
			}
			v.AppendFloat64(float64(i%1300)/10 + float64(j))
		}
	}
	cols := []sql.Column{{Name: "time", Type: types.Timestamptz}, {Name: "vin", Type: types.Text},
		{Name: "speed", Type: types.Float8}, {Name: "latitude", Type: types.Float8},
		{Name: "mileage", Type: types.Float8}, {Name: "engine_temp", Type: types.Float8}}
	return col.FromVecs(vecs, n), cols
}

// BenchmarkDataRowEncoder measures turning result batches into DataRow
// messages on the socket, in text and binary format: values/s, rows/s
// and wire bytes/s (SetBytes is the wire bytes of one batch).
func BenchmarkDataRowEncoder(b *testing.B) {
	const n = 1024
	batch, cols := vehicleBatch(n)
	for _, bc := range []struct {
		name    string
		formats []int16
	}{{"text", nil}, {"binary", []int16{1}}} {
		b.Run(bc.name, func(b *testing.B) {
			nc := &countingConn{}
			srv := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, newFakeEngine())
			c := &conn{srv: srv, nc: nc, partial: -1, log: srv.log}
			c.w.c = c
			sess, err := newFakeEngine().NewSession(b.Context(), sql.StartupParams{User: "postgres"})
			if err != nil {
				b.Fatal(err)
			}
			c.sess = sess
			c.w.reset(true, bc.formats, cols)
			// Two warm-up batches: the second's bytes are one batch's
			// DataRows alone (the first may carry a RowDescription).
			var per int64
			for range 2 {
				before := nc.n
				if err := c.w.Batch(batch); err != nil {
					b.Fatal(err)
				}
				c.flush()
				per = nc.n - before
			}
			if per < n*int64(len(cols)) {
				b.Fatalf("%d bytes written for %d rows", per, n)
			}
			b.SetBytes(per)
			b.ReportAllocs()
			for b.Loop() {
				if err := c.w.Batch(batch); err != nil {
					b.Fatal(err)
				}
				c.flush()
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(n)*float64(b.N)/secs, "rows/s")
			b.ReportMetric(float64(n*len(cols))*float64(b.N)/secs, "values/s")
		})
	}
}
