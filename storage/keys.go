package storage

// Every pebble key tsgres writes is built in this file. The layout is
// documented byte by byte in docs/format/keys.md; change both together.
//
// A key starts with one prefix byte naming its key space:
//
//	0x01 meta      0x01 | name bytes                        catalog, job state
//	0x02 sequence  0x02 | name bytes                        sequence reservations
//	0x03 row       0x03 | table u64 | index u32 | key        regular tables
//	0x04 chunk     0x04 | chunk u64 | 0x01 | block u64       block metadata
//	               0x04 | chunk u64 | 0x02 | block u64 | col u32   column data
//	0x05 cagg      0x05 | ...                                reserved: continuous-aggregate invalidation log
//	0x06 job       0x06 | ...                                reserved: job state
//	0x07 internal  0x07 | name bytes                        storage's own counters
//
// Integers are big-endian so key order is numeric order. Metadata keys of
// a chunk sort before its column keys, so listing a chunk's blocks reads
// only the small metadata values.

import (
	"encoding/binary"
	"fmt"
)

// Key space prefixes (persisted: never renumber).
const (
	prefixMeta     byte = 0x01
	prefixSeq      byte = 0x02
	prefixRow      byte = 0x03
	prefixChunk    byte = 0x04
	prefixCagg     byte = 0x05 // reserved for the invalidation log
	prefixJob      byte = 0x06 // reserved for job state
	prefixInternal byte = 0x07
)

// Sub-spaces of a chunk (persisted).
const (
	chunkSubMeta byte = 0x01
	chunkSubCol  byte = 0x02
)

// Lengths of fixed-size key parts.
const (
	chunkPrefixLen   = 1 + 8         // prefix, chunk
	blockMetaKeyLen  = 1 + 8 + 1 + 8 // prefix, chunk, sub, block
	colKeyLen        = blockMetaKeyLen + 4
	spacePrefixLen   = 1 + 8 + 4 // prefix, table, index
	tablePrefixLen   = 1 + 8
	internalBlockIDs = "block_ids" // internal key: highest reserved block id
)

// metaKey returns the key of catalog/metadata entry name.
func metaKey(name string) []byte {
	k := make([]byte, 0, 1+len(name))
	return append(append(k, prefixMeta), name...)
}

// seqKey returns the key of sequence name.
func seqKey(name string) []byte {
	k := make([]byte, 0, 1+len(name))
	return append(append(k, prefixSeq), name...)
}

// internalKey returns the key of storage's own state entry name.
func internalKey(name string) []byte {
	k := make([]byte, 0, 1+len(name))
	return append(append(k, prefixInternal), name...)
}

// spacePrefix returns the prefix of every key of sp.
func spacePrefix(sp Space) []byte {
	k := make([]byte, spacePrefixLen, spacePrefixLen+32)
	k[0] = prefixRow
	binary.BigEndian.PutUint64(k[1:], sp.Table)
	binary.BigEndian.PutUint32(k[9:], sp.Index)
	return k
}

// rowKey returns the key of user key key in sp.
func rowKey(sp Space, key []byte) []byte {
	return append(spacePrefix(sp), key...)
}

// tableSpan returns [start, end) covering every Space of table.
func tableSpan(table uint64) (start, end []byte) {
	start = make([]byte, tablePrefixLen)
	start[0] = prefixRow
	binary.BigEndian.PutUint64(start[1:], table)
	return start, prefixEnd(start)
}

// chunkSpan returns [start, end) covering every key of chunk.
func chunkSpan(chunk uint64) (start, end []byte) {
	start = make([]byte, chunkPrefixLen)
	start[0] = prefixChunk
	binary.BigEndian.PutUint64(start[1:], chunk)
	return start, prefixEnd(start)
}

// chunkMetaSpan returns [start, end) covering the block metadata keys of chunk.
func chunkMetaSpan(chunk uint64) (start, end []byte) {
	start = make([]byte, chunkPrefixLen+1)
	start[0] = prefixChunk
	binary.BigEndian.PutUint64(start[1:], chunk)
	start[chunkPrefixLen] = chunkSubMeta
	return start, prefixEnd(start)
}

// blockMetaKey returns the metadata key of block id of chunk.
func blockMetaKey(chunk, id uint64) []byte {
	k := make([]byte, blockMetaKeyLen)
	k[0] = prefixChunk
	binary.BigEndian.PutUint64(k[1:], chunk)
	k[9] = chunkSubMeta
	binary.BigEndian.PutUint64(k[10:], id)
	return k
}

// blockColSpan returns [start, end) covering the column keys of block id.
func blockColSpan(chunk, id uint64) (start, end []byte) {
	start = make([]byte, blockMetaKeyLen)
	start[0] = prefixChunk
	binary.BigEndian.PutUint64(start[1:], chunk)
	start[9] = chunkSubCol
	binary.BigEndian.PutUint64(start[10:], id)
	return start, prefixEnd(start)
}

// colKey returns the key of column colID of block id of chunk.
func colKey(chunk, id uint64, colID uint32) []byte {
	k := make([]byte, colKeyLen)
	k[0] = prefixChunk
	binary.BigEndian.PutUint64(k[1:], chunk)
	k[9] = chunkSubCol
	binary.BigEndian.PutUint64(k[10:], id)
	binary.BigEndian.PutUint32(k[18:], colID)
	return k
}

// parseBlockMetaKey returns the chunk and block id of a block metadata key.
func parseBlockMetaKey(k []byte) (chunk, id uint64, err error) {
	if len(k) != blockMetaKeyLen || k[0] != prefixChunk || k[9] != chunkSubMeta {
		return 0, 0, fmt.Errorf("storage: malformed block metadata key %x", k)
	}
	return binary.BigEndian.Uint64(k[1:]), binary.BigEndian.Uint64(k[10:]), nil
}

// prefixEnd returns the smallest key greater than every key with prefix p,
// or nil when p is all 0xff (unbounded).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}
