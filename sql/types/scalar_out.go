package types

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
)

// The unboxed output functions below are AppendText's and AppendBinary's
// cases for the two scalar representations that carry most result
// values, int64 and float64. AppendText and AppendBinary use them too,
// so a caller holding a raw int64 or float64 (the wire writer reading a
// column vector) gets byte-identical output without boxing the value.

// AppendInt64Text appends the text form of x, an int64 datum of t
// (integers, oids, timestamps, dates, times), as AppendText does.
func AppendInt64Text(dst []byte, t T, x int64, loc *time.Location) []byte {
	switch t.OID {
	case OidTimestamp:
		return appendTimestamp(dst, x, false, loc)
	case OidTimestamptz:
		return appendTimestamp(dst, x, true, loc)
	case OidDate:
		return appendDate(dst, x)
	case OidTime:
		return appendTimeOfDay(dst, x)
	case OidFloat4, OidFloat8:
		return appendFloat(dst, float64(x), floatBits(t))
	}
	return strconv.AppendInt(dst, x, 10)
}

// AppendFloat64Text appends the text form of x, a float64 datum of t, as
// AppendText does: PostgreSQL's shortest round-trip output.
func AppendFloat64Text(dst []byte, t T, x float64) []byte {
	return appendFloat(dst, x, floatBits(t))
}

// AppendInt64Binary appends the binary wire form of x, an int64 datum of
// t, as AppendBinary does.
func AppendInt64Binary(dst []byte, t T, x int64) ([]byte, error) {
	if out, ok := appendInt64Binary(dst, t, x); ok {
		return out, nil
	}
	return AppendBinary(dst, t, x)
}

// AppendFloat64Binary appends the binary wire form of x, a float64 datum
// of t, as AppendBinary does.
func AppendFloat64Binary(dst []byte, t T, x float64) ([]byte, error) {
	if out, ok := appendFloat64Binary(dst, t, x); ok {
		return out, nil
	}
	return AppendBinary(dst, t, x)
}

// appendInt64Binary is AppendBinary for an int64 datum; ok is false when
// t does not take int64 datums.
func appendInt64Binary(dst []byte, t T, x int64) (out []byte, ok bool) {
	switch t.OID {
	case OidInt2:
		return binary.BigEndian.AppendUint16(dst, uint16(x)), true
	case OidInt4, OidOid, OidRegclass, OidRegtype, OidRegproc, OidRegprocedur, OidRegoper,
		OidRegnamesp, OidRegrole, OidRegconfig, OidXid, OidCid:
		return binary.BigEndian.AppendUint32(dst, uint32(x)), true
	case OidInt8:
		return binary.BigEndian.AppendUint64(dst, uint64(x)), true
	case OidTimestamp, OidTimestamptz:
		if x != InfinityTS && x != NegInfinityTS {
			x -= PGEpochMicros
		}
		return binary.BigEndian.AppendUint64(dst, uint64(x)), true
	case OidDate:
		var w int32
		switch x {
		case InfinityTS:
			w = math.MaxInt32
		case NegInfinityTS:
			w = math.MinInt32
		default:
			w = int32(x - PGEpochDays)
		}
		return binary.BigEndian.AppendUint32(dst, uint32(w)), true
	case OidTime:
		return binary.BigEndian.AppendUint64(dst, uint64(x)), true
	}
	return dst, false
}

// appendFloat64Binary is AppendBinary for a float64 datum; ok is false
// when t does not take float64 datums. NaN is sent as C's NAN.
func appendFloat64Binary(dst []byte, t T, x float64) (out []byte, ok bool) {
	switch t.OID {
	case OidFloat4:
		if math.IsNaN(x) {
			return binary.BigEndian.AppendUint32(dst, 0x7fc00000), true // C's NAN
		}
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(x))), true
	case OidFloat8:
		if math.IsNaN(x) {
			return binary.BigEndian.AppendUint64(dst, 0x7ff8000000000000), true // C's NAN
		}
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(x)), true
	}
	return dst, false
}
