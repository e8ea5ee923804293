package templates

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/pdf"
)

// pdfWord is one word pdftotext found, in points from the page's top-left
// corner.
type pdfWord struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

// pdfPage is one page as pdftotext -bbox sees it.
type pdfPage struct {
	w, h  float64
	words []pdfWord
}

var (
	bboxPageRE = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	bboxWordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// pdfPages runs pdftotext -bbox on data and returns its pages.
func pdfPages(t *testing.T, data []byte) []pdfPage {
	t.Helper()
	pdftotext := needTool(t, "pdftotext")
	out := run(t, pdftotext, "-bbox", "-enc", "UTF-8", writeTemp(t, "d.pdf", data), "-")
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var pages []pdfPage
	locs := bboxPageRE.FindAllStringSubmatchIndex(out, -1)
	for i, loc := range locs {
		end := len(out)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		p := pdfPage{w: num(out[loc[2]:loc[3]]), h: num(out[loc[4]:loc[5]])}
		for _, m := range bboxWordRE.FindAllStringSubmatch(out[loc[1]:end], -1) {
			p.words = append(p.words, pdfWord{html.UnescapeString(m[5]), num(m[1]), num(m[2]), num(m[3]), num(m[4])})
		}
		pages = append(pages, p)
	}
	if len(pages) == 0 {
		t.Fatal("pdftotext found no pages")
	}
	return pages
}

// lines groups a page's words into lines: words whose vertical centres lie
// within 3 pt of the first word of a line belong to it; a line's words are
// joined by single spaces from left to right. Lines run from top to bottom.
func (p pdfPage) lines() []string {
	ws := append([]pdfWord(nil), p.words...)
	centre := func(w pdfWord) float64 { return (w.yMin + w.yMax) / 2 }
	sort.SliceStable(ws, func(i, j int) bool { return centre(ws[i]) < centre(ws[j]) })
	var out []string
	for i := 0; i < len(ws); {
		j := i + 1
		for j < len(ws) && centre(ws[j])-centre(ws[i]) <= 3 {
			j++
		}
		line := append([]pdfWord(nil), ws[i:j]...)
		sort.SliceStable(line, func(a, b int) bool { return line[a].xMin < line[b].xMin })
		texts := make([]string, len(line))
		for k, w := range line {
			texts[k] = w.text
		}
		out = append(out, strings.Join(texts, " "))
		i = j
	}
	return out
}

// text returns the page's lines, one per line.
func (p pdfPage) text() string { return strings.Join(p.lines(), "\n") }

// inRect reports whether a word's box meets r (millimetres).
func (w pdfWord) meets(r pdf.Rect) bool {
	const k = pdf.PointsPerMM
	return w.xMin < (r.X+r.W)*k && w.xMax > r.X*k && w.yMin < (r.Y+r.H)*k && w.yMax > r.Y*k
}

// checkPageLayout fails the test for words that leave the page's side
// margins (in millimetres) or come within 5 mm of its top or bottom edge,
// overlap each other, or lie in one of the empty areas.
func checkPageLayout(t *testing.T, page int, p pdfPage, margin float64, empty []pdf.Rect) {
	t.Helper()
	const k = pdf.PointsPerMM
	for i, a := range p.words {
		if a.xMin < margin*k || a.xMax > p.w-margin*k || a.yMin < 5*k || a.yMax > p.h-5*k {
			t.Errorf("page %d: %q at (%.0f,%.0f)-(%.0f,%.0f) pt leaves the margins", page, a.text, a.xMin, a.yMin, a.xMax, a.yMax)
		}
		for _, r := range empty {
			if a.meets(r) {
				t.Errorf("page %d: %q lies in the empty area %+v", page, a.text, r)
			}
		}
		for _, b := range p.words[i+1:] {
			// pdftotext boxes span the font's ascent and descent, so
			// allow a small vertical touch between lines.
			if a.xMin < b.xMax-0.5 && b.xMin < a.xMax-0.5 && a.yMin < b.yMax-2 && b.yMin < a.yMax-2 {
				t.Errorf("page %d: %q and %q overlap", page, a.text, b.text)
			}
		}
	}
}

// checkGolden compares the SHA-256 of data with the golden file in
// testdata/samples, or writes it with -update.
func checkGolden(t *testing.T, name, what string, data []byte) {
	t.Helper()
	sum := sha256.Sum256(data)
	got := hex.EncodeToString(sum[:])
	golden := filepath.Join(sampleDir, name)
	if *update {
		if err := os.WriteFile(golden, []byte(got+"  "+what+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./templates -run %s -update)", err, t.Name())
	}
	if want, _, _ := strings.Cut(string(raw), " "); got != want {
		t.Errorf("sha256 of %s: got %s, want %s; if the layout changed on purpose, bump the layout version "+
			"and run go test ./templates -run %s -update", what, got, want, t.Name())
	}
}

// fillRunes repeats the words of chunk up to at most n characters.
func fillRunes(chunk string, n int) string {
	words := strings.Fields(chunk)
	var out []string
	length := 0
	for i := 0; ; i++ {
		w := words[i%len(words)]
		l := len([]rune(w))
		if length > 0 {
			l++
		}
		if length+l > n {
			return strings.Join(out, " ")
		}
		out = append(out, w)
		length += l
	}
}

func TestFillRunes(t *testing.T) {
	s := fillRunes("Nguyễn Thị Hoàng", 60)
	if n := len([]rune(s)); n > 60 || n < 54 || cleanText(s) != s {
		t.Errorf("fillRunes: got %q (%d characters)", s, n)
	}
}

func TestWrapWords(t *testing.T) {
	words := []string{"Giáo", "dục", "quốc", "phòng", "và", "an", "ninh"}
	ww := []float64{4, 3, 4, 5, 2, 2, 4}
	tests := []struct {
		width float64
		max   int
		want  []string
	}{
		{100, 1, []string{"Giáo dục quốc phòng và an ninh"}},
		{15, 3, []string{"Giáo dục quốc", "phòng và an", "ninh"}},
		{16, 2, []string{"Giáo dục quốc", "phòng và an ninh"}},
		{15, 2, nil},  // needs three lines
		{4.5, 9, nil}, // "phòng" alone is too wide
		{12, 3, []string{"Giáo dục", "quốc phòng", "và an ninh"}},
	}
	for _, tc := range tests {
		if got := wrapWords(words, ww, 1, tc.width, tc.max); !slices.Equal(got, tc.want) {
			t.Errorf("wrapWords(width %v, max %d): got %q, want %q", tc.width, tc.max, got, tc.want)
		}
	}
}
