// Package tsgres is the module root of tsgres, a time-series database for
// IoT data that speaks the PostgreSQL wire protocol and TimescaleDB's SQL.
// The server binary is cmd/tsgres; docs/design.md describes the packages.
//
// The root holds no code of its own, only the test of the package import
// rules (layout_test.go), which is about the module as a whole: `go test .`
// reads the import graph of every package and fails when a rule breaks.
package tsgres
