package devca

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/kyso-vn/kyso/internal/testenv"
)

// serveCA starts the handler of a CA created at start and kept in a
// directory, on a loopback port the CA's URL names, with a clock the test
// sets (initially start).
func serveCA(t *testing.T, start time.Time) (ca *CA, dir string, srv *httptest.Server, clock *time.Time) {
	t.Helper()
	srv = httptest.NewUnstartedServer(nil)
	dir = t.TempDir()
	ca, _, err := Init(dir, rand.Reader, start, Options{URL: "http://" + srv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	at := start
	clock = &at
	srv.Config.Handler = ca.Handler(dir, func() time.Time { return *clock })
	srv.Start()
	t.Cleanup(srv.Close)
	return ca, dir, srv, clock
}

func TestHandler(t *testing.T) {
	ca, dir, srv, _ := serveCA(t, now)
	leaf := newSigner(t, ca, now)
	req := ocspRequest(t, leaf, ca.Issuing, crypto.SHA1, nil)
	b64 := base64.StdEncoding.EncodeToString(req)

	tests := []struct {
		name, method, path, contentType string
		body                            []byte
		wantCode                        int
		wantType                        string
		check                           func(t *testing.T, body []byte)
	}{
		{"issuing CRL", "GET", "/crl/issuing.crl", "", nil, 200, "application/pkix-crl", func(t *testing.T, b []byte) {
			crl, err := x509.ParseRevocationList(b)
			if err != nil || crl.CheckSignatureFrom(ca.Issuing) != nil {
				t.Errorf("not a CRL signed by the issuing CA: %v", err)
			}
		}},
		{"root CRL", "GET", "/crl/root.crl", "", nil, 200, "application/pkix-crl", func(t *testing.T, b []byte) {
			crl, err := x509.ParseRevocationList(b)
			if err != nil || crl.CheckSignatureFrom(ca.Root) != nil {
				t.Errorf("not a CRL signed by the root: %v", err)
			}
		}},
		{"issuing cert", "GET", "/ca/issuing.cer", "", nil, 200, "application/pkix-cert", func(t *testing.T, b []byte) {
			if !bytes.Equal(b, ca.Issuing.Raw) {
				t.Error("not the issuing CA certificate")
			}
		}},
		{"root cert", "GET", "/ca/root.cer", "", nil, 200, "application/pkix-cert", func(t *testing.T, b []byte) {
			if !bytes.Equal(b, ca.Root.Raw) {
				t.Error("not the root certificate")
			}
		}},
		{"root cert HEAD", "HEAD", "/ca/root.cer", "", nil, 200, "application/pkix-cert", nil},
		{"OCSP POST", "POST", "/ocsp", "application/ocsp-request", req, 200, "application/ocsp-response", goodFor(ca, leaf)},
		{"OCSP POST, no content type", "POST", "/ocsp", "", req, 200, "application/ocsp-response", goodFor(ca, leaf)},
		{"OCSP GET, escaped", "GET", "/ocsp/" + url.PathEscape(b64), "", nil, 200, "application/ocsp-response", goodFor(ca, leaf)},
		{"OCSP GET, raw base64", "GET", "/ocsp/" + b64, "", nil, 200, "application/ocsp-response", goodFor(ca, leaf)},
		{"OCSP GET, unpadded", "GET", "/ocsp/" + url.PathEscape(strings.TrimRight(b64, "=")), "", nil, 200, "application/ocsp-response", goodFor(ca, leaf)},
		{"OCSP GET, not base64", "GET", "/ocsp/%21%21", "", nil, 200, "application/ocsp-response", errorStatus(ocsp.Malformed)},
		{"OCSP POST garbage", "POST", "/ocsp", "application/ocsp-request", []byte("hello"), 200, "application/ocsp-response", errorStatus(ocsp.Malformed)},
		{"OCSP POST wrong type", "POST", "/ocsp", "text/plain", req, 415, "", nil},
		{"OCSP POST too large", "POST", "/ocsp", "application/ocsp-request", make([]byte, MaxOCSPRequest+1), 413, "", nil},
		{"OCSP GET too long", "GET", "/ocsp/" + strings.Repeat("A", 3*MaxOCSPRequest+1), "", nil, 414, "", nil},
		{"OCSP GET on POST path", "GET", "/ocsp", "", nil, 405, "", nil},
		{"CRL POST", "POST", "/crl/issuing.crl", "", nil, 405, "", nil},
		{"OCSP PUT", "PUT", "/ocsp/" + b64, "", nil, 405, "", nil},
		{"unknown CRL", "GET", "/crl/other.crl", "", nil, 404, "", nil},
		{"unknown cert", "GET", "/ca/../root.pem", "", nil, 404, "", nil},
		{"root path", "GET", "/", "", nil, 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest(tt.method, srv.URL+tt.path, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.wantCode, body)
			}
			if tt.wantType != "" && resp.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tt.wantType)
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}

	// A revocation recorded in the directory by another CA value (as by
	// 'kyso ca revoke' in another process) shows at once.
	other, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Revoke(dir, leaf.SerialNumber, ReasonSuperseded, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Post(srv.URL+"/ocsp", "application/ocsp-request", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if r, err := ocsp.ParseResponseForCert(body, leaf, ca.Issuing); err != nil || r.Status != ocsp.Revoked || r.RevocationReason != ReasonSuperseded {
		t.Errorf("after Revoke: %v, want revoked (superseded)", err)
	}
}

func goodFor(ca *CA, leaf *x509.Certificate) func(*testing.T, []byte) {
	return func(t *testing.T, b []byte) {
		r, err := ocsp.ParseResponseForCert(b, leaf, ca.Issuing)
		if err != nil || r.Status != ocsp.Good {
			t.Errorf("OCSP response: %v, want good", err)
		}
	}
}

func errorStatus(want ocsp.ResponseStatus) func(*testing.T, []byte) {
	return func(t *testing.T, b []byte) {
		_, err := ocsp.ParseResponse(b, nil)
		if re, ok := err.(ocsp.ResponseError); !ok || re.Status != want {
			t.Errorf("OCSP response %v, want error status %v", err, want)
		}
	}
}

// TestOpenSSL checks the responder, the CRLs and the URLs in certificates
// with OpenSSL, an independent implementation.
func TestOpenSSL(t *testing.T) {
	openssl := testenv.NeedTool(t, "openssl")
	// OpenSSL checks validity and OCSP freshness against the wall clock, so
	// this test's PKI and responder live at the real time.
	wall := time.Now().UTC().Truncate(time.Second)
	ca, dir, _, clock := serveCA(t, wall)
	leaf := newSigner(t, ca, wall)
	work := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(work, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	leafPEM := write("leaf.pem", CertsPEM(leaf))
	issuingPEM := filepath.Join(dir, IssuingCertFile)
	rootPEM := filepath.Join(dir, RootCertFile)
	bundle := write("ca.pem", CertsPEM(ca.Issuing, ca.Root))

	ocspCheck := func(want string) {
		t.Helper()
		b, err := exec.Command(openssl, "ocsp", "-issuer", issuingPEM, "-cert", leafPEM, "-url", leaf.OCSPServer[0], "-CAfile", rootPEM).CombinedOutput()
		out := string(b)
		if err != nil || !strings.Contains(out, leafPEM+": "+want) || !strings.Contains(out, "Response verify OK") {
			t.Errorf("openssl ocsp: %s, want %q", out, want)
		}
	}
	crls := func() []string {
		var files []string
		for _, u := range []string{leaf.CRLDistributionPoints[0], ca.Issuing.CRLDistributionPoints[0]} {
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			der, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			p := write(filepath.Base(u), der)
			testenv.Run(t, openssl, "crl", "-inform", "DER", "-in", p, "-noout", "-verify", "-CAfile", bundle)
			files = append(files, "-CRLfile", p)
		}
		return files
	}
	verify := func(crlArgs []string) string {
		args := append([]string{"verify", "-crl_check_all", "-CAfile", rootPEM, "-untrusted", issuingPEM}, crlArgs...)
		cmd := exec.Command(openssl, append(args, leafPEM)...)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	ocspCheck("good")
	if out := verify(crls()); !strings.Contains(out, leafPEM+": OK") {
		t.Errorf("openssl verify -crl_check_all before revocation: %s", out)
	}
	if err := ca.Revoke(dir, leaf.SerialNumber, ReasonKeyCompromise, clock.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	ocspCheck("revoked")
	if out := verify(crls()); !strings.Contains(out, "certificate revoked") {
		t.Errorf("openssl verify -crl_check_all after revocation: %s", out)
	}
	// The CA issuers URL gives the DER certificate.
	resp, err := http.Get(leaf.IssuingCertificateURL[0])
	if err != nil {
		t.Fatal(err)
	}
	der, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(der, ca.Issuing.Raw) {
		t.Error("caIssuers URL does not serve the issuing CA certificate")
	}
}
