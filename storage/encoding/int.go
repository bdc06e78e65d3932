package encoding

// Int64 streams. Every int stream starts with the common header
//
//	┌────────────────────┬─────────────────┬─────────────────────┐
//	│ encoding <1 byte>  │ count <uvarint> │ payload             │
//	└────────────────────┴─────────────────┴─────────────────────┘
//
// and a stream of count 0 has no payload. This file holds the choice
// between the int codecs and the two trivial ones:
//
//	int-raw:   payload = count × value <8 bytes little-endian>
//	int-const: payload = value <varint>
//
// int-delta and int-dod are in their own files.

import (
	"encoding/binary"
	"fmt"
	"sync"
)

// scratchPool holds []uint64 buffers the encoders use for differences.
var scratchPool = sync.Pool{New: func() any { return new([]uint64) }}

func getScratch(n int) *[]uint64 {
	p := scratchPool.Get().(*[]uint64)
	*p = resize(*p, n)
	return p
}

// EncodeInt64 appends an int stream holding src to dst, choosing the codec
// that gives the smallest output: const when all values are equal, else
// the smaller of delta and delta-of-delta, else raw.
func EncodeInt64(dst []byte, src []int64) []byte {
	n := len(src)
	if n == 0 {
		return appendHeader(dst, IntRaw, 0)
	}
	first := src[0]
	allEqual := true
	for _, v := range src[1:] {
		if v != first {
			allEqual = false
			break
		}
	}
	if allEqual {
		return appendIntConst(dst, src)
	}
	start := len(dst)
	if n > 2 {
		dst = appendIntDeltaOrDoD(dst, src)
	} else {
		dst = appendIntDelta(dst, src)
	}
	if rawSize := 1 + uvarintLen(uint64(n)) + 8*n; len(dst)-start >= rawSize {
		dst = appendIntRaw(dst[:start], src)
	}
	return dst
}

// appendIntDeltaOrDoD appends src (n ≥ 3) as int-delta or int-dod,
// whichever planFOR estimates smaller; only the winner is packed.
func appendIntDeltaOrDoD(dst []byte, src []int64) []byte {
	n := len(src)
	p := getScratch(2*n - 3)
	d := int64sOf(*p)[:n-1]
	dd := int64sOf(*p)[n-1:]
	for i := range d {
		d[i] = src[i+1] - src[i]
	}
	for i := range dd {
		dd[i] = d[i+1] - d[i]
	}
	refD, costD := planFOR(d)
	refDD, costDD := planFOR(dd)
	if costDD+varintLen(refDD)+varintLen(d[0]) < costD+varintLen(refD) {
		dst = appendHeader(dst, IntDoD, n)
		dst = binary.AppendVarint(dst, src[0])
		dst = binary.AppendVarint(dst, d[0])
		dst = appendFORRef(dst, dd, refDD)
	} else {
		dst = appendHeader(dst, IntDelta, n)
		dst = binary.AppendVarint(dst, src[0])
		dst = appendFORRef(dst, d, refD)
	}
	scratchPool.Put(p)
	return dst
}

// varintLen is the length of v as a varint.
func varintLen(v int64) int { return uvarintLen(uint64(v<<1) ^ uint64(v>>63)) }

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// encodeInt64As appends src in the given int encoding (tests, benchmarks).
func encodeInt64As(dst []byte, src []int64, e Encoding) []byte {
	switch e {
	case IntRaw:
		return appendIntRaw(dst, src)
	case IntConst:
		return appendIntConst(dst, src)
	case IntDelta:
		return appendIntDelta(dst, src)
	case IntDoD:
		return appendIntDoD(dst, src)
	}
	panic(fmt.Sprintf("BUG: %v is not an int encoding", e))
}

// DecodeInt64 decodes an int stream, replacing dst's contents and reusing
// its capacity, and returns the values. Bytes after the stream are an
// error.
func DecodeInt64(src []byte, dst []int64) ([]int64, error) {
	dst, rest, err := decodeInt64(src, dst)
	if err != nil {
		return dst[:0], fmt.Errorf("cannot decode int64 stream: %w", err)
	}
	if len(rest) != 0 {
		return dst[:0], fmt.Errorf("cannot decode int64 stream: %w", corruptf("%d trailing bytes", len(rest)))
	}
	return dst, nil
}

// decodeInt64 decodes one int stream from the front of src and returns
// the values and what follows the stream.
func decodeInt64(src []byte, dst []int64) ([]int64, []byte, error) {
	e, n, rest, err := readHeader(src)
	if err != nil {
		return dst[:0], nil, err
	}
	switch e {
	case IntRaw:
		if n > len(rest)/8 {
			return dst[:0], nil, corruptf("int-raw: %d values in %d bytes", n, len(rest))
		}
		dst = resize(dst, n)
		for i := range dst {
			dst[i] = int64(binary.LittleEndian.Uint64(rest[i*8:]))
		}
		return dst, rest[n*8:], nil
	case IntConst:
		if n == 0 {
			return dst[:0], rest, nil
		}
		v, rest, err := readVarint(rest)
		if err != nil {
			return dst[:0], nil, fmt.Errorf("int-const: %w", err)
		}
		dst = resize(dst, n)
		for i := range dst {
			dst[i] = v
		}
		return dst, rest, nil
	case IntDelta:
		return decodeIntDelta(rest, n, dst)
	case IntDoD:
		return decodeIntDoD(rest, n, dst)
	}
	return dst[:0], nil, corruptf("%v is not an int encoding", e)
}

func appendIntRaw(dst []byte, src []int64) []byte {
	dst = appendHeader(dst, IntRaw, len(src))
	for _, v := range src {
		dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
	}
	return dst
}

// appendIntConst appends src, whose values must all equal src[0].
func appendIntConst(dst []byte, src []int64) []byte {
	dst = appendHeader(dst, IntConst, len(src))
	if len(src) == 0 {
		return dst
	}
	return binary.AppendVarint(dst, src[0])
}
