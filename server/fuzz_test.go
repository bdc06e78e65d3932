package server

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func encodeAll(msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			panic(err)
		}
	}
	return b
}

// FuzzServerMessages feeds arbitrary bytes to a connection after a valid
// startup. The server must neither panic (recovered panics are logged as
// "BUG: panic", which fails the target) nor hang.
func FuzzServerMessages(f *testing.F) {
	f.Add(encodeAll(&pgproto3.Query{String: "select 1"}))
	f.Add(encodeAll(&pgproto3.Query{String: "select types; bad"}, &pgproto3.Terminate{}))
	f.Add(encodeAll(
		&pgproto3.Parse{Query: "select gen $1"},
		&pgproto3.Bind{Parameters: [][]byte{[]byte("3")}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: 1},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	))
	f.Add(encodeAll(&pgproto3.Query{String: "copy in"}, &pgproto3.CopyData{Data: []byte("1\t2\n")}, &pgproto3.CopyDone{}))
	f.Add(encodeAll(&pgproto3.Query{String: "copy in binary"}, &pgproto3.CopyData{Data: []byte("PGCOPY\n\xff\r\n\x00")}, &pgproto3.CopyFail{Message: "x"}))
	f.Add(encodeAll(&pgproto3.Query{String: "copy out"}, &pgproto3.Sync{}))
	f.Add([]byte("Q\x00\x00\x00\x05\x00garbage"))

	startup := encodeAll(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "postgres"}})
	f.Fuzz(func(t *testing.T, data []byte) {
		logs := &syncBuffer{}
		s := New(Config{Logger: slog.New(slog.NewTextHandler(logs, nil)), MaxMessageSize: 1 << 20}, newFakeEngine())
		client, server := net.Pipe()
		if !s.startConn(pipeConn{server}) {
			t.Fatal("server closed")
		}
		drained := make(chan struct{})
		go func() {
			io.Copy(io.Discard, client)
			close(drained)
		}()
		client.Write(startup)
		client.Write(data)
		client.Close()
		s.wg.Wait()
		<-drained
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "BUG: panic") && !strings.Contains(line, "boom") {
				t.Fatalf("server panicked: %s", line)
			}
		}
	})
}

// pipeConn gives net.Pipe's end a TCP-like remote address for logging.
type pipeConn struct{ net.Conn }

func (pipeConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
