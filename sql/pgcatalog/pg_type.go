package pgcatalog

import (
	"sync"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// maxBuiltinTypeOID bounds the OIDs probed for built-in types (package
// types has no iterator; every built-in OID is below it).
const maxBuiltinTypeOID = 8000

var (
	typeListOnce sync.Once
	typeList     []*types.Info
)

// builtinTypes returns every type package types describes, by OID.
func builtinTypes() []*types.Info {
	typeListOnce.Do(func() {
		for oid := uint32(1); oid < maxBuiltinTypeOID; oid++ {
			if in := types.Lookup(oid); in != nil {
				typeList = append(typeList, in)
			}
		}
	})
	return typeList
}

func init() {
	register(catalog.SchemaCatalog, "pg_type", cols(
		c("oid", types.Oid), c("typname", types.Name), c("typnamespace", types.Oid),
		c("typowner", types.Oid), c("typlen", types.Int2), c("typbyval", types.Bool),
		c("typtype", types.Char), c("typcategory", types.Char), c("typispreferred", types.Bool),
		c("typisdefined", types.Bool), c("typdelim", types.Char), c("typrelid", types.Oid),
		c("typsubscript", types.Regproc), c("typelem", types.Oid), c("typarray", types.Oid),
		c("typinput", types.Regproc), c("typoutput", types.Regproc), c("typreceive", types.Regproc),
		c("typsend", types.Regproc), c("typmodin", types.Regproc), c("typmodout", types.Regproc),
		c("typanalyze", types.Regproc), c("typalign", types.Char), c("typstorage", types.Char),
		c("typnotnull", types.Bool), c("typbasetype", types.Oid), c("typtypmod", types.Int4),
		c("typndims", types.Int4), c("typcollation", types.Oid), c("typdefaultbin", types.PgNodeTree),
		c("typdefault", types.Text), c("typacl", tACLArr)),
		func(Env) ([][]any, error) {
			var rows [][]any
			for _, in := range builtinTypes() {
				typtype := "b"
				if in.Category == 'P' {
					typtype = "p"
				}
				rows = append(rows, []any{
					i64(in.OID), in.Name, int64(11),
					int64(ownerOID), int64(in.Len), in.ByVal,
					typtype, string(in.Category), in.Preferred,
					true, ",", int64(0),
					int64(0), i64(in.Elem), i64(in.Array),
					int64(0), int64(0), int64(0),
					int64(0), int64(0), int64(0),
					int64(0), string(in.Align), storageOf(in),
					false, int64(0), int64(-1),
					int64(0), typCollation(in), nil,
					nil, nil,
				})
			}
			return rows, nil
		})
}

// typCollation is pg_type.typcollation: arrays take their element's.
func typCollation(in *types.Info) int64 {
	if in.Category == 'A' && in.Elem != 0 {
		return collationOf(in.Elem)
	}
	return collationOf(in.OID)
}
