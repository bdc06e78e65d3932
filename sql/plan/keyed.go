package plan

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// Primary key lookups (sql/opt key_lookup, keyed UPDATE and DELETE in
// sql/dml).

// KeyEquality reports whether SQL equality on values of type t is
// equality of their key encodings (no trailing-blank, numeric-scale or
// float -0 cases), so a lookup by key finds exactly the equal rows.
func KeyEquality(t types.T) bool {
	switch t.OID {
	case types.OidText, types.OidVarchar, types.OidDate, types.OidTimestamp, types.OidTimestamptz, types.OidBool:
		return true
	}
	return t.IsInteger()
}

// PinnedPrimaryKey returns, in primary key order, the positions in t.Cols
// of t's primary key columns when pinned (by column position) holds
// every one of them and each has a KeyEquality type; nil otherwise.
func PinnedPrimaryKey(t *catalog.Table, pinned func(pos int) bool) []int {
	pk := t.PrimaryKey()
	if pk == nil {
		return nil
	}
	out := make([]int, len(pk.Cols))
	for i, id := range pk.Cols {
		pos := t.ColByID(id)
		if pos < 0 || !pinned(pos) || !KeyEquality(t.Cols[pos].Type) {
			return nil
		}
		out[i] = pos
	}
	return out
}
