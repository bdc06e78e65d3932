package sql

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tsgres/tsgres/bench/gen"
	"github.com/tsgres/tsgres/storage/col"
)

// benchWriter is a ResultWriter that discards results and serves COPY
// data from a byte slice.
type benchWriter struct {
	copyData []byte
	tag      string
}

func (w *benchWriter) Columns([]Column) error            { return nil }
func (w *benchWriter) Batch(*col.Batch) error            { return nil }
func (w *benchWriter) Complete(tag string) error         { w.tag = tag; return nil }
func (w *benchWriter) EmptyQuery() error                 { return nil }
func (w *benchWriter) Notice(_, _, _ string) error       { return nil }
func (w *benchWriter) ParameterStatus(_, _ string) error { return nil }
func (w *benchWriter) CopyOut(bool, int) error           { return nil }
func (w *benchWriter) CopyData([]byte) error             { return nil }
func (w *benchWriter) CopyIn(bool, int) (io.Reader, error) {
	return bytes.NewReader(w.copyData), nil
}

// benchSession opens an in-memory engine with an empty sensor hypertable
// named table.
func benchSession(tb testing.TB, table string) (*DB, Session) {
	tb.Helper()
	db, s := openBenchSession(tb)
	w := &benchWriter{}
	for _, q := range []string{fmt.Sprintf(gen.SensorDDL, table), fmt.Sprintf("SELECT create_hypertable('%s', 'time')", table)} {
		if err := s.Query(context.Background(), q, w); err != nil {
			tb.Fatal(err)
		}
	}
	return db, s
}

// openBenchSession opens an in-memory engine and a session on it, both
// closed when the benchmark ends.
func openBenchSession(tb testing.TB) (*DB, Session) {
	tb.Helper()
	db, err := Open(Options{InMemory: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s, err := db.NewSession(context.Background(), StartupParams{User: "postgres", Database: "postgres"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return db, s
}

var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// sensorBinaryCopy encodes n generated sensor rows as pgx would send them
// in a binary COPY (no trailer, as pgx).
func sensorBinaryCopy(n int) []byte {
	g := gen.NewSensors(1, 1000, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Second)
	buf := append([]byte(nil), gen.BinaryHeader...)
	for _, r := range g.Rows(n) {
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(r)))
		buf = appendSensorParams(buf, r, func(b []byte) []byte { return b })
	}
	return buf
}

// appendSensorParams appends one row's values, each as a 4-byte length and
// the binary value; wrap is unused beyond allowing callers to share code.
func appendSensorParams(buf []byte, r []any, _ func([]byte) []byte) []byte {
	for _, v := range r {
		switch x := v.(type) {
		case time.Time:
			buf = binary.BigEndian.AppendUint32(buf, 8)
			buf = binary.BigEndian.AppendUint64(buf, uint64(x.Sub(pgEpoch).Microseconds()))
		case int32:
			buf = binary.BigEndian.AppendUint32(buf, 4)
			buf = binary.BigEndian.AppendUint32(buf, uint32(x))
		case float64:
			buf = binary.BigEndian.AppendUint32(buf, 8)
			buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(x))
		default:
			panic(fmt.Sprintf("unexpected %T", v))
		}
	}
	return buf
}

func BenchmarkCopyBinary(b *testing.B) {
	const rows = 500_000
	data := sensorBinaryCopy(rows)
	_, s := benchSession(b, "ingest")
	w := &benchWriter{copyData: data}
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Query(ctx, "COPY ingest (time, device_id, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10) FROM STDIN (FORMAT binary)", w); err != nil {
			b.Fatal(err)
		}
		if w.tag != fmt.Sprintf("COPY %d", rows) {
			b.Fatalf("tag %q", w.tag)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkInsertMultiRow runs what pgx does for a 1000-row INSERT with
// parameters: Prepare once, then Bind (binary params), Execute and Sync.
func BenchmarkInsertMultiRow(b *testing.B) { benchInsertMultiRow(b, "") }

// BenchmarkInsertMultiRowUnique is BenchmarkInsertMultiRow into a
// hypertable with a unique index on (device_id, time), which every
// insert checks (rows arrive in time order, so no stored block is read).
func BenchmarkInsertMultiRowUnique(b *testing.B) {
	benchInsertMultiRow(b, "CREATE UNIQUE INDEX ON inserts (device_id, time)")
}

// benchInsertMultiRow runs BenchmarkInsertMultiRow after running ddl
// (when not empty) on the new hypertable.
func benchInsertMultiRow(b *testing.B, ddl string) {
	const per = 1000
	ncol := len(gen.SensorColumns)
	var sb strings.Builder
	sb.WriteString("INSERT INTO inserts VALUES ")
	for i := 0; i < per; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for j := 0; j < ncol; j++ {
			if j > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "$%d", i*ncol+j+1)
		}
		sb.WriteByte(')')
	}
	_, s := benchSession(b, "inserts")
	ctx := context.Background()
	if ddl != "" {
		if err := s.Query(ctx, ddl, &benchWriter{}); err != nil {
			b.Fatal(err)
		}
	}
	oids := make([]uint32, per*ncol)
	for i := range oids {
		switch i % ncol {
		case 0:
			oids[i] = 1184
		case 1:
			oids[i] = 23
		default:
			oids[i] = 701
		}
	}
	if _, err := s.Prepare(ctx, "ins", sb.String(), oids); err != nil {
		b.Fatal(err)
	}
	g := gen.NewSensors(1, 1000, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Second)
	w := &benchWriter{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		params := make([][]byte, 0, per*ncol)
		for _, r := range g.Rows(per) {
			p := appendSensorParams(nil, r, nil)
			for len(p) > 0 {
				l := binary.BigEndian.Uint32(p)
				params = append(params, p[4:4+l])
				p = p[4+l:]
			}
		}
		b.StartTimer()
		if err := s.Bind(ctx, "", "ins", []int16{1}, params); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Execute(ctx, "", 0, w); err != nil {
			b.Fatal(err)
		}
		if err := s.Sync(ctx); err != nil {
			b.Fatal(err)
		}
		if w.tag != fmt.Sprintf("INSERT 0 %d", per) {
			b.Fatalf("tag %q", w.tag)
		}
	}
	b.ReportMetric(float64(per*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkInsertTagsBulk runs what TSBS's loader sends for a batch's
// tags: one INSERT of 10,000 literal rows naming 100 hosts, ON CONFLICT
// DO NOTHING RETURNING *, into a table with a serial primary key and a
// unique index (the row shape is parsed once: sql/parse/values.go).
func BenchmarkInsertTagsBulk(b *testing.B) {
	const rows = 10000
	var sb strings.Builder
	sb.WriteString("INSERT INTO tags(hostname,region,datacenter,rack,os) VALUES ")
	for i := 0; i < rows; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "('host_%d','eu-central-1','eu-central-1a','%d','Ubuntu16.04LTS')", i%100, i%100%7)
	}
	sb.WriteString(" ON CONFLICT DO NOTHING RETURNING *")
	q := sb.String()
	_, s := openBenchSession(b)
	ctx := context.Background()
	w := &benchWriter{}
	for _, ddl := range []string{
		"CREATE TABLE tags (id serial PRIMARY KEY, hostname text, region text, datacenter text, rack text, os text)",
		"CREATE UNIQUE INDEX ON tags (hostname, region, datacenter, rack, os)",
	} {
		if err := s.Query(ctx, ddl, w); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(q)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Query(ctx, q, w); err != nil {
			b.Fatal(err)
		}
	}
}
