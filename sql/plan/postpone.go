package plan

import "github.com/tsgres/tsgres/sql/types"

// postponeVolatile moves a projection that calls volatile functions above
// the LIMIT (and ORDER BY) over it, as PostgreSQL evaluates such target
// lists after sorting and limiting: SELECT compress_chunk(c) FROM
// show_chunks('t') c ORDER BY c LIMIT 1 compresses one chunk, not all of
// them. The sort keys must not need the volatile results: they are
// rewritten over the projection's input and must be movable there.
func postponeVolatile(n Node) Node {
	n, _ = CopyInputs(n, func(c Node) (Node, error) { return postponeVolatile(c), nil })
	lim, ok := n.(*Limit)
	if !ok {
		return n
	}
	switch in := lim.Input.(type) {
	case *Project:
		if anyVolatile(in.Exprs) {
			return limitBelow(lim, in, in.Input)
		}
	case *Sort:
		p, ok := in.Input.(*Project)
		if !ok || !anyVolatile(p.Exprs) {
			return n
		}
		keys := make([]SortKey, len(in.Keys))
		for i, k := range in.Keys {
			k.E = Subst(k.E, p.Exprs)
			if !Movable(k.E) {
				return n
			}
			keys[i] = k
		}
		return limitBelow(lim, p, &Sort{Input: p.Input, Keys: keys})
	}
	return n
}

// limitBelow evaluates projection p over the rows of input that limit
// lim needs. Like PostgreSQL it still evaluates the rows OFFSET skips:
// those are limited to OFFSET + LIMIT below p and skipped above it.
func limitBelow(lim *Limit, p *Project, input Node) Node {
	if lim.Offset == nil {
		return &Project{Input: &Limit{Input: input, Count: lim.Count}, Exprs: p.Exprs, Cols: p.Cols}
	}
	var count Expr
	if lim.Count != nil {
		count = &Op{T: types.Int8, Kind: OpAdd, L: lim.Count, R: lim.Offset}
	}
	inner := &Project{Input: &Limit{Input: input, Count: count}, Exprs: p.Exprs, Cols: p.Cols}
	return &Limit{Input: inner, Count: lim.Count, Offset: lim.Offset}
}

// anyVolatile reports whether one of es calls a volatile function.
func anyVolatile(es []Expr) bool {
	volatile := false
	for _, e := range es {
		Walk(e, func(x Expr) bool {
			if c, ok := x.(*Call); ok && c.Fn.Volatile {
				volatile = true
			}
			return !volatile
		})
	}
	return volatile
}
