package pgcatalog

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

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

// timeColumn returns the hypertable's time column.
func timeColumn(t *catalog.Table) *catalog.Column {
	if i := t.ColByID(t.Hyper.TimeCol); i >= 0 {
		return &t.Cols[i]
	}
	return nil
}

// usInterval renders a µs chunk width as TimescaleDB does ('7 days').
func usInterval(us int64) types.Interval {
	return types.Interval{Days: int32(us / types.MicrosPerDay), Micros: us % types.MicrosPerDay}
}

func init() {
	ts := catalog.SchemaTSInfo
	n, t, b, i2, i4, i8, tz, iv := types.Name, types.Text, types.Bool, types.Int2, types.Int4, types.Int8, types.Timestamptz, types.IntervalT

	register(ts, "hypertables", cols(c("hypertable_schema", n), c("hypertable_name", n), c("owner", n),
		c("num_dimensions", i2), c("num_chunks", i8), c("compression_enabled", b), c("tablespaces", tNameArr)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				owner := h.Owner
				if owner == "" {
					owner = catalog.DefaultRole
				}
				rows = append(rows, []any{h.Schema, h.Name, owner, int64(numDimensions(h)),
					int64(len(chunksOf(env, h.OID))), CompressionEnabled(h), nil})
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
		c("materialization_hypertable_name", n), c("view_definition", t), c("finalized", b)), emptyRows)
}
