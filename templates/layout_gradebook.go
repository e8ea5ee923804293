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

// GradebookLayoutV1 names the first gradebook layout: A4 landscape pages
// with the school's header, a table of the students over as many pages as
// needed (its header row repeated on each), "Trang x/y" on every page, and
// the subject teacher's signature box on the last page. A layout never
// changes once records were issued with it; a new look is a new version.
const GradebookLayoutV1 = "gradebook/v1"

// A4 sides, in millimetres.
const (
	a4Long  = 297.0
	a4Short = 210.0
)

// Geometry of gradebook/v1 (A4 landscape), in millimetres.
const (
	gbMargin    = 14.0
	gbMaxTableW = a4Long - 2*gbMargin
	gbFirstTop  = 56.0  // table top on page 1
	gbLaterTop  = 19.0  // table top on the following pages
	gbHeadH     = 13.0  // the table's two header rows
	gbRowH      = 6.4   // one student
	gbRowLimit  = 190.0 // rows end above this
	gbSigGap    = 3.0   // between the table and the closing block
	gbSigH      = 47.0  // the closing block: count, QR, date, title, box, name
	gbSigLimit  = 195.5 // the closing block ends above this
	gbFooterY   = 203.0 // footer baseline
	gbNameMaxW  = 92.0  // the name column never grows wider
	gbSigBoxW   = 70.0
	gbSigBoxH   = 22.0
	gbQRSize    = 26.0
)

// GradebookRenderer draws gradebooks in layout gradebook/v1 with the shared
// fonts of a *pdf.Renderer. It is safe for concurrent use.
type GradebookRenderer struct {
	pdf  *pdf.Renderer
	opts RenderOptions
}

// NewGradebookRenderer returns a GradebookRenderer drawing with p. With
// opts.Now zero the PDF is dated with the gradebook's SignDate.
func NewGradebookRenderer(p *pdf.Renderer, opts RenderOptions) (*GradebookRenderer, error) {
	if p == nil {
		return nil, errors.New("new gradebook renderer: nil *pdf.Renderer")
	}
	return &GradebookRenderer{pdf: p, opts: opts}, nil
}

// gbCell says what a gradebook column shows.
type gbCell int

const (
	cellNo gbCell = iota
	cellID
	cellName
	cellBirth
	cellRegular
	cellMid
	cellFinal
	cellTermAverage
	cellTermI
	cellTermII
	cellYear
)

// gbColumn is one column of the gradebook table.
type gbColumn struct {
	// group is the heading shared by consecutive columns in the first
	// header row; empty when the column's own heading spans both rows.
	group string
	head  []string // heading lines
	w     float64
	cell  gbCell
	n     int // the ĐĐGtx index, for cellRegular
}

func (c gbColumn) value(s *GradebookStudent) string {
	switch c.cell {
	case cellNo:
		return strconv.Itoa(s.No)
	case cellID:
		return s.ID
	case cellName:
		return s.FullName
	case cellBirth:
		return s.DateOfBirth.String()
	case cellRegular:
		if c.n < len(s.Regular) {
			return s.Regular[c.n].Display()
		}
	case cellMid:
		return s.MidTerm.Display()
	case cellFinal:
		return s.Final.Display()
	case cellTermAverage:
		return s.TermAverage.Display()
	case cellTermI:
		return s.TermI.Display()
	case cellTermII:
		return s.TermII.Display()
	case cellYear:
		return s.Year.Display()
	}
	return ""
}

// gbPage is one page of the table: students [from, to), table top.
type gbPage struct {
	from, to int
	top      float64
}

// gradebookPlan is where everything of a gradebook goes. It depends only on
// the term, the subject kind, the number of ĐĐGtx and the number of
// students, so that SignatureBoxes finds the boxes without drawing.
type gradebookPlan struct {
	x0, tableW float64
	cols       []gbColumn
	pages      []gbPage
	sigTop     float64 // top of the closing block on the last page
}

func gradebookColumns(g *Gradebook) []gbColumn {
	cols := []gbColumn{
		{head: []string{"STT"}, w: 10, cell: cellNo},
		{head: []string{"Mã định danh"}, w: 30, cell: cellID},
		{head: []string{"Họ và tên"}, cell: cellName},
		{head: []string{"Ngày sinh"}, w: 23, cell: cellBirth},
	}
	if g.Term == TermYear {
		group := "Điểm trung bình môn học"
		if g.SubjectKind == SubjectComment {
			group = "Mức đánh giá (Đ/CĐ)"
		}
		cols = append(cols,
			gbColumn{group: group, head: []string{"Học kì I"}, w: 30, cell: cellTermI},
			gbColumn{group: group, head: []string{"Học kì II"}, w: 30, cell: cellTermII},
			gbColumn{group: group, head: []string{"Cả năm"}, w: 30, cell: cellYear},
		)
	} else {
		for i := 0; i < g.RegularCount; i++ {
			cols = append(cols, gbColumn{group: "Đánh giá thường xuyên", head: []string{"ĐĐGtx" + strconv.Itoa(i+1)},
				w: 17, cell: cellRegular, n: i})
		}
		last := gbColumn{head: []string{"ĐTBmhk", "(TB môn HK)"}, w: 22, cell: cellTermAverage}
		if g.SubjectKind == SubjectComment {
			last.head = []string{"Nhận xét", "(Đ/CĐ)"}
		}
		cols = append(cols,
			gbColumn{head: []string{"ĐĐGgk", "(giữa kì)"}, w: 20, cell: cellMid},
			gbColumn{head: []string{"ĐĐGck", "(cuối kì)"}, w: 20, cell: cellFinal},
			last,
		)
	}
	rest := 0.0
	for _, c := range cols {
		rest += c.w
	}
	cols[2].w = min(gbNameMaxW, gbMaxTableW-rest)
	return cols
}

// planGradebook lays the students out on pages. Pages are filled in turn;
// when the closing block does not fit under the last rows, the last three
// rows move to a new page with it, so that the signature never stands on a
// page of its own.
func planGradebook(g *Gradebook) gradebookPlan {
	p := gradebookPlan{cols: gradebookColumns(g)}
	for _, c := range p.cols {
		p.tableW += c.w
	}
	p.x0 = (a4Long - p.tableW) / 2
	n := len(g.Students)
	capacity := func(top float64) int { return int((gbRowLimit - top - gbHeadH + 1e-9) / gbRowH) }
	top := gbFirstTop
	for from := 0; from < n || len(p.pages) == 0; {
		to := min(n, from+capacity(top))
		p.pages = append(p.pages, gbPage{from: from, to: to, top: top})
		from, top = to, gbLaterTop
	}
	last := &p.pages[len(p.pages)-1]
	bottom := func(pg gbPage) float64 { return pg.top + gbHeadH + float64(pg.to-pg.from)*gbRowH }
	if bottom(*last)+gbSigGap+gbSigH > gbSigLimit {
		move := min(3, last.to-last.from)
		last.to -= move
		p.pages = append(p.pages, gbPage{from: last.to, to: last.to + move, top: gbLaterTop})
	}
	p.sigTop = bottom(p.pages[len(p.pages)-1]) + gbSigGap
	return p
}

// sigCX is the centre of the signature column.
func (p gradebookPlan) sigCX() float64 { return p.x0 + p.tableW - 52 }

func (p gradebookPlan) sigBox() pdf.Rect {
	return pdf.Rect{X: p.sigCX() - gbSigBoxW/2, Y: p.sigTop + 18, W: gbSigBoxW, H: gbSigBoxH}
}

func (p gradebookPlan) qrRect() pdf.Rect {
	return pdf.Rect{X: p.x0, Y: p.sigTop + 8, W: gbQRSize, H: gbQRSize}
}

func (p gradebookPlan) boxes(g *Gradebook) []SignatureBox {
	return []SignatureBox{newSignatureBox(SubjectTeacherRole(g.Subject), "GIÁO VIÊN BỘ MÔN", g.Teacher, g.Subject,
		len(p.pages), p.sigBox(), a4Short)}
}

// Render draws g in layout gradebook/v1 and returns the unsigned PDF. g is
// normalised (on a copy) and validated first: an invalid gradebook gives a
// ValidationErrors and no PDF. Text too long for its place at the smallest
// allowed size gives ErrTextTooLong; bad meta gives ErrBadIssueMeta.
func (r *GradebookRenderer) Render(g *Gradebook, meta IssueMeta) ([]byte, error) {
	if g == nil {
		return nil, errors.New("render gradebook: nil gradebook")
	}
	gg := g.clone()
	gg.Normalize()
	if err := gg.Validate(); err != nil {
		return nil, err
	}
	// Averages and results that do not add up are never drawn (Thông tư
	// 22/2021; see arithmetic.go).
	if err := gg.CheckArithmetic(); err != nil {
		return nil, err
	}
	if err := meta.validate(); err != nil {
		return nil, err
	}
	version, err := r.opts.layoutFor(GradebookLayoutV1, GradebookLayoutV2)
	if err != nil {
		return nil, err
	}
	created := r.opts.Now
	if created.IsZero() {
		created = time.Date(gg.SignDate.Year, gg.SignDate.Month, gg.SignDate.Day, 0, 0, 0, 0, time.UTC)
	}
	doc, err := r.pdf.NewDocument(pdf.Options{
		Orientation:   pdf.Landscape,
		Created:       created,
		Deterministic: r.opts.Deterministic,
		Metadata: pdf.Metadata{
			Title:    "Sổ theo dõi và đánh giá học sinh – " + gg.describe(),
			Subject:  fmt.Sprintf("Sổ điểm môn %s, lớp %s, %s năm học %s, mã xác thực %s", gg.Subject, gg.Class, strings.ToLower(termTitle(gg.Term)), gg.SchoolYear, meta.CredentialID),
			Author:   gg.School,
			Creator:  "kyso, mẫu " + GradebookLayoutV1,
			Keywords: "sổ điểm điện tử, sổ theo dõi và đánh giá học sinh, Thông tư 22/2021/TT-BGDĐT",
			Producer: "kyso – hồ sơ trường học số có chữ ký số",
			Lang:     "vi-VN",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("render gradebook: %w", err)
	}
	s := &sheet{doc: doc}
	plan := planGradebook(gg)
	drawGradebook(s, gg, meta, plan)
	if version == GradebookLayoutV2 {
		placeFields(doc, schoolPlan(plan.boxes(gg)))
	}
	if s.err == nil {
		s.err = doc.Err()
	}
	if s.err != nil {
		return nil, s.err
	}
	rec := &Record{Kind: KindGradebook, Layout: version, CredentialID: meta.CredentialID, VerifyURL: meta.VerifyURL, Gradebook: gg}
	if err := attachRecord(doc, rec, created); err != nil {
		return nil, fmt.Errorf("render gradebook: %w", err)
	}
	out, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("render gradebook: %w", err)
	}
	return out, nil
}

func drawGradebook(s *sheet, g *Gradebook, meta IssueMeta, p gradebookPlan) {
	doc := s.doc
	for i, pg := range p.pages {
		doc.AddPage()
		doc.SetTextColor(schoolInk())
		if i == 0 {
			gradebookTitle(s, g)
		} else {
			// The running header: the school, and what the table is.
			band := pdf.Rect{X: p.x0, Y: 7, W: 110, H: 6.8}
			s.fitBox("truong", band, boxText{face: pdf.Bold, max: 9, oneLine: 7, min: 6, lines: 2, align: pdf.AlignLeft},
				strings.ToUpper(g.School))
			band = pdf.Rect{X: p.x0 + 115, Y: 7, W: p.tableW - 115, H: 6.8}
			s.fitBox("description", band, boxText{face: pdf.Italic, max: 9, oneLine: 7.5, min: 6, lines: 2, align: pdf.AlignRight},
				"Sổ theo dõi và đánh giá học sinh – "+g.describe())
			doc.SetDrawColor(schoolGrid())
			doc.SetLineWidth(0.2)
			doc.Line(p.x0, 14, p.x0+p.tableW, 14)
		}
		gradebookTable(s, g, p, pg)
		if i == len(p.pages)-1 {
			gradebookClosing(s, g, meta, p)
		}
		s.footer(a4Long, p.x0, a4Long-p.x0-p.tableW, gbFooterY, i+1, len(p.pages), meta.CredentialID,
			g.describe(), "Lớp "+g.Class+" – "+termTitle(g.Term)+" – Năm học "+g.SchoolYear)
		if s.err != nil {
			return
		}
	}
}

func gradebookTitle(s *sheet, g *Gradebook) {
	const cx = a4Long / 2
	s.orgHeader(g.Department, g.School, gbMargin+55, a4Long-gbMargin-55, 11, 110)
	s.fit("title", pdf.Bold, 16, 12, cx, 32.5, 200, pdf.AlignCenter, "SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH")
	s.text(pdf.Italic, 10.5, cx, 38, pdf.AlignCenter, "(Sổ điểm điện tử theo môn học)")
	const gap = "      "
	s.segments("mon_hoc", 11, 7.5, cx, 45.3, gbMaxTableW, []segment{
		{pdf.Regular, "Môn học: "}, {pdf.Bold, g.Subject},
		{pdf.Regular, gap + "Lớp: "}, {pdf.Bold, g.Class},
		{pdf.Regular, gap}, {pdf.Bold, termTitle(g.Term)},
		{pdf.Regular, gap + "Năm học: "}, {pdf.Bold, g.SchoolYear},
	})
	s.segments("giao_vien", 11, 7.5, cx, 51, gbMaxTableW, []segment{
		{pdf.Regular, "Giáo viên bộ môn: "}, {pdf.Bold, g.Teacher},
		{pdf.Regular, gap + "Hình thức đánh giá: "}, {pdf.Italic, g.SubjectKind.Description()},
	})
}

// gradebookTable draws the table header and the rows of one page.
func gradebookTable(s *sheet, g *Gradebook, p gradebookPlan, pg gbPage) {
	doc := s.doc
	top := pg.top
	rows := pg.to - pg.from
	bottom := top + gbHeadH + float64(rows)*gbRowH
	half := gbHeadH / 2

	doc.SetFillColor(schoolHead())
	doc.Rect(pdf.Rect{X: p.x0, Y: top, W: p.tableW, H: gbHeadH}, pdf.Fill)
	doc.SetTextColor(schoolInk())
	group := boxText{face: pdf.Bold, max: 9, oneLine: 8, min: 6.5, lines: 2, align: pdf.AlignCenter, pad: 0.8}
	x := p.x0
	for i := 0; i < len(p.cols); {
		c := p.cols[i]
		if c.group == "" {
			s.headLines(pdf.Rect{X: x, Y: top, W: c.w, H: gbHeadH}, c.head)
			x += c.w
			i++
			continue
		}
		// A group: its heading over the first row, the columns' headings
		// in the second.
		gw := 0.0
		j := i
		for ; j < len(p.cols) && p.cols[j].group == c.group; j++ {
			s.headLines(pdf.Rect{X: x + gw, Y: top + half, W: p.cols[j].w, H: half}, p.cols[j].head)
			gw += p.cols[j].w
		}
		s.fitBox("header", pdf.Rect{X: x, Y: top, W: gw, H: half}, group, c.group)
		doc.SetDrawColor(schoolGrid())
		doc.SetLineWidth(0.15)
		doc.Line(x, top+half, x+gw, top+half)
		x += gw
		i = j
	}

	mark := boxText{face: pdf.Regular, max: 10, oneLine: 8, min: 8, lines: 1, align: pdf.AlignCenter}
	avg := mark
	avg.face = pdf.Bold
	plain := boxText{face: pdf.Regular, max: 9.5, oneLine: 7, min: 7, lines: 1, align: pdf.AlignCenter, pad: 0.8}
	name := boxText{face: pdf.Regular, max: 10, oneLine: 8.5, min: 6, lines: 2, align: pdf.AlignLeft, pad: 1.8}
	for k := 0; k < rows; k++ {
		st := &g.Students[pg.from+k]
		y := top + gbHeadH + float64(k)*gbRowH
		x := p.x0
		for _, c := range p.cols {
			cell := pdf.Rect{X: x, Y: y, W: c.w, H: gbRowH}
			field := fmt.Sprintf("hoc_sinh[%d]", pg.from+k+1)
			switch c.cell {
			case cellName:
				s.fitBox(field+".ho_ten", cell, name, c.value(st))
			case cellNo, cellID, cellBirth:
				s.fitBox(field, cell, plain, c.value(st))
			case cellTermAverage, cellYear:
				s.fitBox(field, cell, avg, c.value(st))
			default:
				s.fitBox(field, cell, mark, c.value(st))
			}
			x += c.w
		}
	}

	// Rules: rows, columns, the frame.
	doc.SetDrawColor(schoolGrid())
	doc.SetLineWidth(0.15)
	for k := 0; k <= rows; k++ {
		y := top + gbHeadH + float64(k)*gbRowH
		doc.Line(p.x0, y, p.x0+p.tableW, y)
	}
	x = p.x0
	for i, c := range p.cols {
		if i > 0 {
			y := top
			if c.group != "" && p.cols[i-1].group == c.group {
				y = top + half
			}
			doc.Line(x, y, x, bottom)
		}
		x += c.w
	}
	doc.SetLineWidth(0.35)
	doc.Rect(pdf.Rect{X: p.x0, Y: top, W: p.tableW, H: bottom - top}, pdf.Stroke)
}

// headLines draws a heading of one or two lines centred in a header cell:
// the first line bold, the second (an explanation) in a smaller italic.
func (s *sheet) headLines(cell pdf.Rect, lines []string) {
	if len(lines) == 1 {
		s.fitBox("header", cell, boxText{face: pdf.Bold, max: 9, oneLine: 6.5, min: 6.5, lines: 1, align: pdf.AlignCenter, pad: 0.8}, lines[0])
		return
	}
	cx := cell.X + cell.W/2
	mid := cell.Y + cell.H/2
	s.fit("header", pdf.Bold, 9, 6.5, cx, mid-0.6, cell.W-1.6, pdf.AlignCenter, lines[0])
	s.fit("header", pdf.Italic, 7.5, 6, cx, mid+3.4, cell.W-1.6, pdf.AlignCenter, lines[1])
}

// gradebookClosing draws the block under the table on the last page: the
// number of students, the QR code, and the subject teacher's place, date,
// title, signature box and name.
func gradebookClosing(s *sheet, g *Gradebook, meta IssueMeta, p gradebookPlan) {
	y0 := p.sigTop
	s.doc.SetTextColor(schoolInk())
	s.text(pdf.Italic, 9.5, p.x0, y0+4, pdf.AlignLeft, fmt.Sprintf("Danh sách gồm %d học sinh.", len(g.Students)))
	q := p.qrRect()
	s.qrBlock(meta.VerifyURL, q.X, q.Y, q.W, "Quét mã để xác thực sổ điểm")

	cx := p.sigCX()
	const colW = 100.0
	s.fit("dia_danh", pdf.Italic, 10.5, 8, cx, y0+5, colW, pdf.AlignCenter, g.Place+", "+vnDate(g.SignDate))
	s.text(pdf.Bold, 10.5, cx, y0+11, pdf.AlignCenter, "GIÁO VIÊN BỘ MÔN")
	s.text(pdf.Italic, 9, cx, y0+15.3, pdf.AlignCenter, "(Ký và ghi rõ họ tên)")
	box := p.sigBox()
	s.signatureMarks(box)
	s.fit("giao_vien", pdf.Bold, 11, 8, cx, box.Y+box.H+5.5, colW, pdf.AlignCenter, g.Teacher)
}

// clone returns a deep copy of g, for normalising without touching the
// caller's gradebook.
func (g *Gradebook) clone() *Gradebook {
	c := *g
	c.Students = slices.Clone(g.Students)
	for i := range c.Students {
		c.Students[i].Regular = slices.Clone(g.Students[i].Regular)
	}
	return &c
}
