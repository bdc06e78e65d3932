package funcs

import (
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

func TestJSONAndArrays(t *testing.T) {
	J, JS, T, I := types.JSONB, types.JSON, types.Text, types.Int4
	I4A := types.T{OID: types.OidInt4Array, Mod: -1}
	ia := func(v ...any) *types.Array { return oneDim(types.Int4, v) }
	runScalarCases(t, testCtx(""), []scalarCase{
		{name: "to_jsonb", at: ts(J), args: []any{`{"bb":1,"a":[1,2.50,1e2,{"x":null}],"a":true}`}, want: `{"a": true, "bb": 1}`},
		{name: "jsonb_object_field", at: ts(J, T), args: []any{`{"a":[1, 2.50,1e2]}`, "a"}, want: `[1, 2.50, 100]`},
		{name: "json_object_field", at: ts(JS, T), args: []any{`{"a": [1,  2]}`, "a"}, want: `[1,  2]`},
		{name: "jsonb_array_element", at: ts(J, I), args: []any{`[1,2,3]`, int64(-1)}, want: "3"},
		{name: "jsonb_array_element", at: ts(J, I), args: []any{`[1,2,3]`, int64(5)}, want: "<null>"},
		{name: "jsonb_object_field_text", at: ts(J, T), args: []any{`{"a":"x"}`, "a"}, want: "x"},
		{name: "jsonb_object_field_text", at: ts(J, T), args: []any{`{"a":null}`, "a"}, want: "<null>"},
		{name: "jsonb_extract_path_text", at: ts(J, T, T, T, T), args: []any{`{"a":{"b":[1,{"c":5}]}}`, "a", "b", "1", "c"}, want: "5"},
		{name: "jsonb_extract_path", at: ts(J, T), args: []any{`{"a":{"b":2}}`, "a"}, want: `{"b": 2}`},
		{name: "jsonb_contains", at: ts(J, J), args: []any{`{"a":1,"b":[1,2]}`, `{"b":[2]}`}, want: "t"},
		{name: "jsonb_contains", at: ts(J, J), args: []any{`{"a":1}`, `{"a":2}`}, want: "f"},
		{name: "jsonb_exists", at: ts(J, T), args: []any{`["a","b"]`, "a"}, want: "t"},
		{name: "jsonb_typeof", at: ts(J), args: []any{`1.5`}, want: "number"},
		{name: "to_jsonb", at: ts(types.Float8), args: []any{1.5}, want: "1.5"},
		{name: "to_jsonb", at: ts(types.Float8), args: []any{nanF()}, want: `"NaN"`},
		{name: "to_json", at: ts(T), args: []any{`a"b`}, want: `"a\"b"`},
		{name: "to_jsonb", at: ts(I4A), args: []any{ia(int64(1), int64(2))}, want: "[1, 2]"},
		{name: "json_build_object", at: ts(T, I, T, T), args: []any{"a", int64(1), "b", "x"}, want: `{"a" : 1, "b" : "x"}`},
		{name: "jsonb_build_object", at: ts(T, I, T, types.Timestamptz, T, types.Timestamp), args: []any{"a", int64(1), "c", tsv("2024-01-01 10:00:00"), "d", tsv("2024-01-01 10:00:00.5")},
			want: `{"a": 1, "c": "2024-01-01T10:00:00+00:00", "d": "2024-01-01T10:00:00.5"}`},
		{name: "jsonb_build_object", at: ts(T), args: []any{"a"}, code: "22023"},
		{name: "json_build_array", at: ts(I, T), args: []any{int64(1), "a"}, want: `[1, "a"]`},
		{name: "array_length", at: ts(I4A, I), args: []any{ia(int64(1), int64(2)), int64(1)}, want: "2"},
		{name: "array_length", at: ts(I4A, I), args: []any{ia(), int64(1)}, want: "<null>"},
		{name: "array_upper", at: ts(I4A, I), args: []any{ia(int64(1), int64(2)), int64(1)}, want: "2"},
		{name: "cardinality", at: ts(I4A), args: []any{ia(int64(1), int64(2))}, want: "2"},
		{name: "array_append", at: ts(I4A, I), args: []any{ia(int64(1)), int64(2)}, want: "{1,2}"},
		{name: "array_prepend", at: ts(I, I4A), args: []any{int64(0), ia(int64(1))}, want: "{0,1}"},
		{name: "array_cat", at: ts(I4A, I4A), args: []any{ia(int64(1)), ia(int64(2), nil)}, want: "{1,2,NULL}"},
		{name: "array_position", at: ts(I4A, I), args: []any{ia(int64(5), int64(7)), int64(7)}, want: "2"},
		{name: "array_remove", at: ts(I4A, I), args: []any{ia(int64(5), int64(7), int64(5)), int64(5)}, want: "{7}"},
	})
}

func nanF() float64 { z := 0.0; return z / z }
