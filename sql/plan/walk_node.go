package plan

// NodeExprs returns the expressions n evaluates itself (not its inputs').
func NodeExprs(n Node) []Expr {
	var out []Expr
	sortKeys := func(keys []SortKey) {
		for _, k := range keys {
			out = append(out, k.E)
		}
	}
	switch x := n.(type) {
	case *HyperScan:
		out = append(out, x.Filter)
		for _, k := range x.Keys {
			if k.Cond != nil {
				out = append(out, k.Cond)
			}
		}
	case *LastValueScan:
		out = append(out, x.Key)
		if x.Scan != nil {
			out = append(out, x.Scan.Filter)
		}
	case *Values:
		for _, r := range x.Rows {
			out = append(out, r...)
		}
	case *FuncScan:
		out = append(out, x.Args...)
	case *Filter:
		out = append(out, x.Cond)
	case *Project:
		out = append(out, x.Exprs...)
	case *ProjectSet:
		out = append(out, x.Exprs...)
		out = append(out, x.Args...)
	case *Agg:
		out = append(out, x.Keys...)
		for _, c := range x.Aggs {
			out = append(out, c.Args...)
			out = append(out, c.Direct...)
			out = append(out, c.Filter)
			sortKeys(c.OrderBy)
		}
	case *Sort:
		sortKeys(x.Keys)
	case *Limit:
		out = append(out, x.Count, x.Offset)
	case *Distinct:
		out = append(out, x.On...)
	case *Join:
		out = append(out, x.Cond)
		out = append(out, x.EqLeft...)
		out = append(out, x.EqRight...)
	case *Window:
		for _, f := range x.Funcs {
			out = append(out, f.Args...)
			out = append(out, f.Part...)
			sortKeys(f.Order)
		}
	}
	return out
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
