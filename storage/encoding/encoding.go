package encoding

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Encoding names the codec of an encoded stream. It is the first byte of
// every stream this package writes, nested streams included.
type Encoding uint8

// The encodings. Values are persisted: never renumber, only add.
const (
	// IntRaw stores int64s as 8-byte little-endian words.
	IntRaw Encoding = 1
	// IntConst stores one int64 that every slot holds.
	IntConst Encoding = 2
	// IntDelta stores the first value and the frame-of-reference
	// bit-packed differences between neighbours (general integers).
	IntDelta Encoding = 3
	// IntDoD stores the first value, the first difference and the
	// bit-packed differences of differences (timestamps, counters).
	IntDoD Encoding = 4

	// FloatRaw stores float64s as 8-byte little-endian IEEE 754 words.
	FloatRaw Encoding = 16
	// FloatConst stores one float64 bit pattern that every slot holds.
	FloatConst Encoding = 17
	// FloatALP stores floats that are decimals with few digits as
	// integers (v*10^e) in a nested int stream, plus patched exceptions.
	FloatALP Encoding = 18
	// FloatXOR is Gorilla's XOR encoding (fallback for arbitrary floats).
	FloatXOR Encoding = 19

	// BoolBits stores one bit per value.
	BoolBits Encoding = 32
	// BoolRLE stores the first value and alternating run lengths.
	BoolRLE Encoding = 33

	// BytesPlain stores a nested int stream of lengths and the
	// concatenated bytes.
	BytesPlain Encoding = 48
	// BytesDict stores a nested plain stream of distinct values and a
	// nested int stream of indexes into it.
	BytesDict Encoding = 49
	// BytesZstd wraps a nested bytes stream (plain or dict) in a zstd frame.
	BytesZstd Encoding = 50

	// Nulls wraps a nested value stream with a null bitmap: the nested
	// stream holds only the non-null values.
	Nulls Encoding = 64
)

// String returns the encoding's name, as used in the format docs.
func (e Encoding) String() string {
	switch e {
	case IntRaw:
		return "int-raw"
	case IntConst:
		return "int-const"
	case IntDelta:
		return "int-delta"
	case IntDoD:
		return "int-dod"
	case FloatRaw:
		return "float-raw"
	case FloatConst:
		return "float-const"
	case FloatALP:
		return "float-alp"
	case FloatXOR:
		return "float-xor"
	case BoolBits:
		return "bool-bits"
	case BoolRLE:
		return "bool-rle"
	case BytesPlain:
		return "bytes-plain"
	case BytesDict:
		return "bytes-dict"
	case BytesZstd:
		return "bytes-zstd"
	case Nulls:
		return "nulls"
	}
	return fmt.Sprintf("encoding(%d)", uint8(e))
}

// MaxValues is the largest number of values one stream may hold. Decoders
// reject larger counts so that a few corrupt bytes (a constant stream, a
// zero-width packing) cannot make them allocate without bound; encoders
// panic with a BUG message when asked to encode more, so callers (the
// storage engine) must split larger blocks.
const MaxValues = 1 << 20

// ErrCorrupt is wrapped by every error a decoder returns for malformed input.
var ErrCorrupt = errors.New("corrupt column data")

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// appendHeader appends the header every stream starts with: the encoding
// byte and the value count.
func appendHeader(dst []byte, e Encoding, n int) []byte {
	if n > MaxValues {
		panic(fmt.Sprintf("BUG: encoding %d values, more than MaxValues (%d)", n, MaxValues))
	}
	dst = append(dst, byte(e))
	return binary.AppendUvarint(dst, uint64(n))
}

// readHeader parses a stream header and returns the encoding, the value
// count and the rest of src.
func readHeader(src []byte) (Encoding, int, []byte, error) {
	if len(src) == 0 {
		return 0, 0, nil, corruptf("empty stream")
	}
	e := Encoding(src[0])
	n, rest, err := readUvarint(src[1:])
	if err != nil {
		return 0, 0, nil, fmt.Errorf("value count of %v stream: %w", e, err)
	}
	if n > MaxValues {
		return 0, 0, nil, corruptf("%v stream claims %d values, more than %d", e, n, MaxValues)
	}
	return e, int(n), rest, nil
}

func readUvarint(src []byte) (uint64, []byte, error) {
	v, k := binary.Uvarint(src)
	if k <= 0 {
		return 0, nil, corruptf("bad uvarint")
	}
	return v, src[k:], nil
}

func readVarint(src []byte) (int64, []byte, error) {
	v, k := binary.Varint(src)
	if k <= 0 {
		return 0, nil, corruptf("bad varint")
	}
	return v, src[k:], nil
}

// readLen reads a uvarint that counts something held in src and checks it
// against limit (usually what remains of src).
func readLen(src []byte, limit int, what string) (int, []byte, error) {
	v, rest, err := readUvarint(src)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", what, err)
	}
	if v > uint64(limit) {
		return 0, nil, corruptf("%s %d exceeds %d", what, v, limit)
	}
	return int(v), rest, nil
}

// resize returns s with length n, reusing its capacity when it suffices.
// The contents are not cleared.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, n+n/8)
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
