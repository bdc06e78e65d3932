// Package types is tsgres's SQL type system: type identities (PostgreSQL
// OIDs and typmods), the in-memory form of each type's values (datums), the
// text and binary wire codecs, casts and comparison. It imports only leaf
// packages (storage/col, sql/pgerr).
//
// # Datums
//
// A datum is one SQL value boxed in an `any`; nil is SQL NULL. The Go type
// of a datum is fixed by its SQL type's physical kind:
//
//	bool                                   bool
//	int2, int4, int8, oid, reg*            int64
//	float4, float8                         float64
//	numeric                                *Decimal (github.com/cockroachdb/apd/v3)
//	text, varchar, bpchar, name, "char",
//	json, jsonb, bytea (raw bytes), uuid (16 raw bytes)   string
//	timestamp, timestamptz                 int64 µs since 1970-01-01 00:00:00 UTC
//	date                                   int64 days since 1970-01-01
//	time                                   int64 µs since midnight
//	interval                               Interval
//	arrays                                 *Array
//	record (row values)                    *Record
//
// Timestamps use the Unix epoch in memory and PostgreSQL's 2000-01-01 epoch
// only in the binary wire format. ±infinity timestamps are math.MaxInt64
// and math.MinInt64.
package types
