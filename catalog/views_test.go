package catalog

import (
	"reflect"
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

// caggView returns a continuous aggregate view on source with
// materialization hypertable mat.
func caggView(db uint32, name string, source uint32, mat *Table) *Table {
	return &Table{
		DB: db, Schema: SchemaPublic, Name: name,
		Cols: []Column{{ID: 1, Name: "bucket", Type: types.Timestamptz}, {ID: 2, Name: "avg", Type: types.Float8}},
		View: &View{Kind: ViewPlain, SQL: "SELECT ...", Cagg: &Cagg{
			MatOID: mat.OID, MatID: mat.Hyper.ID, SourceOID: source, SourceTime: "time",
			TimeType: types.Timestamptz, BucketWidth: 3600 * second, GroupCols: []string{"bucket"},
			StateSelect: "time_bucket('1 hour', time), avg_state(value)",
			Outputs:     []CaggOutput{{Name: "bucket", Expr: "bucket"}, {Name: "avg", Expr: "avg_final(s)", Agg: "avg", States: []string{"s"}}},
		}},
	}
}

func TestCaggIndex(t *testing.T) {
	e := newEnv(t)
	pg := e.dbOID(DefaultDatabase)
	raw := e.newHyper("raw", types.Timestamptz, week, 0, nil)
	var mat1, mat2, hourly, daily *Table
	e.ddl(func(w *Writer) {
		if got := w.Snapshot().Caggs(pg); got != nil {
			t.Fatalf("Caggs without any = %v", got)
		}
		mat1 = hyperTable(w, pg, MaterializationName(0), types.Timestamptz, week, 0)
		mat1.Schema = SchemaInternal
		must(t, w.CreateTable(mat1))
		mat1.Name = MaterializationName(mat1.Hyper.ID)
		must(t, w.PutTable(mat1))
		hourly = caggView(pg, "hourly", raw.OID, mat1)
		must(t, w.CreateTable(hourly))
		// The index is rebuilt after every table change in the writer.
		if got := w.Snapshot().CaggsOn(raw.OID); len(got) != 1 || got[0] != hourly {
			t.Fatalf("CaggsOn in the writer = %v", got)
		}
		mat2 = hyperTable(w, pg, "mat2", types.Timestamptz, week, 0)
		must(t, w.CreateTable(mat2))
		daily = caggView(pg, "daily", hourly.OID, mat2) // hierarchical
		must(t, w.CreateTable(daily))
	})
	if got := MaterializationName(7); got != "_materialized_hypertable_7" {
		t.Fatalf("MaterializationName = %q", got)
	}
	if mat1.Name != MaterializationName(mat1.Hyper.ID) || e.cat.Snapshot().Table(pg, SchemaInternal, mat1.Name) == nil {
		t.Fatal("renamed materialization table not found under its new name")
	}
	check := func(round string) {
		s := e.cat.Snapshot()
		tests := []struct {
			name string
			got  any
			want any
		}{
			{"CaggsOn raw", names(s.CaggsOn(raw.OID)), []string{"hourly"}},
			{"CaggsOn hourly", names(s.CaggsOn(hourly.OID)), []string{"daily"}},
			{"CaggsOn daily", names(s.CaggsOn(daily.OID)), []string(nil)},
			{"CaggByMat", s.CaggByMat(mat2.OID).Name, "daily"},
			{"CaggByMat of a plain table", s.CaggByMat(raw.OID) == nil, true},
			{"CaggByMatID", s.CaggByMatID(mat1.Hyper.ID).Name, "hourly"},
			{"Caggs", names(s.Caggs(pg)), []string{"hourly", "daily"}},
			{"outputs", s.Table(pg, SchemaPublic, "hourly").View.Cagg.Outputs, hourly.View.Cagg.Outputs},
		}
		for _, tc := range tests {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("%s: %s = %v, want %v", round, tc.name, tc.got, tc.want)
			}
		}
	}
	check("published")
	e.reopen()
	check("reopened")
	e.ddl(func(w *Writer) { must(t, w.DropTable(w.Snapshot().Table(pg, SchemaPublic, "daily"))) })
	if s := e.cat.Snapshot(); len(s.CaggsOn(hourly.OID)) != 0 || s.CaggByMat(mat2.OID) != nil || len(s.Caggs(pg)) != 1 {
		t.Fatal("a dropped continuous aggregate is still indexed")
	}
}

func names(ts []*Table) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func TestCaggRunState(t *testing.T) {
	e := newEnv(t)
	txn := e.db.Begin()
	if _, ok, err := Watermark(txn, 1); ok || err != nil {
		t.Fatalf("watermark before any refresh: ok=%v err=%v", ok, err)
	}
	SetWatermark(txn, 1, -5)
	SetWatermark(txn, 2, 77)
	for _, r := range [][2]int64{{0, 10}, {-20, -10}, {5, 6}} {
		must(t, e.cat.AddInvalidation(txn, 1, r[0], r[1]))
	}
	must(t, e.cat.AddInvalidation(txn, 2, 1, 2))
	must(t, txn.Commit())
	e.reopen()

	txn = e.db.Begin()
	defer txn.Rollback()
	if wm, ok, err := Watermark(txn, 1); !ok || err != nil || wm != -5 {
		t.Fatalf("watermark = %d, %v, %v; want -5", wm, ok, err)
	}
	invs, err := Invalidations(txn, 1)
	must(t, err)
	var got [][2]int64
	for _, inv := range invs {
		got = append(got, [2]int64{inv.Lo, inv.Hi})
	}
	if want := [][2]int64{{0, 10}, {-20, -10}, {5, 6}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("invalidations = %v, want %v (in insertion order)", got, want)
	}
	DeleteInvalidation(txn, invs[1])
	if invs, _ = Invalidations(txn, 1); len(invs) != 2 || invs[1].Lo != 5 {
		t.Fatalf("after deleting one: %+v", invs)
	}
	must(t, DropCaggState(txn, 1))
	if invs, _ = Invalidations(txn, 1); len(invs) != 0 {
		t.Fatalf("invalidations after DropCaggState: %+v", invs)
	}
	if _, ok, _ := Watermark(txn, 1); ok {
		t.Fatal("watermark after DropCaggState")
	}
	// Another aggregate's state is untouched.
	if wm, ok, _ := Watermark(txn, 2); !ok || wm != 77 {
		t.Fatal("DropCaggState touched another aggregate's watermark")
	}
	if invs, _ = Invalidations(txn, 2); len(invs) != 1 || invs[0].Lo != 1 || invs[0].Hi != 2 {
		t.Fatalf("DropCaggState touched another aggregate's invalidations: %+v", invs)
	}
}

func TestInvalidationsBadRecord(t *testing.T) {
	e := newEnv(t)
	txn := e.db.Begin()
	defer txn.Rollback()
	txn.PutMeta(invalPrefix(3)+"x", []byte{1, 2, 3})
	if _, err := Invalidations(txn, 3); err == nil {
		t.Fatal("a short invalidation record was accepted")
	}
	txn.PutMeta(watermarkKey(3), []byte{1})
	if _, ok, err := Watermark(txn, 3); ok || err != nil {
		t.Fatalf("a short watermark: ok=%v err=%v, want not ok", ok, err)
	}
}
