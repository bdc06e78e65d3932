// Package catalog holds tsgres's schema: databases, schemas, tables and
// their columns and indexes, hypertables with their dimensions and chunks,
// and roles. It is persisted as JSON descriptors in the storage metadata key
// space and knows nothing of SQL text or the wire.
//
// # Snapshots and writers
//
// Readers use an immutable *Snapshot (descriptors are never modified in
// place). DDL goes through a Writer, which writes descriptors into the
// caller's storage transaction and logs each change as a function on a
// Snapshot, applied at once to its private copy; after that transaction
// commits, Publish replays the log onto the then current snapshot. Many
// Writers may be open at once: each locks what it changes in the storage
// lock table first (writer.go), so no two change one object and
// publishing never loses a concurrent change.
//
// # Chunks
//
// Chunks are created on demand by inserts, from many sessions at once, so
// they live outside snapshots in a per-hypertable ChunkSet guarded by its
// own lock and are persisted immediately in their own storage transaction:
// a chunk created by a transaction that later rolls back stays, empty.
//
// # Invariants
//
//   - Object OIDs are unique across the catalog and never reused.
//   - Column IDs are unique within a table and never reused; storage keys
//     refer to columns by ID, so RENAME needs no data change and DROP
//     leaves old values unreadable.
//   - A table's Cols are in attnum order; dropped columns are removed.
package catalog
