package compat

import (
	"flag"
	"os"
	"testing"

	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// Enabled lists the features whose tests run against tsgres. The lead
// flips entries to true as the features land.
var Enabled = map[string]bool{
	"engine":     true, // CREATE TABLE / INSERT / SELECT through the wire
	"catalog":    true, // pg_catalog enough for psql's \dt and \d
	"copy":       true, // COPY FROM STDIN text/csv/binary, COPY TO STDOUT
	"durability": true, // acknowledged commits survive kill -9

	// Issue 12: regular tables with PostgreSQL's concurrency semantics.
	"no-lost-updates":    true, // a second writer waits, then re-checks the newest version
	"row-locks":          true, // SELECT ... FOR UPDATE / SHARE, NOWAIT, SKIP LOCKED
	"deadlock-detection": true, // a lock cycle fails one transaction with 40P01
}

// AllEnv, set to 1, runs every pending test against tsgres.
const AllEnv = "TSGRES_COMPAT_ALL"

var pgFlag = flag.Bool("pg", false, "run the client tests against a scratch PostgreSQL 15 instead of tsgres")

// PGEnv, set to 1, has the same effect as -pg (for `go test ./...` runs
// where some packages do not define the flag).
const PGEnv = "TSGRES_COMPAT_PG"

// AgainstPostgres reports whether -pg was given (or $TSGRES_COMPAT_PG=1).
func AgainstPostgres() bool { return *pgFlag || os.Getenv(PGEnv) == "1" }

// Ready reports whether feature's tests run: always against PostgreSQL,
// against tsgres when enabled (or $TSGRES_COMPAT_ALL=1). Use it for
// optional parts of a test; Pending for whole tests.
func Ready(feature string) bool {
	return AgainstPostgres() || os.Getenv(AllEnv) == "1" || Enabled[feature]
}

// Pending skips the test when it runs against tsgres and feature is not
// enabled yet.
func Pending(t testing.TB, feature string) {
	t.Helper()
	if AgainstPostgres() || os.Getenv(AllEnv) == "1" {
		return
	}
	if _, known := Enabled[feature]; !known {
		t.Fatalf("BUG: unknown pending feature %q", feature)
	}
	if !Enabled[feature] {
		t.Skip("pending: " + feature)
	}
}

// Start starts the server under test: a fresh tsgres, or with -pg a
// scratch PostgreSQL 15. Both are stopped when the test ends.
func Start(t testing.TB) testserver.Target {
	t.Helper()
	if AgainstPostgres() {
		return testserver.StartPostgres(t, testserver.PGOptions{})
	}
	return testserver.Start(t, testserver.Options{})
}

// StartDurable is Start with PostgreSQL in its durable configuration
// (fsync and synchronous_commit on), for crash tests.
func StartDurable(t testing.TB) testserver.Target {
	t.Helper()
	if AgainstPostgres() {
		return testserver.StartPostgres(t, testserver.PGOptions{Durable: true})
	}
	return testserver.Start(t, testserver.Options{})
}

// Python is the interpreter that owns the Debian python3-psycopg2,
// python3-psycopg and python3-flask packages (the python3 first on PATH
// may be another one without them).
const Python = "/usr/bin/python3"
