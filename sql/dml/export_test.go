package dml

import (
	"bufio"
	"io"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/storage/col"
)

// What the external tests (package dml_test) reach of the COPY FROM
// parser.

// CopyBatchRows is copyBatchRows.
const CopyBatchRows = copyBatchRows

// BinarySignature is binarySignature.
var BinarySignature = binarySignature

// CopyReader is the COPY FROM parser.
type CopyReader = copyReader

// NewCopyReader returns the parser of COPY x into t reading r.
func NewCopyReader(t *catalog.Table, x *plan.Copy, r io.Reader) *CopyReader {
	return &copyReader{t: t, x: x, br: bufio.NewReaderSize(r, 256<<10), first: true}
}

// Batch reads up to n rows; nil at end of data.
func (c *CopyReader) Batch(n int) (*col.Batch, error) { return c.batch(n) }
