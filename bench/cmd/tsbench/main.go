package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/bench/gen"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// config is the run's scale.
type config struct {
	Scale      string `json:"scale"`
	Rows       int    `json:"vehicle_rows"`
	Vehicles   int    `json:"vehicles"`
	Readings   int    `json:"reading_rows"`
	Devices    int    `json:"devices"`
	IngestRows int    `json:"copy_rows"`
	InsertRows int    `json:"insert_rows"`
	SimpleRows int    `json:"execute_batch_rows"`
	SingleRows int    `json:"single_insert_rows"`
	Runs       int    `json:"query_runs"`
	Seed       uint64 `json:"seed"`
	// PgbenchScale and PgbenchSecs size the OLTP phase (oltp.go).
	PgbenchScale int `json:"pgbench_scale"`
	PgbenchSecs  int `json:"pgbench_seconds"`
}

// scales are the presets of -scale; flags override single figures.
var scales = map[string]config{
	"quick":   {Rows: 1_000_000, Vehicles: 10, Readings: 500_000, Devices: 20, IngestRows: 200_000, InsertRows: 50_000, SimpleRows: 20_000, SingleRows: 2_000, Runs: 3, PgbenchScale: 1, PgbenchSecs: 3},
	"default": {Rows: 12_000_000, Vehicles: 60, Readings: 5_000_000, Devices: 100, IngestRows: 2_000_000, InsertRows: 500_000, SimpleRows: 100_000, SingleRows: 20_000, Runs: 5, PgbenchScale: 10, PgbenchSecs: 15},
	"large":   {Rows: 100_000_000, Vehicles: 500, Readings: 50_000_000, Devices: 1000, IngestRows: 5_000_000, InsertRows: 1_000_000, SimpleRows: 200_000, SingleRows: 40_000, Runs: 3, PgbenchScale: 10, PgbenchSecs: 30},
}

// readingStep is the narrow table's reporting interval.
const readingStep = 10 * time.Second

// dataEnd is about when the generated data ends: a weekday's evening rush
// hour, so "the last 10 minutes" catch vehicles driving fast.
var dataEnd = time.Date(2024, 3, 1, 17, 30, 0, 0, time.UTC)

// bench is one run's shared state.
type bench struct {
	cfg        *config
	rep        *report
	answers    *answers
	win        *windows
	fleetStart time.Time
	readStart  time.Time
	workDir    string
	// ingestFleet and ingestRows are the ingest workloads' data (another
	// seed than the query tables), generated once for both engines.
	ingestFleet *gen.Fleet
	ingestRows  []gen.VehicleRow
}

func main() {
	scale := flag.String("scale", "default", "preset: quick, default or large")
	rows := flag.Int("rows", 0, "vehicle rows loaded for the queries")
	vehicles := flag.Int("vehicles", 0, "vehicles in the fleet")
	readings := flag.Int("readings", 0, "narrow sensor rows loaded for the queries")
	devices := flag.Int("devices", 0, "devices of the narrow sensor table")
	ingestRows := flag.Int("copy-rows", 0, "rows per COPY ingest workload")
	insertRows := flag.Int("insert-rows", 0, "rows of the multi-row INSERT workload")
	simpleRows := flag.Int("batch-rows", 0, "rows of the execute_batch-style INSERT workload")
	singleRows := flag.Int("single-rows", 0, "rows of the single-row INSERT workload")
	runs := flag.Int("runs", 0, "runs per query (median and p95 reported)")
	seed := flag.Uint64("seed", 1, "generator seed")
	targets := flag.String("targets", "tsgres,postgres", "comma-separated engines to measure")
	out := flag.String("out", "", "JSON result file (default bench/results/latest.json)")
	flag.Parse()

	preset, ok := scales[*scale]
	if !ok {
		fmt.Fprintf(os.Stderr, "tsbench: unknown -scale %q\n", *scale)
		os.Exit(2)
	}
	cfg := preset
	cfg.Scale, cfg.Seed = *scale, *seed
	for _, o := range []struct {
		flag int
		dst  *int
	}{{*rows, &cfg.Rows}, {*vehicles, &cfg.Vehicles}, {*readings, &cfg.Readings}, {*devices, &cfg.Devices},
		{*ingestRows, &cfg.IngestRows}, {*insertRows, &cfg.InsertRows}, {*simpleRows, &cfg.SimpleRows},
		{*singleRows, &cfg.SingleRows}, {*runs, &cfg.Runs}} {
		if o.flag > 0 {
			*o.dst = o.flag
		}
	}
	if *out == "" {
		root, err := testserver.RepoRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, "tsbench:", err)
			os.Exit(2)
		}
		*out = filepath.Join(root, "bench", "results", "latest.json")
	}
	os.Exit(run(&cfg, strings.Split(*targets, ","), *out))
}

// run measures every target and writes the results; it returns the exit
// status.
func run(cfg *config, targets []string, out string) int {
	started := time.Now()
	meta := map[string]any{"machine": machine(), "config": cfg, "started_at": started.UTC().Format(time.RFC3339)}
	b, err := plan(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tsbench:", err)
		return 1
	}
	defer os.RemoveAll(b.workDir)
	meta["data"] = map[string]any{"vehicles_start": b.fleetStart, "vehicles_end": b.win.end, "query_day": b.win.day,
		"readings_start": b.readStart, "readings_end_hour": b.win.rHour}
	fmt.Printf("tsbench: scale %s, %d vehicle rows (%d vehicles, %s .. %s), %d narrow rows; PostgreSQL durable (fsync=on)\n",
		cfg.Scale, cfg.Rows, cfg.Vehicles, b.fleetStart.Format(time.DateTime), b.win.end.Format(time.DateTime), cfg.Readings)
	ctx := context.Background()
	measured := 0
	for _, name := range targets {
		name = strings.TrimSpace(name)
		e, err := startEngine(name)
		if err != nil {
			b.rep.fail("%s unavailable: %v", name, err)
			continue
		}
		if name == "postgres" {
			meta["postgres_settings"] = pgSettings
		}
		if err := b.benchEngine(ctx, e, meta); err != nil {
			b.rep.fail("%s: %v", name, err)
		} else {
			measured++
		}
		if err := e.close(); err != nil {
			b.rep.note("stopping %s: %v", name, err)
		}
	}
	b.rep.copyReference()
	compared := b.answers.compare(b.rep)
	meta["answers_compared"] = compared
	meta["duration_s"] = time.Since(started).Seconds()
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		meta["tsgres_commit"] = strings.TrimSpace(string(out))
	}
	b.rep.printTable(os.Stdout)
	fmt.Printf("%d query answers compared; run took %.0f s\n", compared, time.Since(started).Seconds())
	if err := writeJSON(out, b.rep.json(meta)); err != nil {
		fmt.Fprintln(os.Stderr, "tsbench: write results:", err)
		return 1
	}
	fmt.Println("results written to", out)
	if measured == 0 || len(b.rep.mismatches) > 0 || len(b.rep.errors) > 0 {
		return 1
	}
	return 0
}

// plan fixes the data's time ranges (so the data ends at dataEnd) and
// generates the ingest workloads' rows.
func plan(cfg *config) (*bench, error) {
	dir, err := os.MkdirTemp("", "tsbench-")
	if err != nil {
		return nil, err
	}
	b := &bench{cfg: cfg, rep: newReport(), answers: newAnswers(), workDir: dir}
	rate := gen.NewFleet(cfg.Seed, cfg.Vehicles, dataEnd).RowsPerSecond()
	b.fleetStart = dataEnd.Add(-time.Duration(float64(cfg.Rows) / rate * float64(time.Second))).Truncate(time.Hour)
	f := gen.NewFleet(cfg.Seed, cfg.Vehicles, b.fleetStart)
	var end int64
	chunk := make([]gen.VehicleRow, min(loadChunk, cfg.Rows))
	for done := 0; done < cfg.Rows; done += len(chunk) {
		chunk = chunk[:min(len(chunk), cfg.Rows-done)]
		f.Fill(chunk)
		for i := range chunk {
			end = max(end, chunk[i].Time)
		}
	}
	ticks := (cfg.Readings + cfg.Devices*len(gen.MetricNames) - 1) / (cfg.Devices * len(gen.MetricNames))
	b.readStart = dataEnd.Add(-time.Duration(ticks) * readingStep).Truncate(time.Hour)
	rEnd := b.readStart.Add(time.Duration(ticks-1) * readingStep)
	endT := time.UnixMicro(end).UTC()
	b.win = &windows{end: endT, hourEnd: endT.Truncate(time.Hour), day: endT.Truncate(24 * time.Hour).Add(-24 * time.Hour),
		rHour: rEnd.Truncate(time.Hour), vin: f.Tags[0].VIN}
	n := max(cfg.IngestRows, cfg.InsertRows, cfg.SimpleRows, cfg.SingleRows)
	b.ingestFleet = gen.NewFleet(cfg.Seed+1, max(cfg.Vehicles, 100), b.fleetStart)
	b.ingestRows = make([]gen.VehicleRow, n)
	b.ingestFleet.Fill(b.ingestRows)
	return b, nil
}

// benchEngine runs every phase on one engine: bulk load and sizes, the
// queries, the continuous-aggregate and compressed variants (tsgres, when
// available), then the ingest workloads on a scratch table.
func (b *bench) benchEngine(ctx context.Context, e *engine, meta map[string]any) error {
	c, err := pgx.Connect(ctx, e.dsn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	if e.pg != nil {
		var v string
		if err := c.QueryRow(ctx, "SHOW server_version").Scan(&v); err == nil {
			meta["postgres_version"] = v
		}
	}
	if err := b.load(ctx, e, c); err != nil {
		return err
	}
	b.runQueries(ctx, e, c, "", "")
	if e.ts != nil {
		b.runCagg(ctx, e, c)
		b.runCompressed(ctx, e, c)
	}
	b.runIngest(ctx, e, c)
	b.runPgbench(ctx, e, c)
	return nil
}
