package ddl

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// The pure helpers of the statements: column checks, key and index
// construction, option parsing and result-type checks. The statements
// themselves run against a real session in package sql's tests and the
// logic tests (compat-tests/logictest).

// wantErr fails t unless err is a *pgerr.Error with code and message.
func wantErr(t *testing.T, err error, code pgerr.Code, msg string) {
	t.Helper()
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want %s %q", err, code, msg)
	}
	if pe.Code != code || pe.Message != msg {
		t.Fatalf("got %s %q, want %s %q", pe.Code, pe.Message, code, msg)
	}
}

func cols(spec ...any) []catalog.Column {
	var out []catalog.Column
	for i := 0; i < len(spec); i += 2 {
		out = append(out, catalog.Column{Name: spec[i].(string), Type: spec[i+1].(types.T)})
	}
	return out
}

func TestCheckColumnNames(t *testing.T) {
	if err := CheckColumnNames(cols("a", types.Int4, "b", types.Text)); err != nil {
		t.Fatal(err)
	}
	if err := CheckColumnNames(nil); err != nil {
		t.Fatal(err)
	}
	wantErr(t, CheckColumnNames(cols("a", types.Int4, "b", types.Text, "a", types.Text)),
		pgerr.DuplicateColumn, `column "a" specified more than once`)
}

func TestReplaceableColumns(t *testing.T) {
	old := cols("a", types.Int4, "b", types.Text)
	for _, ok := range [][]catalog.Column{
		cols("a", types.Int4, "b", types.Text),
		cols("a", types.Int4, "b", types.Text, "c", types.Float8), // added at the end
	} {
		if err := replaceableColumns(old, ok); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	wantErr(t, replaceableColumns(old, cols("a", types.Int4)),
		pgerr.InvalidTableDefinition, "cannot drop columns from view")
	wantErr(t, replaceableColumns(old, cols("a", types.Int4, "c", types.Text)),
		pgerr.InvalidTableDefinition, `cannot change name of view column "b" to "c"`)
	wantErr(t, replaceableColumns(old, cols("a", types.Int8, "b", types.Text)),
		pgerr.InvalidTableDefinition, `cannot change data type of view column "a" from int4 to int8`)
}

func TestViewColumns(t *testing.T) {
	got := viewColumns([]plan.OutCol{{Name: "n", T: types.Int8}, {Name: "lit", T: types.Unknown}, {Name: "z"}})
	want := []catalog.Column{{ID: 1, Name: "n", Type: types.Int8}, {ID: 2, Name: "lit", Type: types.Text}, {ID: 3, Name: "z", Type: types.Text}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestAddIndexes(t *testing.T) {
	tb := &catalog.Table{Name: "t", Cols: cols("id", types.Int8, "a", types.Text, "b", types.Text)}
	if err := addIndexes(tb, []string{"id"}, [][]string{{"a", "b"}, {"b"}}); err != nil {
		t.Fatal(err)
	}
	for i, c := range tb.Cols {
		if c.ID != uint32(i+1) {
			t.Errorf("column %s has ID %d, want %d", c.Name, c.ID, i+1)
		}
	}
	if tb.NextColID != 3 || tb.NextSpace != 2 {
		t.Errorf("NextColID %d, NextSpace %d, want 3, 2", tb.NextColID, tb.NextSpace)
	}
	if !tb.Cols[0].NotNull || tb.Cols[1].NotNull {
		t.Error("only the primary key's column becomes NOT NULL")
	}
	want := []catalog.Index{
		{Name: "t_pkey", Cols: []uint32{1}, Unique: true, Primary: true, Method: "btree"},
		{Name: "t_a_b_key", Cols: []uint32{2, 3}, Unique: true, Space: 1, Method: "btree"},
		{Name: "t_b_key", Cols: []uint32{3}, Unique: true, Space: 2, Method: "btree"},
	}
	if !reflect.DeepEqual(tb.Indexes, want) {
		t.Fatalf("indexes\n%+v\nwant\n%+v", tb.Indexes, want)
	}

	// A later ADD COLUMN ... PRIMARY KEY: new columns get the next IDs,
	// a second primary key is refused.
	tb.Cols = append(tb.Cols, catalog.Column{Name: "c", Type: types.Int4})
	if err := addIndexes(tb, nil, [][]string{{"c"}}); err != nil {
		t.Fatal(err)
	}
	if tb.Cols[3].ID != 4 || tb.Indexes[3].Space != 3 {
		t.Errorf("new column ID %d, index space %d, want 4, 3", tb.Cols[3].ID, tb.Indexes[3].Space)
	}
	wantErr(t, addIndexes(tb, []string{"a"}, nil),
		pgerr.InvalidTableDefinition, `multiple primary keys for table "t" are not allowed`)
	wantErr(t, addIndexes(tb, nil, [][]string{{"nope"}}),
		pgerr.UndefinedColumn, `column "nope" named in key does not exist`)
}

func TestIndexesWithout(t *testing.T) {
	ixs := []catalog.Index{{Name: "a", Cols: []uint32{1}}, {Name: "ab", Cols: []uint32{1, 2}}, {Name: "c", Cols: []uint32{3}}}
	var names []string
	for _, ix := range indexesWithout(ixs, 2) {
		names = append(names, ix.Name)
	}
	if !reflect.DeepEqual(names, []string{"a", "c"}) {
		t.Fatalf("got %v", names)
	}
	if got := indexesWithout(ixs, 9); len(got) != 3 {
		t.Fatalf("dropping an unindexed column kept %d indexes", len(got))
	}
}

func TestCaggBoolOption(t *testing.T) {
	for _, v := range []string{"true", "ON", "yes", "1", "t"} {
		if b, err := caggBoolOption("o", v); err != nil || !b {
			t.Errorf("%q: %v %v", v, b, err)
		}
	}
	for _, v := range []string{"false", "Off", "no", "0", "f"} {
		if b, err := caggBoolOption("o", v); err != nil || b {
			t.Errorf("%q: %v %v", v, b, err)
		}
	}
	_, err := caggBoolOption("timescaledb.materialized_only", "maybe")
	wantErr(t, err, pgerr.InvalidParameterValue, `invalid value for boolean option "timescaledb.materialized_only": maybe`)
}

func TestDropKindAndDescription(t *testing.T) {
	for _, c := range []struct {
		t          *catalog.Table
		kind, desc string
	}{
		{&catalog.Table{}, "TABLE", "a table"},
		{&catalog.Table{View: &catalog.View{Kind: catalog.ViewPlain}}, "VIEW", "a view"},
		{&catalog.Table{View: &catalog.View{Kind: catalog.ViewMaterialized}}, "MATERIALIZED VIEW", "a materialized view"},
	} {
		if k, d := dropKind(c.t), relDescription(c.t); k != c.kind || d != c.desc {
			t.Errorf("got %s, %s; want %s, %s", k, d, c.kind, c.desc)
		}
	}
}

func TestCheckResultTypes(t *testing.T) {
	scalar := &catalog.Function{Ret: types.Int8}
	if err := checkResultTypes(scalar, []types.T{types.Int8}); err != nil {
		t.Fatal(err)
	}
	if err := checkResultTypes(scalar, []types.T{types.Int4}); err != nil {
		t.Fatalf("an int4 result casts to int8: %v", err)
	}
	mismatch := `return type mismatch in function declared to return bigint`
	wantErr(t, checkResultTypes(scalar, []types.T{types.Int8, types.Int8}), "42P13", mismatch)
	wantErr(t, checkResultTypes(scalar, []types.T{types.Bool}), "42P13", mismatch)

	out := &catalog.Function{Ret: types.RecordT, OutTypes: []types.T{types.Int8, types.Text}, RetRel: "pair"}
	if err := checkResultTypes(out, []types.T{types.Int8, types.Text}); err != nil {
		t.Fatal(err)
	}
	for _, got := range [][]types.T{{types.Int8}, {types.Int8, types.Text, types.Text}} {
		err := checkResultTypes(out, got)
		wantErr(t, err, "42P13", "return type mismatch in function declared to return pair")
	}
	if got := resultTypes([]plan.OutCol{{T: types.Int4}, {T: types.Int8, Hidden: true}, {T: types.Unknown}}); !reflect.DeepEqual(got, []types.T{types.Int4, types.Text}) {
		t.Fatalf("resultTypes: %v", got)
	}
}

func TestRoutineWord(t *testing.T) {
	if RoutineWord(true) != "procedure" || RoutineWord(false) != "function" {
		t.Fatal(RoutineWord(true), RoutineWord(false))
	}
}
