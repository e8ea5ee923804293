package signer

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rpdf "github.com/digitorus/pdf"
	"github.com/digitorus/pkcs7"
	"golang.org/x/crypto/ocsp"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/tsa"
)

// testTSA starts a time-stamping authority with a certificate from ca and
// returns a client for it.
func testTSA(t testing.TB, ca *devca.CA) (*tsa.Client, []*x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueTimestamping(rand.Reader, key.Public(), devca.Subject{CommonName: "kyso TSA (thử nghiệm)"}, testNow.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	chain := append([]*x509.Certificate{cert}, ca.Chain()...)
	auth, err := tsa.NewAuthority(key, chain, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, func() time.Time { return testNow }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(auth)
	t.Cleanup(srv.Close)
	return &tsa.Client{URL: srv.URL, Timeout: 5 * time.Second}, chain
}

// opensslTSVerify checks an RFC 3161 token over data with openssl, trusting
// root.
func opensslTSVerify(t testing.TB, token, data []byte, chain []*x509.Certificate) {
	t.Helper()
	openssl := lookTool(t, "openssl")
	dir := t.TempDir()
	tok := filepath.Join(dir, "token.der")
	dat := filepath.Join(dir, "data.bin")
	root := filepath.Join(dir, "root.pem")
	untrusted := filepath.Join(dir, "chain.pem")
	writeAt(t, tok, token)
	writeAt(t, dat, data)
	writeAt(t, root, devca.CertsPEM(chain[len(chain)-1]))
	writeAt(t, untrusted, devca.CertsPEM(chain[:len(chain)-1]...))
	out, err := exec.Command(openssl, "ts", "-verify", "-token_in", "-in", tok, "-data", dat, "-CAfile", root, "-untrusted", untrusted).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}
}

func writeAt(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := writeFileAt(path, data); err != nil {
		t.Fatal(err)
	}
}

// TestLongTermValidation builds every PAdES level kyso writes on a
// two-signer document: signatures with timestamps (B-T), whose tokens
// openssl verifies; then the chains' revocation data in a DSS (B-LT); then a
// document timestamp (B-LTA), also checked by openssl; pdfsig and qpdf check
// the result.
func TestLongTermValidation(t *testing.T) {
	ca := newCA(t)
	db := testenv.PDFSig(t, ca.Root)
	qpdf := lookTool(t, "qpdf")
	ts, tsaChain := testTSA(t, ca)
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	signers := newHocBaSigners(t, ca)
	doc := hocBaFields(t, r, signers)
	ctx := context.Background()
	for _, s := range signers[:2] {
		out, err := Sign(ctx, doc, s.key, s.chain, Options{Field: s.field, Time: testNow, Timestamper: ts, Certify: map[bool]Certification{true: CertifyFormFilling}[s.certify]})
		if err != nil {
			t.Fatalf("%s: %v", s.field, err)
		}
		doc = out
		// The token covers the signature value.
		sd := openSigned(t, doc).cms
		si := sd.Signers[0]
		var token []byte
		for _, a := range si.UnauthenticatedAttributes {
			if a.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}) {
				token = a.Value.Bytes
			}
		}
		if token == nil {
			t.Fatalf("%s: no signature timestamp", s.field)
		}
		opensslTSVerify(t, token, si.EncryptedDigest, tsaChain)
	}

	// B-LT: the CRL and an OCSP response for each signer's certificate.
	crl, err := ca.CRL(rand.Reader, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var vd ValidationData
	for _, c := range ca.Chain() {
		vd.Certs = append(vd.Certs, c.Raw)
	}
	vd.Certs = append(vd.Certs, tsaChain[0].Raw)
	vd.CRLs = append(vd.CRLs, crl)
	for _, s := range signers[:2] {
		req, err := ocsp.CreateRequest(s.chain[0], s.chain[1], nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := ca.OCSP(req, testNow)
		if err != nil {
			t.Fatal(err)
		}
		vd.Certs = append(vd.Certs, s.chain[0].Raw)
		vd.OCSPs = append(vd.OCSPs, resp)
	}
	withDSS, err := AddValidationData(doc, vd)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(withDSS, doc) {
		t.Fatal("the DSS is not an incremental update")
	}
	rdr, err := rpdf.NewReader(bytes.NewReader(withDSS), int64(len(withDSS)))
	if err != nil {
		t.Fatal(err)
	}
	dss := rdr.Trailer().Key("Root").Key("DSS")
	if dss.Key("OCSPs").Len() != 2 || dss.Key("CRLs").Len() != 1 || dss.Key("Certs").Len() != 5 || len(dss.Key("VRI").Keys()) != 2 {
		t.Errorf("DSS: %d OCSPs, %d CRLs, %d certificates, %d VRI entries; want 2, 1, 5, 2",
			dss.Key("OCSPs").Len(), dss.Key("CRLs").Len(), dss.Key("Certs").Len(), len(dss.Key("VRI").Keys()))
	}
	if _, err := AddValidationData(withDSS, ValidationData{}); !errors.Is(err, ErrNoValidationData) {
		t.Errorf("empty validation data: got %v", err)
	}

	// B-LTA: a document timestamp over everything.
	final, err := AddDocumentTimestamp(ctx, withDSS, ts)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := Fields(final)
	if err != nil {
		t.Fatal(err)
	}
	dts := fields[len(fields)-1]
	if dts.Name != "DocTimeStamp1" || !dts.Signed {
		t.Fatalf("last field %+v, want a signed DocTimeStamp1", dts)
	}
	v := dts.value.Key("V")
	br := v.Key("ByteRange")
	if v.Key("Type").Name() != "DocTimeStamp" || v.Key("SubFilter").Name() != "ETSI.RFC3161" || br.Index(2).Int64()+br.Index(3).Int64() != int64(len(final)) {
		t.Fatalf("document timestamp dictionary: type %s, sub-filter %s", v.Key("Type").Name(), v.Key("SubFilter").Name())
	}
	a, b := br.Index(1).Int64(), br.Index(2).Int64()
	covered := append(append([]byte{}, final[:a]...), final[b:]...)
	var token asn1.RawValue
	raw := []byte(v.Key("Contents").RawString())
	rest, err := asn1.Unmarshal(raw, &token)
	if err != nil || len(bytes.Trim(rest, "\x00")) != 0 {
		t.Fatalf("document timestamp token: %v", err)
	}
	opensslTSVerify(t, raw[:len(raw)-len(rest)], covered, tsaChain)
	if _, err := pkcs7.Parse(raw[:len(raw)-len(rest)]); err != nil {
		t.Errorf("the token is not a CMS SignedData: %v", err)
	}

	path := writeFile(t, "lta.pdf", final)
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors found") {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	res := db.Check(t, path)
	valid := 0
	for _, s := range res.Signatures {
		if s.Signed && s.SignatureValidation == testenv.PDFSigSignatureValid {
			valid++
		}
	}
	if valid < 2 {
		t.Errorf("pdfsig: %d valid signatures, want the two signatures (and the document timestamp)\n%s", valid, res.Output)
	}

	// A timestamp authority that cannot be reached leaves no output.
	dead := &tsa.Client{URL: "http://127.0.0.1:1/", Timeout: time.Second}
	s := signers[2]
	if out, err := Sign(ctx, doc, s.key, s.chain, Options{Field: s.field, After: s.after, Time: testNow, Timestamper: dead}); !errors.Is(err, ErrTimestamp) || out != nil {
		t.Errorf("unreachable TSA: got %d bytes, %v; want ErrTimestamp and nothing", len(out), err)
	}
}
