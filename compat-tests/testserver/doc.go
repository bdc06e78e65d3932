// Package testserver starts real database server processes for tests and
// benchmarks: the tsgres binary (built once per process from ./cmd/tsgres)
// and scratch PostgreSQL 15 clusters to compare against.
//
// # tsgres
//
// Binary builds github.com/tsgres/tsgres/cmd/tsgres once per process into a
// temporary directory, or uses the binary named by $TSGRES_BIN (the
// Makefile sets it after `make build` so test packages do not each link
// their own copy). Start runs it on a free 127.0.0.1 port with a fresh
// data directory, waits for its "tsgres listening on HOST:PORT" line on
// stderr and returns a *Server whose DSN a client can use. Stop sends
// SIGTERM, Kill sends SIGKILL, Restart starts the binary again on the same
// data directory and port.
//
// # PostgreSQL
//
// StartPostgres runs initdb (through `runuser -u postgres` when running as
// root, because initdb refuses root) into a temporary directory owned by
// the server's user, and pg_ctl start on a free port with its socket in
// that directory, trust authentication, UTC time zone and the C locale (so
// text sorts by bytes, as in tsgres). fsync is off unless the options ask
// for durability (benchmarks do). Stop shuts it down and removes its files.
//
// Both kinds satisfy Target so a client test can run against either one.
//
// The functions ending in E return errors instead of taking a testing.TB;
// the others fail the test and register cleanup with t.Cleanup.
package testserver
