package types

import (
	"encoding/binary"
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// Numeric binary sign words, as NUMERIC_POS etc. in numeric.c.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// DecodeBinary is t's receive function: it decodes PostgreSQL's binary
// wire form of a non-NULL value. Integer types also accept a 2-, 4- or
// 8-byte integer whatever their declared width (clients such as pgx send
// int2 for int8 parameters), checking the range. Malformed input is 22P03.
//
// DecodeBinaryInt64, DecodeBinaryFloat64, DecodeBinaryBool and
// DecodeBinaryString are the same decoder for the types whose datum is an
// int64, float64, bool or string, without boxing the result.
func DecodeBinary(t T, b []byte) (any, error) {
	if v, ok, err := DecodeBinaryInt64(t, b); ok {
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	if v, ok, err := DecodeBinaryFloat64(t, b); ok {
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	if v, ok, err := DecodeBinaryBool(t, b); ok {
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	if v, ok, err := DecodeBinaryString(t, b); ok {
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	switch t.OID {
	case OidNumeric:
		d, err := decodeNumeric(b)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, t.Mod)
	case OidInterval:
		if len(b) != 16 {
			return nil, errBinary(t, "")
		}
		return Interval{
			Micros: int64(binary.BigEndian.Uint64(b)),
			Days:   int32(binary.BigEndian.Uint32(b[8:])),
			Months: int32(binary.BigEndian.Uint32(b[12:])),
		}, nil
	}
	if t.IsArray() {
		return decodeArray(t, b)
	}
	if t.OID == OidRecord {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "input of anonymous composite types is not implemented")
	}
	return string(b), nil
}

// DecodeBinaryInt64 is DecodeBinary for the types whose datum is an int64
// (integers, the OID types, timestamps, date and time) without boxing the
// result; ok is false, and nothing is decoded, for other types.
func DecodeBinaryInt64(t T, b []byte) (v int64, ok bool, err error) {
	switch t.OID {
	case OidInt2, OidInt4, OidInt8:
		switch len(b) {
		case 2:
			v = int64(int16(binary.BigEndian.Uint16(b)))
		case 4:
			v = int64(int32(binary.BigEndian.Uint32(b)))
		case 8:
			v = int64(binary.BigEndian.Uint64(b))
		default:
			return 0, true, errBinary(t, "")
		}
		if err := checkIntRange(t, v); err != nil {
			return 0, true, err
		}
		return v, true, nil
	case OidOid, OidRegclass, OidRegtype, OidRegproc, OidRegprocedur, OidRegoper,
		OidRegnamesp, OidRegrole, OidRegconfig, OidXid, OidCid:
		switch len(b) {
		case 4:
			return int64(binary.BigEndian.Uint32(b)), true, nil
		case 8:
			v = int64(binary.BigEndian.Uint64(b))
			if v < 0 || v > math.MaxUint32 {
				return 0, true, errOutOfRange(Oid)
			}
			return v, true, nil
		}
		return 0, true, errBinary(t, "")
	case OidTimestamp, OidTimestamptz:
		if len(b) != 8 {
			return 0, true, errBinary(t, "")
		}
		v = int64(binary.BigEndian.Uint64(b))
		if v == math.MaxInt64 || v == math.MinInt64 {
			return v, true, nil
		}
		ts := v + PGEpochMicros
		if v > endTimestamp || ts < minTimestamp || ts >= endTimestamp {
			return 0, true, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range")
		}
		return ts, true, nil
	case OidDate:
		if len(b) != 4 {
			return 0, true, errBinary(t, "")
		}
		v = int64(int32(binary.BigEndian.Uint32(b)))
		switch v {
		case math.MaxInt32:
			return InfinityTS, true, nil
		case math.MinInt32:
			return NegInfinityTS, true, nil
		}
		d := v + PGEpochDays
		if d < minDate || d >= endDate {
			return 0, true, pgerr.New(pgerr.DatetimeFieldOverflow, "date out of range")
		}
		return d, true, nil
	case OidTime:
		if len(b) != 8 {
			return 0, true, errBinary(t, "")
		}
		v = int64(binary.BigEndian.Uint64(b))
		if v < 0 || v > MicrosPerDay {
			return 0, true, pgerr.New(pgerr.DatetimeFieldOverflow, "time out of range")
		}
		return v, true, nil
	}
	return 0, false, nil
}

// DecodeBinaryFloat64 is DecodeBinary for float4 and float8 without boxing
// the result; ok is false, and nothing is decoded, for other types. Both
// accept either width (a float8 read as float4 is rounded to float4).
func DecodeBinaryFloat64(t T, b []byte) (v float64, ok bool, err error) {
	switch t.OID {
	case OidFloat4:
		if len(b) == 4 {
			return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), true, nil
		}
		if len(b) == 8 {
			return float64(float32(math.Float64frombits(binary.BigEndian.Uint64(b)))), true, nil
		}
		return 0, true, errBinary(t, "")
	case OidFloat8:
		if len(b) == 8 {
			return math.Float64frombits(binary.BigEndian.Uint64(b)), true, nil
		}
		if len(b) == 4 {
			return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), true, nil
		}
		return 0, true, errBinary(t, "")
	}
	return 0, false, nil
}

// DecodeBinaryBool is DecodeBinary for bool without boxing the result; ok
// is false, and nothing is decoded, for other types. Any non-zero byte is
// true, as in PostgreSQL's boolrecv.
func DecodeBinaryBool(t T, b []byte) (v bool, ok bool, err error) {
	if t.OID != OidBool {
		return false, false, nil
	}
	if len(b) != 1 {
		return false, true, errBinary(t, "")
	}
	return b[0] != 0, true, nil
}

// DecodeBinaryString is DecodeBinary for the common string types (text,
// bytea, varchar, bpchar, name, "char", uuid, json and jsonb) without
// boxing the result; ok is false, and nothing is decoded, for other
// types. The string does not alias b.
func DecodeBinaryString(t T, b []byte) (v string, ok bool, err error) {
	switch t.OID {
	case OidText, OidBytea:
		return string(b), true, nil
	case OidVarchar, OidBpchar, OidName, OidChar:
		v, err = applyStringTypmod(t, string(b), false)
		return v, true, err
	case OidUUID:
		if len(b) != 16 {
			return "", true, errBinary(t, "")
		}
		return string(b), true, nil
	case OidJSON:
		v = string(b)
		if err := ValidateJSON(v); err != nil {
			return "", true, err
		}
		return v, true, nil
	case OidJSONB:
		if len(b) < 1 || b[0] != 1 {
			return "", true, pgerr.New(pgerr.InvalidBinaryRepresentation, "unsupported jsonb version number %d", firstByte(b))
		}
		v, err = NormalizeJSONB(string(b[1:]))
		return v, true, err
	}
	return "", false, nil
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}

func decodeNumeric(b []byte) (*Decimal, error) {
	if len(b) < 8 {
		return nil, errBinary(Numeric, "")
	}
	ndigits := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if len(b) != 8+2*ndigits {
		return nil, errBinary(Numeric, "")
	}
	switch sign {
	case numericNaN:
		return &Decimal{Form: apd.NaN}, nil
	case numericPInf:
		return &Decimal{Form: apd.Infinite}, nil
	case numericNInf:
		return &Decimal{Form: apd.Infinite, Negative: true}, nil
	case numericPos, numericNeg:
	default:
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid sign in external \"numeric\" value")
	}
	if dscale > 0x3fff {
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid scale in external \"numeric\" value")
	}
	if ndigits == 0 {
		d := apd.New(0, 0)
		return NumericRound(d, int32(dscale)), nil
	}
	var sb strings.Builder
	for k := 0; k < ndigits; k++ {
		g := binary.BigEndian.Uint16(b[8+2*k:])
		if g > 9999 {
			return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid digit in external \"numeric\" value")
		}
		s := [4]byte{byte('0' + g/1000), byte('0' + g/100%10), byte('0' + g/10%10), byte('0' + g%10)}
		sb.Write(s[:])
	}
	d, _, err := apd.NewFromString(sb.String())
	if err != nil {
		return nil, errBinary(Numeric, "")
	}
	d.Exponent = int32((weight - (ndigits - 1)) * 4)
	d.Negative = sign == numericNeg
	return NumericRound(normNumeric(d), int32(dscale)), nil
}

func appendNumericBinary(dst []byte, d *Decimal) []byte {
	put16 := func(v uint16) { dst = binary.BigEndian.AppendUint16(dst, v) }
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		put16(0)
		put16(0)
		put16(numericNaN)
		put16(0)
		return dst
	case apd.Infinite:
		put16(0)
		put16(0)
		if d.Negative {
			put16(numericNInf)
		} else {
			put16(numericPInf)
		}
		// PostgreSQL sends the short-header dscale bits of the special
		// value's header word, which read as 32 for both infinities.
		put16(0x20)
		return dst
	}
	var c Decimal
	c.Set(d)
	normNumeric(&c)
	dscale := int(numericScale(&c))
	digits := c.Coeff.String()
	if strings.HasPrefix(digits, "-") {
		digits = digits[1:]
	}
	intPart, frac := "", digits
	if len(digits) > dscale {
		intPart, frac = digits[:len(digits)-dscale], digits[len(digits)-dscale:]
	} else {
		frac = strings.Repeat("0", dscale-len(digits)) + digits
	}
	if pad := (4 - len(intPart)%4) % 4; pad > 0 {
		intPart = strings.Repeat("0", pad) + intPart
	}
	if pad := (4 - len(frac)%4) % 4; pad > 0 {
		frac += strings.Repeat("0", pad)
	}
	all := intPart + frac
	groups := make([]uint16, 0, len(all)/4)
	for k := 0; k < len(all); k += 4 {
		g := uint16(all[k]-'0')*1000 + uint16(all[k+1]-'0')*100 + uint16(all[k+2]-'0')*10 + uint16(all[k+3]-'0')
		groups = append(groups, g)
	}
	weight := len(intPart)/4 - 1
	for len(groups) > 0 && groups[0] == 0 {
		groups = groups[1:]
		weight--
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	sign := uint16(numericPos)
	if c.Negative {
		sign = numericNeg
	}
	if len(groups) == 0 {
		weight = 0
		sign = numericPos
	}
	put16(uint16(len(groups)))
	put16(uint16(int16(weight)))
	put16(sign)
	put16(uint16(dscale))
	for _, g := range groups {
		put16(g)
	}
	return dst
}

// AppendBinary is t's send function: it appends v's PostgreSQL binary wire
// form (without the length word).
func AppendBinary(dst []byte, t T, v any) ([]byte, error) {
	switch x := v.(type) {
	case int64:
		if out, ok := appendInt64Binary(dst, t, x); ok {
			return out, nil
		}
	case float64:
		if out, ok := appendFloat64Binary(dst, t, x); ok {
			return out, nil
		}
	}
	switch t.OID {
	case OidInt2, OidInt4, OidOid, OidRegclass, OidRegtype, OidRegproc, OidRegprocedur, OidRegoper,
		OidRegnamesp, OidRegrole, OidRegconfig, OidXid, OidCid, OidInt8, OidFloat4, OidFloat8,
		OidTimestamp, OidTimestamptz, OidDate, OidTime:
		// A datum of another kind: a bug, reported below.
	case OidBool:
		if x, ok := v.(bool); ok {
			if x {
				return append(dst, 1), nil
			}
			return append(dst, 0), nil
		}
	case OidNumeric:
		if x, ok := v.(*Decimal); ok {
			return appendNumericBinary(dst, x), nil
		}
	case OidJSONB:
		if x, ok := v.(string); ok {
			return append(append(dst, 1), x...), nil
		}
	case OidInterval:
		if x, ok := v.(Interval); ok {
			dst = binary.BigEndian.AppendUint64(dst, uint64(x.Micros))
			dst = binary.BigEndian.AppendUint32(dst, uint32(x.Days))
			return binary.BigEndian.AppendUint32(dst, uint32(x.Months)), nil
		}
	case OidRecord:
		if x, ok := v.(*Record); ok {
			return appendRecordBinary(dst, x)
		}
	default:
		if x, ok := v.(*Array); ok {
			return appendArrayBinary(dst, t, x)
		}
		switch x := v.(type) {
		case string:
			return append(dst, x...), nil
		case []byte:
			return append(dst, x...), nil
		}
	}
	return dst, pgerr.New(pgerr.Internal, "BUG: datum %T does not match type %s", v, typeLabel(t))
}
