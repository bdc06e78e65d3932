package pgcatalog

import (
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Expected values are PostgreSQL 15's (src/test/regress/expected/dbsize.out).
func TestSizePretty(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 bytes"}, {10, "10 bytes"}, {8192, "8192 bytes"}, {10239, "10239 bytes"},
		{10240, "10 kB"}, {16384, "16 kB"}, {10485247, "10239 kB"}, {10485248, "10 MB"},
		{1048576 * 1024, "1024 MB"}, {10736893951, "10239 MB"}, {10736893952, "10 GB"},
		{10 * 1024 * 1024 * 1024, "10 GB"}, {10994579406847, "10239 GB"}, {10994579406848, "10 TB"},
		{11258449312612351, "10239 TB"}, {11258449312612352, "10 PB"},
		{-10239, "-10239 bytes"}, {-10240, "-10 kB"}, {-10485248, "-10 MB"},
		{1000000, "977 kB"}, {1000000000, "954 MB"}, {1000000000000, "931 GB"},
	}
	for _, tc := range tests {
		if got := SizePretty(tc.in); got != tc.want {
			t.Errorf("pg_size_pretty(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
	numeric := []struct{ in, want string }{
		{"10239.5", "10239.5 bytes"}, {"10240", "10 kB"}, {"-10240", "-10 kB"},
		{"11528652096115048447", "10239 PB"}, {"11528652096115048448", "10240 PB"},
		{"1000000000000000", "909 TB"},
	}
	for _, tc := range numeric {
		d, _, err := apd.NewFromString(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := call(t, nil, "pg_size_pretty", []types.T{types.Numeric}, d)
		if err != nil || got != tc.want {
			t.Errorf("pg_size_pretty(%s::numeric) = %v, %v, want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestFormatType(t *testing.T) {
	tests := []struct {
		oid  any
		mod  any
		want any
	}{
		{int64(23), nil, "integer"},
		{int64(23), int64(-1), "integer"},
		{int64(1043), int64(24), "character varying(20)"},
		{int64(1043), int64(-1), "character varying"},
		{int64(1700), int64(types.NumericTypmod(10, 2)), "numeric(10,2)"},
		{int64(1184), nil, "timestamp with time zone"},
		{int64(1184), int64(3), "timestamp(3) with time zone"},
		{int64(1114), nil, "timestamp without time zone"},
		{int64(1009), nil, "text[]"},
		{int64(1015), int64(14), "character varying(10)[]"},
		{int64(1042), nil, "character"},
		{int64(1042), int64(-1), "bpchar"},
		{int64(1042), int64(5), "character(1)"},
		{int64(18), nil, `"char"`},
		{int64(701), nil, "double precision"},
		{int64(3802), nil, "jsonb"},
		{int64(0), nil, "-"},
		{int64(99999), nil, "???"},
		{nil, int64(1), nil},
	}
	for _, tc := range tests {
		got, err := call(t, nil, "format_type", nil, tc.oid, tc.mod)
		if err != nil || got != tc.want {
			t.Errorf("format_type(%v, %v) = %v, %v; want %v", tc.oid, tc.mod, got, err, tc.want)
		}
	}
}

func TestRegNames(t *testing.T) {
	f := newEnv(t)
	env := f.env
	devices := int64(f.devices.OID)
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"devices", devices, true}, {"public.devices", devices, true}, {`"devices"`, devices, true},
		{"DEVICES", devices, true}, {`"DEVICES"`, 0, false}, {"nope", 0, false},
		{"pg_class", 1259, true}, {"pg_catalog.pg_class", 1259, true},
		{"_timescaledb_internal." + f.chunks[0].Name, int64(ChunkOID(f.chunks[0].ID)), true},
		{f.chunks[0].Name, 0, false}, // not on the search path
		{"devices_pkey", int64(f.devices.Indexes[0].OID), true},
		{"12345", 12345, true},
	} {
		got, ok := RegclassOID(env, tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RegclassOID(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if _, err := ResolveRegclass(env, "nope"); pgerr.CodeOf(err) != pgerr.UndefinedTable {
		t.Errorf("ResolveRegclass error = %v", err)
	}
	for _, tc := range []struct {
		oid  int64
		want string
	}{
		{devices, "devices"}, {1259, "pg_class"}, {int64(ChunkOID(f.chunks[0].ID)), "_timescaledb_internal." + f.chunks[0].Name},
		{424242, "424242"},
	} {
		if got := RegclassName(env, tc.oid); got != tc.want {
			t.Errorf("RegclassName(%d) = %q, want %q", tc.oid, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"integer", 23}, {"int4", 23}, {"text[]", 1009}, {"character varying(20)", 1043},
		{"pg_catalog.int8", 20}, {"timestamp with time zone", 1184}, {"double precision", 701},
	} {
		if got, ok := RegtypeOID(tc.in); !ok || got != tc.want {
			t.Errorf("RegtypeOID(%q) = %d, %v", tc.in, got, ok)
		}
	}
	if RegtypeName(1184) != "timestamp with time zone" || RegtypeName(1009) != "text[]" {
		t.Errorf("RegtypeName: %q %q", RegtypeName(1184), RegtypeName(1009))
	}
	if RegnamespaceName(env, 2200) != "public" || RegroleName(env, 10) != "postgres" {
		t.Errorf("RegnamespaceName/RegroleName wrong")
	}
	if oid, ok := RegprocOID("pg_size_pretty"); !ok || RegprocName(oid) != "pg_size_pretty" {
		t.Errorf("RegprocOID round trip: %d %v", oid, ok)
	}
}

func TestSessionFunctions(t *testing.T) {
	f := newEnv(t)
	env := f.env
	check := func(name string, want any, args ...any) {
		t.Helper()
		got, err := call(t, env, name, nil, args...)
		if err != nil {
			t.Errorf("%s(%v): %v", name, args, err)
			return
		}
		if a, ok := got.(*types.Array); ok {
			got = types.FormatText(types.TextArray, a, nil)
		}
		if got != want {
			t.Errorf("%s(%v) = %#v, want %#v", name, args, got, want)
		}
	}
	check("current_database", "postgres")
	check("current_schema", "public")
	check("current_user", "postgres")
	check("user", "postgres")
	check("current_schemas", "{pg_catalog,public}", true)
	check("current_schemas", "{public}", false)
	check("current_setting", "150008", "server_version_num")
	check("current_setting", nil, "no.such", true)
	check("current_setting", "UTC", "timezone")
	check("parse_ident", `{myschema,"My Table"}`, `MySchema."My Table"`)
	check("pg_table_is_visible", true, int64(f.devices.OID))
	check("pg_table_is_visible", true, int64(1259))
	check("pg_table_is_visible", false, int64(ChunkOID(f.chunks[0].ID)))
	check("pg_get_userbyid", "postgres", int64(10))
	check("to_regclass", int64(f.devices.OID), "public.devices")
	check("to_regclass", nil, "missing")
	check("pg_get_serial_sequence", "public.devices_id_seq", "devices", "id")
	check("pg_get_serial_sequence", nil, "devices", "name")
	check("obj_description", nil, int64(f.devices.OID), "pg_class")
	check("has_table_privilege", true, "devices", "SELECT")
	check("pg_encoding_to_char", "UTF8", int64(6))
	check("pg_get_expr", "nextval('x'::regclass)", "nextval('x'::regclass)", int64(1))
	check("pg_table_size", int64(8192), int64(f.devices.OID))
	check("pg_total_relation_size", int64(10240+1<<20), int64(f.metrics.OID))
	check("pg_relation_size", int64(10240), int64(ChunkOID(f.chunks[0].ID)))
	check("pg_table_size", nil, int64(999999))
	if got, _ := call(t, env, "pg_database_size", []types.T{types.Name}, "postgres"); got != int64(8192+10240+1<<20) {
		t.Errorf("pg_database_size('postgres') = %v", got)
	}
	if got, _ := call(t, env, "pg_database_size", []types.T{types.Oid}, int64(5)); got != int64(8192+10240+1<<20) {
		t.Errorf("pg_database_size(5) = %v", got)
	}
	check("pg_is_in_recovery", false)

	if _, err := call(t, env, "current_setting", nil, "no.such"); pgerr.CodeOf(err) != pgerr.UndefinedObject ||
		err.Error() != `unrecognized configuration parameter "no.such"` {
		t.Errorf("current_setting unknown: %v", err)
	}
	if _, err := call(t, env, "parse_ident", nil, "a."); pgerr.CodeOf(err) != pgerr.InvalidParameterValue {
		t.Errorf("parse_ident bad: %v", err)
	}
	v, _ := call(t, env, "version", nil)
	if s, _ := v.(string); !strings.HasPrefix(s, "PostgreSQL 15.") {
		t.Errorf("version() = %q", v)
	}
	if _, err := call(t, nil, "current_database", nil); pgerr.CodeOf(err) != pgerr.Internal {
		t.Errorf("no env: %v", err)
	}
}
