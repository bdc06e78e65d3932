package gen

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"

	"github.com/tsgres/tsgres/sql/types"
)

// BinaryHeader is the binary COPY signature, flags and empty header
// extension; BinaryTrailer ends the stream.
var (
	BinaryHeader  = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	BinaryTrailer = []byte{0xff, 0xff}
)

// VehicleValues appends row r's values in VehicleColumns order to dst, as
// pgx's CopyFrom and Exec take them (nil for NULL).
func (f *Fleet) VehicleValues(dst []any, r *VehicleRow) []any {
	tg := &f.Tags[r.Vehicle]
	dst = append(dst, time.UnixMicro(r.Time).UTC(), tg.VIN, tg.Maker, tg.Model)
	for i, v := range r.Values {
		if r.IsNull(i) {
			dst = append(dst, nil)
		} else {
			dst = append(dst, v)
		}
	}
	return dst
}

// AppendText appends row r as one COPY text line (tab separated, \N for
// NULL, newline terminated). Tags contain no characters COPY escapes.
func (f *Fleet) AppendText(buf []byte, r *VehicleRow) []byte {
	tg := &f.Tags[r.Vehicle]
	buf = appendTimestamp(buf, r.Time)
	buf = append(buf, '\t')
	buf = append(buf, tg.VIN...)
	buf = append(buf, '\t')
	buf = append(buf, tg.Maker...)
	buf = append(buf, '\t')
	buf = append(buf, tg.Model...)
	for i, v := range r.Values {
		buf = append(buf, '\t')
		if r.IsNull(i) {
			buf = append(buf, `\N`...)
		} else {
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		}
	}
	return append(buf, '\n')
}

// AppendBinary appends row r as one binary COPY tuple.
func (f *Fleet) AppendBinary(buf []byte, r *VehicleRow) []byte {
	tg := &f.Tags[r.Vehicle]
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(VehicleColumns)))
	buf = appendBinaryTime(buf, r.Time)
	buf = appendBinaryText(buf, tg.VIN)
	buf = appendBinaryText(buf, tg.Maker)
	buf = appendBinaryText(buf, tg.Model)
	for i, v := range r.Values {
		if r.IsNull(i) {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32) // -1: NULL
		} else {
			buf = appendBinaryFloat(buf, v)
		}
	}
	return buf
}

// AppendSQL appends row r as a parenthesized SQL VALUES tuple of literals.
func (f *Fleet) AppendSQL(buf []byte, r *VehicleRow) []byte {
	tg := &f.Tags[r.Vehicle]
	buf = append(buf, "('"...)
	buf = appendTimestamp(buf, r.Time)
	buf = append(buf, "','"...)
	buf = append(buf, tg.VIN...)
	buf = append(buf, "','"...)
	buf = append(buf, tg.Maker...)
	buf = append(buf, "','"...)
	buf = append(buf, tg.Model...)
	buf = append(buf, '\'')
	for i, v := range r.Values {
		buf = append(buf, ',')
		if r.IsNull(i) {
			buf = append(buf, "NULL"...)
		} else {
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		}
	}
	return append(buf, ')')
}

// ReadingValues appends row r's values in ReadingColumns order to dst.
func ReadingValues(dst []any, r *ReadingRow) []any {
	var v any
	if !r.Null {
		v = r.Value
	}
	return append(dst, time.UnixMicro(r.Time).UTC(), r.Device, MetricNames[r.Metric], v)
}

// AppendReadingBinary appends row r as one binary COPY tuple.
func AppendReadingBinary(buf []byte, r *ReadingRow) []byte {
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(ReadingColumns)))
	buf = appendBinaryTime(buf, r.Time)
	buf = binary.BigEndian.AppendUint32(buf, 4)
	buf = binary.BigEndian.AppendUint32(buf, uint32(r.Device))
	buf = appendBinaryText(buf, MetricNames[r.Metric])
	if r.Null {
		return binary.BigEndian.AppendUint32(buf, math.MaxUint32)
	}
	return appendBinaryFloat(buf, r.Value)
}

// appendTimestamp appends Unix microseconds as PostgreSQL timestamptz text
// in UTC ("2024-01-01 00:00:00.5+00").
func appendTimestamp(buf []byte, micros int64) []byte {
	buf = time.UnixMicro(micros).UTC().AppendFormat(buf, "2006-01-02 15:04:05.999999")
	return append(buf, "+00"...)
}

func appendBinaryTime(buf []byte, micros int64) []byte {
	buf = binary.BigEndian.AppendUint32(buf, 8)
	return binary.BigEndian.AppendUint64(buf, uint64(micros-types.PGEpochMicros))
}

func appendBinaryText(buf []byte, s string) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
	return append(buf, s...)
}

func appendBinaryFloat(buf []byte, v float64) []byte {
	buf = binary.BigEndian.AppendUint32(buf, 8)
	return binary.BigEndian.AppendUint64(buf, math.Float64bits(v))
}
