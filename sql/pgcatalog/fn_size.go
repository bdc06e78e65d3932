package pgcatalog

import (
	"math/big"
	"strconv"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// sizeUnit is one step of pg_size_pretty's unit ladder (PostgreSQL 15's
// size_pretty_units in dbsize.c): a unit is used while the value is below
// limit; rounded units print half-rounded values.
type sizeUnit struct {
	name     string
	limit    int64
	round    bool
	unitBits uint
}

var sizeUnits = []sizeUnit{
	{"bytes", 10 * 1024, false, 0},
	{"kB", 20*1024 - 1, true, 10},
	{"MB", 20*1024 - 1, true, 20},
	{"GB", 20*1024 - 1, true, 30},
	{"TB", 20*1024 - 1, true, 40},
	{"PB", 20*1024 - 1, true, 50},
}

// shiftBits is how many bits to divide by when moving past unit i: one
// less when the next unit half-rounds, one more when this one did.
func shiftBits(i int) uint {
	u, next := sizeUnits[i], sizeUnits[i+1]
	bits := next.unitBits - u.unitBits
	if next.round {
		bits--
	}
	if u.round {
		bits++
	}
	return bits
}

// SizePretty formats a byte count exactly as pg_size_pretty(bigint).
func SizePretty(size int64) string {
	for i, u := range sizeUnits {
		abs := size
		if abs < 0 {
			abs = -abs
		}
		if i == len(sizeUnits)-1 || abs < u.limit {
			if u.round {
				size = halfRounded(size)
			}
			return strconv.FormatInt(size, 10) + " " + u.name
		}
		size /= int64(1) << shiftBits(i)
	}
	panic("BUG: pg_size_pretty unit ladder exhausted")
}

// halfRounded halves a value rounding half away from zero (dbsize.c's
// half_rounded).
func halfRounded(x int64) int64 {
	if x < 0 {
		return (x - 1) / 2
	}
	return (x + 1) / 2
}

// sizePrettyNumeric formats a numeric byte count as
// pg_size_pretty(numeric): values below 10240 print as given (fraction
// included), larger ones are truncated to integers and walk the ladder.
func sizePrettyNumeric(text string) (string, error) {
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return "", pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type numeric: %q", text)
	}
	size := new(big.Int).Quo(r.Num(), r.Denom()) // truncates toward zero
	for i, u := range sizeUnits {
		abs := new(big.Rat).Abs(r)
		if i > 0 {
			abs = new(big.Rat).SetInt(new(big.Int).Abs(size))
		}
		if i == len(sizeUnits)-1 || abs.Cmp(new(big.Rat).SetInt64(u.limit)) < 0 {
			if i == 0 {
				return text + " " + u.name, nil
			}
			if u.round {
				one := big.NewInt(1)
				if size.Sign() < 0 {
					one = big.NewInt(-1)
				}
				size.Add(size, one)
				size.Quo(size, big.NewInt(2))
			}
			return size.String() + " " + u.name, nil
		}
		size.Quo(size, new(big.Int).Lsh(big.NewInt(1), shiftBits(i)))
	}
	panic("BUG: pg_size_pretty unit ladder exhausted")
}

// relationBytes returns the on-disk size of a relation: a regular
// table's, a chunk's, or the sum of a hypertable's chunks; ok is false for
// an unknown OID.
func relationBytes(env Env, oid uint32) (int64, bool) {
	r, ok := relByOID(env, oid)
	if !ok {
		return 0, false
	}
	switch {
	case r.chunk != nil:
		return env.ChunkBytes(r.chunk.ID), true
	case r.kind == 'r' && r.table != nil && r.table.Hyper != nil:
		var sum int64
		for _, ch := range chunksOf(env, r.table.OID) {
			sum += env.ChunkBytes(ch.ID)
		}
		return sum, true
	case r.kind == 'r' && r.table != nil:
		return env.TableBytes(r.table.OID), true
	}
	return 0, true
}

// databaseBytes sums the relations of the current database.
func databaseBytes(env Env) int64 {
	var sum int64
	for _, t := range env.Catalog().Tables(env.Database()) {
		n, _ := relationBytes(env, t.OID)
		sum += n
	}
	return sum
}

// Size functions.
func init() {
	T, I8, RC := types.Text, types.Int8, types.Regclass

	strictFn("pg_size_pretty", ts(I8), 0, T, func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
		return SizePretty(argInt(a, 0)), nil
	})
	strictFn("pg_size_pretty", ts(types.Numeric), 0, T, func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
		return sizePrettyNumeric(types.FormatText(types.Numeric, a[0], nil))
	})

	relSize := func(env Env, a []any) (any, error) {
		n, ok := relationBytes(env, uint32(argInt(a, 0)))
		if !ok {
			return nil, nil
		}
		return n, nil
	}
	strictFn("pg_table_size", ts(RC), 0, I8, withEnv(relSize))
	strictFn("pg_total_relation_size", ts(RC), 0, I8, withEnv(relSize))
	strictFn("pg_relation_size", ts(RC, T), 1, I8, withEnv(func(env Env, a []any) (any, error) {
		if len(a) > 1 && argStr(a, 1) != "main" {
			if _, ok := relByOID(env, uint32(argInt(a, 0))); !ok {
				return nil, nil
			}
			return int64(0), nil
		}
		return relSize(env, a)
	}))
	strictFn("pg_indexes_size", ts(RC), 0, I8, withEnv(func(env Env, a []any) (any, error) {
		if _, ok := relByOID(env, uint32(argInt(a, 0))); !ok {
			return nil, nil
		}
		return int64(0), nil
	}))
	strictFn("pg_database_size", ts(types.Oid), 0, I8, withEnv(func(env Env, a []any) (any, error) {
		if uint32(argInt(a, 0)) != env.Database() {
			return int64(0), nil
		}
		return databaseBytes(env), nil
	}))
	strictFn("pg_database_size", ts(types.Name), 0, I8, withEnv(func(env Env, a []any) (any, error) {
		name := argStr(a, 0)
		if env.Catalog().Database(name) == nil {
			return nil, pgerr.New(pgerr.InvalidCatalogName, "database %q does not exist", name)
		}
		if name != env.DatabaseName() {
			return int64(0), nil
		}
		return databaseBytes(env), nil
	}))
}
