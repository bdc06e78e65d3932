// Command tsbench runs realistic IoT workloads against tsgres and
// PostgreSQL 15 in one run and prints them side by side: ingest
// throughput (six client methods), query latency (median and p95 of the
// dashboard and analytics queries IoT users run), bytes on disk, and
// tsgres's peak memory. Every query answer of tsgres is compared with
// PostgreSQL's; a mismatch is printed loudly and makes the exit status 1.
// Results go to a table on stdout and to a JSON file (-out) holding every
// figure and every tsgres/PostgreSQL ratio (keys ending in _ratio).
//
// PostgreSQL runs durable (fsync and synchronous_commit on) with plain
// tables and the indexes a PostgreSQL user would create; tsgres gets
// hypertables (create_hypertable, 1-day chunks) with a last-value index.
// Data comes from bench/gen with a fixed seed; every row is generated and
// encoded before the timed section that sends it. See bench/README.md.
//
// Usage: go run ./bench/cmd/tsbench [-scale quick|default|large] [-rows N]
// [-vehicles N] [-runs N] [-targets tsgres,postgres] [-out FILE] ...
package main
