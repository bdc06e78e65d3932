package encoding

// Bool streams share the common header (encoding, count n; no payload
// when n is 0).
//
//	bool-bits: payload = ceil(n/8) bytes; value i is bit i%8 (least
//	           significant first) of byte i/8; padding bits are 0.
//	bool-rle:  payload = first value <1 byte: 0 or 1>, then run lengths
//	           <uvarint, ≥ 1> of alternating values, summing to n.
//
// The encoder picks RLE when it is smaller (long runs: flags that rarely
// change, constant columns).

import (
	"encoding/binary"
	"fmt"
)

// EncodeBool appends a bool stream holding src to dst, choosing the
// smaller of bit-packing and run-length encoding.
func EncodeBool(dst []byte, src []bool) []byte {
	n := len(src)
	if n == 0 {
		return appendHeader(dst, BoolBits, 0)
	}
	// Size the RLE form; stop once it loses to the bitmap.
	bitsSize := (n + 7) / 8
	rleSize := 1
	run := 1
	for i := 1; i < n && rleSize <= bitsSize; i++ {
		if src[i] != src[i-1] {
			rleSize += uvarintLen(uint64(run))
			run = 0
		}
		run++
	}
	rleSize += uvarintLen(uint64(run))
	if rleSize < bitsSize {
		return appendBoolRLE(dst, src)
	}
	return appendBoolBits(dst, src)
}

func appendBoolBits(dst []byte, src []bool) []byte {
	dst = appendHeader(dst, BoolBits, len(src))
	return appendBitmap(dst, src)
}

// appendBitmap appends one bit per value, least significant bit first.
func appendBitmap(dst []byte, src []bool) []byte {
	for i := 0; i < len(src); i += 8 {
		var b byte
		for j, v := range src[i:min(i+8, len(src))] {
			if v {
				b |= 1 << j
			}
		}
		dst = append(dst, b)
	}
	return dst
}

// readBitmap fills dst from a bitmap of ceil(len(dst)/8) bytes.
func readBitmap(src []byte, dst []bool) {
	for i := range dst {
		dst[i] = src[i>>3]>>(i&7)&1 != 0
	}
}

func appendBoolRLE(dst []byte, src []bool) []byte {
	dst = appendHeader(dst, BoolRLE, len(src))
	if len(src) == 0 {
		return dst
	}
	if src[0] {
		dst = append(dst, 1)
	} else {
		dst = append(dst, 0)
	}
	run := 1
	for i := 1; i < len(src); i++ {
		if src[i] != src[i-1] {
			dst = binary.AppendUvarint(dst, uint64(run))
			run = 0
		}
		run++
	}
	return binary.AppendUvarint(dst, uint64(run))
}

// DecodeBool decodes a bool stream, replacing dst's contents and reusing
// its capacity, and returns the values. Bytes after the stream are an
// error.
func DecodeBool(src []byte, dst []bool) ([]bool, error) {
	dst, rest, err := decodeBool(src, dst)
	if err != nil {
		return dst[:0], fmt.Errorf("cannot decode bool stream: %w", err)
	}
	if len(rest) != 0 {
		return dst[:0], fmt.Errorf("cannot decode bool stream: %w", corruptf("%d trailing bytes", len(rest)))
	}
	return dst, nil
}

func decodeBool(src []byte, dst []bool) ([]bool, []byte, error) {
	e, n, rest, err := readHeader(src)
	if err != nil {
		return dst[:0], nil, err
	}
	switch e {
	case BoolBits:
		nb := (n + 7) / 8
		if len(rest) < nb {
			return dst[:0], nil, corruptf("bool-bits: %d values in %d bytes", n, len(rest))
		}
		dst = resize(dst, n)
		readBitmap(rest, dst)
		return dst, rest[nb:], nil
	case BoolRLE:
		if n == 0 {
			return dst[:0], rest, nil
		}
		if len(rest) < 1 || rest[0] > 1 {
			return dst[:0], nil, corruptf("bool-rle: bad first value")
		}
		v := rest[0] == 1
		rest = rest[1:]
		dst = resize(dst, n)
		for pos := 0; pos < n; v = !v {
			var run uint64
			if run, rest, err = readUvarint(rest); err != nil {
				return dst[:0], nil, fmt.Errorf("bool-rle run: %w", err)
			}
			if run == 0 || run > uint64(n-pos) {
				return dst[:0], nil, corruptf("bool-rle: bad run length %d", run)
			}
			fill := dst[pos : pos+int(run)]
			for i := range fill {
				fill[i] = v
			}
			pos += int(run)
		}
		return dst, rest, nil
	}
	return dst[:0], nil, corruptf("%v is not a bool encoding", e)
}
