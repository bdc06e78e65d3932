package sql

import (
	"context"
	"fmt"
	"testing"
)

// lastpointSession loads a TSBS-shaped cpu table: a regular tags table of
// hosts and a hypertable with one row per host every 10 seconds, whose
// (tags_id, time DESC) index was created before create_hypertable, as
// TSBS does. With compressed set, every chunk is compressed (segmentby
// tags_id, orderby time DESC).
func lastpointSession(tb testing.TB, hosts, rowsPerHost int, compressed bool) Session {
	tb.Helper()
	_, s := openBenchSession(tb)
	stmts := []string{
		"CREATE TABLE tags (id serial PRIMARY KEY, hostname text, region text)",
		fmt.Sprintf("INSERT INTO tags (hostname, region) SELECT 'host_' || i, 'r' || (i %% 4) FROM generate_series(0, %d) i", hosts-1),
		"CREATE TABLE cpu (time timestamptz NOT NULL, tags_id integer, usage_user double precision, usage_system double precision, usage_idle double precision, additional_tags jsonb DEFAULT NULL)",
		`CREATE INDEX ON cpu (tags_id, "time" DESC)`,
		`CREATE INDEX ON cpu ("time" DESC)`,
		"SELECT create_hypertable('cpu', 'time', chunk_time_interval => interval '12h')",
		fmt.Sprintf(`INSERT INTO cpu (time, tags_id, usage_user, usage_system, usage_idle)
			SELECT timestamptz '2016-01-01' + (i / %d) * interval '10 seconds', 1 + i %% %d, i %% 100, i %% 37, i %% 11
			FROM generate_series(0, %d) i`, hosts, hosts, hosts*rowsPerHost-1),
	}
	if compressed {
		stmts = append(stmts,
			"ALTER TABLE cpu SET (timescaledb.compress, timescaledb.compress_segmentby = 'tags_id', timescaledb.compress_orderby = 'time DESC')",
			"SELECT count(compress_chunk(c)) FROM show_chunks('cpu') c")
	}
	for _, q := range stmts {
		if err := s.Query(context.Background(), q, &benchWriter{}); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	return s
}

// BenchmarkLastpoint runs TSBS's lastpoint query (the latest row of every
// host through a LATERAL join) and the other latest-row-per-series
// shapes over 100 hosts x 8640 rows (one day), uncompressed and
// compressed.
func BenchmarkLastpoint(b *testing.B) {
	queries := []struct{ name, q string }{
		{"lateral", `SELECT DISTINCT ON (t.hostname) * FROM tags t INNER JOIN LATERAL (SELECT * FROM cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) AS b ON true ORDER BY t.hostname, b.time DESC`},
		{"distinct-on", `SELECT DISTINCT ON (tags_id) * FROM cpu ORDER BY tags_id, time DESC`},
		{"last-groupby", `SELECT tags_id, last(usage_user, time), max(time) FROM cpu GROUP BY tags_id`},
		{"lateral-filter", `SELECT t.id, b.time FROM tags t, LATERAL (SELECT time FROM cpu c WHERE c.tags_id = t.id AND usage_system > 30 ORDER BY time DESC LIMIT 1) b`},
	}
	for _, compressed := range []bool{false, true} {
		s := lastpointSession(b, 100, 8640, compressed)
		state := "uncompressed"
		if compressed {
			state = "compressed"
		}
		for _, q := range queries {
			b.Run(state+"/"+q.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if err := s.Query(context.Background(), q.q, &benchWriter{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkCopyBinaryLastValue is BenchmarkCopyBinary into a hypertable
// with a (device_id, time DESC) index: the cost of keeping the last-value
// index on ingest.
func BenchmarkCopyBinaryLastValue(b *testing.B) {
	const rows = 500_000
	data := sensorBinaryCopy(rows)
	_, s := benchSession(b, "ingest")
	ctx := context.Background()
	if err := s.Query(ctx, "CREATE INDEX ON ingest (device_id, time DESC)", &benchWriter{}); err != nil {
		b.Fatal(err)
	}
	w := &benchWriter{copyData: data}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Query(ctx, "COPY ingest (time, device_id, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10) FROM STDIN (FORMAT binary)", w); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
