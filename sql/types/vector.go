package types

import (
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// int2vector and oidvector are one-dimensional, 0-based arrays whose text
// form is their elements separated by single spaces ("2 1"), not array
// syntax. Clients parse it that way: SQLAlchemy splits pg_index.indkey
// and indoption on whitespace.

// isVector reports whether oid is int2vector or oidvector.
func isVector(oid uint32) bool { return oid == OidInt2Vector || oid == OidOidVector }

// appendVector implements int2vectorout and oidvectorout.
func appendVector(dst []byte, a *Array) []byte {
	for i, v := range a.Vals {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if n, ok := v.(int64); ok {
			dst = strconv.AppendInt(dst, n, 10)
		}
	}
	return dst
}

// parseVector implements int2vectorin and oidvectorin: integers separated
// by whitespace, giving a 0-based array.
func parseVector(t T, s string) (*Array, error) {
	elem, _ := t.Elem()
	fields := strings.Fields(s)
	vals := make([]any, len(fields))
	for i, f := range fields {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || elem.OID == OidInt2 && int64(int16(n)) != n || elem.OID == OidOid && (n < 0 || n > 1<<32-1) {
			return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", t.Info().Name, s)
		}
		vals[i] = n
	}
	a := NewArray(elem, vals)
	if len(vals) > 0 {
		a.Lower = []int{0}
	}
	return a, nil
}
