package parse

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"
)

// Bulk INSERT ... VALUES: one parse per row shape, not per row.
//
// A loader's INSERT INTO t (...) VALUES (...), (...), ... of thousands of
// rows normalizes to a text too long for the parse cache, and pg_query
// spends most of a bulk insert's server time building and then decoding
// (protobuf) a tree node for every item of every row. When each item of
// each row is a literal, the normalized rows are "($k, ..., $k+m-1)" with
// consecutive placeholders, so the tree of the whole list is known from
// that of the first row: the text is parsed with the other rows blanked
// out (spaces, so every location in the tree stays that of the normalized
// text) and the value lists are then filled in, the same ParamRef nodes
// at the same locations pg_query would have produced.

// valuesMinRows is the fewest rows worth the collapsed parse.
const valuesMinRows = 16

// valuesRows locates the VALUES list of a normalized INSERT: rows of
// width placeholder items, the first numbered first; row 0 ends (after
// its ")") at row0End and the last row at lastEnd, offsets in the
// normalized text; at holds each item's location, row after row.
type valuesRows struct {
	width, first     int
	row0End, lastEnd int
	at               []int32
}

// valuesRowsOf finds the top-level VALUES list of an INSERT statement's
// tokens (raw is the statement text, toks' offsets start at off) whose
// rows hold only placeholders; at[i] is where token i starts in the
// normalized text and num[i] the placeholder it became (0: none). nil
// when there is no such list of at least valuesMinRows rows.
func valuesRowsOf(raw string, toks []token, off int, at, num []int) *valuesRows {
	word := func(i int) string { return raw[toks[i].start-off : toks[i].end-off] }
	punct := func(i int, c byte) bool {
		return i < len(toks) && toks[i].kind == 'p' && raw[toks[i].start-off] == c
	}
	depth, v := 0, -1
	for i, t := range toks {
		switch {
		case t.kind == 'p' && (raw[t.start-off] == '(' || raw[t.start-off] == '['):
			depth++
		case t.kind == 'p' && (raw[t.start-off] == ')' || raw[t.start-off] == ']'):
			depth--
		case t.kind == 'i' && depth == 0 && strings.EqualFold(word(i), "values"):
			v = i
		}
		if v >= 0 {
			break
		}
	}
	if v < 0 {
		return nil
	}
	vr := &valuesRows{}
	rows, prev := 0, 0
	i := v + 1
	for {
		if !punct(i, '(') {
			return nil
		}
		i++
		w := 0
		for {
			if i >= len(toks) || num[i] == 0 || prev != 0 && num[i] != prev+1 {
				return nil
			}
			if prev == 0 {
				vr.first = num[i]
			}
			prev = num[i]
			vr.at = append(vr.at, int32(at[i]))
			w++
			i++
			if punct(i, ')') {
				break
			}
			if !punct(i, ',') {
				return nil
			}
			i++
		}
		if rows == 0 {
			vr.width = w
			vr.row0End = at[i] + 1
		} else if w != vr.width {
			return nil
		}
		vr.lastEnd = at[i] + 1
		rows++
		i++
		if !punct(i, ',') || !punct(i+1, '(') {
			break
		}
		i++
	}
	if rows < valuesMinRows {
		return nil
	}
	return vr
}

// tree parses normalized, the text vr was found in, with rows after the
// first blanked out and fills the value lists in; ok is false when the
// tree is not the INSERT ... VALUES expected (the caller then parses the
// whole text).
func (vr *valuesRows) tree(normalized string) (res *pg.ParseResult, ok bool) {
	blank := strings.Repeat(" ", vr.lastEnd-vr.row0End)
	res, err := pg.Parse(normalized[:vr.row0End] + blank + normalized[vr.lastEnd:])
	if err != nil || len(res.Stmts) != 1 {
		return nil, false
	}
	ins := res.Stmts[0].GetStmt().GetInsertStmt()
	sel := ins.GetSelectStmt().GetSelectStmt()
	if sel == nil || len(sel.ValuesLists) != 1 {
		return nil, false
	}
	items := sel.ValuesLists[0].GetList().GetItems()
	if len(items) != vr.width {
		return nil, false
	}
	for j, it := range items {
		p := it.GetParamRef()
		if p == nil || int(p.Number) != vr.first+j || p.Location != vr.at[j] {
			return nil, false
		}
	}
	rows := len(vr.at) / vr.width
	lists := make([]*pg.Node, rows)
	nodes := make([]pg.Node, len(vr.at))
	refs := make([]pg.Node_ParamRef, len(vr.at))
	params := make([]pg.ParamRef, len(vr.at))
	ptrs := make([]*pg.Node, len(vr.at))
	for k := range vr.at {
		params[k].Number = int32(vr.first + k)
		params[k].Location = vr.at[k]
		refs[k].ParamRef = &params[k]
		nodes[k].Node = &refs[k]
		ptrs[k] = &nodes[k]
	}
	lists[0] = sel.ValuesLists[0]
	for r := 1; r < rows; r++ {
		lists[r] = &pg.Node{Node: &pg.Node_List{List: &pg.List{Items: ptrs[r*vr.width : (r+1)*vr.width : (r+1)*vr.width]}}}
	}
	sel.ValuesLists = lists
	return res, true
}
