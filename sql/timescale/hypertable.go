package timescale

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Hypertables: create_hypertable (both signatures), by_range, by_hash,
// add_dimension, set_chunk_time_interval and set_integer_now_func.

// defaultChunkInterval is TimescaleDB's default chunk width for time
// columns: 7 days, in µs.
const defaultChunkInterval = 7 * types.MicrosPerDay

// TimescaleDB's own SQLSTATEs.
const (
	codeAlreadyHypertable pgerr.Code = "TS110"
	codeNotHypertable     pgerr.Code = "TS102"
	codeAlreadyDimension  pgerr.Code = "TS201"
)

var (
	anyT    = funcs.AnyT
	recordT = types.RecordT
)

func init() {
	chArgs := []types.T{anyT, types.Text, types.Text, types.Int4, types.Text, types.Text, anyT, types.Bool, types.Bool, types.Text, types.Bool, types.Text, types.Text, types.Text, types.Int4, anyT, types.Bool}
	chNames := []string{"relation", "time_column_name", "partitioning_column", "number_partitions", "associated_schema_name",
		"associated_table_prefix", "chunk_time_interval", "create_default_indexes", "if_not_exists", "partitioning_func",
		"migrate_data", "chunk_target_size", "chunk_sizing_func", "time_partitioning_func", "replication_factor", "data_nodes", "distributed"}
	funcs.RegisterScalar(&funcs.Scalar{Name: "create_hypertable", Args: chArgs, ArgNames: chNames, Defaults: len(chArgs) - 2,
		Ret: funcs.Fixed(recordT), Volatile: true, Fn: createHypertableOld,
		OutNames: []string{"hypertable_id", "schema_name", "table_name", "created"},
		OutTypes: []types.T{types.Int4, types.Name, types.Name, types.Bool}})
	funcs.RegisterScalar(&funcs.Scalar{Name: "create_hypertable", Args: []types.T{anyT, recordT, types.Bool, types.Bool, types.Bool},
		ArgNames: []string{"relation", "dimension", "create_default_indexes", "if_not_exists", "migrate_data"}, Defaults: 3,
		Ret: funcs.Fixed(recordT), Volatile: true, Fn: createHypertableNew,
		OutNames: []string{"hypertable_id", "created"}, OutTypes: []types.T{types.Int4, types.Bool}})
	funcs.RegisterScalar(&funcs.Scalar{Name: "by_range", Args: []types.T{types.Text, anyT, types.Text},
		ArgNames: []string{"column_name", "partition_interval", "partition_func"}, Defaults: 2, Ret: funcs.Fixed(recordT),
		Fn: byRange})
	funcs.RegisterScalar(&funcs.Scalar{Name: "by_hash", Args: []types.T{types.Text, types.Int4, types.Text},
		ArgNames: []string{"column_name", "number_partitions", "partition_func"}, Defaults: 1, Ret: funcs.Fixed(recordT),
		Fn: byHash})
	funcs.RegisterScalar(&funcs.Scalar{Name: "set_chunk_time_interval", Args: []types.T{anyT, anyT, types.Text},
		ArgNames: []string{"hypertable", "chunk_time_interval", "dimension_name"}, Defaults: 1, Ret: funcs.Fixed(types.Void),
		Volatile: true, Fn: setChunkTimeInterval})
	funcs.RegisterScalar(&funcs.Scalar{Name: "add_dimension", Args: []types.T{anyT, types.Text, types.Int4, anyT, types.Text, types.Bool},
		ArgNames: []string{"hypertable", "column_name", "number_partitions", "chunk_time_interval", "partitioning_func", "if_not_exists"},
		Defaults: 4, Ret: funcs.Fixed(recordT), Volatile: true, Fn: addDimensionOld,
		OutNames: []string{"dimension_id", "schema_name", "table_name", "column_name", "created"},
		OutTypes: []types.T{types.Int4, types.Name, types.Name, types.Name, types.Bool}})
	funcs.RegisterScalar(&funcs.Scalar{Name: "add_dimension", Args: []types.T{anyT, recordT, types.Bool},
		ArgNames: []string{"hypertable", "dimension", "if_not_exists"}, Defaults: 1, Ret: funcs.Fixed(recordT),
		Volatile: true, Fn: addDimensionNew, OutNames: []string{"dimension_id", "created"}, OutTypes: []types.T{types.Int4, types.Bool}})
	funcs.RegisterScalar(&funcs.Scalar{Name: "set_integer_now_func", Args: []types.T{anyT, types.Text, types.Bool},
		ArgNames: []string{"hypertable", "integer_now_func", "replace_if_exists"}, Defaults: 1,
		Ret: funcs.Fixed(types.Void), Volatile: true, Fn: setIntegerNowFunc})
}

// byRange is by_range(column_name, partition_interval): the dimension
// record create_hypertable's new signature takes.
func byRange(_ *funcs.Ctx, at []types.T, a []any) (any, error) {
	var iv any
	var it types.T
	if len(a) > 1 {
		iv, it = a[1], at[1]
	}
	return &types.Record{Types: []types.T{types.Text, types.Text, it}, Vals: []any{"range", a[0], iv}}, nil
}

// byHash is by_hash(column_name, number_partitions): a hash space
// dimension record for add_dimension's new signature.
func byHash(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
	return &types.Record{Types: []types.T{types.Text, types.Text, types.Int4}, Vals: []any{"hash", a[0], a[1]}}, nil
}

// resolveHypertable resolves a regclass-like argument (see
// Host.Relation) that must name a hypertable (else TS102).
func resolveHypertable(h Host, arg any) (*catalog.Table, error) {
	t, err := h.Relation(arg)
	if err != nil {
		return nil, err
	}
	if t.Hyper == nil {
		return nil, pgerr.New(codeNotHypertable, "table %q is not a hypertable", t.Name)
	}
	return t, nil
}

// intervalArg converts a chunk interval argument to time-column units.
func intervalArg(v any, t types.T) (int64, error) {
	switch x := v.(type) {
	case types.Interval:
		if t.IsInteger() {
			return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid interval type for %s dimension", t.Info().Name).
				WithHint("Use an interval of type integer.")
		}
		us := types.IntervalMicros(x)
		if us <= 0 {
			return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid interval: must be greater than 0")
		}
		return us, nil
	case int64:
		if x <= 0 {
			return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid interval: must be greater than 0")
		}
		return x, nil
	case string:
		iv, err := types.ParseText(types.IntervalT, x, nil)
		if err != nil {
			return 0, err
		}
		return intervalArg(iv, t)
	}
	return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid chunk_time_interval")
}

// createHypertableOld is create_hypertable(relation, time_column_name,
// partitioning_column, number_partitions, ...), the pre-2.13 signature.
func createHypertableOld(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	timeCol, _ := funcs.Arg(a, 1).(string)
	spec := hyperSpec{timeCol: timeCol, interval: funcs.Arg(a, 6), ifNotExists: funcs.BoolArg(a, 8, false), migrate: funcs.BoolArg(a, 10, false)}
	if pc, ok := funcs.Arg(a, 2).(string); ok {
		spec.spaceCol = pc
		n, _ := funcs.Arg(a, 3).(int64)
		spec.partitions = int(n)
		if n <= 0 {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid number of partitions: must be between 1 and 32767")
		}
	}
	spec.schema, _ = funcs.Arg(a, 4).(string)
	spec.prefix, _ = funcs.Arg(a, 5).(string)
	t, created, err := createHypertable(h, funcs.Arg(a, 0), spec)
	if err != nil {
		return nil, err
	}
	return &types.Record{Types: []types.T{types.Int4, types.Name, types.Name, types.Bool},
		Vals: []any{int64(t.Hyper.ID), t.Schema, t.Name, created}}, nil
}

// createHypertableNew is create_hypertable(relation, dimension =>
// by_range(...), ...), the 2.13 signature.
func createHypertableNew(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	dim, ok := funcs.Arg(a, 1).(*types.Record)
	if !ok || len(dim.Vals) < 2 || dim.Vals[0] != "range" {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot partition using a closed dimension on primary column").
			WithHint("Use range partitioning on the primary column.")
	}
	col, _ := dim.Vals[1].(string)
	spec := hyperSpec{timeCol: col, interval: dim.Vals[2], ifNotExists: funcs.BoolArg(a, 3, false), migrate: funcs.BoolArg(a, 4, false)}
	t, created, err := createHypertable(h, funcs.Arg(a, 0), spec)
	if err != nil {
		return nil, err
	}
	return &types.Record{Types: []types.T{types.Int4, types.Bool}, Vals: []any{int64(t.Hyper.ID), created}}, nil
}

// hyperSpec is what both create_hypertable signatures ask for.
type hyperSpec struct {
	timeCol     string
	interval    any // chunk_time_interval as given; nil: the default
	spaceCol    string
	partitions  int
	schema      string
	prefix      string
	ifNotExists bool
	migrate     bool
}

// createHypertable turns relation rel into a hypertable per spec and
// reports whether it did (false: it already was one and if_not_exists
// was given). With migrate_data the table's rows move into chunks in the
// same transaction.
func createHypertable(h Host, rel any, spec hyperSpec) (*catalog.Table, bool, error) {
	t, err := h.Relation(rel)
	if err != nil {
		return nil, false, err
	}
	if t.Hyper != nil {
		if spec.ifNotExists {
			return t, false, nil
		}
		return nil, false, pgerr.New(codeAlreadyHypertable, "table %q is already a hypertable", t.Name)
	}
	ci := t.ColIndex(spec.timeCol)
	if ci < 0 {
		return nil, false, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", spec.timeCol)
	}
	ct := t.Cols[ci].Type
	if !ct.IsTime() && !ct.IsInteger() {
		return nil, false, pgerr.New(pgerr.InvalidParameterValue, "invalid type for dimension %q", spec.timeCol).
			WithHint("Use an integer, timestamp, or date type.")
	}
	interval := int64(defaultChunkInterval)
	if spec.interval != nil {
		if interval, err = intervalArg(spec.interval, ct); err != nil {
			return nil, false, err
		}
	} else if ct.IsInteger() {
		return nil, false, pgerr.New(pgerr.InvalidParameterValue, "integer dimensions require an explicit interval")
	}
	if ct.OID == types.OidDate && interval%types.MicrosPerDay != 0 {
		return nil, false, pgerr.New(pgerr.InvalidParameterValue, "invalid interval for date dimension: must be a multiple of one day")
	}
	if _, fks := h.Catalog().ReferencedBy(h.Database(), t.OID); len(fks) > 0 {
		// A referenced hypertable's rewritten blocks would not run the
		// foreign keys' checks and actions; TimescaleDB refuses them too.
		return nil, false, pgerr.New(pgerr.FeatureNotSupported, "foreign keys to hypertables are not supported")
	}
	hasRows := h.HasRows(t)
	if hasRows && !spec.migrate {
		return nil, false, pgerr.New(pgerr.FeatureNotSupported, "table %q is not empty", t.Name).
			WithHint("You can migrate data by specifying 'migrate_data => true' when calling this function.")
	}
	nt := t.Clone()
	nt.Cols[ci].NotNull = true
	w := h.Writer()
	id, err := w.NewHypertableID()
	if err != nil {
		return nil, false, err
	}
	nt.Hyper = &catalog.Hypertable{ID: id, TimeCol: nt.Cols[ci].ID, Interval: interval, AssociatedSchema: spec.schema, AssociatedPrefix: spec.prefix}
	table.AdoptLastValueIndexes(nt)
	if spec.spaceCol != "" {
		sc := nt.Col(spec.spaceCol)
		if sc == nil {
			return nil, false, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", spec.spaceCol)
		}
		nt.Hyper.Space = &catalog.SpaceDim{Col: sc.ID, Partitions: spec.partitions}
		addSpaceLastValue(nt, sc.ID)
	}
	for i := range nt.Indexes {
		if err := table.VerifyHyperUnique(nt, &nt.Indexes[i]); err != nil {
			return nil, false, err
		}
	}
	var rows *col.Batch
	if hasRows {
		if rows, err = h.ReadRows(t); err != nil {
			return nil, false, err
		}
		if rows.Cols[ci].HasNulls() {
			c := &t.Cols[ci]
			return nil, false, table.NotNullError(t, c)
		}
	}
	if err := w.PutTable(nt); err != nil {
		return nil, false, err
	}
	if rows != nil {
		h.Txn().DropTable(uint64(t.OID))
		if err := h.AppendRows(nt, rows); err != nil {
			return nil, false, err
		}
	}
	return nt, true, nil
}

// setChunkTimeInterval is set_chunk_time_interval(hypertable,
// chunk_time_interval): it applies to chunks created from now on.
func setChunkTimeInterval(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	t, err := resolveHypertable(h, a[0])
	if err != nil {
		return nil, err
	}
	iv, err := intervalArg(a[1], timeType(t))
	if err != nil {
		return nil, err
	}
	nt := t.Clone()
	nt.Hyper.Interval = iv
	return "", h.Writer().PutTable(nt)
}

// spaceDimensionID is the dimension_id add_dimension reports: the time
// dimension is 1, the one space dimension tsgres supports is 2.
const spaceDimensionID = 2

// addDimensionOld is add_dimension(hypertable, column_name,
// number_partitions, ...), the pre-2.13 signature.
func addDimensionOld(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	colName, _ := funcs.Arg(a, 1).(string)
	n, _ := funcs.Arg(a, 2).(int64)
	t, created, err := addDimension(h, a[0], colName, int(n), funcs.Arg(a, 3), funcs.BoolArg(a, 5, false))
	if err != nil {
		return nil, err
	}
	return &types.Record{Types: []types.T{types.Int4, types.Name, types.Name, types.Name, types.Bool},
		Vals: []any{int64(spaceDimensionID), t.Schema, t.Name, colName, created}}, nil
}

// addDimensionNew is add_dimension(hypertable, dimension => by_hash(...)),
// the 2.13 signature.
func addDimensionNew(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	dim, ok := funcs.Arg(a, 1).(*types.Record)
	if !ok || len(dim.Vals) < 3 {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid dimension")
	}
	colName, _ := dim.Vals[1].(string)
	var n int64
	var iv any
	if dim.Vals[0] == "hash" {
		n, _ = dim.Vals[2].(int64)
	} else {
		iv = dim.Vals[2]
	}
	_, created, err := addDimension(h, a[0], colName, int(n), iv, funcs.BoolArg(a, 2, false))
	if err != nil {
		return nil, err
	}
	return &types.Record{Types: []types.T{types.Int4, types.Bool}, Vals: []any{int64(spaceDimensionID), created}}, nil
}

// addDimension adds a hash space dimension on colName to hypertable rel
// while it has no chunks. Only hash dimensions are supported (interval
// is accepted and ignored, as before).
func addDimension(h Host, rel any, colName string, partitions int, interval any, ifNotExists bool) (*catalog.Table, bool, error) {
	t, err := resolveHypertable(h, rel)
	if err != nil {
		return nil, false, err
	}
	c := t.Col(colName)
	if c == nil {
		return nil, false, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", colName)
	}
	if t.Hyper.Space != nil || c.ID == t.Hyper.TimeCol {
		if ifNotExists {
			return t, false, nil
		}
		return nil, false, pgerr.New(codeAlreadyDimension, "column %q is already a dimension", colName)
	}
	if partitions <= 0 {
		return nil, false, pgerr.New(pgerr.FeatureNotSupported, "only hash-partitioned space dimensions are supported; pass number_partitions")
	}
	if len(h.Chunks(t.OID)) > 0 {
		return nil, false, pgerr.New(pgerr.FeatureNotSupported, "hypertable %q has data or empty chunks", t.Name)
	}
	nt := t.Clone()
	nt.Hyper.Space = &catalog.SpaceDim{Col: c.ID, Partitions: partitions}
	addSpaceLastValue(nt, c.ID)
	return nt, true, h.Writer().PutTable(nt)
}

// addSpaceLastValue gives a hash space dimension's column a last-value
// index: it is the natural series key (device, sensor).
func addSpaceLastValue(t *catalog.Table, col uint32) {
	if t.HasLastValue(col) {
		return
	}
	t.NextSpace++
	t.Indexes = append(t.Indexes, catalog.Index{Name: t.Name + "_lastvalue_" + t.Cols[t.ColByID(col)].Name,
		Cols: []uint32{col, t.Hyper.TimeCol}, Space: t.NextSpace, Method: "lastvalue", LastValue: true})
}

// setIntegerNowFunc is set_integer_now_func(hypertable, integer_now_func,
// replace_if_exists): it records the function policies on an
// integer-time hypertable take as "now", validated as TimescaleDB does.
func setIntegerNowFunc(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	h, err := hostOf(ctx)
	if err != nil {
		return nil, err
	}
	t, err := resolveHypertable(h, funcs.Arg(a, 0))
	if err != nil {
		return nil, err
	}
	if t.Hyper.IntegerNowFunc != 0 && !funcs.BoolArg(a, 2, false) {
		return nil, pgerr.New(pgerr.DuplicateObject, "custom time function already set for hypertable %q", t.Name)
	}
	tt := timeType(t)
	if !tt.IsInteger() {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "custom time function not supported").
			WithHint("A custom time function can only be set for hypertables that have integer time dimensions.")
	}
	name, _ := funcs.Arg(a, 1).(string)
	f, err := h.Function(name)
	if err != nil {
		return nil, err
	}
	if len(f.ArgTypes) != 0 || f.IsProcedure() || f.Volatility == 'v' {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid custom time function").
			WithHint("A custom time function must take no arguments and be STABLE.")
	}
	if f.Ret.OID != tt.OID {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid custom time function").
			WithHint("The return type of the custom time function must be the same as the type of the time column of the hypertable.")
	}
	c := t.Clone()
	c.Hyper.IntegerNowFunc = f.OID
	return "", h.Writer().PutTable(c)
}
