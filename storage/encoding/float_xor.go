package encoding

// float-xor: Gorilla's XOR encoding (Pelkonen et al., "Gorilla: A Fast,
// Scalable, In-Memory Time Series Database", VLDB 2015), the fallback for
// floats that are not short decimals. After the header (encoding, count
// n ≥ 1):
//
//	┌─────────────────────────────────┬─────────────────────────────────────┐
//	│ first value <8 bytes LE bits>   │ bit stream of n-1 values            │
//	└─────────────────────────────────┴─────────────────────────────────────┘
//
// The bit stream is most significant bit first, zero padded to a byte.
// Each value is x = bits(v[i]) XOR bits(v[i-1]) written as
//
//	'0'                                    x == 0
//	'10' <64-lead-trail bits>              x's meaningful bits fit the
//	                                       current window (lead, trail)
//	'11' <lead: 5 bits> <sig: 6 bits> <sig bits>
//	                                       new window: lead leading zeros
//	                                       (capped at 31), sig meaningful
//	                                       bits (0 means 64), trail =
//	                                       64-lead-sig
//
// The window starts as lead = trail = 0.

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// bitWriter appends bits most significant first.
type bitWriter struct {
	buf []byte
	acc uint64 // pending bits, left aligned
	n   uint   // number of pending bits
}

func (w *bitWriter) writeBits(v uint64, nb uint) {
	if nb == 0 {
		return
	}
	if nb < 64 {
		v &= 1<<nb - 1
	}
	free := 64 - w.n
	if nb < free {
		w.acc |= v << (free - nb)
		w.n += nb
		return
	}
	rest := nb - free
	w.acc |= v >> rest
	w.buf = binary.BigEndian.AppendUint64(w.buf, w.acc)
	w.acc, w.n = 0, rest
	if rest > 0 {
		w.acc = v << (64 - rest)
	}
}

func (w *bitWriter) flush() []byte {
	for ; w.n > 0; w.n -= min(w.n, 8) {
		w.buf = append(w.buf, byte(w.acc>>56))
		w.acc <<= 8
	}
	return w.buf
}

// bitReader reads bits most significant first; reading past the end
// fails.
type bitReader struct {
	src []byte
	pos uint // bit position
	end uint // 8*len(src)
}

func (r *bitReader) readBits(nb uint) (uint64, bool) {
	if nb == 0 {
		return 0, true
	}
	if r.end-r.pos < nb {
		return 0, false
	}
	if nb > 56 {
		hi, _ := r.readBits(nb - 32)
		lo, _ := r.readBits(32)
		return hi<<32 | lo, true
	}
	off, shift := r.pos>>3, r.pos&7
	var word uint64
	if off+8 <= uint(len(r.src)) {
		word = binary.BigEndian.Uint64(r.src[off:])
	} else {
		var buf [8]byte
		copy(buf[:], r.src[off:])
		word = binary.BigEndian.Uint64(buf[:])
	}
	r.pos += nb
	return word << shift >> (64 - nb), true
}

func appendFloatXOR(dst []byte, src []float64) []byte {
	n := len(src)
	dst = appendHeader(dst, FloatXOR, n)
	if n == 0 {
		return dst
	}
	prev := math.Float64bits(src[0])
	dst = binary.LittleEndian.AppendUint64(dst, prev)
	w := bitWriter{buf: dst}
	var lead, trail uint // current window
	for _, v := range src[1:] {
		cur := math.Float64bits(v)
		x := cur ^ prev
		prev = cur
		if x == 0 {
			w.writeBits(0, 1)
			continue
		}
		l := min(uint(bits.LeadingZeros64(x)), 31)
		t := uint(bits.TrailingZeros64(x))
		// Reuse the window when it fits and costs no more than a new one.
		if l >= lead && t >= trail && 64-lead-trail <= 11+64-l-t {
			w.writeBits(0b10, 2)
			w.writeBits(x>>trail, 64-lead-trail)
			continue
		}
		lead, trail = l, t
		sig := 64 - l - t
		w.writeBits(0b11, 2)
		w.writeBits(uint64(l), 5)
		w.writeBits(uint64(sig&63), 6)
		w.writeBits(x>>t, sig)
	}
	return w.flush()
}

func decodeFloatXOR(src []byte, n int, dst []float64) ([]float64, []byte, error) {
	if n == 0 {
		return dst[:0], src, nil
	}
	if len(src) < 8 {
		return dst[:0], nil, corruptf("float-xor: short first value")
	}
	prev := binary.LittleEndian.Uint64(src)
	src = src[8:]
	// Every value takes at least one bit.
	if uint64(n-1) > 8*uint64(len(src)) {
		return dst[:0], nil, corruptf("float-xor: %d values in %d bytes", n, len(src))
	}
	dst = resize(dst, n)
	dst[0] = math.Float64frombits(prev)
	r := bitReader{src: src, end: 8 * uint(len(src))}
	var lead, trail uint
	for i := 1; i < n; i++ {
		ctl, ok := r.readBits(1)
		if !ok {
			return dst[:0], nil, corruptf("float-xor: truncated")
		}
		if ctl == 1 {
			if ctl, ok = r.readBits(1); !ok {
				return dst[:0], nil, corruptf("float-xor: truncated")
			}
			if ctl == 1 {
				hdr, ok := r.readBits(11)
				if !ok {
					return dst[:0], nil, corruptf("float-xor: truncated")
				}
				l, sig := uint(hdr>>6), uint(hdr&63)
				if sig == 0 {
					sig = 64
				}
				if l+sig > 64 {
					return dst[:0], nil, corruptf("float-xor: bad window")
				}
				lead, trail = l, 64-l-sig
			}
			x, ok := r.readBits(64 - lead - trail)
			if !ok {
				return dst[:0], nil, corruptf("float-xor: truncated")
			}
			prev ^= x << trail
		}
		dst[i] = math.Float64frombits(prev)
	}
	// The stream ends at the next byte boundary.
	used := (r.pos + 7) / 8
	return dst, src[used:], nil
}
