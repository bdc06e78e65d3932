package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	srv  *Server
	eng  *fakeEngine
	addr string
	logs *syncBuffer
}

func startServer(t testing.TB, auth string) *testServer {
	t.Helper()
	ts := &testServer{eng: newFakeEngine(), logs: &syncBuffer{}}
	ts.srv = New(Config{Listen: "127.0.0.1:0", Auth: auth, Logger: slog.New(slog.NewTextHandler(ts.logs, nil))}, ts.eng)
	ln, err := ts.srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- ts.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := ts.srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

func (ts *testServer) dsn(user, extra string) string {
	return fmt.Sprintf("postgres://%s@%s/db?sslmode=disable%s", user, ts.addr, extra)
}

func (ts *testServer) connect(t testing.TB, extra string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, ts.dsn("postgres", extra))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestStartupParameters(t *testing.T) {
	ts := startServer(t, AuthTrust)
	c := ts.connect(t, "")
	pc := c.PgConn()
	for name, want := range map[string]string{"server_version": "15.0", "client_encoding": "UTF8", "TimeZone": "UTC"} {
		if got := pc.ParameterStatus(name); got != want {
			t.Errorf("ParameterStatus(%s) = %q, want %q", name, got, want)
		}
	}
	if pc.PID() == 0 || len(pc.SecretKey()) != 4 {
		t.Errorf("backend key data: pid %d key %x", pc.PID(), pc.SecretKey())
	}
	c2 := ts.connect(t, "")
	if c2.PgConn().PID() == pc.PID() {
		t.Errorf("two connections share pid %d", pc.PID())
	}
}

func TestQueryModes(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	for _, mode := range []pgx.QueryExecMode{
		pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement,
		pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec,
	} {
		t.Run(mode.String(), func(t *testing.T) {
			c := ts.connect(t, "")
			var one int32
			if err := c.QueryRow(ctx, "select 1", mode).Scan(&one); err != nil || one != 1 {
				t.Fatalf("select 1: %v, %d", err, one)
			}
			var (
				i2   int16
				i4   int32
				i8   int64
				f8   float64
				b    bool
				s    string
				null *string
			)
			err := c.QueryRow(ctx, "select types", mode).Scan(&i2, &i4, &i8, &f8, &b, &s, &null)
			if err != nil {
				t.Fatalf("select types: %v", err)
			}
			if i2 != -2 || i4 != 1<<30 || i8 != -1<<40 || f8 != 1.5 || !b || s != "héllo" || null != nil {
				t.Errorf("select types = %v %v %v %v %v %q %v", i2, i4, i8, f8, b, s, null)
			}
			if mode == pgx.QueryExecModeSimpleProtocol {
				return
			}
			var x int64
			if err := c.QueryRow(ctx, "select $1", mode, int64(-42)).Scan(&x); err != nil || x != -42 {
				t.Fatalf("select $1: %v, %d", err, x)
			}
		})
	}
}

func TestRowDescription(t *testing.T) {
	ts := startServer(t, AuthTrust)
	c := ts.connect(t, "")
	rows, err := c.Query(testCtx(t), "select types", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	fds := rows.FieldDescriptions()
	rows.Close()
	if len(fds) != 7 {
		t.Fatalf("%d fields", len(fds))
	}
	want := []struct {
		name string
		oid  uint32
		size int16
	}{{"i2", 21, 2}, {"i4", 23, 4}, {"i8", 20, 8}, {"f8", 701, 8}, {"b", 16, 1}, {"t", 25, -1}, {"nul", 25, -1}}
	for i, w := range want {
		fd := fds[i]
		if fd.Name != w.name || fd.DataTypeOID != w.oid || fd.DataTypeSize != w.size || fd.TypeModifier != -1 || fd.Format != 0 {
			t.Errorf("field %d = %+v, want %+v", i, fd, w)
		}
	}
	if fds[6].TableOID != 16384 || fds[6].TableAttributeNumber != 7 {
		t.Errorf("table oid/attnum = %d/%d", fds[6].TableOID, fds[6].TableAttributeNumber)
	}
}

func TestErrorsKeepSessionUsable(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	c := ts.connect(t, "")
	for _, tc := range []struct {
		query string
		mode  pgx.QueryExecMode
		code  string
	}{
		{"bad", pgx.QueryExecModeSimpleProtocol, "42601"},
		{"bad", pgx.QueryExecModeCacheStatement, "42601"},
		{"nosqlstate", pgx.QueryExecModeSimpleProtocol, "XX000"},
		{"panic", pgx.QueryExecModeSimpleProtocol, "XX000"},
		{"select 1; bad; select 1", pgx.QueryExecModeSimpleProtocol, "42601"},
	} {
		_, err := c.Exec(ctx, tc.query, tc.mode)
		if got := pgCode(err); got != tc.code {
			t.Errorf("%q (%v): error %v, want code %s", tc.query, tc.mode, err, tc.code)
		}
		var one int32
		if err := c.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("after %q: %v", tc.query, err)
		}
	}
	_, err := c.Exec(ctx, "bad", pgx.QueryExecModeSimpleProtocol)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Position != 1 || pe.Hint != "try harder" || pe.Severity != "ERROR" {
		t.Errorf("error fields: %#v", pe)
	}
	logs := ts.logs.String()
	if !strings.Contains(logs, "BUG: error without SQLSTATE") || !strings.Contains(logs, "BUG: panic handling message") {
		t.Errorf("bugs not logged:\n%s", logs)
	}
}

func TestTxStatus(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	c := ts.connect(t, "")
	pc := c.PgConn()
	steps := []struct {
		q    string
		want byte
	}{{"begin", 'T'}, {"select 1", 'T'}, {"bad", 'E'}, {"commit", 'I'}}
	for _, s := range steps {
		pc.Exec(ctx, s.q).ReadAll()
		if got := pc.TxStatus(); got != s.want {
			t.Errorf("after %q: tx status %c, want %c", s.q, got, s.want)
		}
	}
}

func TestNoticeAndParameterStatus(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	var notices []string
	cfg, err := pgx.ParseConfig(ts.dsn("postgres", ""))
	if err != nil {
		t.Fatal(err)
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n.Severity+":"+n.Message) }
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "notice; set tz"); err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 || notices[0] != "NOTICE:hello notice" {
		t.Errorf("notices = %q", notices)
	}
	if got := c.PgConn().ParameterStatus("TimeZone"); got != "Europe/Berlin" {
		t.Errorf("TimeZone = %q", got)
	}
}

func TestLargeResultStreams(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	c := ts.connect(t, "")
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		q, args := "select gen 50000", []any{mode}
		if mode != pgx.QueryExecModeSimpleProtocol {
			q, args = "select gen $1", []any{mode, int64(50000)}
		}
		rows, err := c.Query(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var i int64
			var s string
			if err := rows.Scan(&i, &s); err != nil {
				t.Fatal(err)
			}
			if i != int64(n) || s != fmt.Sprintf("row%d", n) {
				t.Fatalf("row %d = %d %q", n, i, s)
			}
			n++
		}
		if err := rows.Err(); err != nil || n != 50000 {
			t.Fatalf("%v: %d rows, err %v", mode, n, err)
		}
		if tag := rows.CommandTag().String(); tag != "SELECT 50000" {
			t.Errorf("tag %q", tag)
		}
	}
}

func TestCancelRequest(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	c := ts.connect(t, "")
	errc := make(chan error, 1)
	go func() {
		_, err := c.PgConn().Exec(ctx, "sleep").ReadAll()
		errc <- err
	}()
	<-ts.eng.started
	// A wrong key must not cancel.
	cc, err := pgconn.Connect(ctx, ts.dsn("postgres", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close(ctx)
	if err := c.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; pgCode(err) != "57014" {
		t.Fatalf("canceled query returned %v", err)
	}
	<-ts.eng.canceled
	if _, err := c.Exec(ctx, "select 1"); err != nil {
		t.Fatalf("after cancel: %v", err)
	}
}

func TestCancelWrongKeyIgnored(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	c := ts.connect(t, "")
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.PgConn().Exec(ctx, "sleep").ReadAll()
	}()
	<-ts.eng.started
	pc := c.PgConn()
	ts.srv.cancelRequest(pc.PID(), []byte{1, 2, 3, 4})
	ts.srv.cancelRequest(pc.PID()+1, pc.SecretKey())
	select {
	case <-done:
		t.Fatal("query canceled by a wrong key")
	case <-time.After(50 * time.Millisecond):
	}
	ts.srv.cancelRequest(pc.PID(), pc.SecretKey())
	<-done
}

func TestClientDisconnectCancels(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	pc, err := pgconn.Connect(ctx, ts.dsn("postgres", ""))
	if err != nil {
		t.Fatal(err)
	}
	go pc.Exec(ctx, "sleep").ReadAll()
	<-ts.eng.started
	pc.Conn().Close()
	select {
	case <-ts.eng.canceled:
	case <-ctx.Done():
		t.Fatal("statement not canceled after the client went away")
	}
	<-ts.eng.closed // session closed
}

func TestShutdownTerminatesClients(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	idle := ts.connect(t, "")
	busy := ts.connect(t, "")
	errc := make(chan error, 1)
	go func() {
		_, err := busy.Exec(ctx, "sleep", pgx.QueryExecModeSimpleProtocol)
		errc <- err
	}()
	<-ts.eng.started
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; pgCode(err) != "57P01" {
		t.Errorf("busy client got %v, want 57P01", err)
	}
	if _, err := idle.Exec(ctx, "select 1"); err == nil {
		t.Error("idle client still works after shutdown")
	}
	if _, err := pgconn.Connect(ctx, ts.dsn("postgres", "")); err == nil {
		t.Error("connect after shutdown succeeded")
	}
}

func TestSSLRequestFallsBack(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	c, err := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@%s/db?sslmode=prefer", ts.addr))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "select 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@%s/db?sslmode=require", ts.addr)); err == nil {
		t.Error("sslmode=require connected without TLS")
	}
}

func TestSessionErrorsAtStartup(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	for _, tc := range []struct{ dsn, code string }{
		{fmt.Sprintf("postgres://ghost@%s/db?sslmode=disable", ts.addr), "28000"},
		{fmt.Sprintf("postgres://postgres@%s/nodb?sslmode=disable", ts.addr), "3D000"},
		{fmt.Sprintf("postgres://nologin@%s/db?sslmode=disable", ts.addr), "28000"},
	} {
		_, err := pgconn.Connect(ctx, tc.dsn)
		if pgCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.dsn, err, tc.code)
		}
	}
}

func TestSCRAM(t *testing.T) {
	ts := startServer(t, AuthSCRAM)
	ctx := testCtx(t)
	for _, tc := range []struct {
		user, password, code string
	}{
		{"alice", "secret", ""},
		{"alice", "wrong", "28P01"},
		{"ghost", "secret", "28P01"},
		{"postgres", "", "28P01"}, // no password set
		{"nologin", "secret", "28000"},
	} {
		dsn := fmt.Sprintf("postgres://%s:%s@%s/db?sslmode=disable", tc.user, tc.password, ts.addr)
		c, err := pgconn.Connect(ctx, dsn)
		if got := pgCode(err); got != tc.code {
			t.Errorf("%s/%s: %v, want code %q", tc.user, tc.password, err, tc.code)
		}
		if err == nil {
			if _, err := c.Exec(ctx, "select 1").ReadAll(); err != nil {
				t.Errorf("query after scram: %v", err)
			}
			c.Close(ctx)
		} else if tc.code == "28P01" && !strings.Contains(err.Error(), fmt.Sprintf("password authentication failed for user %q", tc.user)) {
			t.Errorf("message: %v", err)
		}
	}
}

func TestCopyFromBinary(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	c := ts.connect(t, "")
	rows := [][]any{{int64(1), "a"}, {int64(2), nil}, {int64(3), "ccc"}}
	n, err := c.CopyFrom(ctx, pgx.Identifier{"t"}, []string{"a", "b"}, pgx.CopyFromRows(rows))
	if err != nil || n != 3 {
		t.Fatalf("CopyFrom: %d, %v", n, err)
	}
	got := fmt.Sprint(ts.eng.copied)
	if got != "[[1 a] [2 NULL] [3 ccc]]" {
		t.Errorf("copied %s", got)
	}
}

func TestCopyTextAndFail(t *testing.T) {
	ts := startServer(t, AuthTrust)
	ctx := testCtx(t)
	c := ts.connect(t, "")
	pc := c.PgConn()
	tag, err := pc.CopyFrom(ctx, strings.NewReader("1\tx\n2\ty\n"), "copy in")
	if err != nil || tag.String() != "COPY 2" {
		t.Fatalf("copy in: %v %v", tag, err)
	}
	_, err = pc.CopyFrom(ctx, io.MultiReader(strings.NewReader("3\tz\n"), errReader{}), "copy in")
	if pgCode(err) != "57014" || !strings.Contains(err.Error(), "COPY from stdin failed") {
		t.Fatalf("copy fail: %v", err)
	}
	var out bytes.Buffer
	tag, err = pc.CopyTo(ctx, &out, "copy out")
	if err != nil || tag.String() != "COPY 2" || out.String() != "1\ta\n2\tb\n" {
		t.Fatalf("copy out: %v %v %q", tag, err, out.String())
	}
	if _, err := c.Exec(ctx, "select 1"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ts.eng.copied); got != "[[1 x] [2 y]]" {
		t.Errorf("copied %s", got)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("client gave up") }

func TestProtocol32Negotiated(t *testing.T) {
	ts := startServer(t, AuthTrust)
	c := ts.connect(t, "&max_protocol_version=3.2")
	var one int32
	if err := c.QueryRow(testCtx(t), "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("select 1 over negotiated protocol: %v", err)
	}
}
