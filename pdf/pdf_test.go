package pdf

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

var testCreated = time.Date(2024, 7, 15, 8, 30, 0, 0, time.UTC)

func newTestRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := NewRenderer()
	if err != nil {
		t.Fatalf("NewRenderer: %v", err)
	}
	return r
}

// vietnameseLetters returns every Vietnamese letter, lower and upper case,
// with every tone mark, in NFC.
func vietnameseLetters() string {
	vowels := []string{"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"}
	tones := []string{"", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
	var b strings.Builder
	for _, v := range vowels {
		for _, t := range tones {
			l := norm.NFC.String(v + t)
			b.WriteString(l)
			b.WriteString(strings.ToUpper(l))
		}
	}
	b.WriteString("đĐ")
	return b.String()
}

func TestRendererCoversVietnamese(t *testing.T) {
	r := newTestRenderer(t)
	all := vietnameseLetters() + "bcdfghklmnpqrstvxzBCDFGHKLMNPQRSTVXZ0123456789 .,:;-–/()\"'“”"
	for f := Regular; f < numFaces; f++ {
		if c, ok := r.Covers(f, all); !ok {
			t.Errorf("face %s: got missing %U %q, want every Vietnamese letter covered", f, c, c)
		}
	}
	if c, ok := r.Covers(Regular, "Nghĩa 中"); ok || c != '中' {
		t.Errorf("Covers(中): got (%q, %v), want ('中', false)", c, ok)
	}
	if _, ok := r.Covers(Face(7), "a"); ok {
		t.Error("Covers(unknown face): got true, want false")
	}
}

func TestCmapRunesRejectsBrokenFonts(t *testing.T) {
	full, err := fontFiles.ReadFile("fonts/NotoSerif-Regular.ttf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"header only", full[:12]},
		{"truncated table directory", full[:40]},
		{"truncated tables", full[:4096]},
		{"no cmap", func() []byte {
			b := append([]byte(nil), full...)
			for i := 0; i < int(b[4])<<8|int(b[5]); i++ {
				if string(b[12+16*i:16+16*i]) == "cmap" {
					copy(b[12+16*i:], "xxxx")
				}
			}
			return b
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cmapRunes(tc.data, wantedRune)
			if err == nil {
				t.Fatalf("got %d runes and no error, want an error", len(got))
			}
		})
	}
	got, err := cmapRunes(full, func(r rune) bool { return r == 'A' || r == 0x4E2D })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got['A']; !ok || len(got) != 1 {
		t.Errorf("got %v, want only 'A' (Noto Serif has no U+4E2D)", got)
	}
}

// sampleDoc draws a small page exercising every feature.
func sampleDoc(t testing.TB, r *Renderer, opts Options) []byte {
	t.Helper()
	d, err := r.NewDocument(opts)
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetDrawColor(RGB{120, 20, 20})
	d.SetLineWidth(0.5)
	d.Rect(Rect{10, 10, 190, 277}, Stroke)
	d.SetFont(Bold, 18)
	d.TextAlign(105, 40, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", AlignCenter)
	d.SetFont(Regular, 12)
	d.Text(20, 60, "Họ và tên: Nguyễn Văn Nghĩa")
	d.SetFont(Italic, 12)
	d.TextAlign(190, 80, "Vĩnh Long, ngày 15 tháng 7 năm 2024", AlignRight)
	d.SetFillColor(RGB{200, 160, 60})
	d.Circle(30, 120, 5, FillStroke)
	d.Polygon([]Point{{50, 115}, {60, 125}, {40, 125}}, Fill)
	d.Line(20, 130, 190, 130)
	if _, err := d.DrawQR("https://kyso.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D", 20, 140, 40, QRLevelM); err != nil {
		t.Fatal(err)
	}
	out, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministicOutput(t *testing.T) {
	r := newTestRenderer(t)
	opts := Options{Created: testCreated, Deterministic: true, Metadata: Metadata{Title: "Thử nghiệm"}}
	a := sampleDoc(t, r, opts)
	b := sampleDoc(t, r, opts)
	if !bytes.Equal(a, b) {
		t.Fatalf("two deterministic renders differ (%d and %d bytes), want identical", len(a), len(b))
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20240715083000)")) {
		t.Error("output lacks the CreationDate from Options.Created")
	}
	later := opts
	later.Created = testCreated.Add(time.Hour)
	if c := sampleDoc(t, r, later); bytes.Equal(a, c) {
		t.Error("renders with different Created are identical, want different dates")
	}
}

func TestCreatedIsConvertedToUTC(t *testing.T) {
	r := newTestRenderer(t)
	hcm := time.FixedZone("ICT", 7*3600)
	a := sampleDoc(t, r, Options{Created: testCreated.In(hcm), Deterministic: true})
	if !bytes.Contains(a, []byte("/CreationDate (D:20240715083000)")) {
		t.Error("CreationDate not written in UTC")
	}
}

func TestNewDocumentOptions(t *testing.T) {
	r := newTestRenderer(t)
	if _, err := r.NewDocument(Options{}); !errors.Is(err, ErrNoCreationTime) {
		t.Errorf("zero Created: got %v, want ErrNoCreationTime", err)
	}
	if _, err := r.NewDocument(Options{Created: testCreated, Metadata: Metadata{Lang: "vi) /JS"}}); err == nil {
		t.Error("bad language tag: got no error, want one")
	}
	d, err := r.NewDocument(Options{Created: testCreated, Orientation: Landscape})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	if w, h := d.PageSize(); w < 296.9 || w > 297.1 || h < 209.9 || h > 210.1 {
		t.Errorf("landscape page: got %.1f × %.1f mm, want 297 × 210", w, h)
	}
}

func TestDrawingErrors(t *testing.T) {
	r := newTestRenderer(t)
	tests := []struct {
		name  string
		draw  func(d *Document)
		check func(error) bool
	}{
		{"missing glyph", func(d *Document) { d.SetFont(Regular, 12); d.Text(10, 10, "Nghĩa 中文") },
			func(err error) bool {
				var mg *MissingGlyphError
				return errors.As(err, &mg) && mg.Rune == '中' && mg.Face == Regular
			}},
		{"measuring a missing glyph", func(d *Document) { d.SetFont(Regular, 12); d.TextWidth("\U00010000") },
			func(err error) bool {
				var mg *MissingGlyphError
				return errors.As(err, &mg) && mg.Rune == 0x10000
			}},
		{"fitting a missing glyph", func(d *Document) { d.FitSize(Bold, "Nghĩa \U0001F600", 50, 12, 8) },
			func(err error) bool {
				var mg *MissingGlyphError
				return errors.As(err, &mg) && mg.Rune == 0x1F600
			}},
		{"text before font", func(d *Document) { d.Text(10, 10, "a") }, func(err error) bool { return err != nil }},
		{"bad face", func(d *Document) { d.SetFont(Face(9), 12) }, func(err error) bool { return err != nil }},
		{"bad size", func(d *Document) { d.SetFont(Bold, 0) }, func(err error) bool { return err != nil }},
		{"short polygon", func(d *Document) { d.Polygon([]Point{{0, 0}, {1, 1}}, Fill) }, func(err error) bool { return err != nil }},
		{"empty QR", func(d *Document) { _, _ = d.DrawQR("", 0, 0, 30, QRLevelM) },
			func(err error) bool { return errors.Is(err, ErrQRContent) }},
		{"QR bad level", func(d *Document) { _, _ = d.DrawQR("x", 0, 0, 30, QRLevel(42)) },
			func(err error) bool { return errors.Is(err, ErrQRContent) }},
		{"QR too long", func(d *Document) { _, _ = d.DrawQR(strings.Repeat("x", 5000), 0, 0, 30, QRLevelQ) },
			func(err error) bool { return errors.Is(err, ErrQRContent) }},
		{"QR bad size", func(d *Document) { _, _ = d.DrawQR("x", 0, 0, -1, QRLevelQ) }, func(err error) bool { return err != nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := r.NewDocument(Options{Created: testCreated})
			if err != nil {
				t.Fatal(err)
			}
			d.AddPage()
			tc.draw(d)
			out, err := d.Bytes()
			if !tc.check(err) {
				t.Fatalf("got error %v (%d bytes), want the documented error", err, len(out))
			}
			if out != nil {
				t.Errorf("got %d bytes with the error, want none", len(out))
			}
		})
	}
}

func TestBytesTwice(t *testing.T) {
	r := newTestRenderer(t)
	d, err := r.NewDocument(Options{Created: testCreated})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	if _, err := d.Bytes(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Bytes(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Bytes: got %v, want ErrClosed", err)
	}
}

func TestFitSize(t *testing.T) {
	r := newTestRenderer(t)
	d, err := r.NewDocument(Options{Created: testCreated})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(Italic, 9)
	s := "Trường Trung học phổ thông Chuyên Bến Tre"
	size, ok := d.FitSize(Bold, s, 80, 16, 8)
	if !ok || size > 16 || size < 8 {
		t.Fatalf("FitSize: got (%v, %v), want a size in [8, 16] that fits", size, ok)
	}
	d.SetFont(Bold, size)
	if w := d.TextWidth(s); w > 80 {
		t.Errorf("at %v pt the text is %.2f mm wide, want at most 80", size, w)
	}
	d.SetFont(Bold, size+0.25)
	if w := d.TextWidth(s); size < 16 && w <= 80 {
		t.Errorf("at %v pt the text still fits (%.2f mm), want FitSize to return the largest size", size+0.25, w)
	}
	if _, ok := d.FitSize(Bold, s, 10, 16, 8); ok {
		t.Error("FitSize into 10 mm: got ok, want false")
	}
	if got := d.FontSize(); got != size+0.25 {
		t.Errorf("FitSize changed the current size to %v, want %v", got, size+0.25)
	}
}

func TestRectUserSpace(t *testing.T) {
	got := Rect{X: 25.4, Y: 10, W: 50.8, H: 25.4}.UserSpace(210)
	want := [4]float64{72, (210 - 35.4) * PointsPerMM, 216, 200 * PointsPerMM}
	for i := range got {
		if d := got[i] - want[i]; d > 1e-9 || d < -1e-9 {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestTextIsExtractableAndNFC(t *testing.T) {
	pdftotext := needTool(t, "pdftotext")
	r := newTestRenderer(t)
	d, err := r.NewDocument(Options{Created: testCreated, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(Regular, 14)
	nfdName := norm.NFD.String("Nguyễn Văn Nghĩa")
	d.Text(20, 30, nfdName)
	// Every letter, split into short lines that fit the page.
	letters := []rune(vietnameseLetters())
	var lines []string
	for i := 0; i < len(letters); i += 24 {
		lines = append(lines, string(letters[i:min(i+24, len(letters))]))
	}
	for i, line := range lines {
		d.SetFont(Face(i%int(numFaces)), 14)
		d.Text(20, float64(50+10*i), line)
	}
	out, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	text := run(t, pdftotext, "-enc", "UTF-8", writeTemp(t, "t.pdf", out), "-")
	for _, want := range append([]string{"Nguyễn Văn Nghĩa"}, lines...) {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output %q lacks %q", text, want)
		}
	}
	if strings.Contains(text, nfdName) {
		t.Error("pdftotext found the decomposed (NFD) name, want NFC only")
	}
}

func TestMetadataVietnamese(t *testing.T) {
	pdfinfo := needTool(t, "pdfinfo")
	r := newTestRenderer(t)
	meta := Metadata{
		Title:    "Bằng tốt nghiệp THPT — Nguyễn Văn Nghĩa (Vĩnh Long)",
		Subject:  "Văn bằng số (có chữ ký số)",
		Author:   "Sở Giáo dục và Đào tạo Bến Tre",
		Creator:  "kyso diploma/v1",
		Keywords: "bằng tốt nghiệp, THPT",
		Producer: "kyso — phần mềm ký số văn bằng",
		Lang:     "vi-VN",
	}
	out := sampleDoc(t, r, Options{Created: testCreated, Deterministic: true, Metadata: meta})
	info := map[string]string{}
	for _, line := range strings.Split(run(t, pdfinfo, "-enc", "UTF-8", writeTemp(t, "m.pdf", out)), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	for key, want := range map[string]string{
		"Title":    meta.Title,
		"Subject":  meta.Subject,
		"Author":   meta.Author,
		"Creator":  meta.Creator,
		"Keywords": meta.Keywords,
		"Producer": meta.Producer,
		"Pages":    "1",
	} {
		if got := info[key]; got != want {
			t.Errorf("pdfinfo %s: got %q, want %q", key, got, want)
		}
	}
	if !bytes.Contains(out, []byte("/Lang (vi-VN)")) {
		t.Error("catalog lacks /Lang (vi-VN)")
	}
}

func TestDrawQRIsVectorAndDecodes(t *testing.T) {
	pdftoppm := needTool(t, "pdftoppm")
	zbarimg := needTool(t, "zbarimg")
	r := newTestRenderer(t)
	tests := []struct {
		content string
		level   QRLevel
		size    float64
	}{
		{"https://kyso.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D", QRLevelM, 30},
		{"https://xacthuc.sogddt-bentre.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D?lang=vi", QRLevelQ, 25},
		{"HTTPS://KYSO.EXAMPLE/V/7KQ2M9PX4R8T1BHC0WZ3D", QRLevelH, 22},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			d, err := r.NewDocument(Options{Created: testCreated, Deterministic: true})
			if err != nil {
				t.Fatal(err)
			}
			d.AddPage()
			// A coloured background: the quiet zone must still be white.
			d.SetFillColor(RGB{250, 240, 215})
			d.Rect(Rect{0, 0, 210, 297}, Fill)
			module, err := d.DrawQR(tc.content, 40, 40, tc.size, tc.level)
			if err != nil {
				t.Fatal(err)
			}
			n, err := QRModules(tc.content, tc.level)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.size / float64(n+2*QRQuietZone); module != want {
				t.Errorf("module size: got %v mm, want %v", module, want)
			}
			out, err := d.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, []byte("/Subtype /Image")) {
				t.Error("the PDF holds an image XObject, want vector modules only")
			}
			dir := t.TempDir()
			pdfPath := filepath.Join(dir, "qr.pdf")
			if err := os.WriteFile(pdfPath, out, 0o600); err != nil {
				t.Fatal(err)
			}
			run(t, pdftoppm, "-r", "150", "-png", "-singlefile", pdfPath, filepath.Join(dir, "page"))
			got := strings.TrimRight(run(t, zbarimg, "--raw", "-q", filepath.Join(dir, "page.png")), "\n")
			if got != tc.content {
				t.Errorf("zbarimg: got %q, want %q", got, tc.content)
			}
		})
	}
}

func TestConcurrentDocuments(t *testing.T) {
	r := newTestRenderer(t)
	var before [numFaces][32]byte
	for i := range r.faces {
		before[i] = sha256.Sum256(r.faces[i].cut)
	}
	opts := Options{Created: testCreated, Deterministic: true}
	want := sampleDoc(t, r, opts)
	const workers = 8
	results := make([][]byte, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			results[w] = sampleDoc(t, r, opts)
		}(w)
	}
	wg.Wait()
	for w, got := range results {
		if !bytes.Equal(got, want) {
			t.Errorf("worker %d: output differs from the serial render", w)
		}
	}
	for i := range r.faces {
		if sha256.Sum256(r.faces[i].cut) != before[i] {
			t.Errorf("face %s: font bytes changed while rendering", Face(i))
		}
	}
}
