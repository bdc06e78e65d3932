package parse

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"
)

// Statement normalization for the parse cache.
//
// psycopg2 batches and ORMs send the same statement over and over with
// different literals. Parsing with pg_query costs far more than binding,
// so each statement of a query string is normalized: its literals are
// replaced by placeholders $k, $k+1, ... (k above any $n the client
// wrote) and the parse tree of the normalized text is cached. The binder
// turns placeholder k+i back into literal i, producing exactly the
// constant the literal would have produced.
//
// Only literals in positions where a parameter is grammatical are
// replaced: a string right after an identifier or keyword (INTERVAL '1
// day', DATE '2024-01-01') and numbers inside GROUP BY / ORDER BY (column
// ordinals) stay. Statements other than SELECT/INSERT/UPDATE/DELETE, and
// statements using E'', $$, U&, B'' or X'' literals, are not normalized. A
// normalized text that does not parse falls back to the original text.

// normStmt is one statement of a query string.
type normStmt struct {
	text       string     // the original statement text
	normalized string     // text with literals replaced ("" when not normalized)
	lits       []*pg.Node // the replaced literals, as A_Const nodes
	base       int        // placeholder number of lits[0]
	// values describes a long INSERT's VALUES list whose items are all
	// placeholders (nil otherwise): see values.go.
	values *valuesRows
}

type token struct {
	kind  byte // 'i' identifier/keyword, 'n' number, 's' string, 'p' punctuation/operator, '$' parameter
	start int
	end   int
}

// splitStatements tokenizes query into statements. ok is false when the
// query uses syntax the tokenizer does not handle; callers then parse it
// whole.
func splitStatements(query string) (stmts []normStmt, ok bool) {
	var toks []token
	if len(query) > maxCachedQuery {
		toks = make([]token, 0, len(query)/4) // a bulk INSERT: about that many
	}
	start := 0
	maxParam := 0
	flush := func(end int) {
		text := strings.TrimSpace(query[start:end])
		if text != "" {
			stmts = append(stmts, normalizeStmt(text, query[start:end], toks, start, maxParam))
		}
		toks = toks[:0]
		maxParam = 0
	}
	depth := 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			for i < len(query) && query[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			end := strings.Index(query[i+2:], "*/")
			if end < 0 || strings.Contains(query[i+2:i+2+end], "/*") {
				return nil, false // unterminated or nested comment
			}
			i += end + 4
		case c == '\'':
			j := i + 1
			for {
				k := strings.IndexByte(query[j:], '\'')
				if k < 0 {
					return nil, false
				}
				j += k + 1
				if j < len(query) && query[j] == '\'' {
					j++
					continue
				}
				break
			}
			toks = append(toks, token{'s', i, j})
			i = j
		case c == '"':
			j := i + 1
			for {
				k := strings.IndexByte(query[j:], '"')
				if k < 0 {
					return nil, false
				}
				j += k + 1
				if j < len(query) && query[j] == '"' {
					j++
					continue
				}
				break
			}
			toks = append(toks, token{'i', i, j})
			i = j
		case c == '$':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			if j == i+1 {
				return nil, false // dollar quoting
			}
			n, err := strconv.Atoi(query[i+1 : j])
			if err != nil {
				return nil, false
			}
			if n > maxParam {
				maxParam = n
			}
			toks = append(toks, token{'$', i, j})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9':
			j := i
			for j < len(query) && (query[j] >= '0' && query[j] <= '9' || query[j] == '.') {
				j++
			}
			if j < len(query) && (query[j] == 'e' || query[j] == 'E') {
				k := j + 1
				if k < len(query) && (query[k] == '+' || query[k] == '-') {
					k++
				}
				if k < len(query) && query[k] >= '0' && query[k] <= '9' {
					j = k
					for j < len(query) && query[j] >= '0' && query[j] <= '9' {
						j++
					}
				}
			}
			if j < len(query) && isIdentByte(query[j]) {
				return nil, false // 1abc, 0x1F ...
			}
			toks = append(toks, token{'n', i, j})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(query) && isIdentByte(query[j]) {
				j++
			}
			if j < len(query) && query[j] == '\'' && j-i <= 2 {
				switch strings.ToUpper(query[i:j]) {
				case "E", "B", "X", "U", "N":
					return nil, false
				}
			}
			if j < len(query) && query[j] == '&' && j-i == 1 && (c == 'U' || c == 'u') {
				return nil, false
			}
			if n := len(toks); n > 0 && strings.EqualFold(query[i:j], "atomic") && toks[n-1].kind == 'i' &&
				strings.EqualFold(query[toks[n-1].start:toks[n-1].end], "begin") {
				// A BEGIN ATOMIC ... END function body holds semicolons of
				// its own: leave the splitting to PostgreSQL's parser.
				return nil, false
			}
			toks = append(toks, token{'i', i, j})
			i = j
		case c == ';' && depth == 0:
			flush(i)
			i++
			start = i
		default:
			switch c {
			case '(', '[':
				depth++
			case ')', ']':
				depth--
			}
			toks = append(toks, token{'p', i, i + 1})
			i++
		}
	}
	flush(len(query))
	return stmts, true
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// keywordsBeforeLiteral are keywords after which a literal is a value, not
// part of a typed literal (INTERVAL '1 day') or a column alias.
var keywordsBeforeLiteral = map[string]bool{
	"and": true, "or": true, "not": true, "between": true, "like": true, "ilike": true,
	"when": true, "then": true, "else": true, "limit": true, "offset": true, "in": true,
	"is": true, "values": true, "set": true, "select": true, "return": true,
}

// clauseEnds end a GROUP BY / ORDER BY list.
var clauseEnds = map[string]bool{"limit": true, "offset": true, "having": true, "window": true,
	"union": true, "except": true, "intersect": true, "fetch": true, "for": true, "from": true, "where": true}

func normalizeStmt(text, raw string, toks []token, off, maxParam int) normStmt {
	ns := normStmt{text: text}
	if len(toks) == 0 || toks[0].kind != 'i' {
		return ns
	}
	switch strings.ToLower(raw[toks[0].start-off : toks[0].end-off]) {
	case "select", "insert", "update", "delete", "with":
	default:
		return ns
	}
	var b strings.Builder
	b.Grow(len(text))
	last := toks[0].start - off
	// by[d] is set while a GROUP BY / ORDER BY list is open at parenthesis
	// depth d: a subquery in the list ("ORDER BY (SELECT 1 FROM t), 1")
	// ends only its own clauses, not the enclosing list.
	by := []bool{false}
	next := maxParam + 1
	ns.base = next
	// For a long INSERT, where each token starts in the normalized text
	// and which placeholder it became (0: none), for valuesRowsOf.
	var at, num []int
	if len(raw) > maxCachedQuery && strings.EqualFold(raw[toks[0].start-off:toks[0].end-off], "insert") {
		at, num = make([]int, len(toks)), make([]int, len(toks))
	}
	for i, t := range toks {
		s, e := t.start-off, t.end-off
		if at != nil {
			at[i] = b.Len() + s - last
		}
		switch {
		case t.kind == 'i':
			word := strings.ToLower(raw[s:e])
			if word == "by" {
				by[len(by)-1] = true
			} else if clauseEnds[word] {
				by[len(by)-1] = false
			}
		case t.kind == 'p' && (raw[s] == '(' || raw[s] == '['):
			by = append(by, false)
		case t.kind == 'p' && (raw[s] == ')' || raw[s] == ']') && len(by) > 1:
			by = by[:len(by)-1]
		}
		inBy := false
		for _, b := range by {
			inBy = inBy || b
		}
		if t.kind == 'i' && isListNull(raw, toks, i, off) {
			// NULL as a whole list item (VALUES (1, NULL)): rows with
			// and without NULLs then share one parse.
			b.WriteString(raw[last:s])
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(next))
			if num != nil {
				num[i] = next
			}
			next++
			last = e
			ns.lits = append(ns.lits, &pg.Node{Node: &pg.Node_AConst{AConst: &pg.A_Const{Isnull: true}}})
			continue
		}
		if t.kind != 'n' && t.kind != 's' {
			continue
		}
		if i == 0 {
			continue
		}
		prev := toks[i-1]
		pw := raw[prev.start-off : prev.end-off]
		switch {
		case t.kind == 'n' && inBy:
			continue
		case prev.kind == 'i' && !keywordsBeforeLiteral[strings.ToLower(pw)]:
			continue // typed literal (DATE '...') or something unusual
		case prev.kind == 'p' && pw == ".":
			continue
		case t.kind == 's' && i+1 < len(toks) && toks[i+1].kind == 'i' && !keywordsBeforeLiteral[strings.ToLower(raw[toks[i+1].start-off:toks[i+1].end-off])]:
			// 'x' AS ... is fine; 'x' followed by a bare identifier is odd: keep.
			nw := strings.ToLower(raw[toks[i+1].start-off : toks[i+1].end-off])
			if nw != "as" && nw != "and" && nw != "or" && nw != "from" && nw != "where" && nw != "group" && nw != "order" && nw != "having" && nw != "limit" && nw != "is" && nw != "in" && nw != "not" && nw != "like" && nw != "ilike" && nw != "between" && nw != "then" && nw != "else" && nw != "end" && nw != "when" && nw != "returning" && nw != "on" {
				continue
			}
		}
		lit := literalNode(t.kind, raw[s:e])
		if lit == nil {
			continue
		}
		b.WriteString(raw[last:s])
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(next))
		if num != nil {
			num[i] = next
		}
		next++
		last = e
		ns.lits = append(ns.lits, lit)
	}
	if len(ns.lits) == 0 {
		return ns
	}
	b.WriteString(strings.TrimRight(raw[last:], " \t\r\n\f"))
	ns.normalized = b.String()
	if at != nil {
		ns.values = valuesRowsOf(raw, toks, off, at, num)
	}
	return ns
}

// isListNull reports whether token i is the keyword NULL standing alone
// as an item of a parenthesized list: after "(" or ",", before "," or ")".
func isListNull(raw string, toks []token, i, off int) bool {
	t := toks[i]
	if i == 0 || i+1 >= len(toks) || !strings.EqualFold(raw[t.start-off:t.end-off], "null") {
		return false
	}
	p, n := toks[i-1], toks[i+1]
	pw, nw := raw[p.start-off:p.end-off], raw[n.start-off:n.end-off]
	return p.kind == 'p' && (pw == "(" || pw == ",") && n.kind == 'p' && (nw == "," || nw == ")")
}

// literalNode builds the A_Const pg_query would produce for a literal.
func literalNode(kind byte, s string) *pg.Node {
	if kind == 's' {
		// pg.MakeAConstStrNode's five objects in one allocation: a bulk
		// INSERT makes one of these per string it holds.
		l := &strConst{}
		l.s.Sval = strings.ReplaceAll(s[1:len(s)-1], "''", "'")
		l.sv.Sval = &l.s
		l.a.Val = &l.sv
		l.ac.AConst = &l.a
		l.n.Node = &l.ac
		return &l.n
	}
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 32); err == nil {
			return pg.MakeAConstIntNode(i, 0)
		}
	}
	return &pg.Node{Node: &pg.Node_AConst{AConst: &pg.A_Const{Val: &pg.A_Const_Fval{Fval: &pg.Float{Fval: s}}}}}
}

// strConst is the nodes of a string A_Const, allocated together.
type strConst struct {
	n  pg.Node
	ac pg.Node_AConst
	a  pg.A_Const
	sv pg.A_Const_Sval
	s  pg.String
}
