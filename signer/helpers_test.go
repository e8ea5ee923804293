package signer

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/kyso-vn/kyso/devca"
)

// testNow is the pinned clock of the tests.
var testNow = time.Date(2026, 7, 1, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// testSubject is the holder of the test signing certificates.
var testSubject = devca.Subject{
	CommonName:   "Nguyễn Văn Nghĩa",
	Title:        "Giám đốc",
	Organization: "Sở Giáo dục và Đào tạo Bến Tre",
}

// newCA creates a development CA valid at testNow.
func newCA(t testing.TB) *devca.CA {
	t.Helper()
	ca, err := devca.New(rand.Reader, testNow, devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// keyKind names a kind of signing key.
type keyKind struct {
	name string
	gen  func() (crypto.Signer, error)
}

func rsaKind(bits int) keyKind {
	return keyKind{name: "RSA-" + strconv.Itoa(bits), gen: func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, bits) }}
}

func ecKind(name string, c elliptic.Curve) keyKind {
	return keyKind{name: "ECDSA-" + name, gen: func() (crypto.Signer, error) { return ecdsa.GenerateKey(c, rand.Reader) }}
}

// issue generates a key of kind k and a certificate for it from ca, and
// returns the key with its chain (leaf, issuing CA, root).
func issue(t testing.TB, ca *devca.CA, k keyKind) (crypto.Signer, []*x509.Certificate) {
	t.Helper()
	key, err := k.gen()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner(rand.Reader, key.Public(), testSubject, testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	return key, append([]*x509.Certificate{leaf}, ca.Chain()...)
}

// testPDF renders a one-page PDF with Vietnamese text in an embedded font.
func testPDF(t testing.TB) []byte {
	t.Helper()
	font, err := os.ReadFile(filepath.Join("..", "pdf", "fonts", "NotoSerif-Regular.ttf"))
	if err != nil {
		t.Fatal(err)
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(testNow)
	f.SetModificationDate(testNow)
	f.AddUTF8FontFromBytes("NotoSerif", "", font)
	f.AddPage()
	f.SetFont("NotoSerif", "", 16)
	f.Text(20, 30, "BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG")
	f.Text(20, 45, "Họ và tên: Trần Thị Ĩnh Nghĩa")
	f.Text(20, 60, "Giám đốc Sở Giáo dục và Đào tạo Vĩnh Long")
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// countingSigner counts the calls to Sign of the key it wraps.
type countingSigner struct {
	crypto.Signer
	calls atomic.Int32
}

func (c *countingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.calls.Add(1)
	return c.Signer.Sign(r, digest, opts)
}
