package encoding

// int-delta: general integers. After the header (encoding, count n ≥ 1):
//
//	┌─────────────────┬───────────────┬────────────────────────────────────┐
//	│ first <varint>  │ ref <varint>  │ packed section of n-1 values       │
//	└─────────────────┴───────────────┴────────────────────────────────────┘
//
// delta[i] = v[i] - v[i-1] (wrapping int64 arithmetic) for i = 1..n-1 and
// the packed values are delta[i] - ref as unsigned 64-bit numbers (frame
// of reference). ref is usually the smallest delta; the encoder may pick
// a slightly larger one so that a few low outliers become exceptions.
// ref is present only when n ≥ 2. Decoding is v[0] = first,
// v[i] = v[i-1] + packed[i-1] + ref (wrapping).

import (
	"encoding/binary"
	"fmt"
)

func appendIntDelta(dst []byte, src []int64) []byte {
	n := len(src)
	dst = appendHeader(dst, IntDelta, n)
	if n == 0 {
		return dst
	}
	dst = binary.AppendVarint(dst, src[0])
	if n == 1 {
		return dst
	}
	p := getScratch(n - 1)
	d := int64sOf(*p)
	for i := range d {
		d[i] = src[i+1] - src[i]
	}
	dst = appendFOR(dst, d)
	scratchPool.Put(p)
	return dst
}

func decodeIntDelta(src []byte, n int, dst []int64) ([]int64, []byte, error) {
	if n == 0 {
		return dst[:0], src, nil
	}
	first, src, err := readVarint(src)
	if err != nil {
		return dst[:0], nil, fmt.Errorf("int-delta first value: %w", err)
	}
	if n == 1 {
		dst = resize(dst, 1)
		dst[0] = first
		return dst, src, nil
	}
	ref, src, err := readVarint(src)
	if err != nil {
		return dst[:0], nil, fmt.Errorf("int-delta minimum: %w", err)
	}
	// The packed section needs at least its width byte and exception
	// count; checking the size the values need before allocating is done
	// by unpackInto, but n itself is bounded by MaxValues.
	dst = resize(dst, n)
	if src, err = unpackInto(src, dst[1:]); err != nil {
		return dst[:0], nil, fmt.Errorf("int-delta: %w", err)
	}
	acc := first
	d := dst[1:]
	for i := range d {
		acc += d[i] + ref
		d[i] = acc
	}
	dst[0] = first
	return dst, src, nil
}
