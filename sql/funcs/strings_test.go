package funcs

import (
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

func TestStrings(t *testing.T) {
	T, I := types.Text, types.Int4
	arr := func(v ...any) *types.Array { return textArray(v) }
	runScalarCases(t, testCtx(""), []scalarCase{
		{name: "substring", at: ts(T, I, I), args: []any{"hello", int64(0), int64(3)}, want: "he"},
		{name: "substr", at: ts(T, I), args: []any{"hello", int64(-1)}, want: "hello"},
		{name: "substr", at: ts(T, I), args: []any{"hello", int64(2)}, want: "ello"},
		{name: "substr", at: ts(T, I, I), args: []any{"hello", int64(2), int64(-1)}, code: "22011"},
		{name: "left", at: ts(T, I), args: []any{"hello", int64(-2)}, want: "hel"},
		{name: "right", at: ts(T, I), args: []any{"hello", int64(-2)}, want: "llo"},
		{name: "lpad", at: ts(T, I, T), args: []any{"hi", int64(5), "xy"}, want: "xyxhi"},
		{name: "rpad", at: ts(T, I), args: []any{"hello", int64(3)}, want: "hel"},
		{name: "split_part", at: ts(T, T, I), args: []any{"a,b,c", ",", int64(-1)}, want: "c"},
		{name: "split_part", at: ts(T, T, I), args: []any{"a,b,c", ",", int64(5)}, want: ""},
		{name: "initcap", at: ts(T), args: []any{"hello wORLD foo_bar"}, want: "Hello World Foo_Bar"},
		{name: "to_hex", at: ts(I), args: []any{int64(-1)}, want: "ffffffff"},
		{name: "to_hex", at: ts(types.Int8), args: []any{int64(255)}, want: "ff"},
		{name: "quote_literal", at: ts(T), args: []any{"it's"}, want: "'it''s'"},
		{name: "quote_ident", at: ts(T), args: []any{"Foo"}, want: `"Foo"`},
		{name: "quote_ident", at: ts(T), args: []any{"foo"}, want: "foo"},
		{name: "quote_ident", at: ts(T), args: []any{"select"}, want: `"select"`},
		{name: "quote_nullable", at: ts(T), args: []any{nil}, want: "NULL"},
		{name: "chr", at: ts(I), args: []any{int64(65)}, want: "A"},
		{name: "ascii", at: ts(T), args: []any{"A"}, want: "65"},
		{name: "md5", at: ts(T), args: []any{"abc"}, want: "900150983cd24fb0d6963f7d28e17f72"},
		{name: "repeat", at: ts(T, I), args: []any{"ab", int64(3)}, want: "ababab"},
		{name: "reverse", at: ts(T), args: []any{"abc"}, want: "cba"},
		{name: "translate", at: ts(T, T, T), args: []any{"12345", "143", "ax"}, want: "a2x5"},
		{name: "btrim", at: ts(T, T), args: []any{"xyxhixy", "xy"}, want: "hi"},
		{name: "ltrim", at: ts(T), args: []any{"  hi "}, want: "hi "},
		{name: "length", at: ts(T), args: []any{"é"}, want: "1"},
		{name: "octet_length", at: ts(T), args: []any{"é"}, want: "2"},
		{name: "position", at: ts(T, T), args: []any{"abc", "b"}, want: "2"},
		{name: "strpos", at: ts(T, T), args: []any{"abc", "z"}, want: "0"},
		{name: "starts_with", at: ts(T, T), args: []any{"abc", "ab"}, want: "t"},
		{name: "format", at: ts(T, T, T, T), args: []any{"%s|%I|%L|%%|%2$s", "a", "B c", nil}, want: `a|"B c"|NULL|%|B c`},
		{name: "format", at: ts(T, I), args: []any{"[%5s][%-3s]", int64(42)}, code: "22023"},
		{name: "concat", at: ts(T, I, types.Float8, types.Bool, types.Numeric), args: []any{"a", nil, 1.5, true, dec("1.50")}, want: "a1.5t1.50"},
		{name: "concat_ws", at: ts(T, T, T, T), args: []any{",", "a", nil, "b"}, want: "a,b"},
		{name: "string_to_array", at: ts(T, T), args: []any{"a,b,,c", ","}, want: `{a,b,"",c}`},
		{name: "string_to_array", at: ts(T, T, T), args: []any{"a,b,,c", ",", ""}, want: "{a,b,NULL,c}"},
		{name: "array_to_string", at: ts(types.TextArray, T, T), args: []any{arr("a", nil, "c"), ",", "*"}, want: "a,*,c"},
		{name: "regexp_replace", at: ts(T, T, T, T), args: []any{"Hello World", "o", "0", "g"}, want: "Hell0 W0rld"},
		{name: "regexp_replace", at: ts(T, T, T), args: []any{"Hello World", "o", "0"}, want: "Hell0 World"},
		{name: "regexp_replace", at: ts(T, T, T, T), args: []any{"abc", "B", "x", "i"}, want: "axc"},
		{name: "regexp_replace", at: ts(T, T, T), args: []any{"abc", "(b)", `[\1]`}, want: "a[b]c"},
		{name: "regexp_match", at: ts(T, T), args: []any{"foobarbequebaz", "(bar)(beque)"}, want: "{bar,beque}"},
		{name: "regexp_match", at: ts(T, T), args: []any{"foo", "x"}, want: "<null>"},
		{name: "encode", at: ts(types.Bytea, T), args: []any{"abc\x01", "base64"}, want: "YWJjAQ=="},
		{name: "encode", at: ts(types.Bytea, T), args: []any{"abc", "hex"}, want: "616263"},
		{name: "decode", at: ts(T, T), args: []any{"616263", "hex"}, want: `\x616263`},
	})
}

func TestFormatWidth(t *testing.T) {
	v, _, err := call(t, testCtx(""), "format", ts(types.Text, types.Text, types.Text), "[%5s][%-3s]", "ab", "c")
	if err != nil || v != "[   ab][c  ]" {
		t.Fatalf("format width = %q, %v", v, err)
	}
}
