package dml

import (
	"math"
	"strconv"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// CHECK and FOREIGN KEY constraints, enforced by the statements that
// write rows. A CHECK is evaluated on every new row version before it is
// stored (a hypertable batch with the vector evaluator). A foreign key
// is checked from both sides once the statement's rows are written, as
// PostgreSQL's RI triggers do at the end of the statement:
//
//   - the referencing side (INSERT, UPDATE of the key columns, COPY):
//     the referenced row is found by its primary key or unique index and
//     locked FOR KEY SHARE, so a concurrent DELETE of it (which locks it
//     FOR UPDATE) waits for this transaction, or this one for it;
//   - the referenced side (DELETE, UPDATE of a referenced key): the rows
//     still referencing a removed key are found, then the constraint's
//     action runs on them in the same transaction (NO ACTION / RESTRICT
//     fail with 23503; CASCADE deletes or updates them, SET NULL / SET
//     DEFAULT update them), each locked FOR UPDATE and read again first;
//     what the action changes triggers the actions of the constraints
//     referencing those rows in turn.
//
// A table without constraints costs a length test per statement.

// maxCascadeDepth bounds nested referential actions (a cycle of CASCADE
// UPDATEs could otherwise recurse without end).
const maxCascadeDepth = 100

// constraints is one statement's constraint checking: the bound CHECK
// expressions of the tables it writes and the referenced keys it found
// (and locked) already.
type constraints struct {
	ec  *exec.Ctx
	w   *table.Writer
	env plan.Env
	loc *time.Location
	// checks are the bound CHECK expressions by table OID.
	checks map[uint32][]plan.Expr
	// found are the foreign key values known to be present: the
	// constraint OID and the key (table.KeyString).
	found map[string]bool
	depth int
}

func newConstraints(h Host, ec *exec.Ctx, w *table.Writer) *constraints {
	return &constraints{ec: ec, w: w, env: h.BindEnv(), loc: h.Location()}
}

// catalog returns the catalog the statement sees.
func (c *constraints) catalog() *catalog.Snapshot { return c.env.Catalog() }

// referenced reports whether a foreign key references t.
func (c *constraints) referenced(t *catalog.Table) bool {
	_, fks := c.catalog().ReferencedBy(t.DB, t.OID)
	return len(fks) > 0
}

// bound returns t's CHECK expressions, bound once per statement.
func (c *constraints) bound(t *catalog.Table) ([]plan.Expr, error) {
	if es, ok := c.checks[t.OID]; ok {
		return es, nil
	}
	es := make([]plan.Expr, len(t.Checks))
	for i := range t.Checks {
		e, err := plan.BindCheck(c.env, t, t.Checks[i].Expr)
		if err != nil {
			return nil, err
		}
		es[i] = e
	}
	if c.checks == nil {
		c.checks = map[uint32][]plan.Expr{}
	}
	c.checks[t.OID] = es
	return es, nil
}

// checkRow fails with a CheckViolation when row (all of t's columns)
// makes one of t's CHECK constraints false.
func (c *constraints) checkRow(t *catalog.Table, row []any) error {
	if len(t.Checks) == 0 {
		return nil
	}
	es, err := c.bound(t)
	if err != nil {
		return err
	}
	for i, e := range es {
		v, err := exec.Eval(c.ec, e, row)
		if err != nil {
			return err
		}
		if v == false {
			return table.CheckViolation(t, t.Checks[i].Name, row)
		}
	}
	return nil
}

// checkBatch is checkRow for every row of b, evaluating each CHECK over
// the whole batch at once.
func (c *constraints) checkBatch(t *catalog.Table, b *col.Batch) error {
	if len(t.Checks) == 0 {
		return nil
	}
	es, err := c.bound(t)
	if err != nil {
		return err
	}
	for i, e := range es {
		m, err := exec.EvalBatch(c.ec, e, b)
		if err != nil {
			return err
		}
		for r := 0; r < b.Rows(); r++ {
			if !m.IsNull(r) && !m.B[r] {
				return table.CheckViolation(t, t.Checks[i].Name, b.Values(r, nil))
			}
		}
	}
	return nil
}

// references checks the foreign keys of t for rows (new row versions
// just written): each complete key must have its referenced row, which
// is locked FOR KEY SHARE.
func (c *constraints) references(t *catalog.Table, rows [][]any) error {
	for i := range t.ForeignKeys {
		fk := &t.ForeignKeys[i]
		ref := c.catalog().TableByOID(fk.RefTable)
		if ref == nil {
			continue
		}
		for _, row := range rows {
			if err := c.reference(t, fk, ref, row); err != nil {
				return err
			}
		}
	}
	return nil
}

// referencesBatch is references for the rows of batch b.
func (c *constraints) referencesBatch(t *catalog.Table, b *col.Batch) error {
	if len(t.ForeignKeys) == 0 {
		return nil
	}
	row := make([]any, len(t.Cols))
	for i := range t.ForeignKeys {
		fk := &t.ForeignKeys[i]
		ref := c.catalog().TableByOID(fk.RefTable)
		if ref == nil {
			continue
		}
		for r := 0; r < b.Rows(); r++ {
			for _, id := range fk.Cols {
				k := t.ColByID(id)
				row[k] = b.Cols[k].Get(r)
			}
			if err := c.reference(t, fk, ref, row); err != nil {
				return err
			}
		}
	}
	return nil
}

// reference checks foreign key fk of t (referencing ref) for row.
func (c *constraints) reference(t *catalog.Table, fk *catalog.ForeignKey, ref *catalog.Table, row []any) error {
	vals, ok, err := table.FKValues(t, fk.Cols, row, ref, fk.RefCols)
	if err != nil {
		return err
	}
	if !ok {
		if fk.Match == catalog.FKMatchFull {
			for _, id := range fk.Cols {
				if row[t.ColByID(id)] != nil {
					return table.MatchFullError(t, fk)
				}
			}
		}
		return nil
	}
	ks := strconv.FormatUint(uint64(fk.OID), 10) + "/" + table.KeyString(ref, fk.RefCols, vals)
	if c.found[ks] {
		return nil
	}
	key, err := c.w.ReferencedRow(ref, fk.RefCols, vals, true)
	if err != nil {
		return err
	}
	if key == nil {
		own := make([]any, len(fk.Cols))
		for k, id := range fk.Cols {
			own[k] = row[t.ColByID(id)]
		}
		return table.MissingReferenceError(t, fk, own, ref)
	}
	if c.found == nil {
		c.found = map[string]bool{}
	}
	c.found[ks] = true
	return nil
}

// changedKeys reports whether an update from old to row changed one of
// columns ids.
func changedKeys(t *catalog.Table, ids []uint32, old, row []any) bool {
	for _, id := range ids {
		i := t.ColByID(id)
		a, b := old[i], row[i]
		if (a == nil) != (b == nil) || a != nil && !types.Equal(t.Cols[i].Type, a, b) {
			return true
		}
	}
	return false
}

// updatedReferences checks the foreign keys of t for the rows an UPDATE
// changed (olds to news) whose key columns changed.
func (c *constraints) updatedReferences(t *catalog.Table, olds, news [][]any) error {
	for i := range t.ForeignKeys {
		fk := &t.ForeignKeys[i]
		ref := c.catalog().TableByOID(fk.RefTable)
		if ref == nil {
			continue
		}
		for k, row := range news {
			if !changedKeys(t, fk.Cols, olds[k], row) {
				continue
			}
			if err := c.reference(t, fk, ref, row); err != nil {
				return err
			}
		}
	}
	return nil
}

// removedKey is a referenced key a statement removed: its values (in the
// referenced table's types) and, for an UPDATE, the values that replaced
// them.
type removedKey struct{ old, new []any }

// parentChanged runs the referential actions of the foreign keys
// referencing t for the rows a statement deleted (olds, news nil) or
// updated (olds to news).
func (c *constraints) parentChanged(t *catalog.Table, olds, news [][]any) error {
	if len(olds) == 0 {
		return nil
	}
	children, fks := c.catalog().ReferencedBy(t.DB, t.OID)
	for i, fk := range fks {
		removed := map[string]removedKey{}
		for k, old := range olds {
			ov, ok, err := table.FKValues(t, fk.RefCols, old, t, fk.RefCols)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			ks := table.KeyString(t, fk.RefCols, ov)
			rk := removedKey{old: ov}
			if news != nil {
				if !changedKeys(t, fk.RefCols, old, news[k]) {
					continue
				}
				nv, _, err := table.FKValues(t, fk.RefCols, news[k], t, fk.RefCols)
				if err != nil {
					return err
				}
				if nv == nil {
					nv = make([]any, len(fk.RefCols))
					for j, id := range fk.RefCols {
						nv[j] = news[k][t.ColByID(id)]
					}
				}
				rk.new = nv
			}
			removed[ks] = rk
		}
		action := fk.OnDelete
		if news != nil {
			action = fk.OnUpdate
		}
		if action == catalog.FKNoAction {
			// A key the statement put back is still there.
			for ks, rk := range removed {
				if key, err := c.w.ReferencedRow(t, fk.RefCols, rk.old, false); err != nil {
					return err
				} else if key != nil {
					delete(removed, ks)
				}
			}
		}
		if len(removed) == 0 {
			continue
		}
		if err := c.runAction(t, children[i], fk, action, removed, news != nil); err != nil {
			return err
		}
	}
	return nil
}

// runAction runs action of foreign key fk of child on the rows of child
// referencing the keys of t the statement removed.
func (c *constraints) runAction(t, child *catalog.Table, fk *catalog.ForeignKey, action byte, removed map[string]removedKey, update bool) error {
	keys := make(map[string][]any, len(removed))
	for ks, rk := range removed {
		keys[ks] = rk.old
	}
	if child.Hyper != nil {
		return c.hyperAction(t, child, fk, action, removed, update)
	}
	if c.depth >= maxCascadeDepth {
		return pgerr.New(pgerr.StatementTooComplex, "referential actions nested too deeply")
	}
	var olds, news [][]any
	err := c.w.ReferencingRows(child, fk.Cols, t, fk.RefCols, keys, func(key []byte, row []any) error {
		vals, _, err := table.FKValues(child, fk.Cols, row, t, fk.RefCols)
		if err != nil {
			return err
		}
		if action == catalog.FKNoAction || action == catalog.FKRestrict {
			return table.StillReferencedError(t, fk, vals, child)
		}
		if _, err := c.w.LockRow(child, key, table.LockUpdate, table.Wait); err != nil {
			return err
		}
		if err := c.w.CheckRowUnchanged(child, key); err != nil {
			return err
		}
		cur, err := c.w.GetRow(child, key)
		if err != nil || cur == nil {
			return err
		}
		cv, ok, err := table.FKValues(child, fk.Cols, cur, t, fk.RefCols)
		if err != nil || !ok {
			return err
		}
		ks := table.KeyString(t, fk.RefCols, cv)
		if _, hit := keys[ks]; !hit {
			return nil // changed while this statement waited for it
		}
		if action == catalog.FKCascade && !update {
			c.w.DeleteRow(child, key, cur)
			olds = append(olds, cur)
			return nil
		}
		nrow := append([]any(nil), cur...)
		for k, id := range fk.Cols {
			pos := child.ColByID(id)
			switch action {
			case catalog.FKCascade:
				v := removed[ks].new[k]
				if v != nil {
					pt := t.Cols[t.ColByID(fk.RefCols[k])].Type
					if v, err = types.Cast(v, pt, child.Cols[pos].Type, c.loc); err != nil {
						return err
					}
				}
				nrow[pos] = v
			case catalog.FKSetNull:
				nrow[pos] = nil
			case catalog.FKSetDefault:
				if nrow[pos], err = c.defaultValue(child, pos); err != nil {
					return err
				}
			}
		}
		if err := c.checkRow(child, nrow); err != nil {
			return err
		}
		if err := c.w.ReplaceRow(child, key, cur, nrow); err != nil {
			return err
		}
		olds, news = append(olds, cur), append(news, nrow)
		return nil
	})
	if err != nil {
		return err
	}
	if action == catalog.FKSetDefault {
		// A default equal to a removed key still references it: the
		// removal fails as NO ACTION would (PostgreSQL re-runs that
		// check after SET DEFAULT).
		for _, row := range news {
			vals, ok, err := table.FKValues(child, fk.Cols, row, t, fk.RefCols)
			if err != nil {
				return err
			}
			if _, hit := keys[table.KeyString(t, fk.RefCols, vals)]; ok && hit {
				return table.StillReferencedError(t, fk, vals, child)
			}
		}
		if err := c.references(child, news); err != nil {
			return err
		}
	}
	c.depth++
	defer func() { c.depth-- }()
	if action == catalog.FKCascade && !update {
		return c.parentChanged(child, olds, nil)
	}
	return c.parentChanged(child, olds, news)
}

// defaultValue evaluates the default of column pos of t (NULL when it
// has none).
func (c *constraints) defaultValue(t *catalog.Table, pos int) (any, error) {
	def := t.Cols[pos].Default
	if def == "" {
		return nil, nil
	}
	e, err := plan.BindExpr(c.env, def, c.loc)
	if err != nil {
		return nil, err
	}
	v, err := exec.Eval(c.ec, e, nil)
	if err != nil || v == nil {
		return v, err
	}
	if e.Type().OID != t.Cols[pos].Type.OID {
		return types.Cast(v, e.Type(), t.Cols[pos].Type, c.loc)
	}
	return v, nil
}

// hyperAction runs action of foreign key fk of hypertable child on its
// rows referencing the keys of t the statement removed: NO ACTION and
// RESTRICT look for one such row; the other actions rewrite the blocks
// holding them (rewriteHyper, as DELETE and UPDATE do), once per removed
// key for ON UPDATE CASCADE. Hypertables cannot be referenced, so
// nothing cascades further.
func (c *constraints) hyperAction(t, child *catalog.Table, fk *catalog.ForeignKey, action byte, removed map[string]removedKey, update bool) error {
	if action == catalog.FKNoAction || action == catalog.FKRestrict {
		keys := make(map[string][]any, len(removed))
		for ks, rk := range removed {
			keys[ks] = rk.old
		}
		row, err := c.w.HyperReferences(child, fk.Cols, t, fk.RefCols, keys)
		if err != nil || row == nil {
			return err
		}
		vals, _, err := table.FKValues(child, fk.Cols, row, t, fk.RefCols)
		if err != nil {
			return err
		}
		return table.StillReferencedError(t, fk, vals, child)
	}
	scan := &plan.HyperScan{Table: child, Chunks: c.w.Env.ScanChunks(child.OID, math.MinInt64, math.MaxInt64),
		TimeMin: math.MinInt64, TimeMax: math.MaxInt64}
	var set []plan.SetItem
	for _, id := range fk.Cols {
		pos := child.ColByID(id)
		ct := child.Cols[pos].Type
		switch action {
		case catalog.FKSetNull:
			set = append(set, plan.SetItem{Col: pos, E: &plan.Const{T: ct}})
		case catalog.FKSetDefault:
			v, err := c.defaultValue(child, pos)
			if err != nil {
				return err
			}
			set = append(set, plan.SetItem{Col: pos, E: &plan.Const{T: ct, V: v}})
		case catalog.FKCascade:
			if update {
				set = append(set, plan.SetItem{Col: pos}) // per key below
			}
		}
	}
	matchKeys := func(rks []removedKey) (plan.Expr, error) {
		var or plan.Expr
		for _, rk := range rks {
			var and plan.Expr
			for k, id := range fk.Cols {
				pos := child.ColByID(id)
				v, err := c.childValue(t, fk, child, k, rk.old[k])
				if err != nil {
					return nil, err
				}
				eq := &plan.Op{T: types.Bool, Kind: plan.OpEq, L: &plan.ColRef{T: child.Cols[pos].Type, Idx: pos}, R: &plan.Const{T: child.Cols[pos].Type, V: v}}
				and = andExpr(and, eq, plan.OpAnd)
			}
			or = andExpr(or, and, plan.OpOr)
		}
		return or, nil
	}
	groups := [][]removedKey{nil}
	for _, rk := range removed {
		if action == catalog.FKCascade && update {
			groups = append(groups, []removedKey{rk})
		} else {
			groups[0] = append(groups[0], rk)
		}
	}
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		filter, err := matchKeys(g)
		if err != nil {
			return err
		}
		gset := set
		if action == catalog.FKCascade && update {
			gset = make([]plan.SetItem, len(set))
			for k, it := range set {
				v, err := c.childValue(t, fk, child, k, g[0].new[k])
				if err != nil {
					return err
				}
				gset[k] = plan.SetItem{Col: it.Col, E: &plan.Const{T: child.Cols[it.Col].Type, V: v}}
			}
		}
		if action == catalog.FKCascade && !update {
			gset = nil
		}
		if _, err := rewriteHyper(c.ec, c.w, c, child, scan, filter, nil, gset, nil); err != nil {
			return err
		}
	}
	return nil
}

// childValue converts value v of referenced column k of fk (in t's
// type) to the type of the referencing column of child.
func (c *constraints) childValue(t *catalog.Table, fk *catalog.ForeignKey, child *catalog.Table, k int, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	pt := t.Cols[t.ColByID(fk.RefCols[k])].Type
	ct := child.Cols[child.ColByID(fk.Cols[k])].Type
	if pt.OID == ct.OID {
		return v, nil
	}
	return types.Cast(v, pt, ct, c.loc)
}

// andExpr joins a and b with AND or OR (kind); a may be nil.
func andExpr(a, b plan.Expr, kind plan.OpKind) plan.Expr {
	if a == nil {
		return b
	}
	return &plan.Op{T: types.Bool, Kind: kind, L: a, R: b}
}
