// Package storage is tsgres's storage engine: one pebble database per data
// directory holding the catalog's metadata, regular tables (a row store)
// and hypertable chunks (a column store). It knows nothing of SQL; pebble
// types never leave it.
//
// # Format
//
// Every key is built in keys.go; a leading byte separates the key spaces
// (metadata, sequences, regular-table rows and indexes, chunk blocks,
// reserved spaces for the continuous-aggregate invalidation log and job
// state, and storage's own counters). docs/format/keys.md gives the byte
// layout.
//
// A chunk is a set of immutable blocks. A block is one metadata key (row
// count, time range, per column kind, count, null count, min, max and
// sums; see blockmeta.go and docs/format/blocks.md) plus one key per
// column holding the column encoded by package storage/encoding. Columns
// that are entirely null in a block get no key. Blocks come in two kinds:
//
//   - delta blocks: a commit's appended rows for one chunk, in arrival
//     order or, with a series key, sorted by it and time (split at
//     maxDeltaBlockRows);
//   - sealed blocks: written by the merge (merge.go) and the recluster
//     (cluster.go), SealedBlockRows rows each except the last, in block
//     order: sorted by (series key, time) when the hypertable has a
//     series key (ChunkSchema.SeriesCol, recorded in the metadata), else
//     by time;
//   - compressed blocks: written by compression (compress.go), sorted by
//     segment and orderby, with the compact codecs.
//
// # Transactions
//
// A Txn keeps an ordered log of its writes; Savepoint is a position in the
// log and RollbackTo truncates it and rebuilds the derived state:
//
//   - key writes (metadata, rows) go into an indexed pebble batch, so
//     reads see the latest committed state overlaid with the transaction's
//     writes (read committed);
//   - a repeatable-read transaction (SetRepeatableRead, snapshot.go)
//     keeps the snapshot its first read takes for its whole life: chunk
//     listings and blocks read it, and Get and Iter of key spaces merge
//     it with an overlay of the transaction's key writes (rebuilt from the
//     log on RollbackTo). Metadata reads, GetLatest and reads under
//     ReadLatest see the latest state. While such transactions are open,
//     commits record the row keys they wrote (ChangedSince: first updater
//     wins);
//   - appends are buffered per chunk and shown by Blocks as one pending
//     block with ID 0; Commit encodes them as delta blocks;
//   - RewriteBlock records the deletion of a stored block and keeps its
//     replacement in memory under a freshly allocated block id;
//   - CompressChunk / CompressChunkInto / DecompressChunk stage a chunk
//     rewrite: inputs deleted, outputs kept encoded in memory;
//   - DropChunk deletes a chunk's blocks (TRUNCATE); RemoveChunk drops it
//     for good (drop_chunks);
//   - Blocks lists stored blocks from the statement's pebble snapshot
//     (NewStatement starts one; every chunk a statement lists shares it),
//     which ReadBlock of the same chunk then reads from, so a statement's
//     listed blocks stay readable even when a merge replaces them
//     meanwhile, and a commit moving rows between chunks is seen in all
//     of them or none.
//
// Commit builds one pebble batch and commits it with pebble.Sync: an
// acknowledged commit survives kill -9 and a crash never leaves part of
// a transaction.
//
// # Invariants
//
//   - Block ids are unique for the life of the database and never reused:
//     they come from a counter whose reservation (blockIDReserve ids at a
//     time) is written durably before ids are handed out. Id 0 is never a
//     stored block.
//   - A stored block never changes; it is only deleted (and maybe replaced
//     by a new id). Decoded metadata is therefore cached by block id.
//   - Every commit that deletes stored blocks (rewrites, chunk drops) and
//     every merge verify, under the chunk's lock, that the blocks they
//     delete still exist, and write in the same critical section. A
//     rewrite that lost the race fails with ErrConflict; a merge that lost
//     gives up. So no row is lost or duplicated.
//   - A chunk rolled up into another (CompressChunkInto) or dropped for
//     good (RemoveChunk) is retired when its commit lands, under the
//     write side of retireMu, which appending commits hold the read side
//     of: rows committed to it meanwhile move to the target or fail the
//     drop, and later appends to it fail with ErrConflict.
//   - The time column of a block is int64 and never null.
//   - Sequences are durable and not transactional; a crash may skip up to
//     seqLogAhead values but never repeats one.
package storage
