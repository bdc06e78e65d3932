package table

import (
	"encoding/binary"
	"fmt"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
	"github.com/tsgres/tsgres/storage/keyenc"
)

// The row codec and row keys of regular tables; the formats are described
// in doc.go.

// rowVersion is the first byte of every encoded row (persisted).
const rowVersion byte = 1

// EncodeRow encodes a regular table row; vals are in t.Cols order.
func EncodeRow(t *catalog.Table, vals []any) ([]byte, error) {
	if len(vals) != len(t.Cols) {
		return nil, fmt.Errorf("encode row of %s: %d values for %d columns", t.Name, len(vals), len(t.Cols))
	}
	var payload []byte
	hdr := []byte{rowVersion}
	n := 0
	for _, v := range vals {
		if v != nil {
			n++
		}
	}
	hdr = binary.AppendUvarint(hdr, uint64(n))
	for i, v := range vals {
		if v == nil {
			continue
		}
		before := len(payload)
		var err error
		payload, err = types.AppendBinary(payload, t.Cols[i].Type, v)
		if err != nil {
			return nil, fmt.Errorf("encode column %s of %s: %w", t.Cols[i].Name, t.Name, err)
		}
		hdr = binary.AppendUvarint(hdr, uint64(t.Cols[i].ID))
		hdr = binary.AppendUvarint(hdr, uint64(len(payload)-before))
	}
	return append(hdr, payload...), nil
}

// rowEncoder encodes rows of a batch as EncodeRow does, without boxing
// int64 and float64 values, reusing its scratch buffers.
type rowEncoder struct {
	hdr, payload []byte
}

// appendRow appends the encoding of row r of b (SQL kinds, t.Cols order)
// to dst: the bytes EncodeRow gives for the row's values.
func (e *rowEncoder) appendRow(dst []byte, t *catalog.Table, b *col.Batch, r int) ([]byte, error) {
	if len(b.Cols) != len(t.Cols) {
		return nil, fmt.Errorf("encode row of %s: %d values for %d columns", t.Name, len(b.Cols), len(t.Cols))
	}
	n := 0
	for _, v := range b.Cols {
		if !v.IsNull(r) {
			n++
		}
	}
	e.hdr = binary.AppendUvarint(append(e.hdr[:0], rowVersion), uint64(n))
	e.payload = e.payload[:0]
	for i, v := range b.Cols {
		if v.IsNull(r) {
			continue
		}
		before := len(e.payload)
		var err error
		switch v.Kind {
		case col.Int64:
			e.payload, err = types.AppendInt64Binary(e.payload, t.Cols[i].Type, v.I64[r])
		case col.Float64:
			e.payload, err = types.AppendFloat64Binary(e.payload, t.Cols[i].Type, v.F64[r])
		default:
			e.payload, err = types.AppendBinary(e.payload, t.Cols[i].Type, v.Get(r))
		}
		if err != nil {
			return nil, fmt.Errorf("encode column %s of %s: %w", t.Cols[i].Name, t.Name, err)
		}
		e.hdr = binary.AppendUvarint(e.hdr, uint64(t.Cols[i].ID))
		e.hdr = binary.AppendUvarint(e.hdr, uint64(len(e.payload)-before))
	}
	return append(append(dst, e.hdr...), e.payload...), nil
}

func errCorruptRow(t *catalog.Table, what string) error {
	return pgerr.New(pgerr.DataCorrupted, "corrupt row in table %s: %s", t.Name, what)
}

// DecodeRow decodes a row written by EncodeRow into dst (len(t.Cols)).
func DecodeRow(t *catalog.Table, data []byte, dst []any) error {
	if len(dst) != len(t.Cols) {
		return fmt.Errorf("decode row of %s: %d slots for %d columns", t.Name, len(dst), len(t.Cols))
	}
	for i := range dst {
		dst[i] = nil
	}
	if len(data) == 0 || data[0] != rowVersion {
		return errCorruptRow(t, "bad version")
	}
	p := data[1:]
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)) {
		return errCorruptRow(t, "bad column count")
	}
	p = p[k:]
	type entry struct{ id, size uint64 }
	var small [16]entry
	ents := small[:0]
	for i := uint64(0); i < n; i++ {
		id, k1 := binary.Uvarint(p)
		if k1 <= 0 {
			return errCorruptRow(t, "bad column id")
		}
		size, k2 := binary.Uvarint(p[k1:])
		if k2 <= 0 {
			return errCorruptRow(t, "bad value length")
		}
		p = p[k1+k2:]
		ents = append(ents, entry{id, size})
	}
	next := 0 // expected table position of the next stored column
	for _, e := range ents {
		if e.size > uint64(len(p)) {
			return errCorruptRow(t, "value past end")
		}
		val := p[:e.size]
		p = p[e.size:]
		pos := -1
		if next < len(t.Cols) && uint64(t.Cols[next].ID) == e.id {
			pos = next
		} else {
			pos = t.ColByID(uint32(e.id))
		}
		if pos < 0 {
			continue // dropped column
		}
		next = pos + 1
		v, err := types.DecodeBinary(t.Cols[pos].Type, val)
		if err != nil {
			return fmt.Errorf("decode column %s of %s: %w", t.Cols[pos].Name, t.Name, err)
		}
		dst[pos] = v
	}
	return nil
}

// RowKey returns the storage key of a row: the order-preserving encoding
// of its primary key columns, or of rowID when t has no primary key.
func RowKey(t *catalog.Table, vals []any, rowID int64) ([]byte, error) {
	pk := t.PrimaryKey()
	if pk == nil {
		return keyenc.AppendInt64(nil, rowID), nil
	}
	var key []byte
	for _, id := range pk.Cols {
		pos := t.ColByID(id)
		if pos < 0 || pos >= len(vals) {
			return nil, fmt.Errorf("row key of %s: primary key column %d missing", t.Name, id)
		}
		var err error
		if key, err = AppendKey(key, t.Cols[pos].Type, vals[pos]); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// AppendKey appends the key encoding of one value of type t. Values
// without an order-preserving encoding (numeric, interval, arrays) are
// encoded so that equal values give equal keys, but their byte order is
// not their SQL order.
func AppendKey(dst []byte, t types.T, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return keyenc.AppendNull(dst), nil
	case int64:
		return keyenc.AppendInt64(dst, x), nil
	case float64:
		return keyenc.AppendFloat64(dst, x), nil
	case bool:
		return keyenc.AppendBool(dst, x), nil
	case string:
		return keyenc.AppendString(dst, x), nil
	case *types.Decimal:
		var r types.Decimal
		r.Reduce(x)
		return keyenc.AppendString(dst, r.Text('f')), nil
	case types.Interval:
		return keyenc.AppendString(dst, fmt.Sprintf("%d", types.IntervalMicros(x))), nil
	}
	b, err := types.AppendBinary(nil, t, v)
	if err != nil {
		return nil, err
	}
	return keyenc.AppendString(dst, string(b)), nil
}

// IndexKey returns the key of row's entry in unique index ix of t: the
// index columns' values in index order (see doc.go). ok is false when one
// of them is NULL; such a row has no entry (NULLs never conflict).
func IndexKey(t *catalog.Table, ix *catalog.Index, row []any) ([]byte, bool) {
	var k []byte
	for _, id := range ix.Cols {
		i := t.ColByID(id)
		v := row[i]
		if v == nil {
			return nil, false
		}
		k = appendUniqueColumn(k, t.Cols[i].Type, v)
	}
	return k, true
}

// appendUniqueColumn appends the key of non-NULL value v of type typ as a
// column of a unique index's key: int64, float64, bool and string values
// in their order-preserving form, other values as their text.
func appendUniqueColumn(dst []byte, typ types.T, v any) []byte {
	switch x := v.(type) {
	case int64:
		return keyenc.AppendInt64(dst, x)
	case float64:
		return keyenc.AppendFloat64(dst, x)
	case bool:
		return keyenc.AppendBool(dst, x)
	case string:
		return keyenc.AppendString(dst, x)
	}
	return keyenc.AppendString(dst, types.FormatText(typ, v, nil))
}
