package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/bench/gen"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// engine is one server under test.
type engine struct {
	name string
	dsn  string
	ts   *testserver.Server   // set for tsgres
	pg   *testserver.Postgres // set for postgres
}

// pgSettings size PostgreSQL for a bulk-loading benchmark on this machine
// (the defaults, 128MB shared_buffers and 1GB max_wal_size, checkpoint
// constantly); everything else, fsync included, stays at its default.
var pgSettings = []string{"shared_buffers=1GB", "max_wal_size=8GB", "work_mem=64MB", "maintenance_work_mem=512MB"}

func startEngine(name string) (*engine, error) {
	switch name {
	case "tsgres":
		s, err := testserver.StartE(testserver.Options{})
		if err != nil {
			return nil, err
		}
		return &engine{name: name, dsn: s.DSN("postgres"), ts: s}, nil
	case "postgres":
		if !testserver.PGAvailable() {
			return nil, fmt.Errorf("PostgreSQL 15 not installed (run compat-tests/install-deps.sh)")
		}
		p, err := testserver.StartPostgresE(testserver.PGOptions{Durable: true, Settings: pgSettings})
		if err != nil {
			return nil, err
		}
		return &engine{name: name, dsn: p.DSN("postgres"), pg: p}, nil
	}
	return nil, fmt.Errorf("unknown engine %q", name)
}

func (e *engine) close() error {
	if e.ts != nil {
		return e.ts.Close()
	}
	return e.pg.Close()
}

// bucket returns the expression grouping time into buckets of unit
// ("minute", "hour", "day"): time_bucket on tsgres, date_trunc on
// PostgreSQL. Both align to UTC midnight (the session time zone is UTC).
func (e *engine) bucket(unit string) string {
	if e.ts != nil {
		return fmt.Sprintf("time_bucket('1 %s', time)", unit)
	}
	return fmt.Sprintf("date_trunc('%s', time)", unit)
}

// tableSpec is a benchmark table: its DDL and the index columns a
// PostgreSQL user would create (tsgres gets the first as its last-value
// index).
type tableSpec struct {
	ddl     string
	columns []string
	indexes []string
	metrics int // value columns per row
}

var (
	vehicleTable = tableSpec{gen.VehicleDDL, gen.VehicleColumns, []string{"vin, time DESC", "time"}, gen.NumVehicleMetrics}
	readingTable = tableSpec{gen.ReadingDDL, gen.ReadingColumns, []string{"device_id, metric_name, time DESC", "time"}, 1}
)

// chunkInterval is the tsgres hypertables' chunk interval.
const chunkInterval = "1 day"

// createTable (re)creates table: a hypertable with a last-value index on
// tsgres, a plain table with its indexes on PostgreSQL.
func (e *engine) createTable(ctx context.Context, c *pgx.Conn, spec tableSpec, table string) error {
	stmts := []string{"DROP TABLE IF EXISTS " + table, fmt.Sprintf(spec.ddl, table)}
	if e.ts != nil {
		stmts = append(stmts,
			fmt.Sprintf("SELECT create_hypertable('%s', 'time', chunk_time_interval => INTERVAL '%s')", table, chunkInterval),
			fmt.Sprintf("CREATE INDEX ON %s (%s)", table, spec.indexes[0]))
	} else {
		for _, ix := range spec.indexes {
			stmts = append(stmts, fmt.Sprintf("CREATE INDEX ON %s (%s)", table, ix))
		}
	}
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
