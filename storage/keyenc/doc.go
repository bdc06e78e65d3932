// Package keyenc is an order-preserving encoding of SQL values into bytes,
// for primary keys and unique index keys of regular tables: comparing two
// encoded keys with bytes.Compare gives the same order as comparing the
// values (column by column for composite keys).
//
// # Format
//
// Each value starts with a one-byte marker naming its type, so every
// encoded value is self-delimiting and a composite key is the plain
// concatenation of its encoded values; the encoding of the first k values
// of a key is a byte prefix of the whole key.
//
//	int64    0x10 | 8 bytes big-endian with the sign bit flipped
//	float64  0x20 | 8 bytes: IEEE bits; negative values have every bit
//	                flipped, the others only the sign bit. -0 is written as
//	                +0 and every NaN as one canonical NaN, which sorts above
//	                +Inf (PostgreSQL's order: NaN is the greatest value).
//	bool     0x30 | 0x00 (false) or 0x01 (true)
//	string   0x40 | bytes with 0x00 escaped as 0x00 0xff | 0x00 0x01
//	null     0xf0 (sorts after every value: PostgreSQL's NULLS LAST)
//
// Strings compare bytewise (C collation). The terminator 0x00 0x01 sorts
// below every escaped or plain continuation byte, so "a" < "a\x00" < "ab".
//
// # Invariants
//
// Equal SQL values encode to equal bytes (so unique indexes find
// duplicates by key), and decoding returns the rest of the input so
// composite keys decode value by value. Decoders return an error on
// malformed input and never panic.
package keyenc
