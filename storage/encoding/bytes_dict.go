package encoding

// bytes-dict: low-cardinality text (device names, states, tags). After the
// header (encoding, count n ≥ 1):
//
//	┌──────────────────────────────────────────┬───────────────────────────────┐
//	│ bytes-plain stream of the d distinct     │ int stream of n indexes into  │
//	│ values, in order of first appearance     │ the distinct values (0..d-1)  │
//	└──────────────────────────────────────────┴───────────────────────────────┘
//
// The indexes are a nested int stream: the int codec bit-packs them at
// ceil(log2(d)) bits or less (frame of reference over their differences),
// or stores int-const for a single value.

import (
	"fmt"
	"sync"
)

// dictMaxShare: the dictionary is tried only while the distinct values
// stay at most 1/dictMaxShare of the count; beyond that plain wins.
const dictMaxShare = 2

var dictMapPool = sync.Pool{New: func() any { return make(map[string]int64) }}

// appendBytesDict appends src as bytes-dict; ok is false (dst unchanged)
// when src has too many distinct values.
func appendBytesDict(dst []byte, src []string) ([]byte, bool) {
	n := len(src)
	limit := n / dictMaxShare
	if limit < 1 {
		return dst, false
	}
	m := dictMapPool.Get().(map[string]int64)
	defer func() { clear(m); dictMapPool.Put(m) }()
	sp := getScratch(n)
	defer scratchPool.Put(sp)
	idx := int64sOf(*sp)
	var distinct []string
	for i, s := range src {
		k, found := m[s]
		if !found {
			if len(distinct) == limit {
				return dst, false
			}
			k = int64(len(distinct))
			m[s] = k
			distinct = append(distinct, s)
		}
		idx[i] = k
	}
	dst = appendHeader(dst, BytesDict, n)
	dst = appendBytesPlain(dst, distinct)
	return EncodeInt64(dst, idx), true
}

func decodeBytesDict(src []byte, n int, dst []string, owned bool) ([]string, []byte, error) {
	if n == 0 {
		return dst[:0], src, nil
	}
	e, d, src, err := readHeader(src)
	if err != nil || e != BytesPlain || d == 0 || d > n {
		return dst[:0], nil, corruptf("bytes-dict: bad dictionary")
	}
	dict, rest, err := decodeBytesPlain(src, d, nil, owned)
	if err != nil {
		return dst[:0], nil, fmt.Errorf("bytes-dict dictionary: %w", err)
	}
	if _, m, _, err := readHeader(rest); err != nil || m != n {
		return dst[:0], nil, corruptf("bytes-dict: index stream does not hold %d values", n)
	}
	sp := getScratch(n)
	defer scratchPool.Put(sp)
	idx, rest, err := decodeInt64(rest, int64sOf(*sp))
	if err != nil {
		return dst[:0], nil, fmt.Errorf("bytes-dict indexes: %w", err)
	}
	dst = resize(dst, n)
	for i, k := range idx {
		if uint64(k) >= uint64(len(dict)) {
			return dst[:0], nil, corruptf("bytes-dict: index %d out of %d", k, len(dict))
		}
		dst[i] = dict[k]
	}
	return dst, rest, nil
}
