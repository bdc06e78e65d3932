package keyenc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
)

// Markers (persisted: never renumber).
const (
	markerInt    byte = 0x10
	markerFloat  byte = 0x20
	markerBool   byte = 0x30
	markerString byte = 0x40
	markerNull   byte = 0xf0
)

// String escape bytes.
const (
	escByte      byte = 0x00
	escZero      byte = 0xff // 0x00 0xff encodes a 0x00 byte
	escTerm      byte = 0x01 // 0x00 0x01 ends a string
	signBit64         = uint64(1) << 63
	canonicalNaN      = 0x7ff8000000000001
)

// ErrCorrupt is wrapped by every decoding error.
var ErrCorrupt = errors.New("keyenc: malformed key")

// AppendNull appends a SQL null.
func AppendNull(dst []byte) []byte { return append(dst, markerNull) }

// AppendInt64 appends v.
func AppendInt64(dst []byte, v int64) []byte {
	dst = append(dst, markerInt)
	return binary.BigEndian.AppendUint64(dst, uint64(v)^signBit64)
}

// AppendFloat64 appends v.
func AppendFloat64(dst []byte, v float64) []byte {
	var u uint64
	switch {
	case math.IsNaN(v):
		u = canonicalNaN
	case v == 0:
		u = 0 // -0 == +0
	default:
		u = math.Float64bits(v)
	}
	if u&signBit64 != 0 {
		u = ^u
	} else {
		u ^= signBit64
	}
	dst = append(dst, markerFloat)
	return binary.BigEndian.AppendUint64(dst, u)
}

// AppendBool appends v.
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, markerBool, 1)
	}
	return append(dst, markerBool, 0)
}

// AppendString appends s (text, or raw bytes as a string).
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, markerString)
	for {
		i := strings.IndexByte(s, escByte)
		if i < 0 {
			break
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, escByte, escZero)
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, escByte, escTerm)
}

// AppendBytes appends b, ordered like AppendString(string(b)).
func AppendBytes(dst, b []byte) []byte { return AppendString(dst, string(b)) }

// Kind is the type of an encoded value.
type Kind uint8

// Kinds of encoded values.
const (
	KindInvalid Kind = iota
	KindNull
	KindInt64
	KindFloat64
	KindBool
	KindString
)

// PeekKind returns the kind of the value at the front of b.
func PeekKind(b []byte) Kind {
	if len(b) == 0 {
		return KindInvalid
	}
	switch b[0] {
	case markerNull:
		return KindNull
	case markerInt:
		return KindInt64
	case markerFloat:
		return KindFloat64
	case markerBool:
		return KindBool
	case markerString:
		return KindString
	}
	return KindInvalid
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// DecodeNull consumes a null at the front of b.
func DecodeNull(b []byte) (rest []byte, err error) {
	if len(b) == 0 || b[0] != markerNull {
		return nil, corrupt("want null")
	}
	return b[1:], nil
}

// DecodeInt64 decodes an int64 at the front of b.
func DecodeInt64(b []byte) (v int64, rest []byte, err error) {
	if len(b) < 9 || b[0] != markerInt {
		return 0, nil, corrupt("want int64")
	}
	return int64(binary.BigEndian.Uint64(b[1:]) ^ signBit64), b[9:], nil
}

// DecodeFloat64 decodes a float64 at the front of b.
func DecodeFloat64(b []byte) (v float64, rest []byte, err error) {
	if len(b) < 9 || b[0] != markerFloat {
		return 0, nil, corrupt("want float64")
	}
	u := binary.BigEndian.Uint64(b[1:])
	if u&signBit64 != 0 {
		u ^= signBit64
	} else {
		u = ^u
	}
	return math.Float64frombits(u), b[9:], nil
}

// DecodeBool decodes a bool at the front of b.
func DecodeBool(b []byte) (v bool, rest []byte, err error) {
	if len(b) < 2 || b[0] != markerBool || b[1] > 1 {
		return false, nil, corrupt("want bool")
	}
	return b[1] == 1, b[2:], nil
}

// DecodeString decodes a string at the front of b.
func DecodeString(b []byte) (v string, rest []byte, err error) {
	if len(b) == 0 || b[0] != markerString {
		return "", nil, corrupt("want string")
	}
	b = b[1:]
	var sb []byte
	for {
		i := indexByte(b, escByte)
		if i < 0 || i+1 >= len(b) {
			return "", nil, corrupt("unterminated string")
		}
		switch b[i+1] {
		case escTerm:
			if sb == nil {
				return string(b[:i]), b[i+2:], nil
			}
			sb = append(sb, b[:i]...)
			return string(sb), b[i+2:], nil
		case escZero:
			sb = append(sb, b[:i]...)
			sb = append(sb, 0)
			b = b[i+2:]
		default:
			return "", nil, corrupt("bad string escape 0x%02x", b[i+1])
		}
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// DecodeValue decodes any value at the front of b: nil, int64, float64,
// bool or string.
func DecodeValue(b []byte) (v any, rest []byte, err error) {
	switch PeekKind(b) {
	case KindNull:
		rest, err = DecodeNull(b)
		return nil, rest, err
	case KindInt64:
		return DecodeInt64(b)
	case KindFloat64:
		return DecodeFloat64(b)
	case KindBool:
		return DecodeBool(b)
	case KindString:
		return DecodeString(b)
	}
	return nil, nil, corrupt("unknown marker")
}

// PrefixEnd returns the smallest key greater than every key starting with
// prefix (for scanning all keys with a prefix), or nil when there is none.
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}
