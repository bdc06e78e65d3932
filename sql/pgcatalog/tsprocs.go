package pgcatalog

// pgCatalogSchemaOID is pg_catalog's OID (PostgreSQL's and tsgres's).
const pgCatalogSchemaOID = 11

// timescaleAPI lists TimescaleDB's functions that tsgres implements;
// TimescaleDB installs them in the extension's schema, public, so
// pg_proc (and psql's \df) show them there. PostgreSQL's own built-ins
// stay in pg_catalog.
var timescaleAPI = map[string]bool{}

// timescaleProcedures are the TimescaleDB routines that are procedures
// (run with CALL), prokind 'p'.
var timescaleProcedures = map[string]bool{"refresh_continuous_aggregate": true, "run_job": true}

func init() {
	for _, name := range []string{
		"add_compression_policy", "add_continuous_aggregate_policy", "add_dimension", "add_job",
		"add_retention_policy", "alter_job", "approximate_row_count", "by_hash", "by_range",
		"compress_chunk", "create_hypertable", "decompress_chunk", "delete_job", "first", "histogram",
		"hypertable_compression_stats", "hypertable_detailed_size", "hypertable_size", "last",
		"refresh_continuous_aggregate", "remove_compression_policy",
		"remove_continuous_aggregate_policy", "remove_retention_policy", "run_job",
		"set_chunk_time_interval", "set_integer_now_func", "time_bucket",
	} {
		timescaleAPI[name] = true
	}
}

// argNamesDatum is proargnames: the parameter names, NULL when the
// function has none.
func (p *proc) argNamesDatum() any {
	if len(p.argNames) == 0 {
		return nil
	}
	return textArr(p.argNames...)
}
