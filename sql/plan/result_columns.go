package plan

import "github.com/tsgres/tsgres/sql/types"

// ResultColumns returns the columns of a result as a client receives
// them: hidden columns left out, a column of unknown type (an untyped
// literal) typed text.
func ResultColumns(cols []OutCol) []OutCol {
	out := make([]OutCol, 0, len(cols))
	for _, c := range cols {
		if c.Hidden {
			continue
		}
		if c.T.OID == 0 || c.T.OID == types.OidUnknown {
			c.T = types.Text
		}
		out = append(out, c)
	}
	return out
}
