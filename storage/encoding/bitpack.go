package encoding

// Packed section: the frame-of-reference bit-packing shared by the int
// codecs (delta, delta-of-delta) and through them by every nested int
// stream. It stores n unsigned values whose count n the enclosing stream
// already knows:
//
//	┌──────────────┬────────────────┬───────────────────────────┬─────────────────────┐
//	│ width <1 b>  │ nexc <uvarint> │ packed <ceil(n*width/8) b> │ exception × nexc    │
//	└──────────────┴────────────────┴───────────────────────────┴─────────────────────┘
//	exception: gap <uvarint> (position - previous position - 1; the first
//	           position is stored as is), high <uvarint> (value >> width, > 0)
//
// Value i occupies bits [i*width, (i+1)*width) of packed, least significant
// bit first, little-endian. Values that need more than width bits are
// patched: their low width bits are packed and their high bits are stored
// as an exception (PFOR). The encoder picks the width that minimizes the
// section's size, so a few outliers (a gap in a timestamp series) do not
// widen every value.

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// exceptionCost estimates the bytes one exception with extra high bits
// costs: one byte of position gap plus the uvarint of the high bits.
func exceptionCost(extra int) int { return 1 + (extra+6)/7 }

// chooseWidth returns the packing width that minimizes the section size
// for values whose bit lengths are counted in hist.
func chooseWidth(hist *[65]int, n int) int {
	maxLen := 64
	for maxLen > 0 && hist[maxLen] == 0 {
		maxLen--
	}
	best, bestCost := maxLen, (n*maxLen+7)/8
	// Walk widths down from maxLen; excCost accumulates the exception
	// cost of values longer than w.
	for w := maxLen - 1; w >= 0; w-- {
		cost := (n*w + 7) / 8
		for b := w + 1; b <= maxLen && cost < bestCost; b++ {
			cost += hist[b] * exceptionCost(b-w)
		}
		if cost < bestCost {
			best, bestCost = w, cost
		}
	}
	return best
}

// appendPacked appends the packed section of u.
func appendPacked(dst []byte, u []uint64) []byte {
	var hist [65]int
	for _, v := range u {
		hist[bits.Len64(v)]++
	}
	w := chooseWidth(&hist, len(u))
	nexc := 0
	for b := w + 1; b <= 64; b++ {
		nexc += hist[b]
	}
	// One allocation for the header and the packed values (exceptions
	// may still grow it).
	dst = slices.Grow(dst, 1+binary.MaxVarintLen64+(len(u)*w+7)/8+8)
	dst = append(dst, byte(w))
	dst = binary.AppendUvarint(dst, uint64(nexc))
	dst = packBits(dst, u, uint(w))
	if nexc > 0 {
		prev := -1
		for i, v := range u {
			if h := v >> w; h != 0 {
				dst = binary.AppendUvarint(dst, uint64(i-prev-1))
				dst = binary.AppendUvarint(dst, h)
				prev = i
			}
		}
	}
	return dst
}

// packBits appends the low w bits of every value of u, densely packed.
func packBits(dst []byte, u []uint64, w uint) []byte {
	if w == 0 {
		return dst
	}
	mask := uint64(1)<<w - 1
	if w == 64 {
		mask = ^uint64(0)
	}
	var acc uint64
	var nbits uint
	for _, v := range u {
		v &= mask
		acc |= v << nbits
		if nbits+w >= 64 {
			dst = binary.LittleEndian.AppendUint64(dst, acc)
			acc = v >> (64 - nbits) // 0 when nbits == 0 (Go shifts by 64 give 0)
			nbits = nbits + w - 64
		} else {
			nbits += w
		}
	}
	for ; nbits > 0; nbits -= min(nbits, 8) {
		dst = append(dst, byte(acc))
		acc >>= 8
	}
	return dst
}

// unpackInto decodes a packed section of len(dst) values into dst and
// returns the rest of src.
func unpackInto[T ~int64 | ~uint64](src []byte, dst []T) ([]byte, error) {
	n := len(dst)
	if len(src) < 1 {
		return nil, corruptf("packed section: missing width")
	}
	w := uint(src[0])
	if w > 64 {
		return nil, corruptf("packed section: width %d", w)
	}
	nexc, rest, err := readLen(src[1:], n, "packed section: exception count")
	if err != nil {
		return nil, err
	}
	nbytes := (uint64(n)*uint64(w) + 7) / 8
	if uint64(len(rest)) < nbytes {
		return nil, corruptf("packed section: %d bytes for %d values of %d bits, have %d", nbytes, n, w, len(rest))
	}
	packed := rest[:nbytes]
	rest = rest[nbytes:]
	unpackBits(packed, dst, w)
	if nexc > 0 {
		if w == 64 {
			return nil, corruptf("packed section: exceptions with width 64")
		}
		pos := -1
		for range nexc {
			var gap, high uint64
			if gap, rest, err = readUvarint(rest); err != nil {
				return nil, err
			}
			if high, rest, err = readUvarint(rest); err != nil {
				return nil, err
			}
			if gap >= uint64(n-pos-1) {
				return nil, corruptf("packed section: exception position out of range")
			}
			pos += int(gap) + 1
			dst[pos] |= T(high << w)
		}
	}
	return rest, nil
}

// unpackBits decodes len(dst) values of w bits from packed, which holds
// exactly ceil(len(dst)*w/8) bytes.
func unpackBits[T ~int64 | ~uint64](packed []byte, dst []T, w uint) {
	if w == 0 {
		clear(dst)
		return
	}
	if w == 64 {
		for i := range dst {
			dst[i] = T(binary.LittleEndian.Uint64(packed[i*8:]))
		}
		return
	}
	mask := uint64(1)<<w - 1
	i := 0
	bitpos := uint(0)
	if k := int(57 / w); k >= 2 {
		// Narrow values: one 8-byte load from a value's first byte holds
		// it and the next k-1 (57 bits from any bit offset within that
		// byte), so each load serves k values.
		for i+k <= len(dst) {
			off := bitpos >> 3
			if off+8 > uint(len(packed)) {
				break
			}
			word := binary.LittleEndian.Uint64(packed[off:]) >> (bitpos & 7)
			out := dst[i : i+k]
			for j := range out {
				out[j] = T(word & mask)
				word >>= w
			}
			i += k
			bitpos += uint(k) * w
		}
	}
	if w <= 56 {
		// Every value lies within the 8 bytes starting at its first
		// byte; stop while 8 bytes remain readable.
		for ; i < len(dst); i, bitpos = i+1, bitpos+w {
			off := bitpos >> 3
			if off+8 > uint(len(packed)) {
				break
			}
			dst[i] = T(binary.LittleEndian.Uint64(packed[off:]) >> (bitpos & 7) & mask)
		}
	}
	for ; i < len(dst); i, bitpos = i+1, bitpos+w {
		dst[i] = T(readBits(packed, bitpos, w) & mask)
	}
}

// readBits returns (at least) the w bits at bitpos, reading past the end
// of packed as zeros.
func readBits(packed []byte, bitpos, w uint) uint64 {
	off, shift := bitpos>>3, bitpos&7
	var buf [9]byte
	copy(buf[:], packed[min(off, uint(len(packed))):])
	v := binary.LittleEndian.Uint64(buf[:8]) >> shift
	if shift+w > 64 {
		v |= uint64(buf[8]) << (64 - shift)
	}
	return v
}

// forCandidates is how many of the smallest values appendFOR considers as
// the frame of reference: the minimum, and the forCandidates-th smallest,
// which turns up to forCandidates-1 low outliers (an out-of-order
// timestamp) into exceptions instead of widening every value.
const forCandidates = 4

// planFOR picks the frame of reference for d among its smallest values
// and returns it with the estimated size of d's packed section.
func planFOR(d []int64) (ref int64, cost int) {
	var small [forCandidates]int64 // ascending; the k smallest seen
	k := 0
	for _, v := range d {
		if k < forCandidates {
			i := k
			for i > 0 && small[i-1] > v {
				small[i] = small[i-1]
				i--
			}
			small[i] = v
			k++
		} else if v < small[k-1] {
			i := k - 1
			for i > 0 && small[i-1] > v {
				small[i] = small[i-1]
				i--
			}
			small[i] = v
		}
	}
	ref, cost = small[0], forCost(d, small[0])
	if k == forCandidates && small[k-1] != ref {
		if c := forCost(d, small[k-1]); c < cost {
			ref, cost = small[k-1], c
		}
	}
	if len(d) >= forQuantileSample {
		if q := lowQuantile(d); q > small[k-1] {
			if c := forCost(d, q); c < cost {
				ref, cost = q, c
			}
		}
	}
	return ref, cost
}

// forQuantileSample is how many evenly spaced values lowQuantile sorts.
const forQuantileSample = 64

// lowQuantile returns about the 1/16 quantile of d (len(d) ≥
// forQuantileSample) from an evenly spaced sample. As a frame of
// reference it turns many low outliers into exceptions: the steps of a
// descending series (timestamps in time DESC order, where every device's
// reading at one tick shares the time and the step back to the previous
// tick is a large negative difference) would otherwise widen every value.
func lowQuantile(d []int64) int64 {
	var s [forQuantileSample]int64
	step := len(d) / forQuantileSample
	for i := range s {
		s[i] = d[i*step]
	}
	slices.Sort(s[:])
	return s[forQuantileSample/16]
}

// appendFOR appends ref <varint> and the packed section of d[i] - ref
// (unsigned, wrapping), with ref from planFOR. It overwrites d with the
// packed values.
func appendFOR(dst []byte, d []int64) []byte {
	ref, _ := planFOR(d)
	return appendFORRef(dst, d, ref)
}

// appendFORRef is appendFOR with a given ref.
func appendFORRef(dst []byte, d []int64, ref int64) []byte {
	u := uint64sOf(d)
	for i, v := range d {
		u[i] = uint64(v - ref)
	}
	dst = binary.AppendVarint(dst, ref)
	return appendPacked(dst, u)
}

// forSampleMin is the length from which forCost estimates from a sample.
const forSampleMin = 1024

// forSampleStride is the sampling step of forCost on long inputs.
const forSampleStride = 8

// forCost estimates the packed section size of d - ref. On long inputs it
// looks at every forSampleStride-th value only: the estimate only chooses
// between layouts, and appendPacked sizes the winner exactly.
func forCost(d []int64, ref int64) int {
	stride := 1
	if len(d) >= forSampleMin {
		stride = forSampleStride
	}
	var hist [65]int
	n := 0
	for i := 0; i < len(d); i += stride {
		hist[bits.Len64(uint64(d[i]-ref))]++
		n++
	}
	w := chooseWidth(&hist, n)
	cost := (n*w + 7) / 8
	for b := w + 1; b <= 64; b++ {
		cost += hist[b] * exceptionCost(b-w)
	}
	return cost * stride
}
