// Package clients holds compatibility tests that drive real PostgreSQL
// clients against a real tsgres process: psql, psycopg2 and psycopg 3
// (through the system /usr/bin/python3), pgx, and a kill -9 durability
// test. Every test also runs against a scratch PostgreSQL 15 with -pg (or
// $TSGRES_COMPAT_PG=1), which is how the tests themselves are verified.
// Tests of features the engine does not have yet are skipped through
// compat.Pending until the lead enables them.
package clients
