package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// runCagg creates the continuous aggregates on tsgres, times their
// refreshes and the queries answered from them. When CREATE MATERIALIZED
// VIEW fails (a build without continuous aggregates) the variant is
// skipped with a note.
func (b *bench) runCagg(ctx context.Context, e *engine, c *pgx.Conn) {
	for _, cg := range caggs {
		if _, err := c.Exec(ctx, cg.ddl); err != nil {
			b.rep.note("continuous aggregates skipped: tsgres does not support them yet (%v)", err)
			return
		}
		t := time.Now()
		if _, err := c.Exec(ctx, fmt.Sprintf("CALL refresh_continuous_aggregate('%s', NULL, NULL)", cg.name)); err != nil {
			if missingFeature(err) {
				b.rep.note("continuous aggregates skipped: tsgres cannot refresh them yet (%v)", err)
			} else {
				b.rep.fail("tsgres refresh_continuous_aggregate: %v", err)
			}
			return
		}
		b.rep.set("ingest", "cagg_refresh_"+cg.name, fmt.Sprintf("refresh %s cagg over %d rows", cg.label, b.cfg.Rows), e.name,
			"rows_per_s", "rows/s", true, float64(b.cfg.Rows)/time.Since(t).Seconds())
	}
	for _, q := range caggQueries {
		sql := q.sql(b.win)
		tq, err := b.timeQuery(ctx, e, c, sql)
		if err != nil {
			b.rep.fail("tsgres query %s failed: %v\n%s", q.name, err, sql)
			continue
		}
		b.record(e, q.name, q.label, sql, tq)
		b.answers.put(q.name, e.name, tq.answer, q.ref)
	}
}

// missingFeature reports whether err says a function or feature does not
// exist yet (42883 undefined_function, 0A000 feature_not_supported).
func missingFeature(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "42883" || pe.Code == "0A000")
}

// compressSettings are each query table's compression settings.
var compressSettings = map[string]string{"vehicles": "vin", "readings": "device_id, metric_name"}

// runCompressed compresses every chunk of the query tables on tsgres and
// runs the queries again; compression is still being built, so a failing
// ALTER TABLE ... SET (timescaledb.compress) skips this with a note.
func (b *bench) runCompressed(ctx context.Context, e *engine, c *pgx.Conn) {
	t := time.Now()
	for _, table := range []string{"vehicles", "readings"} {
		alter := fmt.Sprintf("ALTER TABLE %s SET (timescaledb.compress, timescaledb.compress_segmentby = '%s')", table, compressSettings[table])
		if _, err := c.Exec(ctx, alter); err != nil {
			b.rep.note("compressed variant skipped: tsgres does not support compression yet (%v)", err)
			return
		}
		q := fmt.Sprintf("SELECT count(compress_chunk(c)) FROM show_chunks('%s') c", table)
		if _, err := c.Exec(ctx, q); err != nil {
			if missingFeature(err) {
				b.rep.note("compressed variant skipped: tsgres cannot compress chunks yet (%v)", err)
			} else {
				b.rep.fail("tsgres %s: %v", q, err)
			}
			return
		}
	}
	b.rep.set("ingest", "compress_chunks", fmt.Sprintf("compress_chunk, all chunks (%d rows)", b.cfg.Rows+b.cfg.Readings), e.name,
		"rows_per_s", "rows/s", true, float64(b.cfg.Rows+b.cfg.Readings)/time.Since(t).Seconds())
	if err := b.recordSizes(ctx, e, c, "compressed_"); err != nil {
		b.rep.fail("tsgres compressed sizes: %v", err)
	}
	b.runQueries(ctx, e, c, "compressed_", " [compressed]")
}
