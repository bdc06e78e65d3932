package funcs

import (
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// The json/jsonb functions parse their arguments with types.ParseJSON,
// the one JSON parser. json datums keep their text as written (a value's
// Raw); jsonb values are rendered in jsonb's canonical form (keys unique
// and ordered by length then bytes, ", " and ": " separators, numbers as
// numeric).

// parseFor parses a json (raw) or jsonb (canonical) datum. Both parse by
// json_in's rules: a jsonb datum has been through jsonb_in already.
func parseFor(t types.T, s string) (*types.JSONValue, error) {
	v, err := types.ParseJSON(s)
	if err != nil {
		return nil, err
	}
	if t.OID == types.OidJSONB {
		v.Normalize()
	}
	return v, nil
}

// jsonOut renders v as a json (raw text) or jsonb datum.
func jsonOut(v *types.JSONValue, jsonb bool) any {
	if v == nil {
		return nil
	}
	if jsonb {
		return v.JSONBText()
	}
	return v.Raw
}

func jsonErr() error {
	return errf(pgerr.InvalidTextRepresentation, "invalid input syntax for type json")
}

// jsonQuote quotes s as a JSON string (escape_json); each byte that is
// not valid UTF-8 becomes U+FFFD.
func jsonQuote(s string) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	return string(types.AppendJSONString(nil, s))
}

// asText is the ->> rendering: strings unquoted, null as SQL NULL.
func asText(v *types.JSONValue, jsonb bool) any {
	switch v.Kind {
	case types.JSONNull:
		return nil
	case types.JSONString:
		return v.Str
	}
	return jsonOut(v, jsonb)
}

// contains is jsonb @>.
func contains(a, b *types.JSONValue, top bool) bool {
	if a.Kind != b.Kind {
		if top && a.Kind == types.JSONArray && b.Kind != types.JSONObject && b.Kind != types.JSONArray {
			for _, e := range a.Vals {
				if contains(e, b, false) {
					return true
				}
			}
		}
		return false
	}
	switch a.Kind {
	case types.JSONObject:
		for i, k := range b.Keys {
			av := a.Field(k)
			if av == nil || !contains(av, b.Vals[i], false) {
				return false
			}
		}
		return true
	case types.JSONArray:
		for _, be := range b.Vals {
			found := false
			for _, ae := range a.Vals {
				if contains(ae, be, false) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case types.JSONNumber:
		x, _, _ := apd.NewFromString(a.Str)
		y, _, _ := apd.NewFromString(b.Str)
		return x != nil && y != nil && x.Cmp(y) == 0
	case types.JSONString:
		return a.Str == b.Str
	case types.JSONBool:
		return a.Bool == b.Bool
	}
	return true
}
