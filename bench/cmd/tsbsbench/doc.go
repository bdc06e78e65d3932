// Command tsbsbench runs the Time Series Benchmark Suite (TSBS, cpu-only
// use case) against tsgres and, when given the address of one, against
// PostgreSQL + TimescaleDB in the same run, and prints per query type the
// median latency of each engine with the speedup, uncompressed and after
// compress_chunk (segmentby tags_id, orderby time DESC), together with
// the load rate, the server CPU time per loaded row and the on-disk size.
//
// TSBS is built from its public Go module by the tools module in
// bench/tsbs (see build.go): tsbs_generate_data, tsbs_generate_queries,
// tsbs_load_timescaledb and tsbs_run_queries_timescaledb. Data and query
// files are generated once per scale, days and seed into the cache
// directory and reused.
//
// tsgres is started from $TSGRES_BIN (else built) on a free port with a
// temporary data directory; the peer is only connected to. The database
// (-db) is dropped and recreated on both by TSBS's loader.
//
// Every query is run twice per engine and state: once with
// --print-responses, whose answers are compared (see answers.go), and
// once for timing (TSBS's median). An answer that differs from the
// reference (TimescaleDB's in the same state; without a peer, tsgres's
// uncompressed answer) is printed and makes the exit status 1.
//
// Usage: go run ./bench/cmd/tsbsbench [-peer 127.0.0.1:5433] [-scale 100]
// [-days 1] [-seed 42] [-queries 10] [-types a,b] [-out FILE] ...
// See bench/README.md, "TSBS against TimescaleDB".
package main
