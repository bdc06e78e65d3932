package storage

// Block metadata: computing it from rows, its byte format (documented in
// docs/format/blocks.md) and block skipping by time range and predicates.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/tsgres/tsgres/storage/col"
)

// metaVersion is the first byte of every block metadata value.
const metaVersion = 1

// maxStatString is the longest Bytes min/max value kept in metadata; longer
// extremes are dropped (Min/Max nil) so metadata stays small.
const maxStatString = 128

// Block flag bits. Blocks written before a flag existed read it as 0.
const (
	metaFlagSealed     = 1 << 0
	metaFlagCompressed = 1 << 1
	metaFlagSeries     = 1 << 2 // a series column id follows the time column's
)

// Column flag bits.
const (
	colFlagMinMax   = 1 << 0
	colFlagSum      = 1 << 1
	colFlagSumExact = 1 << 2
)

var errMetaCorrupt = errors.New("storage: corrupt block metadata")

// computeMeta builds the metadata of a block holding the rows of b (no
// selection; columns line up with schema.Cols).
func computeMeta(id uint64, schema ChunkSchema, b *col.Batch, sealed bool) (*BlockMeta, error) {
	n := b.Rows()
	m := &BlockMeta{ID: id, Rows: n, Sealed: sealed, Cols: make([]ColumnMeta, len(schema.Cols))}
	if schema.TimeCol < 0 || schema.TimeCol >= len(schema.Cols) {
		return nil, fmt.Errorf("storage: time column index %d out of range", schema.TimeCol)
	}
	m.TimeCol = schema.Cols[schema.TimeCol].ID
	if schema.seriesIdx() >= 0 {
		m.SeriesCol = schema.SeriesCol
	}
	for i, c := range schema.Cols {
		m.Cols[i] = columnStats(c, b.Cols[i], n)
	}
	tc := &m.Cols[schema.TimeCol]
	if schema.Cols[schema.TimeCol].Kind != col.Int64 {
		return nil, fmt.Errorf("storage: time column %d is %v, want int64", tc.ID, tc.Kind)
	}
	if tc.NullCount > 0 {
		return nil, fmt.Errorf("storage: null value in time column %d", tc.ID)
	}
	m.MinTime, m.MaxTime = math.MaxInt64, math.MinInt64
	if n > 0 {
		m.MinTime, m.MaxTime = tc.Min.(int64), tc.Max.(int64)
	}
	return m, nil
}

// columnStats computes count, null count, min, max and sums of v's first
// n slots. The extremes are kept typed while scanning and boxed once.
func columnStats(c ColumnRef, v *col.Vec, n int) ColumnMeta {
	cm := ColumnMeta{ID: c.ID, Kind: c.Kind, Count: int64(n)}
	first := true
	var sumInt int64
	exact := true
	var minI, maxI int64
	var minF, maxF float64
	var minB, maxB bool
	var minS, maxS string
	for i := 0; i < n; i++ {
		if v.IsNull(i) {
			cm.NullCount++
			continue
		}
		switch c.Kind {
		case col.Int64:
			x := v.I64[i]
			cm.Sum += float64(x)
			ns := sumInt + x // wraps on overflow, detected below
			if (x > 0 && ns < sumInt) || (x < 0 && ns > sumInt) {
				exact = false
			}
			sumInt = ns
			if first || x < minI {
				minI = x
			}
			if first || x > maxI {
				maxI = x
			}
		case col.Float64:
			x := v.F64[i]
			cm.Sum += x
			if first || floatLess(x, minF) {
				minF = x
			}
			if first || floatLess(maxF, x) {
				maxF = x
			}
		case col.Bool:
			x := v.B[i]
			if first || (!x && minB) {
				minB = x
			}
			if first || (x && !maxB) {
				maxB = x
			}
		case col.Bytes:
			x := v.S[i]
			if first || x < minS {
				minS = x
			}
			if first || x > maxS {
				maxS = x
			}
		}
		first = false
	}
	if !first {
		switch c.Kind {
		case col.Int64:
			cm.Min, cm.Max = minI, maxI
		case col.Float64:
			cm.Min, cm.Max = minF, maxF
		case col.Bool:
			cm.Min, cm.Max = minB, maxB
		case col.Bytes:
			cm.Min, cm.Max = minS, maxS
		}
	}
	if c.Kind == col.Int64 && exact {
		cm.SumInt, cm.SumExact = sumInt, true
	}
	if c.Kind == col.Bytes && cm.Min != nil &&
		(len(cm.Min.(string)) > maxStatString || len(cm.Max.(string)) > maxStatString) {
		cm.Min, cm.Max = nil, nil
	}
	return cm
}

// floatLess orders floats as PostgreSQL does: NaN is greater than every
// other value and equal to itself.
func floatLess(a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	if math.IsNaN(b) {
		return true
	}
	return a < b
}

// encodeMeta appends the metadata value of m to dst.
func encodeMeta(dst []byte, m *BlockMeta) []byte {
	var flags byte
	if m.Sealed {
		flags |= metaFlagSealed
	}
	if m.Compressed {
		flags |= metaFlagCompressed
	}
	if m.SeriesCol != 0 {
		flags |= metaFlagSeries
	}
	dst = append(dst, metaVersion, flags)
	dst = binary.AppendUvarint(dst, uint64(m.Rows))
	dst = binary.AppendVarint(dst, m.MinTime)
	dst = binary.AppendVarint(dst, m.MaxTime)
	dst = binary.AppendUvarint(dst, uint64(m.TimeCol))
	if m.SeriesCol != 0 {
		dst = binary.AppendUvarint(dst, uint64(m.SeriesCol))
	}
	dst = binary.AppendUvarint(dst, uint64(len(m.Cols)))
	for i := range m.Cols {
		c := &m.Cols[i]
		dst = binary.AppendUvarint(dst, uint64(c.ID))
		dst = append(dst, byte(c.Kind))
		dst = binary.AppendUvarint(dst, uint64(c.Count))
		dst = binary.AppendUvarint(dst, uint64(c.NullCount))
		var cf byte
		if c.Min != nil {
			cf |= colFlagMinMax
		}
		if c.Kind == col.Int64 || c.Kind == col.Float64 {
			cf |= colFlagSum
		}
		if c.SumExact {
			cf |= colFlagSumExact
		}
		dst = append(dst, cf)
		if c.Min != nil {
			dst = appendStat(dst, c.Kind, c.Min)
			dst = appendStat(dst, c.Kind, c.Max)
		}
		if cf&colFlagSum != 0 {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(c.Sum))
		}
		if c.SumExact {
			dst = binary.AppendVarint(dst, c.SumInt)
		}
	}
	return dst
}

func appendStat(dst []byte, k col.Kind, v any) []byte {
	switch k {
	case col.Int64:
		return binary.AppendVarint(dst, v.(int64))
	case col.Float64:
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.(float64)))
	case col.Bool:
		if v.(bool) {
			return append(dst, 1)
		}
		return append(dst, 0)
	case col.Bytes:
		s := v.(string)
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		return append(dst, s...)
	}
	panic(fmt.Sprintf("BUG: appendStat of kind %v", k))
}

// metaReader decodes the metadata format; the first error sticks.
type metaReader struct {
	b   []byte
	err error
}

func (r *metaReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errMetaCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *metaReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errMetaCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *metaReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = errMetaCorrupt
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *metaReader) byte1() byte {
	if b := r.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *metaReader) stat(k col.Kind) any {
	switch k {
	case col.Int64:
		return r.varint()
	case col.Float64:
		if b := r.bytes(8); b != nil {
			return math.Float64frombits(binary.LittleEndian.Uint64(b))
		}
		return 0.0
	case col.Bool:
		return r.byte1() != 0
	case col.Bytes:
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.err = errMetaCorrupt
			return ""
		}
		return string(r.bytes(int(n)))
	}
	r.err = errMetaCorrupt
	return nil
}

// decodeMeta decodes a metadata value of block id.
func decodeMeta(id uint64, src []byte) (*BlockMeta, error) {
	r := &metaReader{b: src}
	if v := r.byte1(); r.err == nil && v != metaVersion {
		return nil, fmt.Errorf("storage: block %d metadata version %d unknown", id, v)
	}
	flags := r.byte1()
	m := &BlockMeta{ID: id, Sealed: flags&metaFlagSealed != 0, Compressed: flags&metaFlagCompressed != 0}
	m.Rows = int(r.uvarint())
	m.MinTime = r.varint()
	m.MaxTime = r.varint()
	m.TimeCol = uint32(r.uvarint())
	if flags&metaFlagSeries != 0 {
		m.SeriesCol = uint32(r.uvarint())
	}
	ncols := r.uvarint()
	if ncols > uint64(len(r.b)) {
		return nil, fmt.Errorf("decode metadata of block %d: %w", id, errMetaCorrupt)
	}
	m.Cols = make([]ColumnMeta, ncols)
	for i := range m.Cols {
		c := &m.Cols[i]
		c.ID = uint32(r.uvarint())
		c.Kind = col.Kind(r.byte1())
		c.Count = int64(r.uvarint())
		c.NullCount = int64(r.uvarint())
		cf := r.byte1()
		if cf&colFlagMinMax != 0 {
			c.Min = r.stat(c.Kind)
			c.Max = r.stat(c.Kind)
		}
		if cf&colFlagSum != 0 {
			if b := r.bytes(8); b != nil {
				c.Sum = math.Float64frombits(binary.LittleEndian.Uint64(b))
			}
		}
		if cf&colFlagSumExact != 0 {
			c.SumInt, c.SumExact = r.varint(), true
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("decode metadata of block %d: %w", id, r.err)
	}
	return m, nil
}

// blockMatches reports whether blk may hold rows in spec's time range that
// satisfy every predicate.
func blockMatches(spec *ScanSpec, blk *BlockMeta) bool {
	if blk.Rows == 0 {
		return false
	}
	if blk.MaxTime < spec.TimeMin || blk.MinTime > spec.TimeMax {
		return false
	}
	for i := range spec.Preds {
		if !predMayMatch(&spec.Preds[i], blk) {
			return false
		}
	}
	return true
}

// predMayMatch reports whether some row of blk may satisfy p.
func predMayMatch(p *BlockPred, blk *BlockMeta) bool {
	cm := blk.Col(p.Col)
	if cm == nil || cm.NullCount >= cm.Count {
		return false // all null: a comparison is never true
	}
	if cm.Min == nil || p.Value == nil {
		return true
	}
	cmin, okMin := compareStat(cm.Kind, p.Value, cm.Min)
	cmax, okMax := compareStat(cm.Kind, p.Value, cm.Max)
	if !okMin || !okMax {
		return true
	}
	// cmin = cmp(value, min), cmax = cmp(value, max)
	switch p.Op {
	case OpEq:
		return cmin >= 0 && cmax <= 0
	case OpLt: // some x < v  <=>  min < v
		return cmin > 0
	case OpLe:
		return cmin >= 0
	case OpGt: // some x > v  <=>  max > v
		return cmax < 0
	case OpGe:
		return cmax <= 0
	}
	return true
}

// compareStat compares predicate value v with a statistic s of kind k,
// returning -1, 0 or 1; ok is false when v's type does not fit k.
func compareStat(k col.Kind, v, s any) (int, bool) {
	switch k {
	case col.Int64:
		sv := s.(int64)
		switch x := v.(type) {
		case int64:
			return cmp3(x < sv, x > sv), true
		case float64:
			if math.IsNaN(x) {
				return 1, true
			}
			fs := float64(sv)
			return cmp3(x < fs, x > fs), true
		}
	case col.Float64:
		sv := s.(float64)
		var x float64
		switch t := v.(type) {
		case float64:
			x = t
		case int64:
			x = float64(t)
		default:
			return 0, false
		}
		return cmp3(floatLess(x, sv), floatLess(sv, x)), true
	case col.Bool:
		if x, ok := v.(bool); ok {
			sv := s.(bool)
			return cmp3(!x && sv, x && !sv), true
		}
	case col.Bytes:
		if x, ok := v.(string); ok {
			sv := s.(string)
			return cmp3(x < sv, x > sv), true
		}
	}
	return 0, false
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}
