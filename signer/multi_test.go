package signer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os/exec"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/pdf"
)

// hocBaSigner is one signer of the test học bạ: the field, the person.
type hocBaSigner struct {
	field, name, title string
	after              []string
	certify, lock      bool
	key                crypto.Signer
	chain              []*x509.Certificate
}

// hocBaFields renders a two-page document shaped like a học bạ: two subject
// teachers' fields on page 1, the homeroom teacher, the principal and the
// seal on page 2 (the seal locks), each naming its signer.
func hocBaFields(t testing.TB, r *pdf.Renderer, signers []*hocBaSigner) []byte {
	t.Helper()
	d, err := r.NewDocument(pdf.Options{Created: testNow, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(pdf.Regular, 12)
	d.Text(20, 20, "HỌC BẠ – Trần Thị Ĩnh Nghĩa – Lớp 10A1")
	d.AddPage()
	d.Text(20, 20, "Nhận xét của giáo viên chủ nhiệm")
	for i, s := range signers {
		page, x, y := 1, 20.0+float64(i)*90, 60.0
		if i >= 2 {
			page, x, y = 2, 10+float64(i-2)*65, 200
		}
		d.SignatureField(pdf.SignatureField{Name: s.field, Page: page, Rect: pdf.Rect{X: x, Y: y, W: 60, H: 30},
			Tooltip: s.title + ": " + s.name, SignerName: s.name, Lock: s.lock})
	}
	out, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newHocBaSigners(t testing.TB, ca *devca.CA) []*hocBaSigner {
	t.Helper()
	signers := []*hocBaSigner{
		{field: "gvbm-toan", name: "Nguyễn Văn Nghĩa", title: "Giáo viên bộ môn Toán", certify: true},
		{field: "gvbm-ngu_van", name: "Lê Thị Hoa", title: "Giáo viên bộ môn Ngữ văn"},
		{field: "gvcn", name: "Phạm Thị Thu Hằng", title: "Giáo viên chủ nhiệm", after: []string{"gvbm-toan", "gvbm-ngu_van"}},
		{field: "hieu_truong", name: "Trần Văn Bình", title: "Hiệu trưởng", after: []string{"gvbm-toan", "gvbm-ngu_van", "gvcn"}},
		{field: "con_dau", name: "Trường THPT Chuyên Vĩnh Long", title: "Dấu của nhà trường", lock: true,
			after: []string{"gvbm-toan", "gvbm-ngu_van", "gvcn", "hieu_truong"}},
	}
	for _, s := range signers {
		key, err := ecKind("P256", elliptic.P256()).gen()
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: s.name, Title: s.title}, testNow, 0)
		if err != nil {
			t.Fatal(err)
		}
		s.key, s.chain = key, append([]*x509.Certificate{leaf}, ca.Chain()...)
	}
	return signers
}

// sealPNG is a small red circle on a transparent background, wider than
// high so that keeping the aspect ratio matters.
func sealPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 120, 80))
	for y := range 80 {
		for x := range 120 {
			dx, dy := float64(x-60), float64(y-40)
			if dx*dx+dy*dy < 38*38 && dx*dx+dy*dy > 30*30 {
				img.Set(x, y, color.NRGBA{R: 200, A: 255})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFiveSigners fills the five fields of a học bạ in legal order with
// visible appearances drawn by kyso, the first certifying (DocMDP P=2) and
// the last locking, and has pdfsig check every signature after each step
// and qpdf the final file.
func TestFiveSigners(t *testing.T) {
	ca := newCA(t)
	db := testenv.PDFSig(t, ca.Root)
	qpdf := lookTool(t, "qpdf")
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	signers := newHocBaSigners(t, ca)
	doc := hocBaFields(t, r, signers)
	fields, err := Fields(doc)
	if err != nil || len(fields) != 5 || fields[0].Signed || fields[4].Page != 2 || !fields[4].Lock {
		t.Fatalf("Fields: %+v, %v", fields, err)
	}
	ctx := context.Background()

	for i, s := range signers {
		// Out of order: the next signer but one is refused, before the key.
		if i+1 < len(signers) && len(signers[i+1].after) > 0 {
			next := signers[i+1]
			counter := &countingSigner{Signer: next.key}
			if _, err := Sign(ctx, doc, counter, next.chain, Options{Field: next.field, After: next.after, Time: testNow}); !errors.Is(err, ErrOutOfOrder) {
				t.Fatalf("%s before %s: got %v, want ErrOutOfOrder", next.field, s.field, err)
			}
			if counter.calls.Load() != 0 {
				t.Fatal("the key was used for a refused signature")
			}
		}
		// The wrong person for the field.
		other := signers[(i+1)%len(signers)]
		if _, err := Sign(ctx, doc, other.key, other.chain, Options{Field: s.field, After: s.after, Time: testNow}); !errors.Is(err, ErrWrongSigner) {
			t.Fatalf("%s signing %s: got %v, want ErrWrongSigner", other.name, s.field, err)
		}

		opts := Options{Field: s.field, After: s.after, Name: s.name, Reason: "Ký học bạ năm học 2025–2026",
			Location: "Vĩnh Long", Time: testNow, Appearance: &Appearance{Renderer: r, Title: s.title}}
		if s.certify {
			opts.Certify = CertifyFormFilling
		}
		if s.lock {
			opts.Appearance.Image = sealPNG(t)
		}
		counter := &countingSigner{Signer: s.key}
		out, err := Sign(ctx, doc, counter, s.chain, opts)
		if err != nil {
			t.Fatalf("%s: %v", s.field, err)
		}
		if counter.calls.Load() != 1 || !bytes.HasPrefix(out, doc) {
			t.Fatalf("%s: %d key calls, prefix kept %v", s.field, counter.calls.Load(), bytes.HasPrefix(out, doc))
		}
		doc = out
		path := writeFile(t, "hocba.pdf", doc)
		res := db.Check(t, path)
		signed := 0
		for _, sig := range res.Signatures {
			if !sig.Signed {
				continue
			}
			signed++
			if sig.SignatureValidation != testenv.PDFSigSignatureValid || sig.CertificateValidation != testenv.PDFSigCertificateTrusted {
				t.Errorf("after %s: pdfsig on %s: %q, %q", s.field, sig.FieldName, sig.SignatureValidation, sig.CertificateValidation)
			}
		}
		if signed != i+1 {
			t.Fatalf("after %s: pdfsig found %d signatures, want %d\n%s", s.field, signed, i+1, res.Output)
		}
		last := res.Signatures[len(res.Signatures)-1]
		for _, sig := range res.Signatures {
			if sig.FieldName == s.field {
				last = sig
			}
		}
		if !last.TotalDocumentSigned || last.SignerCommonName != s.name {
			t.Errorf("after %s: the new signature: total %v, signer %q", s.field, last.TotalDocumentSigned, last.SignerCommonName)
		}
	}

	path := writeFile(t, "hocba.pdf", doc)
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors found") {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	fields, err = Fields(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		if !f.Signed {
			t.Errorf("field %s not signed", f.Name)
		}
	}
	// The catalog names the first signature as the certification.
	openSigned(t, doc)

	// Locked: nothing more can be signed, not even a new field.
	extra := signers[0]
	if _, err := Sign(ctx, doc, extra.key, extra.chain, Options{Time: testNow}); !errors.Is(err, ErrLocked) {
		t.Errorf("after the seal: got %v, want ErrLocked", err)
	}
}

// TestAppearanceIsDrawn renders the field's area before and after signing
// and checks that kyso's appearance put ink there.
func TestAppearanceIsDrawn(t *testing.T) {
	ca := newCA(t)
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	signers := newHocBaSigners(t, ca)
	doc := hocBaFields(t, r, signers)
	s := signers[0]
	out, err := Sign(context.Background(), doc, s.key, s.chain, Options{Field: s.field, Time: testNow,
		Appearance: &Appearance{Renderer: r, Title: s.title, Image: sealPNG(t)}})
	if err != nil {
		t.Fatal(err)
	}
	ink := func(pdfBytes []byte) int {
		path := writeFile(t, "a.pdf", pdfBytes)
		// The field is at x 20–80 mm, y 60–90 mm on page 1: at 50 dpi, about
		// pixels 39–157 across and 118–177 down.
		png := testenv.Run(t, "pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-x", "45", "-y", "122", "-W", "105", "-H", "50", path)
		img, err := decodePNG([]byte(png))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if r, g, bb, _ := img.At(x, y).RGBA(); r+g+bb < 3*0xe000 {
					n++
				}
			}
		}
		return n
	}
	before, after := ink(doc), ink(out)
	if before != 0 || after < 200 {
		t.Errorf("dark pixels in the field: %d before signing, %d after; want 0 and many", before, after)
	}
}

func decodePNG(b []byte) (image.Image, error) {
	return png.Decode(bytes.NewReader(b))
}
