package tsa

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/cms"
)

// testReq builds TimeStampReqs, including wrong ones.
type testReq struct {
	version int64
	hashOID asn1.ObjectIdentifier
	params  []byte // DER of the parameters; nil: absent
	hashed  []byte
	policy  asn1.ObjectIdentifier
	nonce   *big.Int
	certReq bool
	ext     bool
}

// validReq is a SHA-256 request for "data" with a nonce and certReq.
func validReq() testReq {
	sum := sha256.Sum256([]byte("data"))
	return testReq{version: 1, hashOID: oidSHA256, params: []byte{5, 0}, hashed: sum[:], nonce: big.NewInt(0x1234567890), certReq: true}
}

func (r testReq) der(t testing.TB) []byte {
	t.Helper()
	out, err := r.bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (r testReq) bytes() ([]byte, error) {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(r.version)
		addImprint(b, r.hashOID, r.params, r.hashed)
		if r.policy != nil {
			b.AddASN1ObjectIdentifier(r.policy)
		}
		if r.nonce != nil {
			b.AddASN1BigInt(r.nonce)
		}
		if r.certReq {
			b.AddASN1Boolean(true)
		}
		if r.ext {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{2, 25, 1})
					b.AddASN1OctetString([]byte{5, 0})
				})
			})
		}
	})
	return b.Bytes()
}

func TestRespond(t *testing.T) {
	pki := newPKI(t, "p256")
	a := pki.authority(t)
	with := func(f func(r *testReq)) testReq {
		r := validReq()
		f(&r)
		return r
	}
	tests := []struct {
		name string
		req  []byte
		// want is the status; fail the failure bits of a rejection.
		want Status
		fail FailureInfo
	}{
		{"valid", validReq().der(t), StatusGranted, 0},
		{"absent hash parameters", with(func(r *testReq) { r.params = nil }).der(t), StatusGranted, 0},
		{"our policy", with(func(r *testReq) { r.policy = testPolicy }).der(t), StatusGranted, 0},
		{"no nonce", with(func(r *testReq) { r.nonce = nil }).der(t), StatusGranted, 0},
		{"SHA-512", with(func(r *testReq) { r.hashOID, r.hashed = oidSHA512, make([]byte, 64) }).der(t), StatusGranted, 0},
		{"garbage", []byte("garbage"), StatusRejection, FailBadDataFormat},
		{"empty", nil, StatusRejection, FailBadDataFormat},
		{"trailing data", append(validReq().der(t), 0), StatusRejection, FailBadDataFormat},
		{"version 2", with(func(r *testReq) { r.version = 2 }).der(t), StatusRejection, FailBadRequest},
		{"SHA-1", with(func(r *testReq) { r.hashOID, r.hashed = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, make([]byte, 20) }).der(t), StatusRejection, FailBadAlg},
		{"SHA-256 OID, 20-byte imprint", with(func(r *testReq) { r.hashed = r.hashed[:20] }).der(t), StatusRejection, FailBadAlg},
		{"hash with parameters", with(func(r *testReq) { r.params = []byte{4, 0} }).der(t), StatusRejection, FailBadAlg},
		{"other policy", with(func(r *testReq) { r.policy = asn1.ObjectIdentifier{2, 25, 1} }).der(t), StatusRejection, FailUnacceptedPolicy},
		{"extension", with(func(r *testReq) { r.ext = true }).der(t), StatusRejection, FailUnacceptedExtension},
		{"nonce too long", with(func(r *testReq) { r.nonce = new(big.Int).Lsh(big.NewInt(1), 8*70) }).der(t), StatusRejection, FailBadDataFormat},
		{"too large", make([]byte, MaxRequestSize+1), StatusRejection, FailBadDataFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := ParseResponse(a.Respond(tt.req))
			if err != nil {
				t.Fatalf("ParseResponse: %v", err)
			}
			if resp.Status != tt.want || resp.FailInfo != tt.fail {
				t.Fatalf("status %v (%v) %q, want %v (%v)", resp.Status, resp.FailInfo, resp.StatusText, tt.want, tt.fail)
			}
			if tt.want != StatusGranted {
				if resp.Token != nil || len(resp.StatusText) != 1 {
					t.Errorf("rejection with a token or without a status text: %+v", resp)
				}
				return
			}
			info, err := ParseToken(resp.Token)
			if err != nil {
				t.Fatalf("ParseToken: %v", err)
			}
			req, _, err := parseRequest(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(info.HashedMessage, req.hashed) || !info.Policy.Equal(testPolicy) || !info.GenTime.Equal(testNow) {
				t.Errorf("token imprint %x, policy %v, time %v; want %x, %v, %v", info.HashedMessage, info.Policy, info.GenTime, req.hashed, testPolicy, testNow)
			}
			sd, err := cms.Parse(resp.Token)
			if err != nil {
				t.Fatal(err)
			}
			tst, err := parseTSTInfo(sd.Content)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(tst.hashParams, req.hashAlgP) {
				t.Errorf("TSTInfo hash parameters %x, request's %x: the imprint must be copied exactly", tst.hashParams, req.hashAlgP)
			}
			if (req.nonce == nil) != (info.Nonce == nil) || (info.Nonce != nil && !bytes.Equal(info.nonceDER, req.nonce)) {
				t.Errorf("nonce %v, request's %x", info.Nonce, req.nonce)
			}
			if info.Serial.Sign() <= 0 || info.Serial.BitLen() != 127 {
				t.Errorf("serial %v, want a positive 127-bit number", info.Serial)
			}
			if n := len(info.Certificates); n != 3 || !info.Certificate.Equal(pki.chain[0]) {
				t.Errorf("%d certificates, signer %q; want the chain of 3 and the TSA certificate", n, info.Certificate.Subject)
			}
		})
	}
}

// TestRespondNoCertificates: without certReq the token carries no
// certificate, so ParseToken cannot find the signer, but the CMS names it.
func TestRespondNoCertificates(t *testing.T) {
	a := newPKI(t, "p256").authority(t)
	r := validReq()
	r.certReq = false
	resp, err := ParseResponse(a.Respond(r.der(t)))
	if err != nil || resp.Status != StatusGranted {
		t.Fatalf("%v %+v", err, resp)
	}
	sd, err := cms.Parse(resp.Token)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Certificates) != 0 {
		t.Errorf("%d certificates without certReq", len(sd.Certificates))
	}
	if _, err := ParseToken(resp.Token); !errors.Is(err, ErrBadToken) || !errors.Is(err, cms.ErrNoCertificate) {
		t.Errorf("ParseToken: got %v, want ErrBadToken wrapping cms.ErrNoCertificate", err)
	}
}

func TestSerialsDiffer(t *testing.T) {
	a := newPKI(t, "p256").authority(t)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		resp, _ := ParseResponse(a.Respond(validReq().der(t)))
		info, err := ParseToken(resp.Token)
		if err != nil {
			t.Fatal(err)
		}
		if seen[info.Serial.String()] {
			t.Fatalf("serial %v issued twice", info.Serial)
		}
		seen[info.Serial.String()] = true
	}
}

// failingSigner is a key whose token was removed.
type failingSigner struct{ crypto.Signer }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("token removed")
}

func TestRespondSystemFailure(t *testing.T) {
	pki := newPKI(t, "p256")
	a, err := NewAuthority(failingSigner{pki.key}, pki.chain, testPolicy, testClock, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ParseResponse(a.Respond(validReq().der(t)))
	if err != nil || resp.Status != StatusRejection || resp.FailInfo != FailSystemFailure || strings.Contains(strings.Join(resp.StatusText, ""), "token removed") {
		t.Errorf("%v %+v; want a systemFailure rejection that does not show the cause", err, resp)
	}
	// A clock past the certificate: timeNotAvailable.
	late := func() time.Time { return pki.chain[0].NotAfter.Add(time.Second) }
	b := pki.authority(t)
	b.clock = late
	resp, _ = ParseResponse(b.Respond(validReq().der(t)))
	if resp.Status != StatusRejection || resp.FailInfo != FailTimeNotAvailable {
		t.Errorf("expired certificate: %+v, want timeNotAvailable", resp)
	}
}

// certWith issues a certificate for pub from pki's issuing CA with a
// template the test shapes (devca issues only sound ones).
func certWith(t testing.TB, pki *testPKI, issuerKey crypto.Signer, pub crypto.PublicKey, f func(*x509.Certificate)) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "odd TSA"},
		NotBefore:             testNow.Add(-time.Hour),
		NotAfter:              testNow.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	f(tmpl)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func criticalEKU(t testing.TB, oids ...asn1.ObjectIdentifier) pkix.Extension {
	t.Helper()
	v, err := asn1.Marshal(oids)
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: oidExtKeyUsage, Critical: true, Value: v}
}

var oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}

func TestNewAuthorityChecks(t *testing.T) {
	pki := newPKI(t, "p256")
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signerCert, err := pki.ca.IssueSigner(rand.Reader, pki.key.Public(), devca.Subject{CommonName: "not a TSA"}, testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	self := func(f func(*x509.Certificate)) []*x509.Certificate {
		return []*x509.Certificate{certWith(t, pki, pki.key, pki.key.Public(), f)}
	}
	tests := []struct {
		name   string
		key    crypto.Signer
		chain  []*x509.Certificate
		policy asn1.ObjectIdentifier
		clock  func() time.Time
		want   error // nil: any error
	}{
		{"no key", nil, pki.chain, testPolicy, testClock, ErrBadTSACertificate},
		{"no chain", pki.key, nil, testPolicy, testClock, ErrBadTSACertificate},
		{"key of another certificate", other, pki.chain, testPolicy, testClock, ErrBadTSACertificate},
		{"signer certificate, no EKU", pki.key, append([]*x509.Certificate{signerCert}, pki.ca.Chain()...), testPolicy, testClock, ErrBadTSACertificate},
		{"non-critical EKU", pki.key, self(func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping} }), testPolicy, testClock, ErrBadTSACertificate},
		{"EKU with another purpose", pki.key, self(func(c *x509.Certificate) {
			c.ExtraExtensions = []pkix.Extension{criticalEKU(t, oidTimeStamping, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4})}
		}), testPolicy, testClock, ErrBadTSACertificate},
		{"key usage without digitalSignature", pki.key, self(func(c *x509.Certificate) {
			c.ExtraExtensions = []pkix.Extension{criticalEKU(t, oidTimeStamping)}
			c.KeyUsage = x509.KeyUsageKeyEncipherment
		}), testPolicy, testClock, ErrBadTSACertificate},
		{"chain out of order", pki.key, []*x509.Certificate{pki.chain[0], pki.chain[2], pki.chain[1]}, testPolicy, testClock, ErrBadTSACertificate},
		{"not yet valid", pki.key, pki.chain, testPolicy, func() time.Time { return testNow.Add(-48 * time.Hour) }, ErrBadTSACertificate},
		{"expired", pki.key, pki.chain, testPolicy, func() time.Time { return testNow.AddDate(30, 0, 0) }, ErrBadTSACertificate},
		{"no clock", pki.key, pki.chain, testPolicy, nil, nil},
		{"no policy", pki.key, pki.chain, nil, testClock, nil},
		{"invalid policy", pki.key, pki.chain, asn1.ObjectIdentifier{3, 1}, testClock, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewAuthority(tt.key, tt.chain, tt.policy, tt.clock, rand.Reader)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	// A self-issued certificate with the right extension is fine.
	good := self(func(c *x509.Certificate) { c.ExtraExtensions = []pkix.Extension{criticalEKU(t, oidTimeStamping)} })
	if _, err := NewAuthority(pki.key, good, testPolicy, testClock, nil); err != nil {
		t.Errorf("self-issued TSA certificate with a critical timeStamping EKU: %v", err)
	}
}

func TestServeHTTP(t *testing.T) {
	srv := serve(t, newPKI(t, "p256").authority(t))
	post := func(ctype string, body []byte) *http.Response {
		t.Helper()
		resp, err := http.Post(srv.URL, ctype, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post(ContentTypeQuery, validReq().der(t)); r.StatusCode != 200 || r.Header.Get("Content-Type") != ContentTypeReply {
		t.Errorf("valid request: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if r := post(ContentTypeQuery+"; charset=binary", validReq().der(t)); r.StatusCode != 200 {
		t.Errorf("content type with a parameter: %d", r.StatusCode)
	}
	if r := post(ContentTypeQuery, []byte("garbage")); r.StatusCode != 200 {
		t.Errorf("garbage: %d, want 200 with a rejection", r.StatusCode)
	}
	if r := post("application/octet-stream", validReq().der(t)); r.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("wrong content type: %d", r.StatusCode)
	}
	if r := post(ContentTypeQuery, make([]byte, MaxRequestSize+1)); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", r.StatusCode)
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
		t.Errorf("GET: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestFailureInfoEncoding(t *testing.T) {
	for _, f := range []FailureInfo{FailBadAlg, FailBadRequest, FailBadDataFormat, FailTimeNotAvailable, FailUnacceptedPolicy, FailUnacceptedExtension, FailAddInfoNotAvailable, FailSystemFailure, FailBadAlg | FailSystemFailure} {
		resp, err := ParseResponse(encodeResponse(StatusRejection, "x", f, nil))
		if err != nil || resp.FailInfo != f {
			t.Errorf("%v: round trip gave %v, %v", f, resp, err)
		}
		// encoding/asn1 reads the same bits.
		var v struct {
			Info struct {
				Status int
				Text   []string `asn1:"optional,utf8"`
				Fail   asn1.BitString
			}
		}
		if _, err := asn1.Unmarshal(encodeResponse(StatusRejection, "x", f, nil), &v); err != nil {
			t.Fatal(err)
		}
		if last := v.Info.Fail.BitLength - 1; v.Info.Fail.At(last) != 1 {
			t.Errorf("%v: trailing zero bits in the BIT STRING (DER forbids them)", f)
		}
	}
}

func TestGeneralizedTime(t *testing.T) {
	valid := map[string]time.Time{
		"20260601120000Z":           testNow,
		"20260601120000.5Z":         testNow.Add(500 * time.Millisecond),
		"20260601120000.123Z":       testNow.Add(123 * time.Millisecond),
		"20260601120000.000000001Z": testNow.Add(time.Nanosecond),
	}
	for s, want := range valid {
		got, err := parseGeneralizedTime([]byte(s))
		if err != nil || !got.Equal(want) {
			t.Errorf("parse %q = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "20260601120000", "20260601120000+0700", "20260601120000.Z", "20260601120000.50Z",
		"20260230120000Z", "2026060112000aZ", "20260601120000.1234567891Z", "20260601120000,5Z", "202606011200Z"} {
		if _, err := parseGeneralizedTime([]byte(s)); err == nil {
			t.Errorf("parse %q: no error", s)
		}
	}
	for _, tt := range []struct {
		in   time.Time
		want string
	}{
		{testNow, "20260601120000Z"},
		{testNow.Add(120 * time.Millisecond), "20260601120000.12Z"},
		{testNow.Add(999*time.Millisecond + 999*time.Microsecond), "20260601120000.999Z"},
		{testNow.In(time.FixedZone("ICT", 7*3600)), "20260601120000Z"},
	} {
		if got := formatGeneralizedTime(tt.in); got != tt.want {
			t.Errorf("format %v = %q, want %q", tt.in, got, tt.want)
		}
	}
}
