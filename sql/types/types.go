package types

import (
	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/storage/col"
)

// OIDs of the built-in types tsgres supports, as in PostgreSQL's pg_type.
const (
	OidBool        uint32 = 16
	OidBytea       uint32 = 17
	OidChar        uint32 = 18 // "char"
	OidName        uint32 = 19
	OidInt8        uint32 = 20
	OidInt2        uint32 = 21
	OidInt2Vector  uint32 = 22
	OidInt4        uint32 = 23
	OidRegproc     uint32 = 24
	OidText        uint32 = 25
	OidOid         uint32 = 26
	OidOidVector   uint32 = 30
	OidJSON        uint32 = 114
	OidPgNodeTree  uint32 = 194
	OidFloat4      uint32 = 700
	OidFloat8      uint32 = 701
	OidUnknown     uint32 = 705
	OidBoolArray   uint32 = 1000
	OidByteaArray  uint32 = 1001
	OidCharArray   uint32 = 1002
	OidNameArray   uint32 = 1003
	OidInt2Array   uint32 = 1005
	OidInt4Array   uint32 = 1007
	OidTextArray   uint32 = 1009
	OidVarcharArr  uint32 = 1015
	OidInt8Array   uint32 = 1016
	OidFloat4Array uint32 = 1021
	OidFloat8Array uint32 = 1022
	OidOidArray    uint32 = 1028
	OidACLItem     uint32 = 1033
	OidACLItemArr  uint32 = 1034
	OidBpchar      uint32 = 1042
	OidVarchar     uint32 = 1043
	OidDate        uint32 = 1082
	OidTime        uint32 = 1083
	OidTimestamp   uint32 = 1114
	OidTimestampA  uint32 = 1115
	OidDateArray   uint32 = 1182
	OidTimestamptz uint32 = 1184
	OidTstzArray   uint32 = 1185
	OidInterval    uint32 = 1186
	OidIntervalArr uint32 = 1187
	OidNumericArr  uint32 = 1231
	OidNumeric     uint32 = 1700
	OidRegprocedur uint32 = 2202
	OidRegoper     uint32 = 2203
	OidRegclass    uint32 = 2205
	OidRegtype     uint32 = 2206
	OidRecord      uint32 = 2249
	OidCstring     uint32 = 2275
	OidAny         uint32 = 2276
	OidAnyArray    uint32 = 2277
	OidVoid        uint32 = 2278
	OidTrigger     uint32 = 2279
	OidAnyElement  uint32 = 2283
	OidUUID        uint32 = 2950
	OidUUIDArray   uint32 = 2951
	OidRegnamesp   uint32 = 4089
	OidRegrole     uint32 = 4096
	OidJSONB       uint32 = 3802
	OidJSONBArray  uint32 = 3807
	OidRegconfig   uint32 = 3734
	OidXid         uint32 = 28
	OidCid         uint32 = 29
	OidTid         uint32 = 27
	OidInet        uint32 = 869
)

// T is a SQL type: a PostgreSQL type OID plus a type modifier (atttypmod;
// -1 when none). varchar(n) and bpchar(n) have Mod n+4, numeric(p,s) has
// Mod ((p<<16)|s)+4, as in PostgreSQL.
type T struct {
	OID uint32
	Mod int32
}

// Common types without modifiers.
var (
	Unknown     = T{OidUnknown, -1}
	Bool        = T{OidBool, -1}
	Int2        = T{OidInt2, -1}
	Int4        = T{OidInt4, -1}
	Int8        = T{OidInt8, -1}
	Float4      = T{OidFloat4, -1}
	Float8      = T{OidFloat8, -1}
	Numeric     = T{OidNumeric, -1}
	Text        = T{OidText, -1}
	Varchar     = T{OidVarchar, -1}
	Bpchar      = T{OidBpchar, -1}
	Name        = T{OidName, -1}
	Char        = T{OidChar, -1}
	Bytea       = T{OidBytea, -1}
	Timestamp   = T{OidTimestamp, -1}
	Timestamptz = T{OidTimestamptz, -1}
	Date        = T{OidDate, -1}
	Time        = T{OidTime, -1}
	IntervalT   = T{OidInterval, -1}
	JSON        = T{OidJSON, -1}
	JSONB       = T{OidJSONB, -1}
	UUID        = T{OidUUID, -1}
	Oid         = T{OidOid, -1}
	Regclass    = T{OidRegclass, -1}
	Regtype     = T{OidRegtype, -1}
	Regproc     = T{OidRegproc, -1}
	Regnamesp   = T{OidRegnamesp, -1}
	Regrole     = T{OidRegrole, -1}
	RecordT     = T{OidRecord, -1}
	Void        = T{OidVoid, -1}
	TextArray   = T{OidTextArray, -1}
	Int2Vector  = T{OidInt2Vector, -1}
	OidVector   = T{OidOidVector, -1}
	PgNodeTree  = T{OidPgNodeTree, -1}
)

// Decimal is the datum of numeric.
type Decimal = apd.Decimal

// Interval is the datum of interval: months, days and microseconds are kept
// apart as in PostgreSQL, because a month and a day have no fixed length.
type Interval struct {
	Months int32
	Days   int32
	Micros int64
}

// Array is the datum of a one- or multi-dimensional array. Vals holds the
// elements in row-major order (nil for NULL elements). Dims is nil for an
// empty array; for a one-dimensional array it is {len(Vals)}.
type Array struct {
	Elem  T
	Dims  []int
	Lower []int // lower bounds per dimension, 1 when nil
	Vals  []any
}

// Record is the datum of an anonymous row value (ROW(...), composite
// results of functions such as create_hypertable).
type Record struct {
	Types []T
	Vals  []any
}

// Info describes a built-in type as pg_type does.
type Info struct {
	OID       uint32
	Name      string // pg_type.typname, e.g. "int4"
	SQLName   string // format_type name, e.g. "integer"
	Len       int16  // typlen: -1 varlena, -2 cstring
	Category  byte   // typcategory
	Elem      uint32 // element type of an array type, 0 otherwise
	Array     uint32 // array type of this type, 0 if none
	Kind      col.Kind
	ByVal     bool
	Align     byte
	Preferred bool
}

var infos = []Info{
	{OID: OidBool, Name: "bool", SQLName: "boolean", Len: 1, Category: 'B', Array: OidBoolArray, Kind: col.Bool, ByVal: true, Align: 'c', Preferred: true},
	{OID: OidBytea, Name: "bytea", SQLName: "bytea", Len: -1, Category: 'U', Array: OidByteaArray, Kind: col.Bytes, Align: 'i'},
	{OID: OidChar, Name: "char", SQLName: "\"char\"", Len: 1, Category: 'Z', Array: OidCharArray, Kind: col.Bytes, ByVal: true, Align: 'c'},
	{OID: OidName, Name: "name", SQLName: "name", Len: 64, Category: 'S', Array: OidNameArray, Kind: col.Bytes, Align: 'c'},
	{OID: OidInt8, Name: "int8", SQLName: "bigint", Len: 8, Category: 'N', Array: OidInt8Array, Kind: col.Int64, ByVal: true, Align: 'd'},
	{OID: OidInt2, Name: "int2", SQLName: "smallint", Len: 2, Category: 'N', Array: OidInt2Array, Kind: col.Int64, ByVal: true, Align: 's'},
	{OID: OidInt2Vector, Name: "int2vector", SQLName: "int2vector", Len: -1, Category: 'A', Elem: OidInt2, Kind: col.Any, Align: 'i'},
	{OID: OidInt4, Name: "int4", SQLName: "integer", Len: 4, Category: 'N', Array: OidInt4Array, Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidRegproc, Name: "regproc", SQLName: "regproc", Len: 4, Category: 'N', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidText, Name: "text", SQLName: "text", Len: -1, Category: 'S', Array: OidTextArray, Kind: col.Bytes, Align: 'i', Preferred: true},
	{OID: OidOid, Name: "oid", SQLName: "oid", Len: 4, Category: 'N', Array: OidOidArray, Kind: col.Int64, ByVal: true, Align: 'i', Preferred: true},
	{OID: OidTid, Name: "tid", SQLName: "tid", Len: 6, Category: 'U', Kind: col.Bytes, Align: 's'},
	{OID: OidXid, Name: "xid", SQLName: "xid", Len: 4, Category: 'U', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidCid, Name: "cid", SQLName: "cid", Len: 4, Category: 'U', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidOidVector, Name: "oidvector", SQLName: "oidvector", Len: -1, Category: 'A', Elem: OidOid, Kind: col.Any, Align: 'i'},
	{OID: OidJSON, Name: "json", SQLName: "json", Len: -1, Category: 'U', Kind: col.Bytes, Align: 'i'},
	{OID: OidPgNodeTree, Name: "pg_node_tree", SQLName: "pg_node_tree", Len: -1, Category: 'S', Kind: col.Bytes, Align: 'i'},
	{OID: OidFloat4, Name: "float4", SQLName: "real", Len: 4, Category: 'N', Array: OidFloat4Array, Kind: col.Float64, ByVal: true, Align: 'i'},
	{OID: OidFloat8, Name: "float8", SQLName: "double precision", Len: 8, Category: 'N', Array: OidFloat8Array, Kind: col.Float64, ByVal: true, Align: 'd', Preferred: true},
	{OID: OidUnknown, Name: "unknown", SQLName: "unknown", Len: -2, Category: 'X', Kind: col.Bytes, Align: 'c'},
	{OID: OidInet, Name: "inet", SQLName: "inet", Len: -1, Category: 'I', Kind: col.Bytes, Align: 'i'},
	{OID: OidBpchar, Name: "bpchar", SQLName: "character", Len: -1, Category: 'S', Kind: col.Bytes, Align: 'i'},
	{OID: OidVarchar, Name: "varchar", SQLName: "character varying", Len: -1, Category: 'S', Array: OidVarcharArr, Kind: col.Bytes, Align: 'i'},
	{OID: OidDate, Name: "date", SQLName: "date", Len: 4, Category: 'D', Array: OidDateArray, Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidTime, Name: "time", SQLName: "time without time zone", Len: 8, Category: 'D', Kind: col.Int64, ByVal: true, Align: 'd'},
	{OID: OidTimestamp, Name: "timestamp", SQLName: "timestamp without time zone", Len: 8, Category: 'D', Array: OidTimestampA, Kind: col.Int64, ByVal: true, Align: 'd'},
	{OID: OidTimestamptz, Name: "timestamptz", SQLName: "timestamp with time zone", Len: 8, Category: 'D', Array: OidTstzArray, Kind: col.Int64, ByVal: true, Align: 'd', Preferred: true},
	{OID: OidInterval, Name: "interval", SQLName: "interval", Len: 16, Category: 'T', Array: OidIntervalArr, Kind: col.Any, Align: 'd', Preferred: true},
	{OID: OidNumeric, Name: "numeric", SQLName: "numeric", Len: -1, Category: 'N', Array: OidNumericArr, Kind: col.Any, Align: 'i'},
	{OID: OidRegprocedur, Name: "regprocedure", SQLName: "regprocedure", Len: 4, Category: 'N', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidRegoper, Name: "regoper", SQLName: "regoper", Len: 4, Category: 'N', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidRegclass, Name: "regclass", SQLName: "regclass", Len: 4, Category: 'N', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidRegtype, Name: "regtype", SQLName: "regtype", Len: 4, Category: 'N', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidRegnamesp, Name: "regnamespace", SQLName: "regnamespace", Len: 4, Category: 'N', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidRegrole, Name: "regrole", SQLName: "regrole", Len: 4, Category: 'N', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidRegconfig, Name: "regconfig", SQLName: "regconfig", Len: 4, Category: 'N', Kind: col.Int64, ByVal: true, Align: 'i'},
	{OID: OidRecord, Name: "record", SQLName: "record", Len: -1, Category: 'P', Kind: col.Any, Align: 'd'},
	{OID: OidCstring, Name: "cstring", SQLName: "cstring", Len: -2, Category: 'P', Kind: col.Bytes, Align: 'c'},
	{OID: OidAny, Name: "any", SQLName: "\"any\"", Len: 4, Category: 'P', Kind: col.Any, Align: 'i'},
	{OID: OidAnyArray, Name: "anyarray", SQLName: "anyarray", Len: -1, Category: 'P', Kind: col.Any, Align: 'd'},
	{OID: OidAnyElement, Name: "anyelement", SQLName: "anyelement", Len: 4, Category: 'P', Kind: col.Any, Align: 'i'},
	{OID: OidVoid, Name: "void", SQLName: "void", Len: 4, Category: 'P', Kind: col.Bytes, Align: 'i'},
	{OID: OidTrigger, Name: "trigger", SQLName: "trigger", Len: 4, Category: 'P', Kind: col.Bytes, Align: 'i'},
	{OID: OidUUID, Name: "uuid", SQLName: "uuid", Len: 16, Category: 'U', Array: OidUUIDArray, Kind: col.Bytes, Align: 'c'},
	{OID: OidJSONB, Name: "jsonb", SQLName: "jsonb", Len: -1, Category: 'U', Array: OidJSONBArray, Kind: col.Bytes, Align: 'i'},
	{OID: OidACLItem, Name: "aclitem", SQLName: "aclitem", Len: 12, Category: 'U', Array: OidACLItemArr, Kind: col.Bytes, Align: 'i'},
}

// array types: name is "_" + element name.
var arrayOf = map[uint32]uint32{}

var byOID = map[uint32]*Info{}
var byName = map[string]*Info{}

func init() {
	for i := range infos {
		in := &infos[i]
		byOID[in.OID] = in
		byName[in.Name] = in
	}
	for i := range infos {
		in := infos[i]
		if in.Array == 0 {
			continue
		}
		arrayOf[in.OID] = in.Array
		arr := &Info{OID: in.Array, Name: "_" + in.Name, SQLName: in.SQLName + "[]", Len: -1, Category: 'A', Elem: in.OID, Kind: col.Any, Align: in.Align}
		if in.Align == 'c' || in.Align == 's' {
			arr.Align = 'i'
		}
		byOID[arr.OID] = arr
		byName[arr.Name] = arr
	}
	for alias, name := range aliases {
		byName[alias] = byName[name]
	}
}

// aliases are the SQL spellings that name a built-in type.
var aliases = map[string]string{
	"boolean": "bool", "smallint": "int2", "integer": "int4", "int": "int4",
	"bigint": "int8", "real": "float4", "float": "float8",
	"double precision": "float8", "decimal": "numeric",
	"character varying": "varchar", "character": "bpchar", "char": "bpchar",
	"timestamp without time zone": "timestamp",
	"timestamp with time zone":    "timestamptz",
	"time without time zone":      "time",
	"serial":                      "int4", "bigserial": "int8", "smallserial": "int2",
	"serial4": "int4", "serial8": "int8", "serial2": "int2",
}

// Lookup returns the built-in type's description, or nil.
func Lookup(oid uint32) *Info { return byOID[oid] }

// ByName resolves a type name as written in SQL (pg_type names and the
// standard spellings such as "double precision", "timestamp with time
// zone", "character varying"). The "char" type with quotes is "\"char\"".
func ByName(name string) (T, bool) {
	if name == "\"char\"" {
		return Char, true
	}
	in := byName[name]
	if in == nil {
		return T{}, false
	}
	return T{OID: in.OID, Mod: -1}, true
}

// ArrayOf returns the array type whose elements are t, if any.
func ArrayOf(t T) (T, bool) {
	a, ok := arrayOf[t.OID]
	return T{OID: a, Mod: -1}, ok
}

// Info returns t's description; unknown OIDs get a description of text.
func (t T) Info() *Info {
	if in := byOID[t.OID]; in != nil {
		return in
	}
	return byOID[OidText]
}

// Kind returns the physical vector kind of t's values.
func (t T) Kind() col.Kind { return t.Info().Kind }

// Elem returns the element type of an array type.
func (t T) Elem() (T, bool) {
	in := byOID[t.OID]
	if in == nil || in.Elem == 0 {
		return T{}, false
	}
	return T{OID: in.Elem, Mod: -1}, true
}

// IsArray reports whether t is an array type.
func (t T) IsArray() bool { _, ok := t.Elem(); return ok }

// IsNumeric reports whether t is one of the number types (ints, floats, numeric).
func (t T) IsNumeric() bool {
	switch t.OID {
	case OidInt2, OidInt4, OidInt8, OidFloat4, OidFloat8, OidNumeric:
		return true
	}
	return false
}

// IsInteger reports whether t is int2, int4 or int8.
func (t T) IsInteger() bool {
	return t.OID == OidInt2 || t.OID == OidInt4 || t.OID == OidInt8
}

// IsTextual reports whether t is a string type (text, varchar, bpchar, name, unknown).
func (t T) IsTextual() bool {
	switch t.OID {
	case OidText, OidVarchar, OidBpchar, OidName, OidUnknown, OidChar:
		return true
	}
	return false
}

// IsTime reports whether t is timestamp, timestamptz or date.
func (t T) IsTime() bool {
	return t.OID == OidTimestamp || t.OID == OidTimestamptz || t.OID == OidDate
}

// Category returns pg_type.typcategory.
func (t T) Category() byte { return t.Info().Category }
