package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrBadField is wrapped by the error Bytes returns when a signature field
// given to SignatureField is invalid: a bad or repeated name, a rectangle
// outside the page, a bad tooltip or signer name.
var ErrBadField = errors.New("pdf: invalid signature field")

// MaxFieldNameLen is the longest signature field name, in bytes.
const MaxFieldNameLen = 64

// SignatureField is an empty signature field placed on a page, to be filled
// later by a signer (ISO 32000-1 §12.7.4.5): a field of type /Sig merged
// with its widget annotation, listed in the document's interactive form.
type SignatureField struct {
	// Name is the field's name (/T): ASCII letters, digits, '-' and '_'
	// (no '.', which would make it a hierarchy), unique in the document, at
	// most MaxFieldNameLen bytes. Signers find the field by this name.
	Name string
	// Page is the 1-based page the field is on; 0 means the current page.
	// The page must have the current page's size.
	Page int
	// Rect is where the signature appears on the page.
	Rect Rect
	// Tooltip is the field's description (/TU), shown by viewers, e.g.
	// "Hiệu trưởng: Trần Văn Bình". It may be empty.
	Tooltip string
	// SignerName, when not empty, is written as the field's certificate seed
	// value (/SV /Cert /SubjectDN [<< /CN ... >>], ISO 32000-1 §12.7.4.5,
	// Table 235): the common name the signing certificate must carry. kyso's
	// signer refuses a certificate of anyone else.
	SignerName string
	// SignerID, when not empty, adds the subject's serialNumber attribute
	// (a staff or citizen identifier) to the same seed value.
	SignerID string
	// Lock makes the field lock the whole document once it is signed: a
	// field lock dictionary << /Type /SigFieldLock /Action /All /P 1 >>
	// (ISO 32000-2 §12.7.5.5, Table 236), which the signer turns into a
	// FieldMDP transform: no change is allowed after this signature.
	Lock bool

	page       int     // 1-based page the field is on
	pageHeight float64 // of that page, in millimetres
	pageWidth  float64
}

var fieldName = regexp.MustCompile(`\A[A-Za-z0-9_-]+\z`)

// SignatureField places an empty signature field on a page. Like
// the drawing methods, it records the first problem, which Bytes returns
// (wrapping ErrBadField).
func (d *Document) SignatureField(f SignatureField) {
	if d.Err() != nil {
		return
	}
	page := f.Page
	if page == 0 {
		page = d.f.PageNo()
	}
	if page < 1 || page > d.f.PageNo() {
		d.fail(fmt.Errorf("%w: %q on page %d of %d", ErrBadField, f.Name, page, d.f.PageNo()))
		return
	}
	f.Tooltip, f.SignerName, f.SignerID = nfc(f.Tooltip), nfc(f.SignerName), nfc(f.SignerID)
	w, h := d.PageSize()
	f.page, f.pageWidth, f.pageHeight = page, w, h
	if err := checkField(f); err != nil {
		d.fail(err)
		return
	}
	for _, g := range d.fields {
		if g.Name == f.Name {
			d.fail(fmt.Errorf("%w: two fields named %q", ErrBadField, f.Name))
			return
		}
	}
	d.fields = append(d.fields, f)
}

func checkField(f SignatureField) error {
	switch {
	case len(f.Name) > MaxFieldNameLen || !fieldName.MatchString(f.Name):
		return fmt.Errorf("%w: name %q: want 1 to %d ASCII letters, digits, '-' or '_'", ErrBadField, f.Name, MaxFieldNameLen)
	case f.Rect.W <= 0 || f.Rect.H <= 0 || f.Rect.X < 0 || f.Rect.Y < 0 ||
		f.Rect.X+f.Rect.W > f.pageWidth || f.Rect.Y+f.Rect.H > f.pageHeight:
		return fmt.Errorf("%w: %q: rectangle %+v not inside the %.0f×%.0f mm page", ErrBadField, f.Name, f.Rect, f.pageWidth, f.pageHeight)
	}
	for _, s := range []struct{ what, v string }{{"tooltip", f.Tooltip}, {"signer name", f.SignerName}, {"signer ID", f.SignerID}} {
		if !utf8.ValidString(s.v) || utf8.RuneCountInString(s.v) > MaxAttachmentDescriptionLen ||
			strings.ContainsFunc(s.v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("%w: %q: %s: want at most %d characters of UTF-8 text without control characters",
				ErrBadField, f.Name, s.what, MaxAttachmentDescriptionLen)
		}
	}
	return nil
}

// pagesKids matches fpdf's page tree: one /Pages object listing every page.
var pagesKids = regexp.MustCompile(`\A\d+ 0 obj\n<</Type /Pages\n/Kids \[((?:\d+ 0 R )*)\]\n`)

// pageObjects returns the object numbers of the pages, in order, from fpdf's
// page tree (object 1).
func pageObjects(out []byte, t fpdfTail) ([]int, error) {
	if len(t.offsets) < 2 {
		return nil, fmt.Errorf("%w: no page tree", errUnexpectedOutput)
	}
	m := pagesKids.FindSubmatch(out[t.offsets[1]:])
	if m == nil {
		return nil, fmt.Errorf("%w: page tree", errUnexpectedOutput)
	}
	var pages []int
	for _, ref := range strings.Fields(strings.ReplaceAll(string(m[1]), "0 R", "")) {
		n, err := strconv.Atoi(ref)
		if err != nil || n <= 0 || n >= len(t.offsets) {
			return nil, fmt.Errorf("%w: page reference %q", errUnexpectedOutput, ref)
		}
		pages = append(pages, n)
	}
	return pages, nil
}

// pageEnd is how fpdf ends a page object; the field writer inserts the
// page's /Annots before it.
const pageEnd = ">>\nendobj\n"

// annotatePage returns the page object obj with an /Annots array of the
// given widget objects.
func annotatePage(obj []byte, widgets []int) ([]byte, error) {
	if !bytes.HasSuffix(obj, []byte(pageEnd)) || bytes.Contains(obj, []byte("/Annots")) {
		return nil, fmt.Errorf("%w: page object %q", errUnexpectedOutput, obj[:min(len(obj), 40)])
	}
	var b bytes.Buffer
	b.Write(obj[:len(obj)-len(pageEnd)])
	b.WriteString("\n/Annots [")
	for i, w := range widgets {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d 0 R", w)
	}
	b.WriteString("]\n")
	b.WriteString(pageEnd)
	return b.Bytes(), nil
}

// writeWidget writes the field f, merged with its widget annotation, on
// page object pageObj, with an empty appearance ap.
func writeWidget(b *bytes.Buffer, f SignatureField, pageObj, ap int) {
	r := f.Rect.UserSpace(f.pageHeight)
	fmt.Fprintf(b, "<< /Type /Annot /Subtype /Widget /FT /Sig /T %s", literalString(f.Name))
	if f.Tooltip != "" {
		fmt.Fprintf(b, " /TU %s", textString(f.Tooltip))
	}
	// /F 4: Print. The field has no value (/V) until it is signed.
	fmt.Fprintf(b, " /F 4 /P %d 0 R /Rect [%.2f %.2f %.2f %.2f] /AP << /N %d 0 R >>", pageObj, r[0], r[1], r[2], r[3], ap)
	if f.SignerName != "" || f.SignerID != "" {
		b.WriteString(" /SV << /Type /SV /Cert << /Type /SVCert /SubjectDN [<<")
		if f.SignerName != "" {
			fmt.Fprintf(b, " /CN %s", textString(f.SignerName))
		}
		if f.SignerID != "" {
			fmt.Fprintf(b, " /serialNumber %s", textString(f.SignerID))
		}
		// /Ff 8 (bit 4, SubjectDN): the entry is a requirement, not a hint.
		b.WriteString(" >>] /Ff 8 >> >>")
	}
	if f.Lock {
		b.WriteString(" /Lock << /Type /SigFieldLock /Action /All /P 1 >>")
	}
	b.WriteString(" >>\nendobj\n")
}

// writeEmptyAppearance writes the appearance of an unsigned field: an empty
// form XObject the size of its rectangle.
func writeEmptyAppearance(b *bytes.Buffer, f SignatureField) {
	fmt.Fprintf(b, "<< /Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Length 0 >>\nstream\n\nendstream\nendobj\n",
		f.Rect.W*PointsPerMM, f.Rect.H*PointsPerMM)
}
