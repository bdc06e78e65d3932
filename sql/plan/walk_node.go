package plan

// NodeExprs returns the expressions n evaluates itself (not its inputs').
func NodeExprs(n Node) []Expr {
	var out []Expr
	EachNodeExpr(n, func(e Expr) { out = append(out, e) })
	return out
}

// EachNodeExpr calls f with each expression NodeExprs returns, in its
// order (nil ones included), without building the slice.
func EachNodeExpr(n Node, f func(Expr)) {
	all := func(es []Expr) {
		for _, e := range es {
			f(e)
		}
	}
	sortKeys := func(keys []SortKey) {
		for _, k := range keys {
			f(k.E)
		}
	}
	switch x := n.(type) {
	case *HyperScan:
		f(x.Filter)
		for _, k := range x.Keys {
			if k.Cond != nil {
				f(k.Cond)
			}
		}
	case *LastValueScan:
		f(x.Key)
		if x.Scan != nil {
			f(x.Scan.Filter)
		}
	case *Values:
		for _, r := range x.Rows {
			all(r)
		}
	case *FuncScan:
		all(x.Args)
	case *Filter:
		f(x.Cond)
	case *Project:
		all(x.Exprs)
	case *ProjectSet:
		all(x.Exprs)
		all(x.Args)
	case *Agg:
		all(x.Keys)
		for _, c := range x.Aggs {
			all(c.Args)
			all(c.Direct)
			f(c.Filter)
			sortKeys(c.OrderBy)
		}
	case *Sort:
		sortKeys(x.Keys)
	case *Limit:
		f(x.Count)
		f(x.Offset)
	case *Distinct:
		all(x.On)
	case *Join:
		f(x.Cond)
		all(x.EqLeft)
		all(x.EqRight)
	case *Window:
		for _, w := range x.Funcs {
			all(w.Args)
			all(w.Part)
			sortKeys(w.Order)
		}
	}
}

// MapInputs replaces each child plan node c of n by f(c), in place.
func MapInputs(n Node, f func(Node) Node) {
	switch x := n.(type) {
	case *Filter:
		x.Input = f(x.Input)
	case *Project:
		x.Input = f(x.Input)
	case *ProjectSet:
		x.Input = f(x.Input)
	case *Agg:
		x.Input = f(x.Input)
	case *Sort:
		x.Input = f(x.Input)
	case *Limit:
		x.Input = f(x.Input)
	case *Distinct:
		x.Input = f(x.Input)
	case *Join:
		x.Left, x.Right = f(x.Left), f(x.Right)
	case *SetOp:
		x.Left, x.Right = f(x.Left), f(x.Right)
	case *Window:
		x.Input = f(x.Input)
	case *Explain:
		x.Input = f(x.Input)
	case *LockRows:
		x.Input = f(x.Input)
	case *CTERef:
		x.CTE.Plan = f(x.CTE.Plan)
	}
}

// CopyInputs returns a shallow copy of n with each input plan c replaced
// by f(c); the first error stops it. Leaves and CTE plans (shared by
// their references) are left alone, and n itself is never changed
// (MapInputs is the in-place form).
func CopyInputs(n Node, f func(Node) (Node, error)) (Node, error) {
	var err error
	one := func(c Node) Node {
		if err != nil {
			return c
		}
		var r Node
		if r, err = f(c); err != nil {
			return c
		}
		return r
	}
	switch x := n.(type) {
	case *Filter:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Project:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *ProjectSet:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Agg:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Sort:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Limit:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Distinct:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Window:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *LockRows:
		cp := *x
		cp.Input = one(x.Input)
		return &cp, err
	case *Join:
		cp := *x
		cp.Left, cp.Right = one(x.Left), one(x.Right)
		return &cp, err
	case *SetOp:
		cp := *x
		cp.Left, cp.Right = one(x.Left), one(x.Right)
		return &cp, err
	}
	return n, nil
}
