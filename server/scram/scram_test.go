package scram

import (
	"encoding/base64"
	"testing"
)

// TestVerifierVector checks the key derivation and proof check against
// RFC 7677 section 3 (user "user", password "pencil").
func TestVerifierVector(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	v, err := Parse(FormatSecret("pencil", salt, 4096))
	if err != nil {
		t.Fatal(err)
	}
	const authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO," +
		"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096," +
		"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	proof, _ := base64.StdEncoding.DecodeString("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	if !v.VerifyProof(authMessage, proof) {
		t.Error("RFC 7677 proof rejected")
	}
	if got := base64.StdEncoding.EncodeToString(v.ServerSignature(authMessage)); got != "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Errorf("server signature %s", got)
	}
	proof[0] ^= 1
	if v.VerifyProof(authMessage, proof) {
		t.Error("altered proof accepted")
	}
	if v.VerifyProof(authMessage, proof[:5]) {
		t.Error("short proof accepted")
	}
}

func TestSecretFormat(t *testing.T) {
	s1, s2 := Secret("x"), Secret("x")
	if s1 == s2 {
		t.Error("Secret does not salt randomly")
	}
	v, err := Parse(s1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Iterations != Iterations || len(v.Salt) != SaltLen {
		t.Errorf("secret %s: %d iterations, %d-byte salt", s1, v.Iterations, len(v.Salt))
	}
	for _, bad := range []string{"", "md5abc", "SCRAM-SHA-256$x:AA==$AA==:AA==", "SCRAM-SHA-256$4096:AA==$AA==:AA==", "SCRAM-SHA-256$4096:AA==",
		"SCRAM-SHA-256$0:AA==$AA==:AA==", "SCRAM-SHA-256$99999999:AA==$AA==:AA=="} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
	if m := Mock(); len(m.StoredKey) != 32 || len(m.ServerKey) != 32 || m.Iterations != Iterations {
		t.Errorf("mock verifier %+v", m)
	}
}
