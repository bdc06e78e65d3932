package ddl

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
)

// CHECK and FOREIGN KEY constraints in CREATE TABLE and ALTER TABLE: they
// are named as PostgreSQL names them, validated against the catalog and,
// when added to a table with rows, against its rows; then stored in the
// table's descriptor (catalog.Table.Checks, ForeignKeys). Package dml
// enforces them on writes.

// maxIdentLen is PostgreSQL's NAMEDATALEN - 1.
const maxIdentLen = 63

// makeObjectName joins name1, name2 (optional) and label with "_", as
// PostgreSQL's makeObjectName does: while the result would not fit an
// identifier, the longer of the two names (name2 on a tie) loses its
// last byte, and a name cut inside a UTF-8 character loses all of it.
func makeObjectName(name1, name2, label string) string {
	overhead := len(label) + 1
	if name2 != "" {
		overhead++
	}
	n1, n2 := len(name1), len(name2)
	for n1+n2+overhead > maxIdentLen {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	name1, name2 = clipUTF8(name1, n1), clipUTF8(name2, n2)
	if name2 == "" {
		return name1 + "_" + label
	}
	return name1 + "_" + name2 + "_" + label
}

// clipUTF8 returns the longest prefix of s of at most n bytes that does
// not end inside a UTF-8 character.
func clipUTF8(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// constraintNames returns the constraint names used in t's schema, with
// t's own as nt has them.
func constraintNames(h Host, nt *catalog.Table) map[string]bool {
	used := map[string]bool{}
	add := func(t *catalog.Table) {
		for _, ix := range t.Indexes {
			used[ix.Name] = true
		}
		for _, c := range t.Checks {
			used[c.Name] = true
		}
		for _, fk := range t.ForeignKeys {
			used[fk.Name] = true
		}
	}
	for _, t := range h.Catalog().Tables(h.Database()) {
		if t.Schema == nt.Schema && t.OID != nt.OID {
			add(t)
		}
	}
	add(nt)
	return used
}

// chooseConstraintName is PostgreSQL's ChooseConstraintName: name1_
// name2_label, or with label1, label2, ... when that is taken in nt's
// schema.
func chooseConstraintName(h Host, nt *catalog.Table, name1, name2, label string) string {
	used := constraintNames(h, nt)
	mod := label
	for pass := 1; ; pass++ {
		name := makeObjectName(name1, name2, mod)
		if !used[name] {
			return name
		}
		mod = label + strconv.Itoa(pass)
	}
}

// claimName checks that explicit constraint name is free on nt.
func claimName(nt *catalog.Table, name string) error {
	if nt.ConstraintNameTaken(name) {
		return pgerr.New(pgerr.DuplicateObject, "constraint %q for relation %q already exists", name, nt.Name)
	}
	return nil
}

// outCols are nt's columns as the rule printer names them.
func outCols(nt *catalog.Table) []plan.OutCol {
	cols := make([]plan.OutCol, len(nt.Cols))
	for i, c := range nt.Cols {
		cols[i] = plan.OutCol{Name: c.Name, T: c.Type}
	}
	return cols
}

// addChecks adds CHECK constraints defs to nt. With validate (ALTER
// TABLE), the rows nt already holds must satisfy each one not marked NOT
// VALID (23514).
func addChecks(h Host, nt *catalog.Table, defs []plan.CheckDef, validate bool) error {
	for _, d := range defs {
		e, err := plan.BindCheck(h.PlanEnv(), nt, d.Expr)
		if err != nil {
			return err
		}
		name := d.Name
		if name == "" {
			col := ""
			if cols := plan.ColumnsOf(e); len(cols) == 1 {
				col = nt.Cols[cols[0]].Name
			}
			name = chooseConstraintName(h, nt, nt.Name, col, "check")
		} else if err := claimName(nt, name); err != nil {
			return err
		}
		oid, err := h.NewOID()
		if err != nil {
			return err
		}
		ck := catalog.Check{OID: oid, Name: name, NotValid: d.NotValid, NoInherit: d.NoInherit,
			Expr: pgcatalog.RuleText(e, outCols(nt), false), Pretty: pgcatalog.RuleText(e, outCols(nt), true)}
		if validate && !d.NotValid {
			if err := validateCheck(h, nt, name, e); err != nil {
				return err
			}
		}
		nt.Checks = append(nt.Checks, ck)
	}
	return nil
}

// eachRow calls fn with every stored row of t (a hypertable's in every
// chunk), in t's column order.
func eachRow(h Host, t *catalog.Table, fn func(row []any) error) error {
	w := h.TableWriter()
	if t.Hyper == nil {
		it := w.Rows(t)
		defer it.Close()
		for it.Next() {
			if err := fn(it.Row()); err != nil {
				return err
			}
		}
		return it.Err()
	}
	for _, c := range h.Chunks(t.OID) {
		spec := table.BlockScan(t, c.ID, storage.MinTime, storage.MaxTime, nil)
		blocks, _, err := w.Txn.Blocks(spec)
		if err != nil {
			return err
		}
		for _, blk := range blocks {
			_, qb, err := w.ReadBlock(t, spec, blk)
			if err != nil {
				return err
			}
			row := make([]any, len(t.Cols))
			for r := 0; r < qb.Rows(); r++ {
				for i, v := range qb.Cols {
					row[i] = v.Get(r)
				}
				if err := fn(row); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// validateCheck fails when a stored row of t makes check e false.
func validateCheck(h Host, t *catalog.Table, name string, e plan.Expr) error {
	return eachRow(h, t, func(row []any) error {
		v, err := h.EvalRow(e, row)
		if err != nil {
			return err
		}
		if v == false {
			return pgerr.New(pgerr.CheckViolation, "check constraint %q of relation %q is violated by some row", name, t.Name).
				WithTable(t.Schema, t.Name).WithConstraint(name)
		}
		return nil
	})
}

// fkColumns resolves the column names of a foreign key on t.
func fkColumns(t *catalog.Table, names []string) ([]uint32, error) {
	ids := make([]uint32, len(names))
	for i, n := range names {
		c := t.Col(n)
		if c == nil {
			return nil, pgerr.New(pgerr.UndefinedColumn, "column %q referenced in foreign key constraint does not exist", n)
		}
		ids[i] = c.ID
	}
	return ids, nil
}

// comparable reports whether a foreign key column of type a can
// reference one of type b (PostgreSQL: an equality operator exists).
func comparable(a, b *catalog.Column) bool {
	return a.Type.OID == b.Type.OID || a.Type.Category() == b.Type.Category() && a.Type.Category() != 'U'
}

// addForeignKeys adds FOREIGN KEY constraints defs to nt (which must
// have its OID: a key may reference nt itself). With validate (ALTER
// TABLE), every row nt holds must have its referenced row (23503).
func addForeignKeys(h Host, nt *catalog.Table, defs []plan.ForeignKeyDef, validate bool) error {
	for _, d := range defs {
		ref := findTable(h, d.RefTable)
		if d.RefTable.Name == nt.Name && (d.RefTable.Schema == "" || d.RefTable.Schema == nt.Schema) && (ref == nil || ref.OID == nt.OID) {
			ref = nt
		}
		if ref == nil {
			return noTable(d.RefTable)
		}
		if ref.View != nil {
			return pgerr.New(pgerr.WrongObjectType, "referenced relation %q is not a table", ref.Name)
		}
		if ref.Hyper != nil {
			return pgerr.New(pgerr.FeatureNotSupported, "foreign keys to hypertables are not supported")
		}
		if tmp, refTmp := strings.HasPrefix(nt.Schema, "pg_temp_"), strings.HasPrefix(ref.Schema, "pg_temp_"); tmp != refTmp {
			if tmp {
				return pgerr.New(pgerr.InvalidTableDefinition, "constraints on temporary tables may reference only temporary tables")
			}
			return pgerr.New(pgerr.InvalidTableDefinition, "constraints on permanent tables may reference only permanent tables")
		}
		cols, err := fkColumns(nt, d.Cols)
		if err != nil {
			return err
		}
		var refCols []uint32
		if len(d.RefCols) == 0 {
			pk := ref.PrimaryKey()
			if pk == nil {
				return pgerr.New(pgerr.UndefinedObject, "there is no primary key for referenced table %q", ref.Name)
			}
			refCols = append(refCols, pk.Cols...)
		} else if refCols, err = fkColumns(ref, d.RefCols); err != nil {
			return err
		}
		if len(cols) != len(refCols) {
			return pgerr.New(pgerr.InvalidForeignKey, "number of referencing and referenced columns for foreign key disagree")
		}
		if table.KeyIndex(ref, refCols) == nil {
			return pgerr.New(pgerr.InvalidForeignKey, "there is no unique constraint matching given keys for referenced table %q", ref.Name)
		}
		var names []string
		for _, id := range cols {
			names = append(names, nt.Cols[nt.ColByID(id)].Name)
		}
		name := d.Name
		if name == "" {
			name = chooseConstraintName(h, nt, nt.Name, strings.Join(names, "_"), "fkey")
		} else if err := claimName(nt, name); err != nil {
			return err
		}
		for k := range cols {
			a, b := &nt.Cols[nt.ColByID(cols[k])], &ref.Cols[ref.ColByID(refCols[k])]
			if !comparable(a, b) {
				return pgerr.New(pgerr.DatatypeMismatch, "foreign key constraint %q cannot be implemented", name).
					WithDetail("Key columns %q and %q are of incompatible types: %s and %s.", a.Name, b.Name,
						pgcatalog.FormatType(a.Type.OID, a.Type.Mod, false), pgcatalog.FormatType(b.Type.OID, b.Type.Mod, false))
			}
		}
		oid, err := h.NewOID()
		if err != nil {
			return err
		}
		fk := catalog.ForeignKey{OID: oid, Name: name, Cols: cols, RefTable: ref.OID, RefCols: refCols,
			OnDelete: d.OnDelete, OnUpdate: d.OnUpdate, Match: d.Match, NotValid: d.NotValid}
		if validate && !d.NotValid {
			if err := validateForeignKey(h, nt, &fk, ref); err != nil {
				return err
			}
		}
		nt.ForeignKeys = append(nt.ForeignKeys, fk)
	}
	return nil
}

// validateForeignKey fails when a stored row of t has no referenced row
// for fk.
func validateForeignKey(h Host, t *catalog.Table, fk *catalog.ForeignKey, ref *catalog.Table) error {
	w := h.TableWriter()
	return eachRow(h, t, func(row []any) error {
		vals, ok, err := table.FKValues(t, fk.Cols, row, ref, fk.RefCols)
		if err != nil || !ok {
			return err
		}
		key, err := w.ReferencedRow(ref, fk.RefCols, vals, true)
		if err != nil || key != nil {
			return err
		}
		own := make([]any, len(fk.Cols))
		for k, id := range fk.Cols {
			own[k] = row[t.ColByID(id)]
		}
		return table.MissingReferenceError(t, fk, own, ref)
	})
}

// dependentForeignKeys returns the foreign keys of other tables that
// reference t (through index ix, when ix is not nil), leaving out the
// tables in skip (dropped with t).
func dependentForeignKeys(h Host, t *catalog.Table, ix *catalog.Index, skip map[uint32]bool) (tables []*catalog.Table, fks []*catalog.ForeignKey) {
	ts, all := h.Catalog().ReferencedBy(h.Database(), t.OID)
	for i, fk := range all {
		if ts[i].OID == t.OID || skip[ts[i].OID] {
			continue // a self-reference goes with its table
		}
		if ix != nil && table.KeyIndex(t, fk.RefCols) != ix {
			continue
		}
		tables, fks = append(tables, ts[i]), append(fks, fk)
	}
	return tables, fks
}

// dropDependentForeignKeys removes foreign keys fks of tables (CASCADE),
// with PostgreSQL's notices.
func dropDependentForeignKeys(h Host, tables []*catalog.Table, fks []*catalog.ForeignKey, w ResultWriter) error {
	var lines []string
	for i, fk := range fks {
		lines = append(lines, fmt.Sprintf("drop cascades to constraint %s on table %s", fk.Name, tables[i].Name))
	}
	type detailer interface {
		NoticeDetail(severity, code, message, detail string) error
	}
	if d, ok := w.(detailer); ok && len(lines) > 1 {
		_ = d.NoticeDetail("NOTICE", "00000", fmt.Sprintf("drop cascades to %d other objects", len(lines)), strings.Join(lines, "\n"))
	} else {
		for _, l := range lines {
			_ = w.Notice("NOTICE", "00000", l)
		}
	}
	for i, fk := range fks {
		ct := h.Catalog().TableByOID(tables[i].OID).Clone()
		ct.ForeignKeys = removeForeignKey(ct.ForeignKeys, fk.Name)
		if err := h.Writer().PutTable(ct); err != nil {
			return err
		}
	}
	return nil
}

func removeForeignKey(fks []catalog.ForeignKey, name string) []catalog.ForeignKey {
	var out []catalog.ForeignKey
	for _, fk := range fks {
		if fk.Name != name {
			out = append(out, fk)
		}
	}
	return out
}

// dependentsError is PostgreSQL's 2BP01 for dropping what, which foreign
// keys fks of tables depend on (on is what they depend on, as PostgreSQL
// names it in the detail).
func dependentsError(what, on string, tables []*catalog.Table, fks []*catalog.ForeignKey) error {
	var lines []string
	for i, fk := range fks {
		lines = append(lines, fmt.Sprintf("constraint %s on table %s depends on %s", fk.Name, tables[i].Name, on))
	}
	return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop %s because other objects depend on it", what).
		WithDetail("%s", strings.Join(lines, "\n")).
		WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
}

// dropConstraint runs ALTER TABLE nt DROP CONSTRAINT name: a CHECK, a
// FOREIGN KEY, or a UNIQUE / PRIMARY KEY constraint with its index (a
// primary key's rows are moved to hidden row ids). Foreign keys that
// reference a dropped key need CASCADE, which drops them too.
func dropConstraint(h Host, nt *catalog.Table, cmd plan.AlterCmd, w ResultWriter) error {
	for i, c := range nt.Checks {
		if c.Name == cmd.Name {
			nt.Checks = append(nt.Checks[:i:i], nt.Checks[i+1:]...)
			return nil
		}
	}
	for i, fk := range nt.ForeignKeys {
		if fk.Name == cmd.Name {
			nt.ForeignKeys = append(nt.ForeignKeys[:i:i], nt.ForeignKeys[i+1:]...)
			return nil
		}
	}
	for i := range nt.Indexes {
		ix := &nt.Indexes[i]
		if ix.Name != cmd.Name || !ix.Unique || ix.Standalone {
			continue
		}
		tables, fks := dependentForeignKeys(h, nt, ix, nil)
		if len(fks) > 0 {
			if !cmd.Cascade {
				return dependentsError(fmt.Sprintf("constraint %s on table %s", ix.Name, nt.Name), "index "+ix.Name, tables, fks)
			}
			if err := dropDependentForeignKeys(h, tables, fks, w); err != nil {
				return err
			}
		}
		primary := ix.Primary
		if nt.Hyper == nil {
			if err := h.TableWriter().DropIndex(nt, ix); err != nil {
				return err
			}
		}
		nt.Indexes = append(nt.Indexes[:i:i], nt.Indexes[i+1:]...)
		if primary && nt.Hyper == nil {
			return h.TableWriter().RekeyRows(nt)
		}
		return nil
	}
	if cmd.IfExists {
		_ = w.Notice("NOTICE", "00000", fmt.Sprintf("constraint %q of relation %q does not exist, skipping", cmd.Name, nt.Name))
		return nil
	}
	return pgerr.New(pgerr.UndefinedObject, "constraint %q of relation %q does not exist", cmd.Name, nt.Name)
}

// truncateTargets returns the tables TRUNCATE empties: those named and,
// with cascade, the tables referencing them (transitively), with
// PostgreSQL's notices; without cascade, a table referenced from a table
// not being truncated fails with 0A000.
func truncateTargets(h Host, named []*catalog.Table, cascade bool, w ResultWriter) ([]*catalog.Table, error) {
	in := map[uint32]bool{}
	for _, t := range named {
		in[t.OID] = true
	}
	out := append([]*catalog.Table(nil), named...)
	for i := 0; i < len(out); i++ {
		children, _ := h.Catalog().ReferencedBy(h.Database(), out[i].OID)
		for _, c := range children {
			if in[c.OID] {
				continue
			}
			if !cascade {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "cannot truncate a table referenced in a foreign key constraint").
					WithDetail("Table %q references %q.", c.Name, out[i].Name).
					WithHint("Truncate table %q at the same time, or use TRUNCATE ... CASCADE.", c.Name)
			}
			_ = w.Notice("NOTICE", "00000", fmt.Sprintf("truncate cascades to table %q", c.Name))
			in[c.OID] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// validateConstraint runs ALTER TABLE ... VALIDATE CONSTRAINT name: a
// CHECK or FOREIGN KEY added NOT VALID is checked against the stored
// rows and then marked valid.
func validateConstraint(h Host, nt *catalog.Table, name string) error {
	for i := range nt.Checks {
		c := &nt.Checks[i]
		if c.Name != name {
			continue
		}
		if c.NotValid {
			e, err := plan.BindCheck(h.PlanEnv(), nt, c.Expr)
			if err != nil {
				return err
			}
			if err := validateCheck(h, nt, name, e); err != nil {
				return err
			}
			c.NotValid = false
		}
		return nil
	}
	for i := range nt.ForeignKeys {
		fk := &nt.ForeignKeys[i]
		if fk.Name != name {
			continue
		}
		if fk.NotValid {
			ref := h.Catalog().TableByOID(fk.RefTable)
			if ref.OID == nt.OID {
				ref = nt
			}
			if err := validateForeignKey(h, nt, fk, ref); err != nil {
				return err
			}
			fk.NotValid = false
		}
		return nil
	}
	return pgerr.New(pgerr.UndefinedObject, "constraint %q of relation %q does not exist", name, nt.Name)
}

// boundChecks binds nt's CHECK expressions against its columns as they
// are now.
func boundChecks(h Host, nt *catalog.Table) ([]plan.Expr, error) {
	es := make([]plan.Expr, len(nt.Checks))
	for k := range nt.Checks {
		e, err := plan.BindCheck(h.PlanEnv(), nt, nt.Checks[k].Expr)
		if err != nil {
			return nil, err
		}
		es[k] = e
	}
	return es, nil
}

// renameInChecks renames column i of nt to name, rewriting the CHECK
// expressions that name it (they are stored as text).
func renameInChecks(h Host, nt *catalog.Table, i int, name string) error {
	es, err := boundChecks(h, nt)
	if err != nil {
		return err
	}
	nt.Cols[i].Name = name
	cols := outCols(nt)
	for k, e := range es {
		nt.Checks[k].Expr, nt.Checks[k].Pretty = pgcatalog.RuleText(e, cols, false), pgcatalog.RuleText(e, cols, true)
	}
	return nil
}

// dropColumnConstraints drops the constraints of nt that use column i,
// which DROP COLUMN removes: its CHECKs and foreign keys, as PostgreSQL
// does; foreign keys of other tables referencing the column need
// cascade (2BP01), which drops them.
func dropColumnConstraints(h Host, nt *catalog.Table, i int, cascade bool, w ResultWriter) error {
	id := nt.Cols[i].ID
	es, err := boundChecks(h, nt)
	if err != nil {
		return err
	}
	var checks []catalog.Check
	for k, e := range es {
		uses := false
		for _, c := range plan.ColumnsOf(e) {
			uses = uses || c == i
		}
		if !uses {
			checks = append(checks, nt.Checks[k])
		}
	}
	nt.Checks = checks
	var fks []catalog.ForeignKey
	for _, fk := range nt.ForeignKeys {
		if !containsID(fk.Cols, id) && !(fk.RefTable == nt.OID && containsID(fk.RefCols, id)) {
			fks = append(fks, fk)
		}
	}
	nt.ForeignKeys = fks
	tables, deps := dependentForeignKeys(h, nt, nil, nil)
	var using []*catalog.ForeignKey
	var usingTables []*catalog.Table
	for k, fk := range deps {
		if containsID(fk.RefCols, id) {
			using, usingTables = append(using, fk), append(usingTables, tables[k])
		}
	}
	if len(using) == 0 {
		return nil
	}
	if !cascade {
		return dependentsError(fmt.Sprintf("column %s of table %s", nt.Cols[i].Name, nt.Name), fmt.Sprintf("column %s of table %s", nt.Cols[i].Name, nt.Name), usingTables, using)
	}
	return dropDependentForeignKeys(h, usingTables, using, w)
}
