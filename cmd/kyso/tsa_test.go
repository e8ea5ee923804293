package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
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

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/tsa"
)

// tsaServer is a running 'kyso tsa serve'.
type tsaServer struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed when the process has exited
	url    string
	stderr *bytes.Buffer
}

// startTSA starts 'kyso tsa serve' with args on a free port in work and
// waits until it answers.
func startTSA(t *testing.T, work string, env []string, args ...string) *tsaServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(kysoBin, append([]string{"tsa", "serve", "--addr", addr}, args...)...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s := &tsaServer{cmd: cmd, done: done, url: "http://" + addr + "/", stderr: &stderr}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	for i := 0; i < 200; i++ {
		select {
		case <-done:
			t.Fatalf("kyso tsa serve exited early: %v\n%s", cmd.ProcessState, stderr.String())
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("kyso tsa serve does not listen on %s\n%s", addr, stderr.String())
	return nil
}

// stop sends SIGTERM and expects a clean exit.
func (s *tsaServer) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		t.Fatal("kyso tsa serve did not stop within 15 s of SIGTERM")
	}
	if !s.cmd.ProcessState.Success() {
		t.Errorf("kyso tsa serve after SIGTERM: %v, want a clean exit\n%s", s.cmd.ProcessState, s.stderr.String())
	}
}

// TestTSAServeDevCA runs 'kyso tsa serve --dev-ca' as a developer does:
// OpenSSL makes the request and verifies the reply against the CA's root.
func TestTSAServeDevCA(t *testing.T) {
	openssl := testenv.NeedTool(t, "openssl")
	work := t.TempDir()
	if r := kyso(t, work, nil, "ca", "init", "--dir", "ca"); r.code != 0 {
		t.Fatalf("ca init: %d\n%s", r.code, r.stderr)
	}
	srv := startTSA(t, work, nil, "--dev-ca", "ca")

	data := filepath.Join(work, "data.pdf")
	os.WriteFile(data, []byte("%PDF-1.7 học bạ"), 0o600)
	query := filepath.Join(work, "req.tsq")
	testenv.Run(t, openssl, "ts", "-query", "-data", data, "-sha256", "-cert", "-out", query)
	q, _ := os.ReadFile(query)
	resp, err := http.Post(srv.url, tsa.ContentTypeQuery, bytes.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tsa.ContentTypeReply {
		t.Fatalf("POST: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	replyPath := filepath.Join(work, "resp.tsr")
	os.WriteFile(replyPath, reply, 0o600)
	out, err := exec.Command(openssl, "ts", "-verify", "-data", data, "-in", replyPath,
		"-CAfile", filepath.Join(work, "ca", "root.pem"), "-untrusted", filepath.Join(work, "ca", "tsa", "tsa.pem")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s\nserver log:\n%s", err, out, srv.stderr.String())
	}
	if !strings.Contains(srv.stderr.String(), `"pki_status":"granted"`) {
		t.Errorf("the server did not log the granted request:\n%s", srv.stderr.String())
	}

	keyPath := filepath.Join(work, "ca", "tsa", "tsa.key")
	st, err := os.Stat(keyPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("TSA key %v, mode %v; want 0600", err, st.Mode())
	}
	key1, _ := os.ReadFile(keyPath)
	cert1, _ := os.ReadFile(filepath.Join(work, "ca", "tsa", "tsa.pem"))
	srv.stop(t)

	// A second run reuses the key and certificate; kyso's own client
	// accepts its tokens, trusting the CA's root.
	srv = startTSA(t, work, nil, "--dev-ca", "ca")
	key2, _ := os.ReadFile(keyPath)
	cert2, _ := os.ReadFile(filepath.Join(work, "ca", "tsa", "tsa.pem"))
	if !bytes.Equal(key1, key2) || !bytes.Equal(cert1, cert2) {
		t.Error("a second run made a new TSA key or certificate")
	}
	roots := x509.NewCertPool()
	roots.AddCert(readRoot(t, filepath.Join(work, "ca", "root.pem")))
	c := &tsa.Client{URL: srv.url, Roots: roots}
	if _, err := c.Timestamp(context.Background(), []byte("message")); err != nil {
		t.Errorf("kyso's client: %v", err)
	}
	srv.stop(t)
}

// TestTSAServeKeyFile serves with an encrypted key file and a chain given
// with --cert, as an operator does.
func TestTSAServeKeyFile(t *testing.T) {
	work := t.TempDir()
	caDir := filepath.Join(work, "ca")
	ca, _, err := devca.Init(caDir, rand.Reader, time.Now(), devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pemKey, signer, err := hsm.GenerateFileKey(hsm.ECDSAP256, []byte("mật khẩu"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueTimestamping(rand.Reader, signer.Public(), devca.Subject{CommonName: "Sở GD&ĐT Bến Tre TSA"}, time.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(work, "tsa.key"), pemKey, 0o600)
	os.WriteFile(filepath.Join(work, "chain.pem"), devca.CertsPEM(cert, ca.Issuing), 0o644)
	env := []string{"KYSO_TEST_PASS=mật khẩu"}
	srv := startTSA(t, work, env, "--key", "file:tsa.key?pin-source=env:KYSO_TEST_PASS", "--cert", "chain.pem", "--policy", "2.25.42")
	roots := x509.NewCertPool()
	roots.AddCert(ca.Root)
	token, err := (&tsa.Client{URL: srv.url, Roots: roots}).Timestamp(context.Background(), []byte("message"))
	if err != nil {
		t.Fatalf("Timestamp: %v\n%s", err, srv.stderr.String())
	}
	info, err := tsa.ParseToken(token)
	if err != nil || info.Policy.String() != "2.25.42" || !info.Certificate.Equal(cert) {
		t.Errorf("token: %v, policy %v", err, info)
	}
	if strings.Contains(srv.stderr.String(), "mật khẩu") {
		t.Error("the passphrase appears in the log")
	}
	srv.stop(t)

	// A signer certificate (no timeStamping EKU) is refused at start-up.
	signerCert, err := ca.IssueSigner(rand.Reader, signer.Public(), devca.Subject{CommonName: "not a TSA"}, time.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(work, "signer.pem"), devca.CertsPEM(signerCert, ca.Issuing), 0o644)
	r := kyso(t, work, env, "tsa", "serve", "--addr", "127.0.0.1:0", "--key", "file:tsa.key?pin-source=env:KYSO_TEST_PASS", "--cert", "signer.pem")
	if r.code != 1 {
		t.Errorf("signer certificate: exit %d, want 1\n%s", r.code, r.stderr)
	}
}

func TestTSAServeUsage(t *testing.T) {
	work := t.TempDir()
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"tsa"}, 2},
		{[]string{"tsa", "frobnicate"}, 2},
		{[]string{"tsa", "serve"}, 2},
		{[]string{"tsa", "serve", "--dev-ca", "ca", "--policy", "not-an-oid"}, 2},
		{[]string{"tsa", "serve", "--dev-ca", "ca", "--policy", "5.1"}, 2},
		{[]string{"tsa", "serve", "--dev-ca", "ca", "extra"}, 2},
		{[]string{"tsa", "serve", "--dev-ca", "no-such-ca"}, 1},
		{[]string{"tsa", "serve", "--help"}, 0},
		{[]string{"tsa", "--help"}, 0},
	}
	for _, tt := range tests {
		r := kyso(t, work, nil, tt.args...)
		if r.code != tt.code {
			t.Errorf("kyso %v: exit %d, want %d\n%s", tt.args, r.code, tt.code, r.stderr)
		}
		if tt.code == 0 && !strings.Contains(r.stdout, "Usage: kyso tsa serve") {
			t.Errorf("kyso %v: no usage on stdout:\n%s", tt.args, r.stdout)
		}
	}
}
