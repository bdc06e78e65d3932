package plpgsql

import (
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// Parsing PL/pgSQL cursor declarations (from the parser's JSON) and
// cursor statements (from the text parse.PlpgsqlJSON hid them in); see
// cursor.go.

// cursorArgDatums returns the datums that are arguments of bound
// cursors: they are declared by the cursor, not by the block.
func (b *builder) cursorArgDatums() map[int]bool {
	out := map[int]bool{}
	for _, f := range b.datums {
		if f.CursorArgs == nil || *f.CursorArgs < 0 || *f.CursorArgs >= len(b.datums) {
			continue
		}
		out[*f.CursorArgs] = true
		for _, fd := range b.datums[*f.CursorArgs].Fields {
			out[fd.Varno] = true
		}
	}
	return out
}

// cursorDef is the bound cursor declared by datum f.
func (b *builder) cursorDef(f *jfields) *cursorDecl {
	const cursorOptNoScroll = 0x4
	d := &cursorDecl{query: exprText(f.CursorExpr), noScroll: f.CursorOpts&cursorOptNoScroll != 0}
	if f.CursorArgs != nil && *f.CursorArgs >= 0 && *f.CursorArgs < len(b.datums) {
		for _, fd := range b.datums[*f.CursorArgs].Fields {
			d.argNames = append(d.argNames, fd.Name)
			d.argTypes = append(d.argTypes, typname(b.datums[fd.Varno]))
		}
	}
	return d
}

// forCursorStmt builds a FOR loop over a bound cursor from the integer
// FOR the cursor was hidden in; text is "cur" or "cur(args)".
func forCursorStmt(ln line, f *jfields, text string, body []stmt, err error) (stmt, error) {
	if err != nil {
		return nil, err
	}
	s := &forCursorLoop{line: ln, label: f.Label, body: body}
	if f.Var != nil {
		if _, vf, err := f.Var.kind(); err == nil {
			s.varName = vf.Refname
		}
	}
	c := &cursorText{text: text, sp: sourceSpans(text)}
	s.name = c.ident(0)
	if c.tok(1) == "(" {
		if s.args, s.argNames, err = c.args(1); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// cursorText is the text of a cursor statement and its tokens.
type cursorText struct {
	text string
	sp   []sourceSpan
}

func (c *cursorText) tok(i int) string {
	if i < len(c.sp) {
		return c.sp[i].tok
	}
	return ""
}

// ident returns token i as an identifier (a quoted one unquoted).
func (c *cursorText) ident(i int) string {
	if i >= len(c.sp) {
		return ""
	}
	if c.sp[i].tok == `"` {
		q := c.text[c.sp[i].start:c.sp[i].end]
		return strings.ReplaceAll(strings.Trim(q, `"`), `""`, `"`)
	}
	return c.sp[i].tok
}

// span returns the text of tokens [i, j).
func (c *cursorText) span(i, j int) string {
	if i >= j || i >= len(c.sp) {
		return ""
	}
	return strings.TrimSpace(c.text[c.sp[i].start:c.sp[j-1].end])
}

// find returns the first token from i on, outside parentheses, that is
// one of words (len(c.sp) when none is).
func (c *cursorText) find(i int, words ...string) int {
	depth := 0
	for ; i < len(c.sp); i++ {
		t := c.sp[i].tok
		switch t {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		}
		if depth == 0 {
			for _, w := range words {
				if t == w {
					return i
				}
			}
		}
	}
	return len(c.sp)
}

// list splits the tokens [i, j) at top-level commas.
func (c *cursorText) list(i, j int) []expr {
	var out []expr
	for i < j {
		k := c.find(i, ",")
		if k > j {
			k = j
		}
		out = append(out, c.span(i, k))
		i = k + 1
	}
	return out
}

// args parses the parenthesized argument list starting at token open:
// positional arguments or "name := value" (or "name => value").
func (c *cursorText) args(open int) (args []expr, names []string, err error) {
	end := c.find(open, ")")
	if c.tok(open+1) == ")" || end >= len(c.sp) {
		return nil, nil, c.syntaxError(end)
	}
	var inner []int // start tokens of the arguments
	for i := open + 1; i < end; {
		inner = append(inner, i)
		k := c.find(i, ",")
		if k > end {
			k = end
		}
		i = k + 1
	}
	for n, i := range inner {
		stop := end
		if n+1 < len(inner) {
			stop = inner[n+1] - 1
		}
		name := ""
		if op := c.tok(i + 1); op == ":=" || op == "=>" {
			name, i = c.ident(i), i+2
		}
		args, names = append(args, c.span(i, stop)), append(names, name)
	}
	return args, names, nil
}

func (c *cursorText) syntaxError(i int) error {
	if i >= len(c.sp) {
		return pgerr.New(pgerr.SyntaxError, "syntax error at end of input")
	}
	return pgerr.New(pgerr.SyntaxError, "syntax error at or near %q", c.text[c.sp[i].start:c.sp[i].end])
}

// parseCursorStmt parses the text of an OPEN, FETCH, MOVE or CLOSE.
func parseCursorStmt(ln line, text string) (stmt, error) {
	c := &cursorText{text: text, sp: sourceSpans(text)}
	switch c.tok(0) {
	case "open":
		return c.open(ln)
	case "fetch", "move":
		return c.fetch(ln)
	case "close":
		if len(c.sp) != 2 {
			return nil, c.syntaxError(2)
		}
		return &closeStmt{line: ln, name: c.ident(1)}, nil
	}
	return nil, c.syntaxError(0)
}

func (c *cursorText) open(ln line) (stmt, error) {
	s := &openStmt{line: ln, name: c.ident(1)}
	k := 2
	switch {
	case c.tok(k) == "no" && c.tok(k+1) == "scroll":
		s.noScroll, k = true, k+2
	case c.tok(k) == "scroll":
		k++
	}
	switch c.tok(k) {
	case "":
		return s, nil
	case "(":
		var err error
		s.args, s.argNames, err = c.args(k)
		if err == nil && c.find(k, ")")+1 != len(c.sp) {
			err = c.syntaxError(c.find(k, ")") + 1)
		}
		return s, err
	case "for":
		if c.tok(k+1) != "execute" {
			s.query = c.span(k+1, len(c.sp))
			return s, nil
		}
		using := c.find(k+2, "using")
		s.query, s.dynamic = c.span(k+2, using), true
		if using < len(c.sp) {
			s.params = c.list(using+1, len(c.sp))
		}
		if s.query == "" {
			return nil, c.syntaxError(k + 2)
		}
		return s, nil
	}
	return nil, c.syntaxError(k)
}

// fetch parses FETCH|MOVE [direction] [FROM|IN] cur [INTO target].
func (c *cursorText) fetch(ln line) (stmt, error) {
	s := &fetchStmt{line: ln, move: c.tok(0) == "move"}
	k := 1
	countTo := func() { // a count expression up to FROM or IN
		j := c.find(k, "from", "in")
		s.count, k = c.span(k, j), j
	}
	switch t := c.tok(k); t {
	case "next", "prior", "first", "last":
		s.dir = map[string]fetchDir{"next": dirNext, "prior": dirPrior, "first": dirFirst, "last": dirLast}[t]
		k++
	case "absolute", "relative":
		s.dir = dirAbsolute
		if t == "relative" {
			s.dir = dirRelative
		}
		k++
		countTo()
	case "forward", "backward", "all":
		s.dir = dirForward
		if t == "backward" {
			s.dir = dirBackward
		}
		if t != "all" {
			k++
		}
		switch c.tok(k) {
		case "all":
			s.all, k = true, k+1
		case "from", "in":
		default:
			countTo()
		}
		if !s.move && (s.all || s.count != "") {
			return nil, errFetchMultiple
		}
	case "from", "in":
	default:
		if j := c.find(k, "from", "in"); j < c.find(k, "into") && j > k+1 || j == k+1 && c.tok(k) != `"` && !isWordTok(c.tok(k)) {
			s.dir = dirForward
			countTo()
			if !s.move {
				return nil, errFetchMultiple
			}
		}
	}
	if t := c.tok(k); t == "from" || t == "in" {
		k++
	}
	s.name = c.ident(k)
	k++
	if s.name == "" {
		return nil, c.syntaxError(k - 1)
	}
	if c.tok(k) == "into" {
		if s.move {
			return nil, c.syntaxError(k)
		}
		for _, t := range c.list(k+1, len(c.sp)) {
			s.target = append(s.target, splitIdent(t)...)
		}
		k = len(c.sp)
	}
	if k != len(c.sp) {
		return nil, c.syntaxError(k)
	}
	return s, nil
}

var errFetchMultiple = pgerr.New(pgerr.FeatureNotSupported, "FETCH statement cannot return multiple rows")

// isWordTok reports whether a sourceSpans token is an unquoted word.
func isWordTok(t string) bool { return t != "" && isIdentStart(t[0]) }
