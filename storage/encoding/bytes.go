package encoding

// Bytes streams (text, bytea, json, ...) share the common header
// (encoding, count n; no payload when n is 0). This file holds the choice
// between the bytes codecs and the plain one:
//
//	bytes-plain: ┌──────────────────────────────┬──────────────────────────┐
//	             │ int stream of n lengths      │ data <sum of lengths b>  │
//	             └──────────────────────────────┴──────────────────────────┘
//
// The lengths are a nested int stream (usually int-const for fixed-size
// values such as uuids, int-delta otherwise); data is the values
// concatenated. bytes-dict and bytes-zstd are in their own files.
//
// Decoded strings share one allocation per stream (the data is copied
// into one string and the values are substrings of it), so decoding does
// no per-value allocation.

import (
	"fmt"
	"unsafe"
)

// EncodeBytes appends a bytes stream holding src to dst, choosing between
// dictionary and plain encoding and wrapping the result in zstd when that
// makes it clearly smaller.
func EncodeBytes(dst []byte, src []string) []byte {
	return encodeBytes(dst, src, false)
}

// encodeBytes is EncodeBytes; compact tries a stronger zstd level and
// keeps it whenever it is smaller (see EncodeVecCompact).
func encodeBytes(dst []byte, src []string, compact bool) []byte {
	n := len(src)
	if n == 0 {
		return appendHeader(dst, BytesPlain, 0)
	}
	start := len(dst)
	var ok bool
	dst, ok = appendBytesDict(dst, src)
	if ok {
		mid := len(dst)
		dst = appendBytesPlain(dst, src)
		if len(dst)-mid < mid-start {
			dst = dst[:start+copy(dst[start:], dst[mid:])]
		} else {
			dst = dst[:mid]
		}
	} else {
		dst = appendBytesPlain(dst, src)
	}
	return maybeZstd(dst, start, n, compact)
}

// encodeBytesAs appends src in the given bytes encoding (tests,
// benchmarks); it reports false when the encoding does not fit src.
func encodeBytesAs(dst []byte, src []string, e Encoding) ([]byte, bool) {
	switch e {
	case BytesPlain:
		return appendBytesPlain(dst, src), true
	case BytesDict:
		return appendBytesDict(dst, src)
	case BytesZstd:
		start := len(dst)
		dst = appendBytesPlain(dst, src)
		out := maybeZstd(dst, start, len(src), false)
		return out, Encoding(out[start]) == BytesZstd
	}
	panic(fmt.Sprintf("BUG: %v is not a bytes encoding", e))
}

func appendBytesPlain(dst []byte, src []string) []byte {
	dst = appendHeader(dst, BytesPlain, len(src))
	if len(src) == 0 {
		return dst
	}
	sp := getScratch(len(src))
	lens := int64sOf(*sp)
	for i, s := range src {
		lens[i] = int64(len(s))
	}
	dst = EncodeInt64(dst, lens)
	scratchPool.Put(sp)
	for _, s := range src {
		dst = append(dst, s...)
	}
	return dst
}

// DecodeBytes decodes a bytes stream, replacing dst's contents and
// reusing its capacity, and returns the values. Bytes after the stream
// are an error.
func DecodeBytes(src []byte, dst []string) ([]string, error) {
	dst, rest, err := decodeBytes(src, dst, false, false)
	if err != nil {
		return dst[:0], fmt.Errorf("cannot decode bytes stream: %w", err)
	}
	if len(rest) != 0 {
		return dst[:0], fmt.Errorf("cannot decode bytes stream: %w", corruptf("%d trailing bytes", len(rest)))
	}
	return dst, nil
}

// decodeBytes decodes one bytes stream from the front of src. owned says
// src is a private buffer the strings may point into (no copy needed);
// inZstd says src came out of a zstd frame, which may not nest.
func decodeBytes(src []byte, dst []string, owned, inZstd bool) ([]string, []byte, error) {
	e, n, rest, err := readHeader(src)
	if err != nil {
		return dst[:0], nil, err
	}
	switch e {
	case BytesPlain:
		return decodeBytesPlain(rest, n, dst, owned)
	case BytesDict:
		return decodeBytesDict(rest, n, dst, owned)
	case BytesZstd:
		if !inZstd {
			return decodeBytesZstd(rest, n, dst)
		}
	}
	return dst[:0], nil, corruptf("%v is not a bytes encoding here", e)
}

func decodeBytesPlain(src []byte, n int, dst []string, owned bool) ([]string, []byte, error) {
	if n == 0 {
		return dst[:0], src, nil
	}
	if _, m, _, err := readHeader(src); err != nil || m != n {
		return dst[:0], nil, corruptf("bytes-plain: length stream does not hold %d values", n)
	}
	sp := getScratch(0)
	defer scratchPool.Put(sp)
	lens, rest, err := decodeInt64(src, int64sOf((*sp)[:cap(*sp)]))
	if err != nil {
		return dst[:0], nil, fmt.Errorf("bytes-plain lengths: %w", err)
	}
	if cap(lens) > cap(*sp) { // keep the grown buffer for next time
		*sp = unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(lens))), cap(lens))
	}
	total := 0
	for _, l := range lens {
		if l < 0 || l > int64(len(rest)-total) {
			return dst[:0], nil, corruptf("bytes-plain: length %d overruns data", l)
		}
		total += int(l)
	}
	var data string
	if owned {
		data = unsafe.String(unsafe.SliceData(rest), total)
	} else {
		data = string(rest[:total])
	}
	dst = resize(dst, n)
	off := 0
	for i, l := range lens {
		dst[i] = data[off : off+int(l)]
		off += int(l)
	}
	return dst, rest[total:], nil
}
