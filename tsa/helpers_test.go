package tsa

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
)

// testNow is the pinned time of the test PKI and of the authority's clock.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func testClock() time.Time { return testNow }

// testPolicy is a policy OID under the UUID arc (X.667), for tests.
var testPolicy = asn1.ObjectIdentifier{2, 25, 7, 7, 7}

var rsaTSAKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// testPKI is a development CA and a time-stamping key certified by it.
type testPKI struct {
	ca    *devca.CA
	key   crypto.Signer
	chain []*x509.Certificate // TSA certificate, issuing CA, root
}

func (p *testPKI) root() *x509.Certificate { return p.chain[2] }

func (p *testPKI) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.root())
	return pool
}

// newPKI makes a CA and a TSA key of the given kind: "p256", "p384",
// "p521" or "rsa".
func newPKI(t testing.TB, kind string) *testPKI {
	t.Helper()
	return newPKIAt(t, kind, testNow)
}

// newPKIAt is newPKI with certificates valid from shortly before at.
func newPKIAt(t testing.TB, kind string, at time.Time) *testPKI {
	t.Helper()
	ca, err := devca.New(rand.Reader, at.Add(-24*time.Hour), devca.Options{Organization: "kyso tsa test"})
	if err != nil {
		t.Fatal(err)
	}
	var key crypto.Signer
	switch kind {
	case "rsa":
		key, err = rsaTSAKey()
	case "p384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "p521":
		key, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	default:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueTimestamping(rand.Reader, key.Public(), devca.Subject{CommonName: "kyso TSA " + kind, Organization: "Sở Giáo dục và Đào tạo Bến Tre"}, at.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	return &testPKI{ca: ca, key: key, chain: append([]*x509.Certificate{cert}, ca.Chain()...)}
}

func (p *testPKI) authority(t testing.TB) *Authority {
	t.Helper()
	a, err := NewAuthority(p.key, p.chain, testPolicy, testClock, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// serve runs h on a real HTTP server for the test.
func serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func keyPEM(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
