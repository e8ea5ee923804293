package revocation

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
)

var now = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

// caServer is a development CA whose certificates point at a real HTTP
// server running its Handler, with a clock the test moves.
type caServer struct {
	ca    *devca.CA
	srv   *httptest.Server
	leaf  *x509.Certificate
	chain []*x509.Certificate // leaf, issuing CA, root

	mu    sync.Mutex
	clock time.Time
	// ocspDown makes /ocsp answer 503, so that checks fall back to CRLs.
	ocspDown atomic.Bool
	// override, when set, answers instead of the CA.
	override atomic.Pointer[http.HandlerFunc]
}

// setHandler makes h answer every request instead of the CA.
func (s *caServer) setHandler(h http.HandlerFunc) { s.override.Store(&h) }

func newCAServer(t testing.TB) *caServer {
	t.Helper()
	s := &caServer{clock: now}
	s.srv = httptest.NewUnstartedServer(nil)
	ca, err := devca.New(rand.Reader, now, devca.Options{URL: "http://" + s.srv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	s.ca = ca
	h := ca.Handler("", s.now)
	s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := s.override.Load(); o != nil {
			(*o)(w, r)
			return
		}
		if s.ocspDown.Load() && strings.HasPrefix(r.URL.Path, "/ocsp") {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	s.leaf = s.issue(t)
	s.chain = []*x509.Certificate{s.leaf, ca.Issuing, ca.Root}
	return s
}

func (s *caServer) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock
}

func (s *caServer) setClock(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = t
}

func (s *caServer) issue(t testing.TB) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: "Nguyễn Văn Nghĩa", Title: "Giám đốc"}, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testPKI is a CA built here with its keys at hand, for responses devca
// never makes (delegated responders, forged signers, odd CRLs).
type testPKI struct {
	root, issuing       *x509.Certificate
	rootKey, issuingKey crypto.Signer
}

func newTestPKI(t testing.TB, name string) *testPKI {
	t.Helper()
	p := &testPKI{}
	p.rootKey = newKey(t)
	p.root = certify(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: name + " Root"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, p.rootKey.Public(), p.rootKey)
	p.issuingKey = newKey(t)
	p.issuing = certify(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: name + " Issuing"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, p.root, p.issuingKey.Public(), p.rootKey)
	return p
}

func newKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var serialCounter atomic.Int64

// certify signs tmpl (valid from a day before now for a year) with key as
// parent, or self-signs it when parent is nil.
func certify(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(1000 + serialCounter.Add(1))
	tmpl.NotBefore = now.Add(-24 * time.Hour)
	tmpl.NotAfter = now.Add(365 * 24 * time.Hour)
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// leaf issues an end-entity certificate pointing at base's /ocsp and
// /crl.
func (p *testPKI) leaf(t testing.TB, base string) *x509.Certificate {
	t.Helper()
	return certify(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "Trần Thị Hoa"}, KeyUsage: x509.KeyUsageDigitalSignature,
		OCSPServer: []string{base + "/ocsp"}, CRLDistributionPoints: []string{base + "/crl"},
	}, p.issuing, newKey(t).Public(), p.issuingKey)
}

// responder issues a delegated OCSP responder certificate under the
// issuing CA (with id-kp-OCSPSigning when eku).
func (p *testPKI) responder(t testing.TB, eku bool) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	k := newKey(t)
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "OCSP responder"}, KeyUsage: x509.KeyUsageDigitalSignature}
	if eku {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}
	return certify(t, tmpl, p.issuing, k.Public(), p.issuingKey), k
}

// staticServer answers every request with whatever body() returns.
type staticServer struct {
	srv  *httptest.Server
	body atomic.Pointer[[]byte]
}

func newStaticServer(t testing.TB) *staticServer {
	s := &staticServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b := s.body.Load(); b != nil {
			w.Write(*b)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *staticServer) set(b []byte) { s.body.Store(&b) }

// allSentinels is every error Check reports.
var allSentinels = []error{ErrRevoked, ErrNoSource, ErrUnavailable, ErrBadResponse, ErrStale, ErrUnknown}

func isSentinel(err error) bool {
	for _, s := range allSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
