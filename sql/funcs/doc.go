// The files of this package register PostgreSQL 15's and TimescaleDB 2.x's
// built-in functions from init functions, one file per family:
//
//	math.go, math_numeric.go      abs, round, sqrt, ln, trig, width_bucket ...
//	strings.go, strings_more.go   length, substr, lpad, split_part, format ...
//	regexp.go                     regexp_replace, regexp_match (POSIX ARE subset via Go's RE2)
//	datetime*.go                  now, date_trunc, date_part/extract, to_char, make_*, age ...
//	timebucket.go                 TimescaleDB time_bucket, all overloads
//	json.go, json_funcs.go        JSON model; jsonb/json accessors, builders, @>, ?
//	arrays.go                     array_length, array_append, array_position ...
//	set.go, set_*.go              set-returning functions (RegisterSet, LookupSet):
//	                              generate_series (materialized and streaming),
//	                              unnest, generate_subscripts
//	numeric.go, compare.go, text.go  numeric arithmetic and scales, datum ordering,
//	                              text output (the numeric and ordering helpers
//	                              are exported for sql/agg's aggregate states)
//
// Aggregates live in package sql/agg. Other packages register their own
// functions here the same way (sql/timescale's show_chunks, drop_chunks,
// ...; sql/pgcatalog's catalog functions).
//
// # Invariants
//
// Every function works on datums as package types defines them (int64 for
// all integer, date and timestamp types, float64 for floats, *apd.Decimal
// for numeric, string for text/bytea/json, types.Interval, *types.Array).
// Result types and values follow PostgreSQL exactly, including numeric
// result scales (select_div_scale) and the float aggregates' Youngs-Cramer
// transition functions, so results match PostgreSQL to the last digit.
// Errors a client can provoke carry PostgreSQL's SQLSTATE (package pgerr);
// no function panics on bad input.
package funcs
