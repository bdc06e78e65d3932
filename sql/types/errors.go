package types

import (
	"github.com/tsgres/tsgres/sql/pgerr"
)

// errSyntax is PostgreSQL's 22P02 for a value its input function rejects.
func errSyntax(t T, s string) error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", typeLabel(t), s)
}

// errRange is PostgreSQL's 22003 for an input value outside the type's range.
func errRange(t T, s string) error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, typeLabel(t))
}

// errDatetimeSyntax is 22007 for malformed date/time input.
func errDatetimeSyntax(t T, s string) error {
	return pgerr.New(pgerr.InvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", typeLabel(t), s)
}

// errDatetimeRange is 22008 for date/time fields out of range.
func errDatetimeRange(s string) error {
	return pgerr.New(pgerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
}

func errBinary(t T, format string, args ...any) error {
	e := pgerr.New(pgerr.InvalidBinaryRepresentation, "incorrect binary data format")
	if format != "" {
		e = e.WithDetail(format, args...)
	}
	return e
}

func errOutOfRange(t T) error {
	switch t.OID {
	case OidInt2:
		return pgerr.New(pgerr.NumericValueOutOfRange, "smallint out of range")
	case OidInt4:
		return pgerr.New(pgerr.NumericValueOutOfRange, "integer out of range")
	case OidInt8:
		return pgerr.New(pgerr.NumericValueOutOfRange, "bigint out of range")
	case OidOid:
		return pgerr.New(pgerr.NumericValueOutOfRange, "OID out of range")
	case OidTimestamp, OidTimestamptz:
		return pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range")
	case OidDate:
		return pgerr.New(pgerr.DatetimeFieldOverflow, "date out of range")
	case OidInterval:
		return pgerr.New(pgerr.DatetimeFieldOverflow, "interval out of range")
	}
	return pgerr.New(pgerr.NumericValueOutOfRange, "value out of range for type %s", typeLabel(t))
}

// typeLabel is the type name PostgreSQL's messages use (format_type without
// the modifier).
func typeLabel(t T) string {
	switch t.OID {
	case OidChar:
		return `"char"`
	case OidBpchar:
		return "character"
	case OidVarchar:
		return "character varying"
	case OidTimestamp:
		return "timestamp"
	case OidTime:
		return "time"
	}
	if in := Lookup(t.OID); in != nil {
		return in.SQLName
	}
	return "text"
}
