package timescale

import (
	"errors"
	"testing"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// fakeHost implements the Host methods the tests reach; the others
// panic through the nil embedded interface.
type fakeHost struct {
	Host
	tables map[string]*catalog.Table
	chunks []*catalog.Chunk
	now    int64
}

func (h *fakeHost) Chunks(uint32) []*catalog.Chunk { return h.chunks }
func (h *fakeHost) Now() int64                     { return h.now }
func (h *fakeHost) Location() *time.Location       { return time.UTC }

func (h *fakeHost) Relation(arg any) (*catalog.Table, error) {
	if t, ok := h.tables[arg.(string)]; ok {
		return t, nil
	}
	return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", arg)
}

// conditions returns a hypertable (time timestamptz, device text, temp
// float8) and, with compressed, a compression setting.
func conditions(compressed bool) *catalog.Table {
	t := &catalog.Table{OID: 100, Name: "conditions", Cols: []catalog.Column{
		{ID: 1, Name: "time", Type: types.Timestamptz}, {ID: 2, Name: "device", Type: types.Text}, {ID: 3, Name: "temp", Type: types.Float8}}}
	t.Hyper = &catalog.Hypertable{ID: 1, TimeCol: 1, Interval: defaultChunkInterval}
	if compressed {
		t.Hyper.Compression = &catalog.Compression{SegmentBy: []uint32{2}, OrderBy: []catalog.OrderCol{{Col: 1, Desc: true, NullsFirst: true}}}
	}
	return t
}

func code(err error) pgerr.Code {
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestSetCompression(t *testing.T) {
	for _, tc := range []struct {
		name       string
		compressed bool // compression on before
		chunkComp  bool // a chunk is compressed
		opts       map[string]string
		want       *catalog.Compression
		code       pgerr.Code
	}{
		{name: "on defaults", opts: map[string]string{OptCompress: "on"},
			want: &catalog.Compression{OrderBy: []catalog.OrderCol{{Col: 1, Desc: true, NullsFirst: true}}}},
		{name: "segmentby orderby", opts: map[string]string{OptCompress: "true", OptSegmentBy: "device", OptOrderBy: "time ASC, temp DESC NULLS LAST"},
			want: &catalog.Compression{SegmentBy: []uint32{2}, OrderBy: []catalog.OrderCol{{Col: 1}, {Col: 3, Desc: true}}}},
		{name: "interval", opts: map[string]string{OptCompress: "1", OptCompressInterval: "1 month 2 days"},
			want: &catalog.Compression{OrderBy: []catalog.OrderCol{{Col: 1, Desc: true, NullsFirst: true}}, ChunkInterval: 32 * types.MicrosPerDay}},
		{name: "keeps old settings", compressed: true, opts: map[string]string{OptCompressInterval: "1 day"},
			want: &catalog.Compression{SegmentBy: []uint32{2}, OrderBy: []catalog.OrderCol{{Col: 1, Desc: true, NullsFirst: true}}, ChunkInterval: types.MicrosPerDay}},
		{name: "off", compressed: true, opts: map[string]string{OptCompress: "off"}},
		{name: "bad flag", opts: map[string]string{OptCompress: "maybe"}, code: pgerr.InvalidParameterValue},
		{name: "options without compress", opts: map[string]string{OptCompress: "false", OptSegmentBy: "device"}, code: pgerr.InvalidParameterValue},
		{name: "unknown column", opts: map[string]string{OptCompress: "on", OptSegmentBy: "nope"}, code: pgerr.SyntaxError},
		{name: "duplicate segmentby", opts: map[string]string{OptCompress: "on", OptSegmentBy: "device, device"}, code: pgerr.SyntaxError},
		{name: "bad sort words", opts: map[string]string{OptCompress: "on", OptOrderBy: "time nulls"}, code: pgerr.SyntaxError},
		{name: "segment and order", opts: map[string]string{OptCompress: "on", OptSegmentBy: "device", OptOrderBy: "device"}, code: pgerr.SyntaxError},
		{name: "off with compressed chunks", compressed: true, chunkComp: true, opts: map[string]string{OptCompress: "off"}, code: pgerr.FeatureNotSupported},
		{name: "relayout with compressed chunks", compressed: true, chunkComp: true, opts: map[string]string{OptSegmentBy: ""}, code: pgerr.FeatureNotSupported},
		{name: "same layout with compressed chunks", compressed: true, chunkComp: true, opts: map[string]string{OptSegmentBy: "device"},
			want: &catalog.Compression{SegmentBy: []uint32{2}, OrderBy: []catalog.OrderCol{{Col: 1, Desc: true, NullsFirst: true}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nt := conditions(tc.compressed)
			h := &fakeHost{chunks: []*catalog.Chunk{{ID: 1, Compressed: tc.chunkComp}}}
			opts := map[string]string{"fillfactor": "70"}
			for k, v := range tc.opts {
				opts[k] = v
			}
			rest, err := SetCompression(h, nt, opts)
			if tc.code != "" {
				if code(err) != tc.code {
					t.Fatalf("error %v, want code %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rest) != 1 || rest["fillfactor"] != "70" {
				t.Errorf("rest = %v", rest)
			}
			got := nt.Hyper.Compression
			if (got == nil) != (tc.want == nil) || got != nil && (!sameLayout(got, tc.want) || got.ChunkInterval != tc.want.ChunkInterval) {
				t.Errorf("compression = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSetCompressionNotHypertable(t *testing.T) {
	nt := conditions(false)
	nt.Hyper = nil
	if _, err := SetCompression(&fakeHost{}, nt, map[string]string{OptCompress: "on"}); code(err) != pgerr.WrongObjectType {
		t.Fatalf("error %v, want 42809", err)
	}
	rest, err := SetCompression(&fakeHost{}, nt, map[string]string{"fillfactor": "70"})
	if err != nil || len(rest) != 1 {
		t.Fatalf("other options: %v, %v", rest, err)
	}
}

func TestResolveHypertable(t *testing.T) {
	plain := &catalog.Table{OID: 7, Name: "plain"}
	h := &fakeHost{tables: map[string]*catalog.Table{"conditions": conditions(false), "plain": plain}}
	if tb, err := resolveHypertable(h, "conditions"); err != nil || tb.Name != "conditions" {
		t.Errorf("conditions: %v, %v", tb, err)
	}
	if _, err := resolveHypertable(h, "plain"); code(err) != codeNotHypertable {
		t.Errorf("plain: %v, want TS102", err)
	}
	if _, err := resolveHypertable(h, "missing"); code(err) != pgerr.UndefinedTable {
		t.Errorf("missing: %v, want 42P01", err)
	}
}

func TestChunkFilter(t *testing.T) {
	c := &catalog.Chunk{Start: 100, End: 200, Created: 50}
	for _, tc := range []struct {
		f    ChunkFilter
		want bool
	}{
		{openFilter(), true},
		{ChunkFilter{}, false},
		{func() ChunkFilter { f := openFilter(); f.Older = 200; return f }(), true},
		{func() ChunkFilter { f := openFilter(); f.Older = 199; return f }(), false},
		{func() ChunkFilter { f := openFilter(); f.Newer = 100; return f }(), true},
		{func() ChunkFilter { f := openFilter(); f.Newer = 101; return f }(), false},
		{func() ChunkFilter { f := openFilter(); f.CreatedBefore = 50; return f }(), false},
		{func() ChunkFilter { f := openFilter(); f.CreatedAfter = 49; return f }(), true},
	} {
		if got := tc.f.Match(c); got != tc.want {
			t.Errorf("%+v.Match = %v, want %v", tc.f, got, tc.want)
		}
	}
}

func TestPointType(t *testing.T) {
	pt, err := pointType([]types.T{types.Regclass, types.Timestamptz, types.IntervalT, types.Bool, types.Timestamptz})
	if err != nil || pt.OID != types.OidTimestamptz {
		t.Errorf("pointType = %v, %v", pt, err)
	}
	if _, err := pointType([]types.T{types.Regclass, types.Int8, types.Date}); code(err) != pgerr.FeatureNotSupported {
		t.Errorf("mixed bounds: %v, want 0A000", err)
	}
	if pt, _ := pointType([]types.T{types.Regclass, types.Text}); pt.OID != 0 {
		t.Errorf("text only: %v", pt)
	}
}

func TestIntervalArg(t *testing.T) {
	for _, tc := range []struct {
		v    any
		t    types.T
		want int64
		code pgerr.Code
	}{
		{types.Interval{Days: 1}, types.Timestamptz, types.MicrosPerDay, ""},
		{"2 hours", types.Timestamp, 2 * 3600 * 1_000_000, ""},
		{int64(1000), types.Int8, 1000, ""},
		{int64(0), types.Int8, 0, pgerr.InvalidParameterValue},
		{types.Interval{Days: 1}, types.Int4, 0, pgerr.InvalidParameterValue},
		{types.Interval{Micros: -1}, types.Timestamptz, 0, pgerr.InvalidParameterValue},
		{1.5, types.Timestamptz, 0, pgerr.InvalidParameterValue},
	} {
		got, err := intervalArg(tc.v, tc.t)
		if code(err) != tc.code || got != tc.want {
			t.Errorf("intervalArg(%v, %v) = %d, %v; want %d, code %q", tc.v, tc.t.Info().Name, got, err, tc.want, tc.code)
		}
	}
}

func TestCutoffs(t *testing.T) {
	now := int64(1_700_000_000_000_000)
	h := &fakeHost{now: now}
	ts := conditions(false)
	got, err := dimensionCutoff(h, ts, types.IntervalT, types.Interval{Days: 1})
	if err != nil || got != now-types.MicrosPerDay {
		t.Errorf("interval cutoff = %d, %v", got, err)
	}
	got, err = dimensionCutoff(h, ts, types.Text, "1 day")
	if err != nil || got != now-types.MicrosPerDay {
		t.Errorf("interval text cutoff = %d, %v", got, err)
	}
	got, err = dimensionCutoff(h, ts, types.Text, "2000-01-01 00:00:00+00")
	if err != nil || got != 946_684_800_000_000 { // µs since the Unix epoch
		t.Errorf("timestamp text cutoff = %d, %v", got, err)
	}
	if _, err := dimensionCutoff(h, ts, types.Int8, int64(5)); code(err) != pgerr.InvalidParameterValue {
		t.Errorf("integer bound on time: %v", err)
	}
	ints := conditions(false)
	ints.Cols[0].Type = types.Int8
	if got, err := dimensionCutoff(h, ints, types.Int4, int64(5)); err != nil || got != 5 {
		t.Errorf("integer cutoff = %d, %v", got, err)
	}
}
