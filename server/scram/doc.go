// Package scram holds SCRAM-SHA-256 password verifiers (RFC 5802, RFC 7677)
// in PostgreSQL's stored form: how a verifier is derived from a password,
// written, parsed, and checked against a client's proof. The catalog uses
// it to store the verifier of CREATE ROLE ... PASSWORD; the server uses it
// to authenticate a connection. The SASL message exchange itself is the
// server's (it is wire protocol).
//
// # Format
//
//	SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
//
// where
//
//	SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations)
//	ClientKey      = HMAC(SaltedPassword, "Client Key")
//	StoredKey      = SHA256(ClientKey)
//	ServerKey      = HMAC(SaltedPassword, "Server Key")
//
// base64 is the standard alphabet with padding. Secret uses PostgreSQL's
// defaults: a random 16-byte salt and 4096 iterations.
//
// # Invariants
//
//   - The password is never stored and cannot be recovered from a
//     verifier: a client proves it knows ClientKey (VerifyProof) and the
//     server proves it knows ServerKey (ServerSignature).
//   - Parse accepts only well-formed verifiers whose keys are SHA-256 sized
//     and whose iteration count is at most MaxIterations, so a stored
//     verifier cannot demand unbounded work; it never panics on garbage.
//   - The package imports nothing of tsgres: it is a leaf.
package scram
