package templates

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/pdf"
	"golang.org/x/text/unicode/norm"
)

var (
	testMeta = IssueMeta{
		CredentialID: "7KQ2M9P-X4R8T1B-HC0WZ3D",
		VerifyURL:    "https://xacthuc.sogddt-bentre.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D",
	}
	testOpts = RenderOptions{Now: time.Date(2024, 7, 15, 9, 0, 0, 0, time.UTC), Deterministic: true}
)

func newTestRenderer(t testing.TB) *DiplomaRenderer {
	t.Helper()
	return newRendererWith(t, testOpts)
}

func newRendererWith(t testing.TB, opts RenderOptions) *DiplomaRenderer {
	t.Helper()
	p, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewDiplomaRenderer(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func render(t testing.TB, r *DiplomaRenderer, d Diploma) []byte {
	t.Helper()
	out, err := r.Render(&d, testMeta)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return out
}

func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	pdftotext := needTool(t, "pdftotext")
	return run(t, pdftotext, "-enc", "UTF-8", writeTemp(t, "d.pdf", data), "-")
}

func TestRenderDiplomaText(t *testing.T) {
	r := newTestRenderer(t)
	d := SampleGraduates(1)[0]
	text := pdfText(t, render(t, r, d))
	for _, want := range []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Độc lập - Tự do - Hạnh phúc",
		"BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG",
		"GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE",
		"Nguyễn Văn Nghĩa",
		"01/01/2006",
		"Vĩnh Long",
		"Trường THPT Chuyên Bến Tre",
		"Bến Tre, ngày 15 tháng 7 năm 2024",
		"Lê Hoàng Phúc",
		"T 00516292",
		"BT-2024/01201",
		"7KQ2M9P-X4R8T1B-HC0WZ3D",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q:\n%s", want, text)
		}
	}
	if !norm.NFC.IsNormalString(text) {
		t.Error("pdftotext output is not NFC")
	}
}

// TestRenderDiplomaTextExact: pdftotext returns exactly the strings
// rendered, line for line, with nothing garbled or extra.
func TestRenderDiplomaTextExact(t *testing.T) {
	r := newTestRenderer(t)
	d := SampleGraduates(1)[0]
	var got []string
	for _, l := range strings.Split(pdfText(t, render(t, r, d)), "\n") {
		if l = strings.TrimSpace(strings.Trim(l, "\f")); l != "" {
			got = append(got, l)
		}
	}
	want := []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Độc lập - Tự do - Hạnh phúc",
		"BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG",
		"GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE",
		"cấp bằng tốt nghiệp trung học phổ thông cho:",
		"Họ và tên:", "Nguyễn Văn Nghĩa",
		"Ngày sinh:", "01/01/2006",
		"Nơi sinh:", "Vĩnh Long",
		"Giới tính:", "Nam",
		"Học sinh trường:", "Trường THPT Chuyên Bến Tre",
		"Năm tốt nghiệp:", "2024",
		"Dân tộc: Kinh",
		"Bến Tre, ngày 15 tháng 7 năm 2024",
		"GIÁM ĐỐC",
		"Số hiệu: T 00516292",
		"Số vào sổ cấp bằng: BT-2024/01201",
		"Mã xác thực: 7KQ2M9P-X4R8T1B-HC0WZ3D",
		"Quét mã để xác thực văn bằng",
		"Lê Hoàng Phúc",
	}
	if !slices.Equal(got, want) {
		t.Errorf("pdftotext lines:\n%q\nwant:\n%q", got, want)
	}
}

func TestRenderNFDInput(t *testing.T) {
	r := newTestRenderer(t)
	rows, err := ReadDiplomas("graduates_nfd.csv", bytes.NewReader(readFixture(t, "graduates_nfd.csv")))
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, render(t, r, rows[0].Diploma))
	for _, want := range []string{"Nguyễn Văn Nghĩa", "Vĩnh Long", "Trường THPT Chuyên Bến Tre"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks NFC %q", want)
		}
		if strings.Contains(text, norm.NFD.String(want)) {
			t.Errorf("pdftotext output holds NFD %q", norm.NFD.String(want))
		}
	}

	// Render normalises a Diploma built in code, too.
	d := SampleGraduates(1)[0]
	d.FullName = norm.NFD.String(d.FullName)
	if text := pdfText(t, render(t, r, d)); !strings.Contains(text, "Nguyễn Văn Nghĩa") {
		t.Error("NFD name given to Render is not drawn as NFC")
	}
}

func TestRenderQRDecodes(t *testing.T) {
	pdftoppm := needTool(t, "pdftoppm")
	zbarimg := needTool(t, "zbarimg")
	r := newTestRenderer(t)
	out := render(t, r, SampleGraduates(1)[0])
	dir := t.TempDir()
	p := filepath.Join(dir, "d.pdf")
	if err := os.WriteFile(p, out, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, pdftoppm, "-r", "150", "-png", "-singlefile", p, filepath.Join(dir, "page"))
	got := strings.TrimRight(run(t, zbarimg, "--raw", "-q", filepath.Join(dir, "page.png")), "\n")
	if got != testMeta.VerifyURL {
		t.Errorf("zbarimg: got %q, want %q", got, testMeta.VerifyURL)
	}
}

func TestRenderStructure(t *testing.T) {
	qpdf := needTool(t, "qpdf")
	r := newTestRenderer(t)
	out := render(t, r, SampleGraduates(1)[0])
	run(t, qpdf, "--check", writeTemp(t, "d.pdf", out))
	if bytes.Contains(out, []byte("/Subtype /Image")) {
		t.Error("the diploma holds an image; the QR code must be vector")
	}
}

func TestRenderDeterministicGolden(t *testing.T) {
	v1 := testOpts
	v1.Layout = DiplomaLayoutV1
	r := newRendererWith(t, v1)
	d := SampleGraduates(1)[0]
	a := render(t, r, d)
	b := render(t, r, d)
	if !bytes.Equal(a, b) {
		t.Fatal("two deterministic renders differ, want byte-identical output")
	}
	sum := sha256.Sum256(a)
	got := hex.EncodeToString(sum[:])
	golden := filepath.Join(fixtureDir, "diploma_v1.golden.sha256")
	if *update {
		line := got + "  SampleGraduates(1)[0] rendered as diploma/v1 by TestRenderDeterministicGolden\n"
		if err := os.WriteFile(golden, []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./templates -run TestRenderDeterministicGolden -update)", err)
	}
	if want, _, _ := strings.Cut(string(raw), " "); got != want {
		t.Errorf("sha256 of the rendered diploma: got %s, want %s; if the layout changed on purpose, "+
			"bump the layout version and run go test ./templates -run TestRenderDeterministicGolden -update", got, want)
	}

	later := testOpts
	later.Now = later.Now.Add(time.Second)
	if c := render(t, newRendererWith(t, later), d); bytes.Equal(a, c) {
		t.Error("renders at different times are identical, want the creation date to differ")
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20240715090000)")) {
		t.Error("CreationDate is not RenderOptions.Now")
	}
	// Without Now, the PDF is dated with the diploma's issue date.
	e := render(t, newRendererWith(t, RenderOptions{}), d)
	if !bytes.Contains(e, []byte("/CreationDate (D:20240715000000)")) {
		t.Error("without RenderOptions.Now, CreationDate is not the issue date")
	}
}

func TestRenderConcurrent(t *testing.T) {
	r := newTestRenderer(t)
	ds := SampleGraduates(4)
	want := make([][]byte, len(ds))
	for i, d := range ds {
		want[i] = render(t, r, d)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			i := w % len(ds)
			out, err := r.Render(&ds[i], testMeta)
			if err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(out, want[i]) {
				t.Errorf("worker %d: output differs from the serial render", w)
			}
		}(w)
	}
	wg.Wait()
}

func TestRenderErrors(t *testing.T) {
	r := newTestRenderer(t)
	good := SampleGraduates(1)[0]
	tests := []struct {
		name  string
		d     *Diploma
		meta  IssueMeta
		check func(error) bool
	}{
		{"nil diploma", nil, testMeta, func(err error) bool { return err != nil }},
		{"invalid diploma", &Diploma{FullName: "Nguyễn Văn Nghĩa"}, testMeta,
			func(err error) bool { return HasReason(err, ReasonRequired) }},
		{"no credential ID", &good, IssueMeta{VerifyURL: testMeta.VerifyURL},
			func(err error) bool { return errors.Is(err, ErrBadIssueMeta) }},
		{"credential ID with space", &good, IssueMeta{CredentialID: "7KQ2 M9P", VerifyURL: testMeta.VerifyURL},
			func(err error) bool { return errors.Is(err, ErrBadIssueMeta) }},
		{"relative URL", &good, IssueMeta{CredentialID: "X", VerifyURL: "/v/X"},
			func(err error) bool { return errors.Is(err, ErrBadIssueMeta) }},
		{"javascript URL", &good, IssueMeta{CredentialID: "X", VerifyURL: "javascript:alert(1)"},
			func(err error) bool { return errors.Is(err, ErrBadIssueMeta) }},
		{"huge URL", &good, IssueMeta{CredentialID: "X", VerifyURL: "https://a.example/" + strings.Repeat("x", 600)},
			func(err error) bool { return errors.Is(err, ErrBadIssueMeta) }},
		{"name too wide", func() *Diploma { d := good; d.FullName = strings.Repeat("W", 60); return &d }(), testMeta,
			func(err error) bool { return errors.Is(err, ErrTextTooLong) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.d, tc.meta)
			if !tc.check(err) || out != nil {
				t.Fatalf("got (%d bytes, %v), want no PDF and the documented error", len(out), err)
			}
		})
	}
}

func TestVNDate(t *testing.T) {
	tests := []struct {
		d    Date
		want string
	}{
		{Date{2024, time.July, 15}, "ngày 15 tháng 7 năm 2024"},
		{Date{2024, time.July, 5}, "ngày 05 tháng 7 năm 2024"},
		{Date{2024, time.January, 20}, "ngày 20 tháng 01 năm 2024"},
		{Date{2024, time.February, 1}, "ngày 01 tháng 02 năm 2024"},
		{Date{2024, time.December, 31}, "ngày 31 tháng 12 năm 2024"},
	}
	for _, tc := range tests {
		if got := vnDate(tc.d); got != tc.want {
			t.Errorf("vnDate(%v): got %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestLayoutSignatureArea(t *testing.T) {
	a, err := LayoutSignatureArea(DiplomaLayoutV1)
	if err != nil {
		t.Fatal(err)
	}
	if a.Page != 1 || a.Rect.W < 50 || a.Rect.H < 20 {
		t.Errorf("got %+v, want a roomy area on page 1", a)
	}
	// In user space the rectangle is in points from the bottom-left corner.
	if want := (pageH - a.Rect.Y) * pdf.PointsPerMM; a.UserSpace[3] != want || a.UserSpace[0] != a.Rect.X*pdf.PointsPerMM {
		t.Errorf("UserSpace: got %v, want top edge %v", a.UserSpace, want)
	}
	if _, err := LayoutSignatureArea("diploma/v0"); !errors.Is(err, ErrUnknownLayout) {
		t.Errorf("unknown layout: got %v, want ErrUnknownLayout", err)
	}
}

// word is one word pdftotext found, in points from the top-left corner.
type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

func words(t *testing.T, data []byte) []word {
	t.Helper()
	pdftotext := needTool(t, "pdftotext")
	out := run(t, pdftotext, "-bbox", "-enc", "UTF-8", writeTemp(t, "d.pdf", data), "-")
	var ws []word
	for _, m := range wordRE.FindAllStringSubmatch(out, -1) {
		f := func(s string) float64 {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		ws = append(ws, word{html.UnescapeString(m[5]), f(m[1]), f(m[2]), f(m[3]), f(m[4])})
	}
	if len(ws) == 0 {
		t.Fatal("pdftotext found no words")
	}
	return ws
}

func overlaps(a word, r pdf.Rect) bool {
	const k = pdf.PointsPerMM
	return a.xMin < (r.X+r.W)*k && a.xMax > r.X*k && a.yMin < (r.Y+r.H)*k && a.yMax > r.Y*k
}

// longDiploma fills every text field to its maximum length with realistic
// text.
func longDiploma() Diploma {
	fill := func(field, chunk string) string {
		r := []rune(strings.Repeat(chunk+" ", 20))
		return strings.TrimSpace(string(r[:maxRunes(field)]))
	}
	d := SampleGraduates(1)[0]
	d.FullName = fill(FieldFullName, "Nguyễn Thị Hoàng Phương")
	d.PlaceOfBirth = fill(FieldPlaceOfBirth, "Xã Thạnh Phú Đông, huyện Giồng Trôm, tỉnh Bến Tre")
	d.Ethnicity = fill(FieldEthnicity, "Ê Đê")
	d.School = fill(FieldSchool, "Trường Trung học phổ thông Chuyên Nguyễn Thị Minh Khai")
	d.IssuingAuthority = fill(FieldIssuingAuthority, "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh")
	d.IssuePlace = fill(FieldIssuePlace, "Thành phố Hồ Chí Minh")
	d.SignerTitle = "Phó Giám đốc Sở Giáo dục và Đào tạo"
	d.SignerName = fill(FieldSignerName, "Nguyễn Hoàng Thị Thủy Tiên")
	d.Serial = "ABC 12345678"
	d.RegisterNumber = "QĐ-SGDĐT/2024/000000001234567"
	return d
}

func TestRenderLayoutHasNoOverlaps(t *testing.T) {
	r := newTestRenderer(t)
	sig := diplomaV1Signature()
	qr := pdf.Rect{X: 24, Y: 141, W: 34, H: 34}
	inner := pdf.Rect{X: 13, Y: 13, W: pageW - 26, H: pageH - 26}
	for _, tc := range []struct {
		name string
		d    Diploma
	}{
		{"sample", SampleGraduates(1)[0]},
		{"longest fields", longDiploma()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.d.Validate(); err != nil {
				t.Fatalf("test diploma is invalid: %v", err)
			}
			ws := words(t, render(t, r, tc.d))
			const k = pdf.PointsPerMM
			for i, a := range ws {
				if a.xMin < inner.X*k || a.xMax > (inner.X+inner.W)*k || a.yMin < inner.Y*k || a.yMax > (inner.Y+inner.H)*k {
					t.Errorf("%q at (%.0f,%.0f)-(%.0f,%.0f) pt leaves the frame", a.text, a.xMin, a.yMin, a.xMax, a.yMax)
				}
				if overlaps(a, sig) {
					t.Errorf("%q lies in the signature area", a.text)
				}
				if overlaps(a, qr) {
					t.Errorf("%q lies on the QR code", a.text)
				}
				for _, b := range ws[i+1:] {
					// pdftotext boxes span the font's ascent and descent, so
					// allow a small vertical touch between lines.
					if a.xMin < b.xMax-0.5 && b.xMin < a.xMax-0.5 && a.yMin < b.yMax-2 && b.yMin < a.yMax-2 {
						t.Errorf("%q and %q overlap", a.text, b.text)
					}
				}
			}
		})
	}
}

func TestRenderDeputySigner(t *testing.T) {
	r := newTestRenderer(t)
	d := SampleGraduates(1)[0]
	d.SignerTitle = "Phó Giám đốc"
	text := pdfText(t, render(t, r, d))
	for _, want := range []string{"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
}

func BenchmarkRenderDiploma(b *testing.B) {
	r := newTestRenderer(b)
	d := SampleGraduates(1)[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(&d, testMeta); err != nil {
			b.Fatal(err)
		}
	}
}

// Every character validation lets through must be drawable by every face,
// so that a valid diploma never fails to render for a missing glyph.
func TestAllowedCharactersAreDrawable(t *testing.T) {
	p, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for r := rune(0x20); r <= 0x1EFF; r++ {
		if textCharProblem(string(r), false) != "" {
			continue
		}
		for f := pdf.Regular; f <= pdf.Italic; f++ {
			if _, ok := p.Covers(f, string(r)); !ok {
				missing = append(missing, fmt.Sprintf("%U %s", r, f))
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("validation allows characters the fonts lack: %v", missing)
	}
}
