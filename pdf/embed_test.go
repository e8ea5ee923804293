package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fontDocs are documents that exercise the fonts: every Vietnamese letter
// in every face and alignment, a face selected but never drawn with, text
// that needs escaping in a PDF string, several pages.
func fontDocs() map[string]func(d *Document) {
	letters := []rune(vietnameseLetters() + "0123456789 .,:;-–/()\"'“”₫№\\")
	return map[string]func(d *Document){
		"every letter": func(d *Document) {
			d.AddPage()
			for i := 0; i < len(letters); i += 20 {
				line := string(letters[i:min(i+20, len(letters))])
				f := Face(i / 20 % int(numFaces))
				d.SetFont(f, 9+float64(i%7))
				d.TextAlign(105, float64(20+6*(i/20)), line, Align(i/20%3))
			}
		},
		"selected, never drawn": func(d *Document) {
			d.AddPage()
			d.SetFont(Italic, 12)
			d.SetFont(Bold, 12)
			d.Text(20, 20, "Đ (chỉ) \\ in đậm")
		},
		"pages": func(d *Document) {
			for p := range 3 {
				d.AddPage()
				d.SetFont(Face(p), 14)
				d.Text(20, 20, fmt.Sprintf("Trang %d/3 – Nguyễn Thị Ngọc Ánh", p+1))
				d.SetFont(Regular, 10)
				d.TextAlign(190, 280, "Sở Giáo dục và Đào tạo", AlignRight)
			}
		},
		"sample": func(d *Document) {
			d.AddPage()
			d.SetFont(Bold, 18)
			d.TextAlign(105, 40, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", AlignCenter)
			d.SetFont(Regular, 12)
			d.Text(20, 60, "Họ và tên: Nguyễn Văn Nghĩa")
			if _, err := d.DrawQR("https://kyso.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D", 20, 140, 40, QRLevelM); err != nil {
				d.fail(err)
			}
		},
	}
}

func renderWith(t testing.TB, r *Renderer, draw func(d *Document)) []byte {
	t.Helper()
	d, err := r.NewDocument(Options{Created: testCreated, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	draw(d)
	out, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rasterize renders every page of a PDF at 72 dpi with pdftoppm.
func rasterize(t *testing.T, data []byte) []image.Image {
	t.Helper()
	pdftoppm := needTool(t, "pdftoppm")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, pdftoppm, "-r", "72", "-png", in, filepath.Join(dir, "page"))
	names, err := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if err != nil || len(names) == 0 {
		t.Fatalf("pdftoppm wrote no page (%v)", err)
	}
	slices.Sort(names)
	var pages []image.Image
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, img)
	}
	return pages
}

// differingPixels counts the pixels in which two pages differ.
func differingPixels(a, b image.Image) int {
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx() * a.Bounds().Dy()
	}
	n := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				n++
			}
		}
	}
	return n
}

// TestFontsDrawLikeFpdf renders each document with the fonts embedded by
// this package and with fpdf's own font handling (fonts parsed for each
// document): poppler must read the same text and draw the same pixels, and
// find every font embedded as a subset with a Unicode map.
func TestFontsDrawLikeFpdf(t *testing.T) {
	pdftotext := needTool(t, "pdftotext")
	pdffonts := needTool(t, "pdffonts")
	qpdf := needTool(t, "qpdf")
	now := newTestRenderer(t)
	earlier := newTestRenderer(t)
	earlier.fontsPerDocument = true
	for name, draw := range fontDocs() {
		t.Run(name, func(t *testing.T) {
			got, want := renderWith(t, now, draw), renderWith(t, earlier, draw)
			if bytes.Contains(got, []byte("KysoStandIn")) {
				t.Error("the output still names a stand-in font")
			}
			gotPath, wantPath := writeTemp(t, "now.pdf", got), writeTemp(t, "earlier.pdf", want)
			run(t, qpdf, "--check", gotPath)
			if g, w := run(t, pdftotext, "-enc", "UTF-8", gotPath, "-"), run(t, pdftotext, "-enc", "UTF-8", wantPath, "-"); g != w {
				t.Errorf("pdftotext: got\n%s\nwant (fpdf's fonts)\n%s", g, w)
			}
			gp, wp := rasterize(t, got), rasterize(t, want)
			if len(gp) != len(wp) {
				t.Fatalf("%d pages, fpdf's fonts give %d", len(gp), len(wp))
			}
			for i := range gp {
				if n := differingPixels(gp[i], wp[i]); n != 0 {
					t.Errorf("page %d: %d pixels differ from the page drawn with fpdf's fonts", i+1, n)
				}
			}
			// name type encoding emb sub uni object ID
			lines := strings.Split(strings.TrimSpace(run(t, pdffonts, gotPath)), "\n")[2:]
			fonts := 0
			for _, l := range lines {
				f := strings.Fields(l)
				if len(f) < 9 || !strings.Contains(l, "CID TrueType") || f[len(f)-5] != "yes" || f[len(f)-4] != "yes" || f[len(f)-3] != "yes" {
					t.Errorf("pdffonts: %q, want a CID TrueType font, embedded, subset, with a Unicode map", l)
				}
				if !regexp.MustCompile(`^[A-Z]{6}\+NotoSerif-(Regular|Bold|Italic)$`).MatchString(f[0]) {
					t.Errorf("font name %q, want a subset tag and the face's PostScript name", f[0])
				}
				fonts++
			}
			if want := strings.Count(string(want), "/Subtype /Type0"); fonts != want {
				t.Errorf("%d fonts, want %d", fonts, want)
			}
		})
	}
}

// fontFiles returns the decompressed FontFile2 streams of a PDF written by
// this package.
func embeddedFontFiles(t *testing.T, pdf []byte) [][]byte {
	t.Helper()
	var out [][]byte
	re := regexp.MustCompile(`<</Filter /FlateDecode /Length (\d+) /Length1 (\d+)>>\nstream\n`)
	for _, m := range re.FindAllSubmatchIndex(pdf, -1) {
		n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		length1, _ := strconv.Atoi(string(pdf[m[4]:m[5]]))
		zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
		if err != nil {
			t.Fatal(err)
		}
		font, err := io.ReadAll(zr) // checks the Adler-32 checksum too
		if err != nil {
			t.Fatalf("inflate font file: %v", err)
		}
		if len(font) != length1 {
			t.Errorf("font file of %d bytes, /Length1 %d", len(font), length1)
		}
		out = append(out, font)
	}
	return out
}

// TestSubsetsAreWellFormed reads every embedded subset back: the checksums
// (each table's and the whole font's) hold, the tables parse, glyph k is the
// face's glyph for the document's character k where the face drew it and
// empty elsewhere, and composite glyphs point at the right components.
func TestSubsetsAreWellFormed(t *testing.T) {
	r := newTestRenderer(t)
	d, err := r.NewDocument(Options{Created: testCreated, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	texts := [numFaces]string{"Nguyễn Thị Ngọc Ánh", "Đặng Văn Lưu; ỹ Ỹ ự", "Ánh (Bến Tre) – 2024"}
	for f := range numFaces {
		d.SetFont(f, 12)
		d.Text(10, 10+10*float64(f), texts[f])
	}
	out, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	files := embeddedFontFiles(t, out)
	if len(files) != int(numFaces) {
		t.Fatalf("%d embedded font files, want %d", len(files), numFaces)
	}
	for i, font := range files {
		f := Face(i) // the faces are written in order
		src := r.faces[f].font
		t.Run(f.String(), func(t *testing.T) {
			if sum := tableChecksum(font); sum != 0xB1B0AFBA {
				t.Errorf("whole-font checksum %#x, want 0xB1B0AFBA", sum)
			}
			n := int(binary.BigEndian.Uint16(font[4:]))
			for k := range n {
				rec := font[12+16*k:]
				off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
				data := slices.Clone(font[off : off+length])
				if string(rec[:4]) == "head" {
					binary.BigEndian.PutUint32(data[8:], 0)
				}
				if off%4 != 0 || tableChecksum(data) != binary.BigEndian.Uint32(rec[4:]) {
					t.Errorf("table %q: offset %d, checksum does not match", rec[:4], off)
				}
			}
			sub, err := parseSFNT(font)
			if err != nil {
				t.Fatalf("parse the subset: %v", err)
			}
			if sub.numGlyphs <= len(d.runes) {
				t.Fatalf("%d glyphs for %d characters", sub.numGlyphs, len(d.runes))
			}
			drawn := 0
			for k, c := range d.runes {
				g := uint16(k + 1)
				if !strings.ContainsRune(texts[f], c) {
					if sub.loca[g] != sub.loca[g+1] || sub.metrics[g] != 0 {
						t.Errorf("CID %d (%q), not drawn with this face: the glyph is not empty", g, c)
					}
					continue
				}
				drawn++
				if err := sameGlyph(sub, g, src, r.faces[f].glyphs[c].gid); err != nil {
					t.Errorf("CID %d (%q): %v", g, c, err)
				}
			}
			if want := len([]rune(texts[f])); drawn == 0 || drawn > want {
				t.Errorf("%d characters drawn with this face, text has %d", drawn, want)
			}
		})
	}
}

// sameGlyph reports how glyph g of sub differs from glyph h of src: its
// outline (component references aside), its metrics, or, for a composite
// glyph, a component.
func sameGlyph(sub *sfnt, g uint16, src *sfnt, h uint16) error {
	a := sub.glyf[sub.loca[g]:sub.loca[g+1]]
	b := src.glyf[src.loca[h]:src.loca[h+1]]
	if len(a) < len(b) || len(a)-len(b) > 3 {
		return fmt.Errorf("glyph %d: %d bytes, want %d padded", g, len(a), len(b))
	}
	if sub.metrics[g] != src.metrics[h] {
		return fmt.Errorf("glyph %d: metrics %#x, want %#x", g, sub.metrics[g], src.metrics[h])
	}
	a = slices.Clone(a[:len(b)])
	if len(sub.components[g]) != len(src.components[h]) {
		return fmt.Errorf("glyph %d: %d components, want %d", g, len(sub.components[g]), len(src.components[h]))
	}
	for i, c := range src.components[h] {
		if err := sameGlyph(sub, sub.components[g][i].gid, src, c.gid); err != nil {
			return fmt.Errorf("glyph %d, component %d: %w", g, i, err)
		}
		binary.BigEndian.PutUint16(a[c.at:], c.gid)
	}
	if !bytes.Equal(a, b) {
		return fmt.Errorf("glyph %d: outline differs", g)
	}
	return nil
}

func TestSubsetTag(t *testing.T) {
	r := newTestRenderer(t)
	tags := func(s string) []string {
		out := renderWith(t, r, func(d *Document) {
			d.AddPage()
			d.SetFont(Regular, 12)
			d.Text(10, 10, s)
		})
		return regexp.MustCompile(`/BaseFont /([A-Z]{6})\+`).FindAllString(string(out), -1)
	}
	a, b, c := tags("Nghĩa"), tags("Nghĩa"), tags("Nghĩa Đ")
	if len(a) == 0 || !slices.Equal(a, b) {
		t.Errorf("same text: tags %v and %v, want equal", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("different text: tags %v and %v, want different", a, c)
	}
}

func TestRewriteRefusesOtherOutput(t *testing.T) {
	r := newTestRenderer(t)
	d, err := r.NewDocument(Options{Created: testCreated})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(Regular, 12)
	d.Text(10, 10, "Nghĩa")
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if _, err := d.rewrite(good); err != nil {
		t.Fatalf("fpdf's own output: %v", err)
	}
	tests := map[string][]byte{
		"no stand-in":      bytes.Replace(good, []byte("KysoStandIn0"), []byte("KysoStandIx0"), 1),
		"stand-in altered": bytes.Replace(good, []byte("/Encoding /WinAnsiEncoding"), []byte("/Encoding /WinAnsiEncodinG"), 1),
		"no trailer":       good[:bytes.LastIndex(good, []byte("trailer"))],
		"content altered":  bytes.Replace(good, []byte("<</Length "), []byte("<</Length  "), 1),
		"not a PDF":        []byte("%PDF-1.3\nhello\n"),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := d.rewrite(data); !errors.Is(err, errUnexpectedOutput) {
				t.Errorf("got %v, want errUnexpectedOutput", err)
			}
		})
	}
}

// TestConcurrentDifferentDocuments renders different documents from one
// Renderer in parallel (run it with -race): each must come out as when
// rendered alone, whatever the others draw (the Renderer's pooled
// compressors and prepared fonts carry nothing from one document to the
// next).
func TestConcurrentDifferentDocuments(t *testing.T) {
	r := newTestRenderer(t)
	docs := fontDocs()
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range docs {
			if !yield(n) {
				return
			}
		}
	})
	want := map[string][]byte{}
	for _, n := range names {
		want[n] = renderWith(t, r, docs[n])
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				n := names[(w+i)%len(names)]
				d, err := r.NewDocument(Options{Created: testCreated, Deterministic: true})
				if err != nil {
					errs <- n + ": " + err.Error()
					continue
				}
				docs[n](d)
				if got, err := d.Bytes(); err != nil || !bytes.Equal(got, want[n]) {
					errs <- fmt.Sprintf("%s: a concurrent render differs from the serial one (%v)", n, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
