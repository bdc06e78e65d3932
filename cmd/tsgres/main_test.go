package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	t.Setenv("TSGRES_LISTEN", "0.0.0.0:6000")
	t.Setenv("TSGRES_AUTH", "scram")
	for _, tc := range []struct {
		args               []string
		listen, data, auth string
		wantErr            bool
	}{
		{nil, "0.0.0.0:6000", "./data", "scram", false},
		{[]string{"--listen", "127.0.0.1:7000", "--data", "/tmp/x", "--auth", "trust"}, "127.0.0.1:7000", "/tmp/x", "trust", false},
		{[]string{"--auth", "md5"}, "", "", "", true},
		{[]string{"--log-level", "loud"}, "", "", "", true},
		{[]string{"extra"}, "", "", "", true},
		{[]string{"--nope"}, "", "", "", true},
	} {
		var out, errOut bytes.Buffer
		cfg, err := parseFlags(tc.args, &out, &errOut)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err %v", tc.args, err)
			continue
		}
		if err == nil && (cfg.listen != tc.listen || cfg.dataDir != tc.data || cfg.auth != tc.auth) {
			t.Errorf("%q: got %+v", tc.args, cfg)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"--help"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"--listen", "TSGRES_LISTEN", "--data", "TSGRES_DATA", "--auth", "TSGRES_AUTH", "--log-level", "scram"} {
		if !strings.Contains(strings.ReplaceAll(out.String(), "  -", "  --"), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
}

func TestStartupErrorsExitOne(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out, errOut bytes.Buffer
	code := run([]string{"--listen", ln.Addr().String(), "--data", t.TempDir()}, &out, &errOut)
	if code != 1 || !strings.HasPrefix(errOut.String(), "tsgres: ") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}
