package sql

import (
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/timescale"
)

// Compression of a continuous aggregate: ALTER MATERIALIZED VIEW ... SET
// (timescaledb.compress ...) applies to its materialization hypertable
// (see timescale.SetCompression).

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
// (timescaledb.compress ...) to the materialization hypertable. Turning
// compression on without a segmentby segments by the grouping columns
// other than the bucket, as TimescaleDB does.
func (s *session) setCaggCompression(view *catalog.Table, opts map[string]string) error {
	c := view.View.Cagg
	mat := s.catalogSnap().TableByOID(c.MatOID)
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
	if _, err := s.setCompression(nt, opts); err != nil {
		return err
	}
	return s.writer().PutTable(nt)
}
