package pdf_test

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/pdf"
)

// TestSamplesDrawLikeEarlierRenderer renders the sample diploma, học bạ
// and gradebook with this renderer and with the end-to-end issue's (fonts
// parsed by fpdf for each document, QR codes by boombuler/barcode): poppler
// must read the same text and draw the same pixels on every page.
func TestSamplesDrawLikeEarlierRenderer(t *testing.T) {
	pdftotext := testenv.NeedTool(t, "pdftotext")
	pdftoppm := testenv.NeedTool(t, "pdftoppm")
	now := sampleRenders(t, newRenderer(t))
	earlier := sampleRenders(t, newEarlier(t, pdf.Earlier{FontsPerDocument: true, BoombulerQR: true}))
	for _, name := range []string{"diploma", "transcript", "gradebook"} {
		t.Run(name, func(t *testing.T) {
			got, err := now[name]()
			if err != nil {
				t.Fatal(err)
			}
			want, err := earlier[name]()
			if err != nil {
				t.Fatal(err)
			}
			gotPath, wantPath := testenv.WriteTemp(t, "now.pdf", got), testenv.WriteTemp(t, "earlier.pdf", want)
			if g, w := testenv.Run(t, pdftotext, "-enc", "UTF-8", gotPath, "-"), testenv.Run(t, pdftotext, "-enc", "UTF-8", wantPath, "-"); g != w {
				t.Errorf("pdftotext: got\n%s\nwant\n%s", g, w)
			}
			gp, wp := pages(t, pdftoppm, gotPath), pages(t, pdftoppm, wantPath)
			if len(gp) != len(wp) {
				t.Fatalf("%d pages, want %d", len(gp), len(wp))
			}
			for i := range gp {
				if !bytes.Equal(gp[i].Pix, wp[i].Pix) || gp[i].Rect != wp[i].Rect {
					t.Errorf("page %d: pixels differ from the earlier renderer's", i+1)
				}
			}
			if len(got) >= len(want) {
				t.Logf("%d bytes, more than the earlier renderer's %d", len(got), len(want))
			}
		})
	}
}

// pages renders every page of a PDF at 72 dpi.
func pages(t *testing.T, pdftoppm, path string) []*image.RGBA {
	t.Helper()
	dir := t.TempDir()
	testenv.Run(t, pdftoppm, "-r", "72", "-png", path, filepath.Join(dir, "p"))
	names, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
	slices.Sort(names)
	var out []*image.RGBA
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
		rgba := image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
		out = append(out, rgba)
	}
	if len(out) == 0 {
		t.Fatal("pdftoppm wrote no page")
	}
	return out
}
