package encoding

import (
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

// benchBlock is a typical sealed block's row count.
const benchBlock = 2048

// benchVecs is realistic fixed-seed IoT data: one block per column.
func benchVecs() []struct {
	name string
	vec  *col.Vec
} {
	r := newRand(42)
	ids := make([]int64, benchBlock)
	for i := range ids {
		ids[i] = 1000 + int64(i/64) // sorted by device, as in a sealed block
	}
	percent := make([]float64, benchBlock) // whole numbers, a random walk in [0, 100]
	for i, c := 0, 50; i < benchBlock; i++ {
		c = min(100, max(0, c+r.IntN(11)-5))
		percent[i] = float64(c)
	}
	noisy := genTemperatures(r, benchBlock)
	for i := range noisy {
		noisy[i] += r.NormFloat64() * 1e-3
	}
	return []struct {
		name string
		vec  *col.Vec
	}{
		{"time", &col.Vec{Kind: col.Int64, I64: genTimestamps(r, benchBlock, 50_000)}},
		{"time-regular", &col.Vec{Kind: col.Int64, I64: genTimestamps(r, benchBlock, 0)}},
		{"device-id", &col.Vec{Kind: col.Int64, I64: ids}},
		{"temperature", &col.Vec{Kind: col.Float64, F64: genTemperatures(r, benchBlock)}},
		{"percent", &col.Vec{Kind: col.Float64, F64: percent}},
		{"temperature-noisy", &col.Vec{Kind: col.Float64, F64: noisy}},
		{"temperature-nulls", withNulls(&col.Vec{Kind: col.Float64, F64: genTemperatures(r, benchBlock)}, nullPatterns(benchBlock)["some"])},
		{"flag", &col.Vec{Kind: col.Bool, B: boolShapes()["runs"]}},
		{"truck", &col.Vec{Kind: col.Bytes, S: genTrucks(r, benchBlock, 100)}},
		{"json", &col.Vec{Kind: col.Bytes, S: stringShapes()["json"]}},
	}
}

// rawSize is the in-memory size of the vector's values (8 bytes per
// number, 1 per bool, the string bytes), the base of SetBytes.
func rawSize(v *col.Vec) int64 {
	switch v.Kind {
	case col.Bool:
		return int64(v.Len())
	case col.Bytes:
		n := 0
		for _, s := range v.S {
			n += len(s)
		}
		return int64(n)
	}
	return 8 * int64(v.Len())
}

func reportValues(b *testing.B, n, encoded int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "values/s")
	b.ReportMetric(float64(encoded)/float64(n), "bytes/value")
}

func BenchmarkEncodeVec(b *testing.B) {
	for _, bv := range benchVecs() {
		b.Run(bv.name, func(b *testing.B) {
			buf := EncodeVec(nil, bv.vec)
			b.SetBytes(rawSize(bv.vec))
			b.ReportAllocs()
			for b.Loop() {
				buf = EncodeVec(buf[:0], bv.vec)
			}
			reportValues(b, bv.vec.Len(), len(buf))
		})
	}
}

func BenchmarkDecodeVec(b *testing.B) {
	for _, bv := range benchVecs() {
		b.Run(bv.name, func(b *testing.B) {
			enc := EncodeVec(nil, bv.vec)
			b.Logf("%s: %v, %d bytes", bv.name, Encoding(enc[0]), len(enc))
			dst := &col.Vec{}
			b.SetBytes(rawSize(bv.vec))
			b.ReportAllocs()
			for b.Loop() {
				if err := DecodeVec(enc, bv.vec.Kind, dst); err != nil {
					b.Fatal(err)
				}
			}
			reportValues(b, bv.vec.Len(), len(enc))
		})
	}
}

// BenchmarkCodec measures each codec on the data it is meant for.
func BenchmarkCodec(b *testing.B) {
	r := newRand(7)
	ts := genTimestamps(r, benchBlock, 50_000)
	temps := genTemperatures(r, benchBlock)
	trucks := genTrucks(r, benchBlock, 100)
	ints := []struct {
		e    Encoding
		vals []int64
	}{{IntRaw, ts}, {IntDelta, ts}, {IntDoD, ts}}
	for _, c := range ints {
		enc := encodeInt64As(nil, c.vals, c.e)
		b.Run("encode/"+c.e.String(), func(b *testing.B) {
			b.SetBytes(8 * int64(len(c.vals)))
			buf := enc
			for b.Loop() {
				buf = encodeInt64As(buf[:0], c.vals, c.e)
			}
			reportValues(b, len(c.vals), len(buf))
		})
		b.Run("decode/"+c.e.String(), func(b *testing.B) {
			b.SetBytes(8 * int64(len(c.vals)))
			var dst []int64
			var err error
			for b.Loop() {
				if dst, err = DecodeInt64(enc, dst); err != nil {
					b.Fatal(err)
				}
			}
			reportValues(b, len(c.vals), len(enc))
		})
	}
	for _, e := range []Encoding{FloatRaw, FloatALP, FloatXOR} {
		enc, _ := encodeFloat64As(nil, temps, e)
		b.Run("encode/"+e.String(), func(b *testing.B) {
			b.SetBytes(8 * int64(len(temps)))
			buf := enc
			for b.Loop() {
				buf, _ = encodeFloat64As(buf[:0], temps, e)
			}
			reportValues(b, len(temps), len(buf))
		})
		b.Run("decode/"+e.String(), func(b *testing.B) {
			b.SetBytes(8 * int64(len(temps)))
			var dst []float64
			var err error
			for b.Loop() {
				if dst, err = DecodeFloat64(enc, dst); err != nil {
					b.Fatal(err)
				}
			}
			reportValues(b, len(temps), len(enc))
		})
	}
	for _, e := range []Encoding{BytesPlain, BytesDict, BytesZstd} {
		enc, _ := encodeBytesAs(nil, trucks, e)
		b.Run("encode/"+e.String(), func(b *testing.B) {
			buf := enc
			for b.Loop() {
				buf, _ = encodeBytesAs(buf[:0], trucks, e)
			}
			reportValues(b, len(trucks), len(buf))
		})
		b.Run("decode/"+e.String(), func(b *testing.B) {
			var dst []string
			var err error
			b.ReportAllocs()
			for b.Loop() {
				if dst, err = DecodeBytes(enc, dst); err != nil {
					b.Fatal(err)
				}
			}
			reportValues(b, len(trucks), len(enc))
		})
	}
}
