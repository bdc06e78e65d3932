package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/bench/gen"
)

// loadChunk is the rows per COPY statement of the bulk load; each chunk is
// generated and encoded before its COPY is timed.
const loadChunk = 1_000_000

// load bulk-loads the query tables (vehicles, readings) with pre-encoded
// binary COPY streams, recording throughput, tsgres's peak RSS and sizes.
func (b *bench) load(ctx context.Context, e *engine, c *pgx.Conn) error {
	pid := 0
	if e.ts != nil {
		pid = e.ts.PID()
	}
	if err := e.createTable(ctx, c, vehicleTable, "vehicles"); err != nil {
		return err
	}
	f := gen.NewFleet(b.cfg.Seed, b.cfg.Vehicles, b.fleetStart)
	rows := make([]gen.VehicleRow, min(loadChunk, b.cfg.Rows))
	mem := watchMemory(pid)
	secs, err := loadChunks(ctx, c, "vehicles", gen.VehicleColumns, b.cfg.Rows, func(n int) []byte {
		f.Fill(rows[:n])
		return binaryStream(f, rows[:n])
	})
	peak := mem.Stop()
	if err != nil {
		return fmt.Errorf("load vehicles: %w", err)
	}
	label := fmt.Sprintf("bulk load vehicles, binary COPY (%d rows)", b.cfg.Rows)
	b.rep.set("ingest", "load_vehicles", label, e.name, "rows_per_s", "rows/s", true, float64(b.cfg.Rows)/secs)
	b.rep.set("ingest", "load_vehicles", label, e.name, "values_per_s", "values/s", true, float64(b.cfg.Rows*gen.NumVehicleMetrics)/secs)
	if peak > 0 {
		b.rep.set("memory", "ingest", "peak RSS, bulk load of vehicles", e.name, "peak_rss", "B", false, float64(peak))
	}
	fmt.Fprintf(os.Stderr, "tsbench: %s loaded %d vehicle rows in %.1fs\n", e.name, b.cfg.Rows, secs)

	if err := e.createTable(ctx, c, readingTable, "readings"); err != nil {
		return err
	}
	rg := gen.NewReadings(b.cfg.Seed, b.cfg.Devices, b.readStart, readingStep)
	rrows := make([]gen.ReadingRow, min(loadChunk, b.cfg.Readings))
	secs, err = loadChunks(ctx, c, "readings", gen.ReadingColumns, b.cfg.Readings, func(n int) []byte {
		rg.Fill(rrows[:n])
		buf := append(make([]byte, 0, n*50), gen.BinaryHeader...)
		for i := range rrows[:n] {
			buf = gen.AppendReadingBinary(buf, &rrows[i])
		}
		return append(buf, gen.BinaryTrailer...)
	})
	if err != nil {
		return fmt.Errorf("load readings: %w", err)
	}
	label = fmt.Sprintf("bulk load narrow readings, binary COPY (%d rows)", b.cfg.Readings)
	b.rep.set("ingest", "load_readings", label, e.name, "rows_per_s", "rows/s", true, float64(b.cfg.Readings)/secs)
	b.rep.set("ingest", "load_readings", label, e.name, "values_per_s", "values/s", true, float64(b.cfg.Readings)/secs)

	if e.pg != nil {
		if _, err := c.Exec(ctx, "VACUUM ANALYZE vehicles, readings"); err != nil {
			return err
		}
		return b.recordSizes(ctx, e, c, "")
	}
	size, wait := settledSize(e.ts.DataDir)
	b.rep.setInfo("ingest", "load_vehicles", "tsgres_settle_s", wait.Seconds())
	b.rep.setInfo("size", "all", "tsgres_dir_bytes", size)
	b.rep.setInfo("size", "all", "tsgres_wal_bytes", walSize(e.ts.DataDir))
	b.rep.note("sizes are pg_total_relation_size on PostgreSQL (table + indexes) and hypertable_size on tsgres " +
		"(stored block and index bytes, after the background merge settled); the tsgres data directory's du, WAL included, is in the JSON")
	return b.recordSizes(ctx, e, c, "")
}

// loadChunks COPYs n rows into table in statements of loadChunk rows,
// encoding each chunk with encode before timing it; it returns the
// seconds spent in COPY.
func loadChunks(ctx context.Context, c *pgx.Conn, table string, cols []string, n int, encode func(int) []byte) (float64, error) {
	var elapsed time.Duration
	for done := 0; done < n; {
		k := min(loadChunk, n-done)
		data := encode(k)
		t := time.Now()
		if _, err := c.PgConn().CopyFrom(ctx, bytes.NewReader(data), copySQL(table, cols, "binary")); err != nil {
			return 0, err
		}
		elapsed += time.Since(t)
		done += k
	}
	return elapsed.Seconds(), nil
}

// recordSizes records the query tables' sizes: PostgreSQL's table +
// index sizes, or tsgres's hypertable_size (stored bytes).
func (b *bench) recordSizes(ctx context.Context, e *engine, c *pgx.Conn, prefix string) error {
	q := "SELECT pg_total_relation_size('vehicles'), pg_total_relation_size('readings')"
	if e.ts != nil {
		q = "SELECT hypertable_size('vehicles'), hypertable_size('readings')"
	}
	var v, r int64
	if err := c.QueryRow(ctx, q).Scan(&v, &r); err != nil {
		return err
	}
	b.recordSize(prefix, e.name, "vehicles", v, b.cfg.Rows, b.cfg.Rows*gen.NumVehicleMetrics)
	b.recordSize(prefix, e.name, "readings", r, b.cfg.Readings, b.cfg.Readings)
	b.recordSize(prefix, e.name, "all", v+r, b.cfg.Rows+b.cfg.Readings, b.cfg.Rows*gen.NumVehicleMetrics+b.cfg.Readings)
	return nil
}

func (b *bench) recordSize(prefix, eng, table string, bytes int64, rows, values int) {
	name := prefix + table
	label := "on disk: " + table
	if prefix != "" {
		label += " (tsgres compressed)"
	}
	b.rep.set("size", name, label, eng, "bytes", "B", false, float64(bytes))
	b.rep.set("size", name, label, eng, "bytes_per_row", "B/row", false, float64(bytes)/float64(rows))
	b.rep.set("size", name, label, eng, "bytes_per_value", "B/value", false, float64(bytes)/float64(values))
}
