package encoding

// float-alp: floats that are decimals with few digits (sensor readings
// such as 21.37), after ALP (Afroozeh, Kuffo, Boncz: "ALP: Adaptive
// Lossless floating-Point Compression", SIGMOD 2024), simplified to one
// exponent. After the header (encoding, count n ≥ 1):
//
//	┌────────────┬────────────────┬──────────────────────────┬─────────────────────┐
//	│ e <1 byte> │ nexc <uvarint> │ int stream (n integers)  │ exception × nexc    │
//	└────────────┴────────────────┴──────────────────────────┴─────────────────────┘
//	exception: gap <uvarint> (position - previous position - 1; the first
//	           position as is), bits <8 bytes little-endian IEEE 754>
//
// Value i decodes as float64(int[i]) / 10^e (alpScale), which IEEE 754 division
// rounds correctly: for |int[i]| < 2^53 it is exactly the float nearest
// the decimal int[i]×10^-e, i.e. what parsing the decimal text gives. The
// encoder keeps a value only when that decoding reproduces its bits;
// others (NaN, ±Inf, -0, long fractions, huge magnitudes) become
// exceptions whose integer slot holds a neighbour's integer so the int
// codec is not disturbed, and whose bits are patched in after conversion.
// The nested int stream is any int encoding (usually int-delta).

import (
	"encoding/binary"
	"fmt"
	"math"
)

const (
	// alpMaxExponent is the largest decimal exponent tried; 10^18 is
	// exact in float64 and beyond it the integers leave float64's exact
	// range for any interesting magnitude.
	alpMaxExponent = 18
	// alpMaxInt bounds |v×10^e| so float64(int) is exact.
	alpMaxInt = 1 << 53
	// alpSampleSize is how many evenly spaced values choose the exponent.
	alpSampleSize = 32
	// alpMaxExceptionShare rejects ALP when more than 1/4 of the sampled
	// values would be exceptions.
	alpMaxExceptionShare = 4
)

var pow10 = [alpMaxExponent + 1]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// alpInt returns the integer v×10^e when decoding it reproduces v's bits.
func alpInt(v, p float64) (int64, bool) {
	x := v * p
	if !(x > -alpMaxInt && x < alpMaxInt) { // also rejects NaN
		return 0, false
	}
	i := int64(math.Round(x))
	return i, math.Float64bits(float64(i)/p) == math.Float64bits(v)
}

// alpExponent picks the smallest exponent that encodes the most sampled
// values; ok is false when too many would be exceptions.
func alpExponent(src []float64) (e int, ok bool) {
	step := max(1, len(src)/alpSampleSize)
	sampled := 0
	bestFail := len(src) + 1
	for exp := 0; exp <= alpMaxExponent; exp++ {
		fail, cnt := 0, 0
		for i := 0; i < len(src) && fail < bestFail; i += step {
			cnt++
			if _, good := alpInt(src[i], pow10[exp]); !good {
				fail++
			}
		}
		if fail < bestFail {
			e, bestFail, sampled = exp, fail, cnt
			if fail == 0 {
				break
			}
		}
	}
	return e, bestFail*alpMaxExceptionShare <= sampled
}

// appendFloatALP appends src as float-alp and returns the number of
// exceptions; ok is false (and dst unchanged) when src does not look
// like short decimals.
func appendFloatALP(dst []byte, src []float64) (out []byte, exceptions int, ok bool) {
	n := len(src)
	if n == 0 {
		return appendHeader(dst, FloatALP, 0), 0, true
	}
	e, ok := alpExponent(src)
	if !ok {
		return dst, 0, false
	}
	p := pow10[e]
	sp := getScratch(n)
	ints := int64sOf(*sp)
	// fill is the integer written into exception slots: the previous good
	// one, or before any the first good one.
	var fill int64
	for _, v := range src {
		if i, good := alpInt(v, p); good {
			fill = i
			break
		}
	}
	for k, v := range src {
		i, good := alpInt(v, p)
		if !good {
			exceptions++
			i = fill
		}
		ints[k] = i
		fill = i
	}
	if exceptions*alpMaxExceptionShare > n {
		scratchPool.Put(sp)
		return dst, 0, false
	}
	dst = appendHeader(dst, FloatALP, n)
	dst = append(dst, byte(e))
	dst = binary.AppendUvarint(dst, uint64(exceptions))
	dst = EncodeInt64(dst, ints)
	scratchPool.Put(sp)
	if exceptions > 0 {
		prev := -1
		for k, v := range src {
			if _, good := alpInt(v, p); !good {
				dst = binary.AppendUvarint(dst, uint64(k-prev-1))
				dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
				prev = k
			}
		}
	}
	return dst, exceptions, true
}

func decodeFloatALP(src []byte, n int, dst []float64) ([]float64, []byte, error) {
	if n == 0 {
		return dst[:0], src, nil
	}
	if len(src) < 1 || src[0] > alpMaxExponent {
		return dst[:0], nil, corruptf("float-alp: bad exponent")
	}
	e := int(src[0])
	nexc, src, err := readLen(src[1:], n, "float-alp exception count")
	if err != nil {
		return dst[:0], nil, err
	}
	// The nested stream must hold exactly n integers; check before
	// decoding so it decodes into dst's own memory.
	if _, m, _, err := readHeader(src); err != nil || m != n {
		return dst[:0], nil, corruptf("float-alp: nested int stream does not hold %d values", n)
	}
	dst = resize(dst, n)
	ints, src, err := decodeInt64(src, int64View(dst))
	if err != nil {
		return dst[:0], nil, fmt.Errorf("float-alp: %w", err)
	}
	alpScale(dst, ints[:len(dst)], e)
	pos := -1
	for range nexc {
		var gap uint64
		if gap, src, err = readUvarint(src); err != nil {
			return dst[:0], nil, fmt.Errorf("float-alp exception: %w", err)
		}
		if gap >= uint64(n-pos-1) || len(src) < 8 {
			return dst[:0], nil, corruptf("float-alp: bad exception")
		}
		pos += int(gap) + 1
		dst[pos] = math.Float64frombits(binary.LittleEndian.Uint64(src))
		src = src[8:]
	}
	return dst, src, nil
}

// alpScale sets dst[i] to float64(ints[i]) / 10^e, the IEEE 754
// quotient; dst and ints may be the same memory. For e = 0 (whole
// numbers: counters, percentages) the division by 1 is the conversion
// itself and is skipped, which halves the loop. Other exponents divide:
// a multiplication by RN(10^-e) verified with a fused multiply-add
// residual was measured slower than the division on this machine's
// divider (BenchmarkDecodeVec/temperature), so it is not used.
func alpScale(dst []float64, ints []int64, e int) {
	if e == 0 {
		for i, v := range ints {
			dst[i] = float64(v)
		}
		return
	}
	p := pow10[e]
	for i, v := range ints {
		dst[i] = float64(v) / p
	}
}
