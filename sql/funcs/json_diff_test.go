package funcs

import (
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

var rewriteJSON = flag.Bool("rewrite", false, "rewrite testdata/json_behaviour.golden from the current code")

// jsonCorpus holds JSON texts, valid and invalid, that the golden test runs
// through every json/jsonb entry point: json_in, jsonb_in and the json
// functions and operators.
var jsonCorpus = []string{
	// scalars and whitespace
	`null`, `true`, `false`, ` true `, "\t\n\r 1 \n", `0`, `-0`, `1`, `-1`, `1.5`, `2.50`, `-0.0`,
	`1e2`, `1E2`, `1e+2`, `1e-2`, `1.0e1`, `12.34e-5`, `0.000001`, `-1.5E-10`, `5e0`,
	`123456789012345678901234567890`, `1e100`, `1e-100`, `1e1000`, `9.99999999999999999999e20`,
	`""`, `"a"`, `"é"`, `"日本"`, `"😀"`, `"a\"b"`, `"\\"`, `"\/"`, `"\b\f\n\r\t"`,
	`"\u0041"`, `"\u00e9"`, `"\u65e5"`, `"\ud83d\ude00"`, `"\uD83D\uDE00"`, `"\u0000"`, `"a\u0000b"`,
	`"\u001f"`, `"\u007f"`, `"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\u12"`, `"\u12g4"`, `"\x"`,
	`"` + "\x01" + `"`, `"` + "\t" + `"`, `"unterminated`, `"\`,
	// arrays
	`[]`, `[ ]`, `[1]`, `[1,2,3]`, `[1, "a", null, true, false, 2.50, 1e2]`, `[[1,2],[3,[4,[5]]]]`, `[{"a":1},{"a":2}]`,
	`[1,]`, `[,1]`, `[1 2]`, `[`, `[1`, `]`, `[1]]`, `["a","b","a"]`,
	// objects
	`{}`, `{ }`, `{"a":1}`, `{"a": 1, "b": [1, 2]}`, `{"b":1,"a":2}`, `{"aa":1,"b":2,"c":3}`,
	`{"a":1,"a":2}`, `{"a":{"x":1},"a":{"y":2}}`, `{"bb":1,"a":[1,2.50,1e2,{"x":null}],"a":true}`,
	`{"":0, "a":"", "é":"e"}`, `{"a":{"b":{"c":[1,{"d":"deep"}]}}}`, `{"0":"zero","1":"one"}`,
	`{"a":null}`, `{"a":"x"}`, `{"a":[1,2,3],"b":{"c":2}}`, `{"\u0061":1}`, `{"k\"q":1}`,
	`{"a":"\ud83d\ude00","b":"\u00e9\n"}`, `["\u0000", "\ud83d", "x\/y"]`, `{"a":1e2,"b":-0,"aa":0.10}`,
	`[1e1000, -1.50e-3, 100]`, `{"a":"x","a":"y"}`,
	`{"a"}`, `{"a":}`, `{"a" 1}`, `{a:1}`, `{"a":1,}`, `{"a":1 "b":2}`, `{`, `{"a":1`, `{"a"`, `{1:2}`,
	// bad tokens and numbers
	``, ` `, `tru`, `truex`, `nul`, `True`, `NaN`, `Infinity`, `-`, `+1`, `01`, `-01`, `1.`, `.5`, `1e`, `1e+`,
	`1.2.3`, `0x10`, `1 2`, `"a" "b"`, `{"a":1}x`, `'a'`, `[1]garbage`, `日本`, `"a"` + "\x00",
	// nesting
	strings.Repeat("[", 20) + strings.Repeat("]", 20),
	strings.Repeat(`{"a":`, 20) + `1` + strings.Repeat("}", 20),
	strings.Repeat("[", 6400) + strings.Repeat("]", 6400),
	strings.Repeat("[", 6401) + strings.Repeat("]", 6401),
}

// jsonProbeKeys and jsonProbeIdx are the object keys and array indexes the
// accessor functions are called with for every corpus entry.
var (
	jsonProbeKeys = []string{"a", "b", "", "é", "0", "aa"}
	jsonProbeIdx  = []int64{0, 1, 2, -1, -3, 7}
)

func describeJSONResult(v any, err error) string {
	if err != nil {
		e, ok := pgerr.As(err)
		if !ok {
			return fmt.Sprintf("ERROR %v", err)
		}
		return fmt.Sprintf("ERROR %s %q detail=%q", e.Code, e.Message, e.Detail)
	}
	if v == nil {
		return "NULL"
	}
	text := fmt.Sprint(v)
	if len(text) > 200 {
		h := fnv.New64a()
		h.Write([]byte(text))
		return fmt.Sprintf("%q...(%d bytes, fnv %x)", text[:60], len(text), h.Sum64())
	}
	return fmt.Sprintf("%q", text)
}

// jsonBehaviour runs s through every JSON entry point and describes the
// results, one line per call.
func jsonBehaviour(t *testing.T, s string) string {
	var b strings.Builder
	ctx := testCtx("")
	out := func(what string, v any, err error) {
		fmt.Fprintf(&b, "  %s = %s\n", what, describeJSONResult(v, err))
	}
	callf := func(name string, at []types.T, args ...any) (any, error) {
		v, _, err := call(t, ctx, name, at, args...)
		return v, err
	}
	verr := types.ValidateJSON(s)
	out("json_in", nil, verr)
	norm, nerr := types.NormalizeJSONB(s)
	out("jsonb_in", norm, nerr)
	T, I := types.Text, types.Int4
	probe := func(jt types.T, pre, d string) {
		for _, fn := range []string{"_typeof", "_array_length"} {
			v, err := callf(pre+fn, ts(jt), d)
			out(pre+fn, v, err)
		}
		for _, k := range jsonProbeKeys {
			for _, fn := range []string{"_object_field", "_object_field_text"} {
				v, err := callf(pre+fn, ts(jt, T), d, k)
				out(fmt.Sprintf("%s%s(%q)", pre, fn, k), v, err)
			}
		}
		for _, i := range jsonProbeIdx {
			for _, fn := range []string{"_array_element", "_array_element_text"} {
				v, err := callf(pre+fn, ts(jt, I), d, i)
				out(fmt.Sprintf("%s%s(%d)", pre, fn, i), v, err)
			}
		}
		for _, p := range [][]any{{"a", "0"}, {"a", "b"}, {"1", "a"}, {"a", "b", "c", "1", "d"}} {
			at := []types.T{jt}
			for range p {
				at = append(at, T)
			}
			for _, fn := range []string{"_extract_path", "_extract_path_text"} {
				v, err := callf(pre+fn, at, append([]any{d}, p...)...)
				out(fmt.Sprintf("%s%s%q", pre, fn, p), v, err)
			}
		}
		for _, to := range []string{"to_json", "to_jsonb"} {
			v, err := callf(to, ts(jt), d)
			out(to, v, err)
		}
	}
	if verr == nil {
		probe(types.JSON, "json", s)
		// jsonb functions over text that has not been through jsonb_in,
		// as the unit tests call them.
		v, err := callf("to_jsonb", ts(types.JSONB), s)
		out("to_jsonb(raw jsonb)", v, err)
	}
	if nerr == nil {
		probe(types.JSONB, "jsonb", norm)
		J := types.JSONB
		for _, other := range []string{norm, `{"a":1}`, `[1]`, `1`, `"a"`, `{}`, `[]`} {
			v, err := callf("jsonb_contains", ts(J, J), norm, other)
			out(fmt.Sprintf("jsonb_contains(%q)", other), v, err)
			v, err = callf("jsonb_contained", ts(J, J), norm, other)
			out(fmt.Sprintf("jsonb_contained(%q)", other), v, err)
		}
		for _, k := range jsonProbeKeys {
			v, err := callf("jsonb_exists", ts(J, T), norm, k)
			out(fmt.Sprintf("jsonb_exists(%q)", k), v, err)
		}
		// jsonb::numeric/bool casts parse with the same parser.
		for _, to := range []types.T{types.Numeric, types.Bool, types.Int4} {
			v, err := types.Cast(norm, types.JSONB, to, time.UTC)
			out("cast to "+to.Info().Name, v, err)
		}
	}
	return b.String()
}

// TestJSONBehaviourGolden pins every JSON entry point's results on the
// corpus to the golden file, which was recorded from the two parsers that
// existed before the json parser was unified (types and funcs each had
// one): the unified parser must give the same answers.
func TestJSONBehaviourGolden(t *testing.T) {
	var b strings.Builder
	scalars := []struct {
		t types.T
		v any
	}{
		{types.Float8, 1.5}, {types.Float8, negZero()}, {types.Float8, 1e100}, {types.Float8, 1e-7},
		{types.Float8, 1.2345678901234567e20}, {types.Float8, nanF()}, {types.Float4, 0.1},
		{types.Numeric, dec("1e3")}, {types.Numeric, dec("-0.00")}, {types.Numeric, dec("12.3400")},
		{types.Int8, int64(-42)}, {types.Text, "a\"b\\c\n\x01é"}, {types.Bool, true},
	}
	ctx := testCtx("")
	for _, sc := range scalars {
		for _, to := range []string{"to_json", "to_jsonb"} {
			v, _, err := call(t, ctx, to, ts(sc.t), sc.v)
			fmt.Fprintf(&b, "%s(%s %q) = %s\n", to, sc.t.Info().Name, fmt.Sprint(sc.v), describeJSONResult(v, err))
		}
	}
	for _, s := range jsonCorpus {
		shown := s
		if len(shown) > 80 {
			shown = fmt.Sprintf("%s...(%d bytes)", shown[:40], len(s))
		}
		fmt.Fprintf(&b, "input %q\n", shown)
		b.WriteString(jsonBehaviour(t, s))
	}
	path := filepath.Join("testdata", "json_behaviour.golden")
	if *rewriteJSON {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs:\n got %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("output has %d lines, golden %d", len(gl), len(wl))
	}
}

func negZero() float64 { z := 0.0; return -z }
