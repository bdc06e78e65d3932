package pgcatalog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// SearchPath returns the schemas searched for unqualified names, in
// order: pg_catalog (implicitly first, as in PostgreSQL) then the
// search_path setting with "$user" resolved and missing schemas dropped.
func SearchPath(env Env) []string {
	path := []string{catalog.SchemaCatalog}
	sp, ok := setting(env, "search_path")
	if !ok {
		sp = `"$user", public`
	}
	snap := env.Catalog()
	for _, p := range strings.Split(sp, ",") {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
			p = strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		} else {
			p = strings.ToLower(p)
		}
		if p == "$user" {
			p = env.User()
		}
		if p == "" || p == catalog.SchemaCatalog || snap.Schema(env.Database(), p) == nil {
			continue
		}
		path = append(path, p)
	}
	return path
}

// onPath reports whether schema is searched for unqualified names.
func onPath(env Env, schema string) bool {
	for _, s := range SearchPath(env) {
		if s == schema {
			return true
		}
	}
	return false
}

// parseIdent splits a possibly qualified, possibly quoted name as
// parse_ident does: unquoted parts are lower-cased.
func parseIdent(s string) ([]string, error) {
	bad := func() error {
		return pgerr.New(pgerr.InvalidParameterValue, "string is not a valid identifier: %q", s)
	}
	var parts []string
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return nil, bad()
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if b.Len() == 0 {
				return nil, bad()
			}
			parts = append(parts, b.String())
		} else {
			j := i
			for j < len(s) && s[j] != '.' && s[j] != ' ' {
				j++
			}
			if j == i {
				return nil, bad()
			}
			parts = append(parts, strings.ToLower(s[i:j]))
			i = j
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return parts, nil
		}
		if s[i] != '.' {
			return nil, bad()
		}
		i++
	}
}

// qualified renders schema.name, leaving out the schema when the name is
// visible through the search path (as regclass output does).
func qualified(env Env, schema, name string) string {
	if onPath(env, schema) {
		return types.QuoteIdent(name)
	}
	return types.QuoteIdent(schema) + "." + types.QuoteIdent(name)
}

// RegclassName renders a relation OID as regclass output does: the name,
// schema-qualified when not visible, or the number when unknown.
func RegclassName(env Env, oid int64) string {
	if oid < 0 || oid > 0xFFFFFFFF {
		return strconv.FormatInt(oid, 10)
	}
	if r, ok := relByOID(env, uint32(oid)); ok {
		return qualified(env, r.schema, r.name)
	}
	return strconv.FormatInt(oid, 10)
}

// RegclassOID resolves regclass input ('t', 'public.t', '"T"', or a
// number) to a relation OID.
func RegclassOID(env Env, name string) (int64, bool) {
	if n, err := strconv.ParseInt(strings.TrimSpace(name), 10, 64); err == nil {
		return n, true
	}
	parts, err := parseIdent(name)
	if err != nil {
		return 0, false
	}
	switch len(parts) {
	case 1:
		for _, s := range SearchPath(env) {
			if r, ok := relByName(env, s, parts[0]); ok {
				return int64(r.oid), true
			}
		}
	case 2:
		if r, ok := relByName(env, parts[0], parts[1]); ok {
			return int64(r.oid), true
		}
	case 3:
		if parts[0] == env.DatabaseName() {
			if r, ok := relByName(env, parts[1], parts[2]); ok {
				return int64(r.oid), true
			}
		}
	}
	return 0, false
}

// ResolveRegclass is RegclassOID with PostgreSQL's error for an unknown
// relation (42P01), for the text-to-regclass cast.
func ResolveRegclass(env Env, name string) (int64, error) {
	if oid, ok := RegclassOID(env, name); ok {
		return oid, nil
	}
	return 0, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}

// RegtypeName renders a type OID as regtype output does.
func RegtypeName(oid int64) string {
	if types.Lookup(uint32(oid)) == nil || oid < 0 || oid > 0xFFFFFFFF {
		return strconv.FormatInt(oid, 10)
	}
	return FormatType(uint32(oid), -1, false)
}

// RegtypeOID resolves regtype input ('integer', 'int4', 'text[]',
// 'character varying(20)', 'pg_catalog.int8', or a number).
func RegtypeOID(name string) (int64, bool) {
	s := strings.ToLower(strings.TrimSpace(name))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	s = strings.TrimPrefix(s, "pg_catalog.")
	arr := false
	for strings.HasSuffix(s, "[]") {
		s, arr = strings.TrimSpace(s[:len(s)-2]), true
	}
	if i := strings.IndexByte(s, '('); i >= 0 {
		if j := strings.IndexByte(s[i:], ')'); j >= 0 {
			s = strings.TrimSpace(s[:i] + s[i+j+1:])
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	var t types.T
	var ok bool
	switch s {
	case "timestamptz", "timestamp with time zone":
		t, ok = types.Timestamptz, true
	case "regclass":
		t, ok = types.Regclass, true
	default:
		t, ok = types.ByName(s)
	}
	if !ok {
		return 0, false
	}
	if arr {
		if t, ok = types.ArrayOf(t); !ok {
			return 0, false
		}
	}
	return int64(t.OID), true
}

// RegnamespaceName renders a schema OID as regnamespace output does.
func RegnamespaceName(env Env, oid int64) string {
	for _, s := range env.Catalog().Schemas(env.Database()) {
		if int64(s.OID) == oid {
			return types.QuoteIdent(s.Name)
		}
	}
	return strconv.FormatInt(oid, 10)
}

// RegnamespaceOID resolves regnamespace input.
func RegnamespaceOID(env Env, name string) (int64, bool) {
	if n, err := strconv.ParseInt(strings.TrimSpace(name), 10, 64); err == nil {
		return n, true
	}
	parts, err := parseIdent(name)
	if err != nil || len(parts) != 1 {
		return 0, false
	}
	if s := env.Catalog().Schema(env.Database(), parts[0]); s != nil {
		return int64(s.OID), true
	}
	return 0, false
}

// RegroleName renders a role OID as regrole output does.
func RegroleName(env Env, oid int64) string {
	for _, r := range env.Catalog().Roles() {
		if int64(r.OID) == oid {
			return types.QuoteIdent(r.Name)
		}
	}
	return strconv.FormatInt(oid, 10)
}

// RegroleOID resolves regrole input.
func RegroleOID(env Env, name string) (int64, bool) {
	if n, err := strconv.ParseInt(strings.TrimSpace(name), 10, 64); err == nil {
		return n, true
	}
	parts, err := parseIdent(name)
	if err != nil || len(parts) != 1 {
		return 0, false
	}
	if r := env.Catalog().Role(parts[0]); r != nil {
		return int64(r.OID), true
	}
	return 0, false
}

// RegprocName renders a function OID as regproc output does ("-" for 0).
func RegprocName(oid int64) string {
	if oid == 0 {
		return "-"
	}
	for _, p := range procs() {
		if int64(p.oid) == oid {
			return p.name
		}
	}
	return strconv.FormatInt(oid, 10)
}

// RegprocOID resolves regproc input: the OID of the function's first
// overload.
func RegprocOID(name string) (int64, bool) {
	s := strings.TrimSpace(name)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(strings.ToLower(s), "pg_catalog.")
	for _, p := range procs() {
		if p.name == s {
			return int64(p.oid), true
		}
	}
	return 0, false
}

// FormatType renders a type as format_type(oid, typmod) does;
// typmodGiven is false when format_type's second argument was NULL.
func FormatType(oid uint32, typmod int32, typmodGiven bool) string {
	if oid == 0 {
		return "-"
	}
	in := types.Lookup(oid)
	if in == nil {
		return "???"
	}
	if in.Elem != 0 && in.Category == 'A' && in.Len == -1 {
		// True arrays (int2vector/oidvector keep their own names).
		if oid != types.OidInt2Vector && oid != types.OidOidVector {
			return FormatType(in.Elem, typmod, typmodGiven) + "[]"
		}
	}
	withMod := typmod >= 0
	switch oid {
	case types.OidBpchar:
		if withMod {
			return fmt.Sprintf("character(%d)", typmod-4)
		}
		if typmodGiven {
			return "bpchar"
		}
		return "character"
	case types.OidVarchar:
		if withMod {
			return fmt.Sprintf("character varying(%d)", typmod-4)
		}
		return "character varying"
	case types.OidNumeric:
		if withMod {
			m := typmod - 4
			return fmt.Sprintf("numeric(%d,%d)", (m>>16)&0xffff, m&0xffff)
		}
		return "numeric"
	case types.OidTimestamp, types.OidTimestamptz, types.OidTime:
		base := map[uint32]string{types.OidTimestamp: "timestamp", types.OidTimestamptz: "timestamp", types.OidTime: "time"}[oid]
		zone := " without time zone"
		if oid == types.OidTimestamptz {
			zone = " with time zone"
		}
		if withMod {
			return fmt.Sprintf("%s(%d)%s", base, typmod, zone)
		}
		return base + zone
	case types.OidInterval:
		if withMod && typmod&0xffff != 0xffff {
			return fmt.Sprintf("interval(%d)", typmod&0xffff)
		}
		return "interval"
	}
	return in.SQLName
}
