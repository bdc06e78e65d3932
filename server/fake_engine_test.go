package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tsgres/tsgres/server/scram"
	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// fakeEngine is a canned sql.Engine for wire tests. Queries it knows
// (case-insensitive, after trimming):
//
//	select 1                 one int4 row
//	select gen N             N rows (n int8, s text)
//	select types             one row of assorted types incl. a NULL
//	bad                      42601 with position 1
//	nosqlstate               an error without SQLSTATE
//	panic                    panics
//	sleep                    blocks until ctx is cancelled, then 57014
//	begin / commit           transaction status T / I
//	notice                   a NOTICE then SET
//	set tz                   ParameterStatus TimeZone
//	copy in [binary]         COPY FROM STDIN, rows kept in copied
//	copy out                 COPY TO STDOUT of two text rows
//
// Statements are split on ';'. Extended-protocol statements: "select $1"
// (int8 parameter, one int8 column), "select gen $1" (N rows), "select
// types", "insert" (no rows), and "bad" (fails at Parse).
type fakeEngine struct {
	mu       sync.Mutex
	copied   [][]string // rows received by COPY IN
	started  chan struct{}
	canceled chan struct{}
	closed   chan struct{}
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{
		started:  make(chan struct{}, 16),
		canceled: make(chan struct{}, 16),
		closed:   make(chan struct{}, 64),
	}
}

var aliceSecret = scram.Secret("secret")

func (e *fakeEngine) RoleSecret(role string) (string, bool, bool) {
	switch role {
	case "postgres":
		return "", true, true
	case "alice":
		return aliceSecret, true, true
	case "nologin":
		return aliceSecret, false, true
	}
	return "", false, false
}

func (e *fakeEngine) NewSession(ctx context.Context, p sql.StartupParams) (sql.Session, error) {
	if _, _, ok := e.RoleSecret(p.User); !ok {
		return nil, pgerr.New(pgerr.InvalidAuthorizationSpec, "role %q does not exist", p.User)
	}
	if p.Database == "nodb" {
		return nil, pgerr.New(pgerr.InvalidCatalogName, "database %q does not exist", p.Database)
	}
	return &fakeSession{e: e, tx: 'I', stmts: map[string]*fakeStmt{}, portals: map[string]*fakePortal{}}, nil
}

type fakeStmt struct {
	query string
	prep  sql.Prepared
}

type fakePortal struct {
	stmt *fakeStmt
	arg  int64
	pos  int
}

type fakeSession struct {
	e       *fakeEngine
	tx      byte
	stmts   map[string]*fakeStmt
	portals map[string]*fakePortal
}

func (s *fakeSession) TxStatus() byte { return s.tx }
func (s *fakeSession) ParameterStatus() [][2]string {
	return [][2]string{
		{"server_version", "15.0"}, {"server_encoding", "UTF8"}, {"client_encoding", "UTF8"},
		{"DateStyle", "ISO, MDY"}, {"TimeZone", "UTC"}, {"integer_datetimes", "on"},
		{"standard_conforming_strings", "on"},
	}
}
func (s *fakeSession) Location() *time.Location { return time.UTC }
func (s *fakeSession) Close()                   { s.e.closed <- struct{}{} }

var (
	int4Col  = []sql.Column{{Name: "?column?", Type: types.Int4}}
	genCols  = []sql.Column{{Name: "n", Type: types.Int8}, {Name: "s", Type: types.Text}}
	typeCols = []sql.Column{
		{Name: "i2", Type: types.Int2}, {Name: "i4", Type: types.Int4}, {Name: "i8", Type: types.Int8},
		{Name: "f8", Type: types.Float8}, {Name: "b", Type: types.Bool}, {Name: "t", Type: types.Text},
		{Name: "nul", Type: types.Text, TableOID: 16384, AttNum: 7},
	}
)

func typesBatch() *col.Batch {
	vecs := []*col.Vec{
		col.NewVec(col.Int64, 1), col.NewVec(col.Int64, 1), col.NewVec(col.Int64, 1),
		col.NewVec(col.Float64, 1), col.NewVec(col.Bool, 1), col.NewVec(col.Bytes, 1), col.NewVec(col.Bytes, 1),
	}
	vecs[0].AppendInt64(-2)
	vecs[1].AppendInt64(1 << 30)
	vecs[2].AppendInt64(-1 << 40)
	vecs[3].AppendFloat64(1.5)
	vecs[4].AppendBool(true)
	vecs[5].AppendString("héllo")
	vecs[6].AppendNull()
	return col.FromVecs(vecs, 1)
}

// genBatch returns rows [from, to) of "select gen", with a selection vector
// that hides one extra physical row to exercise Batch.Sel.
func genBatch(from, to int) *col.Batch {
	n, s := col.NewVec(col.Int64, to-from+1), col.NewVec(col.Bytes, to-from+1)
	var sel []int
	for i := from; i < to; i++ {
		n.AppendInt64(-1)
		s.AppendString("hidden")
		n.AppendInt64(int64(i))
		s.AppendString("row" + strconv.Itoa(i))
		sel = append(sel, 2*(i-from)+1)
	}
	b := col.FromVecs([]*col.Vec{n, s}, 2*(to-from))
	b.Sel = sel
	return b
}

func (s *fakeSession) Query(ctx context.Context, q string, w sql.ResultWriter) error {
	any := false
	for _, st := range strings.Split(q, ";") {
		st = strings.ToLower(strings.TrimSpace(st))
		if st == "" || strings.HasPrefix(st, "--") {
			continue
		}
		any = true
		if err := s.run(ctx, st, w); err != nil {
			if s.tx == 'T' {
				s.tx = 'E'
			}
			return err
		}
	}
	if !any {
		return w.EmptyQuery()
	}
	return nil
}

func (s *fakeSession) run(ctx context.Context, st string, w sql.ResultWriter) error {
	switch {
	case st == "select 1":
		if err := w.Columns(int4Col); err != nil {
			return err
		}
		v := col.NewVec(col.Int64, 1)
		v.AppendInt64(1)
		if err := w.Batch(col.FromVecs([]*col.Vec{v}, 1)); err != nil {
			return err
		}
		return w.Complete("SELECT 1")
	case strings.HasPrefix(st, "select gen "):
		n, err := strconv.Atoi(strings.TrimPrefix(st, "select gen "))
		if err != nil {
			return pgerr.New(pgerr.InvalidTextRepresentation, "bad count")
		}
		if err := w.Columns(genCols); err != nil {
			return err
		}
		for i := 0; i < n; i += 1000 {
			if err := w.Batch(genBatch(i, min(i+1000, n))); err != nil {
				return err
			}
		}
		return w.Complete(fmt.Sprintf("SELECT %d", n))
	case st == "select types":
		if err := w.Columns(typeCols); err != nil {
			return err
		}
		if err := w.Batch(typesBatch()); err != nil {
			return err
		}
		return w.Complete("SELECT 1")
	case st == "bad":
		return pgerr.New(pgerr.SyntaxError, "syntax error at or near \"bad\"").WithPosition(1).WithHint("try harder")
	case st == "nosqlstate":
		return errors.New("plain failure")
	case st == "panic":
		panic("boom")
	case st == "sleep":
		s.e.started <- struct{}{}
		<-ctx.Done()
		s.e.canceled <- struct{}{}
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
	case st == "begin":
		s.tx = 'T'
		return w.Complete("BEGIN")
	case st == "commit":
		tag := "COMMIT"
		if s.tx == 'E' {
			tag = "ROLLBACK"
		}
		s.tx = 'I'
		return w.Complete(tag)
	case st == "notice":
		if err := w.Notice("NOTICE", "00000", "hello notice"); err != nil {
			return err
		}
		return w.Complete("SET")
	case st == "set tz":
		if err := w.ParameterStatus("TimeZone", "Europe/Berlin"); err != nil {
			return err
		}
		return w.Complete("SET")
	case strings.HasPrefix(st, "copy in"), strings.HasPrefix(st, "copy \"t\""), strings.HasPrefix(st, "copy t "):
		return s.copyIn(st, w)
	case st == "copy out":
		if err := w.CopyOut(false, 2); err != nil {
			return err
		}
		for _, line := range []string{"1\ta\n", "2\tb\n"} {
			if err := w.CopyData([]byte(line)); err != nil {
				return err
			}
		}
		return w.Complete("COPY 2")
	}
	return pgerr.New(pgerr.SyntaxError, "fake engine does not know %q", st)
}

func (s *fakeSession) copyIn(st string, w sql.ResultWriter) error {
	bin := strings.HasSuffix(strings.TrimSpace(st), "binary")
	r, err := w.CopyIn(bin, 2)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var rows [][]string
	if bin {
		if rows, err = parseBinaryCopy(data); err != nil {
			return err
		}
	} else {
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if line == "" || line == "\\." {
				continue
			}
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	s.e.mu.Lock()
	s.e.copied = append(s.e.copied, rows...)
	s.e.mu.Unlock()
	return w.Complete(fmt.Sprintf("COPY %d", len(rows)))
}

// parseBinaryCopy decodes PostgreSQL's binary COPY format, rendering int8
// fields as decimal and others as strings.
func parseBinaryCopy(b []byte) ([][]string, error) {
	const sig = "PGCOPY\n\xff\r\n\x00"
	bad := pgerr.New(pgerr.BadCopyFileFormat, "bad binary copy data %q", b)
	if !bytes.HasPrefix(b, []byte(sig)) || len(b) < len(sig)+8 {
		return nil, bad
	}
	b = b[len(sig)+8:]
	var rows [][]string
	for {
		if len(b) == 0 {
			return rows, nil // pgx omits the -1 trailer; PostgreSQL accepts that
		}
		if len(b) < 2 {
			return nil, bad
		}
		n := int16(binary.BigEndian.Uint16(b))
		b = b[2:]
		if n == -1 {
			return rows, nil
		}
		row := make([]string, n)
		for i := range row {
			if len(b) < 4 {
				return nil, bad
			}
			l := int32(binary.BigEndian.Uint32(b))
			b = b[4:]
			if l < 0 {
				row[i] = "NULL"
				continue
			}
			if int(l) > len(b) {
				return nil, bad
			}
			if l == 8 && i == 0 {
				row[i] = strconv.FormatInt(int64(binary.BigEndian.Uint64(b)), 10)
			} else {
				row[i] = string(b[:l])
			}
			b = b[l:]
		}
		rows = append(rows, row)
	}
}

func (s *fakeSession) Prepare(ctx context.Context, name, query string, paramOIDs []uint32) (*sql.Prepared, error) {
	if _, dup := s.stmts[name]; dup && name != "" {
		return nil, pgerr.New(pgerr.DuplicatePreparedStatement, "prepared statement %q already exists", name)
	}
	q := strings.ToLower(strings.TrimSpace(query))
	st := &fakeStmt{query: q}
	switch q {
	case "select $1":
		st.prep = sql.Prepared{ParamTypes: []types.T{types.Int8}, Columns: []sql.Column{{Name: "x", Type: types.Int8}}}
	case "select gen $1":
		st.prep = sql.Prepared{ParamTypes: []types.T{types.Int8}, Columns: genCols}
	case "select types":
		st.prep = sql.Prepared{Columns: typeCols}
	case "select 1":
		st.prep = sql.Prepared{Columns: int4Col}
	case `select "a", "b" from "t"`: // pgx CopyFrom describes the target columns
		st.prep = sql.Prepared{Columns: []sql.Column{{Name: "a", Type: types.Int8}, {Name: "b", Type: types.Text}}}
	case "insert", "begin", "commit", "":
	case "sleep", "panic":
	default:
		return nil, pgerr.New(pgerr.SyntaxError, "syntax error at or near %q", q).WithPosition(1)
	}
	s.stmts[name] = st
	return &st.prep, nil
}

func (s *fakeSession) DescribeStatement(name string) (*sql.Prepared, error) {
	st := s.stmts[name]
	if st == nil {
		return nil, pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", name)
	}
	return &st.prep, nil
}

func (s *fakeSession) Bind(ctx context.Context, portal, stmt string, paramFormats []int16, params [][]byte) error {
	st := s.stmts[stmt]
	if st == nil {
		return pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", stmt)
	}
	if len(params) != len(st.prep.ParamTypes) {
		return pgerr.New(pgerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d", len(params), stmt, len(st.prep.ParamTypes))
	}
	p := &fakePortal{stmt: st}
	if len(params) == 1 {
		if len(paramFormats) > 0 && paramFormats[0] == 1 {
			if len(params[0]) != 8 {
				return pgerr.New(pgerr.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter 1")
			}
			p.arg = int64(binary.BigEndian.Uint64(params[0]))
		} else {
			v, err := strconv.ParseInt(string(params[0]), 10, 64)
			if err != nil {
				return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type bigint: %q", params[0])
			}
			p.arg = v
		}
	}
	s.portals[portal] = p
	return nil
}

func (s *fakeSession) DescribePortal(portal string) ([]sql.Column, error) {
	p := s.portals[portal]
	if p == nil {
		return nil, pgerr.New(pgerr.InvalidCursorName, "portal %q does not exist", portal)
	}
	return p.stmt.prep.Columns, nil
}

func (s *fakeSession) Execute(ctx context.Context, portal string, maxRows int, w sql.ResultWriter) (bool, error) {
	p := s.portals[portal]
	if p == nil {
		return false, pgerr.New(pgerr.InvalidCursorName, "portal %q does not exist", portal)
	}
	switch p.stmt.query {
	case "select $1":
		if err := w.Columns(p.stmt.prep.Columns); err != nil {
			return false, err
		}
		v := col.NewVec(col.Int64, 1)
		v.AppendInt64(p.arg)
		if err := w.Batch(col.FromVecs([]*col.Vec{v}, 1)); err != nil {
			return false, err
		}
		return false, w.Complete("SELECT 1")
	case "select gen $1":
		total := int(p.arg)
		end := total
		if maxRows > 0 && p.pos+maxRows < total {
			end = p.pos + maxRows
		}
		if err := w.Columns(genCols); err != nil {
			return false, err
		}
		if err := w.Batch(genBatch(p.pos, end)); err != nil {
			return false, err
		}
		n := end - p.pos
		p.pos = end
		if end < total {
			return true, nil
		}
		return false, w.Complete(fmt.Sprintf("SELECT %d", n))
	case "sleep", "select types", "select 1", "begin", "commit", "panic":
		return false, s.run(ctx, p.stmt.query, w)
	case "insert":
		return false, w.Complete("INSERT 0 1")
	case "":
		return false, w.EmptyQuery()
	}
	return false, pgerr.New(pgerr.Internal, "BUG: fake cannot execute %q", p.stmt.query)
}

func (s *fakeSession) CloseStatement(name string) { delete(s.stmts, name) }
func (s *fakeSession) ClosePortal(name string)    { delete(s.portals, name) }
func (s *fakeSession) Sync(ctx context.Context) error {
	if s.tx == 'I' {
		clear(s.portals)
	}
	return nil
}
