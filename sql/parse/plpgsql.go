package parse

import (
	"fmt"
	"regexp"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"
	"github.com/pganalyze/pg_query_go/v5/parser"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// PL/pgSQL bodies are parsed by PostgreSQL's PL/pgSQL grammar, which
// pg_query runs on a whole CREATE FUNCTION statement and returns as a
// JSON tree. Run outside PostgreSQL, the grammar knows no variable's type
// and no OUT parameter, so PlpgsqlJSON rewrites two kinds of statement
// before parsing and leaves markers that the PL/pgSQL interpreter
// (sql/plpgsql) reads back: RETURN NEXT in set-returning functions
// (PlpgsqlOutRow) and cursor statements (PlpgsqlCursorText).

// PlpgsqlJSON parses a PL/pgSQL body with PostgreSQL's own PL/pgSQL
// grammar and returns its PLpgSQL_function tree as JSON (an array of one
// function). argNames are the routine's parameter names ("" for unnamed
// ones), setof whether it returns a set. Grammar errors are 42601, and
// RETURN NEXT or RETURN QUERY outside a set-returning function 42804.
func PlpgsqlJSON(argNames []string, procedure, setof bool, body string) (string, error) {
	// The parser takes a whole CREATE statement; parameter types and
	// the result type do not matter to it.
	args := make([]string, len(argNames))
	for i, n := range argNames {
		args[i] = "int"
		if n != "" {
			args[i] = `"` + strings.ReplaceAll(n, `"`, `""`) + `" int`
		}
	}
	if setof {
		body = setofBody(body)
	}
	body = cursorBody(body)
	tag := "$plpgsql_body$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$plpgsql_body%d$", i)
	}
	head := "FUNCTION plpgsql_body(" + strings.Join(args, ", ") + ") RETURNS void"
	if setof {
		head = "FUNCTION plpgsql_body(" + strings.Join(args, ", ") + ") RETURNS SETOF int"
	}
	if procedure {
		head = "PROCEDURE plpgsql_body(" + strings.Join(args, ", ") + ")"
	}
	j, err := pg.ParsePlPgSqlToJSON("CREATE " + head + " LANGUAGE plpgsql AS " + tag + body + tag)
	if err != nil {
		msg := err.Error()
		if pe, ok := err.(*parser.Error); ok {
			msg = pe.Message
		}
		code := pgerr.SyntaxError
		switch {
		case strings.HasPrefix(msg, "unrecognized exception condition"):
			code = pgerr.UndefinedObject
		case strings.HasPrefix(msg, "cannot use RETURN "):
			code = pgerr.DatatypeMismatch
		}
		return "", pgerr.New(code, "%s", msg)
	}
	return j, nil
}

// PlpgsqlOutRow is the expression of a RETURN NEXT without one (in a
// function with OUT parameters) in the tree PlpgsqlJSON returns.
const PlpgsqlOutRow = `"?out_row?"`

var (
	returnNextBare = regexp.MustCompile(`(?i)\breturn\s+next\s*;`)
	returnNextVar  = regexp.MustCompile(`(?i)\b(return\s+next\s+)([a-z_][a-z0-9_$]*|"(?:[^"]|"")+")\s*;`)
)

// setofBody rewrites the RETURN NEXT statements of a set-returning
// function's body so the PL/pgSQL grammar keeps what they return:
// without OUT parameters known to it, it rejects a bare RETURN NEXT,
// and it keeps a lone variable only as a number the JSON tree omits.
func setofBody(body string) string {
	body = returnNextVar.ReplaceAllString(body, "${1}(${2});")
	return returnNextBare.ReplaceAllString(body, "RETURN NEXT "+PlpgsqlOutRow+";")
}

// The shared PL/pgSQL grammar gives every variable type OID 0, so it
// refuses every cursor statement (OPEN, FETCH, MOVE, CLOSE: "must be of
// type cursor or refcursor") and reads FOR r IN cur LOOP as a query.
// cursorBody hides those statements from it: each becomes
//
//	PERFORM "?plcursor?"($tag$<the statement's text>$tag$)
//
// and the cursor of a FOR loop becomes the integer range
// "?plcursor?"($tag$cur(args)$tag$)..0 (an integer FOR declares its
// loop variable as a cursor FOR does). The interpreter recognizes the
// marker (PlpgsqlCursorText) and parses the kept text itself. The text
// keeps its line breaks, so line numbers do not move.

// plCursorMark is the function name marking a hidden cursor statement.
const plCursorMark = `"?plcursor?"(`

// cursorStmtWords start the cursor statements cursorBody hides.
var cursorStmtWords = map[string]bool{"open": true, "fetch": true, "move": true, "close": true}

// notCursorNames are words that cannot follow OPEN, FETCH, MOVE or
// CLOSE in a cursor statement: after them the word is a column or
// variable in an expression ("CASE WHEN a THEN close ELSE open END").
var notCursorNames = map[string]bool{"else": true, "end": true, "when": true, "then": true, "and": true,
	"or": true, "is": true, "not": true, "as": true, "like": true, "between": true, "into": true}

// nonCursorQueries start the queries of FOR loops over queries.
var nonCursorQueries = map[string]bool{"select": true, "with": true, "values": true, "execute": true,
	"table": true, "reverse": true, "explain": true, "insert": true, "update": true, "delete": true}

// cursorBody rewrites the cursor statements of a PL/pgSQL body (see
// above); a body the SQL scanner cannot read is returned unchanged for
// the grammar to report.
func cursorBody(body string) string {
	sr, err := pg.Scan(body)
	if err != nil {
		return body
	}
	var toks []*pg.ScanToken
	for _, t := range sr.Tokens {
		if t.Token != pg.Token_SQL_COMMENT && t.Token != pg.Token_C_COMMENT {
			toks = append(toks, t)
		}
	}
	word := func(i int) string {
		if i >= len(toks) {
			return ""
		}
		return strings.ToLower(body[toks[i].Start:toks[i].End])
	}
	tag := "$plcur$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$plcur%d$", i)
	}
	var out strings.Builder
	last, inDecl := 0, false
	for i := 0; i < len(toks); i++ {
		w := word(i)
		switch w {
		case "declare":
			inDecl = true
		case "begin":
			inDecl = false
		}
		if inDecl || i > 0 && !stmtBoundary(word(i-1)) {
			continue
		}
		var from, to int // the tokens [from, to) to hide
		suffix := ""
		switch {
		case cursorStmtWords[w] && cursorStmt(w, word(i+1), word(i+2)):
			from, to = i, i
			for depth := 0; to < len(toks) && (word(to) != ";" || depth > 0); to++ {
				depth += parenDelta(word(to))
			}
		case w == "for" && word(i+2) == "in" && isCursorName(word(i+3)) && !nonCursorQueries[word(i+3)]:
			from, to = i+3, i+4
			if word(to) == "(" {
				for depth := 1; to+1 < len(toks) && depth > 0; {
					to++
					depth += parenDelta(word(to))
				}
				to++
			}
			if word(to) != "loop" {
				continue
			}
			suffix = "..0 "
		default:
			continue
		}
		if to >= len(toks) || to == from {
			continue
		}
		start, end := int(toks[from].Start), int(toks[to].Start)
		text := strings.TrimRight(body[start:end], " \t\r\n")
		out.WriteString(body[last:start])
		if suffix == "" {
			out.WriteString("PERFORM ")
		}
		out.WriteString(plCursorMark + tag + text + tag + ")" + suffix + body[start+len(text):end])
		last, i = end, to-1
	}
	if last == 0 {
		return body
	}
	out.WriteString(body[last:])
	return out.String()
}

// stmtBoundary reports whether a statement may start after token w.
func stmtBoundary(w string) bool {
	switch w {
	case ";", "begin", "loop", "then", "else", ">>":
		return true
	}
	return false
}

// cursorStmt reports whether OPEN, FETCH, MOVE or CLOSE (w) followed by
// next and then after starts a cursor statement.
func cursorStmt(w, next, after string) bool {
	if !isCursorName(next) || notCursorNames[next] {
		return false
	}
	switch w {
	case "open":
		return after == ";" || after == "(" || after == "for" || after == "scroll" || after == "no"
	case "close":
		return after == ";"
	}
	return true
}

// isCursorName reports whether token w is an identifier or a
// parameter reference ($1).
func isCursorName(w string) bool {
	if w == "" {
		return false
	}
	c := w[0]
	return c == '"' || c == '$' || c == '_' || c >= 'a' && c <= 'z' || c >= 0x80
}

func parenDelta(w string) int {
	switch w {
	case "(", "[":
		return 1
	case ")", "]":
		return -1
	}
	return 0
}

// PlpgsqlCursorText returns the cursor statement (or FOR loop cursor)
// text that cursorBody hid in expression expr of the parsed tree:
// "SELECT <mark>" for a statement, "<mark>" for a FOR loop's lower bound.
func PlpgsqlCursorText(expr string) (string, bool) {
	expr = strings.TrimPrefix(expr, "SELECT ")
	if !strings.HasPrefix(expr, plCursorMark) || !strings.HasSuffix(expr, ")") {
		return "", false
	}
	inner := expr[len(plCursorMark) : len(expr)-1]
	end := strings.IndexByte(inner[1:], '$')
	if !strings.HasPrefix(inner, "$") || end < 0 {
		return "", false
	}
	tag := inner[:end+2]
	if len(inner) < 2*len(tag) || !strings.HasSuffix(inner, tag) {
		return "", false
	}
	return inner[len(tag) : len(inner)-len(tag)], true
}
