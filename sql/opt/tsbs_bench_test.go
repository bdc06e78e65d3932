package opt_test

import (
	"context"
	"testing"

	"github.com/tsgres/tsgres/sql"
)

// tsbsCPU opens an engine holding TSBS's cpu-only schema, 100 hosts × 1
// day at 30 s (288,000 rows), and returns a function running a statement.
func tsbsCPU(b *testing.B) func(q string) {
	db, err := sql.Open(sql.Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	s, err := db.NewSession(ctx, sql.StartupParams{User: "postgres", Database: "postgres"})
	if err != nil {
		b.Fatal(err)
	}
	run := func(q string) {
		if err := s.Query(ctx, q, &textWriter{}); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	run(`CREATE TABLE tags (id serial PRIMARY KEY, hostname text)`)
	run(`INSERT INTO tags (hostname) SELECT 'host_' || i FROM generate_series(0, 99) i`)
	run(`CREATE TABLE cpu (time timestamptz NOT NULL, tags_id int, usage_user float8, usage_system float8)`)
	run(`SELECT create_hypertable('cpu', 'time', chunk_time_interval => interval '8 hours')`)
	run(`INSERT INTO cpu SELECT timestamptz '2024-01-01' + (i / 100) * interval '30 seconds', 1 + i % 100, i % 97, i % 89 FROM generate_series(0, 287999) i`)
	return run
}

// benchOnOff runs q with the optimizer on and off, uncompressed and then
// compressed by tags_id.
func benchOnOff(b *testing.B, q string) {
	run := tsbsCPU(b)
	cases := func(state string) {
		for _, opt := range []string{"on", "off"} {
			b.Run(state+"/optimizer="+opt, func(b *testing.B) {
				run("SET tsgres.optimizer = " + opt)
				for i := 0; i < b.N; i++ {
					run(q)
				}
			})
		}
	}
	cases("uncompressed")
	run(`ALTER TABLE cpu SET (timescaledb.compress, timescaledb.compress_segmentby = 'tags_id')`)
	run(`SELECT count(compress_chunk(c)) FROM show_chunks('cpu') c`)
	cases("compressed")
}

// BenchmarkKeySets runs TSBS's single-groupby-1-1-1 shape (one host's
// hour by minute, its tags_id from an IN subquery over the tags table):
// with the optimizer the key set is pushed into the scan, without it a
// SubPlan filters every row.
func BenchmarkKeySets(b *testing.B) {
	benchOnOff(b, `SELECT time_bucket('60 seconds', time) AS minute, max(usage_user) FROM cpu
		WHERE tags_id IN (SELECT id FROM tags WHERE hostname IN ('host_9')) AND time >= '2024-01-01 10:00' AND time < '2024-01-01 11:00'
		GROUP BY minute ORDER BY minute`)
}

// BenchmarkOrderedBuckets runs TSBS's groupby-orderby-limit: the last
// five minutes before a time, by minute. With the optimizer the scan
// reads blocks newest first and stops after them; without it every row
// before the time is aggregated.
func BenchmarkOrderedBuckets(b *testing.B) {
	benchOnOff(b, `SELECT time_bucket('60 seconds', time) AS minute, max(usage_user) FROM cpu
		WHERE time < '2024-01-01 20:00' GROUP BY minute ORDER BY minute DESC LIMIT 5`)
}

// BenchmarkJoinKeySets joins the cpu hypertable to the tags table for
// one host's hour: with the optimizer the join's inner keys filter the
// scan (a runtime filter), without it every row of the hour is probed.
func BenchmarkJoinKeySets(b *testing.B) {
	benchOnOff(b, `SELECT t.hostname, max(c.usage_user) FROM cpu c JOIN tags t ON c.tags_id = t.id
		WHERE t.hostname = 'host_9' AND c.time >= '2024-01-01 10:00' AND c.time < '2024-01-01 11:00'
		GROUP BY t.hostname`)
}

// BenchmarkOrderedBucketsInt is BenchmarkOrderedBuckets over a table
// whose time is a bigint (seconds), bucketed by time_bucket(60, time):
// the ordered bucket scan serves integer time as it serves timestamps.
func BenchmarkOrderedBucketsInt(b *testing.B) {
	run := tsbsCPU(b)
	run(`CREATE TABLE cpu_int (time bigint NOT NULL, tags_id int, usage_user float8)`)
	run(`SELECT create_hypertable('cpu_int', 'time', chunk_time_interval => 28800)`)
	run(`INSERT INTO cpu_int SELECT (i / 100) * 30, 1 + i % 100, i % 97 FROM generate_series(0, 287999) i`)
	for _, opt := range []string{"on", "off"} {
		b.Run("optimizer="+opt, func(b *testing.B) {
			run("SET tsgres.optimizer = " + opt)
			for i := 0; i < b.N; i++ {
				run(`SELECT time_bucket(60, time) AS minute, max(usage_user) FROM cpu_int
					WHERE time < 72000 GROUP BY minute ORDER BY minute DESC LIMIT 5`)
			}
		})
	}
}

// BenchmarkLastValueKeySet asks the latest row of the devices an IN
// subquery over the tags table names (a dashboard's "latest of my
// devices"): with the optimizer the last-value index answers and the
// subquery filters its rows, one per device; without it every row is
// sorted.
func BenchmarkLastValueKeySet(b *testing.B) {
	run := tsbsCPU(b)
	run(`CREATE INDEX ON cpu (tags_id, time DESC)`)
	for _, opt := range []string{"on", "off"} {
		b.Run("optimizer="+opt, func(b *testing.B) {
			run("SET tsgres.optimizer = " + opt)
			for i := 0; i < b.N; i++ {
				run(`SELECT DISTINCT ON (tags_id) * FROM cpu WHERE tags_id IN (SELECT id FROM tags WHERE hostname IN ('host_1', 'host_7'))
					ORDER BY tags_id, time DESC`)
			}
		})
	}
}

// BenchmarkOrderedBucketsMonth asks the last three months of two years
// of readings (every 10 minutes): with the optimizer the scan reads
// chunks newest first and stops after the three month buckets; without
// it every row is aggregated.
func BenchmarkOrderedBucketsMonth(b *testing.B) {
	run := tsbsCPU(b)
	run(`CREATE TABLE readings (time timestamptz NOT NULL, v float8)`)
	run(`SELECT create_hypertable('readings', 'time', chunk_time_interval => interval '7 days')`)
	run(`INSERT INTO readings SELECT timestamptz '2022-01-01' + i * interval '10 minutes', i % 101 FROM generate_series(0, 104999) i`)
	for _, opt := range []string{"on", "off"} {
		b.Run("optimizer="+opt, func(b *testing.B) {
			run("SET tsgres.optimizer = " + opt)
			for i := 0; i < b.N; i++ {
				run(`SELECT time_bucket('1 month', time) AS month, max(v) FROM readings GROUP BY month ORDER BY month DESC LIMIT 3`)
			}
		})
	}
}
