package pgcatalog

import (
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// Option keys of ALTER TABLE ... SET (timescaledb.compress...).
const (
	optCompress  = "timescaledb.compress"
	optSegmentBy = "timescaledb.compress_segmentby"
	optOrderBy   = "timescaledb.compress_orderby"
)

const usPerDay = 86_400_000_000

// hypertables returns the current database's hypertables by OID.
func hypertables(env Env) []*catalog.Table {
	var out []*catalog.Table
	for _, t := range env.Catalog().Tables(env.Database()) {
		if t.Hyper != nil {
			out = append(out, t)
		}
	}
	return out
}

// compressionEnabled reports whether timescaledb.compress is on for t.
func compressionEnabled(t *catalog.Table) bool {
	v, ok := t.Options[optCompress]
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "false", "off", "f", "0", "no", "n":
		return false
	}
	return true
}

// CompressionEnabled reports whether ALTER TABLE ... SET
// (timescaledb.compress) is on for hypertable t.
func CompressionEnabled(t *catalog.Table) bool { return compressionEnabled(t) }

// timeColumn returns the hypertable's time column.
func timeColumn(t *catalog.Table) *catalog.Column {
	if i := t.ColByID(t.Hyper.TimeCol); i >= 0 {
		return &t.Cols[i]
	}
	return nil
}

// usInterval renders a µs chunk width as TimescaleDB does ('7 days').
func usInterval(us int64) types.Interval {
	return types.Interval{Days: int32(us / usPerDay), Micros: us % usPerDay}
}

// orderItem is one element of timescaledb.compress_orderby.
type orderItem struct {
	col        string
	asc        bool
	nullsFirst bool
}

// splitList splits a comma-separated column list, unquoting names.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

// unquote folds an identifier as the parser would.
func unquote(s string) string {
	if parts, err := parseIdent(s); err == nil && len(parts) == 1 {
		return parts[0]
	}
	return s
}

// compressionSettings returns t's segmentby columns and orderby items
// (orderby defaults to the time column DESC, as in TimescaleDB).
func compressionSettings(t *catalog.Table) (segmentBy []string, orderBy []orderItem) {
	for _, s := range splitList(t.Options[optSegmentBy]) {
		segmentBy = append(segmentBy, unquote(s))
	}
	ob, ok := t.Options[optOrderBy]
	if !ok {
		if tc := timeColumn(t); tc != nil {
			return segmentBy, []orderItem{{col: tc.Name, asc: false, nullsFirst: true}}
		}
		return segmentBy, nil
	}
	for _, item := range splitList(ob) {
		f := strings.Fields(item)
		if len(f) == 0 {
			continue
		}
		o := orderItem{col: unquote(f[0]), asc: true}
		rest := strings.ToLower(strings.Join(f[1:], " "))
		if strings.Contains(rest, "desc") {
			o.asc = false
		}
		o.nullsFirst = !o.asc
		if strings.Contains(rest, "nulls first") {
			o.nullsFirst = true
		} else if strings.Contains(rest, "nulls last") {
			o.nullsFirst = false
		}
		orderBy = append(orderBy, o)
	}
	return segmentBy, orderBy
}

func init() {
	ts := catalog.SchemaTSInfo
	n, t, b, i2, i4, i8, tz, iv := types.Name, types.Text, types.Bool, types.Int2, types.Int4, types.Int8, types.Timestamptz, types.IntervalT

	register(ts, "hypertables", cols(c("hypertable_schema", n), c("hypertable_name", n), c("owner", n),
		c("num_dimensions", i2), c("num_chunks", i8), c("compression_enabled", b), c("tablespaces", tNameArr)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				dims := int64(1)
				if h.Hyper.Space != nil {
					dims = 2
				}
				owner := h.Owner
				if owner == "" {
					owner = catalog.DefaultRole
				}
				rows = append(rows, []any{h.Schema, h.Name, owner, dims,
					int64(len(chunksOf(env, h.OID))), compressionEnabled(h), nil})
			}
			return rows, nil
		})

	register(ts, "chunks", cols(c("hypertable_schema", n), c("hypertable_name", n), c("chunk_schema", n),
		c("chunk_name", n), c("primary_dimension", n), c("primary_dimension_type", types.Regtype),
		c("range_start", tz), c("range_end", tz), c("range_start_integer", i8), c("range_end_integer", i8),
		c("is_compressed", b), c("chunk_tablespace", n), c("chunk_creation_time", tz)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				tc := timeColumn(h)
				if tc == nil {
					continue
				}
				integer := tc.Type.IsInteger()
				for _, ch := range chunksOf(env, h.OID) {
					var rs, re, ris, rie any = ch.Start, ch.End, nil, nil
					if integer {
						rs, re, ris, rie = nil, nil, ch.Start, ch.End
					}
					rows = append(rows, []any{h.Schema, h.Name, ch.Schema, ch.Name, tc.Name,
						i64(tc.Type.OID), rs, re, ris, rie, ch.Compressed, nil, ch.Created})
				}
			}
			return rows, nil
		})

	register(ts, "dimensions", cols(c("hypertable_schema", n), c("hypertable_name", n),
		c("dimension_number", i8), c("column_name", n), c("column_type", types.Regtype),
		c("dimension_type", t), c("time_interval", iv), c("integer_interval", i8),
		c("integer_now_func", n), c("num_partitions", i2)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				tc := timeColumn(h)
				if tc == nil {
					continue
				}
				var ti, ii any = usInterval(h.Hyper.Interval), nil
				if tc.Type.IsInteger() {
					ti, ii = nil, h.Hyper.Interval
				}
				rows = append(rows, []any{h.Schema, h.Name, int64(1), tc.Name, i64(tc.Type.OID), "Time", ti, ii, nil, nil})
				if sp := h.Hyper.Space; sp != nil {
					if i := h.ColByID(sp.Col); i >= 0 {
						sc := h.Cols[i]
						rows = append(rows, []any{h.Schema, h.Name, int64(2), sc.Name, i64(sc.Type.OID), "Space",
							nil, nil, nil, int64(sp.Partitions)})
					}
				}
			}
			return rows, nil
		})

	register(ts, "jobs", cols(c("job_id", i4), c("application_name", n), c("schedule_interval", iv),
		c("max_runtime", iv), c("max_retries", i4), c("retry_period", iv), c("proc_schema", n),
		c("proc_name", n), c("owner", n), c("scheduled", b), c("fixed_schedule", b), c("config", types.JSONB),
		c("next_start", tz), c("initial_start", tz), c("hypertable_schema", n), c("hypertable_name", n),
		c("check_schema", n), c("check_name", n)), jobRows)
	register(ts, "job_stats", cols(c("hypertable_schema", n), c("hypertable_name", n), c("job_id", i4),
		c("last_run_started_at", tz), c("last_successful_finish", tz), c("last_run_status", t),
		c("job_status", t), c("last_run_duration", iv), c("next_start", tz), c("total_runs", i8),
		c("total_successes", i8), c("total_failures", i8)), jobStatRows)
	register(ts, "job_errors", cols(c("job_id", i4), c("proc_schema", n), c("proc_name", n), c("pid", i4),
		c("start_time", tz), c("finish_time", tz), c("sqlerrcode", t), c("err_message", t)), jobErrorRows)
	register(ts, "continuous_aggregates", cols(c("hypertable_schema", n), c("hypertable_name", n),
		c("view_schema", n), c("view_name", n), c("view_owner", n), c("materialized_only", b),
		c("compression_enabled", b), c("materialization_hypertable_schema", n),
		c("materialization_hypertable_name", n), c("view_definition", t)), emptyRows)

	register(ts, "compression_settings", cols(c("hypertable_schema", n), c("hypertable_name", n),
		c("attname", n), c("segmentby_column_index", i2), c("orderby_column_index", i2),
		c("orderby_asc", b), c("orderby_nullsfirst", b)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				if !compressionEnabled(h) {
					continue
				}
				seg, ord := compressionSettings(h)
				for i, s := range seg {
					rows = append(rows, []any{h.Schema, h.Name, s, int64(i + 1), nil, nil, nil})
				}
				for i, o := range ord {
					rows = append(rows, []any{h.Schema, h.Name, o.col, nil, int64(i + 1), o.asc, o.nullsFirst})
				}
			}
			return rows, nil
		})

	register(ts, "hypertable_compression_settings", cols(c("hypertable", types.Regclass),
		c("segmentby", t), c("orderby", t), c("compress_interval_length", i8)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				if !compressionEnabled(h) {
					continue
				}
				seg, ord := compressionSettings(h)
				var segText, ordText any
				if len(seg) > 0 {
					segText = strings.Join(seg, ",")
				}
				if len(ord) > 0 {
					parts := make([]string, len(ord))
					for i, o := range ord {
						p := o.col
						if !o.asc {
							p += " DESC"
						}
						if o.asc && o.nullsFirst {
							p += " NULLS FIRST"
						} else if !o.asc && !o.nullsFirst {
							p += " NULLS LAST"
						}
						parts[i] = p
					}
					ordText = strings.Join(parts, ",")
				}
				rows = append(rows, []any{i64(h.OID), segText, ordText, nil})
			}
			return rows, nil
		})
}
