package pgcatalog

import (
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
)

// Catalog lookup functions psql, SQLAlchemy and Grafana call.
func init() {
	T, O, B, I4 := types.Text, types.Oid, types.Bool, types.Int4
	anyT := funcs.AnyT

	lenientFn("format_type", ts(O, I4), 0, T, func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		mod, given := int32(-1), a[1] != nil
		if given {
			mod = int32(argInt(a, 1))
		}
		return FormatType(uint32(argInt(a, 0)), mod, given), nil
	})
	strictFn("pg_get_userbyid", ts(O), 0, types.Name, withEnv(func(env Env, a []any) (any, error) {
		oid := argInt(a, 0)
		for _, r := range env.Catalog().Roles() {
			if int64(r.OID) == oid {
				return r.Name, nil
			}
		}
		if oid == dbOwnerRoleOID {
			return dbOwnerRoleName, nil
		}
		return "unknown (OID=" + strconv.FormatInt(oid, 10) + ")", nil
	}))
	strictFn("pg_table_is_visible", ts(O), 0, B, withEnv(func(env Env, a []any) (any, error) {
		r, ok := relByOID(env, uint32(argInt(a, 0)))
		if !ok {
			return nil, nil
		}
		// Visible when no schema earlier on the path has the same name.
		for _, s := range SearchPath(env) {
			if s == r.schema {
				return true, nil
			}
			if _, ok := relByName(env, s, r.name); ok {
				return false, nil
			}
		}
		return false, nil
	}))
	for _, name := range []string{"pg_type_is_visible", "pg_function_is_visible", "pg_collation_is_visible",
		"pg_opclass_is_visible", "pg_operator_is_visible", "pg_conversion_is_visible", "pg_ts_config_is_visible"} {
		strictFn(name, ts(O), 0, B, constant(true))
	}

	lenientFn("pg_get_expr", ts(anyT, O, B), 1, T, func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		if s, ok := a[0].(string); ok {
			return s, nil
		}
		return nil, nil
	})
	strictFn("pg_get_indexdef", ts(O, I4, B), 2, T, withEnv(func(env Env, a []any) (any, error) {
		t, ix := findIndex(env, uint32(argInt(a, 0)))
		if ix == nil {
			return nil, nil
		}
		if n := argInt(a, 1); n != 0 {
			return indexColumnDef(t, ix, int(n)), nil
		}
		return indexDef(t, ix), nil
	}))
	strictFn("pg_get_constraintdef", ts(O, B), 1, T, withEnv(func(env Env, a []any) (any, error) {
		oid := argInt(a, 0) - constraintOID
		if oid <= 0 {
			return nil, nil
		}
		if def, ok := constraintDefByOID(env, uint32(oid), argBool(a, 1)); ok {
			return def, nil
		}
		t, ix := findIndex(env, uint32(oid))
		if ix == nil {
			return nil, nil
		}
		if _, ok := constraintType(ix); !ok {
			return nil, nil
		}
		return constraintDef(t, ix), nil
	}))
	nullText := constant(nil)
	strictFn("pg_get_triggerdef", ts(O, B), 1, T, nullText)
	strictFn("pg_get_viewdef", ts(anyT, anyT), 1, T, nullText)
	strictFn("pg_get_ruledef", ts(O, B), 1, T, nullText)
	strictFn("pg_get_functiondef", ts(O), 0, T, nullText)
	strictFn("pg_get_partkeydef", ts(O), 0, T, nullText)
	strictFn("pg_get_statisticsobjdef_columns", ts(O), 0, T, nullText)
	strictFn("pg_get_partition_constraintdef", ts(O), 0, T, nullText)
	strictFn("pg_partition_root", ts(types.Regclass), 0, types.Regclass, nullText)
	strictFn("pg_relation_is_publishable", ts(types.Regclass), 0, B, constant(false))

	strictFn("pg_get_function_arguments", ts(O), 0, T, withEnv(func(env Env, a []any) (any, error) {
		if p := procFor(env, argInt(a, 0)); p != nil {
			return procArgs(p, true), nil
		}
		return nil, nil
	}))
	strictFn("pg_get_function_identity_arguments", ts(O), 0, T, withEnv(func(env Env, a []any) (any, error) {
		if p := procFor(env, argInt(a, 0)); p != nil {
			return procArgs(p, false), nil
		}
		return nil, nil
	}))
	strictFn("pg_get_function_result", ts(O), 0, T, withEnv(func(env Env, a []any) (any, error) {
		if p := procFor(env, argInt(a, 0)); p != nil && p.procKind() != "p" {
			return p.resultText(), nil
		}
		return nil, nil
	}))

	strictFn("pg_encoding_to_char", ts(I4), 0, types.Name, func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
		switch argInt(a, 0) {
		case encodingUTF8:
			return "UTF8", nil
		case 0:
			return "SQL_ASCII", nil
		}
		return "", nil
	})
	strictFn("pg_char_to_encoding", ts(types.Name), 0, I4, func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
		switch strings.ToUpper(strings.ReplaceAll(argStr(a, 0), "-", "")) {
		case "UTF8", "UNICODE":
			return int64(encodingUTF8), nil
		case "SQL_ASCII":
			return int64(0), nil
		}
		return int64(-1), nil
	})

	for _, name := range []string{"has_table_privilege", "has_schema_privilege", "has_database_privilege",
		"has_function_privilege", "has_sequence_privilege", "has_any_column_privilege",
		"has_tablespace_privilege", "has_type_privilege", "pg_has_role"} {
		lenientFn(name, ts(anyT, anyT, anyT), 1, B, constant(true))
	}
	lenientFn("has_column_privilege", ts(anyT, anyT, anyT, anyT), 1, B, constant(true))

	strictFn("to_regclass", ts(T), 0, types.Regclass, withEnv(func(env Env, a []any) (any, error) {
		if oid, ok := RegclassOID(env, argStr(a, 0)); ok {
			return oid, nil
		}
		return nil, nil
	}))
	strictFn("to_regtype", ts(T), 0, types.Regtype, func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
		if oid, ok := RegtypeOID(argStr(a, 0)); ok {
			return oid, nil
		}
		return nil, nil
	})
	strictFn("to_regnamespace", ts(T), 0, types.Regnamesp, withEnv(func(env Env, a []any) (any, error) {
		if oid, ok := RegnamespaceOID(env, argStr(a, 0)); ok {
			return oid, nil
		}
		return nil, nil
	}))
	strictFn("to_regproc", ts(T), 0, types.Regproc, func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
		if oid, ok := RegprocOID(argStr(a, 0)); ok {
			return oid, nil
		}
		return nil, nil
	})
	strictFn("to_regrole", ts(T), 0, types.Regrole, withEnv(func(env Env, a []any) (any, error) {
		if oid, ok := RegroleOID(env, argStr(a, 0)); ok {
			return oid, nil
		}
		return nil, nil
	}))

	strictFn("pg_get_serial_sequence", ts(T, T), 0, T, withEnv(func(env Env, a []any) (any, error) {
		oid, ok := RegclassOID(env, argStr(a, 0))
		if !ok {
			return nil, undefinedTable(argStr(a, 0))
		}
		r, ok := relByOID(env, uint32(oid))
		if !ok || r.table == nil || r.kind != 'r' {
			return nil, nil
		}
		col := r.table.Col(argStr(a, 1))
		if col == nil {
			return nil, undefinedColumn(argStr(a, 1), r.name)
		}
		schema, name, ok := nextvalTarget(col.Default)
		if !ok {
			return nil, nil
		}
		if schema == "" {
			schema = r.table.Schema
		}
		return types.QuoteIdent(schema) + "." + types.QuoteIdent(name), nil
	}))
	strictFn("pg_relation_filenode", ts(types.Regclass), 0, O, withEnv(func(env Env, a []any) (any, error) {
		if _, ok := relByOID(env, uint32(argInt(a, 0))); !ok {
			return nil, nil
		}
		return argInt(a, 0), nil
	}))
	strictFn("pg_relation_filepath", ts(types.Regclass), 0, T, withEnv(func(env Env, a []any) (any, error) {
		if _, ok := relByOID(env, uint32(argInt(a, 0))); !ok {
			return nil, nil
		}
		return "base/" + strconv.FormatInt(int64(env.Database()), 10) + "/" + strconv.FormatInt(argInt(a, 0), 10), nil
	}))
}

// procByOID returns the built-in function with oid, or nil.
func procByOID(oid int64) *proc {
	list := procs()
	i := oid - procOIDBase
	if i < 0 || i >= int64(len(list)) {
		return nil
	}
	return &list[i]
}

// procArgs renders a function's argument list as
// pg_get_function_arguments does ("bucket_width interval, origin
// timestamp with time zone DEFAULT NULL::timestamp with time zone"), or
// with withDefaults false as pg_get_function_identity_arguments does.
func procArgs(p *proc, withDefaults bool) string {
	if p.user != nil {
		return userArgs(p.user, withDefaults)
	}
	parts := make([]string, len(p.args))
	firstDefault := len(p.args) - len(p.defaultSQL)
	for i, a := range p.args {
		typ := FormatType(a.OID, -1, false)
		if p.variadic && i == len(p.args)-1 {
			typ = "VARIADIC " + typ + "[]"
		}
		if i < len(p.argNames) && p.argNames[i] != "" {
			typ = types.QuoteIdent(p.argNames[i]) + " " + typ
		}
		if withDefaults && len(p.defaultSQL) == p.defaults && i >= firstDefault {
			typ += " DEFAULT " + p.defaultSQL[i-firstDefault]
		}
		parts[i] = typ
	}
	return strings.Join(parts, ", ")
}
