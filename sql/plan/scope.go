package plan

import (
	"fmt"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// scope resolves column names against the FROM clause's relations.
type scope struct {
	rels   []*rel
	parent *scope
	// cols is the flat row layout (all relations' columns in order).
	ncols int
	// owner is the binder of the query block the scope belongs to (nil
	// for scopes of no block): a reference through the scope to an
	// enclosing block's row makes that block correlated too.
	owner *binder
	// lateralOuter marks the scope whose parent's columns are reached
	// through OuterRef depth counting.
}

type rel struct {
	alias string
	cols  []OutCol
	off   int // position of the first column in the row
	// using hides the right-hand copies of USING/NATURAL join columns.
	hidden map[string]bool
}

func newScope(parent *scope) *scope { return &scope{parent: parent} }

func (s *scope) add(alias string, cols []OutCol) *rel {
	r := &rel{alias: alias, cols: cols, off: s.ncols}
	s.rels = append(s.rels, r)
	s.ncols += len(cols)
	return r
}

// checkAliases fails with 42712 when two relations of the scope share a
// name ("FROM t, t", "FROM t a JOIN u a ON ..."), as PostgreSQL does.
func (s *scope) checkAliases() error {
	seen := make(map[string]bool, len(s.rels))
	for _, r := range s.rels {
		if r.alias == "" {
			continue
		}
		if seen[r.alias] {
			return pgerr.New(pgerr.DuplicateAlias, "table name %q specified more than once", r.alias)
		}
		seen[r.alias] = true
	}
	return nil
}

// allCols returns the visible row layout.
func (s *scope) allCols() []OutCol {
	out := make([]OutCol, 0, s.ncols)
	for _, r := range s.rels {
		out = append(out, r.cols...)
	}
	return out
}

// resolve finds a column by optional qualifier and name, looking through
// enclosing scopes; depth counts how many scopes up it was found.
func (s *scope) resolve(qual, name string) (depth, idx int, c OutCol, err error) {
	for sc, d := s, 0; sc != nil; sc, d = sc.parent, d+1 {
		found := -1
		var fc OutCol
		qualSeen := false
		for _, r := range sc.rels {
			if qual != "" && r.alias != qual {
				continue
			}
			qualSeen = qualSeen || qual != ""
			for i, col := range r.cols {
				if col.Name != name || col.Hidden {
					continue
				}
				if r.hidden[name] && qual == "" {
					continue
				}
				if found >= 0 && qual == "" {
					return 0, 0, OutCol{}, pgerr.New(pgerr.AmbiguousColumn, "column reference %q is ambiguous", name)
				}
				found, fc = r.off+i, col
			}
		}
		if found >= 0 {
			return d, found, fc, nil
		}
		if qualSeen {
			return 0, 0, OutCol{}, pgerr.New(pgerr.UndefinedColumn, "column %s.%s does not exist", qual, name)
		}
	}
	if qual != "" {
		if !s.hasRel(qual) {
			return 0, 0, OutCol{}, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", qual)
		}
		return 0, 0, OutCol{}, pgerr.New(pgerr.UndefinedColumn, "column %s.%s does not exist", qual, name)
	}
	return 0, 0, OutCol{}, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", name)
}

func (s *scope) hasRel(alias string) bool {
	for sc := s; sc != nil; sc = sc.parent {
		for _, r := range sc.rels {
			if r.alias == alias {
				return true
			}
		}
	}
	return false
}

// relCols returns the columns (with row offsets) of relation alias for "alias.*".
func (s *scope) relCols(alias string) (*rel, error) {
	for _, r := range s.rels {
		if r.alias == alias {
			return r, nil
		}
	}
	return nil, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", alias)
}

func (r *rel) String() string { return fmt.Sprintf("%s(%d cols)", r.alias, len(r.cols)) }
