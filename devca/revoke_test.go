package devca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

const testURL = "http://127.0.0.1:8789"

func newSigner(t testing.TB, ca *CA, at time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ca.IssueSigner(rand.Reader, key.Public(), Subject{CommonName: "Lê Hoàng Phúc"}, at, 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRevocationURLs(t *testing.T) {
	tests := []struct {
		name, url                   string
		wantLeaf                    []string // CRL, OCSP, caIssuers
		wantIssuingCRL, wantIssCert string
	}{
		{"none", "", nil, "", ""},
		{"base", testURL, []string{testURL + "/crl/issuing.crl", testURL + "/ocsp", testURL + "/ca/issuing.cer"}, testURL + "/crl/root.crl", testURL + "/ca/root.cer"},
		{"path and slash", "https://pki.example.vn/dev/", []string{"https://pki.example.vn/dev/crl/issuing.crl", "https://pki.example.vn/dev/ocsp", "https://pki.example.vn/dev/ca/issuing.cer"}, "https://pki.example.vn/dev/crl/root.crl", "https://pki.example.vn/dev/ca/root.cer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca, err := New(rand.Reader, now, Options{URL: tt.url})
			if err != nil {
				t.Fatal(err)
			}
			leaf := newSigner(t, ca, now)
			got := slices.Concat(leaf.CRLDistributionPoints, leaf.OCSPServer, leaf.IssuingCertificateURL)
			if !slices.Equal(got, tt.wantLeaf) {
				t.Errorf("leaf URLs = %q, want %q", got, tt.wantLeaf)
			}
			if tt.url == "" {
				if len(ca.Issuing.CRLDistributionPoints)+len(ca.Issuing.OCSPServer)+len(ca.Issuing.IssuingCertificateURL) != 0 {
					t.Errorf("issuing CA has URLs without a base URL")
				}
				return
			}
			if !slices.Equal(ca.Issuing.CRLDistributionPoints, []string{tt.wantIssuingCRL}) || !slices.Equal(ca.Issuing.IssuingCertificateURL, []string{tt.wantIssCert}) || len(ca.Issuing.OCSPServer) != 0 {
				t.Errorf("issuing CA: CRL %q, caIssuers %q, OCSP %q; want %q, %q, none", ca.Issuing.CRLDistributionPoints, ca.Issuing.IssuingCertificateURL, ca.Issuing.OCSPServer, tt.wantIssuingCRL, tt.wantIssCert)
			}
			if len(ca.Root.CRLDistributionPoints)+len(ca.Root.OCSPServer) != 0 {
				t.Error("root certificate has revocation URLs")
			}
		})
	}
	for _, bad := range []string{"ftp://x", "127.0.0.1:8789", "http://", "http://h/?q=1", "http://u:p@h", "http://h/#f", "http://%zz"} {
		if _, err := New(rand.Reader, now, Options{URL: bad}); err == nil {
			t.Errorf("New accepted URL %q", bad)
		}
	}
}

func TestInitKeepsURL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	if _, _, err := Init(dir, rand.Reader, now, Options{URL: testURL + "/"}); err != nil {
		t.Fatal(err)
	}
	ca, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ca.URL() != testURL {
		t.Errorf("loaded URL %q, want %q", ca.URL(), testURL)
	}
	tests := []struct {
		url     string
		wantErr error
	}{
		{"", nil},
		{testURL, nil},
		{testURL + "/", nil},
		{"http://127.0.0.1:9999", ErrURLMismatch},
	}
	for _, tt := range tests {
		_, created, err := Init(dir, rand.Reader, now, Options{URL: tt.url})
		if created || !errors.Is(err, tt.wantErr) {
			t.Errorf("Init(existing, URL %q) = created %v, %v; want %v", tt.url, created, err, tt.wantErr)
		}
	}
	// A directory from before URLs existed (no ca.json) loads without one,
	// and cannot be given one afterwards.
	old := filepath.Join(t.TempDir(), "old")
	if _, _, err := Init(old, rand.Reader, now, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(old, ConfigFile)); err != nil {
		t.Fatal(err)
	}
	ca, err = Load(old)
	if err != nil || ca.URL() != "" {
		t.Fatalf("Load(old dir) = URL %q, %v; want no URL", ca.URL(), err)
	}
	if _, _, err := Init(old, rand.Reader, now, Options{URL: testURL}); !errors.Is(err, ErrURLMismatch) {
		t.Errorf("Init(old dir, URL) = %v, want ErrURLMismatch", err)
	}
	os.WriteFile(filepath.Join(old, ConfigFile), []byte(`{"url":"ftp://x"}`), 0o644)
	if _, err := Load(old); err == nil {
		t.Error("Load accepted a bad URL in ca.json")
	}
}

// caKinds runs f on a CA kept in memory and on one kept in a directory.
func caKinds(t *testing.T, f func(t *testing.T, ca *CA, dir string)) {
	t.Run("memory", func(t *testing.T) {
		ca, err := New(rand.Reader, now, Options{URL: testURL})
		if err != nil {
			t.Fatal(err)
		}
		f(t, ca, "")
	})
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		ca, _, err := Init(dir, rand.Reader, now, Options{URL: testURL})
		if err != nil {
			t.Fatal(err)
		}
		f(t, ca, dir)
	})
}

func TestRevoke(t *testing.T) {
	caKinds(t, func(t *testing.T, ca *CA, dir string) {
		leaf := newSigner(t, ca, now)
		other := newSigner(t, ca, now)
		at := now.Add(time.Hour)
		tests := []struct {
			name    string
			serial  *big.Int
			reason  int
			wantErr error
		}{
			{"unknown serial", big.NewInt(12345), ReasonKeyCompromise, ErrUnknownSerial},
			{"the issuing CA's serial", ca.Issuing.SerialNumber, ReasonKeyCompromise, ErrUnknownSerial},
			{"negative serial", big.NewInt(-5), ReasonKeyCompromise, ErrUnknownSerial},
			{"nil serial", nil, ReasonKeyCompromise, ErrUnknownSerial},
			{"hold", leaf.SerialNumber, ReasonCertificateHold, ErrBadReason},
			{"removeFromCRL", leaf.SerialNumber, ReasonRemoveFromCRL, ErrBadReason},
			{"reason 7", leaf.SerialNumber, 7, ErrBadReason},
			{"revoke", leaf.SerialNumber, ReasonKeyCompromise, nil},
			{"again", leaf.SerialNumber, ReasonSuperseded, ErrAlreadyRevoked},
			{"another", other.SerialNumber, ReasonUnspecified, nil},
		}
		for _, tt := range tests {
			if err := ca.Revoke(dir, tt.serial, tt.reason, at); !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: Revoke = %v, want %v", tt.name, err, tt.wantErr)
			}
		}
		got, err := ca.store(dir).revocations()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(got, func(r Revocation) bool { return r.Serial.Cmp(leaf.SerialNumber) == 0 })
		if len(got) != 2 || i < 0 || got[i].Reason != ReasonKeyCompromise || !got[i].Time.Equal(at) {
			t.Errorf("revocations = %+v, want the leaf (keyCompromise at %v) and one other", got, at)
		}
		if c, err := ca.Certificate(dir, leaf.SerialNumber); err != nil || !c.Equal(leaf) {
			t.Errorf("Certificate(leaf serial) = %v, want the leaf", err)
		}
		if dir == "" {
			return
		}
		// The state is in the directory: a fresh Load sees it.
		again, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := again.Revoke("", leaf.SerialNumber, ReasonKeyCompromise, at); !errors.Is(err, ErrAlreadyRevoked) {
			t.Errorf("Revoke after Load = %v, want ErrAlreadyRevoked", err)
		}
	})
}

// TestRevokeConcurrent: revocations by several CA values over one directory
// (as by several processes) all survive.
func TestRevokeConcurrent(t *testing.T) {
	dir := t.TempDir()
	ca, _, err := Init(dir, rand.Reader, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	serials := make([]*big.Int, n)
	for i := range serials {
		serials[i] = newSigner(t, ca, now).SerialNumber
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := Load(dir)
			if err == nil {
				err = c.Revoke(dir, serials[i], ReasonSuperseded, now.Add(time.Duration(i)*time.Minute))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got, err := dirStore(dir).revocations()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d revocations kept, want %d", len(got), n)
	}
}

func TestParseReason(t *testing.T) {
	for _, tt := range []struct {
		name string
		want int
		ok   bool
	}{
		{"keyCompromise", 1, true}, {"KEYCOMPROMISE", 1, true}, {"superseded", 4, true}, {"unspecified", 0, true},
		{"aACompromise", 10, true}, {"certificateHold", 0, false}, {"removeFromCRL", 0, false}, {"", 0, false}, {"stolen", 0, false},
	} {
		got, err := ParseReason(tt.name)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseReason(%q) = %d, %v; want %d, ok %v", tt.name, got, err, tt.want, tt.ok)
		}
		if !tt.ok && !errors.Is(err, ErrBadReason) {
			t.Errorf("ParseReason(%q) error %v, want ErrBadReason", tt.name, err)
		}
	}
	if ReasonName(1) != "keyCompromise" || ReasonName(77) != "reason(77)" {
		t.Error("ReasonName")
	}
}

func TestCRL(t *testing.T) {
	caKinds(t, func(t *testing.T, ca *CA, dir string) {
		leaf := newSigner(t, ca, now)
		other := newSigner(t, ca, now)
		revokedAt := now.Add(2 * time.Hour)
		if err := ca.Revoke(dir, leaf.SerialNumber, ReasonKeyCompromise, revokedAt); err != nil {
			t.Fatal(err)
		}
		if err := ca.Revoke(dir, other.SerialNumber, ReasonUnspecified, revokedAt.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var lastNumber *big.Int
		for _, tt := range []struct {
			at   time.Time
			want []*big.Int
		}{
			{now.Add(time.Hour), nil},
			{revokedAt, []*big.Int{leaf.SerialNumber}},
			{revokedAt, []*big.Int{leaf.SerialNumber}}, // same time again: a new number all the same
			{revokedAt.Add(2 * time.Hour), []*big.Int{leaf.SerialNumber, other.SerialNumber}},
		} {
			der, err := ca.issuingCRL(rand.Reader, tt.at, dir)
			if err != nil {
				t.Fatal(err)
			}
			crl, err := x509.ParseRevocationList(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := crl.CheckSignatureFrom(ca.Issuing); err != nil {
				t.Errorf("CRL signature: %v", err)
			}
			if !crl.ThisUpdate.Equal(tt.at) || !crl.NextUpdate.Equal(tt.at.Add(CRLValidity)) {
				t.Errorf("CRL at %v: thisUpdate %v nextUpdate %v", tt.at, crl.ThisUpdate, crl.NextUpdate)
			}
			if string(crl.AuthorityKeyId) != string(ca.Issuing.SubjectKeyId) {
				t.Error("CRL authority key ID is not the issuing CA's")
			}
			if lastNumber != nil && crl.Number.Cmp(lastNumber) <= 0 {
				t.Errorf("CRL number %v after %v, want it to increase", crl.Number, lastNumber)
			}
			lastNumber = crl.Number
			var got []*big.Int
			for _, e := range crl.RevokedCertificateEntries {
				got = append(got, e.SerialNumber)
				if e.SerialNumber.Cmp(leaf.SerialNumber) == 0 && (e.ReasonCode != ReasonKeyCompromise || !e.RevocationTime.Equal(revokedAt)) {
					t.Errorf("entry %X: reason %d time %v, want keyCompromise at %v", e.SerialNumber, e.ReasonCode, e.RevocationTime, revokedAt)
				}
				if e.SerialNumber.Cmp(other.SerialNumber) == 0 && len(e.Extensions) != 0 {
					t.Errorf("unspecified reason written as an extension (RFC 5280 says absent)")
				}
			}
			if !slices.EqualFunc(got, tt.want, func(a, b *big.Int) bool { return a.Cmp(b) == 0 }) {
				t.Errorf("CRL at %v lists %v, want %v", tt.at, got, tt.want)
			}
		}
		root, err := ca.RootCRL(rand.Reader, now)
		if err != nil {
			t.Fatal(err)
		}
		rcrl, err := x509.ParseRevocationList(root)
		if err != nil {
			t.Fatal(err)
		}
		if err := rcrl.CheckSignatureFrom(ca.Root); err != nil || len(rcrl.RevokedCertificateEntries) != 0 {
			t.Errorf("root CRL: signature %v, %d entries; want valid and empty", err, len(rcrl.RevokedCertificateEntries))
		}
	})
}

func TestNextCRLNumberUnderLoad(t *testing.T) {
	ca, err := New(rand.Reader, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				n := ca.nextCRLNumber(issuingName, now)
				mu.Lock()
				seen[n.String()] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 400 {
		t.Errorf("%d distinct CRL numbers for 400 CRLs at one instant", len(seen))
	}
}

func ExampleParseReason() {
	code, _ := ParseReason("keyCompromise")
	fmt.Println(code, ReasonName(code))
	// Output: 1 keyCompromise
}

// TestOwnTemplate: a certificate whose template is built outside
// IssueSigner (as IssueTimestamping does) gets the revocation URLs from
// revocationExtensions, and becomes revocable and "good" once recorded.
func TestOwnTemplate(t *testing.T) {
	caKinds(t, func(t *testing.T, ca *CA, dir string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			Subject:     pkix.Name{CommonName: "kyso TSA"},
			NotBefore:   now,
			NotAfter:    now.Add(time.Hour),
			KeyUsage:    x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		}
		ca.revocationExtensions(tmpl)
		c, err := issue(rand.Reader, tmpl, ca.Issuing, key.Public(), ca.issuingKey)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.OCSPServer) != 1 || len(c.CRLDistributionPoints) != 1 || len(c.IssuingCertificateURL) != 1 {
			t.Errorf("URLs %q %q %q, want one of each", c.OCSPServer, c.CRLDistributionPoints, c.IssuingCertificateURL)
		}
		if err := ca.Revoke(dir, c.SerialNumber, ReasonSuperseded, now); !errors.Is(err, ErrUnknownSerial) {
			t.Errorf("Revoke before recordIssued = %v, want ErrUnknownSerial", err)
		}
		if err := ca.recordIssued(c); err != nil {
			t.Fatal(err)
		}
		if err := ca.Revoke(dir, c.SerialNumber, ReasonSuperseded, now); err != nil {
			t.Errorf("Revoke after recordIssued = %v", err)
		}
	})
}
