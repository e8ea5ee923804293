package revocation

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/kyso-vn/kyso/devca"
)

func TestCheckGood(t *testing.T) {
	s := newCAServer(t)
	var f Fetcher
	d, err := f.Check(context.Background(), s.chain, now)
	if err != nil {
		t.Fatal(err)
	}
	// The leaf by OCSP, the issuing CA (which names no responder) by the
	// root's CRL.
	if len(d.OCSP) != 1 || len(d.CRL) != 1 {
		t.Fatalf("Data has %d OCSP and %d CRL, want 1 and 1", len(d.OCSP), len(d.CRL))
	}
	r, err := ocsp.ParseResponseForCert(d.OCSP[0], s.leaf, s.ca.Issuing)
	if err != nil || r.Status != ocsp.Good {
		t.Errorf("embedded OCSP response: %v, want good for the leaf", err)
	}
	crl, err := x509.ParseRevocationList(d.CRL[0])
	if err != nil || crl.CheckSignatureFrom(s.ca.Root) != nil {
		t.Errorf("embedded CRL: %v, want the root's", err)
	}
}

func TestCheckViaCRL(t *testing.T) {
	s := newCAServer(t)
	s.ocspDown.Store(true)
	var f Fetcher
	d, err := f.Check(context.Background(), s.chain, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.OCSP) != 0 || len(d.CRL) != 2 {
		t.Fatalf("Data has %d OCSP and %d CRL, want 0 and 2", len(d.OCSP), len(d.CRL))
	}
	if crl, err := x509.ParseRevocationList(d.CRL[0]); err != nil || crl.CheckSignatureFrom(s.ca.Issuing) != nil {
		t.Errorf("first CRL: %v, want the issuing CA's", err)
	}
	// The lower-level call gives the parsed CRL too.
	der, crl, err := f.CRL(context.Background(), s.leaf, s.ca.Issuing, now)
	if err != nil || crl == nil || !bytes.Equal(der, crl.Raw) {
		t.Errorf("CRL(leaf) = %v", err)
	}
}

func TestCheckRevoked(t *testing.T) {
	revokedAt := now.Add(-time.Hour)
	for _, tt := range []struct {
		name       string
		ocspDown   bool
		wantSource string
	}{
		{"by OCSP", false, "OCSP"},
		{"by CRL", true, "CRL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newCAServer(t)
			s.ocspDown.Store(tt.ocspDown)
			if err := s.ca.Revoke("", s.leaf.SerialNumber, devca.ReasonKeyCompromise, revokedAt); err != nil {
				t.Fatal(err)
			}
			var f Fetcher
			_, err := f.Check(context.Background(), s.chain, now)
			var re *RevokedError
			if !errors.Is(err, ErrRevoked) || !errors.As(err, &re) {
				t.Fatalf("Check = %v, want ErrRevoked", err)
			}
			if re.Reason != devca.ReasonKeyCompromise || !re.Time.Equal(revokedAt) || re.Source != tt.wantSource || re.Serial.Cmp(s.leaf.SerialNumber) != 0 || re.URL == "" {
				t.Errorf("RevokedError = %+v, want keyCompromise at %v from %s", re, revokedAt, tt.wantSource)
			}
		})
	}
}

// TestCheckRevokedAfterAt: evidence made just after at (within the skew)
// says the certificate was revoked after at. Check still reports it revoked,
// with the revocation time, for the caller to judge (see the package doc).
func TestCheckRevokedAfterAt(t *testing.T) {
	s := newCAServer(t)
	at := now
	revokedAt := at.Add(30 * time.Second)
	if err := s.ca.Revoke("", s.leaf.SerialNumber, devca.ReasonSuperseded, revokedAt); err != nil {
		t.Fatal(err)
	}
	var f Fetcher
	// Before the revocation the same CA says good.
	s.setClock(at)
	if _, err := f.Check(context.Background(), s.chain, at); err != nil {
		t.Fatalf("Check before the revocation: %v", err)
	}
	s.setClock(at.Add(time.Minute))
	_, err := f.Check(context.Background(), s.chain, at)
	var re *RevokedError
	if !errors.As(err, &re) || !re.Time.After(at) || re.Reason != devca.ReasonSuperseded {
		t.Fatalf("Check = %v, want ErrRevoked dated after at", err)
	}
}

func TestCheckFreshness(t *testing.T) {
	for _, tt := range []struct {
		name     string
		server   time.Time // the responder's clock
		skew     time.Duration
		ocspDown bool
		wantErr  error
	}{
		{"same time", now, 0, false, nil},
		{"server a little ahead, within skew", now.Add(2 * time.Minute), 0, false, nil},
		{"server a little ahead, no skew", now.Add(2 * time.Minute), -1, false, ErrStale},
		{"server an hour ahead", now.Add(time.Hour), 0, false, ErrStale},
		{"OCSP expired", now.Add(-25 * time.Hour), 0, false, ErrStale},
		{"OCSP expired, CRL still current", now.Add(-25 * time.Hour), 0, false, nil},
		{"CRL expired", now.Add(-8 * 24 * time.Hour), 0, true, ErrStale},
		{"CRL current", now.Add(-6 * 24 * time.Hour), 0, true, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newCAServer(t)
			s.setClock(tt.server)
			s.ocspDown.Store(tt.ocspDown)
			f := Fetcher{Skew: tt.skew}
			var err error
			if tt.name == "OCSP expired" {
				_, _, err = f.OCSP(context.Background(), s.leaf, s.ca.Issuing, now)
			} else {
				_, err = f.Check(context.Background(), s.chain, now)
			}
			if !errors.Is(err, tt.wantErr) || (err != nil && tt.wantErr == nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestCheckWrongCA: a server run by another CA with the same names (two
// development CAs share their subjects) gives nothing this chain accepts.
func TestCheckWrongCA(t *testing.T) {
	s := newCAServer(t)
	impostor := newCAServer(t)
	s.setHandler(impostor.ca.Handler("", impostor.now).ServeHTTP)
	var f Fetcher
	_, err := f.Check(context.Background(), s.chain, now)
	if !errors.Is(err, ErrBadResponse) || errors.Is(err, ErrRevoked) {
		t.Fatalf("Check against another CA's server = %v, want ErrBadResponse", err)
	}
}

func TestCheckNoSource(t *testing.T) {
	ca, err := devca.New(rand.Reader, now, devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(t)
	leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: "Lê Văn Tám"}, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	var f Fetcher
	if _, err := f.Check(context.Background(), []*x509.Certificate{leaf, ca.Issuing, ca.Root}, now); !errors.Is(err, ErrNoSource) {
		t.Errorf("Check of a chain without URLs = %v, want ErrNoSource", err)
	}
	p := newTestPKI(t, "LDAP")
	ldap := certify(t, &x509.Certificate{CRLDistributionPoints: []string{"ldap://dir.example/cn=crl"}, OCSPServer: []string{"ftp://x/ocsp"}}, p.issuing, key.Public(), p.issuingKey)
	if _, err := f.Check(context.Background(), []*x509.Certificate{ldap, p.issuing, p.root}, now); !errors.Is(err, ErrNoSource) {
		t.Errorf("Check with only ldap/ftp URLs = %v, want ErrNoSource", err)
	}
}

func TestCheckBadChain(t *testing.T) {
	s := newCAServer(t)
	var f Fetcher
	for _, chain := range [][]*x509.Certificate{
		nil,
		{s.leaf},
		{s.leaf, s.ca.Root},       // skips the issuing CA
		{s.leaf, nil, s.ca.Root},  // a hole
		{s.ca.Root, s.ca.Issuing}, // upside down
	} {
		if _, err := f.Check(context.Background(), chain, now); err == nil || isSentinel(err) {
			t.Errorf("Check(%d certificates, bad) = %v, want a chain error", len(chain), err)
		}
	}
}

func TestCheckUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close()
	p := newTestPKI(t, "Unreachable")
	leaf := p.leaf(t, base)
	var f Fetcher
	_, err = f.Check(context.Background(), []*x509.Certificate{leaf, p.issuing, p.root}, now)
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBadResponse) {
		t.Fatalf("Check against a closed port = %v, want ErrUnavailable", err)
	}
}

func TestCheckTimeout(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	}))
	defer slow.Close()
	p := newTestPKI(t, "Slow")
	leaf := p.leaf(t, slow.URL)
	f := Fetcher{Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := f.Check(context.Background(), []*x509.Certificate{leaf, p.issuing, p.root}, now)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Check against a server that sleeps = %v, want ErrUnavailable (deadline)", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v with a 100 ms timeout per request", d)
	}
	// A cancelled context stops at once too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&Fetcher{}).Check(ctx, []*x509.Certificate{leaf, p.issuing, p.root}, now); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("Check with a cancelled context = %v", err)
	}
}

func TestFetchLimitsAndGarbage(t *testing.T) {
	s := newCAServer(t)
	good, err := s.ca.OCSP(mustRequest(t, s.leaf, s.ca.Issuing), now)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte{0x30}, DefaultMaxOCSPSize+1)
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		max     int64
		wantErr error
	}{
		{"good", func(w http.ResponseWriter, r *http.Request) { w.Write(good) }, 0, nil},
		{"oversized, with length", func(w http.ResponseWriter, r *http.Request) { w.Write(big) }, 0, ErrBadResponse},
		{"oversized, chunked", func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < len(big); i += 4096 {
				w.Write(big[i:min(i+4096, len(big))])
				w.(http.Flusher).Flush()
			}
		}, 0, ErrBadResponse},
		{"over MaxSize", func(w http.ResponseWriter, r *http.Request) { w.Write(good) }, 64, ErrBadResponse},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) }, 0, ErrBadResponse},
		{"empty", func(w http.ResponseWriter, r *http.Request) {}, 0, ErrBadResponse},
		{"HTTP 500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 500) }, 0, ErrUnavailable},
		{"tryLater", func(w http.ResponseWriter, r *http.Request) { w.Write(ocsp.TryLaterErrorResponse) }, 0, ErrUnavailable},
		{"unauthorized", func(w http.ResponseWriter, r *http.Request) { w.Write(ocsp.UnauthorizedErrorResponse) }, 0, ErrBadResponse},
		{"trailing byte", func(w http.ResponseWriter, r *http.Request) { w.Write(append(append([]byte{}, good...), 0)) }, 0, ErrBadResponse},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.setHandler(tt.handler)
			f := Fetcher{MaxSize: tt.max}
			_, _, err := f.OCSP(context.Background(), s.leaf, s.ca.Issuing, now)
			if !errors.Is(err, tt.wantErr) || (err != nil && tt.wantErr == nil) {
				t.Fatalf("OCSP = %v, want %v", err, tt.wantErr)
			}
		})
	}
	// The same for a CRL above its own default limit.
	s.setHandler(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte{0x30}, DefaultMaxCRLSize+1))
	})
	if _, _, err := (&Fetcher{}).CRL(context.Background(), s.leaf, s.ca.Issuing, now); !errors.Is(err, ErrBadResponse) {
		t.Errorf("CRL of 1 MiB + 1 = %v, want ErrBadResponse", err)
	}
}

func mustRequest(t testing.TB, cert, issuer *x509.Certificate) []byte {
	t.Helper()
	req, err := ocsp.CreateRequest(cert, issuer, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
