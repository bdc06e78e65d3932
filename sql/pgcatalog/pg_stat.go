package pgcatalog

import (
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// commonZones are the time zones pg_timezone_names lists: the ones IoT
// deployments and client tests usually name.
var commonZones = []string{
	"UTC", "Etc/UTC", "GMT", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/New_York", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Shanghai", "Asia/Singapore",
	"Asia/Tokyo", "Australia/Sydney", "Europe/Amsterdam", "Europe/Berlin", "Europe/London",
	"Europe/Madrid", "Europe/Moscow", "Europe/Paris", "Europe/Rome", "Europe/Stockholm",
}

func init() {
	pc := catalog.SchemaCatalog
	o, n, t, b, i8, tz := types.Oid, types.Name, types.Text, types.Bool, types.Int8, types.Timestamptz

	register(pc, "pg_tables", cols(c("schemaname", n), c("tablename", n), c("tableowner", n),
		c("tablespace", n), c("hasindexes", b), c("hasrules", b), c("hastriggers", b), c("rowsecurity", b)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, r := range relations(env) {
				if r.kind != 'r' {
					continue
				}
				hasIdx := r.table != nil && len(r.table.Indexes) > 0
				rows = append(rows, []any{r.schema, r.name, relOwner(&r), nil, hasIdx, false, false, false})
			}
			return rows, nil
		})

	// Chunks inherit from their hypertable, as in TimescaleDB (psql's
	// \d+ lists them as child tables).
	register(pc, "pg_inherits", cols(c("inhrelid", o), c("inhparent", o), c("inhseqno", types.Int4),
		c("inhdetachpending", b)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				for _, ch := range chunksOf(env, h.OID) {
					rows = append(rows, []any{i64(ChunkOID(ch.ID)), i64(h.OID), int64(1), false})
				}
			}
			return rows, nil
		})

	register(pc, "pg_indexes", cols(c("schemaname", n), c("tablename", n), c("indexname", n),
		c("tablespace", n), c("indexdef", t)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, tb := range env.Catalog().Tables(env.Database()) {
				for i := range tb.Indexes {
					rows = append(rows, []any{tb.Schema, tb.Name, tb.Indexes[i].Name, nil, indexDef(tb, &tb.Indexes[i])})
				}
			}
			return rows, nil
		})

	statCols := []colSpec{c("relid", o), c("schemaname", n), c("relname", n), c("seq_scan", i8),
		c("seq_tup_read", i8), c("idx_scan", i8), c("idx_tup_fetch", i8), c("n_tup_ins", i8),
		c("n_tup_upd", i8), c("n_tup_del", i8), c("n_tup_hot_upd", i8), c("n_live_tup", i8),
		c("n_dead_tup", i8), c("n_mod_since_analyze", i8), c("n_ins_since_vacuum", i8),
		c("last_vacuum", tz), c("last_autovacuum", tz), c("last_analyze", tz),
		c("last_autoanalyze", tz), c("vacuum_count", i8), c("autovacuum_count", i8),
		c("analyze_count", i8), c("autoanalyze_count", i8)}
	statRows := func(all bool) RowsFunc {
		return func(env Env) ([][]any, error) {
			var rows [][]any
			for _, r := range relations(env) {
				if r.kind != 'r' || (!all && r.view != nil) {
					continue
				}
				z := int64(0)
				rows = append(rows, []any{i64(r.oid), r.schema, r.name, z, z, nil, nil, z, z, z, z, z, z, z, z,
					nil, nil, nil, nil, z, z, z, z})
			}
			return rows, nil
		}
	}
	register(pc, "pg_stat_user_tables", cols(statCols...), statRows(false))
	register(pc, "pg_stat_all_tables", cols(statCols...), statRows(true))

	register(pc, "pg_timezone_names", cols(c("name", t), c("abbrev", t), c("utc_offset", types.IntervalT), c("is_dst", b)),
		func(Env) ([][]any, error) {
			now := time.Now()
			var rows [][]any
			for _, name := range commonZones {
				loc, err := time.LoadLocation(name)
				if err != nil {
					continue
				}
				abbrev, off := now.In(loc).Zone()
				rows = append(rows, []any{name, abbrev, types.Interval{Micros: int64(off) * 1_000_000}, now.In(loc).IsDST()})
			}
			return rows, nil
		})
}

// relOwner is the owner name of a relation ("postgres" unless recorded).
func relOwner(r *rel) string {
	if r.table != nil && r.table.Owner != "" {
		return r.table.Owner
	}
	return catalog.DefaultRole
}
