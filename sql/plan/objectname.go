package plan

import "strings"

// ParseObjectName parses the text form of a relation argument, as
// TimescaleDB's API functions and sequence functions take it:
// "name" or "schema.name", each part either a bare identifier (folded to
// lower case) or a double-quoted one (kept as is, "" standing for ").
// The first dot splits schema from name; the parts are not otherwise
// validated.
func ParseObjectName(s string) ObjectName {
	parts := strings.SplitN(s, ".", 2)
	unq := func(p string) string {
		p = strings.TrimSpace(p)
		if strings.HasPrefix(p, `"`) && strings.HasSuffix(p, `"`) && len(p) >= 2 {
			return strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		}
		return strings.ToLower(p)
	}
	if len(parts) == 2 {
		return ObjectName{Schema: unq(parts[0]), Name: unq(parts[1])}
	}
	return ObjectName{Name: unq(parts[0])}
}
