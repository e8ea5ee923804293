package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/internal/testenv"
)

// TestCAServeRevoke runs the development CA's revocation service as a user
// does — kyso ca init --url, kyso keys new, kyso ca serve, kyso ca revoke —
// and checks what it serves with OpenSSL.
func TestCAServeRevoke(t *testing.T) {
	openssl := testenv.NeedTool(t, "openssl")
	work := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr

	r := kyso(t, work, nil, "ca", "init", "--dir", "ca", "--url", base)
	if r.code != 0 || !strings.Contains(r.stdout, "url: "+base) {
		t.Fatalf("ca init --url: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := kyso(t, work, nil, "ca", "init", "--dir", "ca", "--url", "http://127.0.0.1:1"); r.code != 1 {
		t.Errorf("ca init with another URL: exit %d, want 1\n%s", r.code, r.stderr)
	}
	env := []string{"KYSO_TEST_PASS=pass"}
	if r := kyso(t, work, env, "keys", "new", "--ca", "ca", "--key", "file:k.key?pin-source=env:KYSO_TEST_PASS", "--name", "Lê Hoàng Phúc", "--algo", "p256", "--cert-out", "director.pem"); r.code != 0 {
		t.Fatalf("keys new: exit %d\n%s", r.code, r.stderr)
	}
	certs, err := readCerts(filepath.Join(work, "director.pem"))
	if err != nil {
		t.Fatal(err)
	}
	leaf := certs[0]
	if len(leaf.OCSPServer) != 1 || leaf.OCSPServer[0] != base+"/ocsp" {
		t.Fatalf("certificate OCSP URL %q, want %s/ocsp", leaf.OCSPServer, base)
	}

	cmd := exec.Command(kysoBin, "ca", "serve", "--dir", "ca", "--addr", addr)
	cmd.Dir = work
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	get := func(path string) []byte {
		t.Helper()
		var resp *http.Response
		var err error
		for i := 0; i < 100; i++ {
			if resp, err = http.Get(base + path); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, stderr.String())
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return body
	}
	get("/ca/root.cer")

	ca := filepath.Join(work, "ca")
	bundle := filepath.Join(work, "bundle.pem")
	issuingPEM, _ := os.ReadFile(filepath.Join(ca, "issuing.pem"))
	rootPEM, _ := os.ReadFile(filepath.Join(ca, "root.pem"))
	os.WriteFile(bundle, append(issuingPEM, rootPEM...), 0o644)
	leafPEM := filepath.Join(work, "director.pem")
	ocspStatus := func() string {
		t.Helper()
		out, err := exec.Command(openssl, "ocsp", "-issuer", filepath.Join(ca, "issuing.pem"), "-cert", leafPEM, "-url", base+"/ocsp", "-CAfile", filepath.Join(ca, "root.pem")).CombinedOutput()
		if err != nil {
			t.Errorf("openssl ocsp: %v", err)
		}
		return string(out)
	}
	fetchCRLs := func() []string {
		t.Helper()
		var args []string
		for _, name := range []string{"issuing", "root"} {
			p := filepath.Join(work, name+".crl")
			os.WriteFile(p, get("/crl/"+name+".crl"), 0o644)
			testenv.Run(t, openssl, "crl", "-inform", "DER", "-in", p, "-noout", "-verify", "-CAfile", bundle)
			args = append(args, "-CRLfile", p)
		}
		return args
	}
	opensslVerify := func(crls []string) string {
		args := append([]string{"verify", "-crl_check_all", "-CAfile", filepath.Join(ca, "root.pem"), "-untrusted", filepath.Join(ca, "issuing.pem")}, crls...)
		out, _ := exec.Command(openssl, append(args, leafPEM)...).CombinedOutput()
		return string(out)
	}

	// OpenSSL sends a nonce and warns when the response lacks it.
	if out := ocspStatus(); !strings.Contains(out, leafPEM+": good") || !strings.Contains(out, "Response verify OK") || strings.Contains(out, "WARNING") {
		t.Errorf("openssl ocsp before revocation:\n%s", out)
	}
	if out := opensslVerify(fetchCRLs()); !strings.Contains(out, ": OK") {
		t.Errorf("openssl verify -crl_check_all before revocation:\n%s", out)
	}

	serial := fmt.Sprintf("%X", leaf.SerialNumber)
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"--serial", serial}, 2},                                      // no reason
		{[]string{"--serial", serial, "--reason", "certificateHold"}, 2},       // unsupported
		{[]string{"--serial", "zz", "--reason", "keyCompromise"}, 2},           // not hex
		{[]string{"--serial", "0A0B0C", "--reason", "keyCompromise"}, 1},       // never issued
		{[]string{"--serial", colons(serial), "--reason", "keyCompromise"}, 0}, // as openssl -text prints it
		{[]string{"--serial", serial, "--reason", "superseded"}, 1},            // twice
	} {
		r := kyso(t, work, nil, append([]string{"ca", "revoke", "--dir", "ca"}, tt.args...)...)
		if r.code != tt.code {
			t.Errorf("ca revoke %v: exit %d, want %d\n%s%s", tt.args, r.code, tt.code, r.stdout, r.stderr)
		}
	}

	if out := ocspStatus(); !strings.Contains(out, leafPEM+": revoked") || !strings.Contains(out, "Reason: keyCompromise") {
		t.Errorf("openssl ocsp after revocation:\n%s", out)
	}
	if out := opensslVerify(fetchCRLs()); !strings.Contains(out, "certificate revoked") {
		t.Errorf("openssl verify -crl_check_all after revocation:\n%s", out)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ca serve after SIGTERM: %v, want a clean exit\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Error("ca serve did not stop within 15 s of SIGTERM")
	}
	if !strings.Contains(stderr.String(), `"path":"/ocsp"`) {
		t.Errorf("ca serve did not log its requests:\n%s", stderr.String())
	}
}

func colons(hex string) string {
	var parts []string
	for i := 0; i < len(hex); i += 2 {
		parts = append(parts, hex[i:min(i+2, len(hex))])
	}
	return strings.Join(parts, ":")
}

func TestCAHelp(t *testing.T) {
	for _, sub := range []string{"init", "serve", "revoke"} {
		r := kyso(t, t.TempDir(), nil, "ca", sub, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: kyso ca "+sub) {
			t.Errorf("kyso ca %s --help: exit %d\n%s", sub, r.code, r.stdout)
		}
	}
	if r := kyso(t, t.TempDir(), nil, "ca", "frobnicate"); r.code != 2 {
		t.Errorf("kyso ca frobnicate: exit %d, want 2", r.code)
	}
	if r := kyso(t, t.TempDir(), nil, "ca", "serve", "--dir", "missing"); r.code != 1 {
		t.Errorf("kyso ca serve without a CA: exit %d, want 1", r.code)
	}
}
