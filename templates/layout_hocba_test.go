package templates

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/pdf"
	"golang.org/x/text/unicode/norm"
)

func newTranscriptRenderer(t testing.TB, opts RenderOptions) *TranscriptRenderer {
	t.Helper()
	p, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewTranscriptRenderer(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func renderTranscript(t testing.TB, r *TranscriptRenderer, tr Transcript) []byte {
	t.Helper()
	out, err := r.Render(&tr, testMeta)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return out
}

// TestRenderTranscriptTextExact: pdftotext reads back both pages line for
// line.
func TestRenderTranscriptTextExact(t *testing.T) {
	r := newTranscriptRenderer(t, testOpts)
	footer := func(page int, name string) string {
		return fmt.Sprintf("Mã xác thực: %s Trang %d/2 Học bạ năm học 2024-2025 – %s – Lớp 10A1", testMeta.CredentialID, page, name)
	}
	head := []string{
		"SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"TRƯỜNG THPT CHUYÊN BẾN TRE Độc lập - Tự do - Hạnh phúc",
		"HỌC BẠ",
		"TRUNG HỌC PHỔ THÔNG",
		"Lớp: 10A1 Năm học: 2024-2025",
	}
	tableHead := []string{
		"KẾT QUẢ HỌC TẬP CÁC MÔN HỌC VÀ HOẠT ĐỘNG GIÁO DỤC",
		"Điểm trung bình môn Điểm KT,",
		"Giáo viên bộ môn",
		"học hoặc mức đánh giá ĐG lại",
		"Môn học và hoạt động giáo dục",
		"HK I HK II CN (nếu có) (ký và ghi rõ họ tên)",
	}
	signatures := []string{
		"Bến Tre, ngày 31 tháng 5 năm 2025",
		"GIÁO VIÊN CHỦ NHIỆM DẤU CỦA NHÀ TRƯỜNG XÁC NHẬN CỦA HIỆU TRƯỞNG",
		"(Ký và ghi rõ họ tên) (Chữ ký số của nhà trường) (Ký, ghi rõ họ tên và đóng dấu)",
		"Đỗ Thị Kim Oanh Trường THPT Chuyên Bến Tre Trần Văn Đông",
		"Học bạ điện tử này được ký số bởi các giáo viên bộ môn, giáo viên chủ nhiệm,",
		"hiệu trưởng và nhà trường.",
		"Mã xác thực: " + testMeta.CredentialID,
		"Quét mã để xác thực học bạ",
	}
	resultsHead := []string{
		"KẾT QUẢ HỌC TẬP VÀ RÈN LUYỆN",
		"Sau kiểm tra lại, rèn",
		"Học kì I Học kì II Cả năm",
		"luyện trong hè",
	}
	tests := []struct {
		student int
		want    [2][]string
	}{
		{sampleStrong, [2][]string{
			slices.Concat(head, []string{
				"Họ và tên: Trần Thị Ngọc Ánh Giới tính: Nữ",
				"Ngày sinh: 07/03/2009 Dân tộc: Kinh",
				"Nơi sinh: Bến Tre",
				"Chỗ ở hiện tại: Số 3, phường Phú Khương, thành phố Bến Tre, tỉnh Bến Tre",
				"Mã định danh học sinh: 8320241001 Lớp: 10A1",
			}, tableHead, []string{
				"Ngữ văn 9,5 9,8 9,7 Trần Thị Bích Ngọc",
				"Toán 9,3 9,4 9,4 Nguyễn Thị Thu Hà",
				"Tiếng Anh 9,3 9,4 9,4 Lê Minh Tuấn",
				"Lịch sử 9,5 9,3 9,4 Phạm Văn Lũy",
				"Giáo dục thể chất Đ Đ Đ Huỳnh Văn Dũng",
				"Giáo dục quốc phòng và an", "9,9 9,2 9,4 Võ Thanh Sĩ", "ninh",
				"Vật lí 9,4 9,6 9,5 Đặng Văn Khiêm",
				"Hóa học 9,9 9,7 9,8 Ngô Thị Mỹ Lệ",
				"Sinh học 9,0 9,2 9,1 Bùi Thị Hồng Nhung",
				"Tin học 9,6 9,8 9,7 Trương Quốc Việt",
				"Hoạt động trải nghiệm,", "Đ Đ Đ Đỗ Thị Kim Oanh", "hướng nghiệp",
				"Nội dung giáo dục của địa", "Đ Đ Đ Lâm Văn Thọ", "phương",
				footer(1, "Trần Thị Ngọc Ánh"),
			}),
			slices.Concat([]string{"Họ và tên: Trần Thị Ngọc Ánh Lớp 10A1 – Năm học 2024-2025"}, resultsHead, []string{
				"Kết quả học tập Tốt Tốt Tốt",
				"Kết quả rèn luyện Tốt Tốt Tốt",
				"Tổng số buổi nghỉ học cả năm học: 0 buổi",
				"Xét lên lớp: Được lên lớp",
				"Danh hiệu: Học sinh Xuất sắc",
				"Khen thưởng: – Giải Nhất kì thi Olympic Toán cấp trường năm học 2024-2025",
				"– Giải Ba cuộc thi Khoa học kĩ thuật cấp tỉnh dành cho học sinh trung học",
				"NHẬN XÉT CỦA GIÁO VIÊN CHỦ NHIỆM",
				"Em ngoan, lễ phép, có ý thức tự giác và tinh thần trách nhiệm cao trong học tập và rèn luyện;",
				"học đều các môn, nổi bật ở Toán và các môn khoa học tự nhiên. Tích cực tham gia phong trào",
				"của lớp, của trường và biết giúp đỡ bạn bè cùng tiến bộ. Cần tiếp tục phát huy.",
				"Trong bảng kết quả học tập các môn học có sửa chữa ở: 0 chỗ, thuộc các môn: không.",
			}, signatures, []string{footer(2, "Trần Thị Ngọc Ánh")}),
		}},
		{sampleWeak, [2][]string{
			slices.Concat(head, []string{
				"Họ và tên: Âu Trường Sơn Giới tính: Nam",
				"Ngày sinh: 14/02/2009 Dân tộc: Kinh",
				"Nơi sinh: Bến Tre",
				"Chỗ ở hiện tại: Số 176, xã Tân Thạch, huyện Châu Thành, tỉnh Bến Tre",
				"Mã định danh học sinh: 8320242074 Lớp: 10A1",
			}, tableHead, []string{
				"Ngữ văn 6,0 6,5 6,3 Trần Thị Bích Ngọc",
				"Toán 2,8 3,0 2,9 6,6 Nguyễn Thị Thu Hà",
				"Tiếng Anh 5,3 6,6 6,2 Lê Minh Tuấn",
				"Lịch sử 6,2 5,9 6,0 Phạm Văn Lũy",
				"Giáo dục thể chất CĐ CĐ CĐ Đ Huỳnh Văn Dũng",
				"Giáo dục quốc phòng và an", "5,9 6,3 6,2 Võ Thanh Sĩ", "ninh",
				"Vật lí 4,5 4,4 4,4 6,2 Đặng Văn Khiêm",
				"Hóa học 6,6 7,0 6,9 Ngô Thị Mỹ Lệ",
				"Sinh học 6,0 5,8 5,9 Bùi Thị Hồng Nhung",
				"Tin học 5,9 5,9 5,9 Trương Quốc Việt",
				"Hoạt động trải nghiệm,", "Đ Đ Đ Đỗ Thị Kim Oanh", "hướng nghiệp",
				"Nội dung giáo dục của địa", "Đ Đ Đ Lâm Văn Thọ", "phương",
				footer(1, "Âu Trường Sơn"),
			}),
			slices.Concat([]string{"Họ và tên: Âu Trường Sơn Lớp 10A1 – Năm học 2024-2025"}, resultsHead, []string{
				"Kết quả học tập Chưa đạt Chưa đạt Chưa đạt Đạt",
				"Kết quả rèn luyện Đạt Đạt Đạt",
				"Tổng số buổi nghỉ học cả năm học: 14 buổi",
				"Xét lên lớp: Kiểm tra lại; sau kiểm tra lại: Được lên lớp",
				"Danh hiệu: không",
				"Khen thưởng: không",
				"NHẬN XÉT CỦA GIÁO VIÊN CHỦ NHIỆM",
				"Em hiền lành, chấp hành nội quy nhưng chưa chuyên cần; kết quả học tập chưa đồng đều, còn",
				"yếu ở Toán và Vật lí. Đã cố gắng ôn tập trong hè và đạt yêu cầu khi kiểm tra lại. Cần đi học đầy",
				"đủ, làm bài tập về nhà và mạnh dạn hỏi thầy cô khi chưa hiểu bài.",
				"Trong bảng kết quả học tập các môn học có sửa chữa ở: 2 chỗ, thuộc các môn: Toán, Vật lí.",
			}, signatures, []string{footer(2, "Âu Trường Sơn")}),
		}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint("student ", tc.student), func(t *testing.T) {
			pages := pdfPages(t, renderTranscript(t, r, sampleTranscript(t, tc.student)))
			if len(pages) != 2 {
				t.Fatalf("got %d pages, want 2", len(pages))
			}
			for i, p := range pages {
				if got := p.lines(); !slices.Equal(got, tc.want[i]) {
					t.Errorf("page %d lines:\n%s\nwant:\n%s", i+1, strings.Join(got, "\n"), strings.Join(tc.want[i], "\n"))
				}
				if !norm.NFC.IsNormalString(p.text()) {
					t.Errorf("page %d: pdftotext output is not NFC", i+1)
				}
			}
		})
	}
}

// longTranscript fills every text of a học bạ to its maximum length, with
// the most subjects and awards.
func longTranscript(t testing.TB) Transcript {
	tr := sampleTranscript(t, sampleWeak)
	tr.Department = fillRunes("Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh", maxOrgName)
	tr.School = fillRunes("Trường Trung học phổ thông Chuyên Nguyễn Thị Minh Khai", maxOrgName)
	tr.Place = fillRunes("Thành phố Hồ Chí Minh", maxPlaceName)
	tr.Class = "12 Chuyên Tiếng Anh"
	st := &tr.Student
	st.ID = "08309123456789012345"
	st.FullName = fillRunes("Công Tằng Tôn Nữ Hoàng Thị Phương Thảo", maxPersonName)
	st.Ethnicity = fillRunes("Ê Đê Ba Na Xơ Đăng", maxEthnicity)
	st.PlaceOfBirth = fillRunes("Xã Thạnh Phú Đông, huyện Giồng Trôm, tỉnh Bến Tre", maxOrgName)
	st.Address = fillRunes("Số 123/45 đường Nguyễn Đình Chiểu, phường Võ Thị Sáu, quận 3, Thành phố Hồ Chí Minh", maxAddress)
	for len(tr.Subjects) < MaxTranscriptSubjects {
		s := tr.Subjects[0]
		s.Name = []string{"Âm nhạc", "Mĩ thuật", "Tiếng Khmer"}[len(tr.Subjects)-12]
		tr.Subjects = append(tr.Subjects, s)
	}
	for i := range tr.Subjects {
		if i%2 == 0 {
			tr.Subjects[i].Teacher = fillRunes("Nguyễn Hoàng Thị Thủy Tiên Phương", maxPersonName)
		}
	}
	tr.Subjects[5].Name = fillRunes("Chuyên đề học tập Giáo dục quốc phòng và an ninh", maxSubjectName)
	tr.Awards = nil
	for i := 0; i < MaxAwards; i++ {
		tr.Awards = append(tr.Awards, fillRunes(fmt.Sprintf("Giải %d kì thi chọn học sinh giỏi cấp tỉnh môn Tiếng Anh và Hội khỏe Phù Đổng", i+1), maxAward))
	}
	tr.HomeroomComment = fillRunes("Em ngoan, lễ phép, có ý thức tự giác và tinh thần trách nhiệm cao trong học tập;", maxComment)
	tr.HomeroomTeacher = fillRunes("Công Tằng Tôn Nữ Diệu Huyền Trang", maxPersonName)
	tr.Principal = fillRunes("Nguyễn Phúc Bảo Hoàng Minh Khôi", maxPersonName)
	tr.Corrections = MaxCorrections
	tr.CorrectedSubjects = nil
	for _, s := range tr.Subjects[:8] {
		tr.CorrectedSubjects = append(tr.CorrectedSubjects, s.Name)
	}
	return tr
}

// TestRenderTranscriptLayout: on both pages, no two words overlap, nothing
// leaves the margins, and the signature boxes and the QR code stay clear.
func TestRenderTranscriptLayout(t *testing.T) {
	r := newTranscriptRenderer(t, testOpts)
	few := sampleTranscript(t, sampleStrong)
	few.Subjects = few.Subjects[:3]
	// With three subjects no student reaches Đạt (Điều 9 khoản 2 needs six
	// scored subjects), so the results must say so.
	few.TermI.Learning, few.TermII.Learning, few.Year.Learning = RatingFail, RatingFail, RatingFail
	few.Title = ""
	few.Promotion = PromotionRetest
	cases := map[string]Transcript{
		"strong":         sampleTranscript(t, sampleStrong),
		"retests":        sampleTranscript(t, sampleWeak),
		"longest fields": longTranscript(t),
		"three subjects": few,
	}
	for name, tr := range cases {
		t.Run(name, func(t *testing.T) {
			if err := tr.Validate(); err != nil {
				t.Fatalf("test transcript is invalid: %v", err)
			}
			boxes, err := SignatureBoxes(TranscriptLayoutV1, &tr)
			if err != nil {
				t.Fatal(err)
			}
			empty := map[int][]pdf.Rect{2: {{X: hbMargin, Y: hbQRTop, W: hbQRSize, H: hbQRSize}}}
			for _, b := range boxes {
				empty[b.Page] = append(empty[b.Page], b.Rect)
			}
			pages := pdfPages(t, renderTranscript(t, r, tr))
			if len(pages) != 2 {
				t.Fatalf("got %d pages, want 2", len(pages))
			}
			for i, p := range pages {
				checkPageLayout(t, i+1, p, hbMargin-1, empty[i+1])
			}
			if name == "longest fields" {
				text := strings.Join(strings.Fields(pages[0].text()+" "+pages[1].text()), " ")
				for _, s := range []string{tr.Student.FullName, tr.Student.PlaceOfBirth, tr.Awards[3][:20], "99 chỗ"} {
					if !strings.Contains(text, s) {
						t.Errorf("%q is not drawn", s)
					}
				}
			}
		})
	}
}

func TestTranscriptSignatureBoxes(t *testing.T) {
	tr := sampleTranscript(t, sampleStrong)
	boxes, err := SignatureBoxes(TranscriptLayoutV1, &tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(boxes) != len(tr.Subjects)+3 {
		t.Fatalf("got %d boxes, want %d", len(boxes), len(tr.Subjects)+3)
	}
	roles := map[string]bool{}
	for i, b := range boxes {
		if roles[b.Role] {
			t.Errorf("role %q repeats", b.Role)
		}
		roles[b.Role] = true
		if b.Rect.W < 25 || b.Rect.H < 8 || b.Rect.X < hbMargin || b.Rect.X+b.Rect.W > a4Short-hbMargin || b.Rect.Y+b.Rect.H > hbRowsEnd {
			t.Errorf("box %q %+v: want a usable box inside the page", b.Role, b.Rect)
		}
		if b.UserSpace != b.Rect.UserSpace(a4Long) {
			t.Errorf("box %q: UserSpace %v, want %v", b.Role, b.UserSpace, b.Rect.UserSpace(a4Long))
		}
		for _, c := range boxes[i+1:] {
			if b.Page == c.Page && b.Rect.X < c.Rect.X+c.Rect.W && c.Rect.X < b.Rect.X+b.Rect.W &&
				b.Rect.Y < c.Rect.Y+c.Rect.H && c.Rect.Y < b.Rect.Y+b.Rect.H {
				t.Errorf("boxes %q and %q overlap", b.Role, c.Role)
			}
		}
	}
	for i, s := range tr.Subjects {
		b := boxes[i]
		if b.Role != SubjectTeacherRole(s.Name) || b.Title != "GIÁO VIÊN BỘ MÔN" || b.Name != s.Teacher || b.Subject != s.Name || b.Page != 1 {
			t.Errorf("box %d: got %+v, want the teacher of %s on page 1", i, b, s.Name)
		}
	}
	tail := boxes[len(tr.Subjects):]
	want := []struct{ role, title, name string }{
		{RoleHomeroom, "GIÁO VIÊN CHỦ NHIỆM", "Đỗ Thị Kim Oanh"},
		{RolePrincipal, "HIỆU TRƯỞNG", "Trần Văn Đông"},
		{RoleSeal, "DẤU CỦA NHÀ TRƯỜNG", "Trường THPT Chuyên Bến Tre"},
	}
	for i, w := range want {
		if b := tail[i]; b.Role != w.role || b.Title != w.title || b.Name != w.name || b.Page != 2 {
			t.Errorf("box %q: got %+v, want %+v on page 2", w.role, b, w)
		}
	}
	if !roles["gvbm:hoat_dong_trai_nghiem_huong_nghiep"] || !roles["gvbm:giao_duc_quoc_phong_va_an_ninh"] {
		t.Errorf("roles: got %v", roles)
	}

	g := sampleGradebook(t, 3, TermI, "Toán")
	for _, tc := range []struct {
		name  string
		doc   any
		check func(error) bool
	}{
		{"gradebook for a transcript layout", &g, func(err error) bool { return errors.Is(err, ErrWrongDocument) }},
		{"transcript value", tr, func(err error) bool { return errors.Is(err, ErrWrongDocument) }},
		{"nil transcript", (*Transcript)(nil), func(err error) bool { return errors.Is(err, ErrWrongDocument) }},
		{"invalid transcript", &Transcript{}, func(err error) bool { return HasReason(err, ReasonRequired) }},
	} {
		if got, err := SignatureBoxes(TranscriptLayoutV1, tc.doc); !tc.check(err) || got != nil {
			t.Errorf("%s: got (%v, %v), want no boxes and the documented error", tc.name, got, err)
		}
	}
}

func TestRenderTranscriptGolden(t *testing.T) {
	v1 := testOpts
	v1.Layout = TranscriptLayoutV1
	r := newTranscriptRenderer(t, v1)
	tr := sampleTranscript(t, sampleStrong)
	a := renderTranscript(t, r, tr)
	if b := renderTranscript(t, r, tr); !bytes.Equal(a, b) {
		t.Fatal("two deterministic renders differ, want byte-identical output")
	}
	checkGolden(t, "hocba_v1.golden.sha256", "SampleTranscript(0) rendered as hocba/v1 by TestRenderTranscriptGolden", a)
	later := testOpts
	later.Now = later.Now.Add(time.Second)
	if c := renderTranscript(t, newTranscriptRenderer(t, later), tr); bytes.Equal(a, c) {
		t.Error("renders at different times are identical, want the creation date to differ")
	}
	if e := renderTranscript(t, newTranscriptRenderer(t, RenderOptions{}), tr); !bytes.Contains(e, []byte("/CreationDate (D:20250531000000)")) {
		t.Error("without RenderOptions.Now, CreationDate is not the approval date")
	}
}

func TestRenderTranscriptNFDAndNoMutation(t *testing.T) {
	r := newTranscriptRenderer(t, testOpts)
	tr := sampleTranscript(t, sampleStrong)
	nfd := norm.NFD.String(tr.Student.FullName)
	tr.Student.FullName = nfd
	tr.Subjects[0].Name = norm.NFD.String(tr.Subjects[0].Name)
	tr.Awards[0] = norm.NFD.String(tr.Awards[0])
	text := pdfPages(t, renderTranscript(t, r, tr))[0].text()
	if !strings.Contains(text, norm.NFC.String(nfd)) || strings.Contains(text, nfd) {
		t.Error("NFD name not drawn as NFC")
	}
	if tr.Student.FullName != nfd || tr.Awards[0] == norm.NFC.String(tr.Awards[0]) {
		t.Error("Render changed the caller's transcript")
	}
}

func TestRenderTranscriptErrors(t *testing.T) {
	r := newTranscriptRenderer(t, testOpts)
	good := sampleTranscript(t, sampleStrong)
	wide := good.clone()
	wide.Subjects[0].Teacher = strings.Repeat("W", 60)
	tests := []struct {
		name  string
		tr    *Transcript
		meta  IssueMeta
		check func(error) bool
	}{
		{"nil transcript", nil, testMeta, func(err error) bool { return err != nil }},
		{"invalid transcript", &Transcript{School: "Trường THPT Chuyên Bến Tre"}, testMeta, func(err error) bool { return HasReason(err, ReasonRequired) }},
		{"bad meta", &good, IssueMeta{CredentialID: "X", VerifyURL: "ftp://x"}, func(err error) bool { return errors.Is(err, ErrBadIssueMeta) }},
		{"teacher too wide", wide, testMeta, func(err error) bool { return errors.Is(err, ErrTextTooLong) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.tr, tc.meta)
			if !tc.check(err) || out != nil {
				t.Fatalf("got (%d bytes, %v), want no PDF and the documented error", len(out), err)
			}
		})
	}
	if _, err := NewTranscriptRenderer(nil, testOpts); err == nil {
		t.Error("NewTranscriptRenderer(nil): got no error")
	}
}

func TestRenderTranscriptQRAndStructure(t *testing.T) {
	qpdf := needTool(t, "qpdf")
	pdftoppm := needTool(t, "pdftoppm")
	zbarimg := needTool(t, "zbarimg")
	r := newTranscriptRenderer(t, testOpts)
	out := renderTranscript(t, r, sampleTranscript(t, sampleStrong))
	p := writeTemp(t, "h.pdf", out)
	run(t, qpdf, "--check", p)
	dir := filepath.Dir(p)
	run(t, pdftoppm, "-r", "150", "-png", "-f", "2", "-l", "2", "-singlefile", p, filepath.Join(dir, "p2"))
	got := strings.TrimRight(run(t, zbarimg, "--raw", "-q", filepath.Join(dir, "p2.png")), "\n")
	if got != testMeta.VerifyURL {
		t.Errorf("zbarimg: got %q, want %q", got, testMeta.VerifyURL)
	}
}

func BenchmarkRenderTranscript(b *testing.B) {
	r := newTranscriptRenderer(b, testOpts)
	tr := sampleTranscript(b, sampleStrong)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(&tr, testMeta); err != nil {
			b.Fatal(err)
		}
	}
}
