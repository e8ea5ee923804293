package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// Orientation is a page orientation. Pages are always A4.
type Orientation int

// Page orientations.
const (
	Portrait Orientation = iota
	Landscape
)

// Align is a horizontal text alignment relative to the x given to TextAlign.
type Align int

// Alignments.
const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// Style says how a closed shape is painted.
type Style int

// Paint styles.
const (
	Stroke     Style = iota // outline with the draw colour
	Fill                    // fill with the fill colour
	FillStroke              // both
)

func (s Style) fpdf() string {
	switch s {
	case Fill:
		return "F"
	case FillStroke:
		return "FD"
	}
	return "D"
}

// RGB is a colour.
type RGB struct{ R, G, B uint8 }

// Point is a position on the page in millimetres from the top-left corner.
type Point struct{ X, Y float64 }

// Rect is a rectangle on the page in millimetres; (X, Y) is its top-left corner.
type Rect struct{ X, Y, W, H float64 }

// PointsPerMM converts millimetres to PDF points.
const PointsPerMM = 72 / 25.4

// UserSpace returns the rectangle in PDF user space on a page pageHeight
// millimetres high: points, origin at the bottom-left, as
// [lower-left x, lower-left y, upper-right x, upper-right y] (the order of a
// PDF /Rect entry).
func (r Rect) UserSpace(pageHeight float64) [4]float64 {
	return [4]float64{
		r.X * PointsPerMM,
		(pageHeight - r.Y - r.H) * PointsPerMM,
		(r.X + r.W) * PointsPerMM,
		(pageHeight - r.Y) * PointsPerMM,
	}
}

// Metadata is written to the document information dictionary. Strings may
// hold any Unicode text; they are written as UTF-16.
type Metadata struct {
	Title    string
	Subject  string
	Author   string
	Creator  string
	Keywords string
	// Producer names the software; "kyso" when empty.
	Producer string
	// Lang is the document's natural language as a BCP 47 tag, e.g. "vi-VN".
	Lang string
}

// Options configure a new document.
type Options struct {
	Orientation Orientation
	// Created is written as the CreationDate and ModDate (in UTC). It is
	// required: the package never reads the clock.
	Created time.Time
	// Deterministic writes the resource catalogs in sorted order, so that the
	// same calls with the same Created produce byte-identical output.
	Deterministic bool
	Metadata      Metadata
}

// Errors returned by NewDocument and Document.
var (
	// ErrNoCreationTime is returned when Options.Created is zero.
	ErrNoCreationTime = errors.New("pdf: options give no creation time")
	// ErrClosed is returned by Bytes on a document already written.
	ErrClosed = errors.New("pdf: document already written")
)

// MissingGlyphError reports a character that the selected face cannot draw.
type MissingGlyphError struct {
	Face Face
	Rune rune
}

func (e *MissingGlyphError) Error() string {
	return fmt.Sprintf("pdf: the %s face has no glyph for %U %q", e.Face, e.Rune, e.Rune)
}

// Document is one PDF being built. It is not safe for concurrent use; build
// one per goroutine. Drawing methods record the first error, after which they
// do nothing; Err and Bytes return it.
type Document struct {
	r     *Renderer
	f     *fpdf.Fpdf
	added [numFaces]bool
	// cid numbers the characters drawn (indexed by character), from 1 in
	// the order first drawn; runes[k-1] is the character numbered k; used
	// holds, per face, the numbers drawn with it. The content streams
	// address characters by these numbers (see embed.go).
	cid    []uint16
	runes  []rune
	used   [numFaces]cidSet
	face   Face
	size   float64
	hasFnt bool
	done   bool
	// created is Options.Created; attachments are the files given to
	// Attach, written by Bytes.
	created     time.Time
	attachments []attachment
	fields      []SignatureField // given to SignatureField, written by Bytes
}

// NewDocument starts an empty A4 document.
func (r *Renderer) NewDocument(opts Options) (*Document, error) {
	if opts.Created.IsZero() {
		return nil, ErrNoCreationTime
	}
	f := r.newFpdf(opts.Orientation)
	if !r.fontsPerDocument {
		// Bytes compresses the page contents, with reused writers (fpdf
		// allocates a new one, about a megabyte, for each page).
		f.SetCompression(false)
	}
	created := opts.Created.UTC()
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCatalogSort(opts.Deterministic)
	m := opts.Metadata
	producer := m.Producer
	if producer == "" {
		producer = "kyso"
	}
	f.SetProducer(nfc(producer), true)
	if m.Title != "" {
		f.SetTitle(nfc(m.Title), true)
	}
	if m.Subject != "" {
		f.SetSubject(nfc(m.Subject), true)
	}
	if m.Author != "" {
		f.SetAuthor(nfc(m.Author), true)
	}
	if m.Creator != "" {
		f.SetCreator(nfc(m.Creator), true)
	}
	if m.Keywords != "" {
		f.SetKeywords(nfc(m.Keywords), true)
	}
	if m.Lang != "" {
		if !validLang(m.Lang) {
			return nil, fmt.Errorf("pdf: language tag %q: want letters, digits and hyphens", m.Lang)
		}
		f.SetLang(m.Lang)
	}
	return &Document{r: r, f: f, created: created}, nil
}

func (r *Renderer) newFpdf(o Orientation) *fpdf.Fpdf {
	orient := fpdf.OrientationPortrait
	if o == Landscape {
		orient = fpdf.OrientationLandscape
	}
	f := fpdf.New(orient, fpdf.UnitMillimeter, fpdf.PageSizeA4, "")
	f.SetAutoPageBreak(false, 0)
	f.SetMargins(0, 0, 0)
	return f
}

func validLang(s string) bool {
	if len(s) > 35 {
		return false
	}
	for _, c := range s {
		if !(c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func nfc(s string) string { return norm.NFC.String(s) }

// Err returns the first error met while building the document.
func (d *Document) Err() error { return d.f.Error() }

func (d *Document) fail(err error) {
	if d.f.Error() == nil {
		d.f.SetError(err)
	}
}

// AddPage starts a new page.
func (d *Document) AddPage() {
	d.f.AddPage()
}

// PageSize returns the width and height of the current page in millimetres.
func (d *Document) PageSize() (w, h float64) {
	return d.f.GetPageSize()
}

// SetFont selects the face and size (in points) for the text that follows.
func (d *Document) SetFont(f Face, size float64) {
	if !f.valid() {
		d.fail(fmt.Errorf("pdf: unknown face %d", int(f)))
		return
	}
	if size <= 0 {
		d.fail(fmt.Errorf("pdf: font size %v: want a positive size", size))
		return
	}
	if !d.added[f] {
		d.r.addFace(d.f, f)
		d.added[f] = true
	}
	d.f.SetFont(fontFamily, d.r.faces[f].style, size)
	d.face, d.size, d.hasFnt = f, size, true
}

// FontSize returns the current font size in points.
func (d *Document) FontSize() float64 { return d.size }

// TextWidth returns the width of s in millimetres in the current font.
func (d *Document) TextWidth(s string) float64 {
	if !d.hasFnt {
		d.fail(errors.New("pdf: TextWidth before SetFont"))
		return 0
	}
	s = nfc(s)
	// Measure only what the face draws (fpdf's own measure indexes its
	// width table by rune and panics on U+10000).
	if c, ok := d.r.faces[d.face].covers(s); !ok {
		d.fail(&MissingGlyphError{Face: d.face, Rune: c})
		return 0
	}
	return d.width(s)
}

// width returns the width of s, which the current face covers, in
// millimetres: the same number fpdf's GetStringWidth returns for the face.
func (d *Document) width(s string) float64 {
	if d.r.fontsPerDocument {
		return d.f.GetStringWidth(s)
	}
	_, unit := d.f.GetFontSize()
	return float64(d.r.faces[d.face].width(s)) * unit / 1000
}

// FitSize returns the largest size, at most maxSize and in steps of a quarter
// point, at which s in face f is no wider than width millimetres, and true;
// or minSize and false when even minSize is too wide. It leaves the current
// font unchanged.
func (d *Document) FitSize(f Face, s string, width, maxSize, minSize float64) (float64, bool) {
	if !f.valid() || maxSize <= 0 || minSize <= 0 || minSize > maxSize {
		d.fail(fmt.Errorf("pdf: FitSize(face %d, max %v, min %v): bad arguments", int(f), maxSize, minSize))
		return minSize, false
	}
	prevFace, prevSize, had := d.face, d.size, d.hasFnt
	d.SetFont(f, maxSize)
	w := d.TextWidth(s) / maxSize // millimetres per point of size
	if had {
		d.SetFont(prevFace, prevSize)
	}
	if w <= 0 {
		return maxSize, true
	}
	for size := maxSize; size >= minSize; size -= 0.25 {
		if w*size <= width {
			return size, true
		}
	}
	return minSize, false
}

// Text draws s with its left end at x and its baseline at y.
func (d *Document) Text(x, y float64, s string) {
	d.TextAlign(x, y, s, AlignLeft)
}

// TextAlign draws s on the baseline y, aligned at x as a says.
func (d *Document) TextAlign(x, y float64, s string, a Align) {
	if d.Err() != nil {
		return
	}
	if !d.hasFnt {
		d.fail(errors.New("pdf: text drawn before SetFont"))
		return
	}
	s = nfc(s)
	fc := &d.r.faces[d.face]
	if c, ok := fc.covers(s); !ok {
		d.fail(&MissingGlyphError{Face: d.face, Rune: c})
		return
	}
	switch a {
	case AlignCenter:
		x -= d.width(s) / 2
	case AlignRight:
		x -= d.width(s)
	}
	if d.r.fontsPerDocument {
		d.f.Text(x, y, s)
		return
	}
	// fpdf writes the bytes it is given for the stand-in font: two per
	// character, its number in the document.
	if d.cid == nil {
		d.cid = make([]uint16, d.r.runeLimit)
	}
	u := make([]byte, 0, 2*len(s))
	for _, c := range s {
		k := d.cid[c]
		if k == 0 {
			d.runes = append(d.runes, c)
			k = uint16(len(d.runes)) // at most the number of characters the faces draw
			d.cid[c] = k
		}
		d.used[d.face].add(k)
		u = append(u, byte(k>>8), byte(k))
	}
	d.f.Text(x, y, string(u))
}

// SetTextColor sets the colour of the text that follows.
func (d *Document) SetTextColor(c RGB) { d.f.SetTextColor(int(c.R), int(c.G), int(c.B)) }

// SetDrawColor sets the colour of lines and outlines.
func (d *Document) SetDrawColor(c RGB) { d.f.SetDrawColor(int(c.R), int(c.G), int(c.B)) }

// SetFillColor sets the colour of filled shapes.
func (d *Document) SetFillColor(c RGB) { d.f.SetFillColor(int(c.R), int(c.G), int(c.B)) }

// SetLineWidth sets the width of lines and outlines in millimetres.
func (d *Document) SetLineWidth(w float64) { d.f.SetLineWidth(w) }

// Line draws a straight line.
func (d *Document) Line(x1, y1, x2, y2 float64) { d.f.Line(x1, y1, x2, y2) }

// Rect draws a rectangle.
func (d *Document) Rect(r Rect, s Style) { d.f.Rect(r.X, r.Y, r.W, r.H, s.fpdf()) }

// Circle draws a circle of radius rad centred on (x, y).
func (d *Document) Circle(x, y, rad float64, s Style) { d.f.Circle(x, y, rad, s.fpdf()) }

// Polygon draws a closed polygon through the points.
func (d *Document) Polygon(pts []Point, s Style) {
	if len(pts) < 3 {
		d.fail(fmt.Errorf("pdf: polygon with %d points: want at least 3", len(pts)))
		return
	}
	fp := make([]fpdf.PointType, len(pts))
	for i, p := range pts {
		fp[i] = fpdf.PointType{X: p.X, Y: p.Y}
	}
	d.f.Polygon(fp, s.fpdf())
}

// Bytes finishes the document and returns the PDF. A document can be written
// once.
func (d *Document) Bytes() ([]byte, error) {
	if d.done {
		return nil, ErrClosed
	}
	d.done = true
	if err := d.Err(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: write document: %w", err)
	}
	out := buf.Bytes()
	if !d.r.fontsPerDocument {
		var err error
		if out, err = d.rewrite(out); err != nil {
			return nil, fmt.Errorf("pdf: embed fonts, compress pages: %w", err)
		}
	}
	out, err := finish(out, d.attachments, d.fields, d.created)
	if err != nil {
		return nil, fmt.Errorf("pdf: attach files and fields: %w", err)
	}
	return out, nil
}
