// Package table is SQL tables over storage: how the rows and columns of
// catalog tables become the bytes and vectors package storage keeps, and
// how they are written. It holds the row codec of regular tables, the
// encoding of their row and index keys, the storable forms of hypertable
// columns, the last-value index, and the Writer.
//
//	row.go                row codec, row keys and unique index keys
//	storable.go           storable kinds of hypertable columns
//	writer.go             Writer and Env, what it needs from the session
//	rowstore.go           regular tables: rows with their index entries,
//	                      conflicts, NOT NULL, row iteration
//	index.go              secondary index entries: keys, upkeep, CREATE
//	                      and DROP INDEX
//	index_scan.go         index ranges and the rows read through them
//	route.go              hypertables: rows routed to chunks and appended
//	hyperunique.go        hypertables: unique indexes checked per chunk
//	blocks.go             hypertable blocks read whole and rewritten
//	lastvalue*.go         the last-value index
//
// The codecs (row.go, storable.go) are pure: they take a table descriptor
// and values and return bytes (or the reverse), and never read or write
// storage. The rows go under storage.Space{Table: oid} (rows, index 0)
// and storage.Space{Table: oid, Index: ix.Space} (secondary index
// entries, last-value entries).
//
// # Writer
//
// A Writer writes rows inside one storage transaction, keeping every
// index of a table in step with its rows in that transaction, and checks
// the constraints a write must hold (NOT NULL, unique indexes; errors
// 23502 and 23505 with PostgreSQL's messages). It evaluates no SQL: the
// statement drivers (package dml) compute the rows, decide ON CONFLICT
// and RETURNING, and call it. What it needs from the session (chunks as
// the transaction sees them, hidden row ids, the notes continuous
// aggregates take of writes) comes through Env. A write that fails may
// leave part of its change in the transaction; the session undoes a
// failed statement with its statement savepoint. The package does not
// import package exec, which reads tables through it.
//
// # Row format
//
// EncodeRow writes a regular table's row as a value of the row store:
//
//	version  1 byte (rowVersion)
//	n        uvarint: number of non-NULL columns stored
//	n times  uvarint column ID, uvarint value length
//	values   the n values back to back, each in its type's PostgreSQL
//	         binary form (types.AppendBinary)
//
// NULL columns are not stored, and a column whose ID is absent from a row
// (added after the row was written) reads as NULL; values of dropped
// columns are skipped. Columns are found by ID, so ADD/DROP/RENAME COLUMN
// never rewrite rows. Columns are written in table order, which lets the
// decoder match IDs without a lookup in the common case.
//
// # Key layout
//
// Keys are built from storage/keyenc values (one type marker byte, then
// an order-preserving body; see that package and docs/format/keys.md):
//
//	row key    (index 0)  RowKey: the primary key columns' values in
//	                      index column order, each by AppendKey; without a
//	                      primary key, the hidden row id as one int64
//	unique     (index n)  IndexKey: the unique index's columns in index
//	                      column order, ascending; the entry's value is
//	                      the row key
//	plain      (index n)  entryKey: each index column by AppendIndexColumn
//	                      (AppendKey, a NULL as 0x01 when it sorts first
//	                      or 0xf0 when last, every byte of the column
//	                      inverted for DESC), then the row key; the value
//	                      is empty
//
// int64, float64, bool and string values encode in their SQL order.
// Values without an order-preserving encoding are written as strings that
// are equal for equal values but do not sort in SQL order: in row keys,
// numeric as its reduced text and interval as its microseconds in text,
// other types as their binary form; in index keys, every such type as its
// text form. A row with a NULL in a unique index's columns has no entry
// in that index (NULLs never conflict); a plain index has an entry for
// every row. catalog.IndexLayout says which form an index has; a plain
// index made before plain indexes had entries has Space 0 and none.
//
// # Storable forms
//
// Hypertable columns are stored with storable kinds only (StorageKind:
// Int64, Float64, Bool or Bytes). Values without a compact physical form
// (numeric, interval, arrays and other col.Any types) are stored as Bytes
// holding their binary encoding; ToStorage and FromStorage convert vectors
// between the executor's form and the stored one.
//
// # Invariants
//
// Every format here is persisted: changing one needs a new rowVersion (or
// key marker) and a reader for the old one. A corrupt row decodes to an
// error with SQLSTATE XX001 (data_corrupted), never a panic.
package table
