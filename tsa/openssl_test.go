package tsa

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/cms"
	"github.com/kyso-vn/kyso/internal/testenv"
)

// opensslQuery makes a request with openssl ts -query.
func opensslQuery(t testing.TB, openssl, dir, dataFile string, args ...string) []byte {
	t.Helper()
	out := filepath.Join(dir, "req.tsq")
	cmd := append([]string{"ts", "-query", "-data", dataFile, "-out", out}, args...)
	if b, err := exec.Command(openssl, cmd...).CombinedOutput(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(cmd, " "), err, b)
	}
	q, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func postQuery(t testing.TB, url string, q []byte) []byte {
	t.Helper()
	resp, err := http.Post(url, ContentTypeQuery, bytes.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentTypeReply {
		t.Fatalf("POST: %d %q %v", resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	return b
}

// TestOpenSSLVerifiesAuthority has OpenSSL make requests and verify the
// authority's replies against the test root.
func TestOpenSSLVerifiesAuthority(t *testing.T) {
	openssl := testenv.NeedTool(t, "openssl")
	tests := []struct {
		key   string
		query []string
	}{
		{"p256", []string{"-sha256", "-cert"}},
		{"p256", []string{"-sha512", "-cert", "-no_nonce"}},
		{"p384", []string{"-sha384", "-cert"}},
		{"rsa", []string{"-sha256", "-cert"}},
		{"rsa", []string{"-sha256"}}, // no certReq: the token has no certificates
	}
	for _, tt := range tests {
		t.Run(tt.key+strings.Join(tt.query, ""), func(t *testing.T) {
			pki := newPKI(t, tt.key)
			srv := serve(t, pki.authority(t))
			dir := t.TempDir()
			data := writeFile(t, dir, "data", []byte("bảng điểm học kỳ I"))
			other := writeFile(t, dir, "other", []byte("bảng điểm học kỳ II"))
			reply := writeFile(t, dir, "reply.tsr", postQuery(t, srv.URL, opensslQuery(t, openssl, dir, data, tt.query...)))
			root := writeFile(t, dir, "root.pem", devca.CertsPEM(pki.root()))
			untrusted := writeFile(t, dir, "untrusted.pem", devca.CertsPEM(pki.chain[0], pki.chain[1]))
			verify := func(dataFile string) (string, error) {
				args := []string{"ts", "-verify", "-data", dataFile, "-in", reply, "-CAfile", root, "-untrusted", untrusted,
					"-attime", fmt.Sprint(testNow.Unix())}
				b, err := exec.Command(openssl, args...).CombinedOutput()
				return string(b), err
			}
			if out, err := verify(data); err != nil || !strings.Contains(out, "Verification: OK") {
				t.Fatalf("openssl ts -verify: %v\n%s", err, out)
			}
			if out, err := verify(other); err == nil || strings.Contains(out, "Verification: OK") {
				t.Errorf("openssl ts -verify accepted the token for other data:\n%s", out)
			}
			text, err := exec.Command(openssl, "ts", "-reply", "-in", reply, "-text").CombinedOutput()
			if err != nil {
				t.Fatalf("openssl ts -reply -text: %v\n%s", err, text)
			}
			for _, want := range []string{"Status: Granted.", "Policy OID: " + testPolicy.String(), "Time stamp: Jun  1 12:00:00 2026 GMT"} {
				if !strings.Contains(string(text), want) {
					t.Errorf("openssl ts -reply -text lacks %q:\n%s", want, text)
				}
			}
		})
	}

	t.Run("rejection", func(t *testing.T) {
		srv := serve(t, newPKI(t, "p256").authority(t))
		dir := t.TempDir()
		data := writeFile(t, dir, "data", []byte("x"))
		reply := writeFile(t, dir, "reply.tsr", postQuery(t, srv.URL, opensslQuery(t, openssl, dir, data, "-sha1")))
		text, err := exec.Command(openssl, "ts", "-reply", "-in", reply, "-text").CombinedOutput()
		if err != nil {
			t.Fatalf("openssl ts -reply -text: %v\n%s", err, text)
		}
		for _, want := range []string{"Status: Rejected.", "unrecognized or unsupported algorithm identifier", "TST info:\nNot included."} {
			if !strings.Contains(string(text), want) {
				t.Errorf("openssl ts -reply -text lacks %q:\n%s", want, text)
			}
		}
	})
}

// opensslTSA answers requests with openssl ts -reply, signing with the
// test PKI's TSA key.
type opensslTSA struct {
	t       testing.TB
	openssl string
	dir     string
	config  string
	key     string
	cert    string
	chain   string
	ess     string
}

func newOpenSSLTSA(t testing.TB, openssl string, pki *testPKI, essAlg string) *opensslTSA {
	dir := t.TempDir()
	writeFile(t, dir, "serial", []byte("01\n"))
	config := fmt.Sprintf(`[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = %s
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = %s
`, filepath.Join(dir, "serial"), essAlg)
	return &opensslTSA{
		t: t, openssl: openssl, dir: dir,
		config: writeFile(t, dir, "tsa.cnf", []byte(config)),
		key:    writeFile(t, dir, "tsa.key", keyPEM(t, pki.key)),
		cert:   writeFile(t, dir, "tsa.pem", devca.CertsPEM(pki.chain[0])),
		chain:  writeFile(t, dir, "chain.pem", devca.CertsPEM(pki.chain[1])),
	}
}

func (o *opensslTSA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	dir, err := os.MkdirTemp(o.dir, "req")
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	q := filepath.Join(dir, "q.tsq")
	out := filepath.Join(dir, "r.tsr")
	os.WriteFile(q, body, 0o600)
	b, err := exec.Command(o.openssl, "ts", "-reply", "-config", o.config, "-queryfile", q, "-inkey", o.key,
		"-signer", o.cert, "-chain", o.chain, "-out", out).CombinedOutput()
	if err != nil {
		http.Error(w, fmt.Sprintf("%v\n%s", err, b), 500)
		return
	}
	resp, _ := os.ReadFile(out)
	w.Header().Set("Content-Type", ContentTypeReply)
	w.Write(resp)
}

// TestClientAcceptsOpenSSLTokens runs the client against OpenSSL as the
// authority: tokens with accuracy, ordering, a tsa name, and ESS
// signing-certificate (SHA-1) or signing-certificate-v2 attributes.
func TestClientAcceptsOpenSSLTokens(t *testing.T) {
	openssl := testenv.NeedTool(t, "openssl")
	for _, tt := range []struct{ key, ess string }{{"p256", "sha256"}, {"rsa", "sha1"}, {"p384", "sha384"}} {
		t.Run(tt.key+" "+tt.ess, func(t *testing.T) {
			// openssl ts -reply dates tokens with the real clock and cannot
			// be given another: this test's PKI is built around time.Now.
			pki := newPKIAt(t, tt.key, time.Now())
			srv := serve(t, newOpenSSLTSA(t, openssl, pki, tt.ess))
			c := &Client{URL: srv.URL, Roots: pki.roots()}
			token, err := c.Timestamp(context.Background(), []byte("message"))
			if err != nil {
				t.Fatalf("Timestamp: %v", err)
			}
			info, err := ParseToken(token)
			if err != nil {
				t.Fatal(err)
			}
			if info.Policy.String() != "1.2.3.4.1" || info.Serial.Int64() != 2 /* openssl increments the serial file first */ || !info.Certificate.Equal(pki.chain[0]) {
				t.Errorf("policy %v serial %v signer %q", info.Policy, info.Serial, info.Certificate.Subject)
			}
			// The wrong-root check still holds for foreign tokens.
			c.Roots = newPKI(t, "p256").roots()
			if _, err := c.Timestamp(context.Background(), []byte("message")); !errors.Is(err, ErrBadTSACertificate) {
				t.Errorf("other roots: got %v, want ErrBadTSACertificate", err)
			}
		})
	}
}

// TestSignatureTimeStamp is the PAdES signature time-stamp path end to end:
// a CMS signature from internal/cms, a token over its signature value from
// the authority through the client, the token added as the unsigned
// signatureTimeStampToken attribute; OpenSSL still verifies the signature
// and verifies the token against the signature value.
func TestSignatureTimeStamp(t *testing.T) {
	openssl := testenv.NeedTool(t, "openssl")
	pki := newPKI(t, "p256")
	srv := serve(t, pki.authority(t))
	signerKey := newPKI(t, "rsa") // any sound chain will do for the document signer
	content := []byte("%PDF-1.7 văn bằng tốt nghiệp")
	sum := sha256.Sum256(content)
	leaf, err := signerKey.ca.IssueSigner(rand.Reader, signerKey.key.Public(), devca.Subject{CommonName: "Nguyễn Văn Nghĩa"}, testNow.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	chain := append([]*x509.Certificate{leaf}, signerKey.ca.Chain()...)
	signed, err := cms.Sign(rand.Reader, sum[:], signerKey.key, chain, cms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sv, err := cms.SignatureValue(signed)
	if err != nil {
		t.Fatal(err)
	}
	token, err := (&Client{URL: srv.URL, Roots: pki.roots()}).Timestamp(context.Background(), sv)
	if err != nil {
		t.Fatal(err)
	}
	stamped, err := cms.AddUnsignedAttribute(signed, cms.Attribute{Type: cms.OIDSignatureTimeStampToken, Values: [][]byte{token}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("signature %d bytes (MaxSize %d), token %d bytes, with token %d bytes", len(signed),
		cms.MaxSize(signerKey.key.Public(), chain, cms.Options{}), len(token), len(stamped))

	dir := t.TempDir()
	sig := writeFile(t, dir, "sig.der", stamped)
	data := writeFile(t, dir, "content", content)
	root := writeFile(t, dir, "root.pem", devca.CertsPEM(chain[2]))
	if out, err := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", data,
		"-CAfile", root, "-purpose", "any", "-attime", fmt.Sprint(testNow.Unix()), "-out", filepath.Join(dir, "out")).CombinedOutput(); err != nil {
		t.Fatalf("openssl cms -verify: %v\n%s", err, out)
	}
	// Take the token back out of the attribute and verify it over the
	// signature value with OpenSSL.
	sd, err := cms.Parse(stamped)
	if err != nil {
		t.Fatal(err)
	}
	un := sd.Signer.UnsignedAttributes
	if len(un) != 1 || !un[0].Type.Equal(cms.OIDSignatureTimeStampToken) {
		t.Fatalf("unsigned attributes %v", un)
	}
	tok := writeFile(t, dir, "token.der", un[0].Values[0])
	svFile := writeFile(t, dir, "sigvalue", sv)
	out, err := exec.Command(openssl, "ts", "-verify", "-token_in", "-in", tok, "-data", svFile,
		"-CAfile", writeFile(t, dir, "tsaroot.pem", devca.CertsPEM(pki.root())), "-attime", fmt.Sprint(testNow.Unix())).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify -token_in: %v\n%s", err, out)
	}
}
