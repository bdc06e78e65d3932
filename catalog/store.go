package catalog

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage"
)

// Metadata key prefixes of catalog descriptors (see docs/format/keys.md).
const (
	keyDB     = "cat/db/"
	keySchema = "cat/schema/"
	keyTable  = "cat/table/"
	keyRole   = "cat/role/"
	keyExt    = "cat/ext/"
	keySeq    = "cat/seq/"
	keyChunk  = "cat/chunk/"
)

// Names of storage sequences the catalog draws identities from.
const (
	seqOID   = "oid"
	seqChunk = "chunk"
	seqHyper = "hypertable"
)

// Built-in schema names.
const (
	SchemaPublic   = "public"
	SchemaCatalog  = "pg_catalog"
	SchemaInfo     = "information_schema"
	SchemaInternal = "_timescaledb_internal"
	SchemaTSInfo   = "timescaledb_information"
	// SchemaTSCatalog holds TimescaleDB's internal catalog tables.
	SchemaTSCatalog = "_timescaledb_catalog"
)

// DefaultDatabase and DefaultRole exist in every data directory.
const (
	DefaultDatabase = "postgres"
	DefaultRole     = "postgres"
)

// builtinSchemas are created in every database; OIDs are PostgreSQL's
// where PostgreSQL has them.
var builtinSchemas = []Schema{
	{OID: 11, Name: SchemaCatalog},
	{OID: 2200, Name: SchemaPublic},
	{OID: 13000, Name: SchemaInfo},
	{OID: 13100, Name: SchemaInternal},
	{OID: 13101, Name: SchemaTSInfo},
	{OID: 13102, Name: SchemaTSCatalog},
	{OID: 13103, Name: "timescaledb_experimental"},
	{OID: 13104, Name: "_timescaledb_functions"},
}

// Store is the live catalog of one data directory.
type Store struct {
	db  *storage.DB
	cur atomic.Pointer[Snapshot]
	// pubMu orders publications: a committing writer holds it from just
	// before its storage batch is written until its snapshot is current
	// (see Writer), and Settled waits for it.
	pubMu sync.Mutex
	// publishing counts commits holding pubMu (Publishing).
	publishing atomic.Int32

	chunkMu sync.RWMutex
	chunks  map[uint32]*chunkSet // by hypertable OID

	jobMu   sync.Mutex    // serializes job run-state updates
	jobWake chan struct{} // see JobsChanged
}

// Open loads the catalog from db, creating the default database, schemas
// and role on first use.
func Open(db *storage.DB) (*Store, error) {
	s := &Store{db: db, chunks: map[uint32]*chunkSet{}, jobWake: make(chan struct{}, 1)}
	snap := emptySnapshot()
	txn := db.Begin()
	defer txn.Rollback()
	load := func(prefix string, fn func(val []byte) error) error {
		return txn.ScanMeta(prefix, func(_ string, val []byte) error { return fn(val) })
	}
	err := load(keyDB, func(v []byte) error {
		var d Database
		if err := json.Unmarshal(v, &d); err != nil {
			return err
		}
		snap.dbs[d.Name] = &d
		return nil
	})
	if err == nil {
		err = load(keySchema, func(v []byte) error {
			var sc Schema
			if err := json.Unmarshal(v, &sc); err != nil {
				return err
			}
			snap.schemas[sc.DB] = append(snap.schemas[sc.DB], &sc)
			return nil
		})
	}
	if err == nil {
		err = load(keyTable, func(v []byte) error {
			var t Table
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			snap.tables[t.OID] = &t
			snap.byName[tableKey{t.DB, t.Schema, t.Name}] = &t
			return nil
		})
	}
	if err == nil {
		err = load(keyRole, func(v []byte) error {
			var r Role
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			snap.roles[r.Name] = &r
			return nil
		})
	}
	if err == nil {
		err = load(keyExt, func(v []byte) error {
			var e extRec
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if snap.ext[e.DB] == nil {
				snap.ext[e.DB] = map[string]string{}
			}
			snap.ext[e.DB][e.Name] = e.Version
			return nil
		})
	}
	if err == nil {
		err = load(keySeq, func(v []byte) error {
			var q seqRec
			if err := json.Unmarshal(v, &q); err != nil {
				return err
			}
			snap.seqs[tableKey{q.DB, q.Schema, q.Name}] = q.OID
			return nil
		})
	}
	if err == nil {
		err = load(keyChunk, func(v []byte) error {
			var c Chunk
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			s.chunkSet(c.Table).insert(&c)
			return nil
		})
	}
	if err == nil {
		err = load(keyJob, func(v []byte) error {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil {
				return err
			}
			snap.jobs[j.ID] = &j
			return nil
		})
	}
	if err == nil {
		err = load(keyFunc, func(v []byte) error {
			var f Function
			if err := json.Unmarshal(v, &f); err != nil {
				return err
			}
			snap.funcs[f.OID] = &f
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	s.cur.Store(snap)
	if snap.dbs[DefaultDatabase] == nil {
		if err := s.bootstrap(); err != nil {
			return nil, fmt.Errorf("bootstrap catalog: %w", err)
		}
	}
	return s, nil
}

type extRec struct {
	DB      uint32
	Name    string
	Version string
}

type seqRec struct {
	OID    uint32
	DB     uint32
	Schema string
	Name   string
}

func (s *Store) bootstrap() error {
	return s.ownDDL(func(w *Writer) error {
		if _, err := w.CreateDatabase(DefaultDatabase); err != nil {
			return err
		}
		return w.CreateRole(&Role{Name: DefaultRole, Login: true, Superuser: true})
	})
}

// ownDDL runs change in a DDL transaction of its own: committed and
// published when it succeeds, discarded when it fails.
func (s *Store) ownDDL(change func(*Writer) error) error {
	txn := s.db.Begin()
	w := s.BeginDDL(txn)
	if err := change(w); err != nil {
		w.Abort()
		txn.Rollback()
		return err
	}
	if err := txn.Commit(); err != nil {
		w.Abort()
		return err
	}
	w.Publish()
	return nil
}

// Snapshot returns the current committed catalog.
func (s *Store) Snapshot() *Snapshot { return s.cur.Load() }

// NewOID hands out a fresh object identifier.
func (s *Store) NewOID() (uint32, error) {
	n, err := s.db.NextSequence(seqOID, 1)
	if err != nil {
		return 0, err
	}
	return uint32(FirstOID + n), nil
}

func (w *Writer) put(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	w.txn.PutMeta(key, b)
	return nil
}

// CreateDatabase creates a database with its built-in schemas.
func (w *Writer) CreateDatabase(name string) (*Database, error) {
	if err := w.lockName(databaseTag(name), storage.AccessExclusiveLock); err != nil {
		return nil, err
	}
	if w.snap.dbs[name] != nil {
		return nil, pgerr.New(pgerr.DuplicateDatabase, "database %q already exists", name)
	}
	oid, err := w.s.NewOID()
	if err != nil {
		return nil, err
	}
	if name == DefaultDatabase {
		oid = 5 // PostgreSQL's OID of database postgres
	}
	d := &Database{OID: oid, Name: name}
	w.apply(func(s *Snapshot) { s.dbs[name] = d })
	if err := w.put(fmt.Sprintf("%s%d", keyDB, oid), d); err != nil {
		return nil, err
	}
	for _, bs := range builtinSchemas {
		sc := bs
		sc.DB = oid
		if err := w.addSchema(&sc); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// DropDatabase drops a database and everything in it.
func (w *Writer) DropDatabase(name string) error {
	if err := w.lockName(databaseTag(name), storage.AccessExclusiveLock); err != nil {
		return err
	}
	d := w.snap.dbs[name]
	if d == nil {
		return pgerr.New(pgerr.InvalidCatalogName, "database %q does not exist", name)
	}
	if err := w.lockName(storage.LockTag{Class: storage.ClassDatabase, ID: d.OID}, storage.AccessExclusiveLock); err != nil {
		return err
	}
	for _, t := range w.snap.Tables(d.OID) {
		if err := w.DropTable(t); err != nil {
			return err
		}
	}
	w.dropJobsOf(func(j *Job) bool { return j.DB == d.OID })
	for _, f := range w.snap.AllFunctions(d.OID) {
		w.dropFunction(f)
	}
	for _, sc := range w.snap.schemas[d.OID] {
		w.txn.DeleteMeta(fmt.Sprintf("%s%d/%d", keySchema, d.OID, sc.OID))
	}
	w.apply(func(s *Snapshot) {
		delete(s.schemas, d.OID)
		delete(s.dbs, name)
	})
	w.txn.DeleteMeta(fmt.Sprintf("%s%d", keyDB, d.OID))
	return nil
}

func (w *Writer) addSchema(sc *Schema) error {
	w.apply(func(s *Snapshot) { s.schemas[sc.DB] = append(s.schemas[sc.DB], sc) })
	return w.put(fmt.Sprintf("%s%d/%d", keySchema, sc.DB, sc.OID), sc)
}

// CreateSchema creates a schema in database db.
func (w *Writer) CreateSchema(db uint32, name string) error {
	if err := w.lockInDatabase(db, ""); err != nil {
		return err
	}
	if err := w.lockName(schemaTag(db, name), storage.AccessExclusiveLock); err != nil {
		return err
	}
	if w.snap.Schema(db, name) != nil {
		return pgerr.New(pgerr.DuplicateSchema, "schema %q already exists", name)
	}
	oid, err := w.s.NewOID()
	if err != nil {
		return err
	}
	return w.addSchema(&Schema{OID: oid, DB: db, Name: name})
}

// DropSchema drops an empty schema, or with cascade its tables too.
func (w *Writer) DropSchema(db uint32, name string, cascade bool) error {
	if err := w.lockName(schemaTag(db, name), storage.AccessExclusiveLock); err != nil {
		return err
	}
	sc := w.snap.Schema(db, name)
	if sc == nil {
		return pgerr.New(pgerr.InvalidSchemaName, "schema %q does not exist", name)
	}
	for _, t := range w.snap.Tables(db) {
		if t.Schema != name {
			continue
		}
		if !cascade {
			return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop schema %s because other objects depend on it", name).
				WithDetail("table %s.%s depends on schema %s", name, t.Name, name).
				WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		if err := w.DropTable(t); err != nil {
			return err
		}
	}
	for _, f := range w.snap.Functions(db, name, "") {
		if !cascade {
			return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop schema %s because other objects depend on it", name).
				WithDetail("function %s.%s depends on schema %s", name, f.Name, name).
				WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		w.dropFunction(f)
	}
	w.apply(func(s *Snapshot) {
		list := s.schemas[db]
		out := list[:0:0]
		for _, x := range list {
			if x.Name != name {
				out = append(out, x)
			}
		}
		s.schemas[db] = out
	})
	w.txn.DeleteMeta(fmt.Sprintf("%s%d/%d", keySchema, db, sc.OID))
	return nil
}

// CreateTable adds t, assigning its OID and column IDs. t must not be
// shared: the catalog keeps it.
func (w *Writer) CreateTable(t *Table) error {
	if err := w.lockNewName(t.DB, t.Schema, t.Name); err != nil {
		return err
	}
	if w.snap.Table(t.DB, t.Schema, t.Name) != nil {
		return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", t.Name)
	}
	if w.snap.Schema(t.DB, t.Schema) == nil {
		return pgerr.New(pgerr.InvalidSchemaName, "schema %q does not exist", t.Schema)
	}
	oid, err := w.s.NewOID()
	if err != nil {
		return err
	}
	t.OID = oid
	if _, err := w.lock(storage.RelationTag(t.DB, oid), storage.AccessExclusiveLock); err != nil {
		return err
	}
	for i := range t.Cols {
		if t.Cols[i].ID == 0 {
			t.NextColID++
			t.Cols[i].ID = t.NextColID
		}
	}
	for i := range t.Indexes {
		if t.Indexes[i].OID == 0 {
			if t.Indexes[i].OID, err = w.s.NewOID(); err != nil {
				return err
			}
		}
	}
	return w.PutTable(t)
}

// PutTable stores a new version of a table (ALTER TABLE, create_hypertable).
// The table's descriptor is locked first (lockTable); a new name is
// reserved as CreateTable reserves it.
func (w *Writer) PutTable(t *Table) error {
	if err := w.lockTable(t.DB, t.OID); err != nil {
		return err
	}
	old := w.snap.tables[t.OID]
	if old != nil && (old.Schema != t.Schema || old.Name != t.Name) {
		if err := w.lockNewName(t.DB, t.Schema, t.Name); err != nil {
			return err
		}
	}
	if other := w.snap.byName[tableKey{t.DB, t.Schema, t.Name}]; other != nil && other.OID != t.OID {
		return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", t.Name)
	}
	w.apply(func(s *Snapshot) {
		if old := s.tables[t.OID]; old != nil {
			delete(s.byName, tableKey{old.DB, old.Schema, old.Name})
		}
		s.tables[t.OID] = t
		s.byName[tableKey{t.DB, t.Schema, t.Name}] = t
		s.views.Store(nil)
	})
	return w.put(fmt.Sprintf("%s%d", keyTable, t.OID), t)
}

// DropTable removes a table, its data and (for hypertables) its chunks.
func (w *Writer) DropTable(t *Table) error {
	if _, err := w.lock(storage.RelationTag(t.DB, t.OID), storage.AccessExclusiveLock); err != nil {
		return err
	}
	w.apply(func(s *Snapshot) {
		if old := s.tables[t.OID]; old != nil {
			delete(s.byName, tableKey{old.DB, old.Schema, old.Name})
		}
		delete(s.tables, t.OID)
		s.views.Store(nil)
	})
	w.txn.DeleteMeta(fmt.Sprintf("%s%d", keyTable, t.OID))
	w.txn.DropTable(uint64(t.OID))
	w.dropJobsOf(func(j *Job) bool { return j.HypertableOID == t.OID })
	if t.Hyper != nil {
		if err := w.s.DropChunks(w, w.s.ScanChunksIn(w, t.OID, math.MinInt64, math.MaxInt64)); err != nil {
			return err
		}
	}
	for k, oid := range w.snap.seqs {
		if k.db == t.DB && strings.HasPrefix(k.name, t.Name+"_") && strings.HasSuffix(k.name, "_seq") {
			w.apply(func(s *Snapshot) { delete(s.seqs, k) })
			w.txn.DeleteMeta(fmt.Sprintf("%s%d", keySeq, oid))
		}
	}
	return nil
}

// NewHypertableID hands out a TimescaleDB hypertable id.
func (w *Writer) NewHypertableID() (int32, error) {
	n, err := w.s.db.NextSequence(seqHyper, 1)
	return int32(n), err
}

// CreateSequence records a sequence (for serial columns) and returns its OID.
func (w *Writer) CreateSequence(db uint32, schema, name string) (uint32, error) {
	oid, err := w.s.NewOID()
	if err != nil {
		return 0, err
	}
	w.apply(func(s *Snapshot) { s.seqs[tableKey{db, schema, name}] = oid })
	return oid, w.put(fmt.Sprintf("%s%d", keySeq, oid), seqRec{OID: oid, DB: db, Schema: schema, Name: name})
}

// CreateRole adds a role.
func (w *Writer) CreateRole(r *Role) error {
	if err := w.lockName(roleTag(r.Name), storage.AccessExclusiveLock); err != nil {
		return err
	}
	if w.snap.roles[r.Name] != nil {
		return pgerr.New(pgerr.DuplicateObject, "role %q already exists", r.Name)
	}
	if r.OID == 0 {
		if r.Name == DefaultRole {
			r.OID = 10
		} else {
			oid, err := w.s.NewOID()
			if err != nil {
				return err
			}
			r.OID = oid
		}
	}
	return w.PutRole(r)
}

// PutRole stores a new version of a role.
func (w *Writer) PutRole(r *Role) error {
	if err := w.lockName(roleTag(r.Name), storage.AccessExclusiveLock); err != nil {
		return err
	}
	w.apply(func(s *Snapshot) { s.roles[r.Name] = r })
	return w.put(keyRole+r.Name, r)
}

// DropRole removes a role.
func (w *Writer) DropRole(name string) error {
	if err := w.lockName(roleTag(name), storage.AccessExclusiveLock); err != nil {
		return err
	}
	if w.snap.roles[name] == nil {
		return pgerr.New(pgerr.UndefinedObject, "role %q does not exist", name)
	}
	w.apply(func(s *Snapshot) { delete(s.roles, name) })
	w.txn.DeleteMeta(keyRole + name)
	return nil
}

// CreateExtension records an installed extension.
func (w *Writer) CreateExtension(db uint32, name, version string) error {
	if err := w.lockInDatabase(db, ""); err != nil {
		return err
	}
	if err := w.lockName(extensionTag(db, name), storage.AccessExclusiveLock); err != nil {
		return err
	}
	w.apply(func(s *Snapshot) {
		if s.ext[db] == nil {
			s.ext[db] = map[string]string{}
		}
		s.ext[db][name] = version
	})
	return w.put(fmt.Sprintf("%s%d/%s", keyExt, db, name), extRec{DB: db, Name: name, Version: version})
}

// DropExtension removes an installed extension.
func (w *Writer) DropExtension(db uint32, name string) {
	w.apply(func(s *Snapshot) { delete(s.ext[db], name) })
	w.txn.DeleteMeta(fmt.Sprintf("%s%d/%s", keyExt, db, name))
}
