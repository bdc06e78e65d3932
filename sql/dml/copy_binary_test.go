package dml_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/sql/dml"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// binField is one COPY binary field: nil is NULL.
func binRow(fields ...[]byte) []byte {
	out := binary.BigEndian.AppendUint16(nil, uint16(len(fields)))
	for _, f := range fields {
		if f == nil {
			out = binary.BigEndian.AppendUint32(out, 0xFFFFFFFF)
			continue
		}
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out
}

func be64(x int64) []byte    { return binary.BigEndian.AppendUint64(nil, uint64(x)) }
func be32(x int32) []byte    { return binary.BigEndian.AppendUint32(nil, uint32(x)) }
func bef64(x float64) []byte { return be64(int64(math.Float64bits(x))) }

func copyFile(rows ...[]byte) []byte {
	out := append([]byte(nil), dml.BinarySignature...)
	out = append(out, 0, 0, 0, 0, 0, 0, 0, 0)
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestCopyBinaryTypes(t *testing.T) {
	const day = types.MicrosPerDay
	// 2024-01-01 is 8766 days after 2000-01-01.
	ts := int64(8766) * day
	far := int64(365*1000) * day // ~3000 AD
	data := copyFile(
		binRow(be64(ts), be32(7), bef64(1.5), []byte("a"), []byte{1}, be32(8766)),
		binRow(be64(ts+1_000_000), nil, nil, nil, nil, nil),
		binRow(be64(far), be64(9), bef64(-2), []byte(""), []byte{0}, be32(-1<<21)),
		binRow(be64(ts+2_000_000), []byte{0, 5}, be32(int32(math.Float32bits(0.5))), []byte("x\ty"), []byte{1}, be32(0)),
		[]byte{0xFF, 0xFF},
	)
	want := []string{
		"2024-01-01 00:00:00+00|7|1.5|a|t|2024-01-01",
		"2024-01-01 00:00:01+00|NULL|NULL|NULL|NULL|NULL",
		"2024-01-01 00:00:02+00|5|0.5|x\ty|t|2000-01-01",
	}
	for _, step := range []int{1, 3, 7, 64 << 10} {
		t.Run(fmt.Sprint(step), func(t *testing.T) {
			s := openSession(t)
			ctx := context.Background()
			w := &rowsWriter{step: step}
			for _, q := range []string{
				"CREATE TABLE bt (t timestamptz NOT NULL, i int, f float8, s text, b bool, d date)",
				"SELECT create_hypertable('bt', 't')",
				"SET TIME ZONE 'UTC'",
			} {
				if err := s.Query(ctx, q, w); err != nil {
					t.Fatal(q, err)
				}
			}
			w.copyData = data
			if err := s.Query(ctx, "COPY bt FROM STDIN (FORMAT binary)", w); err != nil {
				t.Fatal(err)
			}
			if w.tag != "COPY 4" {
				t.Fatalf("tag %q", w.tag)
			}
			w.rows = nil
			if err := s.Query(ctx, "SELECT t, i, f, s, b, d FROM bt ORDER BY t", w); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(w.rows, "\n")
			// The far-future row sorts last.
			if len(w.rows) != 4 || w.rows[0] != want[0] || w.rows[1] != want[1] || w.rows[2] != want[2] ||
				!strings.HasPrefix(w.rows[3], "2999-") || !strings.Contains(w.rows[3], "|9|-2||f|") {
				t.Fatalf("rows:\n%s", got)
			}
		})
	}
}

func TestCopyBinaryErrors(t *testing.T) {
	const ts = int64(8766) * types.MicrosPerDay
	cases := []struct {
		name  string
		data  []byte
		code  pgerr.Code
		where string
	}{
		{"field count", copyFile(binRow(be64(ts), be32(1)), binRow(be64(ts), be32(1), be32(2))),
			pgerr.BadCopyFileFormat, "COPY et, line 2"},
		{"int4 out of range", copyFile(binRow(be64(ts), be32(1)), binRow(be64(ts), be64(1<<40))),
			pgerr.NumericValueOutOfRange, "COPY et, line 2, column i"},
		{"bad width", copyFile(binRow(be64(ts), be32(1)), binRow(be64(ts), be32(1)), binRow(be64(ts), []byte{1, 2, 3})),
			pgerr.InvalidBinaryRepresentation, "COPY et, line 3, column i"},
		{"null time", copyFile(binRow(be64(ts), be32(1)), binRow(nil, be32(1))),
			pgerr.NotNullViolation, ""},
		{"truncated", copyFile(binRow(be64(ts), be32(1)))[:30],
			pgerr.BadCopyFileFormat, "COPY et, line 1"},
	}
	for _, tc := range cases {
		for _, step := range []int{2, 64 << 10} {
			t.Run(fmt.Sprint(tc.name, step), func(t *testing.T) {
				s := openSession(t)
				ctx := context.Background()
				w := &rowsWriter{step: step}
				for _, q := range []string{"CREATE TABLE et (t timestamptz NOT NULL, i int)", "SELECT create_hypertable('et', 't')"} {
					if err := s.Query(ctx, q, w); err != nil {
						t.Fatal(q, err)
					}
				}
				w.copyData = tc.data
				err := s.Query(ctx, "COPY et FROM STDIN (FORMAT binary)", w)
				e, ok := pgerr.As(err)
				if !ok || e.Code != tc.code || !strings.HasPrefix(e.Where, tc.where) {
					t.Fatalf("err %v (%+v), want %s where %q", err, e, tc.code, tc.where)
				}
				w.rows = nil
				if err := s.Query(ctx, "SELECT count(*) FROM et", w); err != nil {
					t.Fatal(err)
				}
				if len(w.rows) != 1 || w.rows[0] != "0" {
					t.Fatalf("rows after failed COPY: %v", w.rows)
				}
			})
		}
	}
}
