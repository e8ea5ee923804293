package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"
)

// Pinned validity for test certificates.
var (
	testNotBefore = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	testNotAfter  = time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)
)

// issue makes a certificate for pub signed by parentKey (self-signed when
// parent is nil).
func issue(t testing.TB, cn string, pub crypto.PublicKey, ca bool, parent *x509.Certificate, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             testNotBefore,
		NotAfter:              testNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
		IsCA:                  ca,
	}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatalf("create certificate %q: %v", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// selfSigned makes a throwaway self-signed certificate for s.
func selfSigned(t testing.TB, s crypto.Signer, cn string) *x509.Certificate {
	t.Helper()
	return issue(t, cn, s.Public(), false, nil, s)
}

func newP256(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testPKI is a root, an intermediate and a leaf.
type testPKI struct {
	root, inter, leaf *x509.Certificate
	leafKey           crypto.Signer
}

func newTestPKI(t testing.TB, leafKey crypto.Signer) *testPKI {
	t.Helper()
	rootKey, interKey := newP256(t), newP256(t)
	root := issue(t, "Test Root", rootKey.Public(), true, nil, rootKey)
	inter := issue(t, "Test Issuing CA", interKey.Public(), true, root, rootKey)
	leaf := issue(t, "Nguyễn Văn A", leafKey.Public(), false, inter, interKey)
	return &testPKI{root: root, inter: inter, leaf: leaf, leafKey: leafKey}
}

// checkSigns signs a SHA-256 digest with s and verifies it with s's public
// key: PKCS #1 v1.5 and PSS for RSA, ASN.1 for ECDSA.
func checkSigns(t testing.TB, s crypto.Signer) {
	t.Helper()
	digest := sha256.Sum256([]byte("Bằng tốt nghiệp THPT T 00516292"))
	switch pub := s.Public().(type) {
	case *rsa.PublicKey:
		sig, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatalf("RSA PKCS #1 v1.5 sign: %v", err)
		}
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			t.Fatalf("RSA PKCS #1 v1.5 verify: %v", err)
		}
		pss := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
		sig, err = s.Sign(rand.Reader, digest[:], pss)
		if err != nil {
			t.Fatalf("RSA PSS sign: %v", err)
		}
		if err := rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, pss); err != nil {
			t.Fatalf("RSA PSS verify: %v", err)
		}
	case *ecdsa.PublicKey:
		sig, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatalf("ECDSA sign: %v", err)
		}
		if !ecdsa.VerifyASN1(pub, digest[:], sig) {
			t.Fatal("ECDSA signature does not verify")
		}
	default:
		t.Fatalf("public key type %T, want RSA or ECDSA", pub)
	}
}

// countingPrompt returns a prompt that answers pin and counts its calls.
func countingPrompt(pin string, calls *int, prompts *[]string) func(string) (string, error) {
	return func(p string) (string, error) {
		*calls++
		if prompts != nil {
			*prompts = append(*prompts, p)
		}
		return pin, nil
	}
}

// assertNoSecret fails when err's message contains any of secrets.
func assertNoSecret(t testing.TB, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error message %q contains a secret", err.Error())
		}
	}
}
