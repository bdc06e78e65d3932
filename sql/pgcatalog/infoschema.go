package pgcatalog

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// dataType returns information_schema's data_type for t: the SQL-standard
// name for built-in scalar types, "ARRAY" for arrays.
func dataType(t types.T) string {
	if t.IsArray() && t.OID != types.OidInt2Vector && t.OID != types.OidOidVector {
		return "ARRAY"
	}
	if t.OID == types.OidBpchar {
		return "character"
	}
	return FormatType(t.OID, -1, false)
}

// numericFacts returns numeric_precision, numeric_precision_radix and
// numeric_scale as information_schema.columns shows them.
func numericFacts(t types.T) (prec, radix, scale any) {
	switch t.OID {
	case types.OidInt2:
		return int64(16), int64(2), int64(0)
	case types.OidInt4:
		return int64(32), int64(2), int64(0)
	case types.OidInt8:
		return int64(64), int64(2), int64(0)
	case types.OidFloat4:
		return int64(24), int64(2), nil
	case types.OidFloat8:
		return int64(53), int64(2), nil
	case types.OidNumeric:
		if t.Mod >= 4 {
			m := t.Mod - 4
			return int64((m >> 16) & 0xffff), int64(10), int64(m & 0xffff)
		}
		return nil, int64(10), nil
	}
	return nil, nil, nil
}

// charLength returns character_maximum_length and character_octet_length.
func charLength(t types.T) (maxLen, octets any) {
	switch t.OID {
	case types.OidVarchar, types.OidBpchar:
		if t.Mod >= 4 {
			return int64(t.Mod - 4), int64(t.Mod-4) * 4
		}
		return nil, int64(1073741824)
	case types.OidText:
		return nil, int64(1073741824)
	}
	return nil, nil
}

// datetimePrecision returns datetime_precision (6 unless a typmod says).
func datetimePrecision(t types.T) any {
	switch t.OID {
	case types.OidTimestamp, types.OidTimestamptz, types.OidTime, types.OidInterval:
		if t.Mod >= 0 && t.OID != types.OidInterval {
			return int64(t.Mod)
		}
		return int64(6)
	case types.OidDate:
		return int64(0)
	}
	return nil
}

func init() {
	is := catalog.SchemaInfo
	id, cd, yn, cn := tSQLIdent, tCharData, tYesOrNo, tCardinal

	register(is, "schemata", cols(c("catalog_name", id), c("schema_name", id), c("schema_owner", id),
		c("default_character_set_catalog", id), c("default_character_set_schema", id),
		c("default_character_set_name", id), c("sql_path", cd)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, s := range env.Catalog().Schemas(env.Database()) {
				rows = append(rows, []any{env.DatabaseName(), s.Name, catalog.DefaultRole, nil, nil, nil, nil})
			}
			return rows, nil
		})

	register(is, "tables", cols(c("table_catalog", id), c("table_schema", id), c("table_name", id),
		c("table_type", cd), c("self_referencing_column_name", id), c("reference_generation", cd),
		c("user_defined_type_catalog", id), c("user_defined_type_schema", id),
		c("user_defined_type_name", id), c("is_insertable_into", yn), c("is_typed", yn),
		c("commit_action", cd)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, r := range relations(env) {
				if r.kind != 'r' && r.kind != 'v' {
					continue
				}
				typ, ins := "BASE TABLE", "YES"
				if r.kind == 'v' {
					typ, ins = "VIEW", "NO"
				}
				rows = append(rows, []any{env.DatabaseName(), r.schema, r.name, typ, nil, nil,
					nil, nil, nil, ins, "NO", nil})
			}
			return rows, nil
		})

	register(is, "columns", cols(c("table_catalog", id), c("table_schema", id), c("table_name", id),
		c("column_name", id), c("ordinal_position", cn), c("column_default", cd), c("is_nullable", yn),
		c("data_type", cd), c("character_maximum_length", cn), c("character_octet_length", cn),
		c("numeric_precision", cn), c("numeric_precision_radix", cn), c("numeric_scale", cn),
		c("datetime_precision", cn), c("interval_type", cd), c("interval_precision", cn),
		c("character_set_catalog", id), c("character_set_schema", id), c("character_set_name", id),
		c("collation_catalog", id), c("collation_schema", id), c("collation_name", id),
		c("domain_catalog", id), c("domain_schema", id), c("domain_name", id),
		c("udt_catalog", id), c("udt_schema", id), c("udt_name", id),
		c("scope_catalog", id), c("scope_schema", id), c("scope_name", id),
		c("maximum_cardinality", cn), c("dtd_identifier", id), c("is_self_referencing", yn),
		c("is_identity", yn), c("identity_generation", cd), c("identity_start", cd),
		c("identity_increment", cd), c("identity_maximum", cd), c("identity_minimum", cd),
		c("identity_cycle", yn), c("is_generated", cd), c("generation_expression", cd),
		c("is_updatable", yn)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			db := env.DatabaseName()
			for _, r := range relations(env) {
				if r.kind != 'r' && r.kind != 'v' {
					continue
				}
				upd := yesNo(r.kind == 'r')
				for i, a := range attrs(&r) {
					var def any
					if a.def != "" {
						def = a.def
					}
					maxLen, octets := charLength(a.t)
					prec, radix, scale := numericFacts(a.t)
					pos := int64(i + 1)
					rows = append(rows, []any{db, r.schema, r.name,
						a.name, pos, def, yesNo(!a.notNull),
						dataType(a.t), maxLen, octets,
						prec, radix, scale,
						datetimePrecision(a.t), nil, nil,
						nil, nil, nil,
						nil, nil, nil,
						nil, nil, nil,
						db, "pg_catalog", a.t.Info().Name,
						nil, nil, nil,
						nil, itoa(pos), "NO",
						"NO", nil, nil,
						nil, nil, nil,
						"NO", "NEVER", nil,
						upd})
				}
			}
			return rows, nil
		})

	register(is, "table_constraints", cols(c("constraint_catalog", id), c("constraint_schema", id),
		c("constraint_name", id), c("table_catalog", id), c("table_schema", id), c("table_name", id),
		c("constraint_type", cd), c("is_deferrable", yn), c("initially_deferred", yn),
		c("enforced", yn), c("nulls_distinct", yn)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			db := env.DatabaseName()
			for _, t := range env.Catalog().Tables(env.Database()) {
				for _, ix := range t.Indexes {
					typ, ok := constraintType(&ix)
					if !ok {
						continue
					}
					name := "UNIQUE"
					if typ == "p" {
						name = "PRIMARY KEY"
					}
					rows = append(rows, []any{db, t.Schema, ix.Name, db, t.Schema, t.Name, name, "NO", "NO", "YES", "YES"})
				}
				for _, ck := range t.Checks {
					rows = append(rows, []any{db, t.Schema, ck.Name, db, t.Schema, t.Name, "CHECK", "NO", "NO", "YES", nil})
				}
				for _, nn := range notNullChecks(env, t) {
					rows = append(rows, []any{db, t.Schema, nn[0], db, t.Schema, t.Name, "CHECK", "NO", "NO", "YES", nil})
				}
				for _, fk := range t.ForeignKeys {
					rows = append(rows, []any{db, t.Schema, fk.Name, db, t.Schema, t.Name, "FOREIGN KEY", "NO", "NO", "YES", nil})
				}
			}
			return rows, nil
		})

	register(is, "key_column_usage", cols(c("constraint_catalog", id), c("constraint_schema", id),
		c("constraint_name", id), c("table_catalog", id), c("table_schema", id), c("table_name", id),
		c("column_name", id), c("ordinal_position", cn), c("position_in_unique_constraint", cn)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			db := env.DatabaseName()
			for _, t := range env.Catalog().Tables(env.Database()) {
				for _, ix := range t.Indexes {
					if _, ok := constraintType(&ix); !ok {
						continue
					}
					for k, colID := range ix.Cols {
						if i := t.ColByID(colID); i >= 0 {
							rows = append(rows, []any{db, t.Schema, ix.Name, db, t.Schema, t.Name,
								t.Cols[i].Name, int64(k + 1), nil})
						}
					}
				}
				rows = append(rows, foreignKeyColumnUsage(env, t)...)
			}
			return rows, nil
		})

	register(is, "views", cols(c("table_catalog", id), c("table_schema", id), c("table_name", id),
		c("view_definition", cd), c("check_option", cd), c("is_updatable", yn), c("is_insertable_into", yn),
		c("is_trigger_updatable", yn), c("is_trigger_deletable", yn), c("is_trigger_insertable_into", yn)),
		emptyRows)

	register(is, "routines", cols(c("specific_catalog", id), c("specific_schema", id),
		c("specific_name", id), c("routine_catalog", id), c("routine_schema", id),
		c("routine_name", id), c("routine_type", cd), c("data_type", cd), c("type_udt_name", id),
		c("external_language", cd), c("routine_definition", cd)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, p := range procs() {
				typ := "FUNCTION"
				rows = append(rows, []any{env.DatabaseName(), "pg_catalog", p.name + "_" + itoa(int64(p.oid)),
					env.DatabaseName(), "pg_catalog", p.name, typ, dataType(p.ret), p.ret.Info().Name,
					"INTERNAL", p.name})
			}
			return rows, nil
		})
}
