package templates

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kyso-vn/kyso/pdf"
)

// TranscriptLayoutV1 names the first học bạ layout: two A4 portrait pages
// for one school year. Page 1: the school's header, the title, the student's
// particulars and the subject table, each row with its teacher's name and
// signature box. Page 2: the learning and conduct results, absences,
// promotion, title and awards, the homeroom teacher's comment, the
// correction box, and the boxes of the homeroom teacher, the school's seal
// and the principal. A layout never changes once records were issued with
// it; a new look is a new version.
const TranscriptLayoutV1 = "hocba/v1"

// Geometry of hocba/v1 (A4 portrait), in millimetres.
const (
	hbMargin   = 15.0
	hbWidth    = a4Short - 2*hbMargin
	hbTableTop = 113.0 // the subject table
	hbHeadH    = 16.0  // its header
	hbRowsEnd  = 276.0 // subject rows end above this
	hbMaxRowH  = 12.0
	hbFooterY  = 289.0
	hbPages    = 2

	// Page 2.
	hbResultsTop = 30.0
	hbCommentTop = 117.0
	hbCommentH   = 35.0
	hbSigTop     = 184.0
	hbSigBoxW    = 52.0
	hbSigBoxH    = 28.0
	hbQRTop      = 232.0
	hbQRSize     = 28.0
)

// Columns of the subject table: subject, HK I, HK II, CN, re-test, teacher.
func hbColumns() [6]float64 { return [6]float64{52, 14, 14, 14, 18, 68} }

// TranscriptRenderer draws học bạ years in layout hocba/v1 with the shared
// fonts of a *pdf.Renderer. It is safe for concurrent use.
type TranscriptRenderer struct {
	pdf  *pdf.Renderer
	opts RenderOptions
}

// NewTranscriptRenderer returns a TranscriptRenderer drawing with p. With
// opts.Now zero the PDF is dated with the transcript's ApprovalDate.
func NewTranscriptRenderer(p *pdf.Renderer, opts RenderOptions) (*TranscriptRenderer, error) {
	if p == nil {
		return nil, errors.New("new transcript renderer: nil *pdf.Renderer")
	}
	return &TranscriptRenderer{pdf: p, opts: opts}, nil
}

// hbRowH returns the height of a subject row for n subjects.
func hbRowH(n int) float64 {
	return min(hbMaxRowH, (hbRowsEnd-hbTableTop-hbHeadH)/float64(max(n, 1)))
}

// hbSubjectSigBox is the signature box in the teacher cell of subject row i.
func hbSubjectSigBox(i, n int) pdf.Rect {
	cols := hbColumns()
	x := hbMargin
	for _, w := range cols[:5] {
		x += w
	}
	h := hbRowH(n)
	return pdf.Rect{X: x + 1.5, Y: hbTableTop + hbHeadH + float64(i)*h + 1.2, W: 30, H: h - 2.4}
}

// hbSigColumn returns the centre of signature column k (0 homeroom teacher,
// 1 seal, 2 principal) and its box.
func hbSigColumn(k int) (float64, pdf.Rect) {
	cx := hbMargin + hbWidth/6 + float64(k)*hbWidth/3
	return cx, pdf.Rect{X: cx - hbSigBoxW/2, Y: hbSigTop, W: hbSigBoxW, H: hbSigBoxH}
}

// Titles printed above the signature boxes of page 2.
const (
	hbTitleHomeroom  = "GIÁO VIÊN CHỦ NHIỆM"
	hbTitleSeal      = "DẤU CỦA NHÀ TRƯỜNG"
	hbTitlePrincipal = "HIỆU TRƯỞNG"
)

func transcriptBoxes(t *Transcript) []SignatureBox {
	n := len(t.Subjects)
	var out []SignatureBox
	for i, s := range t.Subjects {
		out = append(out, newSignatureBox(SubjectTeacherRole(s.Name), "GIÁO VIÊN BỘ MÔN", s.Teacher, s.Name, 1,
			hbSubjectSigBox(i, n), a4Long))
	}
	_, gvcn := hbSigColumn(0)
	_, seal := hbSigColumn(1)
	_, ht := hbSigColumn(2)
	return append(out,
		newSignatureBox(RoleHomeroom, hbTitleHomeroom, t.HomeroomTeacher, "", 2, gvcn, a4Long),
		newSignatureBox(RolePrincipal, hbTitlePrincipal, t.Principal, "", 2, ht, a4Long),
		newSignatureBox(RoleSeal, hbTitleSeal, t.School, "", 2, seal, a4Long),
	)
}

// Render draws t in layout hocba/v1 and returns the unsigned PDF. t is
// normalised (on a copy) and validated first: an invalid transcript gives a
// ValidationErrors and no PDF. Text too long for its place at the smallest
// allowed size gives ErrTextTooLong; bad meta gives ErrBadIssueMeta.
func (r *TranscriptRenderer) Render(t *Transcript, meta IssueMeta) ([]byte, error) {
	if t == nil {
		return nil, errors.New("render transcript: nil transcript")
	}
	tt := t.clone()
	tt.Normalize()
	if err := tt.Validate(); err != nil {
		return nil, err
	}
	// Averages and results that do not add up are never drawn (Thông tư
	// 22/2021; see arithmetic.go).
	if err := tt.CheckArithmetic(); err != nil {
		return nil, err
	}
	version, err := r.opts.layoutFor(TranscriptLayoutV1, TranscriptLayoutV2)
	if err != nil {
		return nil, err
	}
	if err := meta.validate(); err != nil {
		return nil, err
	}
	created := r.opts.Now
	if created.IsZero() {
		created = time.Date(tt.ApprovalDate.Year, tt.ApprovalDate.Month, tt.ApprovalDate.Day, 0, 0, 0, 0, time.UTC)
	}
	doc, err := r.pdf.NewDocument(pdf.Options{
		Orientation:   pdf.Portrait,
		Created:       created,
		Deterministic: r.opts.Deterministic,
		Metadata: pdf.Metadata{
			Title:    fmt.Sprintf("Học bạ năm học %s – %s – lớp %s", tt.SchoolYear, tt.Student.FullName, tt.Class),
			Subject:  fmt.Sprintf("Học bạ năm học %s, lớp %s, %s, mã xác thực %s", tt.SchoolYear, tt.Class, tt.School, meta.CredentialID),
			Author:   tt.School,
			Creator:  "kyso, mẫu " + TranscriptLayoutV1,
			Keywords: "học bạ điện tử, học bạ số, Thông tư 22/2021/TT-BGDĐT",
			Producer: "kyso – hồ sơ trường học số có chữ ký số",
			Lang:     "vi-VN",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("render transcript: %w", err)
	}
	s := &sheet{doc: doc}
	descriptions := []string{
		fmt.Sprintf("Học bạ năm học %s – %s – Lớp %s", tt.SchoolYear, tt.Student.FullName, tt.Class),
		fmt.Sprintf("Học bạ năm học %s – Lớp %s", tt.SchoolYear, tt.Class),
	}
	doc.AddPage()
	transcriptPage1(s, tt)
	s.footer(a4Short, hbMargin, hbMargin, hbFooterY, 1, hbPages, meta.CredentialID, descriptions...)
	doc.AddPage()
	transcriptPage2(s, tt, meta)
	s.footer(a4Short, hbMargin, hbMargin, hbFooterY, 2, hbPages, meta.CredentialID, descriptions...)
	if version == TranscriptLayoutV2 {
		placeFields(doc, schoolPlan(transcriptBoxes(tt)))
	}
	if s.err == nil {
		s.err = doc.Err()
	}
	if s.err != nil {
		return nil, s.err
	}
	rec := &Record{Kind: KindTranscript, Layout: version, CredentialID: meta.CredentialID, VerifyURL: meta.VerifyURL, Transcript: tt}
	if err := attachRecord(doc, rec, created); err != nil {
		return nil, fmt.Errorf("render transcript: %w", err)
	}
	out, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("render transcript: %w", err)
	}
	return out, nil
}

// label draws a label in regular type and returns where its value starts.
func (s *sheet) label(x, y float64, text string) float64 {
	s.text(pdf.Regular, 11, x, y, pdf.AlignLeft, text)
	if s.err != nil {
		return x
	}
	return x + s.doc.TextWidth(text) + 1.5
}

func transcriptPage1(s *sheet, t *Transcript) {
	doc := s.doc
	const cx = a4Short / 2
	doc.SetTextColor(schoolInk())
	s.orgHeader(t.Department, t.School, hbMargin+45, a4Short-hbMargin-45, 12, 90)
	s.text(pdf.Bold, 24, cx, 37, pdf.AlignCenter, "HỌC BẠ")
	s.text(pdf.Bold, 13, cx, 44, pdf.AlignCenter, schoolLevel(t.Class))
	s.segments("nam_hoc", 11.5, 8, cx, 51, hbWidth, []segment{
		{pdf.Regular, "Lớp: "}, {pdf.Bold, t.Class}, {pdf.Regular, "        Năm học: "}, {pdf.Bold, t.SchoolYear},
	})

	// The student's particulars, in a frame.
	st := &t.Student
	const (
		x1, x2 = hbMargin + 4, 148.0
		x3     = 118.0 // Dân tộc, beside the short date of birth
		right  = a4Short - hbMargin - 3
	)
	s.frame(pdf.Rect{X: hbMargin, Y: 56, W: hbWidth, H: 45}, 0.3)
	y := 63.0
	v := s.label(x1, y, "Họ và tên:")
	s.fit("hoc_sinh.ho_ten", pdf.Bold, 12.5, 8, v, y, x2-4-v, pdf.AlignLeft, st.FullName)
	v = s.label(x2, y, "Giới tính:")
	s.fit("hoc_sinh.gioi_tinh", pdf.Bold, 11, 8, v, y, right-v, pdf.AlignLeft, st.Gender)
	y += 7
	v = s.label(x1, y, "Ngày sinh:")
	s.fit("hoc_sinh.ngay_sinh", pdf.Bold, 11, 8, v, y, x3-4-v, pdf.AlignLeft, st.DateOfBirth.String())
	v = s.label(x3, y, "Dân tộc:")
	s.fit("hoc_sinh.dan_toc", pdf.Bold, 11, 7, v, y, right-v, pdf.AlignLeft, st.Ethnicity)
	y += 7
	v = s.label(x1, y, "Nơi sinh:")
	s.fit("hoc_sinh.noi_sinh", pdf.Regular, 11, 7, v, y, right-v, pdf.AlignLeft, st.PlaceOfBirth)
	y += 7
	v = s.label(x1, y, "Chỗ ở hiện tại:")
	s.fitBox("hoc_sinh.cho_o", pdf.Rect{X: v, Y: y - 3.7, W: right - v, H: 9.6},
		boxText{face: pdf.Regular, max: 11, oneLine: 9, min: 7.5, lines: 2, align: pdf.AlignLeft, top: true}, st.Address)
	y += 11.5
	v = s.label(x1, y, "Mã định danh học sinh:")
	s.fit("hoc_sinh.ma_hs", pdf.Bold, 11, 8, v, y, x2-4-v, pdf.AlignLeft, st.ID)
	v = s.label(x2, y, "Lớp:")
	s.fit("lop", pdf.Bold, 11, 8, v, y, right-v, pdf.AlignLeft, t.Class)

	s.text(pdf.Bold, 11.5, cx, hbTableTop-3.5, pdf.AlignCenter, "KẾT QUẢ HỌC TẬP CÁC MÔN HỌC VÀ HOẠT ĐỘNG GIÁO DỤC")
	transcriptSubjects(s, t)
}

func transcriptSubjects(s *sheet, t *Transcript) {
	doc := s.doc
	cols := hbColumns()
	n := len(t.Subjects)
	rowH := hbRowH(n)
	top := hbTableTop
	bottom := top + hbHeadH + float64(n)*rowH
	const groupH = 9.0

	doc.SetFillColor(schoolHead())
	doc.Rect(pdf.Rect{X: hbMargin, Y: top, W: hbWidth, H: hbHeadH}, pdf.Fill)
	head := boxText{face: pdf.Bold, max: 9, oneLine: 8, min: 7, lines: 2, align: pdf.AlignCenter, pad: 1}
	sub := boxText{face: pdf.Italic, max: 8, oneLine: 6.5, min: 6.5, lines: 2, align: pdf.AlignCenter, pad: 1}
	xs := [7]float64{hbMargin}
	for i, w := range cols {
		xs[i+1] = xs[i] + w
	}
	cell := func(i int, y, h float64) pdf.Rect { return pdf.Rect{X: xs[i], Y: y, W: cols[i], H: h} }
	doc.SetTextColor(schoolInk())
	s.fitBox("header", cell(0, top, hbHeadH), head, "Môn học và hoạt động giáo dục")
	s.fitBox("header", pdf.Rect{X: xs[1], Y: top, W: xs[4] - xs[1], H: groupH}, head, "Điểm trung bình môn học hoặc mức đánh giá")
	for i, h := range []string{"HK I", "HK II", "CN"} {
		s.fitBox("header", cell(1+i, top+groupH, hbHeadH-groupH), head, h)
	}
	s.fitBox("header", pdf.Rect{X: xs[4], Y: top, W: cols[4], H: 9}, head, "Điểm KT, ĐG lại")
	s.fitBox("header", pdf.Rect{X: xs[4], Y: top + 8, W: cols[4], H: 7}, sub, "(nếu có)")
	s.fitBox("header", pdf.Rect{X: xs[5], Y: top, W: cols[5], H: 9}, head, "Giáo viên bộ môn")
	s.fitBox("header", pdf.Rect{X: xs[5], Y: top + 8, W: cols[5], H: 7}, sub, "(ký và ghi rõ họ tên)")

	name := boxText{face: pdf.Regular, max: 10.5, oneLine: 9, min: 7, lines: 2, align: pdf.AlignLeft, pad: 1.8}
	mark := boxText{face: pdf.Regular, max: 11, oneLine: 9, min: 9, lines: 1, align: pdf.AlignCenter}
	year := mark
	year.face = pdf.Bold
	teacher := boxText{face: pdf.Regular, max: 9.5, oneLine: 8, min: 6.5, lines: 3, align: pdf.AlignCenter, pad: 0.8}
	for i := range t.Subjects {
		sj := &t.Subjects[i]
		y := top + hbHeadH + float64(i)*rowH
		f := fmt.Sprintf("mon_hoc[%d].", i+1)
		s.fitBox(f+"ten", cell(0, y, rowH), name, sj.Name)
		s.fitBox(f+"hk1", cell(1, y, rowH), mark, sj.TermI.Display())
		s.fitBox(f+"hk2", cell(2, y, rowH), mark, sj.TermII.Display())
		s.fitBox(f+"cn", cell(3, y, rowH), year, sj.Year.Display())
		s.fitBox(f+"kiem_tra_lai", cell(4, y, rowH), mark, sj.Retest.Display())
		box := hbSubjectSigBox(i, n)
		s.signatureMarks(box)
		nameX := box.X + box.W + 0.5
		s.fitBox(f+"giao_vien", pdf.Rect{X: nameX, Y: y, W: xs[6] - nameX, H: rowH}, teacher, sj.Teacher)
	}

	doc.SetDrawColor(schoolGrid())
	doc.SetLineWidth(0.15)
	for i := 0; i <= n; i++ {
		y := top + hbHeadH + float64(i)*rowH
		doc.Line(hbMargin, y, hbMargin+hbWidth, y)
	}
	doc.Line(xs[1], top+groupH, xs[4], top+groupH)
	for i := 1; i < len(cols); i++ {
		y := top
		if i == 2 || i == 3 {
			y = top + groupH
		}
		doc.Line(xs[i], y, xs[i], bottom)
	}
	doc.SetLineWidth(0.35)
	doc.Rect(pdf.Rect{X: hbMargin, Y: top, W: hbWidth, H: bottom - top}, pdf.Stroke)
}

func transcriptPage2(s *sheet, t *Transcript, meta IssueMeta) {
	doc := s.doc
	const cx = a4Short / 2
	doc.SetTextColor(schoolInk())
	v := s.label(hbMargin, 13, "Họ và tên:")
	s.fit("hoc_sinh.ho_ten", pdf.Bold, 11, 7, v, 13, 126-v, pdf.AlignLeft, t.Student.FullName)
	s.fit("lop", pdf.Italic, 10, 7, a4Short-hbMargin, 13, a4Short-hbMargin-129, pdf.AlignRight,
		"Lớp "+t.Class+" – Năm học "+t.SchoolYear)
	doc.SetDrawColor(schoolGrid())
	doc.SetLineWidth(0.2)
	doc.Line(hbMargin, 15.5, a4Short-hbMargin, 15.5)

	s.text(pdf.Bold, 12, cx, hbResultsTop-4, pdf.AlignCenter, "KẾT QUẢ HỌC TẬP VÀ RÈN LUYỆN")
	transcriptResults(s, t)

	x := hbMargin
	y := 66.0
	line := func(field, lbl, value string) {
		v := s.label(x, y, lbl)
		face := pdf.Bold
		if value == "không" {
			face = pdf.Regular
		}
		s.fit(field, face, 11, 7, v, y, a4Short-hbMargin-v, pdf.AlignLeft, value)
		y += 7
	}
	line("so_buoi_nghi", "Tổng số buổi nghỉ học cả năm học:", strconv.Itoa(t.DaysAbsent)+" buổi")
	promotion := string(t.Promotion)
	if t.PromotionAfter != "" {
		after := "sau kiểm tra lại"
		if t.Promotion == PromotionSummer {
			after = "sau rèn luyện trong hè"
		}
		promotion += "; " + after + ": " + string(t.PromotionAfter)
	}
	line("xet_len_lop", "Xét lên lớp:", promotion)
	title := t.Title
	if title == "" {
		title = "không"
	}
	line("danh_hieu", "Danh hiệu:", title)
	v = s.label(x, y, "Khen thưởng:")
	if len(t.Awards) == 0 {
		s.text(pdf.Regular, 11, v, y, pdf.AlignLeft, "không")
	}
	award := boxText{face: pdf.Regular, max: 11, oneLine: 8.5, min: 7, lines: 2, align: pdf.AlignLeft, top: true}
	for i, a := range t.Awards {
		s.fitBox(fmt.Sprintf("khen_thuong[%d]", i+1),
			pdf.Rect{X: v, Y: y - 3.7 + float64(i)*6.2, W: a4Short - hbMargin - v, H: 6.2}, award, "– "+a)
	}

	// The homeroom teacher's comment and the correction box.
	s.text(pdf.Bold, 11, hbMargin, hbCommentTop-3, pdf.AlignLeft, "NHẬN XÉT CỦA GIÁO VIÊN CHỦ NHIỆM")
	box := pdf.Rect{X: hbMargin, Y: hbCommentTop, W: hbWidth, H: hbCommentH}
	s.frame(box, 0.25)
	s.fitBox("nhan_xet_gvcn", pdf.Rect{X: box.X, Y: box.Y + 2, W: box.W, H: box.H - 3},
		boxText{face: pdf.Italic, max: 11, oneLine: 11, min: 7.5, lines: 9, align: pdf.AlignLeft, pad: 3, top: true}, t.HomeroomComment)

	subjects := "không"
	if len(t.CorrectedSubjects) > 0 {
		subjects = strings.Join(t.CorrectedSubjects, ", ")
	}
	s.fitBox("mon_sua_chua", pdf.Rect{X: hbMargin, Y: 155.5, W: hbWidth, H: 10.5},
		boxText{face: pdf.Regular, max: 10.5, oneLine: 8.5, min: 7, lines: 3, align: pdf.AlignLeft},
		fmt.Sprintf("Trong bảng kết quả học tập các môn học có sửa chữa ở: %d chỗ, thuộc các môn: %s.", t.Corrections, subjects))

	// Signatures: homeroom teacher, seal, principal.
	// The place and date, centred over the principal's column, or when too
	// long for it, ending at the right margin.
	pcx, _ := hbSigColumn(2)
	dateLine := t.Place + ", " + vnDate(t.ApprovalDate)
	if _, ok := doc.FitSize(pdf.Italic, dateLine, hbWidth/3, 10.5, 9); ok {
		s.fit("dia_danh", pdf.Italic, 10.5, 9, pcx, 171, hbWidth/3, pdf.AlignCenter, dateLine)
	} else {
		s.fit("dia_danh", pdf.Italic, 10.5, 7, a4Short-hbMargin, 171, hbWidth*0.6, pdf.AlignRight, dateLine)
	}
	cols := []struct {
		title, note, name, field string
	}{
		{hbTitleHomeroom, "(Ký và ghi rõ họ tên)", t.HomeroomTeacher, "gvcn"},
		{hbTitleSeal, "(Chữ ký số của nhà trường)", t.School, "truong"},
		{"XÁC NHẬN CỦA HIỆU TRƯỞNG", "(Ký, ghi rõ họ tên và đóng dấu)", t.Principal, "hieu_truong"},
	}
	for k, c := range cols {
		ccx, r := hbSigColumn(k)
		s.fit("title", pdf.Bold, 10.5, 8, ccx, 177, hbWidth/3-2, pdf.AlignCenter, c.title)
		s.text(pdf.Italic, 8.5, ccx, 181.5, pdf.AlignCenter, c.note)
		s.signatureMarks(r)
		face, size := pdf.Bold, 11.0
		if k == 1 {
			face, size = pdf.Regular, 9.5
		}
		s.fitBox(c.field, pdf.Rect{X: ccx - hbWidth/6 + 1, Y: r.Y + r.H + 1, W: hbWidth/3 - 2, H: 9},
			boxText{face: face, max: size, oneLine: 8, min: 6.5, lines: 2, align: pdf.AlignCenter}, c.name)
	}

	s.qrBlock(meta.VerifyURL, hbMargin, hbQRTop, hbQRSize, "Quét mã để xác thực học bạ")
	tx := hbMargin + hbQRSize + 5
	s.text(pdf.Italic, 9, tx, hbQRTop+10, pdf.AlignLeft,
		"Học bạ điện tử này được ký số bởi các giáo viên bộ môn, giáo viên chủ nhiệm,")
	s.text(pdf.Italic, 9, tx, hbQRTop+14.5, pdf.AlignLeft, "hiệu trưởng và nhà trường.")
	s.text(pdf.Regular, 9, tx, hbQRTop+21, pdf.AlignLeft, "Mã xác thực: "+meta.CredentialID)
}

func transcriptResults(s *sheet, t *Transcript) {
	doc := s.doc
	widths := [5]float64{50, 28, 28, 28, 46}
	const headH, rowH = 10.0, 8.0
	top := hbResultsTop
	xs := [6]float64{hbMargin}
	for i, w := range widths {
		xs[i+1] = xs[i] + w
	}
	doc.SetFillColor(schoolHead())
	doc.Rect(pdf.Rect{X: hbMargin, Y: top, W: hbWidth, H: headH}, pdf.Fill)
	head := boxText{face: pdf.Bold, max: 9.5, oneLine: 8, min: 7, lines: 2, align: pdf.AlignCenter, pad: 1}
	doc.SetTextColor(schoolInk())
	for i, h := range []string{"", "Học kì I", "Học kì II", "Cả năm", "Sau kiểm tra lại, rèn luyện trong hè"} {
		s.fitBox("header", pdf.Rect{X: xs[i], Y: top, W: widths[i], H: headH}, head, h)
	}
	after := func(r Rating) string { return string(r) }
	rows := []struct {
		label  string
		values [4]string
	}{
		{"Kết quả học tập", [4]string{string(t.TermI.Learning), string(t.TermII.Learning), string(t.Year.Learning), after(t.LearningAfterRetest)}},
		{"Kết quả rèn luyện", [4]string{string(t.TermI.Conduct), string(t.TermII.Conduct), string(t.Year.Conduct), after(t.ConductAfterSummer)}},
	}
	lbl := boxText{face: pdf.Bold, max: 10.5, oneLine: 8, min: 8, lines: 1, align: pdf.AlignLeft, pad: 2}
	val := boxText{face: pdf.Regular, max: 11, oneLine: 9, min: 9, lines: 1, align: pdf.AlignCenter}
	for k, r := range rows {
		y := top + headH + float64(k)*rowH
		s.fitBox("label", pdf.Rect{X: xs[0], Y: y, W: widths[0], H: rowH}, lbl, r.label)
		for i, v := range r.values {
			f := val
			if i == 2 {
				f.face = pdf.Bold
			}
			s.fitBox("ket_qua", pdf.Rect{X: xs[i+1], Y: y, W: widths[i+1], H: rowH}, f, v)
		}
	}
	bottom := top + headH + float64(len(rows))*rowH
	doc.SetDrawColor(schoolGrid())
	doc.SetLineWidth(0.15)
	for k := 0; k <= len(rows); k++ {
		y := top + headH + float64(k)*rowH
		doc.Line(hbMargin, y, hbMargin+hbWidth, y)
	}
	for i := 1; i < len(widths); i++ {
		doc.Line(xs[i], top, xs[i], bottom)
	}
	doc.SetLineWidth(0.35)
	doc.Rect(pdf.Rect{X: hbMargin, Y: top, W: hbWidth, H: bottom - top}, pdf.Stroke)
}

// clone returns a deep copy of t, for normalising without touching the
// caller's transcript.
func (t *Transcript) clone() *Transcript {
	c := *t
	c.Subjects = slices.Clone(t.Subjects)
	c.Awards = slices.Clone(t.Awards)
	c.CorrectedSubjects = slices.Clone(t.CorrectedSubjects)
	return &c
}
