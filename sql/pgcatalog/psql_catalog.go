package pgcatalog

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// Catalog rows psql's describe commands read beyond the relation catalogs:
// comments on built-in objects (\dx, \dn+), the dependency of a serial
// column's sequence on its column (\d seq: "Owned by"), the languages
// \df+ joins, and the owner PostgreSQL 15 gives the public schema (\dn).

// Predefined role PostgreSQL 15 makes the owner of the public schema; it
// stands for the owner of the current database.
const (
	dbOwnerRoleOID  = 6171
	dbOwnerRoleName = "pg_database_owner"
)

// publicSchemaOID is the public schema's OID (PostgreSQL's and tsgres's).
const publicSchemaOID = 2200

// Languages of pg_language with PostgreSQL 15's OIDs; pg_proc.prolang of
// every built-in function is internalLangOID.
const (
	internalLangOID = 12
	cLangOID        = 13
	sqlLangOID      = 14
	plpgsqlLangOID  = 13539
)

// comment is one pg_description row: the comment on object objoid of the
// catalog classoid (column objsubid, 0 for the object itself).
type comment struct {
	objoid, classoid uint32
	objsubid         int32
	text             string
}

// timescaleComment is TimescaleDB's comment on its extension.
const timescaleComment = "Enables scalable inserts and complex queries for time-series data (Community Edition)"

// comments returns the comments of the current database: PostgreSQL's own
// on plpgsql and the public schema, TimescaleDB's on its extension when it
// is installed. tsgres has no COMMENT ON, so there are no others.
func comments(env Env) []comment {
	out := []comment{
		{plpgsqlExtOID, fixedOIDs["pg_extension"], 0, "PL/pgSQL procedural language"},
		{publicSchemaOID, fixedOIDs["pg_namespace"], 0, "standard public schema"},
	}
	if _, ok := timescaleInstalled(env); ok {
		out = append(out, comment{timescaleExtOID, fixedOIDs["pg_extension"], 0, timescaleComment})
	}
	return out
}

// findComment returns the comment on (objoid, classoid, objsubid); a zero
// classoid matches any catalog (the one-argument obj_description).
func findComment(env Env, objoid, classoid uint32, objsubid int32) (any, bool) {
	for _, c := range comments(env) {
		if c.objoid == objoid && c.objsubid == objsubid && (classoid == 0 || c.classoid == classoid) {
			return c.text, true
		}
	}
	return nil, false
}

// namespaceOwner returns pg_namespace.nspowner of schema: public belongs to
// pg_database_owner as in PostgreSQL 15, other schemas to the superuser.
func namespaceOwner(schema string) int64 {
	if schema == catalog.SchemaPublic {
		return dbOwnerRoleOID
	}
	return ownerOID
}

func init() {
	pc := catalog.SchemaCatalog
	o, n, t, b, i4 := types.Oid, types.Name, types.Text, types.Bool, types.Int4

	register(pc, "pg_description", cols(c("objoid", o), c("classoid", o), c("objsubid", i4), c("description", t)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, cm := range comments(env) {
				rows = append(rows, []any{i64(cm.objoid), i64(cm.classoid), i64(cm.objsubid), cm.text})
			}
			return rows, nil
		})

	// A serial column's sequence depends automatically ('a') on the column.
	register(pc, "pg_depend", cols(c("classid", o), c("objid", o), c("objsubid", i4), c("refclassid", o),
		c("refobjid", o), c("refobjsubid", i4), c("deptype", types.Char)),
		func(env Env) ([][]any, error) {
			classOID := int64(fixedOIDs["pg_class"])
			var rows [][]any
			for _, tbl := range env.Catalog().Tables(env.Database()) {
				for _, s := range serialSequences(env, tbl) {
					if i := tbl.ColIndex(s.col); i >= 0 {
						rows = append(rows, []any{classOID, i64(s.oid), int64(0), classOID,
							i64(tbl.OID), int64(i + 1), "a"})
					}
				}
			}
			return rows, nil
		})

	register(pc, "pg_language", cols(c("oid", o), c("lanname", n), c("lanowner", o), c("lanispl", b),
		c("lanpltrusted", b), c("lanplcallfoid", o), c("laninline", o), c("lanvalidator", o),
		c("lanacl", tACLArr)),
		func(Env) ([][]any, error) {
			return [][]any{
				{int64(internalLangOID), "internal", int64(ownerOID), false, false, int64(0), int64(0), int64(0), nil},
				{int64(cLangOID), "c", int64(ownerOID), false, false, int64(0), int64(0), int64(0), nil},
				{int64(sqlLangOID), "sql", int64(ownerOID), false, true, int64(0), int64(0), int64(0), nil},
				{int64(plpgsqlLangOID), "plpgsql", int64(ownerOID), true, true, int64(0), int64(0), int64(0), nil},
			}, nil
		})

	T, O := types.Text, types.Oid
	// obj_description(oid) (without the catalog name) is the deprecated
	// form matching any catalog.
	strictFn("obj_description", ts(O, types.Name), 1, T, withEnv(func(env Env, a []any) (any, error) {
		var class uint32
		if len(a) > 1 {
			var ok bool
			if class, ok = fixedOIDs[argStr(a, 1)]; !ok {
				return nil, nil
			}
		}
		v, _ := findComment(env, uint32(argInt(a, 0)), class, 0)
		return v, nil
	}))
	strictFn("col_description", ts(O, i4), 0, T, withEnv(func(env Env, a []any) (any, error) {
		v, _ := findComment(env, uint32(argInt(a, 0)), fixedOIDs["pg_class"], int32(argInt(a, 1)))
		return v, nil
	}))
	strictFn("shobj_description", ts(O, types.Name), 0, T, constant(nil))
	// Built-in functions have no SQL-standard body (\df+ "Source code").
	strictFn("pg_get_function_sqlbody", ts(O), 0, T, constant(nil))
}
