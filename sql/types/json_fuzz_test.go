package types

import (
	"strings"
	"testing"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// FuzzJSON: no input panics; rejected input is a 22P02 error; accepted
// input keeps its exact text in Raw, and its canonical jsonb text parses
// back to the same canonical text.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`null`, ` {"b":1,"a":[1,2.50,1e2,{"x":null}],"a":true} `, `"\ud83d\ude00\u00e9\n"`, `"\u0000"`,
		`[1e1000, -0, 0.10, 123456789012345678901234567890]`, `{"a":{"a":{"a":[]}}}`, `[1,]`, `{"a" 1}`,
		`"\ud83d"`, `"\ude00"`, `01`, `tru`, strings.Repeat("[", 100), `{"é":"日本","":""}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, perr := ParseJSON(s)
		if perr != nil {
			if pgerr.CodeOf(perr) != pgerr.InvalidTextRepresentation {
				t.Fatalf("ParseJSON(%q): error %v without 22P02", s, perr)
			}
		} else if plain.Raw != strings.Trim(s, " \t\n\r") {
			t.Fatalf("ParseJSON(%q): Raw %q", s, plain.Raw)
		}
		v, err := ParseJSONB(s)
		if err != nil {
			if pgerr.CodeOf(err) != pgerr.InvalidTextRepresentation {
				t.Fatalf("ParseJSONB(%q): error %v without 22P02", s, err)
			}
			return
		}
		if perr != nil {
			t.Fatalf("jsonb accepts %q but json rejects it: %v", s, perr)
		}
		text := v.JSONBText()
		again, err := ParseJSONB(text)
		if err != nil {
			t.Fatalf("canonical text %q of %q does not parse: %v", text, s, err)
		}
		if got := again.JSONBText(); got != text {
			t.Fatalf("canonical text of %q is not stable: %q then %q", s, text, got)
		}
	})
}
