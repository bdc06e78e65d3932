package funcs

import (
	"regexp"
	"strings"
	"sync"

	"github.com/tsgres/tsgres/sql/types"
)

// PostgreSQL's regular expressions are POSIX AREs; Go's RE2 syntax agrees
// on the common subset (classes, quantifiers, groups, anchors), which is
// what these functions support.

var reCache sync.Map // pattern+flags -> *regexp.Regexp

// compileRE compiles pattern with PostgreSQL flags ('i' case-insensitive,
// 'g' handled by callers; 'n'/'s'/'x' partially).
func compileRE(pattern, flags string) (*regexp.Regexp, bool, error) {
	global := strings.Contains(flags, "g")
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'i':
			prefix += "i"
		case 'n', 'm':
			prefix += "m"
		case 's':
			prefix += "s"
		case 'g', 'c', 'p', 'w', 'x', 't', 'b', 'e', 'q':
		default:
			return nil, false, errf("22023", "invalid regular expression option: \"%c\"", f)
		}
	}
	key := prefix + "\x00" + pattern
	if re, ok := reCache.Load(key); ok {
		return re.(*regexp.Regexp), global, nil
	}
	p := pattern
	if prefix != "" {
		p = "(?" + prefix + ")" + p
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, false, errf(codeInvalidRegexp, "invalid regular expression: %s", err.Error())
	}
	reCache.Store(key, re)
	return re, global, nil
}

// pgReplacement converts \1..\9 and \& to an expansion template.
func pgReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(r) && r[i+1] >= '1' && r[i+1] <= '9':
			b.WriteString("${" + string(r[i+1]) + "}")
			i++
		case c == '\\' && i+1 < len(r) && r[i+1] == '&':
			b.WriteString("${0}")
			i++
		case c == '\\' && i+1 < len(r) && r[i+1] == '\\':
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func regexpReplace(_ *Ctx, _ []types.T, a []any) (any, error) {
	flags := ""
	if len(a) > 3 {
		flags = str(a[3])
	}
	re, global, err := compileRE(str(a[1]), flags)
	if err != nil {
		return nil, err
	}
	src, tmpl := str(a[0]), pgReplacement(str(a[2]))
	if global {
		return re.ReplaceAllString(src, tmpl), nil
	}
	m := re.FindStringSubmatchIndex(src)
	if m == nil {
		return src, nil
	}
	out := re.ExpandString(nil, tmpl, src, m)
	return src[:m[0]] + string(out) + src[m[1]:], nil
}

func regexpMatch(_ *Ctx, _ []types.T, a []any) (any, error) {
	flags := ""
	if len(a) > 2 {
		flags = str(a[2])
	}
	if strings.Contains(flags, "g") {
		return nil, errf("22023", "regexp_match() does not support the \"global\" option")
	}
	re, _, err := compileRE(str(a[1]), flags)
	if err != nil {
		return nil, err
	}
	m := re.FindStringSubmatchIndex(str(a[0]))
	if m == nil {
		return nil, nil
	}
	s := str(a[0])
	if len(m) == 2 {
		return textArray([]any{s[m[0]:m[1]]}), nil
	}
	vals := make([]any, 0, len(m)/2-1)
	for i := 2; i < len(m); i += 2 {
		if m[i] < 0 {
			vals = append(vals, nil)
		} else {
			vals = append(vals, s[m[i]:m[i+1]])
		}
	}
	return textArray(vals), nil
}

func init() {
	T := types.Text
	reg("regexp_replace", ts(T, T, T), T, regexpReplace)
	reg("regexp_replace", ts(T, T, T, T), T, regexpReplace)
	reg("regexp_match", ts(T, T), types.TextArray, regexpMatch)
	reg("regexp_match", ts(T, T, T), types.TextArray, regexpMatch)
	reg("regexp_like", ts(T, T), types.Bool, func(_ *Ctx, _ []types.T, a []any) (any, error) {
		re, _, err := compileRE(str(a[1]), "")
		if err != nil {
			return nil, err
		}
		return re.MatchString(str(a[0])), nil
	})
}
