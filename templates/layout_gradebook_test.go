package templates

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/pdf"
	"golang.org/x/text/unicode/norm"
)

func newGradebookRenderer(t testing.TB, opts RenderOptions) *GradebookRenderer {
	t.Helper()
	p, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewGradebookRenderer(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func renderGradebook(t testing.TB, r *GradebookRenderer, g Gradebook) []byte {
	t.Helper()
	out, err := r.Render(&g, testMeta)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return out
}

// gradebookRow is a student's row as pdftotext reads it.
func gradebookRow(s GradebookStudent) string {
	cells := []string{fmt.Sprint(s.No), s.ID, s.FullName, s.DateOfBirth.String()}
	for _, m := range append(slices.Clone(s.Regular), s.MidTerm, s.Final, s.TermAverage, s.TermI, s.TermII, s.Year) {
		if m != "" {
			cells = append(cells, m.Display())
		}
	}
	return strings.Join(cells, " ")
}

// TestRenderGradebookTextExact: pdftotext reads back every page line for
// line: the header, the table header repeated on each page, every student's
// row once and in order, the closing block, and "Trang x/y".
func TestRenderGradebookTextExact(t *testing.T) {
	r := newGradebookRenderer(t, testOpts)
	g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	pages := pdfPages(t, renderGradebook(t, r, g))
	if len(pages) < 2 {
		t.Fatalf("45 students on %d page(s), want several", len(pages))
	}
	tableHead := []string{
		"Đánh giá thường xuyên",
		"ĐĐGgk ĐĐGck ĐTBmhk",
		"STT Mã định danh Họ và tên Ngày sinh",
		"ĐĐGtx1 ĐĐGtx2 ĐĐGtx3 ĐĐGtx4 (giữa kì) (cuối kì) (TB môn HK)",
	}
	rows := func(from, to int) []string {
		var out []string
		for _, s := range g.Students[from:to] {
			out = append(out, gradebookRow(s))
		}
		return out
	}
	footer := func(page int) string {
		return fmt.Sprintf("Mã xác thực: %s Trang %d/3 Lớp 10A1 – Môn Toán – Học kì I – Năm học 2024-2025", testMeta.CredentialID, page)
	}
	running := "TRƯỜNG THPT CHUYÊN BẾN TRE Sổ theo dõi và đánh giá học sinh – Lớp 10A1 – Môn Toán – Học kì I – Năm học 2024-2025"
	want := [][]string{
		slices.Concat([]string{
			"SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
			"TRƯỜNG THPT CHUYÊN BẾN TRE Độc lập - Tự do - Hạnh phúc",
			"SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH",
			"(Sổ điểm điện tử theo môn học)",
			"Môn học: Toán Lớp: 10A1 Học kì I Năm học: 2024-2025",
			"Giáo viên bộ môn: Nguyễn Thị Thu Hà Hình thức đánh giá: đánh giá bằng nhận xét kết hợp với đánh giá bằng điểm số",
		}, tableHead, rows(0, 18), []string{footer(1)}),
		slices.Concat([]string{running}, tableHead, rows(18, 42), []string{footer(2)}),
		slices.Concat([]string{running}, tableHead, rows(42, 45), []string{
			"Danh sách gồm 45 học sinh. Bến Tre, ngày 10 tháng 01 năm 2025",
			"GIÁO VIÊN BỘ MÔN",
			"(Ký và ghi rõ họ tên)",
			"Quét mã để xác thực sổ điểm",
			"Nguyễn Thị Thu Hà",
			footer(3),
		}),
	}
	if len(pages) != len(want) {
		t.Fatalf("got %d pages, want %d", len(pages), len(want))
	}
	for i, p := range pages {
		got := p.lines()
		if !slices.Equal(got, want[i]) {
			t.Errorf("page %d lines:\n%s\nwant:\n%s", i+1, strings.Join(got, "\n"), strings.Join(want[i], "\n"))
		}
		if !norm.NFC.IsNormalString(p.text()) {
			t.Errorf("page %d: pdftotext output is not NFC", i+1)
		}
	}
}

// TestRenderGradebookVariants checks the year and comment-only layouts.
func TestRenderGradebookVariants(t *testing.T) {
	r := newGradebookRenderer(t, testOpts)
	tests := []struct {
		term     Term
		subject  string
		head     []string
		subtitle string
	}{
		{TermYear, "Toán", []string{"Điểm trung bình môn học", "STT Mã định danh Họ và tên Ngày sinh", "Học kì I Học kì II Cả năm"},
			"Môn học: Toán Lớp: 10A1 Cả năm học Năm học: 2024-2025"},
		{TermII, "Giáo dục thể chất", []string{"Đánh giá thường xuyên", "ĐĐGgk ĐĐGck Nhận xét",
			"STT Mã định danh Họ và tên Ngày sinh", "ĐĐGtx1 ĐĐGtx2 (giữa kì) (cuối kì) (Đ/CĐ)"},
			"Môn học: Giáo dục thể chất Lớp: 10A1 Học kì II Năm học: 2024-2025"},
		{TermYear, "Hoạt động trải nghiệm, hướng nghiệp", []string{"Mức đánh giá (Đ/CĐ)", "STT Mã định danh Họ và tên Ngày sinh", "Học kì I Học kì II Cả năm"},
			"Môn học: Hoạt động trải nghiệm, hướng nghiệp Lớp: 10A1 Cả năm học Năm học: 2024-2025"},
	}
	for _, tc := range tests {
		t.Run(string(tc.term)+" "+tc.subject, func(t *testing.T) {
			g := sampleGradebook(t, SampleClassSize, tc.term, tc.subject)
			pages := pdfPages(t, renderGradebook(t, r, g))
			var all []string
			for i, p := range pages {
				lines := p.lines()
				if i == 0 && lines[4] != tc.subtitle {
					t.Errorf("subtitle: got %q, want %q", lines[4], tc.subtitle)
				}
				start := slices.Index(lines, tc.head[0])
				if start < 0 || start+len(tc.head) > len(lines) {
					t.Fatalf("page %d: no table header %q in %q", i+1, tc.head[0], lines)
				}
				if got := lines[start : start+len(tc.head)]; !slices.Equal(got, tc.head) {
					t.Errorf("page %d table header: got %q, want %q", i+1, got, tc.head)
				}
				all = append(all, lines...)
			}
			at := 0
			for _, s := range g.Students {
				k := slices.Index(all[at:], gradebookRow(s))
				if k < 0 {
					t.Fatalf("row %q missing or out of order", gradebookRow(s))
				}
				at += k + 1
			}
		})
	}
}

// longGradebook fills every text of a gradebook to its maximum length.
func longGradebook(t testing.TB) Gradebook {
	g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	g.Department = fillRunes("Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh", maxOrgName)
	g.School = fillRunes("Trường Trung học phổ thông Chuyên Nguyễn Thị Minh Khai", maxOrgName)
	g.Subject = fillRunes("Giáo dục kinh tế và pháp luật", maxSubjectName)
	g.Teacher = fillRunes("Công Tằng Tôn Nữ Hoàng Thị Phương Thảo", maxPersonName)
	g.Place = fillRunes("Thành phố Hồ Chí Minh", maxPlaceName)
	g.Class = "12 Chuyên Tiếng Anh"
	for i := range g.Students {
		if i%3 == 0 {
			g.Students[i].FullName = fillRunes("Nguyễn Ngọc Hoàng Phương Thảo Quyên", maxPersonName)
		}
		g.Students[i].ID = fmt.Sprintf("0830091234%02d%08d", i, i) // 20 characters
	}
	return g
}

// TestRenderGradebookLayout: in every page of every variant, no two words
// overlap, nothing leaves the margins, and the signature box and the QR code
// stay clear.
func TestRenderGradebookLayout(t *testing.T) {
	r := newGradebookRenderer(t, testOpts)
	long := longGradebook(t)
	cases := map[string]Gradebook{
		"sample HK1":      sampleGradebook(t, SampleClassSize, TermI, "Toán"),
		"sample CN":       sampleGradebook(t, SampleClassSize, TermYear, "Ngữ văn"),
		"comment HK2":     sampleGradebook(t, SampleClassSize, TermII, "Nội dung giáo dục của địa phương"),
		"one student":     sampleGradebook(t, 1, TermI, "Lịch sử"),
		"100 students":    sampleGradebook(t, MaxGradebookStudents, TermII, "Tin học"),
		"longest fields":  long,
		"three regular":   sampleGradebook(t, 20, TermII, "Vật lí"),
		"two regular, CN": sampleGradebook(t, 19, TermYear, "Giáo dục quốc phòng và an ninh"),
	}
	for name, g := range cases {
		t.Run(name, func(t *testing.T) {
			if err := g.Validate(); err != nil {
				t.Fatalf("test gradebook is invalid: %v", err)
			}
			pages := pdfPages(t, renderGradebook(t, r, g))
			plan := planGradebook(&g)
			if len(pages) != len(plan.pages) {
				t.Fatalf("got %d pages, want %d", len(pages), len(plan.pages))
			}
			for i, p := range pages {
				var empty []pdf.Rect
				if i == len(pages)-1 {
					empty = []pdf.Rect{plan.sigBox(), plan.qrRect()}
				}
				checkPageLayout(t, i+1, p, gbMargin-1, empty)
				if want := fmt.Sprintf("Trang %d/%d", i+1, len(pages)); !strings.Contains(p.text(), want) {
					t.Errorf("page %d lacks %q", i+1, want)
				}
			}
			text := ""
			for _, p := range pages {
				text += strings.Join(strings.Fields(p.text()), " ") + " "
			}
			for _, s := range g.Students {
				if !strings.Contains(text, s.FullName) && !strings.Contains(text, strings.Join(strings.Fields(s.FullName)[:3], " ")) {
					t.Errorf("%q is not drawn", s.FullName)
				}
			}
		})
	}
}

func TestGradebookPlan(t *testing.T) {
	for n := 1; n <= MaxGradebookStudents; n++ {
		g := sampleGradebook(t, n, TermI, "Toán")
		p := planGradebook(&g)
		next := 0
		for i, pg := range p.pages {
			if pg.from != next || pg.to < pg.from {
				t.Fatalf("n=%d page %d: students [%d, %d), want from %d", n, i+1, pg.from, pg.to, next)
			}
			if bottom := pg.top + gbHeadH + float64(pg.to-pg.from)*gbRowH; bottom > gbRowLimit+1e-9 {
				t.Errorf("n=%d page %d: rows end at %.1f mm, below %.1f", n, i+1, bottom, gbRowLimit)
			}
			next = pg.to
		}
		if next != n {
			t.Fatalf("n=%d: %d students placed", n, next)
		}
		last := p.pages[len(p.pages)-1]
		if last.to == last.from {
			t.Errorf("n=%d: the signature stands on a page without rows", n)
		}
		if p.sigTop+gbSigH > gbSigLimit+1e-9 {
			t.Errorf("n=%d: the closing block ends at %.1f mm, below %.1f", n, p.sigTop+gbSigH, gbSigLimit)
		}
	}
	g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	if got := len(planGradebook(&g).pages); got != 3 {
		t.Errorf("45 students: got %d pages, want 3", got)
	}
}

func TestGradebookSignatureBoxes(t *testing.T) {
	g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	boxes, err := SignatureBoxes(GradebookLayoutV1, &g)
	if err != nil {
		t.Fatal(err)
	}
	if len(boxes) != 1 {
		t.Fatalf("got %d boxes, want 1", len(boxes))
	}
	b := boxes[0]
	if b.Role != "gvbm:toan" || b.Title != "GIÁO VIÊN BỘ MÔN" || b.Name != "Nguyễn Thị Thu Hà" || b.Subject != "Toán" || b.Page != 3 {
		t.Errorf("got %+v, want the subject teacher of Toán on page 3", b)
	}
	if b.Rect.W < 50 || b.Rect.H < 18 || b.Rect.X+b.Rect.W > a4Long-gbMargin || b.Rect.Y+b.Rect.H > gbSigLimit {
		t.Errorf("box %+v: want a roomy box on the page", b.Rect)
	}
	if want := b.Rect.UserSpace(a4Short); b.UserSpace != want {
		t.Errorf("UserSpace: got %v, want %v", b.UserSpace, want)
	}
	// The NFD form of the same gradebook has its boxes in the same place.
	nfd := g.clone()
	nfd.Subject = norm.NFD.String(nfd.Subject)
	nb, err := SignatureBoxes(GradebookLayoutV1, nfd)
	if err != nil || len(nb) != 1 || nb[0] != b {
		t.Errorf("NFD gradebook: got %+v, %v, want %+v", nb, err, b)
	}

	tr := sampleTranscript(t, sampleStrong)
	for _, tc := range []struct {
		name   string
		layout string
		doc    any
		check  func(error) bool
	}{
		{"transcript for a gradebook layout", GradebookLayoutV1, &tr, func(err error) bool { return errors.Is(err, ErrWrongDocument) }},
		{"gradebook value", GradebookLayoutV1, g, func(err error) bool { return errors.Is(err, ErrWrongDocument) }},
		{"nil gradebook", GradebookLayoutV1, (*Gradebook)(nil), func(err error) bool { return errors.Is(err, ErrWrongDocument) }},
		{"unknown layout", "gradebook/v0", &g, func(err error) bool { return errors.Is(err, ErrUnknownLayout) }},
		{"diploma layout", DiplomaLayoutV1, &g, func(err error) bool { return errors.Is(err, ErrUnknownLayout) }},
		{"invalid gradebook", GradebookLayoutV1, &Gradebook{}, func(err error) bool { return HasReason(err, ReasonRequired) }},
	} {
		if got, err := SignatureBoxes(tc.layout, tc.doc); !tc.check(err) || got != nil {
			t.Errorf("%s: got (%v, %v), want no boxes and the documented error", tc.name, got, err)
		}
	}
}

func TestRenderGradebookGolden(t *testing.T) {
	v1 := testOpts
	v1.Layout = GradebookLayoutV1
	r := newGradebookRenderer(t, v1)
	g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	a := renderGradebook(t, r, g)
	if b := renderGradebook(t, r, g); !bytes.Equal(a, b) {
		t.Fatal("two deterministic renders differ, want byte-identical output")
	}
	checkGolden(t, "gradebook_v1.golden.sha256", "SampleGradebook(45, HK1, Toán) rendered as gradebook/v1 by TestRenderGradebookGolden", a)
	if !bytes.Contains(a, []byte("/CreationDate (D:20240715090000)")) {
		t.Error("CreationDate is not RenderOptions.Now")
	}
	later := testOpts
	later.Now = later.Now.Add(time.Second)
	if c := renderGradebook(t, newGradebookRenderer(t, later), g); bytes.Equal(a, c) {
		t.Error("renders at different times are identical, want the creation date to differ")
	}
	// Without Now, the PDF is dated with the day the teacher signs.
	if e := renderGradebook(t, newGradebookRenderer(t, RenderOptions{}), g); !bytes.Contains(e, []byte("/CreationDate (D:20250110000000)")) {
		t.Error("without RenderOptions.Now, CreationDate is not the gradebook's ngay_ky")
	}
}

func TestRenderGradebookNFDAndNoMutation(t *testing.T) {
	r := newGradebookRenderer(t, testOpts)
	g := sampleGradebook(t, 5, TermI, "Toán")
	nfdName := norm.NFD.String(g.Students[2].FullName)
	g.Students[2].FullName = nfdName
	g.Students[2].Final = Mark(Score(g.Students[2].Final).Vietnamese())
	before := g.clone()
	text := pdfPages(t, renderGradebook(t, r, g))[0].text()
	if !strings.Contains(text, norm.NFC.String(nfdName)) || strings.Contains(text, nfdName) {
		t.Errorf("NFD name not drawn as NFC:\n%s", text)
	}
	if g.Students[2].FullName != nfdName || g.Students[2].Final != before.Students[2].Final {
		t.Error("Render changed the caller's gradebook")
	}
}

func TestRenderGradebookErrors(t *testing.T) {
	r := newGradebookRenderer(t, testOpts)
	good := sampleGradebook(t, 3, TermI, "Toán")
	wide := good.clone()
	wide.Students[1].FullName = strings.Repeat("W", 60)
	tests := []struct {
		name  string
		g     *Gradebook
		meta  IssueMeta
		check func(error) bool
	}{
		{"nil gradebook", nil, testMeta, func(err error) bool { return err != nil }},
		{"invalid gradebook", &Gradebook{Subject: "Toán"}, testMeta, func(err error) bool { return HasReason(err, ReasonRequired) }},
		{"no credential ID", &good, IssueMeta{VerifyURL: testMeta.VerifyURL}, func(err error) bool { return errors.Is(err, ErrBadIssueMeta) }},
		{"relative URL", &good, IssueMeta{CredentialID: "X", VerifyURL: "/v/X"}, func(err error) bool { return errors.Is(err, ErrBadIssueMeta) }},
		{"name too wide", wide, testMeta, func(err error) bool { return errors.Is(err, ErrTextTooLong) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.g, tc.meta)
			if !tc.check(err) || out != nil {
				t.Fatalf("got (%d bytes, %v), want no PDF and the documented error", len(out), err)
			}
		})
	}
	if _, err := NewGradebookRenderer(nil, testOpts); err == nil {
		t.Error("NewGradebookRenderer(nil): got no error")
	}
}

func TestRenderGradebookQRAndStructure(t *testing.T) {
	qpdf := needTool(t, "qpdf")
	pdftoppm := needTool(t, "pdftoppm")
	zbarimg := needTool(t, "zbarimg")
	r := newGradebookRenderer(t, testOpts)
	out := renderGradebook(t, r, sampleGradebook(t, SampleClassSize, TermI, "Toán"))
	p := writeTemp(t, "g.pdf", out)
	run(t, qpdf, "--check", p)
	if bytes.Contains(out, []byte("/Subtype /Image")) {
		t.Error("the gradebook holds an image; the QR code must be vector")
	}
	dir := filepath.Dir(p)
	run(t, pdftoppm, "-r", "150", "-png", "-f", "3", "-l", "3", "-singlefile", p, filepath.Join(dir, "last"))
	got := strings.TrimRight(run(t, zbarimg, "--raw", "-q", filepath.Join(dir, "last.png")), "\n")
	if got != testMeta.VerifyURL {
		t.Errorf("zbarimg: got %q, want %q", got, testMeta.VerifyURL)
	}
}

func TestRenderGradebookConcurrent(t *testing.T) {
	r := newGradebookRenderer(t, testOpts)
	gs := []Gradebook{
		sampleGradebook(t, SampleClassSize, TermI, "Toán"),
		sampleGradebook(t, SampleClassSize, TermYear, "Giáo dục thể chất"),
	}
	want := [][]byte{renderGradebook(t, r, gs[0]), renderGradebook(t, r, gs[1])}
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			out, err := r.Render(&gs[w%2], testMeta)
			if err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(out, want[w%2]) {
				t.Errorf("worker %d: output differs from the serial render", w)
			}
		}(w)
	}
	wg.Wait()
}

func BenchmarkRenderGradebook45(b *testing.B) {
	r := newGradebookRenderer(b, testOpts)
	g := sampleGradebook(b, SampleClassSize, TermI, "Toán")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(&g, testMeta); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSchoolPreviews renders the sample documents as PDF and PNG (60 dpi)
// into a directory, for a person to look at:
//
//	KYSO_PREVIEW_DIR=/tmp/previews go test ./templates -run TestSchoolPreviews
func TestSchoolPreviews(t *testing.T) {
	dir := os.Getenv("KYSO_PREVIEW_DIR")
	if dir == "" {
		t.Skip("set KYSO_PREVIEW_DIR to write PDF and PNG previews of the school documents")
	}
	pdftoppm := needTool(t, "pdftoppm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	gr, _ := NewGradebookRenderer(p, testOpts)
	tr, _ := NewTranscriptRenderer(p, testOpts)
	docs := map[string]func() ([]byte, error){
		"gradebook_hk1_toan": func() ([]byte, error) {
			g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
			return gr.Render(&g, testMeta)
		},
		"gradebook_cn_toan": func() ([]byte, error) {
			g := sampleGradebook(t, SampleClassSize, TermYear, "Toán")
			return gr.Render(&g, testMeta)
		},
		"gradebook_hk2_gdtc": func() ([]byte, error) {
			g := sampleGradebook(t, SampleClassSize, TermII, "Giáo dục thể chất")
			return gr.Render(&g, testMeta)
		},
		"gradebook_longest": func() ([]byte, error) {
			g := longGradebook(t)
			return gr.Render(&g, testMeta)
		},
		"hocba_strong": func() ([]byte, error) {
			s := sampleTranscript(t, sampleStrong)
			return tr.Render(&s, testMeta)
		},
		"hocba_retest": func() ([]byte, error) {
			s := sampleTranscript(t, sampleWeak)
			return tr.Render(&s, testMeta)
		},
		"hocba_longest": func() ([]byte, error) {
			s := longTranscript(t)
			return tr.Render(&s, testMeta)
		},
	}
	for name, render := range docs {
		out, err := render()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join(dir, name+".pdf")
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, pdftoppm, "-r", "60", "-png", path, filepath.Join(dir, name))
	}
}
