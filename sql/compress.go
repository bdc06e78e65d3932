package sql

import (
	"errors"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// Compression: ALTER TABLE ... SET (timescaledb.compress...) settings,
// compress_chunk, decompress_chunk and the compression statistics.
//
// compress_chunk and decompress_chunk stage the rewrite of the chunk's
// blocks (storage.Txn.CompressChunk) and the chunk's new catalog record
// in the session's transaction: both take effect atomically at COMMIT,
// and a rollback undoes them. A commit that lost to a concurrent rewrite
// of the same blocks fails with 40001. Readers are never blocked.

// Option keys of ALTER TABLE ... SET (timescaledb.compress...).
const (
	optCompress         = "timescaledb.compress"
	optSegmentBy        = "timescaledb.compress_segmentby"
	optOrderBy          = "timescaledb.compress_orderby"
	optCompressInterval = "timescaledb.compress_chunk_time_interval"
)

func init() {
	b := types.Bool
	funcs.RegisterScalar(&funcs.Scalar{Name: "compress_chunk", Args: []types.T{anyT, b, b},
		ArgNames: []string{"uncompressed_chunk", "if_not_compressed", "recompress"}, Defaults: 2,
		Ret: funcs.Fixed(types.Regclass), Volatile: true, Fn: compressChunk})
	funcs.RegisterScalar(&funcs.Scalar{Name: "decompress_chunk", Args: []types.T{anyT, b},
		ArgNames: []string{"uncompressed_chunk", "if_compressed"}, Defaults: 1,
		Ret: funcs.Fixed(types.Regclass), Volatile: true, Fn: decompressChunk})
	funcs.RegisterScalar(&funcs.Scalar{Name: "hypertable_compression_stats", Args: []types.T{anyT},
		ArgNames: []string{"hypertable"}, Strict: true, Ret: funcs.Fixed(recordT),
		OutNames: pgcatalog.HypertableCompressionNames, OutTypes: pgcatalog.HypertableCompressionTypes,
		Fn: func(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
			e, err := envOf(ctx)
			if err != nil {
				return nil, err
			}
			t, err := e.policyTarget(a[0])
			if err != nil {
				return nil, err
			}
			return &types.Record{Types: pgcatalog.HypertableCompressionTypes, Vals: pgcatalog.HypertableCompressionStats(e, t)}, nil
		}})
}

// chunkCompressionStats is chunk_compression_stats(hypertable).
func chunkCompressionStats(ctx any, args []any) ([][]any, error) {
	e := ctx.(*execEnv)
	t, err := e.policyTarget(args[0])
	if err != nil {
		return nil, err
	}
	return pgcatalog.ChunkCompressionStats(e, t), nil
}

// chunkArg resolves a chunk argument (regclass OID or name) to the chunk
// and its hypertable.
func (e *execEnv) chunkArg(v any) (*catalog.Table, *catalog.Chunk, error) {
	var match func(*catalog.Chunk) bool
	shown := ""
	switch x := v.(type) {
	case int64:
		match = func(c *catalog.Chunk) bool { return int64(pgcatalog.ChunkOID(c.ID)) == x }
	case string:
		on := parseQualified(x)
		shown = on.Name
		match = func(c *catalog.Chunk) bool { return c.Name == on.Name && (on.Schema == "" || c.Schema == on.Schema) }
	default:
		return nil, nil, pgerr.New(pgerr.DatatypeMismatch, "invalid chunk argument")
	}
	for _, t := range e.s.catalogSnap().Tables(e.s.dbOID) {
		if t.Hyper == nil {
			continue
		}
		for _, c := range e.s.chunks(t.OID) {
			if match(c) {
				return t, c, nil
			}
		}
	}
	if t, err := e.tableArg(v); err == nil {
		return nil, nil, pgerr.New(pgerr.InvalidParameterValue, "%q is not a chunk", t.Name)
	}
	if shown == "" {
		return nil, nil, pgerr.New(pgerr.UndefinedTable, "chunk with OID %v does not exist", v)
	}
	return nil, nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", shown)
}

// chunkRegclass is the regclass value compress_chunk returns for c.
func chunkRegclass(c *catalog.Chunk) int64 { return int64(pgcatalog.ChunkOID(c.ID)) }

// compressChunk is compress_chunk(uncompressed_chunk, if_not_compressed
// => true, recompress => false). A partially compressed chunk (rows
// written after its compression) is compressed again, folding them in.
// Under compress_chunk_time_interval the chunk may be rolled up into the
// compressed chunk before it; the result is then that chunk.
func compressChunk(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	if argAt(a, 0) == nil {
		return nil, nil
	}
	t, c, err := e.chunkArg(a[0])
	if err != nil {
		return nil, err
	}
	if !pgcatalog.CompressionEnabled(t) {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "compression not enabled on %q", t.Name).
			WithDetail("It is not possible to compress chunks on a hypertable or continuous aggregate that does not have compression enabled.").
			WithHint("Enable compression using ALTER TABLE/MATERIALIZED VIEW with the timescaledb.compress option.")
	}
	if c.Compressed {
		partial, err := e.partiallyCompressed(t, c)
		if err != nil {
			return nil, err
		}
		if !partial && !boolAt(a, 2, false) {
			if boolAt(a, 1, true) {
				return chunkRegclass(c), nil
			}
			return nil, pgerr.New(pgerr.DuplicateObject, "chunk %q is already compressed", c.Name)
		}
	}
	nc, err := e.s.db.cat.CompressChunk(e.s.writer(), t, c)
	if err != nil {
		return nil, err
	}
	return chunkRegclass(nc), nil
}

// decompressChunk is decompress_chunk(uncompressed_chunk, if_compressed
// => true).
func decompressChunk(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	if argAt(a, 0) == nil {
		return nil, nil
	}
	_, c, err := e.chunkArg(a[0])
	if err != nil {
		return nil, err
	}
	if !c.Compressed {
		if boolAt(a, 1, true) {
			return chunkRegclass(c), nil
		}
		return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "chunk %q is not compressed", c.Name)
	}
	if _, err := e.s.db.cat.DecompressChunk(e.s.writer(), c); err != nil {
		return nil, err
	}
	return chunkRegclass(c), nil
}

// partiallyCompressed reports whether compressed chunk c has rows written
// since its compression (blocks that are not compressed), TimescaleDB's
// status 9.
func (e *execEnv) partiallyCompressed(t *catalog.Table, c *catalog.Chunk) (bool, error) {
	spec := &storage.ScanSpec{Chunk: c.ID, TimeCol: t.Hyper.TimeCol, TimeMin: storage.MinTime, TimeMax: storage.MaxTime}
	blocks, _, err := e.s.txn.Blocks(spec)
	if err != nil {
		return false, err
	}
	for _, b := range blocks {
		if !b.Compressed {
			return true, nil
		}
	}
	return false, nil
}

// setCompression applies the timescaledb.compress* options of ALTER
// TABLE nt SET (...) to nt's compression settings and returns the other
// options. Options left out keep their current values; turning
// compression on without an orderby orders by time DESC.
func (s *session) setCompression(nt *catalog.Table, opts map[string]string) (map[string]string, error) {
	rest := map[string]string{}
	ours := map[string]string{}
	for k, v := range opts {
		switch k {
		case optCompress, optSegmentBy, optOrderBy, optCompressInterval:
			ours[k] = v
		default:
			rest[k] = v
		}
	}
	if len(ours) == 0 {
		return rest, nil
	}
	if nt.Hyper == nil {
		return nil, pgerr.New(pgerr.WrongObjectType, "table %q is not a hypertable", nt.Name)
	}
	old := nt.Hyper.Compression
	on := old != nil
	if v, ok := ours[optCompress]; ok {
		b, err := compressFlag(v)
		if err != nil {
			return nil, err
		}
		on = b
	}
	if !on {
		if old == nil && len(ours) > 1 {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "the option timescaledb.compress must be set to true to enable compression")
		}
		if err := s.checkNoCompressedChunks(nt); err != nil {
			return nil, err
		}
		nt.Hyper.Compression = nil
		return rest, nil
	}
	comp, err := parseCompression(nt, old, ours)
	if err != nil {
		return nil, err
	}
	if old != nil && !sameLayout(old, comp) {
		if err := s.checkNoCompressedChunks(nt); err != nil {
			return nil, err
		}
	}
	nt.Hyper.Compression = comp
	return rest, nil
}

// checkNoCompressedChunks refuses a settings change while chunks are
// compressed with the current settings.
func (s *session) checkNoCompressedChunks(t *catalog.Table) error {
	for _, c := range s.chunks(t.OID) {
		if c.Compressed {
			return pgerr.New(pgerr.FeatureNotSupported, "cannot change configuration on already compressed chunks").
				WithDetail("There are compressed chunks that prevent changing the existing compression configuration.")
		}
	}
	return nil
}

// sameLayout reports whether a and b compress rows the same way.
func sameLayout(a, b *catalog.Compression) bool {
	if len(a.SegmentBy) != len(b.SegmentBy) || len(a.OrderBy) != len(b.OrderBy) {
		return false
	}
	for i := range a.SegmentBy {
		if a.SegmentBy[i] != b.SegmentBy[i] {
			return false
		}
	}
	for i := range a.OrderBy {
		if a.OrderBy[i] != b.OrderBy[i] {
			return false
		}
	}
	return true
}

// parseCompression builds t's settings from the options given, starting
// from old (nil when compression was off), checked as TimescaleDB does.
func parseCompression(t *catalog.Table, old *catalog.Compression, opts map[string]string) (*catalog.Compression, error) {
	comp := &catalog.Compression{}
	if old != nil {
		*comp = *old
	}
	if v, ok := opts[optSegmentBy]; ok {
		names, err := splitColumnList(v, nil)
		if err != nil {
			return nil, pgerr.New(pgerr.SyntaxError, "unable to parse segmenting option %q", v).
				WithHint("The option timescaledb.compress_segmentby must be a set of columns separated by commas.")
		}
		comp.SegmentBy = nil
		for _, n := range names {
			id, err := optionColumn(t, n.Name, "segmentby")
			if err != nil {
				return nil, err
			}
			if containsID(comp.SegmentBy, id) {
				return nil, pgerr.New(pgerr.SyntaxError, "duplicate column name %q", n.Name).
					WithHint("The timescaledb.compress_segmentby option must reference distinct column.")
			}
			comp.SegmentBy = append(comp.SegmentBy, id)
		}
	}
	if v, ok := opts[optOrderBy]; ok {
		items, err := splitColumnList(v, orderWords)
		if err != nil {
			return nil, pgerr.New(pgerr.SyntaxError, "unable to parse ordering option %q", v).
				WithHint("The timescaledb.compress_orderby option must be a set of column names with sort options, separated by commas. It is the same format as an ORDER BY clause.")
		}
		comp.OrderBy = nil
		for _, it := range items {
			id, err := optionColumn(t, it.Name, "orderby")
			if err != nil {
				return nil, err
			}
			for _, o := range comp.OrderBy {
				if o.Col == id {
					return nil, pgerr.New(pgerr.SyntaxError, "duplicate column name %q", it.Name).
						WithHint("The timescaledb.compress_orderby option must reference distinct column.")
				}
			}
			o, err := orderOf(id, it.Words)
			if err != nil {
				return nil, pgerr.New(pgerr.SyntaxError, "unable to parse ordering option %q", v)
			}
			comp.OrderBy = append(comp.OrderBy, o)
		}
	}
	if v, ok := opts[optCompressInterval]; ok {
		us, err := compressIntervalOption(v)
		if err != nil {
			return nil, err
		}
		comp.ChunkInterval = us
	}
	if len(comp.OrderBy) == 0 {
		comp.OrderBy = []catalog.OrderCol{{Col: t.Hyper.TimeCol, Desc: true, NullsFirst: true}}
	}
	for _, o := range comp.OrderBy {
		if containsID(comp.SegmentBy, o.Col) {
			name := t.Cols[t.ColByID(o.Col)].Name
			return nil, pgerr.New(pgerr.SyntaxError, "cannot use column %q for both ordering and segmenting", name).
				WithHint("Use separate columns for the timescaledb.compress_orderby and timescaledb.compress_segmentby options.")
		}
	}
	return comp, nil
}

// optionColumn returns the id of t's column name named in option kind
// ("segmentby" or "orderby").
func optionColumn(t *catalog.Table, name, kind string) (uint32, error) {
	c := t.Col(name)
	if c == nil {
		return 0, pgerr.New(pgerr.SyntaxError, "column %q does not exist", name).
			WithHint("The timescaledb.compress_%s option must reference a valid column.", kind)
	}
	return c.ID, nil
}

// orderWords are the words allowed after an orderby column.
var orderWords = map[string]bool{"asc": true, "desc": true, "nulls": true, "first": true, "last": true}

// splitColumnList parses a column list option; words after a name must
// be in allowed (nil: none allowed). An empty list is valid.
func splitColumnList(s string, allowed map[string]bool) ([]pgcatalog.ColumnListItem, error) {
	items, err := pgcatalog.ParseColumnList(s)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		for _, w := range it.Words {
			if !allowed[w] {
				return nil, errors.New("bad column list")
			}
		}
	}
	return items, nil
}

// orderOf builds an orderby column from its words ([ASC|DESC] [NULLS
// FIRST|LAST]); nulls default to first for DESC and last for ASC.
func orderOf(id uint32, words []string) (catalog.OrderCol, error) {
	o := catalog.OrderCol{Col: id}
	i := 0
	if i < len(words) && (words[i] == "asc" || words[i] == "desc") {
		o.Desc = words[i] == "desc"
		i++
	}
	o.NullsFirst = o.Desc
	if i+1 < len(words) && words[i] == "nulls" && (words[i+1] == "first" || words[i+1] == "last") {
		o.NullsFirst = words[i+1] == "first"
		i += 2
	}
	if i != len(words) {
		return o, errors.New("bad sort options")
	}
	return o, nil
}

// compressIntervalOption reads compress_chunk_time_interval (an
// interval) as µs.
func compressIntervalOption(v string) (int64, error) {
	iv, err := types.ParseText(types.IntervalT, v, nil)
	if err != nil {
		return 0, err
	}
	i := iv.(types.Interval)
	const usPerDay = 86_400_000_000
	return (int64(i.Months)*30+int64(i.Days))*usPerDay + i.Micros, nil
}

// compressFlag reads the timescaledb.compress value as PostgreSQL reads
// a boolean option.
func compressFlag(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "on", "t", "1", "yes", "y":
		return true, nil
	case "false", "off", "f", "0", "no", "n":
		return false, nil
	}
	return false, pgerr.New(pgerr.InvalidParameterValue, "invalid value for %s %q", optCompress, v).
		WithHint("Valid values are true and false.")
}
