package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/go-pdf/fpdf"
	"github.com/kyso-vn/kyso/devca"
)

// fixedDate is the creation date written into test PDFs.
var fixedDate = time.Date(2026, 6, 15, 8, 0, 0, 0, time.UTC)

// holderName is printed on test documents; tamper tests change it.
const holderName = "Nguyen Van An"

func newCA(t testing.TB, now time.Time) *devca.CA {
	t.Helper()
	ca, err := devca.New(rand.Reader, now, devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rsaKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func issueSigner(t testing.TB, ca *devca.CA, pub crypto.PublicKey, now time.Time, validity time.Duration) *x509.Certificate {
	t.Helper()
	c, err := ca.IssueSigner(rand.Reader, pub, devca.Subject{
		CommonName:   "Tran Thi Giam Doc",
		Title:        "Giám đốc",
		Organization: "Sở Giáo dục và Đào tạo Bến Tre",
		SerialNumber: "STAFF-0001",
	}, now, validity)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// plainPDF renders a one-page diploma-like PDF with fpdf, uncompressed so
// that tests can find and change the visible text.
func plainPDF(t testing.TB) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCompression(false)
	p.SetCatalogSort(true)
	p.SetCreationDate(fixedDate)
	p.SetModificationDate(fixedDate)
	p.AddPage()
	p.SetFont("Helvetica", "", 16)
	p.Cell(0, 12, "BANG TOT NGHIEP TRUNG HOC PHO THONG")
	p.Ln(14)
	p.Cell(0, 12, "Ho va ten: "+holderName)
	var out bytes.Buffer
	if err := p.Output(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// pdfsignSign signs in with pdfsign as kyso's signer does: an approval
// signature, adbe.pkcs7.detached. chain is what goes into the CMS after the
// signer certificate.
func pdfsignSign(t testing.TB, in []byte, key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, hash crypto.Hash) []byte {
	t.Helper()
	rdr, err := pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(in), &out, rdr, int64(len(in)), sign.SignData{
		Signature: sign.SignDataSignature{
			CertType: sign.ApprovalSignature,
			Info:     sign.SignDataSignatureInfo{Name: "Tran Thi Giam Doc", Reason: "Cap bang tot nghiep", Date: fixedDate},
		},
		Signer:            key,
		DigestAlgorithm:   hash,
		Certificate:       cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{cert}, chain...)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// env is a trusted development CA with an ECDSA signer, and the time the
// certificates were issued. pdfsign stamps the signing time from the wall
// clock, so certificates are issued at the wall clock time too.
type env struct {
	ca   *devca.CA
	key  crypto.Signer
	cert *x509.Certificate
	now  time.Time
}

func newEnv(t testing.TB) *env {
	t.Helper()
	now := time.Now()
	ca := newCA(t, now)
	key := ecKey(t)
	return &env{ca: ca, key: key, cert: issueSigner(t, ca, key.Public(), now, 0), now: now}
}

// opts returns Options trusting the env's root, validating an hour after
// the certificates were issued.
func (e *env) opts() Options {
	return Options{Roots: []*x509.Certificate{e.ca.Root}, Now: func() time.Time { return e.now.Add(time.Hour) }}
}

// signed returns the fpdf document signed with pdfsign by the env signer.
func (e *env) signed(t testing.TB) []byte {
	t.Helper()
	return pdfsignSign(t, plainPDF(t), e.key, e.cert, e.ca.Chain(), crypto.SHA256)
}

func mustVerify(t testing.TB, data []byte, opts Options) *Report {
	t.Helper()
	rep, err := PDF(data, opts)
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	return rep
}

// wantVerdict fails the test when the report's indication or
// sub-indication differs from the expected ones.
func wantVerdict(t testing.TB, rep *Report, ind Indication, sub SubIndication) {
	t.Helper()
	if rep.Indication != ind || rep.SubIndication != sub {
		t.Fatalf("got %s/%s, want %s/%s\n%s", rep.Indication, rep.SubIndication, ind, sub, describeReport(rep))
	}
}

// failedCheck returns the named failed check from the report (document
// level first, then signatures), or fails the test.
func failedCheck(t testing.TB, rep *Report, name string) Check {
	t.Helper()
	all := append([]Check(nil), rep.Checks...)
	for _, s := range rep.Signatures {
		all = append(all, s.Checks...)
	}
	for _, c := range all {
		if c.Name == name && !c.Passed {
			return c
		}
	}
	t.Fatalf("no failed check %q\n%s", name, describeReport(rep))
	return Check{}
}

func describeReport(rep *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s\n", rep.Indication, rep.SubIndication)
	for _, c := range rep.Checks {
		fmt.Fprintf(&b, "  doc %-24s %v %s %s\n", c.Name, c.Passed, c.SubIndication, c.Detail)
	}
	for _, s := range rep.Signatures {
		fmt.Fprintf(&b, "  signature %q %s/%s\n", s.Field, s.Indication, s.SubIndication)
		for _, c := range s.Checks {
			fmt.Fprintf(&b, "    %-30s %v %s %s\n", c.Name, c.Passed, c.SubIndication, c.Detail)
		}
	}
	return b.String()
}

// replaceOnce replaces the only occurrence of old in data, keeping the
// length, or fails the test.
func replaceOnce(t testing.TB, data []byte, old, new string) []byte {
	t.Helper()
	if len(old) != len(new) {
		t.Fatalf("replacement changes the length: %q -> %q", old, new)
	}
	if n := bytes.Count(data, []byte(old)); n != 1 {
		t.Fatalf("%q occurs %d times, want 1", old, n)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

// sigGap returns the offsets of the signature's <hex> gap, from the
// /ByteRange as written.
func sigGap(t testing.TB, data []byte) (lt, gt int) {
	t.Helper()
	raws := scanByteRanges(data)
	if len(raws) == 0 || raws[len(raws)-1].problem != "" {
		t.Fatalf("no readable /ByteRange: %+v", raws)
	}
	v := raws[len(raws)-1].values
	return int(v[1]), int(v[2]) - 1
}

// ---- A hand-made PDF writer, for documents pdfsign cannot make. ----

// handPDF is a PDF written object by object, with a classic
// cross-reference table.
type handPDF struct {
	objs []string
}

// add appends an object and returns its number.
func (p *handPDF) add(body string) int {
	p.objs = append(p.objs, body)
	return len(p.objs)
}

// bytes writes the file; trailerExtra is added to the trailer dictionary.
func (p *handPDF) bytes(root int, trailerExtra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(p.objs))
	for i, o := range p.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(p.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(p.objs)+1, root, trailerExtra, xref)
	return b.Bytes()
}

// Placeholders written into hand-made signature dictionaries.
const (
	byteRangePlaceholder = "/ByteRange [0 ********** ********** **********]"
	contentsHexLen       = 2 * 12288
)

func contentsPlaceholder() string {
	return "/Contents <" + strings.Repeat("0", contentsHexLen) + ">"
}

// sigDict is a signature dictionary with placeholders.
func sigDict(subFilter string) string {
	return "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /" + subFilter + " " +
		byteRangePlaceholder + " " + contentsPlaceholder() + " /M (D:20260615080000Z) >>"
}

// handDoc is a one-page document whose form holds one signature field
// named name, with a signature dictionary of the given SubFilter.
func handDoc(subFilter string) []byte {
	var p handPDF
	catalog := p.add("") // filled below
	pages := p.add("")
	page := p.add("")
	text := "BT /F1 12 Tf 20 100 Td (" + holderName + ") Tj ET"
	content := p.add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(text), text))
	sig := p.add(sigDict(subFilter))
	field := p.add(fmt.Sprintf("<< /FT /Sig /T (Signature1) /V %d 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P %d 0 R /F 132 >>", sig, page))
	font := p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	p.objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /AcroForm << /Fields [%d 0 R] /SigFlags 3 >> >>", pages, field)
	p.objs[pages-1] = fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page)
	p.objs[page-1] = fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 300 200] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> /Annots [%d 0 R] >>", pages, content, font, field)
	return p.bytes(catalog, "")
}

// fillSignature replaces the placeholders of the (single) hand-made
// signature dictionary: it writes the /ByteRange around the /Contents
// placeholder, then the CMS that build returns for the signed bytes.
func fillSignature(t testing.TB, data []byte, build func(signed []byte) []byte) []byte {
	t.Helper()
	data = bytes.Clone(data)
	c := bytes.Index(data, []byte("/Contents <"+strings.Repeat("0", 32)))
	if c < 0 {
		t.Fatal("no /Contents placeholder")
	}
	lt := c + len("/Contents ")
	gt := lt + 1 + contentsHexLen
	if data[gt] != '>' {
		t.Fatalf("placeholder does not end at %d", gt)
	}
	br := fmt.Sprintf("/ByteRange [0 %d %d %d]", lt, gt+1, len(data)-(gt+1))
	br += strings.Repeat(" ", len(byteRangePlaceholder)-len(br))
	data = replaceOnce(t, data, byteRangePlaceholder, br)
	signed := append(bytes.Clone(data[:lt]), data[gt+1:]...)
	der := build(signed)
	h := hex.EncodeToString(der)
	if len(h) > contentsHexLen {
		t.Fatalf("CMS of %d bytes does not fit the placeholder", len(der))
	}
	copy(data[lt+1:], h)
	return data
}

// issueCustom issues a certificate from tmpl with the given parent and
// parent key (a self-signed one when parent is nil).
func issueCustom(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testCA is a CA made in the test with x509 directly, for certificates
// devca does not issue.
type testCA struct {
	root, issuing       *x509.Certificate
	rootKey, issuingKey crypto.Signer
}

func newTestCA(t testing.TB, name pkix.Name, issuingName pkix.Name, now time.Time) *testCA {
	t.Helper()
	ca := &testCA{rootKey: ecKey(t), issuingKey: ecKey(t)}
	ca.root = issueCustom(t, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: name,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}, nil, ca.rootKey.Public(), ca.rootKey)
	ca.issuing = issueCustom(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: issuingName,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(5 * 365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}, ca.root, ca.issuingKey.Public(), ca.rootKey)
	return ca
}

// leaf issues a signer certificate from the issuing CA.
func (ca *testCA) leaf(t testing.TB, tmpl *x509.Certificate, pub crypto.PublicKey) *x509.Certificate {
	t.Helper()
	return issueCustom(t, tmpl, ca.issuing, pub, ca.issuingKey)
}

func nameOf(cn string) pkix.Name {
	return pkix.Name{Country: []string{"VN"}, CommonName: cn}
}

func bigInt(i int) *big.Int {
	return big.NewInt(int64(i))
}

// fakeLookup is a CredentialLookup answering from a map, or with err.
type fakeLookup struct {
	creds map[[32]byte]*Credential
	err   error
}

// LookupDocument finds a credential keyed by the file's digest, then by the
// signed-content digest, as the registry adapter does.
func (f *fakeLookup) LookupDocument(_ context.Context, d Digests) (*Credential, error) {
	if f.err != nil {
		return nil, f.err
	}
	if c, ok := f.creds[d.File]; ok {
		cc := *c
		cc.Match = MatchFile
		return &cc, nil
	}
	if c, ok := f.creds[d.Signed]; ok && d.Signed != ([32]byte{}) {
		cc := *c
		cc.Match = MatchSigned
		return &cc, nil
	}
	return nil, fmt.Errorf("lookup %x: %w", d.File[:4], ErrUnknownDocument)
}
