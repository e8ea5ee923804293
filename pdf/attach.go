package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits on attachments.
const (
	// MaxAttachmentNameLen is the longest attachment file name, in bytes.
	MaxAttachmentNameLen = 255
	// MaxAttachmentDescriptionLen is the longest attachment description, in
	// characters.
	MaxAttachmentDescriptionLen = 1000
)

// ErrBadAttachment is wrapped by the error Bytes returns when an attachment
// given to Attach is invalid: a bad or repeated file name, a malformed MIME
// type, a bad description.
var ErrBadAttachment = errors.New("pdf: invalid attachment")

// errUnexpectedOutput means fpdf's output is not in the form the attachment
// writer relies on: a newer fpdf, or an fpdf feature the package does not
// use.
var errUnexpectedOutput = errors.New("pdf: fpdf output not in the expected form")

// attachment is one file given to Attach.
type attachment struct {
	name, mime, desc string
	data             []byte
	mod              time.Time
}

// Attach embeds a file in the document: a document-level embedded file
// (ISO 32000-1 §7.11.4, listed in the catalog's /Names /EmbeddedFiles name
// tree) that is also an associated file of the whole document with the
// relationship /Source (ISO 32000-2 §14.13, the catalog's /AF array, as
// PDF/A-3 uses it): the data the document was made from.
//
// name is the file name viewers show (any Unicode text without path
// separators or control characters, at most MaxAttachmentNameLen bytes,
// unique within the document); mime is its media type, e.g.
// "application/json", or "" for none; description is shown by viewers
// beside the name and may be "". data is copied. modTime is written as the
// file's modification date; when zero, Options.Created is used, so that a
// deterministic document stays deterministic.
//
// Like the drawing methods, Attach records the first problem, which Bytes
// then returns (wrapping ErrBadAttachment).
func (d *Document) Attach(name, mime, description string, data []byte, modTime time.Time) {
	if d.Err() != nil {
		return
	}
	name, description = nfc(name), nfc(description)
	if err := checkAttachment(name, mime, description); err != nil {
		d.fail(err)
		return
	}
	for _, a := range d.attachments {
		if a.name == name {
			d.fail(fmt.Errorf("%w: two files named %q", ErrBadAttachment, name))
			return
		}
	}
	if modTime.IsZero() {
		modTime = d.created
	}
	d.attachments = append(d.attachments, attachment{
		name: name, mime: mime, desc: description, data: bytes.Clone(data), mod: modTime.UTC(),
	})
}

func checkAttachment(name, mime, desc string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("%w: file name %q", ErrBadAttachment, name)
	case len(name) > MaxAttachmentNameLen:
		return fmt.Errorf("%w: file name of %d bytes, want at most %d", ErrBadAttachment, len(name), MaxAttachmentNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: file name is not valid UTF-8", ErrBadAttachment)
	case strings.ContainsAny(name, `/\`) || strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("%w: file name %q: want no path separator or control character", ErrBadAttachment, name)
	case !utf8.ValidString(desc) || strings.ContainsFunc(desc, unicode.IsControl):
		return fmt.Errorf("%w: description: want UTF-8 text without control characters", ErrBadAttachment)
	case utf8.RuneCountInString(desc) > MaxAttachmentDescriptionLen:
		return fmt.Errorf("%w: description longer than %d characters", ErrBadAttachment, MaxAttachmentDescriptionLen)
	case mime != "" && !validMIME(mime):
		return fmt.Errorf("%w: media type %q: want type/subtype, e.g. application/json", ErrBadAttachment, mime)
	}
	return nil
}

// validMIME reports whether s is a media type without parameters: two
// restricted names (RFC 6838 §4.2) joined by "/".
func validMIME(s string) bool {
	typ, sub, ok := strings.Cut(s, "/")
	return ok && restrictedName(typ) && restrictedName(sub)
}

func restrictedName(s string) bool {
	if s == "" || len(s) > 127 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("!#$&-^_.+", rune(c))) {
			return false
		}
	}
	return true
}

// The embedded-file objects are written by this package rather than by
// fpdf's SetAttachments, which in v0.9.0 cannot write a media type
// (/Subtype), the file's dates (/Params /ModDate), /AFRelationship or the
// catalog's /AF, names every file "AttachementN" in the name tree, and
// writes its objects before the pages, which shifts the page object numbers
// that its internal links and bookmarks assume.
//
// finish takes fpdf's finished output, whose last object is the catalog
// (fpdf writes it last, followed by the cross-reference table), and rewrites
// the end of the file: the embedded files, their file specifications, a name
// dictionary and an /AF array as new objects, the signature fields (see
// SignatureField) and the interactive form, then the catalog again under its
// own number with /Names, /AF and /AcroForm pointing at them, then a new
// cross-reference table and trailer. The file stays a single revision.
// Without fields every other object keeps its bytes and its offset; with
// fields, the pages that carry them gain an /Annots array, which moves the
// objects after them (the cross-reference table is rebuilt from scratch).
//
// The catalog refers to the name dictionary and the /AF array indirectly,
// on purpose: when a signer rewrites the catalog in an incremental update
// (signers copy its entries), an indirect reference is copied as it is,
// so the embedded files stay in the signed original revision, byte for
// byte.
//
// The header is raised to %PDF-1.7 (the version of /UF), which keeps its
// length, so no offset moves.
func finish(out []byte, atts []attachment, fields []SignatureField, created time.Time) ([]byte, error) {
	if len(atts) == 0 && len(fields) == 0 {
		return out, nil
	}
	t, err := readFpdfTail(out)
	if err != nil {
		return nil, err
	}
	catalog := out[t.offsets[t.root]:t.xref]
	head := fmt.Sprintf("%d 0 obj\n<<\n", t.root)
	const emptyNames = "/Names <<\n/EmbeddedFiles << /Names [\n  \n] >>\n>>\n>>\nendobj\n"
	if !bytes.HasPrefix(catalog, []byte(head)) || !bytes.HasSuffix(catalog, []byte(emptyNames)) {
		return nil, fmt.Errorf("%w: the catalog does not end with an empty /EmbeddedFiles tree", errUnexpectedOutput)
	}
	if len(out) < 8 || !bytes.HasPrefix(out, []byte("%PDF-1.")) || out[7] < '0' || out[7] > '7' {
		return nil, fmt.Errorf("%w: header %q", errUnexpectedOutput, out[:min(len(out), 8)])
	}

	var b bytes.Buffer
	b.Grow(len(out) + 1024 + 512*len(fields))
	offsets := slices.Clone(t.offsets)
	// Fields take the first new object numbers: each one its widget, then
	// its empty appearance; the pages refer to the widgets.
	next := t.size + 2*len(fields)
	offsets = append(offsets, make([]int64, 2*len(fields))...)
	if len(fields) == 0 {
		b.Write(out[:t.offsets[t.root]])
	} else if err := copyBodyWithWidgets(&b, out, t, fields, offsets); err != nil {
		return nil, err
	}
	b.Bytes()[7] = '7'
	obj := func() int {
		offsets = append(offsets, int64(b.Len()))
		n := next
		next++
		fmt.Fprintf(&b, "%d 0 obj\n", n)
		return n
	}

	var names, af, form int
	if len(atts) > 0 {
		sorted := slices.Clone(atts)
		slices.SortFunc(sorted, func(x, y attachment) int { return strings.Compare(nameTreeKey(x.name), nameTreeKey(y.name)) })
		specs := make([]int, len(sorted))
		for i, a := range sorted {
			file, err := writeEmbeddedFile(&b, obj, a, created)
			if err != nil {
				return nil, err
			}
			specs[i] = obj()
			fmt.Fprintf(&b, "<< /Type /Filespec /F %s /UF %s", literalString(asciiFileName(a.name)), textString(a.name))
			if a.desc != "" {
				fmt.Fprintf(&b, " /Desc %s", textString(a.desc))
			}
			fmt.Fprintf(&b, " /AFRelationship /Source /EF << /F %d 0 R /UF %d 0 R >> >>\nendobj\n", file, file)
		}

		names = obj()
		b.WriteString("<< /EmbeddedFiles << /Names [")
		for i, a := range sorted {
			fmt.Fprintf(&b, "\n%s %d 0 R", nameTreeKey(a.name), specs[i])
		}
		b.WriteString("\n] >> >>\nendobj\n")
		af = obj()
		b.WriteString("[")
		for i, s := range specs {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%d 0 R", s)
		}
		b.WriteString("]\nendobj\n")
	}
	if len(fields) > 0 {
		// The interactive form is an indirect object, so that a signer
		// updates it (/SigFlags) without rewriting the catalog.
		// /SigFlags 1: the document has signature fields.
		form = obj()
		b.WriteString("<< /Fields [")
		for i := range fields {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%d 0 R", t.size+2*i)
		}
		b.WriteString("] /SigFlags 1 >>\nendobj\n")
	}

	offsets[t.root] = int64(b.Len())
	b.Write(catalog[:len(catalog)-len(emptyNames)])
	if len(atts) > 0 {
		fmt.Fprintf(&b, "/Names %d 0 R\n/AF %d 0 R\n", names, af)
	}
	if form != 0 {
		fmt.Fprintf(&b, "/AcroForm %d 0 R\n", form)
	}
	b.WriteString(">>\nendobj\n")

	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", next)
	for _, off := range offsets[1:] {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<<\n/Size %d\n/Root %d 0 R\n/Info %d 0 R\n>>\nstartxref\n%d\n%%%%EOF\n", next, t.root, t.info, xref)
	return b.Bytes(), nil
}

// copyBodyWithWidgets copies fpdf's objects before the catalog to b in file
// order, adding /Annots to the pages that carry fields, then writes each
// field's widget and empty appearance under the numbers finish reserved
// (t.size + 2i and t.size + 2i + 1). It records every new offset in offsets.
func copyBodyWithWidgets(b *bytes.Buffer, out []byte, t fpdfTail, fields []SignatureField, offsets []int64) error {
	pages, err := pageObjects(out, t)
	if err != nil {
		return err
	}
	widgets := map[int][]int{} // page object -> widget objects
	for i, f := range fields {
		if f.page > len(pages) {
			return fmt.Errorf("%w: field %q on page %d of %d", errUnexpectedOutput, f.Name, f.page, len(pages))
		}
		p := pages[f.page-1]
		widgets[p] = append(widgets[p], t.size+2*i)
	}
	order := make([]int, 0, t.size)
	for n := 1; n < t.size; n++ {
		if n != t.root {
			order = append(order, n)
		}
	}
	slices.SortFunc(order, func(x, y int) int { return int(t.offsets[x] - t.offsets[y]) })
	if len(order) == 0 {
		return fmt.Errorf("%w: no objects", errUnexpectedOutput)
	}
	b.Write(out[:t.offsets[order[0]]])
	for i, n := range order {
		end := int64(t.offsets[t.root])
		if i+1 < len(order) {
			end = t.offsets[order[i+1]]
		}
		obj := out[t.offsets[n]:end]
		if ws, ok := widgets[n]; ok {
			if obj, err = annotatePage(obj, ws); err != nil {
				return err
			}
		}
		offsets[n] = int64(b.Len())
		b.Write(obj)
	}
	for i, f := range fields {
		offsets[t.size+2*i] = int64(b.Len())
		fmt.Fprintf(b, "%d 0 obj\n", t.size+2*i)
		writeWidget(b, f, pages[f.page-1], t.size+2*i+1)
		offsets[t.size+2*i+1] = int64(b.Len())
		fmt.Fprintf(b, "%d 0 obj\n", t.size+2*i+1)
		writeEmptyAppearance(b, f)
	}
	return nil
}

// writeEmbeddedFile writes a's data as a compressed embedded file stream
// (ISO 32000-1 §7.11.4, Table 45) and returns its object number.
func writeEmbeddedFile(b *bytes.Buffer, obj func() int, a attachment, created time.Time) (int, error) {
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		return 0, err
	}
	if _, err := zw.Write(a.data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	sum := md5.Sum(a.data)
	n := obj()
	b.WriteString("<< /Type /EmbeddedFile")
	if a.mime != "" {
		fmt.Fprintf(b, " /Subtype %s", nameObject(a.mime))
	}
	fmt.Fprintf(b, " /Filter /FlateDecode /Length %d /Params << /Size %d /CheckSum <%s> /CreationDate %s /ModDate %s >> >>\nstream\n",
		z.Len(), len(a.data), hex.EncodeToString(sum[:]), literalString(pdfDate(created)), literalString(pdfDate(a.mod)))
	b.Write(z.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	return n, nil
}

// fpdfTail is what readFpdfTail learned from the end of fpdf's output.
type fpdfTail struct {
	xref       int     // offset of the cross-reference table
	size       int     // the trailer's /Size
	root, info int     // object numbers of the catalog and the information dictionary
	offsets    []int64 // by object number; offsets[0] is unused
}

// fpdfTrailer matches the trailer fpdf v0.9.0 writes for an unencrypted
// document.
var fpdfTrailer = regexp.MustCompile(`\Atrailer\n<<\n/Size (\d+)\n/Root (\d+) 0 R\n/Info (\d+) 0 R\n>>\nstartxref\n(\d+)\n%%EOF\n\z`)

// readFpdfTail reads the cross-reference table and trailer that fpdf wrote
// at the end of out: one subsection from object 0, then the trailer.
func readFpdfTail(out []byte) (fpdfTail, error) {
	var t fpdfTail
	i := bytes.LastIndex(out, []byte("\nxref\n0 "))
	if i < 0 {
		return t, fmt.Errorf("%w: no cross-reference table", errUnexpectedOutput)
	}
	t.xref = i + 1
	p := t.xref + len("xref\n0 ")
	nl := bytes.IndexByte(out[p:], '\n')
	if nl < 0 {
		return t, fmt.Errorf("%w: cross-reference table", errUnexpectedOutput)
	}
	count, err := strconv.Atoi(string(out[p : p+nl]))
	if err != nil || count < 2 || count > (len(out)-p)/20 {
		return t, fmt.Errorf("%w: cross-reference subsection size %q", errUnexpectedOutput, out[p:p+nl])
	}
	p += nl + 1
	t.offsets = make([]int64, count)
	for n := 0; n < count; n++ {
		e := out[p : p+20]
		p += 20
		if n == 0 {
			if string(e) != "0000000000 65535 f \n" {
				return t, fmt.Errorf("%w: cross-reference entry 0", errUnexpectedOutput)
			}
			continue
		}
		off, err := strconv.ParseInt(string(e[:10]), 10, 64)
		if err != nil || string(e[10:]) != " 00000 n \n" || off <= 0 || off >= int64(t.xref) {
			return t, fmt.Errorf("%w: cross-reference entry %d", errUnexpectedOutput, n)
		}
		t.offsets[n] = off
	}
	m := fpdfTrailer.FindSubmatch(out[p:])
	if m == nil {
		return t, fmt.Errorf("%w: trailer", errUnexpectedOutput)
	}
	var nums [4]int
	for k := range nums {
		if nums[k], err = strconv.Atoi(string(m[k+1])); err != nil {
			return t, fmt.Errorf("%w: trailer", errUnexpectedOutput)
		}
	}
	t.size, t.root, t.info = nums[0], nums[1], nums[2]
	switch {
	case t.size != count:
		return t, fmt.Errorf("%w: /Size %d for %d objects", errUnexpectedOutput, t.size, count)
	case nums[3] != t.xref:
		return t, fmt.Errorf("%w: startxref %d, table at %d", errUnexpectedOutput, nums[3], t.xref)
	case t.root != count-1 || t.info <= 0 || t.info >= count:
		// fpdf writes the catalog last; the rewrite depends on it.
		return t, fmt.Errorf("%w: catalog %d, information dictionary %d of %d objects", errUnexpectedOutput, t.root, t.info, count)
	}
	for n := 1; n < count; n++ {
		if n != t.root && t.offsets[n] >= t.offsets[t.root] {
			return t, fmt.Errorf("%w: object %d written after the catalog", errUnexpectedOutput, n)
		}
	}
	return t, nil
}

// nameTreeKey is the key of a file in the /EmbeddedFiles name tree: the
// file name as a PDF string, literal when it is printable ASCII, otherwise
// UTF-16BE in hex. Keys are compared as bytes; the writer sorts by this form.
func nameTreeKey(name string) string {
	if printableASCII(name) {
		return literalString(name)
	}
	return textString(name)
}

// asciiFileName is the name for the /F entry, which older readers use: the
// name itself when it is printable ASCII, otherwise the name with every
// other character replaced by "_". /UF holds the real name.
func asciiFileName(name string) string {
	if printableASCII(name) {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// literalString writes an ASCII string as a PDF literal string, escaping
// the backslash and both parentheses.
func literalString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '(', ')':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// textString writes s as a PDF text string: UTF-16BE with a byte order
// mark, in hex (nothing to escape).
func textString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteByte('>')
	return b.String()
}

// nameObject writes s as a PDF name, with every byte outside the regular
// printable characters as #xx (ISO 32000-1 §7.3.5), e.g. /application#2Fjson.
func nameObject(s string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || c == '#' || strings.IndexByte("()<>[]{}/%", c) >= 0 {
			fmt.Fprintf(&b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// pdfDate writes t in UTC as a PDF date (ISO 32000-1 §7.9.4).
func pdfDate(t time.Time) string {
	return "D:" + t.UTC().Format("20060102150405") + "Z"
}
