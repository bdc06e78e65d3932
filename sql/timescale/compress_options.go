package timescale

import (
	"errors"
	"slices"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Compression settings: the timescaledb.compress* options of ALTER TABLE
// ... SET (...), stored as the hypertable's catalog.Compression.

// Option keys of ALTER TABLE ... SET (timescaledb.compress...).
const (
	// OptCompress turns compression on or off (a boolean).
	OptCompress = "timescaledb.compress"
	// OptSegmentBy is the comma-separated segmentby column list.
	OptSegmentBy = "timescaledb.compress_segmentby"
	// OptOrderBy is the orderby list, in ORDER BY syntax.
	OptOrderBy = "timescaledb.compress_orderby"
	// OptCompressInterval is compress_chunk_time_interval (an interval).
	OptCompressInterval = "timescaledb.compress_chunk_time_interval"
)

// SetCompression applies the timescaledb.compress* options of ALTER
// TABLE nt SET (...) to nt's compression settings and returns the other
// options. Options left out keep their current values; turning
// compression on without an orderby orders by time DESC. Turning
// compression off, or changing segmentby or orderby, is refused while
// any of nt's chunks is compressed. The caller writes nt.
func SetCompression(h Host, nt *catalog.Table, opts map[string]string) (map[string]string, error) {
	rest := map[string]string{}
	ours := map[string]string{}
	for k, v := range opts {
		switch k {
		case OptCompress, OptSegmentBy, OptOrderBy, OptCompressInterval:
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
	if v, ok := ours[OptCompress]; ok {
		b, err := ParseCompressFlag(v)
		if err != nil {
			return nil, err
		}
		on = b
	}
	if !on {
		if old == nil && len(ours) > 1 {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "the option timescaledb.compress must be set to true to enable compression")
		}
		if err := checkNoCompressedChunks(h, nt); err != nil {
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
		if err := checkNoCompressedChunks(h, nt); err != nil {
			return nil, err
		}
	}
	nt.Hyper.Compression = comp
	return rest, nil
}

// checkNoCompressedChunks refuses a settings change while chunks are
// compressed with the current settings.
func checkNoCompressedChunks(h Host, t *catalog.Table) error {
	for _, c := range h.Chunks(t.OID) {
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
	if v, ok := opts[OptSegmentBy]; ok {
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
			if slices.Contains(comp.SegmentBy, id) {
				return nil, pgerr.New(pgerr.SyntaxError, "duplicate column name %q", n.Name).
					WithHint("The timescaledb.compress_segmentby option must reference distinct column.")
			}
			comp.SegmentBy = append(comp.SegmentBy, id)
		}
	}
	if v, ok := opts[OptOrderBy]; ok {
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
	if v, ok := opts[OptCompressInterval]; ok {
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
		if slices.Contains(comp.SegmentBy, o.Col) {
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
// interval) as µs, a month counting 30 days.
func compressIntervalOption(v string) (int64, error) {
	iv, err := types.ParseText(types.IntervalT, v, nil)
	if err != nil {
		return 0, err
	}
	i := iv.(types.Interval)
	return (int64(i.Months)*30+int64(i.Days))*types.MicrosPerDay + i.Micros, nil
}

// ParseCompressFlag reads a timescaledb.compress value as PostgreSQL
// reads a boolean option; anything else is 22023.
func ParseCompressFlag(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "on", "t", "1", "yes", "y":
		return true, nil
	case "false", "off", "f", "0", "no", "n":
		return false, nil
	}
	return false, pgerr.New(pgerr.InvalidParameterValue, "invalid value for %s %q", OptCompress, v).
		WithHint("Valid values are true and false.")
}
