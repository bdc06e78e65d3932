package pgcatalog

import (
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

// TestCookedDefault: column defaults print as PostgreSQL 15's pg_get_expr
// prints them (the \d sensors case of TestPsqlMatchesPostgres compares
// the same defaults with a real server).
func TestCookedDefault(t *testing.T) {
	varchar10 := types.T{OID: types.OidVarchar, Mod: 14}
	for _, tc := range []struct {
		def  string
		typ  types.T
		want string
	}{
		{"'sensor'", types.Text, "'sensor'::text"},
		{"'it''s'", types.Text, "'it''s'::text"},
		{"'x'", varchar10, "'x'::character varying"},
		{"'5'", types.Int4, "5"},
		{"'-5'", types.Int4, "'-5'::integer"},
		{"'5'", types.Int8, "'5'::bigint"},
		{"'3.5'", types.T{OID: types.OidNumeric, Mod: int32(types.NumericTypmod(6, 2))}, "3.5"},
		{"'1 day'", types.IntervalT, "'1 day'::interval"},
		{"'yes'", types.Bool, "true"},
		{"0", types.Float8, "0"},
		{"-1", types.Int8, "'-1'::integer"},
		{"5000000000", types.Int8, "'5000000000'::bigint"},
		{"1.5", types.Float8, "1.5"},
		{"-2.50", types.Numeric, "'-2.50'::numeric"},
		{"true", types.Bool, "true"},
		{"now()", types.Timestamptz, "now()"},
		{"nextval('t_id_seq'::regclass)", types.Int4, "nextval('t_id_seq'::regclass)"},
		{"'a'::text", types.Text, "'a'::text"},
		{"'a' || 'b'", types.Text, "'a' || 'b'"},
		{"", types.Text, ""},
	} {
		if got := cookedDefault(tc.def, tc.typ); got != tc.want {
			t.Errorf("cookedDefault(%q, %s) = %q, want %q", tc.def, tc.typ.Info().Name, got, tc.want)
		}
	}
}
