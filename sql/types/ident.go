package types

import "strings"

// QuoteIdent quotes identifier s as PostgreSQL's quote_ident does: it
// is left alone when it is lower-case letters, digits and underscores
// (not starting with a digit) and not a keyword PostgreSQL would quote
// (reservedWords: the reserved, type-function and column-name keywords
// likely as names); otherwise it is double-quoted with quotes doubled.
func QuoteIdent(s string) string {
	safe := s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] == '_')
	for i := 0; safe && i < len(s); i++ {
		c := s[i]
		safe = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if safe && !reservedWords[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

var reservedWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric both case cast
		check collate column constraint create current_catalog current_date current_role
		current_time current_timestamp current_user default deferrable desc distinct do else end
		except false fetch for foreign from grant group having in initially intersect into lateral
		leading limit localtime localtimestamp not null offset on only or order placing primary
		references returning select session_user some symmetric table then to trailing true union
		unique user using variadic when where window with authorization binary collation
		concurrently cross current_schema freeze full ilike inner is isnull join left like natural
		notnull outer overlaps right similar tablesample verbose between bigint bit boolean char
		character coalesce dec decimal exists extract float greatest grouping inout int integer
		interval least national nchar none normalize nullif numeric out overlay position precision
		real row setof smallint substring time timestamp treat trim values varchar xmlattributes
		xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize
		xmltable`) {
		reservedWords[w] = true
	}
}
