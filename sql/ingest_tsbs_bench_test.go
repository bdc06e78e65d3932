package sql

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"syscall"
	"testing"
	"time"
)

// tsbsCPUDDL is TSBS's cpu-only schema: the (tags_id, time DESC) index
// is created before create_hypertable, so the table keeps a last-value
// index on tags_id.
var tsbsCPUDDL = []string{
	`CREATE TABLE cpu (time timestamptz NOT NULL, tags_id integer, additional_tags jsonb DEFAULT NULL,
		usage_user double precision, usage_system double precision, usage_idle double precision,
		usage_nice double precision, usage_iowait double precision, usage_irq double precision,
		usage_softirq double precision, usage_steal double precision, usage_guest double precision,
		usage_guest_nice double precision)`,
	`CREATE INDEX ON cpu (tags_id, "time" DESC)`,
	`CREATE INDEX ON cpu ("time" DESC)`,
	`SELECT create_hypertable('cpu', 'time', chunk_time_interval => interval '12h')`,
}

// tsbsCopyBatch encodes rows [from, from+n) of a TSBS-shaped load of
// hosts hosts reporting every 10 s (time-major, as tsbs_load sends them)
// as one binary COPY of (time, tags_id, additional_tags, 10 metrics).
func tsbsCopyBatch(buf []byte, hosts, from, n int) []byte {
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC).Sub(pgEpoch).Microseconds()
	buf = append(buf[:0], "PGCOPY\n\xff\r\n\x00"...)
	buf = binary.BigEndian.AppendUint32(buf, 0)
	buf = binary.BigEndian.AppendUint32(buf, 0)
	for i := from; i < from+n; i++ {
		buf = binary.BigEndian.AppendUint16(buf, 13)
		buf = binary.BigEndian.AppendUint32(buf, 8)
		buf = binary.BigEndian.AppendUint64(buf, uint64(start+int64(i/hosts)*10_000_000))
		buf = binary.BigEndian.AppendUint32(buf, 4)
		buf = binary.BigEndian.AppendUint32(buf, uint32(1+i%hosts))
		buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32) // additional_tags NULL
		for m := 0; m < 10; m++ {
			buf = binary.BigEndian.AppendUint32(buf, 8)
			buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(float64((i*7+m*13)%100)))
		}
	}
	return binary.BigEndian.AppendUint16(buf, 0xffff)
}

// cpuTime returns the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCopyTSBS loads TSBS-shaped data the way tsbs_load_timescaledb
// does: one binary COPY of 10,000 rows per transaction into a hypertable
// with a last-value index, for 100 and 4000 hosts (100 rows per host per
// COPY, and 2.5). It reports the process CPU per row (cpu-us/row), the
// figure issue 13 bounds.
func BenchmarkCopyTSBS(b *testing.B) {
	for _, hosts := range []int{100, 4000} {
		b.Run(fmt.Sprintf("hosts=%d", hosts), func(b *testing.B) {
			_, s := openBenchSession(b)
			ctx := context.Background()
			for _, q := range tsbsCPUDDL {
				if err := s.Query(ctx, q, &benchWriter{}); err != nil {
					b.Fatal(err)
				}
			}
			const batch, perOp = 10_000, 20
			w := &benchWriter{}
			next := 0
			var gen time.Duration // CPU spent encoding the client's data
			b.ResetTimer()
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				for j := 0; j < perOp; j++ {
					g0 := cpuTime()
					w.copyData = tsbsCopyBatch(w.copyData, hosts, next, batch)
					gen += cpuTime() - g0
					next += batch
					if err := s.Query(ctx, "COPY cpu (time, tags_id, additional_tags, usage_user, usage_system, usage_idle, usage_nice, usage_iowait, usage_irq, usage_softirq, usage_steal, usage_guest, usage_guest_nice) FROM STDIN (FORMAT binary)", w); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64((cpuTime()-c0-gen).Microseconds())/float64(b.N*perOp*batch), "cpu-us/row")
		})
	}
}
