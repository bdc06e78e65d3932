package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"github.com/tsgres/tsgres/catalog"
	"strconv"
	"strings"
)

// SCRAM-SHA-256 verifiers (RFC 5802, RFC 7677) in PostgreSQL's stored form:
//
//	SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
//
// where SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations),
// ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey =
// SHA256(ClientKey) and ServerKey = HMAC(SaltedPassword, "Server Key").
// The server never learns the password: a client proves it knows ClientKey
// and the server proves it knows ServerKey.

const (
	scramMechanism = "SCRAM-SHA-256"
	// scramIterations and scramSaltLen are PostgreSQL's defaults
	// (scram_iterations, SCRAM_DEFAULT_SALT_LEN).
	scramIterations = 4096
	scramSaltLen    = 16
	// scramNonceLen is the number of random bytes in the server's part
	// of the nonce (PostgreSQL's SCRAM_RAW_NONCE_LEN).
	scramNonceLen = 18
	// scramMaxIterations bounds the work a stored verifier can demand.
	scramMaxIterations = 1 << 24
)

// scramVerifier is a parsed stored secret.
type scramVerifier struct {
	iter      int
	salt      []byte
	storedKey []byte
	serverKey []byte
}

// SCRAMSecret returns a SCRAM-SHA-256 verifier for password in
// PostgreSQL's stored format, with a random 16-byte salt and 4096
// iterations. The engine stores it for CREATE ROLE ... PASSWORD and hands
// it back through Engine.RoleSecret. The password is used as given
// (PostgreSQL additionally applies SASLprep, which changes only
// non-ASCII passwords).
func SCRAMSecret(password string) string { return catalog.SCRAMSecret(password) }

func formatSCRAMSecret(password string, salt []byte, iter int) string {
	return catalog.FormatSCRAMSecret(password, salt, iter)
}

// scramKeys derives StoredKey and ServerKey from a password.
func scramKeys(password string, salt []byte, iter int) (storedKey, serverKey []byte) {
	return catalog.SCRAMKeys(password, salt, iter)
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// parseSCRAMSecret parses a stored verifier.
func parseSCRAMSecret(s string) (*scramVerifier, error) {
	mech, rest, ok := strings.Cut(s, "$")
	if !ok || mech != scramMechanism {
		return nil, fmt.Errorf("not a %s secret", scramMechanism)
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, fmt.Errorf("malformed %s secret", scramMechanism)
	}
	iterS, saltS, ok1 := strings.Cut(params, ":")
	storedS, serverS, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("malformed %s secret", scramMechanism)
	}
	iter, err := strconv.Atoi(iterS)
	if err != nil || iter < 1 || iter > scramMaxIterations {
		return nil, fmt.Errorf("bad iteration count %q in %s secret", iterS, scramMechanism)
	}
	v := &scramVerifier{iter: iter}
	dec := base64.StdEncoding.DecodeString
	if v.salt, err = dec(saltS); err != nil {
		return nil, fmt.Errorf("bad salt in %s secret: %w", scramMechanism, err)
	}
	if v.storedKey, err = dec(storedS); err != nil || len(v.storedKey) != sha256.Size {
		return nil, fmt.Errorf("bad stored key in %s secret", scramMechanism)
	}
	if v.serverKey, err = dec(serverS); err != nil || len(v.serverKey) != sha256.Size {
		return nil, fmt.Errorf("bad server key in %s secret", scramMechanism)
	}
	return v, nil
}

// mockSCRAMVerifier returns a verifier no password matches, used to run a
// full exchange for unknown roles and roles without a password so that a
// client cannot tell them apart from a wrong password.
func mockSCRAMVerifier() *scramVerifier {
	v := &scramVerifier{
		iter:      scramIterations,
		salt:      make([]byte, scramSaltLen),
		storedKey: make([]byte, sha256.Size),
		serverKey: make([]byte, sha256.Size),
	}
	rand.Read(v.salt)
	rand.Read(v.storedKey)
	rand.Read(v.serverKey)
	return v
}

// verifyProof checks a client proof against the stored key:
// SHA256(proof XOR HMAC(StoredKey, authMessage)) == StoredKey.
func (v *scramVerifier) verifyProof(authMessage string, proof []byte) bool {
	if len(proof) != sha256.Size {
		return false
	}
	sig := hmacSHA256(v.storedKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for i := range clientKey {
		clientKey[i] = proof[i] ^ sig[i]
	}
	sum := sha256.Sum256(clientKey)
	return hmac.Equal(sum[:], v.storedKey)
}

// serverSignature is HMAC(ServerKey, authMessage), sent in server-final.
func (v *scramVerifier) serverSignature(authMessage string) []byte {
	return hmacSHA256(v.serverKey, authMessage)
}
