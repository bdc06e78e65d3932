package continuous_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tsgres/tsgres/sql"
)

// caggBenchDevices × caggBenchMinutes rows of 10 metrics: one day of
// per-minute readings of 1000 devices (the benchmark).
const (
	caggBenchDevices = 1000
	caggBenchMinutes = 1440
	caggBenchMetrics = 10
)

// caggBenchDB loads the benchmark's raw data and returns a session on it.
func caggBenchDB(b testing.TB) sql.Session {
	b.Helper()
	_, s := testDB(b)
	devices := caggBenchDevices
	if testing.Short() {
		devices = 50
	}
	var cols, vals []string
	for i := 0; i < caggBenchMetrics; i++ {
		cols = append(cols, fmt.Sprintf("m%d double precision", i))
		vals = append(vals, fmt.Sprintf("((g * 7 + d * 13 + %d) %% 1000) / 10.0", i))
	}
	run(b, s, "CREATE TABLE raw (time timestamptz NOT NULL, device int, "+strings.Join(cols, ", ")+")")
	run(b, s, "SELECT create_hypertable('raw', 'time', chunk_time_interval => INTERVAL '1 day')")
	run(b, s, fmt.Sprintf(`INSERT INTO raw SELECT '2024-01-01'::timestamptz + g * INTERVAL '1 minute', d, %s
		FROM generate_series(0, %d) g, generate_series(1, %d) d`, strings.Join(vals, ", "), caggBenchMinutes-1, devices))
	return s
}

// caggBenchView defines the per-minute rollup: avg, max, min of every metric.
func caggBenchView(name string) string { return caggBenchRollup(name, "1 minute") }

// caggBenchRollup defines a rollup of every metric into buckets of width.
func caggBenchRollup(name, width string) string {
	var aggs []string
	for i := 0; i < caggBenchMetrics; i++ {
		aggs = append(aggs, fmt.Sprintf("avg(m%[1]d) AS avg_m%[1]d, max(m%[1]d) AS max_m%[1]d, min(m%[1]d) AS min_m%[1]d", i))
	}
	return fmt.Sprintf(`CREATE MATERIALIZED VIEW %s WITH (timescaledb.continuous) AS SELECT time_bucket('%s', time) AS bucket,
		device, %s FROM raw GROUP BY bucket, device WITH NO DATA`, name, width, strings.Join(aggs, ", "))
}

// BenchmarkCaggRefresh measures a full refresh of one day of 1-minute
// buckets and reports the raw rows consumed per second.
func BenchmarkCaggRefresh(b *testing.B) {
	s := caggBenchDB(b)
	rows := caggBenchMinutes * caggBenchDevices
	if testing.Short() {
		rows = caggBenchMinutes * 50
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		name := fmt.Sprintf("m_%d", i)
		run(b, s, caggBenchView(name))
		b.StartTimer()
		run(b, s, fmt.Sprintf("CALL refresh_continuous_aggregate('%s', NULL, NULL)", name))
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rawrows/s")
}

// BenchmarkCaggQuery runs per-device rollup queries over continuous
// aggregates and the same queries over the raw data and reports
// raw/aggregate time:
//
//   - raw/cagg1h: the hourly query over the hourly aggregate (60x fewer
//     rows than raw; grouped by the aggregate's own grouping, so no
//     aggregation is left to do);
//   - raw/cagg1m: the hourly query over the per-minute aggregate (as many
//     rows as raw: the raw data has one row per device and minute, so
//     only reading fewer columns helps);
//   - raw/cagg1h-daily: a daily query over the hourly aggregate.
func BenchmarkCaggQuery(b *testing.B) {
	s := caggBenchDB(b)
	run(b, s, caggBenchView("m"))
	run(b, s, "CALL refresh_continuous_aggregate('m', NULL, NULL)")
	run(b, s, caggBenchRollup("h", "1 hour"))
	run(b, s, "CALL refresh_continuous_aggregate('h', NULL, NULL)")
	const q = "SELECT time_bucket('%s', %s), device, max(%s), min(%s) FROM %s GROUP BY 1, 2"
	queries := []struct{ name, cagg, raw string }{
		{"cagg1h", fmt.Sprintf(q, "1 hour", "bucket", "max_m3", "min_m3", "h"), fmt.Sprintf(q, "1 hour", "time", "m3", "m3", "raw")},
		{"cagg1m", fmt.Sprintf(q, "1 hour", "bucket", "max_m3", "min_m3", "m"), fmt.Sprintf(q, "1 hour", "time", "m3", "m3", "raw")},
		{"cagg1h-daily", fmt.Sprintf(q, "1 day", "bucket", "max_m3", "min_m3", "h"), fmt.Sprintf(q, "1 day", "time", "m3", "m3", "raw")},
	}
	timeIt := func(q string) time.Duration {
		start := time.Now()
		run(b, s, q)
		return time.Since(start)
	}
	cagg := make([]time.Duration, len(queries))
	raw := make([]time.Duration, len(queries))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, x := range queries {
			cagg[j] += timeIt(x.cagg)
			raw[j] += timeIt(x.raw)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) / 1000 }
	for j, x := range queries {
		b.ReportMetric(ms(cagg[j]), x.name+"-ms/op")
		b.ReportMetric(ms(raw[j]), x.name+"-raw-ms/op")
		b.ReportMetric(float64(raw[j])/float64(cagg[j]), "raw/"+x.name)
	}
}
