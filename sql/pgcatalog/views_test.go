package pgcatalog

import (
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

func TestPgClass(t *testing.T) {
	f := newEnv(t)
	names, rows := viewRows(t, f.env, "pg_catalog", "pg_class")
	tests := []struct {
		name     string
		kind     string
		ns       int64
		natts    int64
		hasIndex bool
	}{
		{"devices", "r", 2200, 3, true},
		{"devices_pkey", "i", 2200, 1, false},
		{"devices_name_key", "i", 2200, 1, false},
		{"devices_id_seq", "S", 2200, 3, false},
		{"metrics", "r", 2200, 3, false},
		{f.chunks[0].Name, "r", 13100, 3, false},
		{"pg_class", "r", 11, 33, false},
		{"pg_tables", "v", 11, 8, false},
		{"columns", "v", 13000, 44, false},
	}
	for _, tc := range tests {
		got := where(t, names, rows, "relname", tc.name)
		if len(got) != 1 {
			t.Errorf("%s: %d rows", tc.name, len(got))
			continue
		}
		r := got[0]
		if r["relkind"] != tc.kind || r["relnamespace"] != tc.ns || r["relnatts"] != tc.natts || r["relhasindex"] != tc.hasIndex {
			t.Errorf("%s: kind %v ns %v natts %v hasindex %v", tc.name, r["relkind"], r["relnamespace"], r["relnatts"], r["relhasindex"])
		}
		if r["relowner"] != int64(10) || r["relpersistence"] != "p" || r["reltuples"] != float64(-1) {
			t.Errorf("%s: fixed columns wrong: %v", tc.name, r)
		}
	}
	if got := where(t, names, rows, "relname", "pg_class"); got[0]["oid"] != int64(1259) {
		t.Errorf("pg_class oid = %v, want 1259", got[0]["oid"])
	}
	if got := where(t, names, rows, "relname", "metrics"); got[0]["relhassubclass"] != true {
		t.Errorf("hypertable relhassubclass = %v", got[0]["relhassubclass"])
	}
}

func TestPgAttribute(t *testing.T) {
	f := newEnv(t)
	names, rows := viewRows(t, f.env, "pg_catalog", "pg_attribute")
	got := where(t, names, rows, "attrelid", int64(f.devices.OID))
	if len(got) != 3 {
		t.Fatalf("devices attributes: %d", len(got))
	}
	want := []struct {
		name    string
		typ     uint32
		mod     int64
		notNull bool
		hasDef  bool
		coll    int64
		attlen  int64
	}{
		{"id", types.OidInt4, -1, true, true, 0, 4},
		{"name", types.OidVarchar, 24, true, false, 100, -1},
		{"price", types.OidNumeric, int64(types.NumericTypmod(10, 2)), false, false, 0, -1},
	}
	for i, w := range want {
		r := got[i]
		if r["attname"] != w.name || r["atttypid"] != int64(w.typ) || r["atttypmod"] != w.mod ||
			r["attnotnull"] != w.notNull || r["atthasdef"] != w.hasDef || r["attcollation"] != w.coll ||
			r["attnum"] != int64(i+1) || r["attlen"] != w.attlen || r["attisdropped"] != false {
			t.Errorf("attribute %d = %v", i, r)
		}
	}
}

func TestPgTypeIndexConstraint(t *testing.T) {
	f := newEnv(t)
	names, rows := viewRows(t, f.env, "pg_catalog", "pg_type")
	for _, tc := range []struct {
		oid            int64
		name, category string
		elem, array    int64
		typlen         int64
	}{
		{23, "int4", "N", 0, 1007, 4},
		{1007, "_int4", "A", 23, 0, -1},
		{1184, "timestamptz", "D", 0, 1185, 8},
		{25, "text", "S", 0, 1009, -1},
	} {
		got := where(t, names, rows, "oid", tc.oid)
		if len(got) != 1 {
			t.Fatalf("pg_type %d: %d rows", tc.oid, len(got))
		}
		r := got[0]
		if r["typname"] != tc.name || r["typcategory"] != tc.category || r["typelem"] != tc.elem ||
			r["typarray"] != tc.array || r["typlen"] != tc.typlen || r["typnamespace"] != int64(11) {
			t.Errorf("pg_type %d = %v", tc.oid, r)
		}
	}

	names, rows = viewRows(t, f.env, "pg_catalog", "pg_index")
	pk := where(t, names, rows, "indexrelid", int64(f.devices.Indexes[0].OID))
	if len(pk) != 1 || pk[0]["indisprimary"] != true || pk[0]["indisunique"] != true || pk[0]["indrelid"] != int64(f.devices.OID) {
		t.Fatalf("pg_index pkey = %v", pk)
	}
	key := pk[0]["indkey"].(*types.Array)
	if len(key.Vals) != 1 || key.Vals[0] != int64(1) || key.Lower[0] != 0 {
		t.Errorf("indkey = %+v", key)
	}

	names, rows = viewRows(t, f.env, "pg_catalog", "pg_constraint")
	if len(rows) != 2 {
		t.Fatalf("pg_constraint rows = %d", len(rows))
	}
	u := where(t, names, rows, "conname", "devices_name_key")
	if len(u) != 1 || u[0]["contype"] != "u" || u[0]["conindid"] != int64(f.devices.Indexes[1].OID) {
		t.Fatalf("unique constraint = %v", u)
	}
	def, err := call(t, f.env, "pg_get_constraintdef", nil, u[0]["oid"])
	if err != nil || def != "UNIQUE (name)" {
		t.Errorf("pg_get_constraintdef = %v, %v", def, err)
	}
	p := where(t, names, rows, "contype", "p")
	def, _ = call(t, f.env, "pg_get_constraintdef", nil, p[0]["oid"], true)
	if def != "PRIMARY KEY (id)" {
		t.Errorf("pg_get_constraintdef pkey = %v", def)
	}
	idx, _ := call(t, f.env, "pg_get_indexdef", nil, int64(f.devices.Indexes[0].OID))
	if idx != "CREATE UNIQUE INDEX devices_pkey ON public.devices USING btree (id)" {
		t.Errorf("pg_get_indexdef = %v", idx)
	}
	col, _ := call(t, f.env, "pg_get_indexdef", nil, int64(f.devices.Indexes[1].OID), int64(1), true)
	if col != "name" {
		t.Errorf("pg_get_indexdef column = %v", col)
	}
}

func TestInformationSchemaColumns(t *testing.T) {
	f := newEnv(t)
	names, rows := viewRows(t, f.env, "information_schema", "columns")
	got := where(t, names, rows, "table_name", "devices")
	if len(got) != 3 {
		t.Fatalf("columns of devices: %d", len(got))
	}
	want := []struct {
		col, dataType, udt, nullable string
		maxLen, prec, radix, scale   any
		def                          any
	}{
		{"id", "integer", "int4", "NO", nil, int64(32), int64(2), int64(0), "nextval('devices_id_seq'::regclass)"},
		{"name", "character varying", "varchar", "NO", int64(20), nil, nil, nil, nil},
		{"price", "numeric", "numeric", "YES", nil, int64(10), int64(10), int64(2), nil},
	}
	for i, w := range want {
		r := got[i]
		if r["column_name"] != w.col || r["data_type"] != w.dataType || r["udt_name"] != w.udt ||
			r["is_nullable"] != w.nullable || r["character_maximum_length"] != w.maxLen ||
			r["numeric_precision"] != w.prec || r["numeric_precision_radix"] != w.radix ||
			r["numeric_scale"] != w.scale || r["column_default"] != w.def ||
			r["ordinal_position"] != int64(i+1) || r["table_catalog"] != "postgres" || r["udt_schema"] != "pg_catalog" {
			t.Errorf("column %d = %v", i, r)
		}
	}
	m := where(t, names, rows, "table_name", "metrics")
	if len(m) != 3 || m[0]["data_type"] != "timestamp with time zone" || m[0]["datetime_precision"] != int64(6) ||
		m[2]["data_type"] != "double precision" {
		t.Errorf("metrics columns = %v", m)
	}

	names, rows = viewRows(t, f.env, "information_schema", "tables")
	d := where(t, names, rows, "table_name", "devices")
	if len(d) != 1 || d[0]["table_type"] != "BASE TABLE" || d[0]["table_schema"] != "public" || d[0]["is_insertable_into"] != "YES" {
		t.Errorf("tables devices = %v", d)
	}
	names, rows = viewRows(t, f.env, "information_schema", "schemata")
	if len(where(t, names, rows, "schema_name", "public")) != 1 {
		t.Errorf("schemata lacks public: %v", rows)
	}
	names, rows = viewRows(t, f.env, "information_schema", "key_column_usage")
	if k := where(t, names, rows, "constraint_name", "devices_pkey"); len(k) != 1 || k[0]["column_name"] != "id" {
		t.Errorf("key_column_usage = %v", k)
	}
}

func TestTimescaleInformation(t *testing.T) {
	f := newEnv(t)
	names, rows := viewRows(t, f.env, "timescaledb_information", "hypertables")
	if len(rows) != 2 {
		t.Fatalf("hypertables rows = %d", len(rows))
	}
	m := where(t, names, rows, "hypertable_name", "metrics")[0]
	if m["num_dimensions"] != int64(2) || m["num_chunks"] != int64(2) || m["compression_enabled"] != true || m["owner"] != "postgres" {
		t.Errorf("hypertables metrics = %v", m)
	}

	names, rows = viewRows(t, f.env, "timescaledb_information", "chunks")
	got := where(t, names, rows, "hypertable_name", "metrics")
	if len(got) != 2 {
		t.Fatalf("metrics chunks = %d", len(got))
	}
	c0 := got[0]
	// 2024-01-01 falls in the 7-day chunk starting Thursday 2023-12-28.
	const dec28 = int64(1703721600) * 1_000_000
	if c0["range_start"] != dec28 || c0["range_end"] != dec28+7*types.MicrosPerDay || c0["range_start_integer"] != nil ||
		c0["chunk_schema"] != "_timescaledb_internal" || c0["primary_dimension"] != "time" ||
		c0["primary_dimension_type"] != int64(types.OidTimestamptz) || c0["is_compressed"] != false {
		t.Errorf("chunk = %v", c0)
	}
	tk := where(t, names, rows, "hypertable_name", "ticks")
	if len(tk) != 1 || tk[0]["range_start_integer"] != int64(1000) || tk[0]["range_end_integer"] != int64(2000) || tk[0]["range_start"] != nil {
		t.Errorf("integer chunk = %v", tk)
	}

	names, rows = viewRows(t, f.env, "timescaledb_information", "dimensions")
	dims := where(t, names, rows, "hypertable_name", "metrics")
	if len(dims) != 2 || dims[0]["dimension_type"] != "Time" || dims[0]["time_interval"] != (types.Interval{Days: 7}) ||
		dims[1]["dimension_type"] != "Space" || dims[1]["num_partitions"] != int64(4) || dims[1]["column_name"] != "device" {
		t.Errorf("dimensions = %v", dims)
	}
	it := where(t, names, rows, "hypertable_name", "ticks")
	if len(it) != 1 || it[0]["integer_interval"] != int64(1000) || it[0]["time_interval"] != nil {
		t.Errorf("integer dimension = %v", it)
	}

	names, rows = viewRows(t, f.env, "timescaledb_information", "compression_settings")
	if len(rows) != 2 {
		t.Fatalf("compression_settings = %v", rows)
	}
	seg := where(t, names, rows, "attname", "device")
	ord := where(t, names, rows, "attname", "time")
	if seg[0]["segmentby_column_index"] != int64(1) || ord[0]["orderby_column_index"] != int64(1) ||
		ord[0]["orderby_asc"] != false || ord[0]["orderby_nullsfirst"] != true {
		t.Errorf("compression settings = %v %v", seg, ord)
	}
	names, rows = viewRows(t, f.env, "timescaledb_information", "hypertable_compression_settings")
	if hs := where(t, names, rows, "segmentby", "device"); len(hs) != 1 || hs[0]["orderby"] != "time DESC" {
		t.Errorf("hypertable_compression_settings = %v", rows)
	}
	names, rows = viewRows(t, f.env, "timescaledb_information", "compressed_chunk_stats")
	if len(rows) != 2 || rows[0][2] != "Uncompressed" || rows[0][11] != nil {
		t.Errorf("compressed_chunk_stats = %v %v", names, rows)
	}
	for _, v := range []string{"jobs", "job_stats", "job_errors", "continuous_aggregates"} {
		viewRows(t, f.env, "timescaledb_information", v)
	}
}

func TestSystemViews(t *testing.T) {
	f := newEnv(t)
	names, rows := viewRows(t, f.env, "pg_catalog", "pg_extension")
	if ts := where(t, names, rows, "extname", "timescaledb"); len(ts) != 1 || ts[0]["extversion"] != TimescaleVersion {
		t.Errorf("pg_extension = %v", rows)
	}
	names, rows = viewRows(t, f.env, "pg_catalog", "pg_namespace")
	if len(where(t, names, rows, "nspname", "pg_catalog")) != 1 || len(where(t, names, rows, "oid", int64(2200))) != 1 {
		t.Errorf("pg_namespace = %v", rows)
	}
	names, rows = viewRows(t, f.env, "pg_catalog", "pg_database")
	if d := where(t, names, rows, "datname", "postgres"); len(d) != 1 || d[0]["oid"] != int64(5) || d[0]["encoding"] != int64(6) {
		t.Errorf("pg_database = %v", rows)
	}
	names, rows = viewRows(t, f.env, "pg_catalog", "pg_roles")
	if r := where(t, names, rows, "rolname", "postgres"); len(r) != 1 || r[0]["oid"] != int64(10) || r[0]["rolsuper"] != true {
		t.Errorf("pg_roles = %v", rows)
	}
	names, rows = viewRows(t, f.env, "pg_catalog", "pg_tables")
	if r := where(t, names, rows, "tablename", "devices"); len(r) != 1 || r[0]["hasindexes"] != true || r[0]["tableowner"] != "postgres" {
		t.Errorf("pg_tables = %v", r)
	}
	names, rows = viewRows(t, f.env, "pg_catalog", "pg_indexes")
	if r := where(t, names, rows, "indexname", "devices_name_key"); len(r) != 1 ||
		r[0]["indexdef"] != "CREATE UNIQUE INDEX devices_name_key ON public.devices USING btree (name)" {
		t.Errorf("pg_indexes = %v", r)
	}
	names, rows = viewRows(t, f.env, "pg_catalog", "pg_settings")
	if r := where(t, names, rows, "name", "server_version_num"); len(r) != 1 || r[0]["setting"] != "150008" || r[0]["vartype"] != "integer" {
		t.Errorf("pg_settings = %v", r)
	}
	names, rows = viewRows(t, f.env, "pg_catalog", "pg_proc")
	if r := where(t, names, rows, "proname", "pg_size_pretty"); len(r) != 2 {
		t.Errorf("pg_proc pg_size_pretty rows = %d", len(r))
	}
	if r := where(t, names, rows, "proname", "count"); len(r) == 0 || r[0]["prokind"] != "a" {
		t.Errorf("pg_proc count = %v", r)
	}
	names, rows = viewRows(t, f.env, "pg_catalog", "pg_sequence")
	if len(rows) != 1 || rows[0][1] != int64(types.OidInt4) || rows[0][4] != int64(1<<31-1) {
		t.Errorf("pg_sequence = %v (%v)", rows, names)
	}
	names, rows = viewRows(t, f.env, "pg_catalog", "pg_inherits")
	if r := where(t, names, rows, "inhrelid", int64(ChunkOID(f.chunks[0].ID))); len(r) != 1 || r[0]["inhparent"] != int64(f.metrics.OID) {
		t.Errorf("pg_inherits = %v", rows)
	}
	// Every registered view must produce well-formed rows.
	for _, v := range viewOrder {
		viewRows(t, f.env, v.schema, v.name)
	}
	if _, _, ok := Lookup(catalog.SchemaCatalog, "no_such_view"); ok {
		t.Error("Lookup found a view that does not exist")
	}
}
