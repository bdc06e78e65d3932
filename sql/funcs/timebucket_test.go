package funcs

import (
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

func TestTimeBucket(t *testing.T) {
	IV, TS, TZ, D, T := types.IntervalT, types.Timestamp, types.Timestamptz, types.Date, types.Text
	I2, I4, I8 := types.Int2, types.Int4, types.Int8
	min5 := ivl(0, 0, 5*types.MicrosPerMinute)
	runScalarCases(t, testCtx("Europe/Berlin"), []scalarCase{
		{name: "time_bucket", at: ts(IV, TS), args: []any{min5, tsv("2020-01-01 10:07:00")}, want: "2020-01-01 10:05:00"},
		{name: "time_bucket", at: ts(IV, TS), args: []any{ivl(0, 7, 0), tsv("2024-01-10 12:00:00")}, want: "2024-01-08 00:00:00"},
		{name: "time_bucket", at: ts(IV, D), args: []any{ivl(0, 7, 0), datev("2024-01-10")}, want: "2024-01-08"},
		{name: "time_bucket", at: ts(IV, D), args: []any{ivl(1, 0, 0), datev("2024-02-29")}, want: "2024-02-01"},
		{name: "time_bucket", at: ts(IV, D), args: []any{ivl(3, 0, 0), datev("2024-05-29")}, want: "2024-04-01"},
		{name: "time_bucket", at: ts(IV, TS), args: []any{ivl(12, 0, 0), tsv("2024-05-29 10:00:00")}, want: "2024-01-01 00:00:00"},
		{name: "time_bucket", at: ts(IV, TS), args: []any{ivl(1, 0, 0), tsv("1999-12-15 10:00:00")}, want: "1999-12-01 00:00:00"},
		{name: "time_bucket", at: ts(IV, TS), args: []any{ivl(0, 0, types.MicrosPerHour), tsv("1969-12-31 23:30:00")}, want: "1969-12-31 23:00:00"},
		// timestamptz buckets without a zone are aligned in UTC.
		{name: "time_bucket", at: ts(IV, TZ), args: []any{ivl(0, 1, 0), tsv("2024-01-10 23:30:00")}, want: "2024-01-10 01:00:00+01"},
		{name: "time_bucket", at: ts(IV, TZ, T), args: []any{ivl(0, 1, 0), tsv("2024-01-10 23:30:00"), "Europe/Berlin"}, want: "2024-01-11 00:00:00+01"},
		{name: "time_bucket", at: ts(IV, TZ, T), args: []any{ivl(1, 0, 0), tsv("2024-03-31 23:30:00"), "Europe/Berlin"}, want: "2024-04-01 00:00:00+02"},
		{name: "time_bucket", at: ts(IV, TS, TS), args: []any{ivl(0, 0, types.MicrosPerHour), tsv("2024-01-10 12:20:00"), tsv("2000-01-01 00:30:00")}, want: "2024-01-10 11:30:00"},
		{name: "time_bucket", at: ts(IV, TS, IV), args: []any{min5, tsv("2020-01-01 10:07:00"), ivl(0, 0, 3*types.MicrosPerMinute)}, want: "2020-01-01 10:03:00"},
		{name: "time_bucket", at: ts(IV, TS, IV), args: []any{min5, tsv("2020-01-01 10:02:00"), ivl(0, 0, 3*types.MicrosPerMinute)}, want: "2020-01-01 09:58:00"},
		{name: "time_bucket", at: ts(IV, TS), args: []any{ivl(1, 1, 0), tsv("2020-01-01 10:02:00")}, code: "22023"},
		{name: "time_bucket", at: ts(IV, TS), args: []any{ivl(0, 0, 0), tsv("2020-01-01 10:02:00")}, code: "22023"},
		{name: "time_bucket", at: ts(IV, D), args: []any{ivl(0, 0, types.MicrosPerHour), datev("2020-01-01")}, code: "22023"},
		{name: "time_bucket", at: ts(I4, I4), args: []any{int64(10), int64(-3)}, want: "-10"},
		{name: "time_bucket", at: ts(I8, I8), args: []any{int64(10), int64(27)}, want: "20"},
		{name: "time_bucket", at: ts(I2, I2, I2), args: []any{int64(10), int64(27), int64(5)}, want: "25"},
		{name: "time_bucket", at: ts(I4, I4, I4), args: []any{int64(10), int64(3), int64(5)}, want: "-5"},
		{name: "time_bucket", at: ts(I4, I4), args: []any{int64(0), int64(3)}, code: "22023"},
		{name: "time_bucket", at: ts(IV, TS), args: []any{min5, nil}, want: "<null>"},
	})
}

func TestTimeBucketArgNames(t *testing.T) {
	found := map[string]bool{}
	for _, s := range Scalars("time_bucket") {
		if len(s.ArgNames) != len(s.Args) {
			t.Errorf("time_bucket%v: %d names for %d args", s.Args, len(s.ArgNames), len(s.Args))
		}
		for _, n := range s.ArgNames {
			found[n] = true
		}
	}
	for _, n := range []string{"bucket_width", "ts", "origin", "offset", "timezone"} {
		if !found[n] {
			t.Errorf("no time_bucket overload names %q", n)
		}
	}
}
