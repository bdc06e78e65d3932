package exec

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
)

// maxCachedPatterns bounds the per-statement cache of compiled patterns
// (a pattern taken from a column may differ on every row).
const maxCachedPatterns = 256

// compile returns the compiled regexp for key, building it with mk.
func (c *Ctx) compile(key string, mk func() (string, error)) (*regexp.Regexp, error) {
	if re := c.regexes[key]; re != nil {
		return re, nil
	}
	src, err := mk()
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, pgerr.New(pgerr.InvalidRegularExpression, "invalid regular expression: %v", err)
	}
	if c.regexes == nil || len(c.regexes) >= maxCachedPatterns {
		c.regexes = map[string]*regexp.Regexp{}
	}
	c.regexes[key] = re
	return re, nil
}

func regexOp(ctx *Ctx, k plan.OpKind, s, pat string) (any, error) {
	fold := k == plan.OpRegexIMatch || k == plan.OpRegexNIMatch
	key := "~" + pat
	if fold {
		key = "~*" + pat
	}
	re, err := ctx.compile(key, func() (string, error) {
		if fold {
			return "(?i)" + pat, nil
		}
		return pat, nil
	})
	if err != nil {
		return nil, err
	}
	m := re.MatchString(s)
	if k == plan.OpRegexNMatch || k == plan.OpRegexNIMatch {
		m = !m
	}
	return m, nil
}

func evalLike(ctx *Ctx, e *plan.Like, env *rowEnv) (any, error) {
	v, err := eval(ctx, e.E, env)
	if err != nil || v == nil {
		return nil, err
	}
	p, err := eval(ctx, e.Pattern, env)
	if err != nil || p == nil {
		return nil, err
	}
	esc := "\\"
	if e.Escape != nil {
		x, err := eval(ctx, e.Escape, env)
		if err != nil || x == nil {
			return nil, err
		}
		esc = x.(string)
	}
	m, err := likeMatch(ctx, v.(string), p.(string), esc, e.CaseFold)
	if err != nil {
		return nil, err
	}
	return m != e.Not, nil
}

// likeMatch reports whether s matches LIKE pattern pat with escape esc
// ("" for none); fold makes it ILIKE.
func likeMatch(ctx *Ctx, s, pat, esc string, fold bool) (bool, error) {
	key := "L" + esc + "\x00" + pat
	if fold {
		key = "I" + key
	}
	re, err := ctx.compile(key, func() (string, error) { return likeRegexp(pat, esc, fold) })
	if err != nil {
		return false, err
	}
	return re.MatchString(s), nil
}

// likeRegexp translates a LIKE pattern into an anchored Go regexp.
func likeRegexp(pat, esc string, fold bool) (string, error) {
	if utf8.RuneCountInString(esc) > 1 {
		return "", pgerr.New(pgerr.InvalidEscapeSequence, "invalid escape string").
			WithHint("Escape string must be empty or one character.")
	}
	escR := rune(-1)
	if esc != "" {
		escR, _ = utf8.DecodeRuneInString(esc)
	}
	var sb strings.Builder
	sb.WriteString("^(?s)")
	if fold {
		sb.WriteString("(?i)")
	}
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == escR:
			if i+1 >= len(rs) {
				return "", pgerr.New(pgerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			i++
			sb.WriteString(regexp.QuoteMeta(string(rs[i])))
		case c == '%':
			sb.WriteString(".*")
		case c == '_':
			sb.WriteString(".")
		default:
			sb.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	sb.WriteString("$")
	return sb.String(), nil
}
