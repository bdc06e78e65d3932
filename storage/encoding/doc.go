// Package encoding holds tsgres's column codecs: it turns one column of a
// block (a col.Vec of kind Int64, Float64, Bool or Bytes) into bytes and
// back. The storage engine stores one encoded column per pebble key.
//
// # Streams
//
// Everything this package writes is a stream:
//
//	┌────────────────────┬─────────────────┬──────────────────────┐
//	│ encoding <1 byte>  │ count <uvarint> │ payload              │
//	└────────────────────┴─────────────────┴──────────────────────┘
//
// The first byte names the Encoding, the count is the number of values
// (rows for a column). Streams nest: ALP floats hold an int stream of
// scaled integers, plain bytes an int stream of lengths, dictionaries a
// plain stream and an int stream of indexes, zstd a bytes stream, and a
// column with nulls is a Nulls stream (count and null bitmap) holding the
// value stream of its non-null values. Each codec's file opens with its
// byte layout; docs/format/encoding.md collects them as diagrams.
//
// # Choosing a codec
//
// Encoders look at the data and keep the smallest candidate: constant
// columns collapse to one value; integers try delta and delta-of-delta
// with frame-of-reference bit-packing and patched outliers; floats try
// ALP (decimal scaling to integers, exact) and Gorilla XOR; bools try a
// bitmap and run lengths; bytes try a dictionary and plain, then zstd.
// Raw forms bound the worst case to a few bytes over 8 bytes a value.
//
// # Invariants
//
//   - Round trips are exact: floats bitwise (NaN payloads, -0, ±Inf).
//   - Decoders never panic and never trust counts: every count is checked
//     against MaxValues and against the bytes present before allocating;
//     errors wrap ErrCorrupt and read "cannot decode ...: ...".
//   - Encoders append to the caller's buffer; decoders fill the caller's
//     slice, reusing its capacity, without per-value allocations (decoded
//     strings are substrings of one allocation per stream).
//   - Encoded bytes are persisted: encodings are only ever added.
package encoding
