package catalog

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// SCRAM-SHA-256 verifier parameters, as PostgreSQL's defaults.
const (
	scramIterations = 4096
	scramSaltLen    = 16
)

// SCRAMSecret builds the stored SCRAM-SHA-256 verifier of a password in
// PostgreSQL's "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>" form.
func SCRAMSecret(password string) string {
	salt := make([]byte, scramSaltLen)
	rand.Read(salt)
	return FormatSCRAMSecret(password, salt, scramIterations)
}

// FormatSCRAMSecret builds a verifier with a given salt and iteration count.
func FormatSCRAMSecret(password string, salt []byte, iter int) string {
	stored, server := SCRAMKeys(password, salt, iter)
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iter, b64(salt), b64(stored), b64(server))
}

// SCRAMKeys derives StoredKey and ServerKey from a password.
func SCRAMKeys(password string, salt []byte, iter int) (storedKey, serverKey []byte) {
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
