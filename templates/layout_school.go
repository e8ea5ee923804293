package templates

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kyso-vn/kyso/pdf"
)

// SignatureBox is the place a school document's layout keeps for one
// signer's visible signature, with the title and name printed beside it.
// The signing step turns each box into a signature field named after Role.
type SignatureBox struct {
	// Role names the signer: "gvbm:<subject>" for a subject teacher (see
	// SubjectTeacherRole), RoleHomeroom, RolePrincipal or RoleSeal.
	Role string
	// Title is the signer's title as printed above the box, e.g.
	// "GIÁO VIÊN BỘ MÔN".
	Title string
	// Name is the signer's name as printed beside the box; for RoleSeal,
	// the school.
	Name string
	// Subject is the subject, for a subject teacher's box.
	Subject string
	// Page is the page number, from 1.
	Page int
	// Rect is in millimetres from the page's top-left corner.
	Rect pdf.Rect
	// UserSpace is the same rectangle in PDF user space: points from the
	// page's bottom-left corner, as [llx, lly, urx, ury].
	UserSpace [4]float64
}

// Signer roles of school documents, besides the subject teachers'.
const (
	RoleHomeroom  = "gvcn"        // giáo viên chủ nhiệm
	RolePrincipal = "hieu_truong" // hiệu trưởng
	RoleSeal      = "con_dau"     // the school's organisation certificate
)

// SubjectTeacherRole returns the role of the teacher of a subject:
// "gvbm:" and the subject's name in lower-case ASCII words joined by "_"
// ("Toán" gives "gvbm:toan", "Giáo dục thể chất" "gvbm:giao_duc_the_chat"),
// so that it can name a PDF form field.
func SubjectTeacherRole(subject string) string { return "gvbm:" + foldHeader(subject) }

// ErrWrongDocument is returned by SignatureBoxes for a document that is not
// of the layout's kind.
var ErrWrongDocument = errors.New("document does not match the layout")

// SignatureBoxes returns the signature boxes of a document in a layout:
// for GradebookLayoutV1 a *Gradebook, for TranscriptLayoutV1 a *Transcript.
// The document is normalised (on a copy) and validated first, since the
// boxes' places depend on it (the gradebook's last page, the học bạ's
// subject rows); the boxes are exactly where the renderer leaves them empty.
func SignatureBoxes(layout string, doc any) ([]SignatureBox, error) {
	switch layout {
	case GradebookLayoutV1, GradebookLayoutV2:
		g, ok := doc.(*Gradebook)
		if !ok || g == nil {
			return nil, fmt.Errorf("%w: %s wants a *Gradebook, got %T", ErrWrongDocument, layout, doc)
		}
		gg := g.clone()
		gg.Normalize()
		if err := gg.Validate(); err != nil {
			return nil, err
		}
		return planGradebook(gg).boxes(gg), nil
	case TranscriptLayoutV1, TranscriptLayoutV2:
		t, ok := doc.(*Transcript)
		if !ok || t == nil {
			return nil, fmt.Errorf("%w: %s wants a *Transcript, got %T", ErrWrongDocument, layout, doc)
		}
		tt := t.clone()
		tt.Normalize()
		if err := tt.Validate(); err != nil {
			return nil, err
		}
		return transcriptBoxes(tt), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownLayout, layout)
}

func newSignatureBox(role, title, name, subject string, page int, r pdf.Rect, pageHeight float64) SignatureBox {
	return SignatureBox{Role: role, Title: title, Name: name, Subject: subject, Page: page, Rect: r,
		UserSpace: r.UserSpace(pageHeight)}
}

// Colours of the school layouts: text, table rules, table header fill and
// signature box corners.
func schoolInk() pdf.RGB  { return pdf.RGB{R: 20, G: 20, B: 20} }
func schoolGrid() pdf.RGB { return pdf.RGB{R: 95, G: 95, B: 95} }
func schoolHead() pdf.RGB { return pdf.RGB{R: 232, G: 235, B: 240} }
func schoolMark() pdf.RGB { return pdf.RGB{R: 150, G: 150, B: 150} }

// mmPerPt converts a font size in points to millimetres.
const mmPerPt = 25.4 / 72

// sheet draws a school document on a pdf.Document and keeps the first
// layout error.
type sheet struct {
	doc *pdf.Document
	err error
}

func (s *sheet) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

func (s *sheet) tooLong(field, text string, width, size float64) {
	s.fail(fmt.Errorf("%w: field %q (%d characters) is wider than %.0f mm at %.2f pt",
		ErrTextTooLong, field, utf8.RuneCountInString(text), width, size))
}

// text draws text at a fixed face and size.
func (s *sheet) text(f pdf.Face, size, x, y float64, a pdf.Align, text string) {
	if s.err != nil {
		return
	}
	s.doc.SetFont(f, size)
	s.doc.TextAlign(x, y, text, a)
}

// fit draws text on one line at the largest size from max down to min (in
// quarter points) no wider than width, aligned at x on baseline y.
func (s *sheet) fit(field string, f pdf.Face, max, min, x, y, width float64, a pdf.Align, text string) {
	if s.err != nil {
		return
	}
	size, ok := s.doc.FitSize(f, text, width, max, min)
	if !ok {
		s.tooLong(field, text, width, min)
		return
	}
	s.doc.SetFont(f, size)
	s.doc.TextAlign(x, y, text, a)
}

// boxText says how fitBox sets text in a box.
type boxText struct {
	face pdf.Face
	// max is the largest size. Text is first tried on one line from max
	// down to oneLine, then wrapped on up to lines lines from max down to
	// min.
	max, oneLine, min float64
	// wrapMax, when set, is the largest size for wrapped text (instead of
	// max).
	wrapMax float64
	lines   int
	align   pdf.Align
	// top sets the text from the top of the box instead of centring it
	// vertically.
	top bool
	// pad is the horizontal padding inside the box, in millimetres.
	pad float64
}

// lineHeight returns the distance between baselines at size points.
func lineHeight(size float64) float64 { return size * mmPerPt * 1.22 }

// fitBox draws text inside box as bt says, or records ErrTextTooLong.
func (s *sheet) fitBox(field string, box pdf.Rect, bt boxText, text string) {
	if s.err != nil || text == "" {
		return
	}
	size, lines, ok := s.setText(bt, box.W-2*bt.pad, box.H, text)
	if !ok {
		s.tooLong(field, text, box.W-2*bt.pad, bt.min)
		return
	}
	s.drawLines(box, bt, size, lines)
}

// setText finds how bt sets text in a box width × height: one line at the
// largest size from bt.max down to bt.oneLine, or else at most bt.lines
// lines at the largest size from bt.max down to bt.min. It may change the
// current font.
func (s *sheet) setText(bt boxText, width, height float64, text string) (float64, []string, bool) {
	if size, ok := s.doc.FitSize(bt.face, text, width, bt.max, bt.oneLine); ok && lineHeight(size) <= height+0.01 {
		return size, []string{text}, true
	}
	if bt.lines < 2 {
		return 0, nil, false
	}
	top := bt.max
	if bt.wrapMax > 0 {
		top = bt.wrapMax
	}
	// Widths scale with the size: measure once at the largest.
	words := strings.Split(text, " ")
	ww := make([]float64, len(words))
	for i, w := range words {
		ww[i] = s.measure(bt.face, top, w)
	}
	space := s.measure(bt.face, top, " ")
	for size := top; size >= bt.min-1e-9; size -= 0.25 {
		k := size / top
		lines := wrapWords(words, ww, space, width/k, bt.lines)
		if lines != nil && float64(len(lines))*lineHeight(size) <= height+0.01 {
			return size, lines, true
		}
	}
	return 0, nil, false
}

// measure returns the width of text in face at size. It selects that font:
// every drawing method of sheet selects its own font first.
func (s *sheet) measure(f pdf.Face, size float64, text string) float64 {
	s.doc.SetFont(f, size)
	return s.doc.TextWidth(text)
}

// wrapWords breaks words greedily into lines no wider than width, given each
// word's width and the width of a space at the same size. It returns nil when
// a word alone is too wide or more than max lines are needed.
func wrapWords(words []string, ww []float64, space, width float64, max int) []string {
	var lines []string
	start, w := 0, 0.0
	for i := range words {
		if ww[i] > width {
			return nil
		}
		switch {
		case i == start:
			w = ww[i]
		case w+space+ww[i] <= width:
			w += space + ww[i]
		default:
			lines = append(lines, strings.Join(words[start:i], " "))
			if len(lines) >= max {
				return nil
			}
			start, w = i, ww[i]
		}
	}
	return append(lines, strings.Join(words[start:], " "))
}

func (s *sheet) drawLines(box pdf.Rect, bt boxText, size float64, lines []string) {
	s.doc.SetFont(bt.face, size)
	lh := lineHeight(size)
	top := box.Y + (box.H-float64(len(lines))*lh)/2
	if bt.top {
		top = box.Y
	}
	x := box.X + bt.pad
	switch bt.align {
	case pdf.AlignCenter:
		x = box.X + box.W/2
	case pdf.AlignRight:
		x = box.X + box.W - bt.pad
	}
	for i, l := range lines {
		s.doc.TextAlign(x, top+float64(i)*lh+lh/2+0.34*size*mmPerPt, l, bt.align)
	}
}

// segment is one run of a composite line.
type segment struct {
	face pdf.Face
	text string
}

// segments draws runs side by side at size points, centred on cx, shrinking
// all of them together (down to min) to fit width.
func (s *sheet) segments(field string, size, min, cx, y, width float64, segs []segment) {
	if s.err != nil {
		return
	}
	total := 0.0
	for _, sg := range segs {
		s.doc.SetFont(sg.face, size)
		total += s.doc.TextWidth(sg.text)
	}
	if total > width {
		size = size * width / total
		size = float64(int(size*4)) / 4 // down to a quarter point
		if size < min {
			s.tooLong(field, field, width, min)
			return
		}
		total = 0
		for _, sg := range segs {
			s.doc.SetFont(sg.face, size)
			total += s.doc.TextWidth(sg.text)
		}
	}
	x := cx - total/2
	for _, sg := range segs {
		s.doc.SetFont(sg.face, size)
		s.doc.Text(x, y, sg.text)
		x += s.doc.TextWidth(sg.text)
	}
}

// orgHeader draws the two header blocks of a Vietnamese administrative
// document: the department and the school on the left, the national motto on
// the right, each centred in a column of width colW, first baselines at y. A
// department or school name too long for one line takes two.
func (s *sheet) orgHeader(department, school string, leftCX, rightCX, y, colW float64) {
	doc := s.doc
	doc.SetTextColor(schoolInk())
	base := y
	for _, b := range []struct {
		field, text string
		face        pdf.Face
	}{{"so_gddt", strings.ToUpper(department), pdf.Regular}, {"truong", strings.ToUpper(school), pdf.Bold}} {
		bt := boxText{face: b.face, max: 10.5, oneLine: 8.5, wrapMax: 8.5, min: 7, lines: 2, align: pdf.AlignCenter}
		size, lines, ok := s.setText(bt, colW, 2*lineHeight(bt.max), b.text)
		if !ok {
			s.tooLong(b.field, b.text, colW, bt.min)
			return
		}
		doc.SetFont(b.face, size)
		for i, l := range lines {
			if i > 0 {
				base += lineHeight(size)
			}
			doc.TextAlign(leftCX, base, l, pdf.AlignCenter)
		}
		// One line apart; a little closer after a wrapped name.
		if len(lines) > 1 {
			base += lineHeight(size) + 0.8
		} else {
			base += 5
		}
	}
	doc.SetDrawColor(schoolInk())
	doc.SetLineWidth(0.25)
	doc.Line(leftCX-15, base-3.2, leftCX+15, base-3.2)

	s.text(pdf.Bold, 10.5, rightCX, y, pdf.AlignCenter, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	motto := "Độc lập - Tự do - Hạnh phúc"
	s.text(pdf.Bold, 11.5, rightCX, y+5, pdf.AlignCenter, motto)
	if s.err == nil {
		w := doc.TextWidth(motto)
		doc.Line(rightCX-w/2, y+6.8, rightCX+w/2, y+6.8)
	}
}

// signatureMarks draws the four corners of a signature box in light grey;
// the box itself stays empty for the signature's appearance.
func (s *sheet) signatureMarks(r pdf.Rect) {
	doc := s.doc
	doc.SetDrawColor(schoolMark())
	doc.SetLineWidth(0.25)
	l := min(4.0, r.W/4, r.H/3)
	for _, c := range []struct{ x, y, dx, dy float64 }{
		{r.X, r.Y, 1, 1}, {r.X + r.W, r.Y, -1, 1}, {r.X, r.Y + r.H, 1, -1}, {r.X + r.W, r.Y + r.H, -1, -1},
	} {
		doc.Line(c.x, c.y, c.x+c.dx*l, c.y)
		doc.Line(c.x, c.y, c.x, c.y+c.dy*l)
	}
}

// footer draws the page footer: the credential ID on the left, "Trang x/y"
// in the middle and, on the right, the first of the descriptions that fits,
// on baseline y.
func (s *sheet) footer(pageW, left, right, y float64, page, pages int, credentialID string, descriptions ...string) {
	doc := s.doc
	doc.SetTextColor(schoolInk())
	doc.SetDrawColor(schoolGrid())
	doc.SetLineWidth(0.2)
	doc.Line(left, y-4, pageW-right, y-4)
	s.text(pdf.Regular, 8, left, y, pdf.AlignLeft, "Mã xác thực: "+credentialID)
	s.text(pdf.Bold, 9, pageW/2, y, pdf.AlignCenter, fmt.Sprintf("Trang %d/%d", page, pages))
	width := pageW/2 - right - 14
	for i, d := range descriptions {
		if _, ok := s.doc.FitSize(pdf.Italic, d, width, 8, 6); ok || i == len(descriptions)-1 {
			s.fit("description", pdf.Italic, 8, 6, pageW-right, y, width, pdf.AlignRight, d)
			return
		}
	}
}

// qrBlock draws the verification QR code with a caption under it, aligned
// with the code's left edge (inside the quiet zone).
func (s *sheet) qrBlock(url string, x, y, size float64, caption string) {
	if s.err != nil {
		return
	}
	module, err := s.doc.DrawQR(url, x, y, size, pdf.QRLevelM)
	if err != nil {
		s.fail(fmt.Errorf("%w: verify URL: %v", ErrBadIssueMeta, err))
		return
	}
	s.doc.SetTextColor(schoolInk())
	s.text(pdf.Italic, 7.5, x+pdf.QRQuietZone*module, y+size+3.5, pdf.AlignLeft, caption)
}

// frame draws a rectangle's outline.
func (s *sheet) frame(r pdf.Rect, width float64) {
	s.doc.SetDrawColor(schoolGrid())
	s.doc.SetLineWidth(width)
	s.doc.Rect(r, pdf.Stroke)
}
