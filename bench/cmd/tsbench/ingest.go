package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tsgres/tsgres/bench/gen"
)

// Ingest batch sizes.
const (
	// multiRowBatch rows per multi-row INSERT (11 columns: 11,000
	// parameters, within the protocol's 65,535).
	multiRowBatch = 1000
	// executeBatchPage is psycopg2.extras.execute_batch's default
	// page_size: statements joined into one Query message.
	executeBatchPage = 100
	// multiRowClients and singleRowClients are the concurrent connections.
	multiRowClients  = 4
	singleRowClients = 8
)

// ingestTable is the scratch table every ingest workload writes.
const ingestTable = "ingest"

// workload is one timed ingest method. prepare encodes the rows outside
// the timed section and returns the timed run.
type workload struct {
	name, label string
	rows        func(cfg *config) int
	prepare     func(b *bench, e *engine, rows []gen.VehicleRow) (func(ctx context.Context) error, error)
}

var workloads = []workload{
	{"copy_pgx_binary", "COPY binary, pgx CopyFrom", func(c *config) int { return c.IngestRows }, preparePgxCopy},
	{"copy_binary_stream", "COPY binary, pre-encoded stream", func(c *config) int { return c.IngestRows }, prepareBinaryStream},
	{"copy_text_psql", "COPY text file via psql \\copy", func(c *config) int { return c.IngestRows }, preparePsqlCopy},
	{"insert_multirow_4c", "INSERT 1000 rows/stmt, 4 clients", func(c *config) int { return c.InsertRows }, prepareMultiRow},
	{"insert_execute_batch", "INSERT execute_batch-style, simple proto", func(c *config) int { return c.SimpleRows }, prepareExecuteBatch},
	{"insert_single_8c", "INSERT 1 row autocommit, 8 clients", func(c *config) int { return c.SingleRows }, prepareSingleRow},
}

// runIngest times every workload on e into a fresh scratch table and
// checks the table then holds every row.
func (b *bench) runIngest(ctx context.Context, e *engine, c *pgx.Conn) {
	for _, w := range workloads {
		n := w.rows(b.cfg)
		if n == 0 {
			continue
		}
		rows := b.ingestRows[:n]
		if err := e.createTable(ctx, c, vehicleTable, ingestTable); err != nil {
			b.rep.fail("%s %s: create table: %v", e.name, w.name, err)
			continue
		}
		run, err := w.prepare(b, e, rows)
		if err != nil {
			b.rep.fail("%s %s: prepare: %v", e.name, w.name, err)
			continue
		}
		t := time.Now()
		err = run(ctx)
		secs := time.Since(t).Seconds()
		if err != nil {
			b.rep.fail("%s %s: %v", e.name, w.name, err)
			continue
		}
		var got int64
		if err := c.QueryRow(ctx, "SELECT count(*) FROM "+ingestTable).Scan(&got); err != nil || got != int64(n) {
			b.rep.fail("%s %s: table holds %d rows after ingesting %d (%v)", e.name, w.name, got, n, err)
		}
		label := fmt.Sprintf("%s (%d rows)", w.label, n)
		b.rep.set("ingest", w.name, label, e.name, "rows_per_s", "rows/s", true, float64(n)/secs)
		b.rep.set("ingest", w.name, label, e.name, "values_per_s", "values/s", true, float64(n*gen.NumVehicleMetrics)/secs)
		b.rep.setInfo("ingest", w.name, "rows", n)
		fmt.Fprintf(os.Stderr, "tsbench: %s %s: %d rows in %.2fs (%.0f rows/s)\n", e.name, w.name, n, secs, float64(n)/secs)
		if _, err := c.Exec(ctx, "DROP TABLE "+ingestTable); err != nil {
			b.rep.fail("%s %s: drop: %v", e.name, w.name, err)
		}
	}
}

// vehicleSource feeds pre-generated rows to pgx CopyFrom; pgx encodes each
// row's values before asking for the next, so one slice is reused.
type vehicleSource struct {
	f    *gen.Fleet
	rows []gen.VehicleRow
	i    int
	buf  []any
}

func (s *vehicleSource) Next() bool {
	s.i++
	return s.i <= len(s.rows)
}

func (s *vehicleSource) Values() ([]any, error) {
	s.buf = s.f.VehicleValues(s.buf[:0], &s.rows[s.i-1])
	return s.buf, nil
}

func (s *vehicleSource) Err() error { return nil }

func preparePgxCopy(b *bench, e *engine, rows []gen.VehicleRow) (func(context.Context) error, error) {
	return func(ctx context.Context) error {
		return withConn(ctx, e, func(c *pgx.Conn) error {
			_, err := c.CopyFrom(ctx, pgx.Identifier{ingestTable}, gen.VehicleColumns, &vehicleSource{f: b.ingestFleet, rows: rows})
			return err
		})
	}, nil
}

// binaryStream encodes rows as one binary COPY stream.
func binaryStream(f *gen.Fleet, rows []gen.VehicleRow) []byte {
	buf := make([]byte, 0, len(rows)*130)
	buf = append(buf, gen.BinaryHeader...)
	for i := range rows {
		buf = f.AppendBinary(buf, &rows[i])
	}
	return append(buf, gen.BinaryTrailer...)
}

func copySQL(table string, cols []string, format string) string {
	return fmt.Sprintf("COPY %s (%s) FROM STDIN (FORMAT %s)", table, strings.Join(cols, ", "), format)
}

func prepareBinaryStream(b *bench, e *engine, rows []gen.VehicleRow) (func(context.Context) error, error) {
	data := binaryStream(b.ingestFleet, rows)
	return func(ctx context.Context) error {
		return withConn(ctx, e, func(c *pgx.Conn) error {
			_, err := c.PgConn().CopyFrom(ctx, bytes.NewReader(data), copySQL(ingestTable, gen.VehicleColumns, "binary"))
			return err
		})
	}, nil
}

func preparePsqlCopy(b *bench, e *engine, rows []gen.VehicleRow) (func(context.Context) error, error) {
	path := filepath.Join(b.workDir, "vehicles.copy")
	if _, err := os.Stat(path); err != nil {
		buf := make([]byte, 0, len(rows)*110)
		for i := range rows {
			buf = b.ingestFleet.AppendText(buf, &rows[i])
		}
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			return nil, err
		}
	}
	cmd := fmt.Sprintf(`\copy %s (%s) from '%s'`, ingestTable, strings.Join(gen.VehicleColumns, ", "), path)
	return func(ctx context.Context) error {
		out, err := exec.CommandContext(ctx, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", e.dsn, "-c", cmd).CombinedOutput()
		if err != nil {
			return fmt.Errorf("psql: %w: %s", err, out)
		}
		return nil
	}, nil
}

// insertSQL returns "INSERT INTO table VALUES ($1, ...), ..." for n rows.
func insertSQL(table string, ncol, n int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "INSERT INTO %s VALUES ", table)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for j := range ncol {
			if j > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "$%d", i*ncol+j+1)
		}
		sb.WriteByte(')')
	}
	return sb.String()
}

// paramBatches boxes rows as pgx arguments, per rows per statement.
func paramBatches(f *gen.Fleet, rows []gen.VehicleRow, per int) [][]any {
	var out [][]any
	for lo := 0; lo < len(rows); lo += per {
		hi := min(lo+per, len(rows))
		args := make([]any, 0, (hi-lo)*len(gen.VehicleColumns))
		for i := lo; i < hi; i++ {
			args = f.VehicleValues(args, &rows[i])
		}
		out = append(out, args)
	}
	return out
}

// parallelExec runs each job on one of clients connections, jobs taken in
// order from a shared counter.
func parallelExec(ctx context.Context, e *engine, clients, jobs int, job func(context.Context, *pgx.Conn, int) error) error {
	conns := make([]*pgx.Conn, clients)
	for i := range conns {
		c, err := pgx.Connect(ctx, e.dsn)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		conns[i] = c
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1)) - 1
				if j >= jobs {
					return
				}
				if err := job(ctx, c, j); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func prepareMultiRow(b *bench, e *engine, rows []gen.VehicleRow) (func(context.Context) error, error) {
	batches := paramBatches(b.ingestFleet, rows, multiRowBatch)
	ncol := len(gen.VehicleColumns)
	return func(ctx context.Context) error {
		return parallelExec(ctx, e, multiRowClients, len(batches), func(ctx context.Context, c *pgx.Conn, j int) error {
			_, err := c.Exec(ctx, insertSQL(ingestTable, ncol, len(batches[j])/ncol), batches[j]...)
			return err
		})
	}, nil
}

// prepareExecuteBatch sends what psycopg2.extras.execute_batch sends: pages
// of executeBatchPage "INSERT ... VALUES (literals);" statements, each page
// one simple-protocol Query (one implicit transaction), from one client.
// The SQL text is generated in Go, not by psycopg2.
func prepareExecuteBatch(b *bench, e *engine, rows []gen.VehicleRow) (func(context.Context) error, error) {
	var pages []string
	for lo := 0; lo < len(rows); lo += executeBatchPage {
		var buf []byte
		for i := lo; i < min(lo+executeBatchPage, len(rows)); i++ {
			buf = append(buf, "INSERT INTO "+ingestTable+" VALUES "...)
			buf = b.ingestFleet.AppendSQL(buf, &rows[i])
			buf = append(buf, ';')
		}
		pages = append(pages, string(buf))
	}
	return func(ctx context.Context) error {
		return withConn(ctx, e, func(c *pgx.Conn) error {
			for _, p := range pages {
				if _, err := c.PgConn().Exec(ctx, p).ReadAll(); err != nil {
					return err
				}
			}
			return nil
		})
	}, nil
}

func prepareSingleRow(b *bench, e *engine, rows []gen.VehicleRow) (func(context.Context) error, error) {
	args := paramBatches(b.ingestFleet, rows, 1)
	sql := insertSQL(ingestTable, len(gen.VehicleColumns), 1)
	return func(ctx context.Context) error {
		return parallelExec(ctx, e, singleRowClients, len(args), func(ctx context.Context, c *pgx.Conn, j int) error {
			_, err := c.Exec(ctx, sql, args[j]...)
			return err
		})
	}, nil
}

func withConn(ctx context.Context, e *engine, fn func(*pgx.Conn) error) error {
	c, err := pgx.Connect(ctx, e.dsn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return fn(c)
}
