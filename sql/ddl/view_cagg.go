package ddl

import (
	"context"
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/timescale"
)

// Continuous aggregates as views: CREATE MATERIALIZED VIEW ... WITH
// (timescaledb.continuous) and ALTER MATERIALIZED VIEW's options. What
// an aggregate is made of (materialization hypertable, refresh,
// invalidation) is package continuous's; DROP is in view_drop.go.

// createCagg creates the continuous aggregate x defines. WITH DATA (the
// default) commits the creation and then refreshes the aggregate in a
// transaction of its own, which is why it cannot run inside a
// transaction block.
func createCagg(ctx context.Context, h Host, x *plan.CreateMatView, w ResultWriter) error {
	schema := schemaOrDefault(h, x.Name.Schema)
	if h.Catalog().Table(h.Database(), schema, x.Name.Name) != nil {
		if x.IfNotExists {
			_ = w.Notice("NOTICE", "42P07", fmt.Sprintf("continuous aggregate %q already exists, skipping", x.Name.Name))
			return w.Complete("CREATE MATERIALIZED VIEW")
		}
		return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", x.Name.Name)
	}
	if x.WithData && h.InTransactionBlock() {
		return pgerr.New(pgerr.ActiveSQLTransaction, "CREATE MATERIALIZED VIEW ... WITH DATA cannot run inside a transaction block")
	}
	def := x.Cagg
	view, err := h.CreateCagg(continuous.Definition{DB: h.Database(), Schema: schema, Name: x.Name.Name,
		Owner: h.User(), SQL: x.SQL, Cagg: def.Cagg, MatCols: viewColumns(def.MatCols), Cols: viewColumns(x.Cols),
		ChunkInterval: def.ChunkInterval})
	if err != nil {
		return err
	}
	if !x.WithData {
		return w.Complete("CREATE MATERIALIZED VIEW")
	}
	if err := h.Commit(); err != nil {
		return err
	}
	_ = w.Notice("NOTICE", "00000", fmt.Sprintf("refreshing continuous aggregate %q", view.Name))
	if err := h.RefreshContinuousAggregate(ctx, view.OID); err != nil {
		return err
	}
	return w.Complete("CREATE MATERIALIZED VIEW")
}

// alterView runs ALTER MATERIALIZED VIEW ... SET (options). Only
// continuous aggregates take options: materialized_only, and the
// compression options, which apply to the materialization hypertable.
func alterView(h Host, x *plan.AlterView, w ResultWriter) error {
	t := findTable(h, x.Name)
	if t == nil {
		if x.IfExists {
			_ = w.Notice("NOTICE", "00000", fmt.Sprintf("relation %q does not exist, skipping", x.Name.Name))
			return w.Complete("ALTER MATERIALIZED VIEW")
		}
		return noTable(x.Name)
	}
	if !t.IsCagg() {
		for name := range x.Options {
			return pgerr.New(pgerr.InvalidParameterValue, "unrecognized parameter %q", name)
		}
		return w.Complete("ALTER MATERIALIZED VIEW")
	}
	nt := t.Clone()
	compress := map[string]string{}
	for name, v := range x.Options {
		if opt, ok := caggCompressOptions[name]; ok {
			compress[opt] = v
			continue
		}
		switch name {
		case "timescaledb.materialized_only", "tsdb.materialized_only":
			b, err := caggBoolOption(name, v)
			if err != nil {
				return err
			}
			nt.View.Cagg.MaterializedOnly = b
		default:
			return pgerr.New(pgerr.InvalidParameterValue, "unrecognized parameter %q", name)
		}
	}
	if len(compress) > 0 {
		if err := setCaggCompression(h, t, compress); err != nil {
			return err
		}
	}
	if err := h.Writer().PutTable(nt); err != nil {
		return err
	}
	return w.Complete("ALTER MATERIALIZED VIEW")
}

// caggBoolOption parses the value of boolean option name as PostgreSQL
// parses reloptions.
func caggBoolOption(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "on", "yes", "1", "t":
		return true, nil
	case "false", "off", "no", "0", "f":
		return false, nil
	}
	return false, pgerr.New(pgerr.InvalidParameterValue, "invalid value for boolean option %q: %s", name, v)
}

// caggCompressOptions maps ALTER MATERIALIZED VIEW compression options
// to the hypertable options they stand for.
var caggCompressOptions = map[string]string{
	"timescaledb.compress":                     timescale.OptCompress,
	"timescaledb.enable_columnstore":           timescale.OptCompress,
	"timescaledb.compress_segmentby":           timescale.OptSegmentBy,
	"timescaledb.segmentby":                    timescale.OptSegmentBy,
	"timescaledb.compress_orderby":             timescale.OptOrderBy,
	"timescaledb.orderby":                      timescale.OptOrderBy,
	"timescaledb.compress_chunk_time_interval": timescale.OptCompressInterval,
}

// setCaggCompression applies ALTER MATERIALIZED VIEW view SET
// (timescaledb.compress ...) to the materialization hypertable (see
// timescale.SetCompression). Turning compression on without a segmentby
// segments by the grouping columns other than the bucket, as TimescaleDB
// does.
func setCaggCompression(h Host, view *catalog.Table, opts map[string]string) error {
	c := view.View.Cagg
	mat := h.Catalog().TableByOID(c.MatOID)
	if mat == nil {
		return pgerr.New(pgerr.UndefinedTable, "materialization hypertable of continuous aggregate %q does not exist", view.Name)
	}
	nt := mat.Clone()
	on, _ := timescale.ParseCompressFlag(opts[timescale.OptCompress])
	if _, ok := opts[timescale.OptSegmentBy]; on && !ok && nt.Hyper.Compression == nil && len(c.GroupCols) > 1 {
		var cols []string
		for _, g := range c.GroupCols[1:] {
			cols = append(cols, plan.QuoteIdent(g))
		}
		opts[timescale.OptSegmentBy] = strings.Join(cols, ", ")
	}
	if _, err := h.SetCompression(nt, opts); err != nil {
		return err
	}
	return h.Writer().PutTable(nt)
}
