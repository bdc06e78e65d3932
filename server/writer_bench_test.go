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

// discardConn is a net.Conn whose writes vanish.
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkDataRows measures encoding a 1024-row batch of (timestamp-like
// int8, float8, text) rows as DataRows, in text and binary.
func BenchmarkDataRows(b *testing.B) {
	const n = 1024
	ts, v, s := col.NewVec(col.Int64, n), col.NewVec(col.Float64, n), col.NewVec(col.Bytes, n)
	for i := range n {
		ts.AppendInt64(1_700_000_000_000_000 + int64(i)*1_000_000)
		v.AppendFloat64(float64(i) * 0.25)
		s.AppendString("device-0042")
	}
	batch := col.FromVecs([]*col.Vec{ts, v, s}, n)
	cols := []sql.Column{{Name: "t", Type: types.Int8}, {Name: "v", Type: types.Float8}, {Name: "s", Type: types.Text}}
	for _, bc := range []struct {
		name    string
		formats []int16
	}{{"text", nil}, {"binary", []int16{1}}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, newFakeEngine())
			c := &conn{srv: srv, nc: discardConn{}, partial: -1, log: srv.log}
			c.w.c = c
			sess, _ := newFakeEngine().NewSession(b.Context(), sql.StartupParams{User: "postgres"})
			c.sess = sess
			c.w.reset(true, bc.formats, cols)
			b.ReportAllocs()
			for b.Loop() {
				if err := c.w.Batch(batch); err != nil {
					b.Fatal(err)
				}
				c.flush()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
		})
	}
}
