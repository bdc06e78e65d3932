package pgcatalog

import (
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// TestIndexOptions: per-column DESC / NULLS FIRST show in pg_get_indexdef
// and pg_index.indoption as PostgreSQL shows them.
func TestIndexOptions(t *testing.T) {
	tbl := &catalog.Table{Schema: "public", Name: "t", Cols: []catalog.Column{
		{ID: 1, Name: "device", Type: types.Text}, {ID: 2, Name: "time", Type: types.Timestamptz}, {ID: 3, Name: "v", Type: types.Int4}}}
	for _, tc := range []struct {
		opts []int16
		def  string
	}{
		{nil, `(device, "time", v)`},
		{[]int16{0, catalog.IndexDesc | catalog.IndexNullsFirst}, `(device, "time" DESC, v)`},
		{[]int16{catalog.IndexDesc, catalog.IndexNullsFirst, 0}, `(device DESC NULLS LAST, "time" NULLS FIRST, v)`},
	} {
		ix := &catalog.Index{Name: "t_idx", Cols: []uint32{1, 2, 3}, Options: tc.opts, Method: "btree"}
		if got, want := indexDef(tbl, ix), "CREATE INDEX t_idx ON public.t USING btree "+tc.def; got != want {
			t.Errorf("indexDef = %q, want %q", got, want)
		}
		_, _, _, opts := indexVectors(tbl, ix)
		for i := range ix.Cols {
			if opts[i] != int64(ix.Option(i)) {
				t.Errorf("indoption %v, want %v", opts, tc.opts)
			}
		}
		if got := indexColumnDef(tbl, ix, 2); got != `"time"` {
			t.Errorf("indexColumnDef = %q (no ordering, as PostgreSQL)", got)
		}
	}
}

// TestStandaloneUniqueIndex: CREATE UNIQUE INDEX makes no constraint; a
// UNIQUE constraint and a primary key do.
func TestStandaloneUniqueIndex(t *testing.T) {
	for _, tc := range []struct {
		ix   catalog.Index
		want string
	}{
		{catalog.Index{Unique: true, Primary: true}, "p"},
		{catalog.Index{Unique: true}, "u"},
		{catalog.Index{Unique: true, Standalone: true}, ""},
		{catalog.Index{}, ""},
	} {
		got, ok := constraintType(&tc.ix)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("constraintType(%+v) = %q, %v; want %q", tc.ix, got, ok, tc.want)
		}
	}
}

// TestProcArgs: pg_get_function_arguments shows parameter names (quoted
// when reserved) and, when the registry knows them, defaults; the
// identity form has no defaults. TimescaleDB's API lives in public.
func TestProcArgs(t *testing.T) {
	iv, tz := types.IntervalT, types.Timestamptz
	p := &proc{name: "time_bucket", kind: 'f', args: []types.T{iv, tz, tz, iv}, defaults: 2,
		argNames: []string{"bucket_width", "ts", "origin", "offset"}, defaultSQL: []string{"NULL::timestamp with time zone", "NULL::interval"}}
	if got, want := procArgs(p, true), `bucket_width interval, ts timestamp with time zone, origin timestamp with time zone DEFAULT NULL::timestamp with time zone, "offset" interval DEFAULT NULL::interval`; got != want {
		t.Errorf("procArgs = %q, want %q", got, want)
	}
	if got, want := procArgs(p, false), `bucket_width interval, ts timestamp with time zone, origin timestamp with time zone, "offset" interval`; got != want {
		t.Errorf("identity procArgs = %q, want %q", got, want)
	}
	if p.namespace() != publicSchemaOID || p.procKind() != "f" {
		t.Errorf("time_bucket: namespace %d kind %s", p.namespace(), p.procKind())
	}
	unnamed := &proc{name: "date_trunc", kind: 'f', args: []types.T{types.Text, tz}}
	if got := procArgs(unnamed, true); got != "text, timestamp with time zone" || unnamed.namespace() != pgCatalogSchemaOID || unnamed.argNamesDatum() != nil {
		t.Errorf("date_trunc: %q namespace %d", got, unnamed.namespace())
	}
	if (&proc{name: "refresh_continuous_aggregate", kind: 'f'}).procKind() != "p" {
		t.Error("refresh_continuous_aggregate is a procedure")
	}
}
