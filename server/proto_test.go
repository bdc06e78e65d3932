package server

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/tsgres/tsgres/server/scram"
)

// rawClient drives the protocol message by message.
type rawClient struct {
	t  testing.TB
	nc net.Conn
	fe *pgproto3.Frontend
}

func dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { nc.Close() })
	return &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// startup logs in as postgres under trust and reads up to ReadyForQuery.
func (r *rawClient) startup() {
	r.t.Helper()
	r.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "postgres"}})
	got := r.untilReady()
	if got[0] != "AuthenticationOk" || got[len(got)-1] != "Z:I" {
		r.t.Fatalf("startup: %v", got)
	}
}

func (r *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	r.t.Helper()
	for _, m := range msgs {
		r.fe.Send(m)
	}
	if err := r.fe.Flush(); err != nil {
		r.t.Fatal(err)
	}
}

// summary renders a backend message compactly for comparisons.
func summary(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.DataRow:
		vals := make([]string, len(m.Values))
		for i, v := range m.Values {
			if v == nil {
				vals[i] = "NULL"
			} else {
				vals[i] = string(v)
			}
		}
		return "D:" + strings.Join(vals, ",")
	case *pgproto3.CommandComplete:
		return "C:" + string(m.CommandTag)
	case *pgproto3.ErrorResponse:
		return "E:" + m.Code
	case *pgproto3.ReadyForQuery:
		return "Z:" + string(m.TxStatus)
	case *pgproto3.ParameterDescription:
		return fmt.Sprint("ParameterDescription:", m.ParameterOIDs)
	case *pgproto3.RowDescription:
		var f []string
		for _, fd := range m.Fields {
			f = append(f, fmt.Sprintf("%s/%d/%d", fd.Name, fd.DataTypeOID, fd.Format))
		}
		return "T:" + strings.Join(f, ",")
	}
	return reflect.TypeOf(m).Elem().Name()
}

// recv returns the next message's summary, or "EOF" when the server closed.
func (r *rawClient) recv() string {
	r.t.Helper()
	m, err := r.fe.Receive()
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "reset") {
			return "EOF"
		}
		r.t.Fatalf("receive: %v", err)
	}
	return summary(m)
}

// untilReady collects messages up to and including ReadyForQuery (or EOF).
func (r *rawClient) untilReady() []string {
	r.t.Helper()
	var got []string
	for {
		s := r.recv()
		if strings.HasPrefix(s, "ParameterStatus") || s == "BackendKeyData" {
			continue
		}
		got = append(got, s)
		if strings.HasPrefix(s, "Z:") || s == "EOF" {
			return got
		}
	}
}

func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestRawExecuteRowLimit(t *testing.T) {
	ts := startServer(t, AuthTrust)
	r := dialRaw(t, ts.addr)
	r.startup()
	r.send(
		&pgproto3.Parse{Query: "select gen $1"},
		&pgproto3.Bind{Parameters: [][]byte{[]byte("5")}},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: 2},
		&pgproto3.Execute{MaxRows: 2},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	expect(t, r.untilReady(), "ParseComplete", "BindComplete", "T:n/20/0,s/25/0",
		"D:0,row0", "D:1,row1", "PortalSuspended",
		"D:2,row2", "D:3,row3", "PortalSuspended",
		"D:4,row4", "C:SELECT 1", "Z:I")
}

func TestRawBinaryResultFormats(t *testing.T) {
	ts := startServer(t, AuthTrust)
	r := dialRaw(t, ts.addr)
	r.startup()
	r.send(
		&pgproto3.Parse{Query: "select gen $1"},
		&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{binary.BigEndian.AppendUint64(nil, 1)}, ResultFormatCodes: []int16{1, 0}},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	expect(t, r.untilReady(), "ParseComplete", "BindComplete", "T:n/20/1,s/25/0",
		"D:\x00\x00\x00\x00\x00\x00\x00\x00,row0", "C:SELECT 1", "Z:I")

	// Two result formats for a two-column result are fine; three are not.
	r.send(
		&pgproto3.Bind{Parameters: [][]byte{[]byte("1")}, ResultFormatCodes: []int16{1, 0, 1}},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	expect(t, r.untilReady(), "E:08P01", "Z:I")
	r.send(&pgproto3.Bind{Parameters: [][]byte{[]byte("1")}, ResultFormatCodes: []int16{7}}, &pgproto3.Sync{})
	expect(t, r.untilReady(), "E:22023", "Z:I")
}

func TestRawExtendedErrorSkipsToSync(t *testing.T) {
	ts := startServer(t, AuthTrust)
	r := dialRaw(t, ts.addr)
	r.startup()
	r.send(
		&pgproto3.Parse{Query: "bad"},
		&pgproto3.Bind{},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{},
		&pgproto3.Query{String: "select 1"}, // also skipped until Sync
		&pgproto3.Sync{},
		&pgproto3.Query{String: "select 1"},
	)
	expect(t, r.untilReady(), "E:42601", "Z:I")
	expect(t, r.untilReady(), "T:?column?/23/0", "D:1", "C:SELECT 1", "Z:I")

	// An error in Bind (bad parameter text) also skips to Sync.
	r.send(
		&pgproto3.Parse{Name: "s", Query: "select $1"},
		&pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("x")}},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	expect(t, r.untilReady(), "ParseComplete", "E:22P02", "Z:I")
}

func TestRawPanicInExecuteSkipsToSync(t *testing.T) {
	ts := startServer(t, AuthTrust)
	r := dialRaw(t, ts.addr)
	r.startup()
	r.send(
		&pgproto3.Parse{Query: "panic"},
		&pgproto3.Bind{},
		&pgproto3.Execute{},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
		&pgproto3.Query{String: "select 1"},
	)
	expect(t, r.untilReady(), "ParseComplete", "BindComplete", "E:XX000", "Z:I")
	expect(t, r.untilReady(), "T:?column?/23/0", "D:1", "C:SELECT 1", "Z:I")
}

func TestRawDescribeAndClose(t *testing.T) {
	ts := startServer(t, AuthTrust)
	r := dialRaw(t, ts.addr)
	r.startup()
	r.send(
		&pgproto3.Parse{Name: "s1", Query: "select $1"},
		&pgproto3.Parse{Name: "s2", Query: "insert"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s2"},
		&pgproto3.Bind{PreparedStatement: "s2", DestinationPortal: "p2"},
		&pgproto3.Describe{ObjectType: 'P', Name: "p2"},
		&pgproto3.Execute{Portal: "p2"},
		&pgproto3.Close{ObjectType: 'P', Name: "p2"},
		&pgproto3.Close{ObjectType: 'S', Name: "s1"},
		&pgproto3.Close{ObjectType: 'S', Name: "never-existed"},
		&pgproto3.Sync{},
	)
	expect(t, r.untilReady(), "ParseComplete", "ParseComplete",
		"ParameterDescription:[20]", "T:x/20/0",
		"ParameterDescription:[]", "NoData",
		"BindComplete", "NoData", "C:INSERT 0 1",
		"CloseComplete", "CloseComplete", "CloseComplete", "Z:I")
	r.send(&pgproto3.Describe{ObjectType: 'S', Name: "s1"}, &pgproto3.Sync{})
	expect(t, r.untilReady(), "E:26000", "Z:I")
	r.send(&pgproto3.Describe{ObjectType: 'X', Name: "s1"}, &pgproto3.Sync{})
	expect(t, r.untilReady(), "E:08P01", "Z:I")
}

func TestRawEmptyQuery(t *testing.T) {
	ts := startServer(t, AuthTrust)
	r := dialRaw(t, ts.addr)
	r.startup()
	for _, q := range []string{"", ";", " ; -- ping"} {
		r.send(&pgproto3.Query{String: q})
		expect(t, r.untilReady(), "EmptyQueryResponse", "Z:I")
	}
	r.send(&pgproto3.Parse{Query: ""}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	expect(t, r.untilReady(), "ParseComplete", "BindComplete", "EmptyQueryResponse", "Z:I")
}

func TestRawCopyInIgnoresFlushAndSync(t *testing.T) {
	ts := startServer(t, AuthTrust)
	r := dialRaw(t, ts.addr)
	r.startup()
	r.send(&pgproto3.Query{String: "copy in"})
	if got := r.recv(); got != "CopyInResponse" {
		t.Fatalf("got %s", got)
	}
	r.send(
		&pgproto3.CopyData{Data: []byte("1\ta\n2\t")},
		&pgproto3.Flush{}, &pgproto3.Sync{},
		&pgproto3.CopyData{Data: []byte("b\n")},
		&pgproto3.CopyDone{},
	)
	expect(t, r.untilReady(), "C:COPY 2", "Z:I")
	// Stray COPY messages outside COPY are dropped silently.
	r.send(&pgproto3.CopyData{Data: []byte("x")}, &pgproto3.CopyDone{}, &pgproto3.Query{String: "select 1"})
	expect(t, r.untilReady(), "T:?column?/23/0", "D:1", "C:SELECT 1", "Z:I")
	// Another message during COPY fails it.
	r.send(&pgproto3.Query{String: "copy in"})
	r.recv()
	r.send(&pgproto3.Parse{Query: "select 1"})
	expect(t, r.untilReady(), "E:08P01", "Z:I")
}

func TestRawCopyOut(t *testing.T) {
	ts := startServer(t, AuthTrust)
	r := dialRaw(t, ts.addr)
	r.startup()
	r.send(&pgproto3.Query{String: "copy out"})
	expect(t, r.untilReady(), "CopyOutResponse", "CopyData", "CopyData", "CopyDone", "C:COPY 2", "Z:I")
}

func TestRawMalformedInput(t *testing.T) {
	ts := startServer(t, AuthTrust)
	for name, bytes := range map[string]string{
		"unknown type":   "z\x00\x00\x00\x04",
		"short length":   "Q\x00\x00\x00\x01",
		"huge length":    "Q\x7f\xff\xff\xff",
		"bad bind":       "B\x00\x00\x00\x06\xff\xff",
		"garbage":        "\x00\x01\x02\x03\x04\x05\x06\x07garbage garbage",
		"password after": "p\x00\x00\x00\x08abc\x00",
	} {
		t.Run(name, func(t *testing.T) {
			r := dialRaw(t, ts.addr)
			r.startup()
			r.nc.Write([]byte(bytes))
			got := r.untilReady()
			if len(got) != 2 || got[0] != "E:08P01" || got[1] != "EOF" {
				t.Errorf("got %q", got)
			}
		})
	}
	// The server is still fine.
	r := dialRaw(t, ts.addr)
	r.startup()
}

func startupPacket(code uint32, kv ...string) []byte {
	body := binary.BigEndian.AppendUint32(nil, code)
	for _, s := range kv {
		body = append(append(body, s...), 0)
	}
	if len(kv) > 0 {
		body = append(body, 0)
	}
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body)+4)), body...)
}

func TestRawStartup(t *testing.T) {
	ts := startServer(t, AuthTrust)
	for _, tc := range []struct {
		name   string
		packet []byte
		want   []string
	}{
		{"no user", startupPacket(3<<16, "database", "db"), []string{"E:28000", "EOF"}},
		{"protocol 2", startupPacket(2<<16, "user", "postgres"), []string{"E:0A000", "EOF"}},
		{"protocol 3.2", startupPacket(3<<16|2, "user", "postgres", "_pq_.x", "1"),
			[]string{"NegotiateProtocolVersion", "AuthenticationOk", "Z:I"}},
		{"bad layout", startupPacket(3<<16, "user"), []string{"E:08P01", "EOF"}},
		{"too long", binary.BigEndian.AppendUint32(nil, 1<<20), []string{"E:08P01", "EOF"}},
		{"cancel unknown", startupPacket(cancelRequestCode, "\x00\x00\x00\x01\x00\x00\x00\x02"), []string{"EOF"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := dialRaw(t, ts.addr)
			r.nc.Write(tc.packet)
			expect(t, r.untilReady(), tc.want...)
		})
	}

	// GSSENCRequest then SSLRequest are declined with 'N', then startup.
	r := dialRaw(t, ts.addr)
	var n [1]byte
	for _, code := range []uint32{gssEncRequestCode, sslRequestCode} {
		r.nc.Write(startupPacket(code))
		if _, err := io.ReadFull(r.nc, n[:]); err != nil || n[0] != 'N' {
			t.Fatalf("encryption request answered %q, %v", n[:], err)
		}
	}
	r.startup()
	// A third negotiation round is refused.
	r = dialRaw(t, ts.addr)
	for range 2 {
		r.nc.Write(startupPacket(sslRequestCode))
		io.ReadFull(r.nc, n[:])
	}
	r.nc.Write(startupPacket(sslRequestCode))
	expect(t, r.untilReady(), "E:08P01", "EOF")
}

func TestRawFunctionCallRefused(t *testing.T) {
	ts := startServer(t, AuthTrust)
	r := dialRaw(t, ts.addr)
	r.startup()
	r.send(&pgproto3.FunctionCall{Function: 1})
	expect(t, r.untilReady(), "E:0A000", "Z:I")
}

// TestSCRAMExchangeVector runs RFC 7677's example exchange through the
// server's message parsing and package scram's verifier.
func TestSCRAMExchangeVector(t *testing.T) {
	// RFC 7677 section 3: user "user", password "pencil".
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	v, err := scram.Parse(scram.FormatSecret("pencil", salt, 4096))
	if err != nil {
		t.Fatal(err)
	}
	const (
		clientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
		serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
		clientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
		serverFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
	)
	gs2, bare, nonce, err := parseClientFirst(clientFirst)
	if err != nil || nonce != "rOprNGfwEbeRWgbNEkqO" {
		t.Fatal(nonce, err)
	}
	withoutProof, proof, err := parseClientFinal(clientFinal, gs2, "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
	if err != nil {
		t.Fatal(err)
	}
	authMessage := bare + "," + serverFirst + "," + withoutProof
	if !v.VerifyProof(authMessage, proof) {
		t.Error("RFC 7677 proof rejected")
	}
	if got := "v=" + base64.StdEncoding.EncodeToString(v.ServerSignature(authMessage)); got != serverFinal {
		t.Errorf("server-final %s, want %s", got, serverFinal)
	}
	proof[0] ^= 1
	if v.VerifyProof(authMessage, proof) {
		t.Error("altered proof accepted")
	}
}

func TestSCRAMMessageParsing(t *testing.T) {
	for _, tc := range []struct {
		in, nonce string
		ok        bool
	}{
		{"n,,n=,r=abc", "abc", true},
		{"y,,n=x,r=abc,ext=1", "abc", true},
		{"p=tls-server-end-point,,n=,r=abc", "", false},
		{"n,a=bob,n=,r=abc", "", false},
		{"n,,m=x,n=,r=abc", "", false},
		{"n,,n=,r=", "", false},
		{"n,,r=abc", "", false},
		{"x,,n=,r=abc", "", false},
		{"n", "", false},
	} {
		_, _, nonce, err := parseClientFirst(tc.in)
		if (err == nil) != tc.ok || nonce != tc.nonce {
			t.Errorf("parseClientFirst(%q) = %q, %v", tc.in, nonce, err)
		}
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"c=biws,r=abcdef,p=AAAA", true},
		{"c=eSws,r=abcdef,p=AAAA", false}, // gs2 header mismatch
		{"c=biws,r=abc,p=AAAA", false},    // nonce mismatch
		{"c=biws,r=abcdef", false},        // no proof
		{"c=biws,r=abcdef,p=!!", false},   // bad base64
		{"r=abcdef,c=biws,p=AAAA", false}, // order
	} {
		_, _, err := parseClientFinal(tc.in, "n,,", "abcdef")
		if (err == nil) != tc.ok {
			t.Errorf("parseClientFinal(%q): %v", tc.in, err)
		}
	}
}
