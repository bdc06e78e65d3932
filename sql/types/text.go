package types

import (
	"time"
)

// ParseTextInt64 is ParseText for the integer and timestamp types, whose
// datums are int64, without boxing the result; ok is false (and nothing
// parsed) for other types.
func ParseTextInt64(t T, s string, loc *time.Location) (v int64, ok bool, err error) {
	switch t.OID {
	case OidInt2, OidInt4, OidInt8:
		v, err = parseInt(t, s)
		return v, true, err
	case OidTimestamp, OidTimestamptz:
		v, err = parseTimestamp(t, s, loc)
		return roundTimeTypmod(v, t.Mod), true, err
	}
	return 0, false, nil
}

// ParseTextFloat64 is ParseText for float4 and float8 without boxing the
// result; ok is false (and nothing parsed) for other types.
func ParseTextFloat64(t T, s string) (v float64, ok bool, err error) {
	if t.OID != OidFloat4 && t.OID != OidFloat8 {
		return 0, false, nil
	}
	v, err = parseFloat(t, s)
	return v, true, err
}

// ParseText is t's input function for the text format: it converts s to
// a datum, applying t's typmod (varchar/bpchar length, numeric precision,
// timestamp/time precision). loc is the session time zone (nil is UTC),
// used for timestamptz input without an explicit zone and for 'now',
// 'today'. Errors carry PostgreSQL's SQLSTATE and message.
func ParseText(t T, s string, loc *time.Location) (any, error) {
	switch t.OID {
	case OidBool:
		return parseBool(s)
	case OidInt2, OidInt4, OidInt8, OidOid, OidRegclass, OidRegtype, OidRegproc,
		OidRegprocedur, OidRegoper, OidRegnamesp, OidRegrole, OidRegconfig, OidXid, OidCid:
		return parseInt(t, s)
	case OidFloat4, OidFloat8:
		return parseFloat(t, s)
	case OidNumeric:
		d, err := parseNumeric(s)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, t.Mod)
	case OidVarchar, OidBpchar, OidName, OidChar:
		return applyStringTypmod(t, s, false)
	case OidBytea:
		return parseBytea(s)
	case OidUUID:
		return parseUUID(s)
	case OidJSON:
		if err := ValidateJSON(s); err != nil {
			return nil, err
		}
		return s, nil
	case OidJSONB:
		return NormalizeJSONB(s)
	case OidTimestamp, OidTimestamptz:
		ts, err := parseTimestamp(t, s, loc)
		if err != nil {
			return nil, err
		}
		return roundTimeTypmod(ts, t.Mod), nil
	case OidDate:
		return parseDate(s, loc)
	case OidTime:
		us, err := parseTime(s, loc)
		if err != nil {
			return nil, err
		}
		return roundTimeTypmod(us, t.Mod), nil
	case OidInterval:
		return parseInterval(s)
	case OidRecord:
		return parseRecord(s)
	}
	if isVector(t.OID) {
		return parseVector(t, s)
	}
	if t.IsArray() {
		return parseArray(t, s, loc)
	}
	return s, nil
}

// roundTimeTypmod rounds µs to the precision of timestamp(p)/time(p),
// half away from zero as AdjustTimestampForTypmod.
func roundTimeTypmod(us int64, mod int32) int64 {
	if mod < 0 || mod >= 6 || us == InfinityTS || us == NegInfinityTS {
		return us
	}
	scale := int64(1)
	for i := mod; i < 6; i++ {
		scale *= 10
	}
	off := scale / 2
	if us >= 0 {
		return (us + off) / scale * scale
	}
	return -((-us + off) / scale * scale)
}

// AppendText is t's output function: it appends v's text form, byte for
// byte as PostgreSQL 15 prints it with DateStyle ISO, IntervalStyle
// postgres and extra_float_digits 1. loc (nil is UTC) is the session time
// zone for timestamptz. v must be a non-nil datum of t.
func AppendText(dst []byte, t T, v any, loc *time.Location) []byte {
	switch x := v.(type) {
	case bool:
		if x {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case int64:
		return AppendInt64Text(dst, t, x, loc)
	case float64:
		return AppendFloat64Text(dst, t, x)
	case *Decimal:
		return appendNumeric(dst, x)
	case string:
		switch t.OID {
		case OidBytea:
			return appendByteaHex(dst, x)
		case OidUUID:
			if len(x) == 16 {
				return appendUUID(dst, x)
			}
		}
		return append(dst, x...)
	case Interval:
		return appendInterval(dst, x)
	case *Array:
		if isVector(t.OID) {
			return appendVector(dst, x)
		}
		return appendArray(dst, x, loc)
	case *Record:
		return appendRecord(dst, x, loc)
	case []byte:
		if t.OID == OidBytea {
			return appendByteaHex(dst, string(x))
		}
		return append(dst, x...)
	case int32:
		return AppendText(dst, t, int64(x), loc)
	case int:
		return AppendText(dst, t, int64(x), loc)
	}
	return append(dst, "BUG:unknown datum"...)
}

// FormatText returns AppendText's output as a string.
func FormatText(t T, v any, loc *time.Location) string {
	return string(AppendText(nil, t, v, loc))
}

func floatBits(t T) int {
	if t.OID == OidFloat4 {
		return 32
	}
	return 64
}
