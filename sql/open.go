package sql

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage"
)

// Options configure Open.
type Options struct {
	// Dir is the data directory (created when missing).
	Dir string
	// InMemory keeps all data in memory (tests); Dir is ignored.
	InMemory bool
	// Logger receives background errors; nil uses slog.Default().
	Logger *slog.Logger
	// CacheSize is the storage block cache in bytes; 0 picks
	// storage.DefaultCacheSize.
	CacheSize int64
}

// DB is the engine: the storage, the catalog and everything sessions share.
// It implements Engine.
type DB struct {
	opts  Options
	store *storage.DB
	cat   *catalog.Store
	log   *slog.Logger
	pids  atomic.Int32
	// active are the open sessions by pid (activity.go).
	active sessions
}

// Open opens the data directory and returns the engine.
func Open(opts Options) (*DB, error) {
	st, err := storage.Open(opts.Dir, storage.Options{InMemory: opts.InMemory, CacheSize: opts.CacheSize})
	if err != nil {
		return nil, fmt.Errorf("open storage in %s: %w", opts.Dir, err)
	}
	cat, err := catalog.Open(st)
	if err != nil {
		st.Close()
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	db := &DB{opts: opts, store: st, cat: cat, log: log}
	db.pids.Store(1000)
	return db, nil
}

// Catalog returns the live catalog (the job scheduler reads job
// definitions and records run state through it).
func (db *DB) Catalog() *catalog.Store { return db.cat }

// Close stops background work and closes storage.
func (db *DB) Close() error { return db.store.Close() }

// NewSession implements Engine.
func (db *DB) NewSession(ctx context.Context, p StartupParams) (Session, error) {
	snap := db.cat.Snapshot()
	dbName := p.Database
	if dbName == "" {
		dbName = p.User
	}
	d := snap.Database(dbName)
	if d == nil {
		return nil, pgerr.New(pgerr.InvalidCatalogName, "database %q does not exist", dbName)
	}
	if snap.Role(p.User) == nil {
		return nil, pgerr.New(pgerr.InvalidAuthorizationSpec, "role %q does not exist", p.User)
	}
	return newSession(db, p, d), nil
}

// RoleSecret implements Engine.
func (db *DB) RoleSecret(role string) (string, bool, bool) {
	r := db.cat.Snapshot().Role(role)
	if r == nil {
		return "", false, false
	}
	return r.Secret, r.Login, true
}
