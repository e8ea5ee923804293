package pdf

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/digitorus/pdf"
)

// fieldDoc renders a two-page document with fields placed by place, and an
// attachment when attach is set.
func fieldDoc(t testing.TB, r *Renderer, attach bool, place func(d *Document)) ([]byte, error) {
	t.Helper()
	d, err := r.NewDocument(Options{Created: testCreated, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(Regular, 12)
	d.Text(20, 30, "Trang một: Nguyễn Văn Nghĩa")
	d.AddPage()
	d.Text(20, 30, "Trang hai: Vĩnh Long")
	if attach {
		d.Attach("kyso-record.json", "application/json", "", []byte(`{"a":1}`), testCreated)
	}
	place(d)
	return d.Bytes()
}

func TestSignatureFieldsAreReadable(t *testing.T) {
	r := newTestRenderer(t)
	for _, attach := range []bool{false, true} {
		out, err := fieldDoc(t, r, attach, func(d *Document) {
			d.SignatureField(SignatureField{Name: "GVCN", Rect: Rect{X: 20, Y: 200, W: 60, H: 25},
				Tooltip: "Giáo viên chủ nhiệm: Lê Thị Hoa", SignerName: "Lê Thị Hoa"})
			d.SignatureField(SignatureField{Name: "HieuTruong", Rect: Rect{X: 120, Y: 200, W: 60, H: 25},
				Tooltip: "Hiệu trưởng: Trần Văn Bình", SignerName: "Trần Văn Bình", SignerID: "079123456789", Lock: true})
		})
		if err != nil {
			t.Fatal(err)
		}
		rd, err := pdf.NewReader(bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		form := rd.Trailer().Key("Root").Key("AcroForm")
		fields := form.Key("Fields")
		if fields.Len() != 2 || form.Key("SigFlags").Int64() != 1 {
			t.Fatalf("attach=%v: %d fields, SigFlags %v; want 2, 1", attach, fields.Len(), form.Key("SigFlags"))
		}
		f0, f1 := fields.Index(0), fields.Index(1)
		if f0.Key("T").Text() != "GVCN" || f0.Key("FT").Name() != "Sig" || !f0.Key("V").IsNull() {
			t.Errorf("field 0: T %q FT %q V %v", f0.Key("T").Text(), f0.Key("FT").Name(), f0.Key("V"))
		}
		if got := f0.Key("TU").Text(); got != "Giáo viên chủ nhiệm: Lê Thị Hoa" {
			t.Errorf("tooltip %q", got)
		}
		if got := f1.Key("SV").Key("Cert").Key("SubjectDN").Index(0).Key("CN").Text(); got != "Trần Văn Bình" {
			t.Errorf("seed CN %q", got)
		}
		if f1.Key("Lock").Key("Action").Name() != "All" || f1.Key("Lock").Key("P").Int64() != 1 {
			t.Errorf("lock %v", f1.Key("Lock"))
		}
		// Both fields are on page 2 (the current page), and the page lists them.
		page2 := rd.Page(2).V
		if page2.Key("Annots").Len() != 2 || rd.Page(1).V.Key("Annots").Len() != 0 {
			t.Errorf("annots: page 1 %d, page 2 %d", rd.Page(1).V.Key("Annots").Len(), page2.Key("Annots").Len())
		}
		if got := f0.Key("P").Key("Type").Name(); got != "Page" {
			t.Errorf("/P is %q", got)
		}
		if rect := f0.Key("Rect"); rect.Len() != 4 || rect.Index(0).Float64() < 56 || rect.Index(0).Float64() > 57 {
			t.Errorf("rect %v", rect)
		}

		// Independent readers: qpdf finds the file sound, poppler reads
		// the text and the attachment.
		path := writeTemp(t, "fields.pdf", out)
		if msg, err := exec.Command(needTool(t, "qpdf"), "--check", path).CombinedOutput(); err != nil {
			t.Fatalf("qpdf --check: %v\n%s", err, msg)
		}
		if txt := run(t, "pdftotext", path, "-"); !strings.Contains(txt, "Trang hai: Vĩnh Long") {
			t.Errorf("pdftotext: %q", txt)
		}
		if attach {
			if list := run(t, "pdfdetach", "-list", path); !strings.Contains(list, "kyso-record.json") {
				t.Errorf("pdfdetach: %q", list)
			}
		}
	}
}

func TestSignatureFieldsDeterministic(t *testing.T) {
	r := newTestRenderer(t)
	place := func(d *Document) {
		d.SignatureField(SignatureField{Name: "A", Rect: Rect{X: 10, Y: 10, W: 50, H: 20}})
	}
	a, err := fieldDoc(t, r, true, place)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fieldDoc(t, r, true, place)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two renders differ")
	}
}

func TestSignatureFieldErrors(t *testing.T) {
	r := newTestRenderer(t)
	ok := Rect{X: 10, Y: 10, W: 50, H: 20}
	for name, place := range map[string]func(d *Document){
		"empty name":  func(d *Document) { d.SignatureField(SignatureField{Rect: ok}) },
		"dot in name": func(d *Document) { d.SignatureField(SignatureField{Name: "a.b", Rect: ok}) },
		"non-ASCII":   func(d *Document) { d.SignatureField(SignatureField{Name: "Hiệu", Rect: ok}) },
		"too long":    func(d *Document) { d.SignatureField(SignatureField{Name: strings.Repeat("a", 65), Rect: ok}) },
		"duplicate": func(d *Document) {
			d.SignatureField(SignatureField{Name: "a", Rect: ok})
			d.SignatureField(SignatureField{Name: "a", Rect: ok})
		},
		"off the page": func(d *Document) {
			d.SignatureField(SignatureField{Name: "a", Rect: Rect{X: 180, Y: 10, W: 50, H: 20}})
		},
		"empty rect":    func(d *Document) { d.SignatureField(SignatureField{Name: "a", Rect: Rect{X: 10, Y: 10}}) },
		"control char":  func(d *Document) { d.SignatureField(SignatureField{Name: "a", Rect: ok, Tooltip: "a\nb"}) },
		"invalid UTF-8": func(d *Document) { d.SignatureField(SignatureField{Name: "a", Rect: ok, SignerName: "\xff"}) },
	} {
		if _, err := fieldDoc(t, r, false, place); !errors.Is(err, ErrBadField) {
			t.Errorf("%s: got %v, want ErrBadField", name, err)
		}
	}
}
