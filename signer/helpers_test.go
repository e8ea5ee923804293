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
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"

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

// vietnameseLetters returns every precomposed Vietnamese letter: the twelve
// vowels with each of the six tones, lower and upper case, then đ and Đ.
func vietnameseLetters(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	tones := []string{"", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
	n := 0
	for _, vowel := range "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY" {
		for _, tone := range tones {
			letter := norm.NFC.String(string(vowel) + tone)
			if utf8.RuneCountInString(letter) != 1 {
				t.Fatalf("%q%q has no precomposed form", vowel, tone)
			}
			b.WriteString(letter)
			n++
		}
	}
	b.WriteString("đĐ")
	if n+2 != 146 {
		t.Fatalf("got %d letters, want 146", n+2)
	}
	return b.String()
}

// textCases are strings that break naive PDF string writers (pdfsign v0.9.0
// wrote "Ĩ"/"ĩ" as raw parentheses): every Vietnamese letter, parentheses,
// backslashes, line ends, surrogate pairs.
func textCases(t testing.TB) []string {
	return []string{
		vietnameseLetters(t),
		"Nguyễn Văn Nghĩa",
		"Vĩnh Long",
		"Thạc sĩ",
		"ĨĨĨ ĩĩĩ",
		"Nghĩa (",
		") Nghĩa",
		`\\ Vĩnh \( Long \)`,
		"\rNghĩa\r\nVĩnh Long\n\r",
		"Sở Giáo dục (và) Đào tạo\\Bến Tre\r)",
		"Ü Ø ÛÝÞßÙÚ",
		"😀 Nghĩa 𝔸",
		"\uFFFD\uFFFE\uFFFF",
		"\t(\n)Ĩ",
		"plain ASCII (with \\ and \r)",
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func writeFileAt(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }
