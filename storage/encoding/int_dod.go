package encoding

// int-dod: delta-of-delta for timestamps and other near-regular series.
// After the header (encoding, count n ≥ 1):
//
//	┌────────────────┬──────────────────────┬─────────────────┬──────────────────────────────┐
//	│ first <varint> │ firstDelta <varint>  │ ref <varint>    │ packed section of n-2 values │
//	└────────────────┴──────────────────────┴─────────────────┴──────────────────────────────┘
//
// firstDelta is present when n ≥ 2, ref and the packed section when
// n ≥ 3. With delta[i] = v[i] - v[i-1], dod[i] = delta[i] - delta[i-1]
// for i = 2..n-1 (wrapping) and the packed values are dod[i] - ref, ref
// chosen as in int-delta.
// A perfectly regular series packs at width 0: a few bytes in total.

import (
	"encoding/binary"
	"fmt"
)

func appendIntDoD(dst []byte, src []int64) []byte {
	n := len(src)
	dst = appendHeader(dst, IntDoD, n)
	if n == 0 {
		return dst
	}
	dst = binary.AppendVarint(dst, src[0])
	if n == 1 {
		return dst
	}
	firstDelta := src[1] - src[0]
	dst = binary.AppendVarint(dst, firstDelta)
	if n == 2 {
		return dst
	}
	p := getScratch(n - 2)
	dd := int64sOf(*p)
	for i := range dd {
		dd[i] = (src[i+2] - src[i+1]) - (src[i+1] - src[i])
	}
	dst = appendFOR(dst, dd)
	scratchPool.Put(p)
	return dst
}

func decodeIntDoD(src []byte, n int, dst []int64) ([]int64, []byte, error) {
	if n == 0 {
		return dst[:0], src, nil
	}
	first, src, err := readVarint(src)
	if err != nil {
		return dst[:0], nil, fmt.Errorf("int-dod first value: %w", err)
	}
	if n == 1 {
		dst = resize(dst, 1)
		dst[0] = first
		return dst, src, nil
	}
	delta, src, err := readVarint(src)
	if err != nil {
		return dst[:0], nil, fmt.Errorf("int-dod first delta: %w", err)
	}
	if n == 2 {
		dst = resize(dst, 2)
		dst[0], dst[1] = first, first+delta
		return dst, src, nil
	}
	ref, src, err := readVarint(src)
	if err != nil {
		return dst[:0], nil, fmt.Errorf("int-dod minimum: %w", err)
	}
	dst = resize(dst, n)
	if src, err = unpackInto(src, dst[2:]); err != nil {
		return dst[:0], nil, fmt.Errorf("int-dod: %w", err)
	}
	firstDelta := delta
	acc := first + delta
	d := dst[2:]
	for i := range d {
		delta += d[i] + ref
		acc += delta
		d[i] = acc
	}
	dst[0], dst[1] = first, first+firstDelta
	return dst, src, nil
}
