package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// windows are the literal time ranges the queries use, all relative to
// the loaded data's end (never now()).
type windows struct {
	end     time.Time // the vehicle data's latest time
	hourEnd time.Time // end truncated to the hour: whole hours before it
	day     time.Time // the last whole UTC day of the vehicle data
	rHour   time.Time // the readings' end truncated to the hour
	vin     string    // the vehicle of the one-vehicle query
}

// lit formats t as a timestamptz literal.
func lit(t time.Time) string {
	return "'" + t.UTC().Format("2006-01-02 15:04:05.999999") + "+00'"
}

// query is one query workload; sql builds it for an engine.
type query struct {
	name, label string
	sql         func(e *engine, w *windows) string
}

var queries = []query{
	{"latest_per_vehicle", "latest value per vehicle (DISTINCT ON)", func(e *engine, w *windows) string {
		return `SELECT DISTINCT ON (vin) vin, time, speed, mileage, battery FROM vehicles ORDER BY vin, time DESC`
	}},
	{"vehicle_last_hour", "one vehicle, last hour", func(e *engine, w *windows) string {
		return fmt.Sprintf(`SELECT time, speed, latitude, longitude, mileage, engine_temp FROM vehicles
 WHERE vin = '%s' AND time > %s AND time <= %s ORDER BY time`, w.vin, lit(w.end.Add(-time.Hour)), lit(w.end))
	}},
	{"avg_1min_day", "1-min averages, all vehicles, one day", func(e *engine, w *windows) string {
		return fmt.Sprintf(`SELECT %s AS minute, vin, avg(speed), avg(engine_temp) FROM vehicles
 WHERE time >= %s AND time < %s GROUP BY minute, vin ORDER BY minute, vin`, e.bucket("minute"), lit(w.day), lit(w.day.Add(24*time.Hour)))
	}},
	{"max_hourly_week", "max per hour per vehicle, one week", func(e *engine, w *windows) string {
		return fmt.Sprintf(`SELECT %s AS hour, vin, max(speed), max(engine_temp) FROM vehicles
 WHERE time >= %s AND time < %s GROUP BY hour, vin ORDER BY hour, vin`, e.bucket("hour"), lit(w.hourEnd.Add(-7*24*time.Hour)), lit(w.hourEnd))
	}},
	{"over_threshold_10min", "vehicles over 80 km/h, last 10 min", func(e *engine, w *windows) string {
		return fmt.Sprintf(`SELECT vin, max(speed) AS top_speed, count(*) FROM vehicles
 WHERE time > %s AND time <= %s AND speed > 80 GROUP BY vin ORDER BY vin`, lit(w.end.Add(-10*time.Minute)), lit(w.end))
	}},
	{"top10_max_day", "top 10 vehicles by max speed, one day", func(e *engine, w *windows) string {
		return fmt.Sprintf(`SELECT vin, max(speed) AS top_speed FROM vehicles
 WHERE time >= %s AND time < %s GROUP BY vin ORDER BY top_speed DESC, vin LIMIT 10`, lit(w.day), lit(w.day.Add(24*time.Hour)))
	}},
	{"count_by_day", "rows per day, whole range", func(e *engine, w *windows) string {
		return fmt.Sprintf(`SELECT %s AS day, count(*) FROM vehicles GROUP BY day ORDER BY day`, e.bucket("day"))
	}},
	{"zscore_anomaly", "z-score anomalies per vehicle, one day", func(e *engine, w *windows) string {
		from, to := lit(w.day), lit(w.day.Add(24*time.Hour))
		return fmt.Sprintf(`WITH s AS (SELECT avg(engine_temp) AS mu, stddev(engine_temp) AS sigma FROM vehicles
 WHERE time >= %s AND time < %s)
SELECT v.vin, count(*) AS readings,
 sum(CASE WHEN abs(v.engine_temp - s.mu) / s.sigma > 2 THEN 1 ELSE 0 END) AS anomalies
FROM vehicles v CROSS JOIN s WHERE v.time >= %s AND v.time < %s GROUP BY v.vin ORDER BY v.vin`, from, to, from, to)
	}},
	{"readings_hourly_day", "narrow: hourly avg/max per device+metric, 24 h", func(e *engine, w *windows) string {
		return fmt.Sprintf(`SELECT %s AS hour, device_id, metric_name, avg(value), max(value) FROM readings
 WHERE time >= %s AND time < %s GROUP BY hour, device_id, metric_name ORDER BY hour, device_id, metric_name`,
			e.bucket("hour"), lit(w.rHour.Add(-24*time.Hour)), lit(w.rHour))
	}},
	{"readings_latest", "narrow: latest value per device+metric", func(e *engine, w *windows) string {
		return `SELECT DISTINCT ON (device_id, metric_name) device_id, metric_name, time, value FROM readings
 ORDER BY device_id, metric_name, time DESC`
	}},
}

// caggQueries answer the rollup queries from continuous aggregates
// (tsgres only); each is compared with the PostgreSQL answer of ref.
var caggQueries = []struct {
	name, ref, label string
	sql              func(w *windows) string
}{
	{"max_hourly_week_cagg", "max_hourly_week", "max per hour per vehicle, one week, cagg", func(w *windows) string {
		return fmt.Sprintf(`SELECT bucket AS hour, vin, max_speed, max_temp FROM vehicles_hourly
 WHERE bucket >= %s AND bucket < %s ORDER BY hour, vin`, lit(w.hourEnd.Add(-7*24*time.Hour)), lit(w.hourEnd))
	}},
	{"top10_max_day_cagg", "top10_max_day", "top 10 by max speed, one day, cagg", func(w *windows) string {
		return fmt.Sprintf(`SELECT vin, max(max_speed) AS top_speed FROM vehicles_hourly
 WHERE bucket >= %s AND bucket < %s GROUP BY vin ORDER BY top_speed DESC, vin LIMIT 10`, lit(w.day), lit(w.day.Add(24*time.Hour)))
	}},
	{"avg_1min_day_cagg", "avg_1min_day", "1-min averages, all vehicles, one day, cagg", func(w *windows) string {
		return fmt.Sprintf(`SELECT bucket AS minute, vin, avg_speed, avg_temp FROM vehicles_1min
 WHERE bucket >= %s AND bucket < %s ORDER BY minute, vin`, lit(w.day), lit(w.day.Add(24*time.Hour)))
	}},
	{"count_by_day_cagg", "count_by_day", "rows per day, whole range, cagg", func(w *windows) string {
		return `SELECT time_bucket('1 day', bucket) AS day, sum(n)::bigint FROM vehicles_hourly GROUP BY day ORDER BY day`
	}},
}

// caggs are the continuous aggregates behind caggQueries.
var caggs = []struct{ name, label, ddl string }{
	{"vehicles_hourly", "hourly", `CREATE MATERIALIZED VIEW vehicles_hourly WITH (timescaledb.continuous) AS
 SELECT time_bucket('1 hour', time) AS bucket, vin, max(speed) AS max_speed, max(engine_temp) AS max_temp, count(*) AS n
 FROM vehicles GROUP BY bucket, vin WITH NO DATA`},
	{"vehicles_1min", "1-minute", `CREATE MATERIALIZED VIEW vehicles_1min WITH (timescaledb.continuous) AS
 SELECT time_bucket('1 minute', time) AS bucket, vin, avg(speed) AS avg_speed, avg(engine_temp) AS avg_temp
 FROM vehicles GROUP BY bucket, vin WITH NO DATA`},
}

// queryBudget bounds the time spent repeating one query: after it, no new
// run starts (at least one always runs), so one slow query cannot stretch
// the run by many minutes; the JSON records the runs made.
const queryBudget = 30 * time.Second

// timedQuery is one query's latencies, first answer and peak RSS.
type timedQuery struct {
	secs   []float64
	answer [][]any
	peak   int64
}

// timeQuery runs sql b.cfg.Runs times on c and keeps the first answer.
func (b *bench) timeQuery(ctx context.Context, e *engine, c *pgx.Conn, sql string) (*timedQuery, error) {
	pid := 0
	if e.ts != nil {
		pid = e.ts.PID()
	}
	mem := watchMemory(pid)
	tq := &timedQuery{}
	began := time.Now()
	for run := range b.cfg.Runs {
		if run > 0 && time.Since(began) > queryBudget {
			break
		}
		t := time.Now()
		rows, err := c.Query(ctx, sql)
		if err != nil {
			mem.Stop()
			return nil, err
		}
		var ans [][]any
		for rows.Next() {
			if run == 0 {
				vals, err := rows.Values()
				if err != nil {
					rows.Close()
					mem.Stop()
					return nil, err
				}
				ans = append(ans, normalizeRow(vals))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			mem.Stop()
			return nil, err
		}
		tq.secs = append(tq.secs, time.Since(t).Seconds())
		if run == 0 {
			tq.answer = ans
		}
	}
	tq.peak = mem.Stop()
	return tq, nil
}

// record stores a query's latency figures (and tsgres's peak RSS).
func (b *bench) record(e *engine, name, label, sql string, tq *timedQuery) {
	b.rep.set("query", name, label, e.name, "median_ms", "ms", false, 1000*percentile(tq.secs, 50))
	b.rep.set("query", name, label, e.name, "p95_ms", "ms", false, 1000*percentile(tq.secs, 95))
	b.rep.setInfo("query", name, e.name+"_runs", len(tq.secs))
	b.rep.setInfo("query", name, e.name+"_rows", len(tq.answer))
	b.rep.setInfo("query", name, e.name+"_sql", sql)
	if tq.peak > 0 {
		b.rep.setInfo("query", name, e.name+"_peak_rss_bytes", tq.peak)
	}
	fmt.Fprintf(os.Stderr, "tsbench: %s %s: median %.1f ms, %d rows\n", e.name, name, 1000*percentile(tq.secs, 50), len(tq.answer))
}

// runQueries runs the query set on e, recording latencies, answers and
// the heaviest query's peak RSS under prefix ("" or "compressed_").
func (b *bench) runQueries(ctx context.Context, e *engine, c *pgx.Conn, prefix, labelSuffix string) {
	var heaviest string
	var heaviestSecs float64
	var heaviestPeak int64
	for _, q := range queries {
		sql := q.sql(e, b.win)
		name := prefix + q.name
		tq, err := b.timeQuery(ctx, e, c, sql)
		if err != nil {
			b.rep.fail("%s query %s failed: %v\n%s", e.name, name, err, sql)
			continue
		}
		b.record(e, name, q.label+labelSuffix, sql, tq)
		b.answers.put(name, e.name, tq.answer, q.name)
		if m := percentile(tq.secs, 50); m > heaviestSecs {
			heaviest, heaviestSecs, heaviestPeak = name, m, tq.peak
		}
	}
	if e.ts != nil && heaviest != "" {
		b.rep.set("memory", prefix+"heaviest_query", "peak RSS, heaviest query "+heaviest, e.name, "peak_rss", "B", false, float64(heaviestPeak))
		b.rep.setInfo("memory", prefix+"heaviest_query", "query", heaviest)
	}
}

// percentile is the nearest-rank p-th percentile of xs.
func percentile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}
