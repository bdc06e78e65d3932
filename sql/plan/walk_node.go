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
	case *LastValueScan:
		out = append(out, x.Key)
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
	case *CTERef:
		x.CTE.Plan = f(x.CTE.Plan)
	}
}
