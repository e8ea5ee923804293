package templates

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kyso-vn/kyso/pdf"
)

// DiplomaLayoutV1 names the first diploma layout: one A4 landscape page.
// A layout never changes once records were issued with it; a new look is a
// new version.
const DiplomaLayoutV1 = "diploma/v1"

// IssueMeta is what the issuing step adds to a diploma: how to verify it.
type IssueMeta struct {
	// CredentialID is printed as is, e.g. "7KQ2M9P-X4R8T1B-HC0WZ3D".
	CredentialID string
	// VerifyURL is encoded in the QR code; an absolute http(s) URL.
	VerifyURL string
}

// RenderOptions control rendering.
type RenderOptions struct {
	// Now is written as the PDF's creation and modification date. When zero,
	// the diploma's issue date (midnight UTC) is used, so that the PDF is a
	// function of the diploma alone.
	Now time.Time
	// Deterministic writes the PDF's catalogs in sorted order: the same
	// diploma, metadata and Now give byte-identical PDFs.
	Deterministic bool
	// Layout is the layout version to draw; empty means the newest of the
	// kind (DiplomaLayoutV2, GradebookLayoutV2, TranscriptLayoutV2). Older
	// versions stay available so that old documents render as they were.
	Layout string
}

// layoutFor returns the layout version to draw among the versions of a kind,
// oldest first.
func (o RenderOptions) layoutFor(versions ...string) (string, error) {
	if o.Layout == "" {
		return versions[len(versions)-1], nil
	}
	for _, v := range versions {
		if v == o.Layout {
			return v, nil
		}
	}
	return "", fmt.Errorf("%w: %q is not one of %v", ErrUnknownLayout, o.Layout, versions)
}

// Errors returned by the diploma renderer and LayoutSignatureArea.
var (
	ErrBadIssueMeta  = errors.New("invalid issue metadata")
	ErrTextTooLong   = errors.New("text does not fit the layout")
	ErrUnknownLayout = errors.New("unknown layout")
)

// DiplomaRenderer draws diplomas in layout diploma/v1 with the shared fonts
// of a *pdf.Renderer. It is safe for concurrent use.
type DiplomaRenderer struct {
	pdf  *pdf.Renderer
	opts RenderOptions
}

// NewDiplomaRenderer returns a DiplomaRenderer drawing with p.
func NewDiplomaRenderer(p *pdf.Renderer, opts RenderOptions) (*DiplomaRenderer, error) {
	if p == nil {
		return nil, errors.New("new diploma renderer: nil *pdf.Renderer")
	}
	return &DiplomaRenderer{pdf: p, opts: opts}, nil
}

// SignatureArea is where a layout leaves room for a visible signature.
type SignatureArea struct {
	Layout string
	// Page is the page number, from 1.
	Page int
	// Rect is in millimetres from the page's top-left corner.
	Rect pdf.Rect
	// UserSpace is the same rectangle in PDF user space: points from the
	// page's bottom-left corner, as [llx, lly, urx, ury].
	UserSpace [4]float64
}

// A4 landscape, in millimetres.
const (
	pageW = 297.0
	pageH = 210.0
)

// diplomaV1Signature is the empty area under the signer's title.
func diplomaV1Signature() pdf.Rect { return pdf.Rect{X: 182, Y: 149, W: 80, H: 28} }

// LayoutSignatureArea returns the signature area of a layout.
func LayoutSignatureArea(layout string) (SignatureArea, error) {
	switch layout {
	case DiplomaLayoutV1, DiplomaLayoutV2:
		r := diplomaV1Signature()
		return SignatureArea{Layout: layout, Page: 1, Rect: r, UserSpace: r.UserSpace(pageH)}, nil
	}
	return SignatureArea{}, fmt.Errorf("%w: %q", ErrUnknownLayout, layout)
}

func (m IssueMeta) validate() error {
	id := m.CredentialID
	if id == "" || len(id) > 40 {
		return fmt.Errorf("%w: credential ID: want 1–40 characters", ErrBadIssueMeta)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return fmt.Errorf("%w: credential ID: want printable ASCII", ErrBadIssueMeta)
		}
	}
	if len(m.VerifyURL) > 512 {
		return fmt.Errorf("%w: verify URL longer than 512 bytes", ErrBadIssueMeta)
	}
	u, err := url.Parse(m.VerifyURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: verify URL: want an absolute http or https URL", ErrBadIssueMeta)
	}
	return nil
}

// Colours of layout diploma/v1.
func colours() (ink, red, gold pdf.RGB) {
	return pdf.RGB{R: 20, G: 20, B: 20}, pdf.RGB{R: 150, G: 22, B: 28}, pdf.RGB{R: 190, G: 150, B: 60}
}

// Render draws d in layout diploma/v1 and returns the unsigned PDF. d is
// normalised (on a copy) and validated first: an invalid diploma gives a
// ValidationErrors and no PDF. Text too long for its place at the smallest
// allowed size gives ErrTextTooLong; bad meta gives ErrBadIssueMeta.
func (r *DiplomaRenderer) Render(d *Diploma, meta IssueMeta) ([]byte, error) {
	if d == nil {
		return nil, errors.New("render diploma: nil diploma")
	}
	dd := *d
	dd.Normalize()
	if err := dd.Validate(); err != nil {
		return nil, err
	}
	if err := meta.validate(); err != nil {
		return nil, err
	}
	version, err := r.opts.layoutFor(DiplomaLayoutV1, DiplomaLayoutV2)
	if err != nil {
		return nil, err
	}
	created := r.opts.Now
	if created.IsZero() {
		created = time.Date(dd.IssueDate.Year, dd.IssueDate.Month, dd.IssueDate.Day, 0, 0, 0, 0, time.UTC)
	}
	doc, err := r.pdf.NewDocument(pdf.Options{
		Orientation:   pdf.Landscape,
		Created:       created,
		Deterministic: r.opts.Deterministic,
		Metadata: pdf.Metadata{
			Title:    "Bằng tốt nghiệp trung học phổ thông – " + dd.FullName,
			Subject:  fmt.Sprintf("Bằng tốt nghiệp THPT năm %d, số hiệu %s, mã xác thực %s", dd.GraduationYear, dd.Serial, meta.CredentialID),
			Author:   dd.IssuingAuthority,
			Creator:  "kyso, mẫu " + DiplomaLayoutV1,
			Keywords: "bằng tốt nghiệp, trung học phổ thông, văn bằng số",
			Producer: "kyso – văn bằng số có chữ ký số",
			Lang:     "vi-VN",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("render diploma: %w", err)
	}
	l := &layout{doc: doc}
	l.draw(&dd, meta)
	if l.err != nil {
		return nil, l.err
	}
	if version == DiplomaLayoutV2 {
		placeFields(doc, diplomaPlan(&dd))
	}
	rec := &Record{Kind: KindDiploma, Layout: version, CredentialID: meta.CredentialID, VerifyURL: meta.VerifyURL, Diploma: &dd}
	if err := attachRecord(doc, rec, created); err != nil {
		return nil, fmt.Errorf("render diploma: %w", err)
	}
	out, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("render diploma: %w", err)
	}
	return out, nil
}

// layout draws one diploma and keeps the first layout error.
type layout struct {
	doc *pdf.Document
	err error
}

// fit draws s in face, at the largest size from max down to min that fits
// width, aligned at x on baseline y. field names the data for errors.
func (l *layout) fit(field string, f pdf.Face, max, min float64, x, y, width float64, a pdf.Align, s string) {
	if l.err != nil {
		return
	}
	size, ok := l.doc.FitSize(f, s, width, max, min)
	if !ok {
		l.err = fmt.Errorf("%w: field %q (%d characters) is wider than %.0f mm at %.1f pt",
			ErrTextTooLong, field, utf8.RuneCountInString(s), width, min)
		return
	}
	l.doc.SetFont(f, size)
	l.doc.TextAlign(x, y, s, a)
}

func (l *layout) draw(d *Diploma, meta IssueMeta) {
	ink, red, _ := colours()
	doc := l.doc
	doc.AddPage()
	l.border()

	const cx = pageW / 2

	// National motto.
	doc.SetTextColor(ink)
	doc.SetFont(pdf.Bold, 13)
	doc.TextAlign(cx, 26, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", pdf.AlignCenter)
	motto := "Độc lập - Tự do - Hạnh phúc"
	doc.SetFont(pdf.Bold, 13.5)
	doc.TextAlign(cx, 32.5, motto, pdf.AlignCenter)
	w := doc.TextWidth(motto)
	doc.SetDrawColor(ink)
	doc.SetLineWidth(0.3)
	doc.Line(cx-w/2, 34.3, cx+w/2, 34.3)

	// Title.
	doc.SetTextColor(red)
	l.fit("title", pdf.Bold, 27, 20, cx, 51, 240, pdf.AlignCenter, "BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG")
	doc.SetTextColor(ink)

	// Granting authority.
	l.fit(FieldIssuingAuthority, pdf.Bold, 13, 9, cx, 62, 240, pdf.AlignCenter,
		"GIÁM ĐỐC "+strings.ToUpper(d.IssuingAuthority))
	doc.SetFont(pdf.Italic, 12.5)
	doc.TextAlign(cx, 69, "cấp bằng tốt nghiệp trung học phổ thông cho:", pdf.AlignCenter)

	// The graduate.
	const (
		labelX  = 72.0
		valueX  = 112.0
		valueW  = 270 - valueX
		lineGap = 7.8
	)
	y := 81.0
	label := func(x, y float64, s string) {
		doc.SetFont(pdf.Regular, 12.5)
		doc.Text(x, y, s)
	}
	label(labelX, y, "Họ và tên:")
	l.fit(FieldFullName, pdf.Bold, 15, 9, valueX, y, valueW, pdf.AlignLeft, d.FullName)
	y += lineGap
	label(labelX, y, "Ngày sinh:")
	l.fit(FieldDateOfBirth, pdf.Regular, 13, 13, valueX, y, valueW, pdf.AlignLeft, d.DateOfBirth.String())
	y += lineGap
	label(labelX, y, "Nơi sinh:")
	l.fit(FieldPlaceOfBirth, pdf.Regular, 13, 8.5, valueX, y, valueW, pdf.AlignLeft, d.PlaceOfBirth)
	y += lineGap
	label(labelX, y, "Giới tính:")
	l.fit(FieldGender, pdf.Regular, 13, 13, valueX, y, 40, pdf.AlignLeft, d.Gender)
	const ethLabelX, ethValueX = 160.0, 181.0
	label(ethLabelX, y, "Dân tộc:")
	l.fit(FieldEthnicity, pdf.Regular, 13, 8.5, ethValueX, y, 270-ethValueX, pdf.AlignLeft, d.Ethnicity)
	y += lineGap
	label(labelX, y, "Học sinh trường:")
	l.fit(FieldSchool, pdf.Regular, 13, 8.5, valueX, y, valueW, pdf.AlignLeft, d.School)
	y += lineGap
	label(labelX, y, "Năm tốt nghiệp:")
	l.fit(FieldGraduationYear, pdf.Regular, 13, 13, valueX, y, valueW, pdf.AlignLeft, fmt.Sprint(d.GraduationYear))

	l.signatureBlock(d)
	l.registerBlock(d, meta)
	if l.err == nil {
		l.err = doc.Err()
	}
}

// vnDate writes a date the way Vietnamese administrative documents do
// (Nghị định 30/2020/NĐ-CP): days below 10 and the months 1 and 2 take a
// leading zero.
func vnDate(d Date) string {
	day := fmt.Sprint(d.Day)
	if d.Day < 10 {
		day = fmt.Sprintf("%02d", d.Day)
	}
	month := fmt.Sprint(int(d.Month))
	if d.Month <= time.February {
		month = fmt.Sprintf("%02d", int(d.Month))
	}
	return fmt.Sprintf("ngày %s tháng %s năm %d", day, month, d.Year)
}

func (l *layout) signatureBlock(d *Diploma) {
	doc := l.doc
	sig := diplomaV1Signature()
	cx := sig.X + sig.W/2
	const colW = 110.0

	l.fit(FieldIssuePlace, pdf.Italic, 12.5, 8.5, cx, 134, colW, pdf.AlignCenter, d.IssuePlace+", "+vnDate(d.IssueDate))
	title := strings.ToUpper(d.SignerTitle)
	if deputy(d.SignerTitle) {
		// A deputy signs on behalf of the director: "KT. GIÁM ĐỐC".
		doc.SetFont(pdf.Bold, 12.5)
		doc.TextAlign(cx, 140.5, "KT. GIÁM ĐỐC", pdf.AlignCenter)
		l.fit(FieldSignerTitle, pdf.Bold, 12.5, 8.5, cx, 146, colW, pdf.AlignCenter, title)
	} else {
		l.fit(FieldSignerTitle, pdf.Bold, 12.5, 8.5, cx, 141, colW, pdf.AlignCenter, title)
	}
	// sig itself stays empty: the signing step draws the visible signature.
	l.fit(FieldSignerName, pdf.Bold, 13, 8, cx, sig.Y+sig.H+8, colW, pdf.AlignCenter, d.SignerName)
}

// deputy reports whether a signer title is a deputy's ("Phó Giám đốc").
func deputy(title string) bool {
	return strings.HasPrefix(foldHeader(title), "pho_")
}

func (l *layout) registerBlock(d *Diploma, meta IssueMeta) {
	doc := l.doc
	ink, _, _ := colours()
	const (
		qrX, qrY, qrSize = 24.0, 141.0, 34.0
		textX            = qrX + qrSize + 5
	)
	if _, err := doc.DrawQR(meta.VerifyURL, qrX, qrY, qrSize, pdf.QRLevelQ); err != nil && l.err == nil {
		l.err = fmt.Errorf("%w: verify URL: %v", ErrBadIssueMeta, err)
		return
	}
	doc.SetTextColor(ink)
	doc.SetFont(pdf.Italic, 8)
	doc.TextAlign(qrX+qrSize/2, qrY+qrSize+3.5, "Quét mã để xác thực văn bằng", pdf.AlignCenter)

	line := func(y float64, lbl, val, field string) {
		doc.SetFont(pdf.Regular, 11)
		doc.Text(textX, y, lbl)
		x := textX + doc.TextWidth(lbl) + 1.5
		l.fit(field, pdf.Bold, 11, 8, x, y, 170-x, pdf.AlignLeft, val)
	}
	line(153, "Số hiệu:", d.Serial, FieldSerial)
	line(160, "Số vào sổ cấp bằng:", d.RegisterNumber, FieldRegisterNumber)
	line(167, "Mã xác thực:", meta.CredentialID, "credential_id")
}

// border draws the decorative frame.
func (l *layout) border() {
	doc := l.doc
	_, red, gold := colours()
	const (
		outer = 7.0
		band  = 4.0
	)
	doc.SetDrawColor(red)
	doc.SetLineWidth(1.1)
	doc.Rect(pdf.Rect{X: outer, Y: outer, W: pageW - 2*outer, H: pageH - 2*outer}, pdf.Stroke)
	doc.SetDrawColor(gold)
	doc.SetLineWidth(0.35)
	in := outer + band
	doc.Rect(pdf.Rect{X: in, Y: in, W: pageW - 2*in, H: pageH - 2*in}, pdf.Stroke)
	doc.SetDrawColor(red)
	doc.SetLineWidth(0.25)
	in2 := in + 1.2
	doc.Rect(pdf.Rect{X: in2, Y: in2, W: pageW - 2*in2, H: pageH - 2*in2}, pdf.Stroke)

	// A chain of small gold diamonds in the band between the outer frame and
	// the gold line.
	mid := outer + band/2
	doc.SetFillColor(gold)
	diamond := func(x, y, r float64) {
		doc.Polygon([]pdf.Point{{X: x, Y: y - r}, {X: x + r, Y: y}, {X: x, Y: y + r}, {X: x - r, Y: y}}, pdf.Fill)
	}
	const step = 6.0
	for x := outer + band + step; x <= pageW-outer-band-step+0.01; x += step {
		diamond(x, mid, 1.1)
		diamond(x, pageH-mid, 1.1)
	}
	for y := outer + band + step; y <= pageH-outer-band-step+0.01; y += step {
		diamond(mid, y, 1.1)
		diamond(pageW-mid, y, 1.1)
	}
	// Corner rosettes.
	for _, c := range []pdf.Point{{X: mid, Y: mid}, {X: pageW - mid, Y: mid}, {X: mid, Y: pageH - mid}, {X: pageW - mid, Y: pageH - mid}} {
		doc.SetFillColor(red)
		diamond(c.X, c.Y, 3.2)
		doc.SetFillColor(gold)
		doc.Circle(c.X, c.Y, 1.3, pdf.Fill)
	}
}
