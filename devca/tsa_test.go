package devca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestIssueTimestamping(t *testing.T) {
	now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	ca, err := New(rand.Reader, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueTimestamping(rand.Reader, key.Public(), Subject{CommonName: "kyso TSA", Organization: "Sở Giáo dục và Đào tạo Bến Tre"}, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cert.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("key usage %b, want digitalSignature only", cert.KeyUsage)
	}
	if len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || len(cert.UnknownExtKeyUsage) != 0 {
		t.Errorf("extended key usage %v %v, want timeStamping only", cert.ExtKeyUsage, cert.UnknownExtKeyUsage)
	}
	var critical, found int
	for _, e := range cert.Extensions {
		if e.Id.Equal(oidExtKeyUsage) {
			found++
			if e.Critical {
				critical++
			}
		}
	}
	if found != 1 || critical != 1 {
		t.Errorf("%d extended key usage extensions, %d critical; want one, critical", found, critical)
	}
	if cert.IsCA || !cert.NotBefore.Equal(now.Add(-backdate)) || !cert.NotAfter.Equal(now.Add(SignerValidity)) {
		t.Errorf("CA %v, validity %v to %v", cert.IsCA, cert.NotBefore, cert.NotAfter)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Root)
	inter := x509.NewCertPool()
	inter.AddCert(ca.Issuing)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		t.Errorf("chain for timeStamping: %v", err)
	}
	// It is known to the CA (revocable) like a signer certificate.
	if _, err := ca.Certificate("", cert.SerialNumber); err != nil {
		t.Errorf("issued certificate not recorded: %v", err)
	}
	if _, err := ca.IssueTimestamping(rand.Reader, key.Public(), Subject{}, now, 0); err == nil {
		t.Error("a certificate without a common name was issued")
	}

	// OpenSSL agrees that it is a time-stamping certificate.
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl is required in CI")
		}
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out, err := exec.Command(openssl, "verify", "-purpose", "timestampsign", "-attime", fmt.Sprint(now.Unix()),
		"-CAfile", write("root.pem", CertsPEM(ca.Root)), "-untrusted", write("issuing.pem", CertsPEM(ca.Issuing)),
		write("tsa.pem", CertsPEM(cert))).CombinedOutput()
	if err != nil || !strings.Contains(string(out), ": OK") {
		t.Errorf("openssl verify -purpose timestampsign: %v\n%s", err, out)
	}
}
