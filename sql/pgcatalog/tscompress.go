package pgcatalog

import (
	"errors"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// TimescaleDB's compression statistics: chunk_compression_stats and
// hypertable_compression_stats (rows built here, called by the engine),
// and the 1.x view timescaledb_information.compressed_chunk_stats.
//
// Sizes are the stored bytes (keys and encoded values) of the chunk's
// blocks just before and just after compress_chunk, kept in the chunk's
// catalog record. tsgres keeps no per-chunk indexes and no TOAST, so those
// columns are 0; the single-node node_name is NULL.

// CompressionEnabled reports whether ALTER TABLE ... SET
// (timescaledb.compress) is on for hypertable t.
func CompressionEnabled(t *catalog.Table) bool {
	return t.Hyper != nil && t.Hyper.Compression != nil
}

// compressionStatsNames are the before/after columns shared by
// chunk_compression_stats and hypertable_compression_stats.
var compressionStatsNames = []string{
	"before_compression_table_bytes", "before_compression_index_bytes",
	"before_compression_toast_bytes", "before_compression_total_bytes",
	"after_compression_table_bytes", "after_compression_index_bytes",
	"after_compression_toast_bytes", "after_compression_total_bytes",
}

// sizeCols returns the before/after values of one chunk or a sum.
func sizeCols(before, after int64) []any {
	return []any{before, int64(0), int64(0), before, after, int64(0), int64(0), after}
}

// ChunkCompressionCols are the columns of chunk_compression_stats.
var ChunkCompressionCols = func() []plan.OutCol {
	out := cols(c("chunk_schema", types.Name), c("chunk_name", types.Name), c("compression_status", types.Text))
	for _, n := range compressionStatsNames {
		out = append(out, plan.OutCol{Name: n, T: types.Int8})
	}
	return append(out, plan.OutCol{Name: "node_name", T: types.Name})
}()

// ChunkCompressionStats returns the rows of chunk_compression_stats(t):
// byte columns are NULL for chunks that are not compressed.
func ChunkCompressionStats(env Env, t *catalog.Table) [][]any {
	var rows [][]any
	for _, ch := range chunksOf(env, t.OID) {
		row := []any{ch.Schema, ch.Name, compressionStatus(ch)}
		if ch.Compressed {
			row = append(row, sizeCols(ch.BeforeBytes, ch.AfterBytes)...)
		} else {
			row = append(row, make([]any, len(compressionStatsNames))...)
		}
		rows = append(rows, append(row, nil))
	}
	return rows
}

func compressionStatus(ch *catalog.Chunk) string {
	if ch.Compressed {
		return "Compressed"
	}
	return "Uncompressed"
}

// HypertableCompressionNames and HypertableCompressionTypes are the
// fields of hypertable_compression_stats' record.
var (
	HypertableCompressionNames = append(append([]string{"total_chunks", "number_compressed_chunks"}, compressionStatsNames...), "node_name")
	HypertableCompressionTypes = func() []types.T {
		ts := make([]types.T, len(HypertableCompressionNames))
		for i := range ts {
			ts[i] = types.Int8
		}
		ts[len(ts)-1] = types.Name
		return ts
	}()
)

// HypertableCompressionStats returns hypertable_compression_stats(t):
// chunk counts and the byte sums over compressed chunks (NULL when none
// is compressed, as TimescaleDB's sums are).
func HypertableCompressionStats(env Env, t *catalog.Table) []any {
	chunks := chunksOf(env, t.OID)
	var n, before, after int64
	for _, ch := range chunks {
		if ch.Compressed {
			n++
			before += ch.BeforeBytes
			after += ch.AfterBytes
		}
	}
	row := []any{int64(len(chunks)), n}
	if n == 0 {
		row = append(row, make([]any, len(compressionStatsNames))...)
	} else {
		row = append(row, sizeCols(before, after)...)
	}
	return append(row, nil)
}

// ColumnListItem is one element of a compress_segmentby or
// compress_orderby list: a column name and the lower-cased words after
// it (ASC, DESC, NULLS FIRST, ...).
type ColumnListItem struct {
	Name  string
	Words []string
}

// ParseColumnList parses a comma-separated column list option such as
// `a, "B c" DESC NULLS FIRST`. Names fold as identifiers do (quoted ones
// keep their case); an empty list has no items.
func ParseColumnList(s string) ([]ColumnListItem, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var items []ColumnListItem
	for _, elem := range splitOutsideQuotes(s, func(c byte) bool { return c == ',' }) {
		fields := splitOutsideQuotes(elem, func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' })
		var toks []string
		for _, f := range fields {
			if f != "" {
				toks = append(toks, f)
			}
		}
		if len(toks) == 0 {
			return nil, errors.New("empty column list element")
		}
		name, err := parseIdent(toks[0])
		if err != nil || len(name) != 1 {
			return nil, errors.New("column list element is not a column name")
		}
		it := ColumnListItem{Name: name[0]}
		for _, w := range toks[1:] {
			it.Words = append(it.Words, strings.ToLower(w))
		}
		items = append(items, it)
	}
	return items, nil
}

// splitOutsideQuotes splits s at the bytes sep accepts that are not
// inside double quotes.
func splitOutsideQuotes(s string, sep func(byte) bool) []string {
	var parts []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case !quoted && sep(s[i]):
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// orderByText renders compress_orderby items as TimescaleDB shows them
// ("time DESC", "a NULLS FIRST").
func orderByText(t *catalog.Table, ord []catalog.OrderCol) string {
	parts := make([]string, 0, len(ord))
	for _, o := range ord {
		p := colName(t, o.Col)
		if o.Desc {
			p += " DESC"
		}
		if !o.Desc && o.NullsFirst {
			p += " NULLS FIRST"
		} else if o.Desc && !o.NullsFirst {
			p += " NULLS LAST"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ",")
}

// colName returns the name of t's column id ("" when dropped).
func colName(t *catalog.Table, id uint32) string {
	if i := t.ColByID(id); i >= 0 {
		return t.Cols[i].Name
	}
	return ""
}

func init() {
	ts := catalog.SchemaTSInfo
	n, t, b, i2, i8 := types.Name, types.Text, types.Bool, types.Int2, types.Int8

	register(ts, "compression_settings", cols(c("hypertable_schema", n), c("hypertable_name", n),
		c("attname", n), c("segmentby_column_index", i2), c("orderby_column_index", i2),
		c("orderby_asc", b), c("orderby_nullsfirst", b)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				comp := h.Hyper.Compression
				if comp == nil {
					continue
				}
				for i, id := range comp.SegmentBy {
					rows = append(rows, []any{h.Schema, h.Name, colName(h, id), int64(i + 1), nil, nil, nil})
				}
				for i, o := range comp.OrderBy {
					rows = append(rows, []any{h.Schema, h.Name, colName(h, o.Col), nil, int64(i + 1), !o.Desc, o.NullsFirst})
				}
			}
			return rows, nil
		})

	register(ts, "hypertable_compression_settings", cols(c("hypertable", types.Regclass),
		c("segmentby", t), c("orderby", t), c("compress_interval_length", i8)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				comp := h.Hyper.Compression
				if comp == nil {
					continue
				}
				var seg, ord, iv any
				if len(comp.SegmentBy) > 0 {
					names := make([]string, len(comp.SegmentBy))
					for i, id := range comp.SegmentBy {
						names[i] = colName(h, id)
					}
					seg = strings.Join(names, ",")
				}
				if len(comp.OrderBy) > 0 {
					ord = orderByText(h, comp.OrderBy)
				}
				if comp.ChunkInterval != 0 {
					iv = comp.ChunkInterval
				}
				rows = append(rows, []any{i64(h.OID), seg, ord, iv})
			}
			return rows, nil
		})

	// The 1.x view: sizes as pg_size_pretty text, plus the byte counts
	// scripts compare (before/after_compression_total_bytes).
	pretty := func(v int64) any { return SizePretty(v) }
	register(ts, "compressed_chunk_stats", cols(c("hypertable_name", t), c("chunk_name", t),
		c("compression_status", t), c("uncompressed_heap_bytes", t), c("uncompressed_index_bytes", t),
		c("uncompressed_toast_bytes", t), c("uncompressed_total_bytes", t), c("compressed_heap_bytes", t),
		c("compressed_index_bytes", t), c("compressed_toast_bytes", t), c("compressed_total_bytes", t),
		c("before_compression_total_bytes", i8), c("after_compression_total_bytes", i8)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, h := range hypertables(env) {
				if !CompressionEnabled(h) {
					continue
				}
				for _, ch := range chunksOf(env, h.OID) {
					row := []any{h.Name, ch.Schema + "." + ch.Name, compressionStatus(ch)}
					if ch.Compressed {
						zero := pretty(0)
						row = append(row, pretty(ch.BeforeBytes), zero, zero, pretty(ch.BeforeBytes),
							pretty(ch.AfterBytes), zero, zero, pretty(ch.AfterBytes), ch.BeforeBytes, ch.AfterBytes)
					} else {
						row = append(row, make([]any, 10)...)
					}
					rows = append(rows, row)
				}
			}
			return rows, nil
		})
}
