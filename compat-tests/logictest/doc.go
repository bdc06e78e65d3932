// Package logictest runs golden SQL logic tests (compat-tests/testdata/*.test)
// against tsgres and, with -pg, against a scratch PostgreSQL 15 to confirm
// that every expectation is PostgreSQL's own answer.
//
// # File format
//
// The format follows CockroachDB's logic tests. Records are separated by
// blank lines; lines starting with # outside a record are comments.
//
//		statement ok
//		CREATE TABLE t (a int, b text)
//
//		statement count 2
//		INSERT INTO t VALUES (1, 'x'), (2, NULL)
//
//		statement error 42P01
//		SELECT * FROM missing
//
//		query IT rowsort
//		SELECT a, b FROM t
//		----
//		1  x
//		2  NULL
//
//		query error 22012
//		SELECT 1/0
//
//	  - statement ok: the SQL must succeed.
//	  - statement count N: it must succeed and affect N rows (command tag).
//	  - statement error CODE [regexp] / query error CODE [regexp]: it must
//	    fail with SQLSTATE CODE; the optional regexp must match the message.
//	  - query TYPES [options]: TYPES is one letter per column (I integer,
//	    R float/numeric, T text, B bool, anything else allowed); it only
//	    documents. Options: rowsort (sort result rows before comparing;
//	    the default, nosort, keeps the server's order) and colnames (the
//	    first result line holds the column names).
//	  - The SQL runs through the simple query protocol, so it may hold
//	    several statements; a query record compares the last result.
//	  - Expected rows follow "----" up to the next blank line. Values are
//	    PostgreSQL's text output, separated by two or more spaces or a tab
//	    (so columns may be aligned); NULL is written NULL, the empty
//	    string (empty), a newline inside a value \n. Values containing two
//	    consecutive spaces cannot be written; avoid them.
//	  - skipif ENGINE / onlyif ENGINE on the line before a record skip it
//	    on ENGINE ("postgres" or "tsgres"); e.g. TimescaleDB functions are
//	    "onlyif tsgres". halt stops reading the file.
//
// The file's leading comment block may hold directives:
//
//	# status: pending     skip the file on tsgres (not on -pg)
//	# onlyif tsgres       run the file only on tsgres
//	# skipif postgres     the same
//
// # Isolation
//
// Each file runs on one connection. On tsgres every file gets its own
// fresh server and data directory; on PostgreSQL all files share one
// scratch cluster and each file gets a fresh database.
//
// # Flags
//
//	-pg        run against PostgreSQL 15 instead of tsgres ($TSGRES_COMPAT_PG=1 too)
//	-rewrite   replace expected rows with the actual output (review the diff!)
package logictest
