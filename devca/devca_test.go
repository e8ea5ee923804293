package devca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var now = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

func TestInitLoadIssue(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	ca, created, err := Init(dir, rand.Reader, now, Options{})
	if err != nil || !created {
		t.Fatalf("Init: created=%v err=%v, want a new CA", created, err)
	}
	again, created, err := Init(dir, rand.Reader, now, Options{})
	if err != nil || created {
		t.Fatalf("second Init: created=%v err=%v, want the existing CA", created, err)
	}
	if !again.Root.Equal(ca.Root) || !again.Issuing.Equal(ca.Issuing) {
		t.Fatal("second Init returned a different CA")
	}
	fi, err := os.Stat(filepath.Join(dir, IssuingKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("issuing key mode: %v %v, want 0600", fi.Mode().Perm(), err)
	}

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf, err := again.IssueSigner(rand.Reader, key.Public(), Subject{CommonName: "Nguyễn Văn Nghĩa", Title: "Giám đốc", Organization: "Sở Giáo dục và Đào tạo Vĩnh Long"}, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if leaf.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("key usage = %v, want digitalSignature|nonRepudiation", leaf.KeyUsage)
	}
	if len(leaf.ExtKeyUsage) != 0 || leaf.IsCA {
		t.Errorf("leaf has EKU %v / IsCA %v, want none / false", leaf.ExtKeyUsage, leaf.IsCA)
	}
	if leaf.Subject.CommonName != "Nguyễn Văn Nghĩa" {
		t.Errorf("CN = %q", leaf.Subject.CommonName)
	}
	roots := x509.NewCertPool()
	roots.AddCert(again.Root)
	inter := x509.NewCertPool()
	inter.AddCert(again.Issuing)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("leaf does not chain to the root: %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load(t.TempDir()); !errors.Is(err, ErrNoCA) {
		t.Fatalf("Load(empty dir) = %v, want ErrNoCA", err)
	}
}

func TestLoadRejectsSwappedKey(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Init(dir, rand.Reader, now, Options{}); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if _, _, err := Init(other, rand.Reader, now, Options{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(other, IssuingKeyFile))
	if err := os.WriteFile(filepath.Join(dir, IssuingKeyFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil {
		t.Fatal("Load accepted an issuing key that does not match its certificate")
	}
}
