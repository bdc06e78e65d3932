package pgcatalog

import (
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// testEnv is an Env over a real in-memory catalog.
type testEnv struct {
	store    *catalog.Store
	db       *catalog.Database
	settings [][2]string
	chunkSz  map[uint64]int64
	tableSz  map[uint32]int64
	partial  map[uint64]bool
}

func (e *testEnv) Catalog() *catalog.Snapshot { return e.store.Snapshot() }
func (e *testEnv) Store() *catalog.Store      { return e.store }
func (e *testEnv) ChunksOf(table uint32) []*catalog.Chunk {
	return e.store.Chunks(table)
}
func (e *testEnv) Database() uint32           { return e.db.OID }
func (e *testEnv) DatabaseName() string       { return e.db.Name }
func (e *testEnv) User() string               { return "postgres" }
func (e *testEnv) Settings() [][2]string      { return e.settings }
func (e *testEnv) ChunkBytes(id uint64) int64 { return e.chunkSz[id] }
func (e *testEnv) PartiallyCompressed(c *catalog.Chunk) bool {
	return e.partial[c.ID]
}
func (e *testEnv) TableBytes(oid uint32) int64 {
	return e.tableSz[oid]
}
func (e *testEnv) Setting(name string) (string, bool) {
	for _, kv := range e.settings {
		if kv[0] == name {
			return kv[1], true
		}
	}
	return "", false
}

// fixture holds the objects newEnv creates.
type fixture struct {
	env     *testEnv
	devices *catalog.Table // public.devices(id serial PK, name varchar(20) NOT NULL UNIQUE, price numeric(10,2))
	metrics *catalog.Table // public.metrics(time timestamptz NOT NULL, device int4, value float8) hypertable, space on device
	ticks   *catalog.Table // public.ticks(ts int8 NOT NULL, v text) integer-time hypertable
	chunks  []*catalog.Chunk
}

func newEnv(t *testing.T) *fixture {
	t.Helper()
	sdb, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	store, err := catalog.Open(sdb)
	if err != nil {
		t.Fatal(err)
	}
	db := store.Snapshot().Database(catalog.DefaultDatabase)
	txn := sdb.Begin()
	w := store.BeginDDL(txn)
	seq, err := w.CreateSequence(db.OID, "public", "devices_id_seq")
	if err != nil || seq == 0 {
		t.Fatal(err)
	}
	devices := &catalog.Table{DB: db.OID, Schema: "public", Name: "devices", Owner: "postgres",
		Cols: []catalog.Column{
			{Name: "id", Type: types.Int4, NotNull: true, Default: "nextval('devices_id_seq'::regclass)"},
			{Name: "name", Type: types.T{OID: types.OidVarchar, Mod: 20 + 4}, NotNull: true},
			{Name: "price", Type: types.T{OID: types.OidNumeric, Mod: types.NumericTypmod(10, 2)}},
		},
		Indexes: []catalog.Index{
			{Name: "devices_pkey", Cols: []uint32{1}, Unique: true, Primary: true, Method: "btree"},
			{Name: "devices_name_key", Cols: []uint32{2}, Unique: true, Method: "btree"},
		},
	}
	// Column IDs are assigned by CreateTable in order: 1, 2, 3.
	mustDo(t, w.CreateTable(devices))
	hid, err := w.NewHypertableID()
	mustDo(t, err)
	metrics := &catalog.Table{DB: db.OID, Schema: "public", Name: "metrics",
		Cols: []catalog.Column{
			{Name: "time", Type: types.Timestamptz, NotNull: true},
			{Name: "device", Type: types.Int4},
			{Name: "value", Type: types.Float8},
		},
	}
	mustDo(t, w.CreateTable(metrics))
	metrics = metrics.Clone()
	metrics.Hyper = &catalog.Hypertable{ID: hid, TimeCol: 1, Interval: 7 * types.MicrosPerDay,
		Space: &catalog.SpaceDim{Col: 2, Partitions: 4},
		Compression: &catalog.Compression{SegmentBy: []uint32{2},
			OrderBy: []catalog.OrderCol{{Col: 1, Desc: true, NullsFirst: true}}}}
	mustDo(t, w.PutTable(metrics))
	hid2, err := w.NewHypertableID()
	mustDo(t, err)
	ticks := &catalog.Table{DB: db.OID, Schema: "public", Name: "ticks",
		Cols:  []catalog.Column{{Name: "ts", Type: types.Int8, NotNull: true}, {Name: "v", Type: types.Text}},
		Hyper: &catalog.Hypertable{ID: hid2, TimeCol: 1, Interval: 1000}}
	mustDo(t, w.CreateTable(ticks))
	mustDo(t, w.CreateExtension(db.OID, "timescaledb", ""))
	mustDo(t, txn.Commit())
	w.Publish()

	snap := store.Snapshot()
	f := &fixture{devices: snap.TableByOID(devices.OID), metrics: snap.TableByOID(metrics.OID), ticks: snap.TableByOID(ticks.OID)}
	// 2024-01-01 00:00:00 UTC in µs.
	const jan1 = int64(1704067200) * 1_000_000
	for _, ts := range []int64{jan1, jan1 + 8*types.MicrosPerDay} {
		ch, err := store.ChunkFor(nil, f.metrics, ts, 0)
		mustDo(t, err)
		f.chunks = append(f.chunks, ch)
	}
	ch, err := store.ChunkFor(nil, f.ticks, 1500, 0)
	mustDo(t, err)
	f.chunks = append(f.chunks, ch)
	f.env = &testEnv{store: store, db: db,
		settings: [][2]string{{"search_path", `"$user", public`}, {"server_version", "15.8"},
			{"server_version_num", "150008"}, {"TimeZone", "UTC"}},
		chunkSz: map[uint64]int64{f.chunks[0].ID: 10240, f.chunks[1].ID: 1 << 20},
		tableSz: map[uint32]int64{f.devices.OID: 8192},
	}
	return f
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// viewRows returns a view's rows, checking each has one datum per column.
func viewRows(t *testing.T, env Env, schema, name string) ([]string, [][]any) {
	t.Helper()
	cols, rows, ok := Lookup(schema, name)
	if !ok {
		t.Fatalf("view %s.%s not found", schema, name)
	}
	out, err := rows(env)
	if err != nil {
		t.Fatalf("%s.%s: %v", schema, name, err)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	for _, r := range out {
		if len(r) != len(cols) {
			t.Fatalf("%s.%s: row has %d datums, want %d: %v", schema, name, len(r), len(cols), r)
		}
	}
	return names, out
}

// where returns the rows whose column col equals v.
func where(t *testing.T, names []string, rows [][]any, col string, v any) []map[string]any {
	t.Helper()
	idx := -1
	for i, n := range names {
		if n == col {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("no column %q in %v", col, names)
	}
	var out []map[string]any
	for _, r := range rows {
		if r[idx] == v {
			m := map[string]any{}
			for i, n := range names {
				m[n] = r[i]
			}
			out = append(out, m)
		}
	}
	return out
}

// call invokes a registered scalar function with the fixture's Env,
// choosing the overload by argument count and, when given, types.
func call(t *testing.T, env Env, name string, argTypes []types.T, args ...any) (any, error) {
	t.Helper()
	for _, s := range funcs.Scalars(name) {
		if len(args) > len(s.Args) || len(args) < len(s.Args)-s.Defaults {
			continue
		}
		if argTypes != nil {
			match := true
			for i, at := range argTypes {
				if s.Args[i].OID != at.OID && s.Args[i].OID != types.OidAny {
					match = false
				}
			}
			if !match {
				continue
			}
		}
		if s.Strict {
			for _, a := range args {
				if a == nil {
					return nil, nil
				}
			}
		}
		return s.Fn(&funcs.Ctx{Extra: env}, argTypes, args)
	}
	t.Fatalf("no overload of %s for %d args", name, len(args))
	return nil, nil
}
