// Command tsbench measures tsgres against PostgreSQL 15 in the same run:
// COPY ingest rows/s (pgx CopyFrom), multi-row INSERT rows/s, and
// full-scan aggregates over a loaded table, with deterministic IoT data
// from bench/gen. It prints medians over repeated runs and the
// tsgres/PostgreSQL ratio for each measurement.
//
// PostgreSQL runs in its normal durable configuration (fsync and
// synchronous_commit on) and its tables are VACUUM ANALYZEd after loading.
// TimescaleDB is not installed there, so the hourly rollup uses
// date_trunc('hour', time) on PostgreSQL where tsgres runs
// time_bucket('1 hour', time); both produce the same buckets.
//
// Usage: go run ./bench/cmd/tsbench [-rows 10000000] [-copy-rows 1000000]
// [-insert-rows 200000] [-batch 1000] [-runs 3] [-targets tsgres,postgres]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/bench/gen"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

var (
	scanRows   = flag.Int("rows", 10_000_000, "rows loaded for the full-scan aggregate queries")
	copyRows   = flag.Int("copy-rows", 1_000_000, "rows per COPY ingest run")
	insertRows = flag.Int("insert-rows", 200_000, "rows per multi-row INSERT run")
	batch      = flag.Int("batch", 1000, "rows per INSERT statement")
	runs       = flag.Int("runs", 3, "repetitions per measurement (the median is reported)")
	devices    = flag.Int("devices", 1000, "devices in the generated data")
	targets    = flag.String("targets", "tsgres,postgres", "comma-separated engines to measure")
	seed       = flag.Uint64("seed", 1, "generator seed")
)

var start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// engine is one server under test.
type engine struct {
	name   string
	dsn    string
	bucket string // hourly bucket expression
	setup  func(ctx context.Context, c *pgx.Conn, table string) error
	close  func() error
}

// result is one measurement's value per engine (rows/s or seconds).
type result struct {
	name   string
	unit   string
	higher bool // higher is better
	vals   map[string]float64
}

func main() {
	flag.Parse()
	ctx := context.Background()
	var engines []*engine
	for _, name := range strings.Split(*targets, ",") {
		e, err := startEngine(strings.TrimSpace(name))
		if err != nil {
			fmt.Fprintf(os.Stderr, "tsbench: %s unavailable: %v\n", name, err)
			continue
		}
		defer e.close()
		engines = append(engines, e)
	}
	if len(engines) == 0 {
		fmt.Fprintln(os.Stderr, "tsbench: no engine could be started")
		os.Exit(1)
	}
	fmt.Printf("tsbench: seed %d, %d devices; PostgreSQL runs durable (fsync=on, synchronous_commit=on)\n", *seed, *devices)
	var results []*result
	add := func(name, unit string, higher bool) *result {
		r := &result{name: name, unit: unit, higher: higher, vals: map[string]float64{}}
		results = append(results, r)
		return r
	}
	copyRes := add(fmt.Sprintf("COPY ingest (%d rows)", *copyRows), "rows/s", true)
	insRes := add(fmt.Sprintf("INSERT %d rows/stmt (%d rows)", *batch, *insertRows), "rows/s", true)
	vehRes := add(fmt.Sprintf("COPY vehicle telemetry (%d rows)", *copyRows), "rows/s", true)
	aggRes := add(fmt.Sprintf("hourly avg/max by device (%d rows)", *scanRows), "s", false)
	cntRes := add(fmt.Sprintf("count(*), avg(m1) (%d rows)", *scanRows), "s", false)
	for _, e := range engines {
		if err := benchEngine(ctx, e, copyRes, insRes, vehRes, aggRes, cntRes); err != nil {
			fmt.Fprintf(os.Stderr, "tsbench: %s: %v\n", e.name, err)
		}
	}
	printTable(results, engines)
}

func startEngine(name string) (*engine, error) {
	switch name {
	case "tsgres":
		s, err := testserver.StartE(testserver.Options{})
		if err != nil {
			return nil, err
		}
		return &engine{name: name, dsn: s.DSN("postgres"), bucket: "time_bucket('1 hour', time)", close: s.Close,
			setup: func(ctx context.Context, c *pgx.Conn, table string) error {
				_, err := c.Exec(ctx, fmt.Sprintf("SELECT create_hypertable('%s', 'time')", table))
				return err
			}}, nil
	case "postgres":
		if !testserver.PGAvailable() {
			return nil, fmt.Errorf("PostgreSQL 15 not installed (run compat-tests/install-deps.sh)")
		}
		p, err := testserver.StartPostgresE(testserver.PGOptions{Durable: true, Settings: []string{"shared_buffers=512MB", "max_wal_size=4GB"}})
		if err != nil {
			return nil, err
		}
		return &engine{name: name, dsn: p.DSN("postgres"), bucket: "date_trunc('hour', time)", close: p.Close,
			setup: func(context.Context, *pgx.Conn, string) error { return nil }}, nil
	}
	return nil, fmt.Errorf("unknown engine %q", name)
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func createTable(ctx context.Context, c *pgx.Conn, e *engine, ddl, table string) error {
	if _, err := c.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
		return err
	}
	if _, err := c.Exec(ctx, fmt.Sprintf(ddl, table)); err != nil {
		return err
	}
	return e.setup(ctx, c, table)
}

// copyIn loads n generated rows into table and returns rows/s.
func copyIn(ctx context.Context, c *pgx.Conn, table string, cols []string, n int, next func(int) [][]any) (float64, error) {
	const chunk = 50_000 // rows generated ahead of each CopyFrom call
	var elapsed time.Duration
	for done := 0; done < n; done += chunk {
		rows := next(min(chunk, n-done))
		t := time.Now()
		if _, err := c.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
			return 0, err
		}
		elapsed += time.Since(t)
	}
	return float64(n) / elapsed.Seconds(), nil
}

func benchEngine(ctx context.Context, e *engine, copyRes, insRes, vehRes, aggRes, cntRes *result) error {
	c, err := pgx.Connect(ctx, e.dsn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	var copyR, insR, vehR []float64
	for run := 0; run < *runs; run++ {
		if err := createTable(ctx, c, e, gen.SensorDDL, "ingest"); err != nil {
			return err
		}
		g := gen.NewSensors(*seed, *devices, start, time.Second)
		r, err := copyIn(ctx, c, "ingest", gen.SensorColumns, *copyRows, g.Rows)
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		copyR = append(copyR, r)

		if err := createTable(ctx, c, e, gen.VehicleDDL, "vehicles"); err != nil {
			return err
		}
		vg := gen.NewVehicles(*seed, *devices, start, 10*time.Second)
		r, err = copyIn(ctx, c, "vehicles", gen.VehicleColumns, *copyRows, vg.Rows)
		if err != nil {
			return fmt.Errorf("copy vehicles: %w", err)
		}
		vehR = append(vehR, r)

		if err := createTable(ctx, c, e, gen.SensorDDL, "inserts"); err != nil {
			return err
		}
		r, err = insertRun(ctx, c, gen.NewSensors(*seed, *devices, start, time.Second))
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		insR = append(insR, r)
		fmt.Fprintf(os.Stderr, "%s run %d: copy %.0f rows/s, vehicles %.0f rows/s, insert %.0f rows/s\n", e.name, run+1, copyR[run], vehR[run], r)
	}
	copyRes.vals[e.name], insRes.vals[e.name], vehRes.vals[e.name] = median(copyR), median(insR), median(vehR)
	for _, t := range []string{"ingest", "vehicles", "inserts"} {
		c.Exec(ctx, "DROP TABLE IF EXISTS "+t)
	}

	// Load the scan table once, then query it repeatedly.
	if err := createTable(ctx, c, e, gen.SensorDDL, "sensors"); err != nil {
		return err
	}
	if _, err := copyIn(ctx, c, "sensors", gen.SensorColumns, *scanRows, gen.NewSensors(*seed, *devices, start, time.Second).Rows); err != nil {
		return fmt.Errorf("load scan table: %w", err)
	}
	if e.name == "postgres" {
		if _, err := c.Exec(ctx, "VACUUM ANALYZE sensors"); err != nil {
			return err
		}
	}
	queries := []struct {
		res *result
		sql string
	}{
		{aggRes, fmt.Sprintf("SELECT %s AS bucket, device_id, avg(m1), max(m2) FROM sensors GROUP BY 1, 2", e.bucket)},
		{cntRes, "SELECT count(*), avg(m1) FROM sensors"},
	}
	for _, q := range queries {
		var secs []float64
		for run := 0; run < *runs; run++ {
			t := time.Now()
			rows, err := c.Query(ctx, q.sql)
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				n++
			}
			if err := rows.Err(); err != nil {
				return err
			}
			secs = append(secs, time.Since(t).Seconds())
			if n == 0 {
				return fmt.Errorf("%s returned no rows", q.sql)
			}
		}
		q.res.vals[e.name] = median(secs)
	}
	return nil
}

// insertRun inserts -insert-rows rows with -batch rows per INSERT and
// returns rows/s.
func insertRun(ctx context.Context, c *pgx.Conn, g *gen.Sensors) (float64, error) {
	ncol := len(gen.SensorColumns)
	var sb strings.Builder
	sb.WriteString("INSERT INTO inserts VALUES ")
	for i := 0; i < *batch; i++ {
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
	sql := sb.String()
	var elapsed time.Duration
	args := make([]any, 0, *batch*ncol)
	for done := 0; done+*batch <= *insertRows; done += *batch {
		args = args[:0]
		for _, r := range g.Rows(*batch) {
			args = append(args, r...)
		}
		t := time.Now()
		if _, err := c.Exec(ctx, sql, args...); err != nil {
			return 0, err
		}
		elapsed += time.Since(t)
	}
	return float64(*insertRows / *batch * *batch) / elapsed.Seconds(), nil
}

func printTable(results []*result, engines []*engine) {
	fmt.Printf("\n%-45s", "measurement (median)")
	for _, e := range engines {
		fmt.Printf(" %16s", e.name)
	}
	fmt.Printf(" %16s\n", "tsgres/postgres")
	for _, r := range results {
		fmt.Printf("%-45s", r.name)
		for _, e := range engines {
			v, ok := r.vals[e.name]
			switch {
			case !ok:
				fmt.Printf(" %16s", "-")
			case r.unit == "s":
				fmt.Printf(" %14.3fs ", v)
			default:
				fmt.Printf(" %10.0f rows/s", v)
			}
		}
		ts, ok1 := r.vals["tsgres"]
		pg, ok2 := r.vals["postgres"]
		if ok1 && ok2 && ts > 0 && pg > 0 {
			ratio := ts / pg
			if !r.higher {
				ratio = pg / ts // speedup: >1 means tsgres is faster
			}
			fmt.Printf(" %15.2fx", ratio)
		} else {
			fmt.Printf(" %16s", "-")
		}
		fmt.Println()
	}
	fmt.Println("\nratio > 1 means tsgres is better (throughput ratio, or speedup for query times).")
}
