package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/tsgres/tsgres/server/scram"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// scramNonceLen is the number of random bytes in the server's part of the
// SCRAM nonce (PostgreSQL's SCRAM_RAW_NONCE_LEN).
const scramNonceLen = 18

// authenticate runs the configured authentication method for user. It
// returns a FATAL *pgerr.Error on failure; AuthenticationOk is the
// caller's to send.
func (c *conn) authenticate(user string) error {
	secret, canLogin, ok := c.srv.eng.RoleSecret(user)
	if c.srv.cfg.Auth == AuthSCRAM {
		v, err := scram.Parse(secret)
		mock := !ok || err != nil
		if mock {
			if ok && secret != "" {
				c.log.Warn("role has an unusable password secret", "err", err)
			}
			v = scram.Mock()
		}
		if err := c.scramExchange(v); err != nil {
			return err
		}
		if mock {
			return passwordFailed(user)
		}
	}
	// Unknown roles under trust are reported by Engine.NewSession (28000).
	if ok && !canLogin {
		return fatal(pgerr.New(pgerr.InvalidAuthorizationSpec, "role %q is not permitted to log in", user))
	}
	return nil
}

// authReceiveError reports a failed read during authentication: shutdown,
// a client that went away (psql does so to prompt for a password), or a
// malformed message.
func (c *conn) authReceiveError(err error) error {
	if c.srv.ctx.Err() != nil {
		return shutdownError()
	}
	var ioe ioError
	if errors.As(err, &ioe) {
		c.closing = true
		return fatal(pgerr.New(connectionFailure, "client went away during authentication"))
	}
	return fatal(pgerr.New(pgerr.ProtocolViolation, "expected SASL response: %v", err))
}

func passwordFailed(user string) error {
	return fatal(pgerr.New(pgerr.InvalidPassword, "password authentication failed for user %q", user))
}

func malformedSCRAM(detail string) error {
	return fatal(pgerr.New(pgerr.ProtocolViolation, "malformed SCRAM message").WithDetail("%s", detail))
}

// scramExchange runs the SASL SCRAM-SHA-256 exchange against v. A client
// proof that does not match is reported as 28P01; malformed messages as
// 08P01. Channel binding is not offered.
func (c *conn) scramExchange(v *scram.Verifier) error {
	c.send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{scram.Mechanism}})
	if err := c.flush(); err != nil {
		return err
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeSASL); err != nil {
		return err
	}
	msg, err := c.be.Receive()
	if err != nil {
		return c.authReceiveError(err)
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return fatal(pgerr.New(pgerr.ProtocolViolation, "expected SASL response, got %T", msg))
	}
	if init.AuthMechanism != scram.Mechanism {
		return fatal(pgerr.New(pgerr.ProtocolViolation, "client selected an invalid SASL authentication mechanism"))
	}
	gs2Header, clientFirstBare, clientNonce, err := parseClientFirst(string(init.Data))
	if err != nil {
		return err
	}

	var raw [scramNonceLen]byte
	rand.Read(raw[:])
	nonce := clientNonce + base64.StdEncoding.EncodeToString(raw[:])
	serverFirst := "r=" + nonce + ",s=" + base64.StdEncoding.EncodeToString(v.Salt) + ",i=" + strconv.Itoa(v.Iterations)
	c.send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	if err := c.flush(); err != nil {
		return err
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeSASLContinue); err != nil {
		return err
	}
	msg, err = c.be.Receive()
	if err != nil {
		return c.authReceiveError(err)
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return fatal(pgerr.New(pgerr.ProtocolViolation, "expected SASL response, got %T", msg))
	}
	withoutProof, proof, err := parseClientFinal(string(resp.Data), gs2Header, nonce)
	if err != nil {
		return err
	}
	authMessage := clientFirstBare + "," + serverFirst + "," + withoutProof
	if !v.VerifyProof(authMessage, proof) {
		return passwordFailed(c.user)
	}
	final := "v=" + base64.StdEncoding.EncodeToString(v.ServerSignature(authMessage))
	c.send(&pgproto3.AuthenticationSASLFinal{Data: []byte(final)})
	return nil
}

// parseClientFirst splits a client-first-message (RFC 5802 section 7):
//
//	gs2-cbind-flag "," [authzid] "," ["m=" ext ","] "n=" user "," "r=" nonce ["," ext]*
//
// Only "n" and "y" flags are accepted (no channel binding is offered) and
// no authorization identity. The user name is ignored: PostgreSQL takes
// the user from the startup packet.
func parseClientFirst(s string) (gs2Header, bare, nonce string, err error) {
	flag, rest, ok := strings.Cut(s, ",")
	if !ok {
		return "", "", "", malformedSCRAM("Comma expected after channel binding flag.")
	}
	switch {
	case flag == "n" || flag == "y":
	case strings.HasPrefix(flag, "p="):
		return "", "", "", malformedSCRAM("The client selected SCRAM-SHA-256-PLUS channel binding, which is not supported.")
	default:
		return "", "", "", malformedSCRAM("Unexpected channel-binding flag.")
	}
	authzid, bare, ok := strings.Cut(rest, ",")
	if !ok {
		return "", "", "", malformedSCRAM("Comma expected after authorization identity.")
	}
	if authzid != "" {
		return "", "", "", fatal(pgerr.New(pgerr.FeatureNotSupported, "client uses authorization identity, but it is not supported"))
	}
	gs2Header = flag + "," + authzid + ","
	attrs := strings.Split(bare, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "n=") {
		if len(attrs) > 0 && strings.HasPrefix(attrs[0], "m=") {
			return "", "", "", fatal(pgerr.New(pgerr.FeatureNotSupported, "client requires an unsupported SCRAM extension"))
		}
		return "", "", "", malformedSCRAM("Expected attribute \"n\".")
	}
	if !strings.HasPrefix(attrs[1], "r=") {
		return "", "", "", malformedSCRAM("Expected attribute \"r\".")
	}
	nonce = attrs[1][2:]
	if nonce == "" || !printableNonce(nonce) {
		return "", "", "", malformedSCRAM("Invalid client nonce.")
	}
	return gs2Header, bare, nonce, nil
}

// printableNonce reports whether n holds only printable ASCII other than
// ',' (RFC 5802's "printable").
func printableNonce(n string) bool {
	for i := 0; i < len(n); i++ {
		if n[i] < 0x21 || n[i] > 0x7e || n[i] == ',' {
			return false
		}
	}
	return true
}

// parseClientFinal checks a client-final-message
//
//	"c=" base64(gs2-header) "," "r=" nonce ["," ext]* "," "p=" base64(proof)
//
// and returns the message without its proof (part of AuthMessage) and the
// decoded proof.
func parseClientFinal(s, gs2Header, nonce string) (withoutProof string, proof []byte, err error) {
	i := strings.LastIndex(s, ",p=")
	if i < 0 {
		return "", nil, malformedSCRAM("Could not find proof in client-final-message.")
	}
	withoutProof = s[:i]
	proof, err = base64.StdEncoding.DecodeString(s[i+3:])
	if err != nil {
		return "", nil, malformedSCRAM("Malformed proof in client-final-message.")
	}
	attrs := strings.Split(withoutProof, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "c=") || !strings.HasPrefix(attrs[1], "r=") {
		return "", nil, malformedSCRAM("Expected attributes \"c\" and \"r\".")
	}
	cbind, err := base64.StdEncoding.DecodeString(attrs[0][2:])
	if err != nil || string(cbind) != gs2Header {
		return "", nil, malformedSCRAM("SCRAM channel binding check failed.")
	}
	if attrs[1][2:] != nonce {
		return "", nil, malformedSCRAM("Nonce does not match.")
	}
	return withoutProof, proof, nil
}
