package catalog

import (
	"sort"
	"strings"
	"sync/atomic"
)

// Snapshot is an immutable view of the catalog. Never modify a snapshot or
// a descriptor reached through it; use a Writer.
type Snapshot struct {
	dbs     map[string]*Database
	schemas map[uint32][]*Schema // by database OID
	tables  map[uint32]*Table    // by OID
	byName  map[tableKey]*Table
	roles   map[string]*Role
	// ext lists installed extensions per database (name -> version).
	ext map[uint32]map[string]string
	// seqs lists sequence names (database-qualified) created for serial columns.
	seqs map[tableKey]uint32
	// jobs are the background jobs by id (see jobs.go).
	jobs map[int32]*Job
	// funcs are the user-defined functions by OID (see functions.go).
	funcs map[uint32]*Function
	// views indexes continuous aggregates (views.go); nil until used.
	views atomic.Pointer[viewIndex]
	// chunks, in a Writer's snapshot only, are the chunk records its
	// transaction changed (see Writer.putChunk), by chunk id.
	chunks map[uint64]*Chunk
}

func emptySnapshot() *Snapshot {
	return &Snapshot{
		dbs:     map[string]*Database{},
		schemas: map[uint32][]*Schema{},
		tables:  map[uint32]*Table{},
		byName:  map[tableKey]*Table{},
		roles:   map[string]*Role{},
		ext:     map[uint32]map[string]string{},
		seqs:    map[tableKey]uint32{},
		jobs:    map[int32]*Job{},
		funcs:   map[uint32]*Function{},
	}
}

func (s *Snapshot) clone() *Snapshot {
	c := &Snapshot{
		dbs:     make(map[string]*Database, len(s.dbs)),
		schemas: make(map[uint32][]*Schema, len(s.schemas)),
		tables:  make(map[uint32]*Table, len(s.tables)),
		byName:  make(map[tableKey]*Table, len(s.byName)),
		roles:   make(map[string]*Role, len(s.roles)),
		ext:     make(map[uint32]map[string]string, len(s.ext)),
		seqs:    make(map[tableKey]uint32, len(s.seqs)),
		jobs:    make(map[int32]*Job, len(s.jobs)),
		funcs:   make(map[uint32]*Function, len(s.funcs)),
	}
	if len(s.chunks) > 0 {
		c.chunks = make(map[uint64]*Chunk, len(s.chunks))
		for k, v := range s.chunks {
			c.chunks[k] = v
		}
	}
	for k, v := range s.dbs {
		c.dbs[k] = v
	}
	for k, v := range s.schemas {
		c.schemas[k] = append([]*Schema(nil), v...)
	}
	for k, v := range s.tables {
		c.tables[k] = v
	}
	for k, v := range s.byName {
		c.byName[k] = v
	}
	for k, v := range s.roles {
		c.roles[k] = v
	}
	for k, v := range s.ext {
		m := make(map[string]string, len(v))
		for a, b := range v {
			m[a] = b
		}
		c.ext[k] = m
	}
	for k, v := range s.seqs {
		c.seqs[k] = v
	}
	for k, v := range s.jobs {
		c.jobs[k] = v
	}
	for k, v := range s.funcs {
		c.funcs[k] = v
	}
	return c
}

// Database returns the database named name, or nil.
func (s *Snapshot) Database(name string) *Database { return s.dbs[name] }

// Databases returns all databases ordered by OID.
func (s *Snapshot) Databases() []*Database {
	out := make([]*Database, 0, len(s.dbs))
	for _, d := range s.dbs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// Schemas returns the schemas of database db ordered by OID.
func (s *Snapshot) Schemas(db uint32) []*Schema { return s.schemas[db] }

// Schema returns schema name in db, or nil.
func (s *Snapshot) Schema(db uint32, name string) *Schema {
	for _, sc := range s.schemas[db] {
		if sc.Name == name {
			return sc
		}
	}
	return nil
}

// Table returns table schema.name in db, or nil.
func (s *Snapshot) Table(db uint32, schema, name string) *Table {
	return s.byName[tableKey{db, schema, name}]
}

// FindTable returns the relation a possibly qualified name means in db:
// schema.name when schema is given, else name in the first schema of
// searchPath that holds it. It returns nil when none does.
func (s *Snapshot) FindTable(db uint32, searchPath []string, schema, name string) *Table {
	if schema == "pg_temp" {
		schema = TempSchemaOf(searchPath)
	}
	if schema != "" {
		return s.Table(db, schema, name)
	}
	for _, sc := range searchPath {
		if t := s.Table(db, sc, name); t != nil {
			return t
		}
	}
	return nil
}

// TableByOID returns the table with oid, or nil.
func (s *Snapshot) TableByOID(oid uint32) *Table { return s.tables[oid] }

// Tables returns the tables of db ordered by OID.
func (s *Snapshot) Tables(db uint32) []*Table {
	var out []*Table
	for _, t := range s.tables {
		if t.DB == db {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// HypertableByID returns the hypertable with TimescaleDB id, or nil.
func (s *Snapshot) HypertableByID(id int32) *Table {
	for _, t := range s.tables {
		if t.Hyper != nil && t.Hyper.ID == id {
			return t
		}
	}
	return nil
}

// Role returns the role named name, or nil.
func (s *Snapshot) Role(name string) *Role { return s.roles[name] }

// Roles returns all roles ordered by OID.
func (s *Snapshot) Roles() []*Role {
	out := make([]*Role, 0, len(s.roles))
	for _, r := range s.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// Extensions returns the extensions installed in db (name -> version).
func (s *Snapshot) Extensions(db uint32) map[string]string { return s.ext[db] }

// Sequence returns the OID of sequence schema.name in db, or 0.
func (s *Snapshot) Sequence(db uint32, schema, name string) uint32 {
	return s.seqs[tableKey{db, schema, name}]
}

// TempSchemaOf returns the session's temporary schema (pg_temp_<pid>)
// from its search path, where it comes first once it exists; "pg_temp"
// (the alias naming it) when there is none, which holds no tables.
func TempSchemaOf(searchPath []string) string {
	for _, sc := range searchPath {
		if strings.HasPrefix(sc, "pg_temp_") {
			return sc
		}
	}
	return "pg_temp"
}
