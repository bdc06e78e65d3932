package table

import (
	"fmt"
	"math"

	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// The storable forms of hypertable columns (see doc.go).

// StorageKind returns the storable kind hypertable columns of type t are
// stored with: Any-kind types are stored as Bytes.
func StorageKind(t types.T) col.Kind {
	if k := t.Kind(); k != col.Any {
		return k
	}
	return col.Bytes
}

// ToStorage converts a vector of type t to its storable form; vectors
// already storable are returned as they are.
func ToStorage(t types.T, v *col.Vec) (*col.Vec, error) {
	if v.Kind != col.Any {
		return v, nil
	}
	n := v.Len()
	out := col.NewVec(col.Bytes, n)
	var buf []byte
	for i := 0; i < n; i++ {
		x := v.Get(i)
		if x == nil {
			out.AppendNull()
			continue
		}
		var err error
		if buf, err = types.AppendBinary(buf[:0], t, x); err != nil {
			return nil, fmt.Errorf("encode %s value for storage: %w", t.Info().Name, err)
		}
		out.AppendString(string(buf))
	}
	return out, nil
}

// FromStorage converts a stored vector back to type t's executor form.
func FromStorage(t types.T, v *col.Vec) (*col.Vec, error) {
	if t.Kind() != col.Any || v.Kind != col.Bytes {
		return v, nil
	}
	n := v.Len()
	out := col.NewVec(col.Any, n)
	for i := 0; i < n; i++ {
		if v.IsNull(i) {
			out.AppendNull()
			continue
		}
		x, err := types.DecodeBinary(t, []byte(v.S[i]))
		if err != nil {
			return nil, fmt.Errorf("decode stored %s value: %w", t.Info().Name, err)
		}
		out.Append(x)
	}
	return out, nil
}

// DimensionValue returns a value of time column type t in time-dimension
// units: µs, a date's days scaled to µs (the infinities stay). Rows are
// routed to chunks, and chunk ranges compared, by it.
func DimensionValue(t types.T, v int64) int64 {
	if t.OID == types.OidDate {
		if v == math.MaxInt64 || v == math.MinInt64 {
			return v
		}
		return v * types.MicrosPerDay
	}
	return v
}
