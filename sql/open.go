package sql

import "errors"

// Options configure Open.
type Options struct {
	// Dir is the data directory (created when missing).
	Dir string
	// InMemory keeps all data in memory (tests); Dir is ignored.
	InMemory bool
}

// DB is the engine: the storage, the catalog and everything sessions share.
// It implements Engine.
type DB struct {
	opts Options
}

// Open opens the data directory and returns the engine.
func Open(opts Options) (*DB, error) { return nil, errors.New("sql: engine not built yet") }

// Close stops background work and closes storage.
func (db *DB) Close() error { return nil }
