package ddl

import (
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// alterTable runs ALTER TABLE's commands on a copy of the table and
// writes the copy once all of them succeeded.
func alterTable(h Host, x *plan.AlterTable, w ResultWriter) error {
	t := findTable(h, x.Table)
	if t == nil {
		if x.IfExists {
			_ = w.Notice("NOTICE", "00000", fmt.Sprintf("relation %q does not exist, skipping", x.Table.Name))
			return w.Complete("ALTER TABLE")
		}
		return noTable(x.Table)
	}
	nt := t.Clone()
	for _, cmd := range x.Cmds {
		switch cmd.Kind {
		case "ADD COLUMN":
			if nt.Col(cmd.Col.Name) != nil {
				if cmd.IfExists {
					continue
				}
				return pgerr.New(pgerr.DuplicateColumn, "column %q of relation %q already exists", cmd.Col.Name, t.Name)
			}
			nt.NextColID++
			c := catalog.Column{ID: nt.NextColID, Name: cmd.Col.Name, Type: cmd.Col.Type, NotNull: cmd.Col.NotNull, Default: cmd.Col.Default}
			if c.NotNull && c.Default == "" && h.HasRows(t) {
				return pgerr.New(pgerr.NotNullViolation, "column %q of relation %q contains null values", c.Name, t.Name)
			}
			nt.Cols = append(nt.Cols, c)
			if c.Default != "" && h.HasRows(t) {
				if err := backfill(h, nt, len(nt.Cols)-1); err != nil {
					return err
				}
			}
			if err := addChecks(h, nt, cmd.Col.Checks, true); err != nil {
				return err
			}
			if err := addForeignKeys(h, nt, cmd.Col.ForeignKeys, true); err != nil {
				return err
			}
			if cmd.Col.Primary || cmd.Col.Unique {
				var pk []string
				var uq [][]string
				if cmd.Col.Primary {
					pk = []string{c.Name}
				} else {
					uq = [][]string{{c.Name}}
				}
				if err := addIndexes(nt, pk, uq); err != nil {
					return err
				}
			}
		case "DROP COLUMN":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				if cmd.IfExists {
					_ = w.Notice("NOTICE", "00000", fmt.Sprintf("column %q of relation %q does not exist, skipping", cmd.Name, t.Name))
					continue
				}
				return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
			}
			id := nt.Cols[i].ID
			if nt.Hyper != nil && (nt.Hyper.TimeCol == id || nt.Hyper.Space != nil && nt.Hyper.Space.Col == id) {
				return pgerr.New(pgerr.FeatureNotSupported, "cannot drop column named in partition key").WithDetail("cannot drop column that is a hypertable partitioning (space or time) dimension")
			}
			if err := dropColumnConstraints(h, nt, i, cmd.Cascade, w); err != nil {
				return err
			}
			nt.Cols = append(nt.Cols[:i], nt.Cols[i+1:]...)
			nt.Indexes = indexesWithout(nt.Indexes, id)
		case "RENAME COLUMN":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", cmd.Name)
			}
			if nt.Col(cmd.NewName) != nil {
				return pgerr.New(pgerr.DuplicateColumn, "column %q of relation %q already exists", cmd.NewName, t.Name)
			}
			if err := renameInChecks(h, nt, i, cmd.NewName); err != nil {
				return err
			}
		case "RENAME TABLE":
			if h.Catalog().Table(h.Database(), nt.Schema, cmd.NewName) != nil {
				return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", cmd.NewName)
			}
			nt.Name = cmd.NewName
		case "SET NOT NULL", "DROP NOT NULL":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
			}
			nt.Cols[i].NotNull = cmd.Kind == "SET NOT NULL"
		case "SET DEFAULT", "DROP DEFAULT":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
			}
			nt.Cols[i].Default = cmd.Col.Default
		case "SET OPTIONS":
			rest, err := h.SetCompression(nt, cmd.Options)
			if err != nil {
				return err
			}
			if nt.Options == nil {
				nt.Options = map[string]string{}
			}
			for k, v := range rest {
				if strings.HasPrefix(k, "timescaledb.") && nt.Hyper == nil {
					return pgerr.New(pgerr.WrongObjectType, "table %q is not a hypertable", t.Name)
				}
				nt.Options[k] = v
			}
		case "ADD CONSTRAINT":
			if cmd.Check != nil {
				if err := addChecks(h, nt, []plan.CheckDef{*cmd.Check}, true); err != nil {
					return err
				}
				continue
			}
			if cmd.ForeignKey != nil {
				if err := addForeignKeys(h, nt, []plan.ForeignKeyDef{*cmd.ForeignKey}, true); err != nil {
					return err
				}
				continue
			}
			var pk []string
			var uq [][]string
			if cmd.Primary {
				pk = cmd.Unique
			} else {
				uq = [][]string{cmd.Unique}
			}
			if err := addIndexes(nt, pk, uq); err != nil {
				return err
			}
			if nt.Hyper != nil {
				ix := &nt.Indexes[len(nt.Indexes)-1]
				if cmd.Name != "" {
					ix.Name = cmd.Name
				}
				if err := table.VerifyHyperUnique(nt, ix); err != nil {
					return err
				}
				if err := h.TableWriter().CheckHyperUniqueData(nt, ix); err != nil {
					return err
				}
			}
			if cmd.Primary && nt.Hyper == nil {
				if err := addPrimaryKey(h, nt, cmd.Name); err != nil {
					return err
				}
			}
			if !cmd.Primary && nt.Hyper == nil {
				ix := &nt.Indexes[len(nt.Indexes)-1]
				if cmd.Name != "" {
					ix.Name = cmd.Name
				}
				if err := buildUnique(h, nt, ix); err != nil {
					return err
				}
			}
		case "DROP CONSTRAINT":
			if err := dropConstraint(h, nt, cmd, w); err != nil {
				return err
			}
		case "VALIDATE CONSTRAINT":
			if err := validateConstraint(h, nt, cmd.Name); err != nil {
				return err
			}
		case "ALTER TYPE":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
			}
			if h.HasRows(t) && nt.Cols[i].Type.Kind() != cmd.Col.Type.Kind() {
				return pgerr.New(pgerr.FeatureNotSupported, "changing the type of a column with data is not supported yet")
			}
			nt.Cols[i].Type = cmd.Col.Type
		}
	}
	if err := assignIndexOIDs(h, nt); err != nil {
		return err
	}
	if err := h.Writer().PutTable(nt); err != nil {
		return err
	}
	return w.Complete("ALTER TABLE")
}

// indexesWithout returns the indexes of ixs that do not use column id
// (DROP COLUMN drops the others with it).
func indexesWithout(ixs []catalog.Index, id uint32) []catalog.Index {
	var out []catalog.Index
	for _, ix := range ixs {
		if !containsID(ix.Cols, id) {
			out = append(out, ix)
		}
	}
	return out
}

// assignIndexOIDs gives the indexes ALTER TABLE added (ADD CONSTRAINT,
// ADD COLUMN ... UNIQUE) their OIDs; CREATE TABLE's get theirs from the
// catalog writer.
func assignIndexOIDs(h Host, t *catalog.Table) error {
	for i := range t.Indexes {
		if t.Indexes[i].OID != 0 {
			continue
		}
		oid, err := h.NewOID()
		if err != nil {
			return err
		}
		t.Indexes[i].OID = oid
	}
	return nil
}

// backfill gives existing rows the default of newly added column ci, as
// PostgreSQL does for ADD COLUMN ... DEFAULT. nt is the new table
// version. The default is evaluated once: a regular table's rows are
// re-encoded with it, a hypertable's blocks rewritten with a column
// holding it.
func backfill(h Host, nt *catalog.Table, ci int) error {
	c := &nt.Cols[ci]
	d, err := plan.BindExpr(h.PlanEnv(), c.Default, h.Location())
	if err != nil {
		return err
	}
	if d.Type() != c.Type {
		d = &plan.Cast{E: d, T: c.Type}
	}
	v, err := h.Eval(d)
	if err != nil || v == nil {
		return err
	}
	if nt.Hyper == nil {
		return backfillRows(h.Txn(), nt, ci, v)
	}
	newSchema := table.ChunkSchema(nt)
	oldSchema := newSchema
	oldSchema.Cols = newSchema.Cols[:ci]
	sv := col.NewVec(table.StorageKind(c.Type), 1)
	sv.Append(v)
	stored, err := table.ToStorage(c.Type, sv)
	if err != nil {
		return err
	}
	txn := h.Txn()
	for _, ch := range h.Chunks(nt.OID) {
		spec := &storage.ScanSpec{Chunk: ch.ID, Cols: oldSchema.Cols, TimeCol: nt.Hyper.TimeCol, TimeMin: storage.MinTime, TimeMax: storage.MaxTime}
		blocks, _, err := txn.Blocks(spec)
		if err != nil {
			return err
		}
		for _, blk := range blocks {
			b, err := txn.ReadBlock(spec, blk)
			if err != nil {
				return err
			}
			b = b.Compact()
			fill := col.NewVec(stored.Kind, b.Rows())
			for r := 0; r < b.Rows(); r++ {
				fill.AppendFrom(stored, 0)
			}
			nb := col.FromVecs(append(append([]*col.Vec(nil), b.Cols...), fill), b.Rows())
			if err := txn.RewriteBlock(ch.ID, newSchema, blk, nb); err != nil {
				return err
			}
		}
	}
	return nil
}

// backfillRows re-encodes every row of regular table nt, which has just
// gained column ci (its last), with value v in that column.
func backfillRows(txn *storage.Txn, nt *catalog.Table, ci int, v any) error {
	old := *nt
	old.Cols = nt.Cols[:ci]
	it := txn.Iter(storage.Space{Table: uint64(nt.OID)}, nil, nil)
	var keys [][]byte
	var rows [][]any
	for it.Next() {
		row := make([]any, len(old.Cols), len(nt.Cols))
		if err := table.DecodeRow(&old, it.Value(), row); err != nil {
			it.Close()
			return err
		}
		keys = append(keys, append([]byte(nil), it.Key()...))
		rows = append(rows, append(row, v))
	}
	if err := it.Close(); err != nil {
		return err
	}
	for i, row := range rows {
		data, err := table.EncodeRow(nt, row)
		if err != nil {
			return err
		}
		txn.Put(storage.Space{Table: uint64(nt.OID)}, keys[i], data)
	}
	return nil
}

// addPrimaryKey finishes ALTER TABLE ADD PRIMARY KEY on regular table nt
// (its new definition, the key already in nt.Indexes): the key columns
// become NOT NULL (23502 when a row holds a NULL there, as in
// PostgreSQL) and the rows move from their hidden row ids to their
// primary key row keys (23505 on a duplicate key).
func addPrimaryKey(h Host, nt *catalog.Table, name string) error {
	pk := nt.PrimaryKey()
	if name != "" {
		pk.Name = name
	}
	w := h.TableWriter()
	for _, id := range pk.Cols {
		c := &nt.Cols[nt.ColByID(id)]
		c.NotNull = true
		it := w.Rows(nt)
		for it.Next() {
			if it.Row()[nt.ColByID(id)] == nil {
				it.Close()
				return pgerr.New(pgerr.NotNullViolation, "column %q of relation %q contains null values", c.Name, nt.Name).
					WithTable(nt.Schema, nt.Name).WithColumn(c.Name)
			}
		}
		if err := it.Close(); err != nil {
			return err
		}
	}
	return w.RekeyRows(nt)
}
