package catalog

import (
	"reflect"
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

func TestFunctionHelpers(t *testing.T) {
	plain := &Function{ArgNames: []string{"a"}, ArgTypes: []types.T{types.Int4, types.Text}, Kind: FuncKindFunction, Language: LangSQL}
	withOut := &Function{Kind: FuncKindProcedure, Language: LangPlpgsql, ArgTypes: []types.T{types.Int4},
		Params: []Param{{Name: "x", Type: types.Int4, Mode: ParamIn}, {Name: "y", Type: types.Text, Mode: ParamOut}}}
	variadic := &Function{Params: []Param{{Type: types.Int4, Mode: ParamIn}, {Type: types.TextArray, Mode: ParamVariadic}}}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"AllParams from ArgTypes", plain.AllParams(), []Param{{Name: "a", Type: types.Int4, Mode: ParamIn}, {Type: types.Text, Mode: ParamIn}}},
		{"AllParams from Params", withOut.AllParams(), withOut.Params},
		{"HasOutParams plain", plain.HasOutParams(), false},
		{"HasOutParams OUT", withOut.HasOutParams(), true},
		{"HasOutParams VARIADIC", variadic.HasOutParams(), false},
		{"HasOutParams INOUT", (&Function{Params: []Param{{Mode: ParamInOut}}}).HasOutParams(), true},
		{"HasOutParams TABLE", (&Function{Params: []Param{{Mode: ParamTable}}}).HasOutParams(), true},
		{"IsInput IN", Param{Mode: ParamIn}.IsInput(), true},
		{"IsInput INOUT", Param{Mode: ParamInOut}.IsInput(), true},
		{"IsInput VARIADIC", Param{Mode: ParamVariadic}.IsInput(), true},
		{"IsInput OUT", Param{Mode: ParamOut}.IsInput(), false},
		{"IsInput TABLE", Param{Mode: ParamTable}.IsInput(), false},
		{"IsProcedure", withOut.IsProcedure(), true},
		{"IsProcedure function", plain.IsProcedure(), false},
		{"IsPlpgsql", withOut.IsPlpgsql(), true},
		{"IsPlpgsql sql", plain.IsPlpgsql(), false},
		{"SameArgs", plain.SameArgs([]types.T{types.Int4, types.Text}), true},
		{"SameArgs ignores typmod", plain.SameArgs([]types.T{{OID: types.OidInt4, Mod: 5}, types.Text}), true},
		{"SameArgs other type", plain.SameArgs([]types.T{types.Int8, types.Text}), false},
		{"SameArgs other count", plain.SameArgs([]types.T{types.Int4}), false},
		{"ResultTypes", (&Function{Ret: types.Int8}).ResultTypes(), []types.T{types.Int8}},
		{"ResultTypes OUT", (&Function{Ret: types.RecordT, OutTypes: []types.T{types.Int4, types.Text}}).ResultTypes(), []types.T{types.Int4, types.Text}},
		{"Signature", Signature("f", plain.ArgTypes), "f(integer, text)"},
		{"Signature no args", Signature("g", nil), "g()"},
	}
	for _, tc := range tests {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestFunctionsOverloads(t *testing.T) {
	e := newEnv(t)
	pg := e.dbOID(DefaultDatabase)
	var f1, f2, g *Function
	e.ddl(func(w *Writer) {
		must(t, w.CreateSchema(pg, "s"))
		f1 = &Function{DB: pg, Schema: SchemaPublic, Name: "f", ArgTypes: []types.T{types.Int4}, Ret: types.Int4}
		f2 = &Function{DB: pg, Schema: SchemaPublic, Name: "f", ArgTypes: []types.T{types.Text}, Ret: types.Text}
		g = &Function{DB: pg, Schema: "s", Name: "f", Ret: types.Void, Kind: FuncKindProcedure}
		for _, f := range []*Function{f1, f2, g} {
			must(t, w.PutFunction(f))
		}
	})
	// CREATE OR REPLACE: same OID, new body.
	e.ddl(func(w *Writer) {
		n := *w.Snapshot().FunctionByOID(f2.OID)
		n.Body = "SELECT 'x'"
		must(t, w.PutFunction(&n))
	})
	e.reopen()
	s := e.cat.Snapshot()
	tests := []struct {
		name       string
		schema, fn string
		wantOIDs   []uint32
	}{
		{"all overloads of f", "", "f", []uint32{f1.OID, f2.OID, g.OID}},
		{"f in public", SchemaPublic, "f", []uint32{f1.OID, f2.OID}},
		{"all in s", "s", "", []uint32{g.OID}},
		{"missing", SchemaPublic, "nope", nil},
	}
	for _, tc := range tests {
		var got []uint32
		for _, f := range s.Functions(pg, tc.schema, tc.fn) {
			got = append(got, f.OID)
		}
		if !reflect.DeepEqual(got, tc.wantOIDs) {
			t.Errorf("%s: OIDs %v, want %v", tc.name, got, tc.wantOIDs)
		}
	}
	if f := s.FunctionByOID(f2.OID); f == nil || f.Body != "SELECT 'x'" {
		t.Fatalf("replaced function = %+v", f)
	}
	if len(s.AllFunctions(pg+1)) != 0 {
		t.Fatal("functions listed for another database")
	}
	e.ddl(func(w *Writer) { must(t, w.DropFunction(f1.OID)) })
	e.reopen()
	if s := e.cat.Snapshot(); s.FunctionByOID(f1.OID) != nil || len(s.AllFunctions(pg)) != 2 {
		t.Fatal("dropped function still there after reopen")
	}
}
