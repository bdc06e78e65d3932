package funcs

import (
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

func TestDatetimeBerlin(t *testing.T) {
	T, TS, TZ, D, IV := types.Text, types.Timestamp, types.Timestamptz, types.Date, types.IntervalT
	runScalarCases(t, testCtx("Europe/Berlin"), []scalarCase{
		{name: "extract", at: ts(T, TZ), args: []any{"epoch", tsv("2024-01-01 00:00:00.5")}, want: "1704067200.500000"},
		{name: "extract", at: ts(T, TZ), args: []any{"hour", tsv("2024-01-01 03:00:00")}, want: "4"},
		{name: "extract", at: ts(T, TS), args: []any{"second", tsv("2024-01-01 03:00:05.25")}, want: "5.250000"},
		{name: "extract", at: ts(T, TS), args: []any{"milliseconds", tsv("2024-01-01 03:00:05.25")}, want: "5250.000"},
		{name: "extract", at: ts(T, TS), args: []any{"microseconds", tsv("2024-01-01 03:00:05.25")}, want: "5250000"},
		{name: "extract", at: ts(T, TS), args: []any{"julian", tsv("2024-01-01 12:00:00")}, want: "2460311.50000000000000000000"},
		{name: "extract", at: ts(T, TZ), args: []any{"timezone", tsv("2024-07-01")}, want: "7200"},
		{name: "extract", at: ts(T, TS), args: []any{"epoch", tsv("2024-01-01 01:00:00")}, want: "1704070800.000000"},
		{name: "extract", at: ts(T, TS), args: []any{"timezone", tsv("2024-01-01 01:00:00")}, code: "0A000"},
		{name: "extract", at: ts(T, D), args: []any{"epoch", datev("2024-01-02")}, want: "1704153600"},
		{name: "extract", at: ts(T, D), args: []any{"dow", datev("2024-01-07")}, want: "0"},
		{name: "extract", at: ts(T, D), args: []any{"week", datev("2024-12-30")}, want: "1"},
		{name: "extract", at: ts(T, D), args: []any{"isoyear", datev("2024-12-30")}, want: "2025"},
		{name: "extract", at: ts(T, D), args: []any{"century", datev("2000-01-01")}, want: "20"},
		{name: "extract", at: ts(T, D), args: []any{"millennium", datev("2001-01-01")}, want: "3"},
		{name: "extract", at: ts(T, D), args: []any{"decade", datev("2024-01-01")}, want: "202"},
		{name: "extract", at: ts(T, D), args: []any{"julian", datev("2024-01-01")}, want: "2460311"},
		{name: "extract", at: ts(T, D), args: []any{"hour", datev("2024-01-01")}, code: "0A000"},
		{name: "extract", at: ts(T, IV), args: []any{"epoch", ivl(12, 2, 3*types.MicrosPerHour+1500000)}, want: "31741201.500000"},
		{name: "extract", at: ts(T, IV), args: []any{"hour", ivl(0, 0, 27*types.MicrosPerHour)}, want: "27"},
		{name: "extract", at: ts(T, IV), args: []any{"month", ivl(14, 0, 0)}, want: "2"},
		{name: "extract", at: ts(T, IV), args: []any{"second", ivl(0, 0, 1500000)}, want: "1.500000"},
		{name: "extract", at: ts(T, IV), args: []any{"quarter", ivl(5, 0, 0)}, want: "2"},
		{name: "date_part", at: ts(T, TZ), args: []any{"epoch", tsv("2024-01-01 00:00:00.5")}, want: "1704067200.5"},
		{name: "date_part", at: ts(T, IV), args: []any{"epoch", ivl(1, 0, 0)}, want: "2592000"},
		{name: "date_part", at: ts(T, D), args: []any{"hour", datev("2024-01-01")}, want: "0"},
		{name: "date_trunc", at: ts(T, TZ), args: []any{"day", tsv("2024-03-31 12:00:00")}, want: "2024-03-31 00:00:00+01"},
		{name: "date_trunc", at: ts(T, TZ), args: []any{"hour", tsv("2024-10-27 01:30:00")}, want: "2024-10-27 02:00:00+01"},
		{name: "date_trunc", at: ts(T, TS), args: []any{"week", tsv("2024-01-10 12:00:00")}, want: "2024-01-08 00:00:00"},
		{name: "date_trunc", at: ts(T, TS), args: []any{"quarter", tsv("2024-05-10")}, want: "2024-04-01 00:00:00"},
		{name: "date_trunc", at: ts(T, TS), args: []any{"century", tsv("2024-05-10")}, want: "2001-01-01 00:00:00"},
		{name: "date_trunc", at: ts(T, TS), args: []any{"decade", tsv("2024-05-10")}, want: "2020-01-01 00:00:00"},
		{name: "date_trunc", at: ts(T, TZ, T), args: []any{"day", tsv("2024-03-31 12:00:00"), "America/New_York"}, want: "2024-03-31 06:00:00+02"},
		{name: "date_trunc", at: ts(T, IV), args: []any{"hour", ivl(0, 1, 5*types.MicrosPerHour+30*types.MicrosPerMinute+10*types.MicrosPerSecond)}, want: "1 day 05:00:00"},
		{name: "date_trunc", at: ts(T, TS), args: []any{"fortnight", tsv("2024-05-10")}, code: "22023"},
		{name: "to_char", at: ts(TZ, T), args: []any{tsv("2024-07-05 14:07:09"), "YYYY-MM-DD HH24:MI:SS TZ OF"}, want: "2024-07-05 16:07:09 CEST +02"},
		{name: "now", want: "2024-01-02 04:04:05+01"},
		{name: "timezone", at: ts(T, TZ), args: []any{"America/New_York", tsv("2024-07-01 12:00:00")}, want: "2024-07-01 08:00:00"},
		{name: "timezone", at: ts(T, TS), args: []any{"America/New_York", tsv("2024-07-01 12:00:00")}, want: "2024-07-01 18:00:00+02"},
	})
}

func TestDatetimeUTC(t *testing.T) {
	T, TS, TZ, I, F, IV := types.Text, types.Timestamp, types.Timestamptz, types.Int4, types.Float8, types.IntervalT
	runScalarCases(t, testCtx(""), []scalarCase{
		{name: "age", at: ts(TS, TS), args: []any{tsv("2024-03-31"), tsv("2023-01-15 10:00:00")}, want: "1 year 2 mons 15 days 14:00:00"},
		{name: "age", at: ts(TS, TS), args: []any{tsv("2024-01-01"), tsv("2024-03-15")}, want: "-2 mons -14 days"},
		{name: "justify_days", at: ts(IV), args: []any{ivl(0, 35, 0)}, want: "1 mon 5 days"},
		{name: "justify_hours", at: ts(IV), args: []any{ivl(0, 0, 50*types.MicrosPerHour)}, want: "2 days 02:00:00"},
		{name: "justify_interval", at: ts(IV), args: []any{ivl(1, 0, -types.MicrosPerHour)}, want: "29 days 23:00:00"},
		{name: "date_bin", at: ts(IV, TS, TS), args: []any{ivl(0, 0, 15*types.MicrosPerMinute), tsv("2020-02-11 15:44:17"), tsv("2001-01-01")}, want: "2020-02-11 15:30:00"},
		{name: "date_bin", at: ts(IV, TS, TS), args: []any{ivl(0, 0, 15*types.MicrosPerMinute), tsv("2020-02-11 15:44:17"), tsv("2001-01-01 00:02:30")}, want: "2020-02-11 15:32:30"},
		{name: "make_interval", at: ts(I, I, I, I, I, I, F), args: []any{int64(1), int64(2), int64(3), int64(4), int64(5), int64(6), 7.25}, want: "1 year 2 mons 25 days 05:06:07.25"},
		{name: "make_timestamp", at: ts(I, I, I, I, I, F), args: []any{int64(2024), int64(1), int64(2), int64(3), int64(4), 5.5}, want: "2024-01-02 03:04:05.5"},
		{name: "make_date", at: ts(I, I, I), args: []any{int64(2024), int64(2), int64(29)}, want: "2024-02-29"},
		{name: "make_date", at: ts(I, I, I), args: []any{int64(2023), int64(2), int64(29)}, code: "22008"},
		{name: "to_timestamp", at: ts(F), args: []any{1.5}, want: "1970-01-01 00:00:01.5+00"},
		{name: "to_char", at: ts(TS, T), args: []any{tsv("2024-03-05 14:07:09.123456"), "YYYY-MM-DD HH24:MI:SS.MS US HH12 AM am Mon Month Dy Day DD D DDD IW Q TZ"},
			want: "2024-03-05 14:07:09.123 123456 02 PM pm Mar March     Tue Tuesday   05 3 065 10 1 "},
		{name: "to_char", at: ts(TZ, T), args: []any{tsv("2024-03-05 14:07:09"), "YYYY-MM-DD HH24:MI:SS TZ OF"}, want: "2024-03-05 14:07:09 UTC +00"},
		{name: "to_char", at: ts(TS, T), args: []any{tsv("2024-03-05"), "FMMonth FMDD"}, want: "March 5"},
		{name: "to_timestamp", at: ts(T, T), args: []any{"2024-03-05 14:07:09", "YYYY-MM-DD HH24:MI:SS"}, want: "2024-03-05 14:07:09+00"},
		{name: "to_date", at: ts(T, T), args: []any{"05 Mar 2024", "DD Mon YYYY"}, want: "2024-03-05"},
		{name: "isfinite", at: ts(TS), args: []any{types.InfinityTS}, want: "f"},
		{name: "isfinite", at: ts(types.Date), args: []any{datev("2024-01-01")}, want: "t"},
	})
}
