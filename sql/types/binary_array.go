package types

import (
	"encoding/binary"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// Binary array layout (array_send): int32 ndim, int32 flags (1 = has
// NULLs), uint32 element OID, ndim × (int32 length, int32 lower bound),
// then each element as int32 length (-1 for NULL) and its bytes.

func decodeArray(t T, b []byte) (*Array, error) {
	elem, _ := t.Elem()
	elem.Mod = t.Mod
	if len(b) < 12 {
		return nil, errBinary(t, "")
	}
	ndim := int(int32(binary.BigEndian.Uint32(b)))
	flags := binary.BigEndian.Uint32(b[4:])
	eoid := binary.BigEndian.Uint32(b[8:])
	if ndim < 0 || ndim > maxArrayDims {
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid number of dimensions: %d", ndim)
	}
	if flags > 1 {
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid array flags")
	}
	if eoid != elem.OID && !(T{OID: eoid}.IsInteger() && elem.IsInteger()) {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "binary data has array element type %d instead of expected %d", eoid, elem.OID)
	}
	a := &Array{Elem: T{OID: elem.OID, Mod: -1}}
	p := b[12:]
	if ndim == 0 {
		return a, nil
	}
	if len(p) < 8*ndim {
		return nil, errBinary(t, "")
	}
	total := 1
	custom := false
	for k := 0; k < ndim; k++ {
		n := int(int32(binary.BigEndian.Uint32(p)))
		lo := int(int32(binary.BigEndian.Uint32(p[4:])))
		p = p[8:]
		if n < 0 || n > 1<<27 {
			return nil, errBinary(t, "")
		}
		a.Dims = append(a.Dims, n)
		a.Lower = append(a.Lower, lo)
		if lo != 1 {
			custom = true
		}
		total *= n
		if total > 1<<27 {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "array size exceeds the maximum allowed")
		}
	}
	if !custom {
		a.Lower = nil
	}
	if total == 0 {
		a.Dims, a.Lower = nil, nil
		return a, nil
	}
	if total > len(p)/4 {
		return nil, errBinary(t, "")
	}
	a.Vals = make([]any, total)
	for k := 0; k < total; k++ {
		if len(p) < 4 {
			return nil, errBinary(t, "")
		}
		n := int32(binary.BigEndian.Uint32(p))
		p = p[4:]
		if n == -1 {
			continue
		}
		if n < 0 || int(n) > len(p) {
			return nil, errBinary(t, "")
		}
		v, err := DecodeBinary(elem, p[:n])
		if err != nil {
			return nil, err
		}
		a.Vals[k] = v
		p = p[n:]
	}
	if len(p) != 0 {
		return nil, errBinary(t, "")
	}
	return a, nil
}

func appendArrayBinary(dst []byte, t T, a *Array) ([]byte, error) {
	elem, ok := t.Elem()
	if !ok {
		elem = a.Elem
	}
	hasNull := uint32(0)
	for _, v := range a.Vals {
		if v == nil {
			hasNull = 1
		}
	}
	ndim := len(a.Dims)
	if len(a.Vals) == 0 {
		ndim = 0
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(ndim))
	dst = binary.BigEndian.AppendUint32(dst, hasNull)
	dst = binary.BigEndian.AppendUint32(dst, elem.OID)
	for k := 0; k < ndim; k++ {
		lo := 1
		if k < len(a.Lower) {
			lo = a.Lower[k]
		}
		dst = binary.BigEndian.AppendUint32(dst, uint32(a.Dims[k]))
		dst = binary.BigEndian.AppendUint32(dst, uint32(int32(lo)))
	}
	if ndim == 0 {
		return dst, nil
	}
	for _, v := range a.Vals {
		if v == nil {
			dst = binary.BigEndian.AppendUint32(dst, 0xffffffff)
			continue
		}
		at := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		var err error
		if dst, err = AppendBinary(dst, elem, v); err != nil {
			return dst, err
		}
		binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	}
	return dst, nil
}

// appendRecordBinary implements record_send: int32 field count, then per
// field its type OID, int32 length (-1 NULL) and bytes.
func appendRecordBinary(dst []byte, r *Record) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(r.Vals)))
	for k, v := range r.Vals {
		t := Text
		if k < len(r.Types) {
			t = r.Types[k]
		}
		dst = binary.BigEndian.AppendUint32(dst, t.OID)
		if v == nil {
			dst = binary.BigEndian.AppendUint32(dst, 0xffffffff)
			continue
		}
		at := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		var err error
		if dst, err = AppendBinary(dst, t, v); err != nil {
			return dst, err
		}
		binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	}
	return dst, nil
}
