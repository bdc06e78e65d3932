// Command tsgres runs the tsgres server: a time-series database that speaks
// the PostgreSQL wire protocol and TimescaleDB's SQL. main only reads the
// configuration, opens the engine, serves, and shuts down on SIGINT or
// SIGTERM.
package main
