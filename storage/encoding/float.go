package encoding

// Float64 streams share the int streams' header (encoding, count; no
// payload when the count is 0). This file holds the choice between the
// float codecs and the two trivial ones:
//
//	float-raw:   payload = count × IEEE 754 bits <8 bytes little-endian>
//	float-const: payload = IEEE 754 bits <8 bytes little-endian>
//
// float-alp and float-xor are in their own files. Floats are compared and
// preserved bitwise everywhere: NaN payloads, -0 and infinities survive.

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// EncodeFloat64 appends a float stream holding src to dst, choosing the
// codec that gives the smallest output: const when all bit patterns are
// equal, else ALP when the values are short decimals, else Gorilla XOR,
// else raw.
func EncodeFloat64(dst []byte, src []float64) []byte {
	n := len(src)
	if n == 0 {
		return appendHeader(dst, FloatRaw, 0)
	}
	first := math.Float64bits(src[0])
	allEqual := true
	for _, v := range src[1:] {
		if math.Float64bits(v) != first {
			allEqual = false
			break
		}
	}
	if allEqual {
		return appendFloatConst(dst, src)
	}
	start := len(dst)
	var exceptions int
	ok := false
	dst, exceptions, ok = appendFloatALP(dst, src)
	if !ok || exceptions > 0 {
		// Exceptions are costly; Gorilla may do better on such data.
		mid := len(dst)
		dst = appendFloatXOR(dst, src)
		if !ok || len(dst)-mid < mid-start {
			dst = dst[:start+copy(dst[start:], dst[mid:])]
		} else {
			dst = dst[:mid]
		}
	}
	if rawSize := 1 + uvarintLen(uint64(n)) + 8*n; len(dst)-start >= rawSize {
		dst = appendFloatRaw(dst[:start], src)
	}
	return dst
}

// encodeFloat64As appends src in the given float encoding (tests,
// benchmarks); it reports false when the encoding cannot hold src.
func encodeFloat64As(dst []byte, src []float64, e Encoding) ([]byte, bool) {
	switch e {
	case FloatRaw:
		return appendFloatRaw(dst, src), true
	case FloatConst:
		for _, v := range src {
			if math.Float64bits(v) != math.Float64bits(src[0]) {
				return dst, false
			}
		}
		return appendFloatConst(dst, src), true
	case FloatALP:
		out, _, ok := appendFloatALP(dst, src)
		return out, ok
	case FloatXOR:
		return appendFloatXOR(dst, src), true
	}
	panic(fmt.Sprintf("BUG: %v is not a float encoding", e))
}

// DecodeFloat64 decodes a float stream, replacing dst's contents and
// reusing its capacity, and returns the values. Bytes after the stream
// are an error.
func DecodeFloat64(src []byte, dst []float64) ([]float64, error) {
	dst, rest, err := decodeFloat64(src, dst)
	if err != nil {
		return dst[:0], fmt.Errorf("cannot decode float64 stream: %w", err)
	}
	if len(rest) != 0 {
		return dst[:0], fmt.Errorf("cannot decode float64 stream: %w", corruptf("%d trailing bytes", len(rest)))
	}
	return dst, nil
}

func decodeFloat64(src []byte, dst []float64) ([]float64, []byte, error) {
	e, n, rest, err := readHeader(src)
	if err != nil {
		return dst[:0], nil, err
	}
	switch e {
	case FloatRaw:
		if n > len(rest)/8 {
			return dst[:0], nil, corruptf("float-raw: %d values in %d bytes", n, len(rest))
		}
		dst = resize(dst, n)
		for i := range dst {
			dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(rest[i*8:]))
		}
		return dst, rest[n*8:], nil
	case FloatConst:
		if n == 0 {
			return dst[:0], rest, nil
		}
		if len(rest) < 8 {
			return dst[:0], nil, corruptf("float-const: short value")
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(rest))
		dst = resize(dst, n)
		for i := range dst {
			dst[i] = v
		}
		return dst, rest[8:], nil
	case FloatALP:
		return decodeFloatALP(rest, n, dst)
	case FloatXOR:
		return decodeFloatXOR(rest, n, dst)
	}
	return dst[:0], nil, corruptf("%v is not a float encoding", e)
}

func appendFloatRaw(dst []byte, src []float64) []byte {
	dst = appendHeader(dst, FloatRaw, len(src))
	for _, v := range src {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
	}
	return dst
}

// appendFloatConst appends src, whose values must all have src[0]'s bits.
func appendFloatConst(dst []byte, src []float64) []byte {
	dst = appendHeader(dst, FloatConst, len(src))
	if len(src) == 0 {
		return dst
	}
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(src[0]))
}

// int64View returns the memory of f viewed as int64s. ALP decodes its
// nested integers straight into the caller's float slice and converts them
// in place, so a decode needs no scratch buffer.
func int64View(f []float64) []int64 {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(f))), len(f))
}

// int64sOf returns the memory of u viewed as int64s (scratch reuse).
func int64sOf(u []uint64) []int64 {
	if len(u) == 0 {
		return nil
	}
	return unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(u))), len(u))
}

// float64sOf returns the memory of u viewed as float64s (scratch reuse).
func float64sOf(u []uint64) []float64 {
	if len(u) == 0 {
		return nil
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(u))), len(u))
}

// uint64sOf returns the memory of d viewed as uint64s.
func uint64sOf(d []int64) []uint64 {
	if len(d) == 0 {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(d))), len(d))
}
