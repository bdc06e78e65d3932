package scram

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Mechanism is the SASL mechanism name, also the prefix of every verifier.
const Mechanism = "SCRAM-SHA-256"

const (
	// Iterations and SaltLen are PostgreSQL's defaults for new verifiers
	// (scram_iterations, SCRAM_DEFAULT_SALT_LEN).
	Iterations = 4096
	SaltLen    = 16
	// MaxIterations bounds the work a stored verifier can demand.
	MaxIterations = 1 << 24
)

// Verifier is a parsed stored secret: what the server needs to check a
// client's proof and to prove itself in return.
type Verifier struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
}

// Secret returns a verifier for password in PostgreSQL's stored format,
// with a random SaltLen-byte salt and Iterations iterations. The password
// is used as given (PostgreSQL additionally applies SASLprep, which
// changes only non-ASCII passwords).
func Secret(password string) string {
	salt := make([]byte, SaltLen)
	rand.Read(salt)
	return FormatSecret(password, salt, Iterations)
}

// FormatSecret returns the verifier of password with a given salt and
// iteration count (iter >= 1).
func FormatSecret(password string, salt []byte, iter int) string {
	stored, server := Keys(password, salt, iter)
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("%s$%d:%s$%s:%s", Mechanism, iter, b64(salt), b64(stored), b64(server))
}

// Keys derives StoredKey and ServerKey from a password (see doc.go).
func Keys(password string, salt []byte, iter int) (storedKey, serverKey []byte) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	if err != nil {
		// Only invalid parameters (iter < 1, FIPS limits) fail; callers
		// pass validated values.
		panic(fmt.Sprintf("BUG: pbkdf2: %v", err))
	}
	clientKey := hmacSHA256(salted, "Client Key")
	sum := sha256.Sum256(clientKey)
	return sum[:], hmacSHA256(salted, "Server Key")
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// Parse parses a stored verifier, returning an error for anything that is
// not a well-formed SCRAM-SHA-256 verifier.
func Parse(s string) (*Verifier, error) {
	mech, rest, ok := strings.Cut(s, "$")
	if !ok || mech != Mechanism {
		return nil, fmt.Errorf("not a %s secret", Mechanism)
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, fmt.Errorf("malformed %s secret", Mechanism)
	}
	iterS, saltS, ok1 := strings.Cut(params, ":")
	storedS, serverS, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("malformed %s secret", Mechanism)
	}
	iter, err := strconv.Atoi(iterS)
	if err != nil || iter < 1 || iter > MaxIterations {
		return nil, fmt.Errorf("bad iteration count %q in %s secret", iterS, Mechanism)
	}
	v := &Verifier{Iterations: iter}
	dec := base64.StdEncoding.DecodeString
	if v.Salt, err = dec(saltS); err != nil {
		return nil, fmt.Errorf("bad salt in %s secret: %w", Mechanism, err)
	}
	if v.StoredKey, err = dec(storedS); err != nil || len(v.StoredKey) != sha256.Size {
		return nil, fmt.Errorf("bad stored key in %s secret", Mechanism)
	}
	if v.ServerKey, err = dec(serverS); err != nil || len(v.ServerKey) != sha256.Size {
		return nil, fmt.Errorf("bad server key in %s secret", Mechanism)
	}
	return v, nil
}

// Mock returns a random verifier no password matches. The server runs a
// full exchange against it for unknown roles and roles without a
// password, so that a client cannot tell them apart from a wrong password.
func Mock() *Verifier {
	v := &Verifier{
		Iterations: Iterations,
		Salt:       make([]byte, SaltLen),
		StoredKey:  make([]byte, sha256.Size),
		ServerKey:  make([]byte, sha256.Size),
	}
	rand.Read(v.Salt)
	rand.Read(v.StoredKey)
	rand.Read(v.ServerKey)
	return v
}

// VerifyProof checks a client proof against the stored key:
// SHA256(proof XOR HMAC(StoredKey, authMessage)) == StoredKey.
func (v *Verifier) VerifyProof(authMessage string, proof []byte) bool {
	if len(proof) != sha256.Size {
		return false
	}
	sig := hmacSHA256(v.StoredKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for i := range clientKey {
		clientKey[i] = proof[i] ^ sig[i]
	}
	sum := sha256.Sum256(clientKey)
	return hmac.Equal(sum[:], v.StoredKey)
}

// ServerSignature is HMAC(ServerKey, authMessage), which the server sends
// in its final message to prove it knows the verifier.
func (v *Verifier) ServerSignature(authMessage string) []byte {
	return hmacSHA256(v.ServerKey, authMessage)
}
