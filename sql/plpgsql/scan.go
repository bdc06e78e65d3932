package plpgsql

import "strings"

// declSections scans PL/pgSQL source and returns, for each block in
// source order (each BEGIN keyword), how many variables its DECLARE
// section declares (0 without one). ALIAS declarations declare none.
// It skips comments, string literals, quoted identifiers and
// dollar-quoted strings, so only keywords of the body itself count.
func declSections(src string) []int {
	var out []int
	inDecl, depth, words, count, alias := false, 0, 0, 0, false
	for _, tok := range sourceTokens(src) {
		if !inDecl {
			switch tok {
			case "declare":
				inDecl, depth, words, count, alias = true, 0, 0, 0, false
			case "begin":
				out = append(out, 0)
			}
			continue
		}
		switch {
		case tok == "(" || tok == "[":
			depth++
		case tok == ")" || tok == "]":
			depth--
		case tok == ";" && depth == 0:
			if words > 0 && !alias {
				count++
			}
			words, alias = 0, false
		case words == 0 && tok == "begin":
			out = append(out, count)
			inDecl = false
		case words == 0 && tok == "declare":
		default:
			words++
			if words == 2 && tok == "alias" {
				alias = true
			}
		}
	}
	return out
}

// sourceTokens splits src into lower-cased unquoted words, single
// punctuation characters, and placeholders for quoted text ("'" for a
// string, `"` for a quoted identifier), dropping comments and spaces.
func sourceTokens(src string) []string {
	spans := sourceSpans(src)
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = sp.tok
	}
	return out
}

// sourceSpan is one token of sourceSpans: tok as sourceTokens returns
// it, and its text src[start:end].
type sourceSpan struct {
	tok        string
	start, end int
}

// sourceSpans is sourceTokens with each token's place in src.
func sourceSpans(src string) []sourceSpan {
	var out []sourceSpan
	add := func(tok string, start, end int) { out = append(out, sourceSpan{tok, start, end}) }
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(src[i:], "--"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			i = skipBlockComment(src, i)
		case c == '\'':
			end := skipQuoted(src, i, '\'', false)
			add("'", i, end)
			i = end
		case c == '"':
			end := skipQuoted(src, i, '"', false)
			add(`"`, i, end)
			i = end
		case c == '$':
			if end, ok := skipDollarQuote(src, i); ok {
				add("'", i, end)
				i = end
				continue
			}
			j := i + 1
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			add(src[i:j], i, j)
			i = j
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			word := strings.ToLower(src[i:j])
			if (word == "e" || word == "x" || word == "b" || word == "u&") && j < len(src) && src[j] == '\'' {
				end := skipQuoted(src, j, '\'', word == "e")
				add("'", i, end)
				i = end
				continue
			}
			add(word, i, j)
			i = j
		case c == ':' && strings.HasPrefix(src[i:], ":="), c == '=' && strings.HasPrefix(src[i:], "=>"):
			add(src[i:i+2], i, i+2)
			i += 2
		default:
			add(src[i:i+1], i, i+1)
			i++
		}
	}
	return out
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// skipQuoted returns the index after the quoted text starting at src[i]
// (a doubled quote is an escaped one; with backslash, so is \').
func skipQuoted(src string, i int, q byte, backslash bool) int {
	for j := i + 1; j < len(src); j++ {
		switch {
		case backslash && src[j] == '\\':
			j++
		case src[j] == q && j+1 < len(src) && src[j+1] == q:
			j++
		case src[j] == q:
			return j + 1
		}
	}
	return len(src)
}

// skipBlockComment returns the index after the (nestable) comment at i.
func skipBlockComment(src string, i int) int {
	depth := 0
	for i < len(src) {
		switch {
		case strings.HasPrefix(src[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(src[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// skipDollarQuote returns the index after a $tag$...$tag$ string at i.
func skipDollarQuote(src string, i int) (int, bool) {
	j := i + 1
	for j < len(src) && src[j] != '$' && (isIdentChar(src[j]) && src[j] != '$') {
		j++
	}
	if j >= len(src) || src[j] != '$' || j > i+1 && src[i+1] >= '0' && src[i+1] <= '9' {
		return i, false
	}
	tag := src[i : j+1]
	end := strings.Index(src[j+1:], tag)
	if end < 0 {
		return len(src), true
	}
	return j + 1 + end + len(tag), true
}
