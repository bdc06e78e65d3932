package pgcatalog

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tsgres/tsgres/sql/types"
)

// Column defaults are stored as the SQL text the user wrote (deparsed).
// PostgreSQL stores the analyzed expression instead, and pg_get_expr
// prints literals the way ruleutils.c's get_const_expr does: a string
// literal becomes a constant of the column's type, printed as
// 'value'::type; an integer literal prints bare unless negative
// ('-1'::integer) or too big for int4 ('5000000000'::bigint); a decimal
// literal prints bare unless negative ('-1.5'::numeric). Implicit casts
// to the column's type are invisible. Other expressions (now(),
// nextval(...), casts) are printed as written.

// numberLit matches an integer or decimal literal as deparsed.
var numberLit = regexp.MustCompile(`^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$`)

// cookedDefault renders column default def of type t as pg_get_expr
// shows it for PostgreSQL's stored default.
func cookedDefault(def string, t types.T) string {
	if s, ok := stringLiteral(def); ok {
		return stringConst(s, t)
	}
	if numberLit.MatchString(def) {
		return numberConst(def)
	}
	return def
}

// stringLiteral returns the value of a plain single-quoted literal.
func stringLiteral(def string) (string, bool) {
	if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
		return "", false
	}
	body := def[1 : len(def)-1]
	if strings.Count(body, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(body, "''", ""), "'") {
		return "", false
	}
	return strings.ReplaceAll(body, "''", "'"), true
}

// stringConst prints string s converted to t as a constant of type t.
func stringConst(s string, t types.T) string {
	out := s
	if !t.IsTextual() {
		// The constant has no typmod: a length or precision coercion is
		// a separate, implicit (invisible) step.
		base := types.T{OID: t.OID, Mod: -1}
		v, err := types.ParseText(base, s, time.UTC)
		if err != nil {
			return quoteLiteral(s) // PostgreSQL would have refused the default
		}
		out = types.FormatText(base, v, time.UTC)
	}
	switch t.OID {
	case types.OidBool:
		return out2bool(out)
	case types.OidInt4:
		if !strings.HasPrefix(out, "-") {
			return out
		}
	case types.OidNumeric:
		if bareNumeric(out) {
			return out
		}
	}
	return quoteLiteral(out) + "::" + FormatType(t.OID, -1, true)
}

// out2bool prints a boolean constant as get_const_expr does.
func out2bool(out string) string {
	if out == "t" {
		return "true"
	}
	return "false"
}

// bareNumeric reports whether a numeric constant's text prints without
// quotes: it starts with a digit and has a decimal point or exponent.
func bareNumeric(s string) bool {
	return s != "" && s[0] >= '0' && s[0] <= '9' && strings.ContainsAny(s, ".eE")
}

// numberConst prints a numeric literal as the constant the parser makes
// of it: int4 when it fits, else int8, else numeric.
func numberConst(lit string) string {
	if !strings.ContainsAny(lit, ".eE") {
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			out := strconv.FormatInt(n, 10)
			switch {
			case n < math.MinInt32 || n > math.MaxInt32:
				return quoteLiteral(out) + "::bigint"
			case n < 0:
				return quoteLiteral(out) + "::integer"
			}
			return out
		}
	}
	v, err := types.ParseText(types.Numeric, lit, time.UTC)
	if err != nil {
		return lit
	}
	out := types.FormatText(types.Numeric, v, time.UTC)
	if bareNumeric(out) {
		return out
	}
	return quoteLiteral(out) + "::numeric"
}

// quoteLiteral quotes s as a SQL string literal (standard conforming).
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
