// Package timescale implements TimescaleDB's SQL API over tsgres's
// catalog and storage: the functions an application written for
// TimescaleDB calls to make and manage hypertables.
//
//	hypertables   create_hypertable (both signatures), by_range, by_hash,
//	              add_dimension, set_chunk_time_interval,
//	              set_integer_now_func
//	chunks        show_chunks, chunks_detailed_size
//	compression   ALTER TABLE ... SET (timescaledb.compress, ...)
//	              (SetCompression), compress_chunk, decompress_chunk,
//	              hypertable_compression_stats, chunk_compression_stats
//	retention     drop_chunks; the chunk selection of policy runs
//	              (PolicyFilter, ChunkFilter, PartiallyCompressed)
//	policies      add/remove_retention_policy,
//	              add/remove_compression_policy,
//	              add/remove_continuous_aggregate_policy
//	jobs          add_job, alter_job, delete_job, run_job
//	caggs         refresh_continuous_aggregate
//
// Scalar functions register themselves with package funcs at init (the
// engine imports this package, which is what installs them), and so do
// the set-returning ones (funcs.RegisterSet). The catalog views
// (timescaledb_information.*) and the size functions (hypertable_size,
// approximate_row_count, ...) are package pgcatalog's; this package only
// feeds it the hypertable to report on.
//
// # Jobs and policies
//
// The job and policy functions define jobs; package continuous runs them
// and owns what a job is made of (the built-in procedures, their config,
// initial_start and timezone handling, the refresh policy's window
// checks and job), which these functions call. A definition is a
// catalog.Job written through the session's DDL writer (Host.Writer), so
// it commits or rolls back with the caller's transaction. run_job and
// refresh_continuous_aggregate run in transactions of their own, through
// Host.RunJob and Host.RefreshContinuousAggregate, and so refuse to run
// inside a transaction block (Host.InTransactionBlock). The retention
// and compression policies' runs stay in the engine, which selects
// chunks with this package's drop_chunks and PolicyFilter.
//
// # The engine seam
//
// The package does not import the engine (package sql). Everything it
// needs from the session comes through Host: the transaction, the
// catalog snapshot and DDL writer, chunk listing, name resolution on the
// search path, appending rows to a hypertable, reading a table's rows,
// now() and the time zone, the last-value maintenance hooks, the user,
// and running a job or a refresh in transactions of their own. The
// engine puts a Provider in
// funcs.Ctx.Extra and passes it as the context of set-returning
// functions; a function called without one fails with 0A000.
//
// # Hypertables, chunks and storage
//
// A hypertable is a catalog.Table whose Hyper descriptor names the time
// column (the time dimension), the chunk width (µs for time columns,
// plain units for integer ones; a date column's width is a whole number
// of days) and optionally one hash space dimension. A chunk is a
// catalog.Chunk: a half-open time range [Start, End) of one hypertable
// (and one space partition), named like TimescaleDB's
// _timescaledb_internal._hyper_<hypertable id>_<chunk id>_chunk
// (create_hypertable's associated_schema_name and
// associated_table_prefix replace schema and prefix). The engine creates chunks
// as rows arrive; their rows are stored in columnar blocks keyed by the
// chunk ID. create_hypertable with migrate_data moves a regular table's
// rows into chunks: it reads them, deletes the table's row store and
// appends them through the hypertable's routing, all in one transaction.
// A space dimension gets a last-value index on (space column, time),
// since it is the natural series key.
//
// # Compression
//
// A hypertable's compression settings (segmentby, orderby, compress
// chunk interval) are its catalog.Compression, replaced as a whole;
// orderby defaults to the time column DESC NULLS FIRST. They cannot be
// turned off or re-laid-out while a chunk is compressed. compress_chunk
// rewrites a chunk's blocks into compressed ones and decompress_chunk
// undoes it; both are staged in the session's transaction, the block
// rewrite and the chunk's new catalog record together, and take effect
// atomically at COMMIT (a rollback undoes them; a commit that lost to a
// concurrent rewrite of the same blocks fails with 40001). Readers are
// never blocked. Rows written to a compressed chunk land in ordinary
// blocks, making it partially compressed (TimescaleDB's status 9) until
// it is compressed again.
//
// # Retention
//
// drop_chunks drops a chunk only when its whole range is older than
// older_than (End <= cutoff) and, with newer_than, its whole range is
// newer (Start >= cutoff): data inside the window is never dropped, and
// some data beyond it may stay until its chunk ends. created_before and
// created_after select by the chunk's creation time instead; the two
// kinds of bounds do not mix. An interval bound means now() minus it.
// Dropping removes the chunks' catalog records and their data in the
// caller's transaction, and recomputes, in the same transaction, the
// last-value entries that pointed into the dropped chunks.
//
// # Errors
//
// Errors carry TimescaleDB's SQLSTATEs where it has its own (TS102 not a
// hypertable, TS110 already a hypertable, TS201 already a dimension) and
// PostgreSQL's otherwise, with TimescaleDB's messages and hints.
package timescale
