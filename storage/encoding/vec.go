package encoding

// Columns: EncodeVec writes a vector as one stream. Without nulls it is
// the value stream of the vector's kind (int, float, bool or bytes).
// With nulls it is a nulls stream wrapping the value stream of the
// non-null values:
//
//	┌─────────────────────┬─────────────────┬───────────────────────┬─────────────────────────────┐
//	│ encoding <1 b> = 64 │ count <uvarint> │ bitmap <ceil(n/8) b>  │ value stream (non-nulls)    │
//	└─────────────────────┴─────────────────┴───────────────────────┴─────────────────────────────┘
//
// Bit i of the bitmap (least significant first) is 1 when row i is null;
// padding bits are 0; the value stream's count is n minus the number of
// nulls. A column must end exactly where its stream ends.

import (
	"fmt"
	"math/bits"
	"sync"

	"github.com/tsgres/tsgres/storage/col"
)

var (
	boolPool   = sync.Pool{New: func() any { return new([]bool) }}
	stringPool = sync.Pool{New: func() any { return new([]string) }}
)

// EncodeVec appends the encoding of all of v's slots to dst, choosing the
// best codec for the data. v.Kind must be Int64, Float64, Bool or Bytes
// and v.Len() at most MaxValues; anything else is a caller bug (panic).
func EncodeVec(dst []byte, v *col.Vec) []byte {
	return encodeVec(dst, v, false)
}

// EncodeVecCompact is EncodeVec for data that is written once and kept
// long (compressed chunks): it spends more encoding time for fewer bytes.
// Bytes columns are wrapped in zstd at a stronger level whenever that is
// smaller at all; the other kinds already keep their smallest candidate.
// The output is an ordinary stream that DecodeVec reads.
func EncodeVecCompact(dst []byte, v *col.Vec) []byte {
	return encodeVec(dst, v, true)
}

func encodeVec(dst []byte, v *col.Vec, strong bool) []byte {
	n := v.Len()
	if !v.HasNulls() {
		return encodeValues(dst, v, nil, strong)
	}
	dst = appendHeader(dst, Nulls, n)
	dst = appendBitmap(dst, v.Nulls[:n])
	return encodeValues(dst, v, v.Nulls[:n], strong)
}

// encodeValues appends the value stream of v's slots that are not null
// according to nulls (nil: all slots); strong as in EncodeVecCompact.
func encodeValues(dst []byte, v *col.Vec, nulls []bool, strong bool) []byte {
	switch v.Kind {
	case col.Int64:
		if nulls == nil {
			return EncodeInt64(dst, v.I64)
		}
		sp := getScratch(len(nulls))
		vals := compact(int64sOf(*sp)[:0], v.I64, nulls)
		dst = EncodeInt64(dst, vals)
		scratchPool.Put(sp)
		return dst
	case col.Float64:
		if nulls == nil {
			return EncodeFloat64(dst, v.F64)
		}
		sp := getScratch(len(nulls))
		vals := compact(float64sOf(*sp)[:0], v.F64, nulls)
		dst = EncodeFloat64(dst, vals)
		scratchPool.Put(sp)
		return dst
	case col.Bool:
		if nulls == nil {
			return EncodeBool(dst, v.B)
		}
		bp := boolPool.Get().(*[]bool)
		*bp = compact((*bp)[:0], v.B, nulls)
		dst = EncodeBool(dst, *bp)
		boolPool.Put(bp)
		return dst
	case col.Bytes:
		if nulls == nil {
			return encodeBytes(dst, v.S, strong)
		}
		sp := stringPool.Get().(*[]string)
		*sp = compact((*sp)[:0], v.S, nulls)
		dst = encodeBytes(dst, *sp, strong)
		clear(*sp) // do not pin the caller's strings
		stringPool.Put(sp)
		return dst
	}
	panic(fmt.Sprintf("BUG: EncodeVec of a %v vector", v.Kind))
}

// compact appends the values of src whose slot is not null to dst.
func compact[T any](dst, src []T, nulls []bool) []T {
	for i, x := range src[:len(nulls)] {
		if !nulls[i] {
			dst = append(dst, x)
		}
	}
	return dst
}

// DecodeCount returns the number of values (rows, nulls included) in an
// encoded column without decoding it.
func DecodeCount(src []byte) (int, error) {
	_, n, _, err := readHeader(src)
	if err != nil {
		return 0, fmt.Errorf("cannot decode column count: %w", err)
	}
	return n, nil
}

// DecodeVec decodes src, produced by EncodeVec for a vector of the given
// kind, into dst, which it resets first (keeping its capacity). Corrupt
// input, including a stream of another kind, returns an error wrapping
// ErrCorrupt.
func DecodeVec(src []byte, kind col.Kind, dst *col.Vec) error {
	if err := decodeVec(src, kind, dst); err != nil {
		dst.Reset()
		return fmt.Errorf("cannot decode %v column: %w", kind, err)
	}
	return nil
}

func decodeVec(src []byte, kind col.Kind, dst *col.Vec) error {
	nullsBuf := dst.Nulls[:0]
	dst.Reset()
	dst.Kind = kind
	if len(src) == 0 || Encoding(src[0]) != Nulls {
		rest, err := decodeValues(src, dst, 0)
		if err != nil {
			return err
		}
		if len(rest) != 0 {
			return corruptf("%d trailing bytes", len(rest))
		}
		return nil
	}
	_, n, rest, err := readHeader(src)
	if err != nil {
		return err
	}
	nb := (n + 7) / 8
	if len(rest) < nb {
		return corruptf("nulls: bitmap of %d rows in %d bytes", n, len(rest))
	}
	bitmap := rest[:nb]
	nulls := 0
	for _, b := range bitmap {
		nulls += bits.OnesCount8(b)
	}
	if n%8 != 0 && bitmap[nb-1]>>(n%8) != 0 {
		return corruptf("nulls: padding bits set")
	}
	k := n - nulls
	if _, m, _, err := readHeader(rest[nb:]); err != nil || m != k {
		return corruptf("nulls: value stream does not hold %d values", k)
	}
	rest, err = decodeValues(rest[nb:], dst, n)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return corruptf("%d trailing bytes", len(rest))
	}
	if got := dst.Len(); got != k { // expandBitmap relies on it
		return corruptf("nulls: value stream holds %d values, want %d", got, k)
	}
	dst.Nulls = resize(nullsBuf, n)
	readNulls(bitmap, dst.Nulls)
	switch kind {
	case col.Int64:
		dst.I64 = expandBitmap(dst.I64, bitmap, n)
	case col.Float64:
		dst.F64 = expandBitmap(dst.F64, bitmap, n)
	case col.Bool:
		dst.B = expandBitmap(dst.B, bitmap, n)
	case col.Bytes:
		dst.S = expandBitmap(dst.S, bitmap, n)
	}
	return nil
}

// readNulls fills dst from a null bitmap (valid: no bits past len(dst)),
// visiting only the set bits: NULLs are usually rare.
func readNulls(bitmap []byte, dst []bool) {
	clear(dst)
	for bi, b := range bitmap {
		for b != 0 {
			dst[bi*8+bits.TrailingZeros8(b)] = true
			b &= b - 1
		}
	}
}

// expandBitmap spreads the len(vals) non-null values over n slots, the
// slots whose bit is set in bitmap (valid, with n-len(vals) set bits)
// getting the zero value. It moves the runs between NULLs with copy,
// from the back, so sparse NULLs cost little more than the values.
func expandBitmap[T any](vals []T, bitmap []byte, n int) []T {
	j := len(vals) // vals[:j] are still to place
	if cap(vals) < n {
		grown := make([]T, n)
		copy(grown, vals)
		vals = grown
	}
	vals = vals[:n]
	var zero T
	end := n // slots [end, n) are placed
	for bi := len(bitmap) - 1; bi >= 0; bi-- {
		for b := bitmap[bi]; b != 0; {
			bit := 7 - bits.LeadingZeros8(b)
			b &^= 1 << bit
			p := bi*8 + bit
			run := end - p - 1
			copy(vals[p+1:end], vals[j-run:j])
			j -= run
			vals[p] = zero
			end = p
		}
	}
	return vals
}

// decodeValues decodes the value stream at the front of src into dst's
// slice for its kind, reserving room for rows values so a later expand
// does not reallocate.
func decodeValues(src []byte, dst *col.Vec, rows int) ([]byte, error) {
	var rest []byte
	var err error
	switch dst.Kind {
	case col.Int64:
		dst.I64, rest, err = decodeInt64(src, resize(dst.I64, rows)[:0])
	case col.Float64:
		dst.F64, rest, err = decodeFloat64(src, resize(dst.F64, rows)[:0])
	case col.Bool:
		dst.B, rest, err = decodeBool(src, resize(dst.B, rows)[:0])
	case col.Bytes:
		dst.S, rest, err = decodeBytes(src, resize(dst.S, rows)[:0], false, false)
	default:
		return nil, corruptf("kind %v is not storable", dst.Kind)
	}
	return rest, err
}
