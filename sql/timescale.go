package sql

import (
	"fmt"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// defaultChunkInterval is TimescaleDB's default chunk width for time
// columns: 7 days, in µs.
const defaultChunkInterval = 7 * 24 * 3600 * 1_000_000

// TimescaleDB's own SQLSTATE for "already a hypertable".
const codeTSAlreadyHypertable pgerr.Code = "TS110"

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
		Fn: func(_ *funcs.Ctx, at []types.T, a []any) (any, error) {
			var iv any
			var it types.T
			if len(a) > 1 {
				iv, it = a[1], at[1]
			}
			return &types.Record{Types: []types.T{types.Text, types.Text, it}, Vals: []any{"range", a[0], iv}}, nil
		}})
	funcs.RegisterScalar(&funcs.Scalar{Name: "by_hash", Args: []types.T{types.Text, types.Int4, types.Text},
		ArgNames: []string{"column_name", "number_partitions", "partition_func"}, Defaults: 1, Ret: funcs.Fixed(recordT),
		Fn: func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
			return &types.Record{Types: []types.T{types.Text, types.Text, types.Int4}, Vals: []any{"hash", a[0], a[1]}}, nil
		}})
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
	funcs.RegisterScalar(&funcs.Scalar{Name: "nextval", Args: []types.T{anyT}, Ret: funcs.Fixed(types.Int8), Volatile: true, Strict: true, Fn: nextval})
	funcs.RegisterScalar(&funcs.Scalar{Name: "currval", Args: []types.T{anyT}, Ret: funcs.Fixed(types.Int8), Volatile: true, Strict: true,
		Fn: func(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
			e := ctx.Extra.(*execEnv)
			name, err := e.seqName(a[0])
			if err != nil {
				return nil, err
			}
			v, ok := e.s.currval[name]
			if !ok {
				return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "currval of sequence %q is not yet defined in this session", name)
			}
			return v, nil
		}})
	funcs.RegisterScalar(&funcs.Scalar{Name: "setval", Args: []types.T{anyT, types.Int8}, Ret: funcs.Fixed(types.Int8), Volatile: true, Strict: true,
		Fn: func(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
			e := ctx.Extra.(*execEnv)
			name, err := e.seqName(a[0])
			if err != nil {
				return nil, err
			}
			return a[1], e.s.db.store.SetSequence("seq/"+name, a[1].(int64))
		}})
}

func envOf(ctx *funcs.Ctx) (*execEnv, error) {
	e, ok := ctx.Extra.(*execEnv)
	if !ok {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "function needs a session")
	}
	return e, nil
}

// tableArg resolves a regclass-like argument: an OID or a possibly
// qualified, possibly quoted name.
func (e *execEnv) tableArg(v any) (*catalog.Table, error) {
	switch x := v.(type) {
	case int64:
		if t := e.s.catalogSnap().TableByOID(uint32(x)); t != nil {
			return t, nil
		}
		return nil, pgerr.New(pgerr.UndefinedTable, "relation with OID %d does not exist", x)
	case string:
		on := parseQualified(x)
		if t := e.s.findTable(on); t != nil {
			return t, nil
		}
		return nil, noTable(on)
	}
	return nil, pgerr.New(pgerr.DatatypeMismatch, "invalid relation argument")
}

// parseQualified parses a relation name argument (see
// plan.ParseObjectName).
func parseQualified(s string) plan.ObjectName { return plan.ParseObjectName(s) }

// argAt returns argument i, or nil when the call has fewer arguments
// (see funcs.Arg).
func argAt(a []any, i int) any { return funcs.Arg(a, i) }

// boolAt returns boolean argument i, or def when it is absent or NULL
// (see funcs.BoolArg).
func boolAt(a []any, i int, def bool) bool { return funcs.BoolArg(a, i, def) }

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

func createHypertableOld(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	timeCol, _ := argAt(a, 1).(string)
	spec := hyperSpec{timeCol: timeCol, interval: argAt(a, 6), ifNotExists: boolAt(a, 8, false), migrate: boolAt(a, 10, false)}
	if pc, ok := argAt(a, 2).(string); ok {
		spec.spaceCol = pc
		n, _ := argAt(a, 3).(int64)
		spec.partitions = int(n)
		if n <= 0 {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid number of partitions: must be between 1 and 32767")
		}
	}
	spec.schema, _ = argAt(a, 4).(string)
	spec.prefix, _ = argAt(a, 5).(string)
	t, created, err := e.createHypertable(argAt(a, 0), spec)
	if err != nil {
		return nil, err
	}
	return &types.Record{Types: []types.T{types.Int4, types.Name, types.Name, types.Bool},
		Vals: []any{int64(t.Hyper.ID), t.Schema, t.Name, created}}, nil
}

func createHypertableNew(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	dim, ok := argAt(a, 1).(*types.Record)
	if !ok || len(dim.Vals) < 2 || dim.Vals[0] != "range" {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot partition using a closed dimension on primary column").
			WithHint("Use range partitioning on the primary column.")
	}
	col, _ := dim.Vals[1].(string)
	spec := hyperSpec{timeCol: col, interval: dim.Vals[2], ifNotExists: boolAt(a, 3, false), migrate: boolAt(a, 4, false)}
	t, created, err := e.createHypertable(argAt(a, 0), spec)
	if err != nil {
		return nil, err
	}
	return &types.Record{Types: []types.T{types.Int4, types.Bool}, Vals: []any{int64(t.Hyper.ID), created}}, nil
}

type hyperSpec struct {
	timeCol     string
	interval    any
	spaceCol    string
	partitions  int
	schema      string
	prefix      string
	ifNotExists bool
	migrate     bool
}

func (e *execEnv) createHypertable(rel any, spec hyperSpec) (*catalog.Table, bool, error) {
	s := e.s
	t, err := e.tableArg(rel)
	if err != nil {
		return nil, false, err
	}
	if t.Hyper != nil {
		if spec.ifNotExists {
			return t, false, nil
		}
		return nil, false, pgerr.New(codeTSAlreadyHypertable, "table %q is already a hypertable", t.Name)
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
	if ct.OID == types.OidDate && interval%86400_000_000 != 0 {
		return nil, false, pgerr.New(pgerr.InvalidParameterValue, "invalid interval for date dimension: must be a multiple of one day")
	}
	hasRows := s.hasRows(t)
	if hasRows && !spec.migrate {
		return nil, false, pgerr.New(pgerr.FeatureNotSupported, "table %q is not empty", t.Name).
			WithHint("You can migrate data by specifying 'migrate_data => true' when calling this function.")
	}
	nt := t.Clone()
	nt.Cols[ci].NotNull = true
	w := s.writer()
	id, err := w.NewHypertableID()
	if err != nil {
		return nil, false, err
	}
	nt.Hyper = &catalog.Hypertable{ID: id, TimeCol: nt.Cols[ci].ID, Interval: interval, AssociatedSchema: spec.schema, AssociatedPrefix: spec.prefix}
	if spec.spaceCol != "" {
		sc := nt.Col(spec.spaceCol)
		if sc == nil {
			return nil, false, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", spec.spaceCol)
		}
		nt.Hyper.Space = &catalog.SpaceDim{Col: sc.ID, Partitions: spec.partitions}
		addSpaceLastValue(nt, sc.ID)
	}
	var rows *col.Batch
	if hasRows {
		if rows, err = s.readAllRows(t); err != nil {
			return nil, false, err
		}
		if rows.Cols[ci].HasNulls() {
			return nil, false, notNullError(t, &t.Cols[ci])
		}
	}
	if err := w.PutTable(nt); err != nil {
		return nil, false, err
	}
	if rows != nil {
		s.txn.DropTable(uint64(t.OID))
		if _, err := s.appendHyper(e.execCtx(), nt, rows, nil); err != nil {
			return nil, false, err
		}
	}
	return nt, true, nil
}

// readAllRows reads a regular table into one batch (migrate_data).
func (s *session) readAllRows(t *catalog.Table) (*col.Batch, error) {
	vecs := make([]*col.Vec, len(t.Cols))
	for i, c := range t.Cols {
		vecs[i] = col.NewVec(c.Type.Kind(), 1024)
	}
	it := s.txn.Iter(storage.Space{Table: uint64(t.OID)}, nil, nil)
	defer it.Close()
	n := 0
	row := make([]any, len(t.Cols))
	for it.Next() {
		if err := table.DecodeRow(t, it.Value(), row); err != nil {
			return nil, err
		}
		for i, v := range row {
			vecs[i].Append(v)
		}
		n++
	}
	return col.FromVecs(vecs, n), it.Err()
}

func (e *execEnv) hypertableArg(v any) (*catalog.Table, error) {
	t, err := e.tableArg(v)
	if err != nil {
		return nil, err
	}
	if t.Hyper == nil {
		return nil, pgerr.New("TS102", "table %q is not a hypertable", t.Name)
	}
	return t, nil
}

func setChunkTimeInterval(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	t, err := e.hypertableArg(a[0])
	if err != nil {
		return nil, err
	}
	iv, err := intervalArg(a[1], t.Cols[t.ColByID(t.Hyper.TimeCol)].Type)
	if err != nil {
		return nil, err
	}
	nt := t.Clone()
	nt.Hyper.Interval = iv
	return "", e.s.writer().PutTable(nt)
}

func addDimensionOld(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	colName, _ := argAt(a, 1).(string)
	n, _ := argAt(a, 2).(int64)
	t, created, err := e.addDimension(a[0], colName, int(n), argAt(a, 3), boolAt(a, 5, false))
	if err != nil {
		return nil, err
	}
	return &types.Record{Types: []types.T{types.Int4, types.Name, types.Name, types.Name, types.Bool},
		Vals: []any{int64(2), t.Schema, t.Name, colName, created}}, nil
}

func addDimensionNew(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	dim, ok := argAt(a, 1).(*types.Record)
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
	_, created, err := e.addDimension(a[0], colName, int(n), iv, boolAt(a, 2, false))
	if err != nil {
		return nil, err
	}
	return &types.Record{Types: []types.T{types.Int4, types.Bool}, Vals: []any{int64(2), created}}, nil
}

func (e *execEnv) addDimension(rel any, colName string, partitions int, interval any, ifNotExists bool) (*catalog.Table, bool, error) {
	t, err := e.hypertableArg(rel)
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
		return nil, false, pgerr.New("TS201", "column %q is already a dimension", colName)
	}
	if partitions <= 0 {
		return nil, false, pgerr.New(pgerr.FeatureNotSupported, "only hash-partitioned space dimensions are supported; pass number_partitions")
	}
	if len(e.s.chunks(t.OID)) > 0 {
		return nil, false, pgerr.New(pgerr.FeatureNotSupported, "hypertable %q has data or empty chunks", t.Name)
	}
	nt := t.Clone()
	nt.Hyper.Space = &catalog.SpaceDim{Col: c.ID, Partitions: partitions}
	addSpaceLastValue(nt, c.ID)
	return nt, true, e.s.writer().PutTable(nt)
}

// showChunks lists chunk names of a hypertable, optionally only those
// entirely before older_than / after newer_than.
func showChunks(ctx any, args []any) ([][]any, error) {
	e := ctx.(*execEnv)
	t, err := e.policyTarget(args[0])
	if err != nil {
		return nil, err
	}
	tt := t.Cols[t.ColByID(t.Hyper.TimeCol)].Type
	older, newer := int64(maxInt64), int64(minInt64)
	for i, dst := range []*int64{&older, &newer} {
		v := argAt(args, i+1)
		if v == nil {
			continue
		}
		b, err := e.timeBound(v, tt)
		if err != nil {
			return nil, err
		}
		*dst = b
	}
	var out [][]any
	for _, c := range e.s.chunks(t.OID) {
		if c.End <= older && c.Start >= newer {
			out = append(out, []any{c.Schema + "." + c.Name})
		}
	}
	return out, nil
}

// timeBound converts an older_than/newer_than argument to time-column
// units: an interval means now() minus it.
func (e *execEnv) timeBound(v any, tt types.T) (int64, error) {
	switch x := v.(type) {
	case types.Interval:
		ts, err := types.SubInterval(types.Timestamptz, e.funcCtx().Now, x, e.s.loc)
		return ts, err
	case int64:
		return x, nil
	case string:
		if iv, err := types.ParseText(types.IntervalT, x, nil); err == nil {
			return e.timeBound(iv, tt)
		}
		ts, err := types.ParseText(types.Timestamptz, x, e.s.loc)
		if err != nil {
			return 0, err
		}
		return ts.(int64), nil
	}
	return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid time argument %v", v)
}

func (e *execEnv) seqName(v any) (string, error) {
	switch x := v.(type) {
	case string:
		on := parseQualified(x)
		if on.Schema == "" {
			on.Schema = catalog.SchemaPublic
		}
		if e.s.catalogSnap().Sequence(e.s.dbOID, on.Schema, on.Name) == 0 {
			return "", pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", x)
		}
		return fmt.Sprintf("%d.%s.%s", e.s.dbOID, on.Schema, on.Name), nil
	case int64:
		return fmt.Sprintf("oid.%d", x), nil
	}
	return "", pgerr.New(pgerr.DatatypeMismatch, "invalid sequence argument")
}

func nextval(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	name, err := e.seqName(a[0])
	if err != nil {
		return nil, err
	}
	v, err := e.s.db.store.NextSequence("seq/"+name, 1)
	if err != nil {
		return nil, err
	}
	if e.s.currval == nil {
		e.s.currval = map[string]int64{}
	}
	e.s.currval[name] = v
	return v, nil
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
