package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/testenv"
)

// testNow is the pinned time of the test PKI and of every verification.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// testCA is one development CA (root P-384, issuing P-256) for the whole
// test binary: building it is cheap, but one is enough.
var testCA = sync.OnceValues(func() (*devca.CA, error) {
	return devca.New(rand.Reader, testNow.Add(-24*time.Hour), devca.Options{Organization: "kyso cms test"})
})

// Keys are expensive (RSA) and reused across tests.
var (
	rsa2048Key = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	rsa3072Key = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 3072) })
)

func mustRSA(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	gen := rsa2048Key
	if bits == 3072 {
		gen = rsa3072Key
	}
	k, err := gen()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustECDSA(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// chainFor issues a signer certificate for pub from the test CA and
// returns leaf, issuing CA, root.
func chainFor(t testing.TB, pub crypto.PublicKey, cn string) []*x509.Certificate {
	t.Helper()
	ca, err := testCA()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner(rand.Reader, pub, devca.Subject{CommonName: cn, Organization: "Trường THPT Nguyễn Du"}, testNow.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	return append([]*x509.Certificate{leaf}, ca.Chain()...)
}

func devcaSubject(cn string) devca.Subject {
	return devca.Subject{CommonName: cn, Organization: "Sở Giáo dục và Đào tạo Bến Tre"}
}

// countingSigner counts calls to Sign.
type countingSigner struct {
	crypto.Signer
	calls atomic.Int32
}

func (c *countingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.calls.Add(1)
	return c.Signer.Sign(r, digest, opts)
}

// digestOf hashes data with h (SHA-256 when 0).
func digestOf(h crypto.Hash, data []byte) []byte {
	if h == 0 {
		h = crypto.SHA256
	}
	d := h.New()
	d.Write(data)
	return d.Sum(nil)
}

func writePEM(t testing.TB, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, devca.CertsPEM(certs...), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeKeyPEM(t testing.TB, dir, name string, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// opensslVerify runs openssl cms -verify on a DER SignedData, with the
// content file for a detached signature (content nil: encapsulated),
// trusting root, at testNow. It returns openssl's error, nil on success.
func opensslVerify(t testing.TB, signed, content []byte, root *x509.Certificate) error {
	t.Helper()
	openssl := testenv.NeedTool(t, "openssl")
	dir := t.TempDir()
	sig := filepath.Join(dir, "sig.der")
	if err := os.WriteFile(sig, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
		"-CAfile", writePEM(t, dir, "root.pem", root), "-purpose", "any",
		"-attime", fmt.Sprint(testNow.Unix()), "-out", filepath.Join(dir, "out")}
	if content != nil {
		data := filepath.Join(dir, "content")
		if err := os.WriteFile(data, content, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-content", data)
	}
	out, err := exec.Command(openssl, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if !strings.Contains(string(out), "Verification successful") {
		return fmt.Errorf("openssl cms -verify said %q", out)
	}
	return nil
}
