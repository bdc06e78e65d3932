package dml_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/dml"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// The COPY FROM fuzz targets feed arbitrary bytes to the text, CSV and
// binary parsers (copyReader) over a table of many column types, with
// the columns chosen by a bit mask, read in small batches. They check
// that the parsers never panic, that every error is a *pgerr.Error with an
// allowed SQLSTATE (copyFuzzCodeOK), and that the input read whole and
// trickled a few bytes at a time gives the same rows or error.
//
// Run one at a time, e.g.
//
//	go test -run='^$' -fuzz=FuzzCopyBinary -fuzztime=30s ./sql/dml/

// copyFuzzTable has one column of each type the fuzz targets exercise.
var copyFuzzTable = &catalog.Table{Name: "f", Cols: []catalog.Column{
	{Name: "t", Type: types.Timestamptz},
	{Name: "i", Type: types.Int4},
	{Name: "x", Type: types.Float8},
	{Name: "s", Type: types.Text},
	{Name: "b", Type: types.Bool},
	{Name: "n", Type: types.T{OID: types.OidNumeric, Mod: (6<<16 | 2) + 4}},
	{Name: "j", Type: types.JSONB},
	{Name: "a", Type: types.T{OID: types.OidInt4Array, Mod: -1}},
	{Name: "d", Type: types.Date},
	{Name: "v", Type: types.T{OID: types.OidVarchar, Mod: 4 + 4}},
	{Name: "iv", Type: types.IntervalT},
	{Name: "u", Type: types.UUID},
	{Name: "by", Type: types.Bytea},
	{Name: "i2", Type: types.Int2},
	{Name: "f4", Type: types.Float4},
	{Name: "tm", Type: types.Time},
}}

// copyFuzzCodeOK reports whether a COPY FROM error's SQLSTATE is one the
// parsers may raise on bad input: class 22 (data exception: bad COPY
// format 22P04, invalid text 22P02, invalid binary 22P03, out of range,
// too long, ...), and, as PostgreSQL's array_recv does, 42804 for a binary
// array of the wrong element type and class 54 for array size limits.
func copyFuzzCodeOK(c pgerr.Code) bool {
	return strings.HasPrefix(string(c), "22") || c == pgerr.DatatypeMismatch || strings.HasPrefix(string(c), "54")
}

// copyFuzzRun reads all of data as a COPY FROM of the columns in mask
// (bit i: column i of copyFuzzTable), step bytes per read, and describes
// the rows read or the error.
func copyFuzzRun(t *testing.T, format string, header bool, mask uint16, data []byte, step int) string {
	t.Helper()
	x := &plan.Copy{Table: copyFuzzTable, From: true, Format: format, Header: header,
		Delimiter: "\t", Null: `\N`, Quote: `"`, Escape: `"`}
	if format == "csv" {
		x.Delimiter, x.Null = ",", ""
	}
	for i := range copyFuzzTable.Cols {
		if mask&(1<<i) != 0 {
			x.Cols = append(x.Cols, i)
		}
	}
	cr := dml.NewCopyReader(copyFuzzTable, x, &trickleReader{data: data, step: step})
	var out strings.Builder
	for {
		b, err := cr.Batch(3)
		if err != nil {
			e, ok := pgerr.As(err)
			if !ok {
				t.Fatalf("%s COPY error is not a pgerr: %T %v", format, err, err)
			}
			if !copyFuzzCodeOK(e.Code) {
				t.Fatalf("%s COPY error with SQLSTATE %s: %v (%s)", format, e.Code, e, e.Where)
			}
			fmt.Fprintf(&out, "ERROR %s %s (%s)", e.Code, e.Message, e.Where)
			return out.String()
		}
		if b == nil {
			return out.String()
		}
		for r := 0; r < b.Len(); r++ {
			for j, v := range b.Cols {
				val := v.Get(b.Row(r))
				if val == nil {
					out.WriteString("NULL|")
					continue
				}
				out.WriteString(types.FormatText(copyFuzzTable.Cols[x.Cols[j]].Type, val, nil))
				out.WriteByte('|')
			}
			out.WriteByte('\n')
		}
	}
}

// copyFuzz is the body of the COPY FROM fuzz targets.
func copyFuzz(t *testing.T, format string, header bool, mask uint16, data []byte) {
	whole := copyFuzzRun(t, format, header, mask, data, math.MaxInt32)
	step := 1 + len(data)%7
	if trickled := copyFuzzRun(t, format, header, mask, data, step); trickled != whole {
		t.Fatalf("%s COPY of %q: whole and %d-byte reads differ:\n%s\n%s", format, data, step, whole, trickled)
	}
}

// Column masks of the seeds.
const (
	fuzzTI      = 0b11        // t, i
	fuzzScalars = 0b11111     // t, i, x, s, b
	fuzzAll     = 0xFFFF      // every column
	fuzzRich    = 0b111100000 // n, j, a, d
)

// copyFuzzSeed is a seed input: the column mask, HEADER and the data.
type copyFuzzSeed struct {
	mask   uint16
	header bool
	data   string
}

func addCopyFuzzSeeds(f *testing.F, seeds []copyFuzzSeed) {
	for _, s := range seeds {
		f.Add(s.mask, s.header, []byte(s.data))
	}
}

func FuzzCopyText(f *testing.F) {
	addCopyFuzzSeeds(f, []copyFuzzSeed{
		{fuzzTI, false, "2024-01-01 00:00:00+00\t1\n2024-01-01 00:00:01+00\t2\n\\.\n"},
		{fuzzTI, false, "2024-01-01\t\\N\n"},
		{fuzzScalars, false, "2024-01-01\t1\t1.5\ta\\tb\\n\\\\c\\x41\\101\tt\n"},
		{fuzzScalars, false, "2024-01-01\t1\t1.5\tabc\tyes\r\n\\N\t\\N\t\\N\t\\N\t\\N\n"},
		{fuzzTI, false, "x\t1\n"},
		{fuzzTI, false, "2024-01-01\t99999999999\n"},
		{fuzzTI, false, "2024-01-01\n"},
		{fuzzTI, false, "2024-01-01\t1\t2\n"},
		{fuzzTI, false, "\\."},
		{fuzzRich, false, "1.5\t{\"a\": [1, 2]}\t{1,NULL,3}\t2024-02-29\n"},
		{fuzzRich, false, "12345.678\t{bad\t{{1}}\t0000-01-01\n"},
		{fuzzAll, false, "no newline at end"},
		{fuzzAll, false, "\xff\xfe\t\x00\n"},
		{fuzzTI, true, "t\ti\n2024-01-01\t1\n"},
	})
	f.Fuzz(func(t *testing.T, mask uint16, header bool, data []byte) {
		copyFuzz(t, "text", header, mask, data)
	})
}

func FuzzCopyCSV(f *testing.F) {
	addCopyFuzzSeeds(f, []copyFuzzSeed{
		{fuzzTI, false, "2024-01-01 00:00:00+00,1\n2024-01-01 00:00:01+00,2\n"},
		{fuzzTI, false, "2024-01-01,\n"},
		{fuzzTI, false, "2024-01-01,\"\"\n"},
		{fuzzScalars, false, "2024-01-01,1,1.5,\"a,b\"\"c\nd\",t\n"},
		{fuzzScalars, false, "2024-01-01,1,1.5,\"unterminated\n"},
		{fuzzTI, false, "\"2024-01-01\",\"1\"\r\n"},
		{fuzzTI, false, "2024-01-01,1,2\n"},
		{fuzzTI, false, "2024-01-01\n"},
		{fuzzTI, false, "\\.\n"},
		{fuzzRich, false, "1.5,\"{\"\"a\"\": 1}\",\"{1,2}\",2024-01-01\n"},
		{fuzzTI, false, "x,y\n"},
		{fuzzTI, false, "\"\"\"\n"},
		{fuzzTI, true, "t,i\n2024-01-01,1\n"},
	})
	f.Fuzz(func(t *testing.T, mask uint16, header bool, data []byte) {
		copyFuzz(t, "csv", header, mask, data)
	})
}

func FuzzCopyBinary(f *testing.F) {
	ts := be64(8766 * types.MicrosPerDay)
	hdr := copyFile()
	cat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	seeds := []struct {
		mask uint16
		data []byte
	}{
		{fuzzTI, cat(hdr, binRow(ts, be32(1)), binRow(ts, nil), be16(-1))},
		{fuzzTI, cat(hdr, binRow(ts, be32(1)), binRow(ts, be16(2)), binRow(ts, be64(3)))},
		{fuzzTI, cat(hdr, binRow(be64(math.MaxInt64), be64(1<<40)), be16(-1))},
		{fuzzScalars, cat(hdr, binRow(ts, be32(7), bef64(1.5), []byte("a"), []byte{1}), be16(-1))},
		{fuzzRich, cat(hdr, binRow(numericBin(0, 0, 1, 1, 5000), append([]byte{1}, `{"a":1}`...),
			arrayBin(23, be32(1), nil), be32(8766)), be16(-1))},
		{fuzzTI, cat(dml.BinarySignature, be32(0), be32(4), []byte("ext!"), binRow(ts, be32(1)))},
		{fuzzTI, cat(hdr, be16(2), be32(8), ts, be32(-2))},
		{fuzzTI, cat(hdr, be16(3))},
		{fuzzTI, []byte("PGCOPY\n")},
		{fuzzTI, nil},
		{fuzzAll, cat(hdr, be16(16))},
	}
	for _, s := range seeds {
		f.Add(s.mask, s.data)
	}
	f.Fuzz(func(t *testing.T, mask uint16, data []byte) {
		copyFuzz(t, "binary", false, mask, data)
	})
}
