package signer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pkcs7"
	"github.com/go-pdf/fpdf"

	"github.com/kyso-vn/kyso/internal/testenv"
)

// signedPDF is a signed file opened for inspection.
type signedPDF struct {
	rdr     *pdf.Reader
	sig     pdf.Value // the signature dictionary
	cms     *pkcs7.PKCS7
	signed  []byte // the bytes the byte range covers
	reserve int    // bytes reserved for the CMS signature
	cmsLen  int    // bytes the CMS signature took
}

// openSigned parses out with digitorus/pdf, independently of pdfsign's
// writer, and checks the shape of the signature field and byte range.
func openSigned(t testing.TB, out []byte) *signedPDF {
	t.Helper()
	defer func() {
		// digitorus/pdf panics on malformed objects.
		if r := recover(); r != nil {
			t.Fatalf("signed PDF does not parse: %v", r)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatalf("signed PDF does not parse: %v", err)
	}
	fields := rdr.Trailer().Key("Root").Key("AcroForm").Key("Fields")
	if fields.Len() < 1 {
		t.Fatalf("got %d form fields, want at least 1", fields.Len())
	}
	// The signature of the last update is the one covering the file.
	var field pdf.Value
	for i := 0; i < fields.Len(); i++ {
		f := fields.Index(i)
		if br := f.Key("V").Key("ByteRange"); br.Len() == 4 && br.Index(2).Int64()+br.Index(3).Int64() == int64(len(out)) {
			field = f
		}
	}
	if field.IsNull() {
		t.Fatal("no signature covers the whole file")
	}
	if ft := field.Key("FT").Name(); ft != "Sig" {
		t.Fatalf("field type %q, want Sig", ft)
	}
	sig := field.Key("V")
	if typ := sig.Key("Type").Name(); typ != "Sig" {
		t.Fatalf("signature dictionary /Type %q, want Sig", typ)
	}
	if sf := sig.Key("SubFilter").Name(); sf != "ETSI.CAdES.detached" {
		t.Errorf("SubFilter %q, want ETSI.CAdES.detached", sf)
	}
	br := sig.Key("ByteRange")
	if br.Len() != 4 {
		t.Fatalf("ByteRange has %d numbers, want 4", br.Len())
	}
	var r [4]int64
	for i := range r {
		r[i] = br.Index(i).Int64()
	}
	if r[0] != 0 || r[2]+r[3] != int64(len(out)) || r[1] >= r[2] {
		t.Fatalf("ByteRange %v does not cover a file of %d bytes around one hole", r, len(out))
	}
	if out[r[1]] != '<' || out[r[2]-1] != '>' {
		t.Fatalf("ByteRange hole %d–%d is not the /Contents hex string", r[1], r[2])
	}
	contents := []byte(sig.Key("Contents").RawString())
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(contents, &raw)
	if err != nil {
		t.Fatalf("Contents: %v", err)
	}
	if len(bytes.Trim(rest, "\x00")) != 0 {
		t.Fatalf("Contents: %d bytes after the CMS signature are not padding", len(rest))
	}
	cms, err := pkcs7.Parse(contents[:len(contents)-len(rest)])
	if err != nil {
		t.Fatalf("Contents: %v", err)
	}
	signed := append(append([]byte{}, out[:r[1]]...), out[r[2]:]...)
	return &signedPDF{rdr: rdr, sig: sig, cms: cms, signed: signed,
		reserve: len(contents), cmsLen: len(contents) - len(rest)}
}

// text returns a text string entry of the signature dictionary, checking
// that it is UTF-16BE with a byte order mark when it is not ASCII.
func (s *signedPDF) text(t testing.TB, key string) string {
	t.Helper()
	v := s.sig.Key(key)
	if v.Kind() != pdf.String {
		t.Fatalf("/%s is a %v, want a string", key, v.Kind())
	}
	raw := v.RawString()
	if !isASCII(raw) && !strings.HasPrefix(raw, "\xFE\xFF") {
		t.Fatalf("/%s = % x: non-ASCII without a UTF-16BE byte order mark", key, raw)
	}
	return v.Text()
}

// verifyCMS checks the CMS signature over the signed bytes and that it
// carries exactly chain.
func (s *signedPDF) verifyCMS(t testing.TB, chain []*x509.Certificate) {
	t.Helper()
	s.cms.Content = s.signed
	if err := s.cms.Verify(); err != nil {
		t.Fatalf("CMS signature does not verify: %v", err)
	}
	if len(s.cms.Certificates) != len(chain) {
		t.Fatalf("CMS carries %d certificates, want %d", len(s.cms.Certificates), len(chain))
	}
	for i, c := range chain {
		if !s.cms.Certificates[i].Equal(c) {
			t.Errorf("CMS certificate %d is %q, want %q", i, s.cms.Certificates[i].Subject.CommonName, c.Subject.CommonName)
		}
	}
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSignPDFSig signs with ECDSA and RSA keys from the development CA and
// has poppler's pdfsig, with only the CA's root trusted, check the result.
func TestSignPDFSig(t *testing.T) {
	ca := newCA(t)
	db := testenv.PDFSig(t, ca.Root)
	qpdf := lookTool(t, "qpdf")
	in := testPDF(t)
	opts := Options{
		Name:        "Nguyễn Văn Nghĩa",
		Reason:      "Cấp bằng tốt nghiệp THPT (năm 2026)",
		Location:    "Vĩnh Long",
		ContactInfo: "vanphong@sogddt.vinhlong.gov.vn",
		Time:        testNow,
	}
	for _, k := range []keyKind{ecKind("P256", elliptic.P256()), rsaKind(2048)} {
		t.Run(k.name, func(t *testing.T) {
			key, chain := issue(t, ca, k)
			counter := &countingSigner{Signer: key}
			out, err := Sign(context.Background(), in, counter, chain, opts)
			if err != nil {
				t.Fatal(err)
			}
			if n := counter.calls.Load(); n != 1 {
				t.Errorf("key signed %d times, want 1", n)
			}
			if !bytes.HasPrefix(out, in) {
				t.Error("signed PDF does not start with the unsigned one: not an incremental update")
			}
			path := writeFile(t, "signed.pdf", out)

			res := db.Check(t, path)
			if len(res.Signatures) != 1 {
				t.Fatalf("pdfsig found %d signatures, want 1\n%s", len(res.Signatures), res.Output)
			}
			got := res.Signatures[0]
			checks := []struct{ what, got, want string }{
				{"signature validation", got.SignatureValidation, testenv.PDFSigSignatureValid},
				{"certificate validation", got.CertificateValidation, testenv.PDFSigCertificateTrusted},
				{"signer common name", got.SignerCommonName, "Nguyễn Văn Nghĩa"},
				{"hash algorithm", got.HashAlgorithm, "SHA-256"},
				{"signature type", got.SignatureType, "ETSI.CAdES.detached"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("pdfsig %s: got %q, want %q", c.what, c.got, c.want)
				}
			}
			if !got.TotalDocumentSigned {
				t.Errorf("pdfsig: not total document signed\n%s", res.Output)
			}
			if len(got.Other) != 0 {
				t.Errorf("pdfsig printed lines the parser does not know: %q", got.Other)
			}
			if n := len(got.SignedRanges); n != 2 || got.SignedRanges[1][1] != int64(len(out)) {
				t.Errorf("pdfsig signed ranges %v, want two ending at %d", got.SignedRanges, len(out))
			}

			s := openSigned(t, out)
			s.verifyCMS(t, chain)
			for key, want := range map[string]string{
				"Name": opts.Name, "Reason": opts.Reason, "Location": opts.Location, "ContactInfo": opts.ContactInfo,
			} {
				if got := s.text(t, key); got != want {
					t.Errorf("/%s: got %q, want %q", key, got, want)
				}
			}
			if got, want := s.sig.Key("M").RawString(), "D:20260701010000Z"; got != want {
				t.Errorf("/M: got %q, want %q", got, want)
			}

			qout, err := exec.Command(qpdf, "--check", path).CombinedOutput()
			if err != nil || !strings.Contains(string(qout), "No syntax or stream encoding errors found") {
				t.Errorf("qpdf --check: %v\n%s", err, qout)
			}
		})
	}
}

// TestSignTextFields signs with each troublesome string in every text field
// and reads the fields back with digitorus/pdf.
func TestSignTextFields(t *testing.T) {
	ca := newCA(t)
	key, chain := issue(t, ca, ecKind("P256", elliptic.P256()))
	in := testPDF(t)
	cases := textCases(t)
	// Sign refuses control characters other than tab, LF and CR.
	cases = append(cases[:len(cases):len(cases)], "Nguyễn (Văn) \\ Nghĩa\r\n\tVĩnh Long", "plain ASCII (with \\ and \r)")
	for _, text := range cases {
		if checkText("Name", text) != nil {
			continue
		}
		t.Run(fmt.Sprintf("%.30q", text), func(t *testing.T) {
			out, err := Sign(context.Background(), in, key, chain, Options{Name: text, Reason: text, Location: text, ContactInfo: text, Time: testNow})
			if err != nil {
				t.Fatal(err)
			}
			s := openSigned(t, out)
			for _, k := range []string{"Name", "Reason", "Location", "ContactInfo"} {
				if got := s.text(t, k); got != text {
					t.Errorf("/%s: got %q, want %q", k, got, text)
				}
			}
			s.verifyCMS(t, chain)
		})
	}
}

// TestSignNFC checks that decomposed input is written composed.
func TestSignNFC(t *testing.T) {
	ca := newCA(t)
	key, chain := issue(t, ca, ecKind("P256", elliptic.P256()))
	nfd := "Nguye\u0302\u0303n Va\u0306n Nghi\u0303a"
	out, err := Sign(context.Background(), testPDF(t), key, chain, Options{Name: nfd, Time: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := openSigned(t, out).text(t, "Name"), "Nguyễn Văn Nghĩa"; got != want {
		t.Errorf("/Name: got %q, want %q", got, want)
	}
}

// TestSignOnce checks that Sign reserves enough room for each key size, so
// the key (a token, a remote service) signs once.
func TestSignOnce(t *testing.T) {
	ca := newCA(t)
	in := testPDF(t)
	kinds := []keyKind{
		rsaKind(2048), rsaKind(3072), rsaKind(4096),
		ecKind("P256", elliptic.P256()), ecKind("P384", elliptic.P384()), ecKind("P521", elliptic.P521()),
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			key, chain := issue(t, ca, k)
			for n := 1; n <= len(chain); n++ {
				counter := &countingSigner{Signer: key}
				out, err := Sign(context.Background(), in, counter, chain[:n], Options{Name: "Nguyễn Văn Nghĩa", Time: testNow})
				if err != nil {
					t.Fatalf("chain of %d: %v", n, err)
				}
				if c := counter.calls.Load(); c != 1 {
					t.Errorf("chain of %d: key signed %d times, want 1", n, c)
				}
				s := openSigned(t, out)
				s.verifyCMS(t, chain[:n])
				// cms.MaxSize is an upper bound; keep its margin from growing
				// without notice.
				if spare := s.reserve - s.cmsLen; spare > 1024 {
					t.Errorf("chain of %d: %d bytes reserved for a %d-byte signature", n, s.reserve, s.cmsLen)
				}
			}
		})
	}
}

// TestSignSecondSignatureRefused checks the guard against a second use of
// the key.
func TestSignSecondSignatureRefused(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingSigner{Signer: key}
	g := &onceSigner{key: counter}
	digest := make([]byte, 32)
	if _, err := g.Sign(rand.Reader, digest, crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Sign(rand.Reader, digest, crypto.SHA256); !errors.Is(err, ErrSecondSignature) {
		t.Errorf("second Sign: got %v, want ErrSecondSignature", err)
	}
	if n := counter.calls.Load(); n != 1 {
		t.Errorf("key signed %d times, want 1", n)
	}
}

// selfSigned makes a self-signed certificate for key with the given key
// usage, valid around testNow.
func selfSigned(t testing.TB, key crypto.Signer, usage x509.KeyUsage) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "Trần Thị Ĩnh"},
		NotBefore:    testNow.Add(-time.Hour),
		NotAfter:     testNow.Add(time.Hour),
		KeyUsage:     usage,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pdfWithForm is a hand-written PDF with one text form field.
func pdfWithForm() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
		"<< /Type /Annot /Subtype /Widget /FT /Tx /T (ten) /Rect [10 10 100 30] /P 3 0 R >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// encryptedPDF renders testPDF's kind of document with a user password.
func encryptedPDF(t testing.TB) []byte {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetProtection(fpdf.CnProtectPrint, "", "owner")
	f.AddPage()
	f.SetFont("Helvetica", "", 12)
	f.Text(20, 20, "secret")
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSignRefuses checks every input Sign refuses, and that it refuses
// before it asks the key for a signature.
func TestSignRefuses(t *testing.T) {
	ca := newCA(t)
	key, chain := issue(t, ca, ecKind("P256", elliptic.P256()))
	other, _ := issue(t, ca, ecKind("P256", elliptic.P256()))
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caOnlyKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caOnly := selfSigned(t, caOnlyKey, x509.KeyUsageCertSign)
	good := testPDF(t)
	signed, err := Sign(context.Background(), good, key, chain, Options{Time: testNow})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Name: "Nguyễn Văn Nghĩa", Time: testNow}

	tests := []struct {
		name  string
		in    []byte
		key   crypto.Signer
		chain []*x509.Certificate
		opts  Options
		want  error
	}{
		{"empty chain", good, key, nil, opts, ErrNoChain},
		{"nil certificate", good, key, []*x509.Certificate{chain[0], nil}, opts, ErrNoChain},
		{"nil key", good, nil, chain, opts, ErrUnsupportedKey},
		{"other key", good, other, chain, opts, ErrKeyMismatch},
		{"RSA-1024", good, rsa1024, chain, opts, ErrUnsupportedKey},
		{"P-224", good, p224, chain, opts, ErrUnsupportedKey},
		{"Ed25519", good, edKey, chain, opts, ErrUnsupportedKey},
		{"no signing key usage", good, caOnlyKey, []*x509.Certificate{caOnly}, opts, ErrKeyUsage},
		{"chain out of order", good, key, []*x509.Certificate{chain[0], chain[2], chain[1]}, opts, ErrBadChain},
		{"chain of another CA", good, key, []*x509.Certificate{chain[0], newCA(t).Issuing}, opts, ErrBadChain},
		{"no time", good, key, chain, Options{Name: "x"}, ErrNoTime},
		{"before the certificate", good, key, chain, Options{Time: chain[0].NotBefore.Add(-time.Second)}, ErrNotValidAt},
		{"after the certificate", good, key, chain, Options{Time: chain[0].NotAfter.Add(time.Second)}, ErrNotValidAt},
		{"control character", good, key, chain, Options{Reason: "a\x00b", Time: testNow}, ErrInvalidText},
		{"invalid UTF-8", good, key, chain, Options{Location: "Vĩnh\xffLong", Time: testNow}, ErrInvalidText},
		{"text too long", good, key, chain, Options{ContactInfo: strings.Repeat("a", MaxTextLen+1), Time: testNow}, ErrInvalidText},
		{"too large", append(bytes.Repeat([]byte(" "), MaxInputSize), good...), key, chain, opts, ErrTooLarge},
		{"empty input", nil, key, chain, opts, ErrInvalidPDF},
		{"not a PDF", []byte("Nguyễn Văn Nghĩa"), key, chain, opts, ErrInvalidPDF},
		{"truncated PDF", good[:len(good)/2], key, chain, opts, ErrInvalidPDF},
		{"no trailer", []byte("%PDF-1.4\n%%EOF\n"), key, chain, opts, ErrInvalidPDF},
		{"encrypted", encryptedPDF(t), key, chain, opts, ErrUnsupportedPDF},
		{"no such field", good, key, chain, Options{Field: "hieu_truong", Time: testNow}, ErrNoField},
		{"field already signed", signed, key, chain, Options{Field: "Signature1", Time: testNow}, ErrFieldSigned},
		{"signer before", good, key, chain, Options{After: []string{"Signature1"}, Time: testNow}, ErrNoField},
		{"certify after a signature", signed, key, chain, Options{Certify: CertifyFormFilling, Time: testNow}, ErrCertifyNotFirst},
		{"bad certification", good, key, chain, Options{Certify: 4, Time: testNow}, ErrUnsupportedPDF},
		{"PSS with ECDSA", good, key, chain, Options{PSS: true, Time: testNow}, ErrUnsupportedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var k crypto.Signer
			var counter *countingSigner
			if tt.key != nil {
				counter = &countingSigner{Signer: tt.key}
				k = counter
			}
			out, err := Sign(context.Background(), tt.in, k, tt.chain, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if out != nil {
				t.Errorf("got %d bytes of output with the error, want none", len(out))
			}
			if counter != nil && counter.calls.Load() != 0 {
				t.Errorf("key signed %d times, want 0", counter.calls.Load())
			}
		})
	}
}

// FuzzSign feeds arbitrary bytes to Sign as the PDF: it must not panic, and
// what it signs must parse and carry a verifying signature.
func FuzzSign(f *testing.F) {
	ca := newCA(f)
	key, chain := issue(f, ca, ecKind("P256", elliptic.P256()))
	good := testPDF(f)
	f.Add(good)
	f.Add(pdfWithForm())
	f.Add(good[:len(good)-10])
	f.Add([]byte("%PDF-1.7\n%%EOF"))
	f.Add([]byte("%PDF-1.7\nstartxref\n0\n%%EOF"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Sign(context.Background(), in, key, chain, Options{Name: "Nghĩa", Time: testNow})
		if err != nil {
			for _, want := range []error{ErrInvalidPDF, ErrUnsupportedPDF, ErrTooLarge} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("error of no expected kind: %v", err)
		}
		s := openSigned(t, out)
		s.verifyCMS(t, chain)
	})
}

func BenchmarkSign(b *testing.B) {
	ca := newCA(b)
	in := testPDF(b)
	for _, k := range []keyKind{ecKind("P256", elliptic.P256()), rsaKind(2048)} {
		key, chain := issue(b, ca, k)
		b.Run(k.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Sign(context.Background(), in, key, chain, Options{Name: "Nguyễn Văn Nghĩa", Time: testNow}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// lookTool returns the path of an external program, failing the test when
// it is missing and CI=true and skipping it otherwise.
func lookTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI but not installed", name)
		}
		t.Skipf("%s not installed; install it to run this test", name)
	}
	return p
}
