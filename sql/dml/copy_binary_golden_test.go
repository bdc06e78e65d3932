package dml_test

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/sql/dml"
	"github.com/tsgres/tsgres/sql/pgerr"
)

var rewriteCopyBinary = flag.Bool("rewrite", false, "rewrite testdata/copy_binary.golden from the current code")

// copyBinaryField is one binary COPY field of a golden case; nil is NULL.
type copyBinaryField struct {
	name string
	b    []byte
}

func be16(x int16) []byte    { return binary.BigEndian.AppendUint16(nil, uint16(x)) }
func bef32(x float32) []byte { return be32(int32(math.Float32bits(x))) }

// numericBin encodes a binary numeric: ndigits, weight, sign, dscale and
// the base-10000 digits.
func numericBin(weight int16, sign uint16, dscale uint16, digits ...uint16) []byte {
	out := binary.BigEndian.AppendUint16(nil, uint16(len(digits)))
	out = binary.BigEndian.AppendUint16(out, uint16(weight))
	out = binary.BigEndian.AppendUint16(out, sign)
	out = binary.BigEndian.AppendUint16(out, dscale)
	for _, d := range digits {
		out = binary.BigEndian.AppendUint16(out, d)
	}
	return out
}

// arrayBin encodes a one-dimensional binary array of elements of OID elem.
func arrayBin(elem uint32, elems ...[]byte) []byte {
	out := be32(1)
	out = append(out, be32(0)...)
	out = binary.BigEndian.AppendUint32(out, elem)
	out = append(out, be32(int32(len(elems)))...)
	out = append(out, be32(1)...)
	for _, e := range elems {
		if e == nil {
			out = append(out, be32(-1)...)
			continue
		}
		out = append(out, be32(int32(len(e)))...)
		out = append(out, e...)
	}
	return out
}

// copyBinaryFields lists, per column type, the fields the golden test
// COPYs one at a time into a column of that type: well-formed values,
// values at and beyond the type's range and malformed bytes.
var copyBinaryFields = []struct {
	typ    string
	fields []copyBinaryField
}{
	{"bool", []copyBinaryField{{"true", []byte{1}}, {"false", []byte{0}}, {"two", []byte{2}},
		{"empty", []byte{}}, {"wide", []byte{1, 0}}, {"null", nil}}},
	{"int2", []copyBinaryField{{"int2", be16(-5)}, {"int4", be32(300)}, {"int4 big", be32(70000)},
		{"int8", be64(-32768)}, {"int8 big", be64(1 << 40)}, {"3 bytes", []byte{1, 2, 3}}, {"empty", []byte{}}}},
	{"int4", []copyBinaryField{{"int4", be32(math.MaxInt32)}, {"int2", be16(-7)}, {"int8", be64(-1)},
		{"int8 big", be64(1 << 40)}, {"int8 min", be64(math.MinInt64)}, {"1 byte", []byte{1}}, {"empty", []byte{}}}},
	{"int8", []copyBinaryField{{"int8", be64(math.MaxInt64)}, {"int4", be32(math.MinInt32)}, {"int2", be16(3)},
		{"5 bytes", []byte{1, 2, 3, 4, 5}}}},
	{"float4", []copyBinaryField{{"float4", bef32(0.5)}, {"float8", bef64(0.1)}, {"nan", bef32(float32(math.NaN()))},
		{"inf", bef32(float32(math.Inf(-1)))}, {"float8 huge", bef64(1e300)}, {"3 bytes", []byte{1, 2, 3}}}},
	{"float8", []copyBinaryField{{"float8", bef64(1.5)}, {"float4", bef32(0.1)}, {"inf", bef64(math.Inf(1))},
		{"nan", bef64(math.NaN())}, {"-0", bef64(math.Copysign(0, -1))}, {"5 bytes", []byte{1, 2, 3, 4, 5}}}},
	{"numeric", []copyBinaryField{{"1.5", numericBin(0, 0, 1, 1, 5000)}, {"-12345.678", numericBin(1, 0x4000, 3, 1, 2345, 6780)},
		{"zero scale 2", numericBin(0, 0, 2)}, {"nan", numericBin(0, 0xC000, 0)}, {"+inf", numericBin(0, 0xD000, 0)},
		{"-inf", numericBin(0, 0xF000, 0)}, {"bad sign", numericBin(0, 0x1234, 0, 1)},
		{"bad digit", numericBin(0, 0, 0, 10000)}, {"bad scale", numericBin(0, 0, 0x4000, 1)},
		{"short", []byte{0, 1, 0}}, {"length mismatch", append(numericBin(0, 0, 0, 1), 0)}}},
	{"numeric(5,2)", []copyBinaryField{{"1.005", numericBin(0, 0, 3, 1, 50)}, {"123.456", numericBin(0, 0, 3, 123, 4560)},
		{"1234.5", numericBin(0, 0, 1, 1234, 5000)}}},
	{"text", []copyBinaryField{{"abc", []byte("abc")}, {"empty", []byte{}}, {"tab", []byte("x\ty")},
		{"bad utf8", []byte{0xff, 0xfe}}, {"nul", []byte("a\x00b")}, {"big", []byte(strings.Repeat("x", 70<<10))}}},
	{"varchar(3)", []copyBinaryField{{"fits", []byte("ab")}, {"too long", []byte("abcd")}, {"trailing spaces", []byte("abc  ")}}},
	{"char(3)", []copyBinaryField{{"short", []byte("a")}, {"too long", []byte("abcd")}}},
	{"name", []copyBinaryField{{"short", []byte("n")}, {"long", []byte(strings.Repeat("é", 40))}}},
	{`"char"`, []copyBinaryField{{"one", []byte("q")}, {"two", []byte("qr")}}},
	{"bytea", []copyBinaryField{{"bytes", []byte{0, 1, 0xff}}, {"empty", []byte{}}}},
	{"uuid", []copyBinaryField{{"uuid", []byte("0123456789abcdef")}, {"15 bytes", []byte("0123456789abcde")}}},
	{"json", []copyBinaryField{{"object", []byte(`{"b": 1, "a": [1, 2]}`)}, {"bad", []byte(`{bad`)}, {"empty", []byte{}}}},
	{"jsonb", []copyBinaryField{{"object", append([]byte{1}, `{"b": 1, "a": 2}`...)},
		{"version 2", append([]byte{2}, `{}`...)}, {"bad", append([]byte{1}, `[1,`...)}, {"empty", []byte{}}}},
	{"timestamp", []copyBinaryField{{"2024", be64(8766 * 86400_000_000)}, {"epoch", be64(0)},
		{"before 2000", be64(-1)}, {"far future", be64(365 * 1000 * 86400_000_000)},
		{"infinity", be64(math.MaxInt64)}, {"-infinity", be64(math.MinInt64)}, {"year 148138", be64(1 << 62)},
		{"too big", be64(math.MaxInt64 - 1)},
		{"too small", be64(-(1 << 62))}, {"7 bytes", make([]byte, 7)}}},
	{"timestamptz", []copyBinaryField{{"2024", be64(8766*86400_000_000 + 1)}, {"infinity", be64(math.MaxInt64)},
		{"too big", be64(math.MaxInt64 - 1)}, {"4 bytes", be32(1)}}},
	{"date", []copyBinaryField{{"2024", be32(8766)}, {"epoch", be32(0)}, {"far", be32(1 << 21)},
		{"infinity", be32(math.MaxInt32)}, {"-infinity", be32(math.MinInt32)}, {"too small", be32(-3_000_000)},
		{"too big", be32(math.MaxInt32 - 1)}, {"8 bytes", be64(1)}}},
	{"time", []copyBinaryField{{"noon", be64(12 * 3600_000_000)}, {"24:00", be64(86400_000_000)},
		{"too big", be64(86400_000_001)}, {"negative", be64(-1)}, {"4 bytes", be32(1)}}},
	{"interval", []copyBinaryField{{"1 mon 2 days 3 s", append(append(be64(3_000_000), be32(2)...), be32(1)...)},
		{"8 bytes", be64(1)}}},
	{"int4[]", []copyBinaryField{{"array", arrayBin(23, be32(1), nil, be32(3))}, {"wrong element oid", arrayBin(25, be32(1))},
		{"short", []byte{0, 0, 0, 1}}, {"bad element", arrayBin(23, []byte{1, 2, 3})}}},
	{"text[]", []copyBinaryField{{"array", arrayBin(25, []byte("a"), []byte(""), nil)}}},
}

// copyBinaryStreams are whole binary COPY streams into
// cs (t timestamptz NOT NULL, i int, s text): headers, trailers, field
// counts and lengths, well-formed and not.
var copyBinaryStreams = func() []copyBinaryField {
	ts := be64(8766 * 86400_000_000)
	hdr := copyFile()
	row := func(i int32) []byte { return binRow(ts, be32(i), []byte("s")) }
	cat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	return []copyBinaryField{
		{"empty input", nil},
		{"header only", hdr},
		{"header and trailer", cat(hdr, be16(-1))},
		{"rows and trailer", cat(hdr, row(1), row(2), be16(-1))},
		{"rows without trailer", cat(hdr, row(1), row(2))},
		{"data after trailer", cat(hdr, row(1), be16(-1), []byte("garbage"))},
		{"short signature", []byte("PGCOPY\n")},
		{"bad signature", cat([]byte("PGCOPY\n\xff\r\n\x01"), make([]byte, 8))},
		{"header extension", cat(dml.BinarySignature, be32(0), be32(4), []byte("ext!"), row(1), be16(-1))},
		{"header extension too long", cat(dml.BinarySignature, be32(0), be32(1<<20+1))},
		{"header extension missing", cat(dml.BinarySignature, be32(0), be32(8), []byte("ab"))},
		{"flags set", cat(dml.BinarySignature, be32(1<<16), be32(0), row(1), be16(-1))},
		{"too few fields", cat(hdr, row(1), binRow(ts, be32(2)))},
		{"too many fields", cat(hdr, binRow(ts, be32(2), nil, nil))},
		{"zero fields", cat(hdr, be16(0))},
		{"negative field length", cat(hdr, be16(3), be32(8), ts, be32(-2))},
		{"huge field length", cat(hdr, be16(3), be32(8), ts, be32(1<<30+1))},
		{"truncated row count", cat(hdr, row(1), []byte{0})},
		{"truncated field length", cat(hdr, be16(3), be32(8), ts, []byte{0, 0})},
		{"truncated field", cat(hdr, be16(3), be32(8), ts, be32(4), []byte{0, 0})},
		{"truncated big field", cat(hdr, be16(3), be32(8), ts, be32(4), be32(1), be32(100<<10), []byte("xyz"))},
		{"big field", cat(hdr, binRow(ts, be32(1), []byte(strings.Repeat("y", 100<<10))), row(2), be16(-1))},
		{"null time", cat(hdr, row(1), binRow(nil, be32(2), nil))},
		{"bad value in third row", cat(hdr, row(1), row(2), binRow(ts, []byte{1}, nil))},
		{"out of range value after fast rows", cat(hdr, row(1), binRow(be64(math.MaxInt64-1), be32(2), nil), row(3))},
		{"far value between fast rows", cat(hdr, row(1), binRow(be64(1<<62), be32(2), nil), row(3))},
		{"slow value between fast rows", cat(hdr, row(1), binRow(ts, be64(5), nil), row(3), be16(-1))},
	}
}()

// describeCopyResult describes a COPY's outcome: its tag or error, then
// the rows of the table afterwards.
func describeCopyResult(err error, tag string, rows []string) string {
	var b strings.Builder
	if err != nil {
		if e, ok := pgerr.As(err); ok {
			fmt.Fprintf(&b, "ERROR %s %q", e.Code, e.Message)
			if e.Detail != "" {
				fmt.Fprintf(&b, " detail=%q", e.Detail)
			}
			if e.Where != "" {
				w := e.Where
				if len(w) > 120 {
					w = w[:120] + "..."
				}
				fmt.Fprintf(&b, " where=%q", w)
			}
		} else {
			fmt.Fprintf(&b, "ERROR %v", err)
		}
	} else {
		b.WriteString(tag)
	}
	for _, r := range rows {
		if len(r) > 120 {
			r = fmt.Sprintf("%s...(%d bytes)", r[:60], len(r))
		}
		fmt.Fprintf(&b, " | %q", r)
	}
	return b.String()
}

// copyBinaryRun runs one binary COPY of data into table, delivered step
// bytes per read, and describes the outcome and the rows query sel
// returns after it; the table is emptied afterwards.
func copyBinaryRun(t *testing.T, s sql.Session, table, sel string, data []byte, step int) string {
	t.Helper()
	ctx := context.Background()
	w := &rowsWriter{step: step}
	w.copyData = data
	err := s.Query(ctx, "COPY "+table+" FROM STDIN (FORMAT binary)", w)
	tag := w.tag
	w.rows = nil
	if qerr := s.Query(ctx, sel, w); qerr != nil {
		t.Fatal(qerr)
	}
	out := describeCopyResult(err, tag, w.rows)
	if qerr := s.Query(ctx, "DELETE FROM "+table, w); qerr != nil {
		t.Fatal(qerr)
	}
	return out
}

// TestCopyBinaryGolden pins what COPY FROM ... (FORMAT binary) does with
// every column type's well-formed and malformed values and with malformed
// streams: the values stored, or the error's SQLSTATE, message and
// context. Each input is delivered whole and a byte at a time (the
// buffered fast path and the field-by-field path) and both must agree.
// Run with -rewrite to regenerate testdata/copy_binary.golden.
func TestCopyBinaryGolden(t *testing.T) {
	s := openSession(t)
	ctx := context.Background()
	exec := func(q string) {
		t.Helper()
		if err := s.Query(ctx, q, &rowsWriter{}); err != nil {
			t.Fatal(q, err)
		}
	}
	exec("SET TIME ZONE 'UTC'")
	var out strings.Builder
	run := func(label, table, sel string, data []byte) {
		whole := copyBinaryRun(t, s, table, sel, data, 64<<10)
		if trickled := copyBinaryRun(t, s, table, sel, data, 1); trickled != whole {
			t.Errorf("%s: whole and trickled input differ:\n%s\n%s", label, whole, trickled)
		}
		fmt.Fprintf(&out, "%s: %s\n", label, whole)
	}
	for i, c := range copyBinaryFields {
		table := fmt.Sprintf("cv%d", i)
		exec(fmt.Sprintf("CREATE TABLE %s (k int, v %s)", table, c.typ))
		for _, f := range c.fields {
			run(fmt.Sprintf("%s %s", c.typ, f.name), table, "SELECT v FROM "+table+" ORDER BY k", copyFile(binRow(be32(1), f.b), be16(-1)))
		}
	}
	exec("CREATE TABLE cs (t timestamptz NOT NULL, i int, s text)")
	exec("SELECT create_hypertable('cs', 't')")
	exec("CREATE TABLE cr (t timestamptz NOT NULL, i int, s text)")
	for _, c := range copyBinaryStreams {
		run("hypertable: "+c.name, "cs", "SELECT t, i, s FROM cs ORDER BY t, i", c.b)
		run("plain table: "+c.name, "cr", "SELECT t, i, s FROM cr ORDER BY t, i", c.b)
	}
	path := filepath.Join("testdata", "copy_binary.golden")
	if *rewriteCopyBinary {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create it)", err)
	}
	if got := out.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("line %d:\n got  %s\n want %s", i+1, g, w)
			}
		}
	}
}
