// Package pgcatalog provides PostgreSQL 15's system catalogs and views
// (pg_catalog), the SQL-standard information_schema and TimescaleDB's
// timescaledb_information views as virtual tables computed from tsgres's
// catalog, plus the catalog-aware scalar functions clients call
// (format_type, pg_get_indexdef, pg_table_is_visible, pg_size_pretty,
// current_setting, version, ...).
//
// The package provides data, not SQL execution: Lookup returns a view's
// column list and a function producing all of its rows as datums (see
// package types for the datum convention); the engine wraps that into a
// plan.Virtual node and filters, joins and projects the rows itself.
// Everything a view needs from the session comes through Env, which the
// engine implements; catalog functions reach the same Env through
// funcs.Ctx.Extra.
//
// # Object identifiers
//
// Tables, indexes, sequences, schemas, databases and roles keep the OIDs
// the catalog assigned. Objects the catalog does not number get synthetic
// OIDs in fixed ranges far above any OID the catalog will hand out:
//
//	chunks          ChunkOIDBase + chunk ID (chunks are tables in
//	                _timescaledb_internal)
//	system views    PostgreSQL's own OID when it has a fixed one (pg_class
//	                is 1259), else sysViewOIDBase + a hash of its name
//	functions       procOIDBase + position in the sorted function list
//
// # Invariants
//
//   - Every view's rows have exactly len(cols) datums, each of the Go type
//     its column's SQL type prescribes (or nil).
//   - Column names and types follow PostgreSQL 15 (catalog columns keep
//     their order so SELECT * looks the same); rows exist only for objects
//     tsgres has.
//   - Views are computed from one catalog snapshot per call, so a view is
//     internally consistent; chunk lists are read live from the Store.
package pgcatalog
