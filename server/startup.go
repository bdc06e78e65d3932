package server

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// Startup packet codes (the first int32 after the length), as in
// PostgreSQL's pqcomm.h.
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
	cancelRequestCode = 80877102

	// Startup packets are bounded as in PostgreSQL (MAX_STARTUP_PACKET_LENGTH).
	minStartupPacket = 8
	maxStartupPacket = 10000

	// maxNegotiations bounds SSLRequest/GSSENCRequest rounds before the
	// real startup packet (one of each).
	maxNegotiations = 2
)

// startup handles the startup phase up to the first ReadyForQuery. It
// reports false when the connection must end (cancel request, error).
func (c *conn) startup() bool {
	for round := 0; ; round++ {
		body, err := c.readStartupPacket()
		if err != nil {
			var pe *pgerr.Error
			if errors.As(err, &pe) {
				c.sendError(pe)
			} else {
				c.log.Debug("client went away during startup", "err", err)
			}
			return false
		}
		code := binary.BigEndian.Uint32(body)
		switch {
		case code == sslRequestCode || code == gssEncRequestCode:
			if round >= maxNegotiations {
				c.sendError(fatal(pgerr.New(pgerr.ProtocolViolation, "too many encryption negotiation requests")))
				return false
			}
			// No TLS or GSS encryption: the client continues in plain text.
			c.out = append(c.out, 'N')
			if c.flush() != nil {
				return false
			}
		case code == cancelRequestCode:
			if len(body) == 12 {
				c.srv.cancelRequest(binary.BigEndian.Uint32(body[4:]), body[8:12])
			}
			return false
		case code>>16 == 3:
			return c.startSession(code, body[4:])
		default:
			c.sendError(fatal(pgerr.New(pgerr.FeatureNotSupported,
				"unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", code>>16, code&0xffff)))
			return false
		}
	}
}

// readStartupPacket reads one length-prefixed startup packet and returns
// its body (starting with the code or protocol version).
func (c *conn) readStartupPacket() ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(c.nc, hdr[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:])))
	if n < minStartupPacket || n > maxStartupPacket {
		return nil, fatal(pgerr.New(pgerr.ProtocolViolation, "invalid length of startup packet"))
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(c.nc, body); err != nil {
		return nil, err
	}
	return body, nil
}

// parseStartupParams parses the NUL-terminated name/value pairs of a
// StartupMessage, which end with an empty name.
func parseStartupParams(b []byte) (map[string]string, error) {
	params := map[string]string{}
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return nil, fatal(pgerr.New(pgerr.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte"))
		}
		if i == 0 {
			if len(b) != 1 {
				return nil, fatal(pgerr.New(pgerr.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte"))
			}
			return params, nil
		}
		name := string(b[:i])
		b = b[i+1:]
		j := bytes.IndexByte(b, 0)
		if j < 0 {
			return nil, fatal(pgerr.New(pgerr.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte"))
		}
		params[name] = string(b[:j])
		b = b[j+1:]
	}
}

// startSession parses the StartupMessage, authenticates, opens the engine
// session and sends the ParameterStatus/BackendKeyData/ReadyForQuery
// greeting.
func (c *conn) startSession(version uint32, body []byte) bool {
	params, err := parseStartupParams(body)
	if err != nil {
		c.sendError(err)
		return false
	}
	// Protocol options (_pq_.*) and minor versions above 0 are declined
	// with NegotiateProtocolVersion; the client then speaks plain 3.0.
	var unknownOpts []string
	for k := range params {
		if strings.HasPrefix(k, "_pq_.") {
			unknownOpts = append(unknownOpts, k)
			delete(params, k)
		}
	}
	if version&0xffff != 0 || len(unknownOpts) > 0 {
		c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unknownOpts})
	}

	user := params["user"]
	if user == "" {
		c.sendError(fatal(pgerr.New(pgerr.InvalidAuthorizationSpec, "no PostgreSQL user name specified in startup packet")))
		return false
	}
	db := params["database"]
	if db == "" {
		db = user
	}
	delete(params, "user")
	delete(params, "database")
	c.user = user
	c.log = c.log.With("user", user, "database", db)

	// From here on, frontend messages are read through pgproto3.
	c.be = pgproto3.NewBackend(ioReader{c.nc}, io.Discard)
	c.be.SetMaxBodyLen(c.srv.cfg.MaxMessageSize)

	if err := c.authenticate(user); err != nil {
		c.sendError(err)
		return false
	}
	c.send(&pgproto3.AuthenticationOk{})
	sess, err := c.srv.eng.NewSession(c.ctx, sql.StartupParams{User: user, Database: db, Options: params})
	if err != nil {
		pe, _ := pgerr.As(err)
		cp := *pe
		c.sendError(fatal(&cp))
		return false
	}
	c.sess = sess
	c.srv.register(c)
	if t, ok := sess.(interface{ SetTerminate(func()) }); ok {
		// pg_terminate_backend from another session: drop the
		// connection; the message loop then ends the session.
		nc := c.nc
		t.SetTerminate(func() { nc.Close() })
	}
	for _, kv := range sess.ParameterStatus() {
		c.send(&pgproto3.ParameterStatus{Name: kv[0], Value: kv[1]})
	}
	var key [4]byte
	binary.BigEndian.PutUint32(key[:], c.secret)
	c.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: key[:]})
	c.log.Debug("session started", "pid", c.pid)
	c.readyForQuery()
	return c.werr == nil
}
