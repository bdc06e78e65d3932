package funcs

import (
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// datumJSON renders a datum as to_json does; jsonb selects jsonb spacing.
func datumJSON(t types.T, v any, loc *time.Location, jsonb bool) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return jsonQuote(datumText(t, v, loc))
		}
		return datumText(t, v, loc)
	case int64:
		switch t.OID {
		case types.OidTimestamp, types.OidTimestamptz, types.OidDate:
			return jsonQuote(isoText(t, x, loc))
		}
		return datumText(t, v, loc)
	case *apd.Decimal:
		if x.Form != apd.Finite {
			return jsonQuote(fmtDecimal(x))
		}
		return fmtDecimal(x)
	case string:
		if t.OID == types.OidJSON || t.OID == types.OidJSONB {
			if p, err := parseFor(t, x); err == nil {
				if jsonb {
					p.Normalize()
					return p.JSONBText()
				}
				return x
			}
		}
		return jsonQuote(datumText(t, v, loc))
	case *types.Array:
		sep := ","
		if jsonb {
			sep = ", "
		}
		parts := make([]string, len(x.Vals))
		for i, e := range x.Vals {
			parts[i] = datumJSON(x.Elem, e, loc, jsonb)
		}
		return "[" + strings.Join(parts, sep) + "]"
	}
	return jsonQuote(datumText(t, v, loc))
}

// isoText renders timestamps as JSON does (ISO 8601 with a T).
func isoText(t types.T, us int64, loc *time.Location) string {
	switch t.OID {
	case types.OidDate:
		return fmtDate(us)
	case types.OidTimestamp:
		return strings.Replace(fmtTimestamp(us, nil), " ", "T", 1)
	}
	s := strings.Replace(fmtTimestamp(us, loc), " ", "T", 1)
	// JSON shows the offset as +HH:MM.
	if i := strings.LastIndexAny(s, "+-"); i > 10 && len(s)-i == 3 {
		s += ":00"
	}
	return s
}

func buildObject(ctx *Ctx, at []types.T, a []any, jsonb bool) (any, error) {
	if len(a)%2 != 0 {
		return nil, errf(pgerr.InvalidParameterValue, "argument list must have even number of elements")
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i < len(a); i += 2 {
		if a[i] == nil {
			return nil, errf(pgerr.NullValueNotAllowed, "argument %d: key must not be null", i+1)
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(jsonQuote(datumText(at[i], a[i], locOf(ctx))))
		if jsonb {
			b.WriteString(": ")
		} else {
			b.WriteString(" : ")
		}
		b.WriteString(datumJSON(at[i+1], a[i+1], locOf(ctx), jsonb))
	}
	b.WriteByte('}')
	if jsonb {
		v, err := parseFor(types.JSONB, b.String())
		if err != nil {
			return nil, err
		}
		return v.JSONBText(), nil
	}
	return b.String(), nil
}

func buildArray(ctx *Ctx, at []types.T, a []any, jsonb bool) (any, error) {
	parts := make([]string, len(a))
	for i := range a {
		parts[i] = datumJSON(at[i], a[i], locOf(ctx), jsonb)
	}
	return "[" + strings.Join(parts, ", ") + "]", nil
}

// pathArgs flattens variadic path arguments (separate texts or a text[]).
func pathArgs(a []any) ([]any, bool) {
	if len(a) == 1 {
		if arr, ok := a[0].(*types.Array); ok {
			return arr.Vals, true
		}
	}
	return a, true
}

func extractPath(v *types.JSONValue, path []any) *types.JSONValue {
	for _, p := range path {
		if p == nil || v == nil {
			return nil
		}
		k := str(p)
		switch v.Kind {
		case types.JSONObject:
			v = v.Field(k)
		case types.JSONArray:
			n, err := parseIntStrict(k)
			if err != nil {
				return nil
			}
			v = v.Elem(n)
		default:
			return nil
		}
	}
	return v
}

func parseIntStrict(s string) (int64, error) {
	var n int64
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if s == "" {
		return 0, jsonErr()
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, jsonErr()
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

func init() {
	T, I := types.Text, types.Int4
	for _, jt := range []types.T{types.JSON, types.JSONB} {
		jt := jt
		jb := jt.OID == types.OidJSONB
		pre := "json"
		if jb {
			pre = "jsonb"
		}
		reg(pre+"_object_field", ts(jt, T), jt, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			v, err := parseFor(jt, str(a[0]))
			if err != nil {
				return nil, err
			}
			return jsonOut(v.Field(str(a[1])), jb), nil
		})
		reg(pre+"_object_field_text", ts(jt, T), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			v, err := parseFor(jt, str(a[0]))
			if err != nil {
				return nil, err
			}
			if f := v.Field(str(a[1])); f != nil {
				return asText(f, jb), nil
			}
			return nil, nil
		})
		reg(pre+"_array_element", ts(jt, I), jt, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			v, err := parseFor(jt, str(a[0]))
			if err != nil {
				return nil, err
			}
			return jsonOut(v.Elem(a[1].(int64)), jb), nil
		})
		reg(pre+"_array_element_text", ts(jt, I), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			v, err := parseFor(jt, str(a[0]))
			if err != nil {
				return nil, err
			}
			if e := v.Elem(a[1].(int64)); e != nil {
				return asText(e, jb), nil
			}
			return nil, nil
		})
		RegisterScalar(&Scalar{Name: pre + "_extract_path", Args: ts(jt, T), Variadic: true, Strict: true, Ret: Fixed(jt),
			Fn: func(_ *Ctx, _ []types.T, a []any) (any, error) {
				v, err := parseFor(jt, str(a[0]))
				if err != nil {
					return nil, err
				}
				p, _ := pathArgs(a[1:])
				return jsonOut(extractPath(v, p), jb), nil
			}})
		RegisterScalar(&Scalar{Name: pre + "_extract_path_text", Args: ts(jt, T), Variadic: true, Strict: true, Ret: Fixed(T),
			Fn: func(_ *Ctx, _ []types.T, a []any) (any, error) {
				v, err := parseFor(jt, str(a[0]))
				if err != nil {
					return nil, err
				}
				p, _ := pathArgs(a[1:])
				if e := extractPath(v, p); e != nil {
					return asText(e, jb), nil
				}
				return nil, nil
			}})
		reg(pre+"_typeof", ts(jt), T, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			v, err := parseFor(jt, str(a[0]))
			if err != nil {
				return nil, err
			}
			return v.Kind.String(), nil
		})
		reg(pre+"_array_length", ts(jt), I, func(_ *Ctx, _ []types.T, a []any) (any, error) {
			v, err := parseFor(jt, str(a[0]))
			if err != nil {
				return nil, err
			}
			if v.Kind != types.JSONArray {
				return nil, errf(pgerr.InvalidParameterValue, "cannot get array length of a non-array")
			}
			return int64(len(v.Vals)), nil
		})
		RegisterScalar(&Scalar{Name: "to_" + pre, Args: ts(AnyElement), Strict: true, Ret: Fixed(jt),
			Fn: func(ctx *Ctx, at []types.T, a []any) (any, error) {
				s := datumJSON(at[0], a[0], locOf(ctx), jb)
				if jb {
					v, err := parseFor(jt, s)
					if err != nil {
						return nil, err
					}
					return v.JSONBText(), nil
				}
				return s, nil
			}})
		RegisterScalar(&Scalar{Name: pre + "_build_object", Args: ts(AnyT), Variadic: true, Defaults: 1, Ret: Fixed(jt),
			Fn: func(ctx *Ctx, at []types.T, a []any) (any, error) { return buildObject(ctx, at, a, jb) }})
		RegisterScalar(&Scalar{Name: pre + "_build_array", Args: ts(AnyT), Variadic: true, Defaults: 1, Ret: Fixed(jt),
			Fn: func(ctx *Ctx, at []types.T, a []any) (any, error) { return buildArray(ctx, at, a, jb) }})
	}
	J := types.JSONB
	reg("jsonb_contains", ts(J, J), types.Bool, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		x, err := parseFor(J, str(a[0]))
		if err != nil {
			return nil, err
		}
		y, err := parseFor(J, str(a[1]))
		if err != nil {
			return nil, err
		}
		return contains(x, y, true), nil
	})
	reg("jsonb_contained", ts(J, J), types.Bool, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		x, err := parseFor(J, str(a[1]))
		if err != nil {
			return nil, err
		}
		y, err := parseFor(J, str(a[0]))
		if err != nil {
			return nil, err
		}
		return contains(x, y, true), nil
	})
	reg("jsonb_exists", ts(J, T), types.Bool, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		v, err := parseFor(J, str(a[0]))
		if err != nil {
			return nil, err
		}
		k := str(a[1])
		switch v.Kind {
		case types.JSONObject:
			return v.Field(k) != nil, nil
		case types.JSONArray:
			for _, e := range v.Vals {
				if e.Kind == types.JSONString && e.Str == k {
					return true, nil
				}
			}
		case types.JSONString:
			return v.Str == k, nil
		}
		return false, nil
	})
}
