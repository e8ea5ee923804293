package verify

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/digitorus/pdf"
)

// Limits on what EmbeddedFiles reads.
const (
	// MaxEmbeddedFiles is the most embedded files EmbeddedFiles returns;
	// a document with more is refused.
	MaxEmbeddedFiles = 64
	// maxNameTreeDepth bounds the nesting of /Kids in the name tree.
	maxNameTreeDepth = 16
	// maxNameTreeNodes bounds the name tree nodes and /AF entries visited.
	maxNameTreeNodes = 1024
)

// Errors returned by EmbeddedFiles, besides ErrTooLarge.
var (
	// ErrMalformedPDF: the file fails the structure check (see the package
	// documentation) or the PDF parser cannot read it.
	ErrMalformedPDF = errors.New("verify: malformed or unsupported PDF")
	// ErrBadEmbeddedFile: the /EmbeddedFiles name tree, a file
	// specification or an embedded file stream is malformed, uses a filter
	// other than FlateDecode without parameters, or does not match its own
	// /Size or /CheckSum.
	ErrBadEmbeddedFile = errors.New("verify: malformed embedded file")
)

// EmbeddedFile is a file embedded in a PDF through the document's
// /EmbeddedFiles name tree (ISO 32000-1 §7.11.4). Every text field comes
// from the file and is not to be trusted until the document's signature
// is.
type EmbeddedFile struct {
	// Key is the file's key in the name tree, as text.
	Key string
	// Name is the file name from the file specification's /UF, else /F,
	// else the key.
	Name string
	// MIME is the media type from the stream's /Subtype, e.g.
	// "application/json"; "" when absent.
	MIME string
	// Description is the file specification's /Desc.
	Description string
	// Relationship is the file specification's /AFRelationship (ISO
	// 32000-2), e.g. "Source"; "" when absent.
	Relationship string
	// Associated reports that the catalog's /AF array lists the file
	// specification: an associated file of the whole document.
	Associated bool
	// ModTime is the stream's /Params /ModDate; zero when absent or not a
	// date.
	ModTime time.Time
	// Data is the file's content, decoded.
	Data []byte
	// InSignedRange reports that the document has a signature and that the
	// file was read from the part of the document its last signature's
	// /ByteRange covers (see EmbeddedFiles). It says nothing about whether
	// that signature is valid: only PDF, on the same bytes, decides that.
	InSignedRange bool
}

// EmbeddedFiles returns the files embedded in the PDF data through its
// /EmbeddedFiles name tree, in the tree's order.
//
// In a signed document the files are read from the revision the last
// signature covers, never from what was appended after it: the signature
// whose /ByteRange [0 a b c] ends furthest into the file (among the
// well-formed ones, whose unsigned gap is exactly a hex string) marks the
// end of that revision, byte b+c, and only data[:b+c] is parsed. Every byte
// parsed is then inside the byte range except the gap, which holds nothing
// but hex digits, so the files, their file specifications and the catalog
// and name tree that lead to them are all covered by that signature's
// digest (a document timestamp's, when one is last); InSignedRange is
// true. A document without such a signature is read whole and
// InSignedRange is false. Whether the signature is valid, and whether what
// was appended after the first signature is allowed, is for PDF to decide:
// a caller that trusts the files must run PDF on the same bytes and require
// TOTAL_PASSED (which also requires every revision after the first
// signature to be one the signatures allow: no catalog change but the
// form, validation data and extensions, so no embedded file added or
// changed).
//
// data is untrusted. It must be at most maxSize bytes (0 means
// DefaultMaxSize; ErrTooLarge otherwise) and passes the same structure
// check as PDF before the parser sees it, and every object its
// cross-reference tables list must lex as one well-formed object (see
// checkObjects); otherwise ErrMalformedPDF. The files
// decode to at most maxSize bytes in total (ErrTooLarge otherwise), there
// are at most MaxEmbeddedFiles of them, and the name tree is bounded in
// depth and size (ErrBadEmbeddedFile). A parser panic becomes an error. A
// document without embedded files gives an empty list and no error.
func EmbeddedFiles(data []byte, maxSize int64) ([]EmbeddedFile, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if int64(len(data)) > maxSize {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), maxSize)
	}
	rev, signed := signedRevision(data)
	if _, err := checkStructure(rev); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedPDF, err)
	}
	if err := checkObjects(rev); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedPDF, err)
	}
	files, err := readEmbeddedFiles(rev, maxSize)
	if err != nil {
		return nil, err
	}
	for i := range files {
		files[i].InSignedRange = signed
	}
	return files, nil
}

// signedRevision returns the part of data covered by the well-formed
// /ByteRange that ends furthest into the file, and true; or data and false
// when there is none.
func signedRevision(data []byte) ([]byte, bool) {
	end := -1
	for _, raw := range scanByteRanges(data) {
		if raw.problem != "" {
			continue
		}
		r, problem := checkByteRange(data, raw.values)
		if problem == "" && r.end > end {
			end = r.end
		}
	}
	if end < 0 {
		return data, false
	}
	return data[:end], true
}

// errMalformedObject: an object listed in a cross-reference table does not
// lex as "N G obj", one value, then "endobj" or "stream".
var errMalformedObject = errors.New("malformed object")

// checkObjects lexes every object the cross-reference tables list, with
// the package's own lexer, before the third-party parser may read any of
// them. The parser loops forever, without reading and with memory growing,
// on an array that meets "endobj" before its "]": its readArray unreads the
// keyword and asks for the next element again. Neither the read budget nor
// the stack limit of guardedReader can stop a loop that neither reads nor
// recurses, so such objects must never reach the parser. Each object must
// be "N G obj", one value (nested at most maxNesting deep), then "endobj",
// or "stream" after a dictionary. The lexing is budgeted, since offsets may
// overlap: at most four times the file plus 1 MiB is lexed in all.
func checkObjects(data []byte) error {
	offsets, err := objectOffsets(data)
	if err != nil {
		return err
	}
	budget := 4*len(data) + 1<<20
	for _, off := range offsets {
		l := &lexer{data: data[:min(len(data), off+budget)], pos: off}
		if err := lexObject(l); err != nil {
			if l.pos >= len(l.data) && len(l.data) < len(data) {
				return structureError(errTooManyObjects, "objects overlap beyond the lexing budget")
			}
			return structureError(errMalformedObject, "object at offset %d: %v", off, err)
		}
		budget -= l.pos - off
	}
	return nil
}

// lexObject reads an indirect object definition at l.pos.
func lexObject(l *lexer) error {
	for _, want := range []tokKind{tokInt, tokInt, tokKeyword} {
		t, err := l.next()
		if err != nil {
			return err
		}
		if t.kind != want || want == tokKeyword && t.s != "obj" {
			return l.errorf("not an object definition")
		}
	}
	save := l.pos
	first, err := l.next()
	if err != nil {
		return err
	}
	l.pos = save
	if err := skipValue(l, 0); err != nil {
		return err
	}
	t, err := l.next()
	if err != nil {
		return err
	}
	if t.kind != tokKeyword || t.s != "endobj" && !(t.s == "stream" && first.kind == tokDictOpen) {
		return l.errorf("object not followed by endobj")
	}
	return nil
}

// skipValue reads one value at l.pos, the way lexer.value does but allowing
// a dictionary key to repeat, as the parser does (pdfsign writes /Version
// twice in the catalog of a twice-signed fpdf file).
func skipValue(l *lexer, depth int) error {
	if depth >= maxNesting {
		return l.errorf("objects nested too deeply")
	}
	start := l.pos
	t, err := l.next()
	if err != nil {
		return err
	}
	switch t.kind {
	case tokDictOpen:
		for {
			k, err := l.next()
			if err != nil {
				return err
			}
			if k.kind == tokDictClose {
				return nil
			}
			if k.kind != tokName {
				return l.errorf("dictionary key is not a name")
			}
			if err := skipValue(l, depth+1); err != nil {
				return err
			}
		}
	case tokArrayOpen:
		for {
			save := l.pos
			e, err := l.next()
			if err != nil {
				return err
			}
			if e.kind == tokArrayClose {
				return nil
			}
			l.pos = save
			if err := skipValue(l, depth+1); err != nil {
				return err
			}
		}
	case tokInt:
		// An integer or a reference "N G R": value does the look-ahead.
		l.pos = start
		_, err := l.value(depth)
		return err
	case tokReal, tokBool, tokName, tokString:
		return nil
	case tokKeyword:
		if t.s == "null" {
			return nil
		}
		return l.errorf("unexpected keyword %q", t.s)
	case tokEOF:
		return l.errorf("unexpected end of file")
	}
	return l.errorf("unexpected token")
}

// objectOffsets lists, sorted and without repeats, the offsets of the
// objects in use in every cross-reference table of data, which
// checkStructure has accepted.
func objectOffsets(data []byte) ([]int, error) {
	start, err := startXref(data)
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}          // object offsets
	sectionSeen := map[int64]bool{} // cross-reference table offsets
	var out []int
	for off, sections := start, 0; ; sections++ {
		if sections >= maxXrefSections {
			return nil, structureError(errTooManyObjects, "more than %d cross-reference sections", maxXrefSections)
		}
		p := int(off)
		for p < len(data) && isPDFSpace(data[p]) {
			p++
		}
		ok := bytes.HasPrefix(data[p:], []byte("xref"))
		if ok {
			p, ok = eol(data, p+len("xref"))
		}
		for ok && !bytes.HasPrefix(data[p:], []byte("trailer")) {
			var first, count int64
			var q int
			var ok1, ok2, ok3 bool
			first, q, ok1 = decimal(data, p)
			q, ok2 = spaces(data, q)
			count, q, ok3 = decimal(data, q)
			for q < len(data) && data[q] == ' ' {
				q++
			}
			q, ok = eol(data, q)
			ok = ok && ok1 && ok2 && ok3 && first >= 0
			for i := int64(0); ok && i < count; i++ {
				if !xrefEntry(data, q) {
					ok = false
					break
				}
				if data[q+17] == 'n' {
					at, _, _ := decimal(data, q)
					if at > 0 && at < int64(len(data)) && !seen[int(at)] {
						seen[int(at)] = true
						out = append(out, int(at))
					}
				}
				q += 20
			}
			p = q
		}
		if !ok {
			return nil, structureError(errMalformedXref, "table at offset %d", off)
		}
		trailer, err := xrefSection(data, off)
		if err != nil {
			return nil, err
		}
		prev, ok := trailer["Prev"]
		if !ok {
			break
		}
		sectionSeen[off] = true
		off = prev.n
		if sectionSeen[off] {
			return nil, structureError(errXrefLoop, "at offset %d", off)
		}
	}
	slices.Sort(out)
	return out, nil
}

// readEmbeddedFiles parses data and reads its embedded files, decoding at
// most budget bytes in all. A parser panic becomes an error.
func readEmbeddedFiles(data []byte, budget int64) (files []EmbeddedFile, err error) {
	defer func() {
		if r := recover(); r != nil {
			files = nil
			if a, ok := r.(parserAbort); ok {
				err = fmt.Errorf("%w: %w: %w", ErrMalformedPDF, errParser, a.reason)
				return
			}
			err = fmt.Errorf("%w: %w: %s", ErrMalformedPDF, errParser, clip(fmt.Sprint(r)))
		}
	}()
	rd, err := pdf.NewReader(newGuardedReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %s", ErrMalformedPDF, errParser, clip(err.Error()))
	}
	root := rd.Trailer().Key("Root")
	if root.Kind() != pdf.Dict {
		return nil, fmt.Errorf("%w: no document catalog", ErrMalformedPDF)
	}
	tree := root.Key("Names").Key("EmbeddedFiles")
	if tree.IsNull() {
		return nil, nil
	}
	r := &embeddedReader{budget: budget, associated: map[[2]uint32]bool{}}
	if err := r.readAF(root.Key("AF")); err != nil {
		return nil, err
	}
	if err := r.walk(tree, 0); err != nil {
		return nil, err
	}
	return r.files, nil
}

// embeddedReader walks the /EmbeddedFiles name tree.
type embeddedReader struct {
	budget     int64 // bytes the files may still decode to
	nodes      int
	associated map[[2]uint32]bool // object number and generation of /AF entries
	files      []EmbeddedFile
}

func badEmbedded(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadEmbeddedFile, fmt.Sprintf(format, args...))
}

func objectID(v pdf.Value) [2]uint32 {
	p := v.GetPtr()
	return [2]uint32{p.GetID(), uint32(p.GetGen())}
}

// readAF records the file specifications the catalog's /AF array lists.
func (r *embeddedReader) readAF(af pdf.Value) error {
	switch af.Kind() {
	case pdf.Null:
		return nil
	case pdf.Array:
	default:
		return badEmbedded("the catalog's /AF is not an array")
	}
	if af.Len() > maxNameTreeNodes {
		return badEmbedded("/AF lists more than %d files", maxNameTreeNodes)
	}
	for i := 0; i < af.Len(); i++ {
		if fs := af.Index(i); fs.Kind() == pdf.Dict {
			r.associated[objectID(fs)] = true
		}
	}
	return nil
}

// walk reads a node of the name tree (ISO 32000-1 §7.9.6): /Kids for an
// intermediate node, /Names [key value ...] for a leaf.
func (r *embeddedReader) walk(node pdf.Value, depth int) error {
	if depth > maxNameTreeDepth {
		return badEmbedded("name tree nested more than %d deep (a loop?)", maxNameTreeDepth)
	}
	r.nodes++
	if r.nodes > maxNameTreeNodes {
		return badEmbedded("name tree of more than %d nodes", maxNameTreeNodes)
	}
	if node.Kind() != pdf.Dict {
		return badEmbedded("name tree node is not a dictionary")
	}
	if kids := node.Key("Kids"); !kids.IsNull() {
		if kids.Kind() != pdf.Array {
			return badEmbedded("name tree /Kids is not an array")
		}
		for i := 0; i < kids.Len(); i++ {
			if err := r.walk(kids.Index(i), depth+1); err != nil {
				return err
			}
		}
	}
	names := node.Key("Names")
	switch names.Kind() {
	case pdf.Null:
		return nil
	case pdf.Array:
	default:
		return badEmbedded("name tree /Names is not an array")
	}
	if names.Len()%2 != 0 {
		return badEmbedded("name tree /Names has an odd number of entries")
	}
	for i := 0; i < names.Len(); i += 2 {
		key := names.Index(i)
		if key.Kind() != pdf.String {
			return badEmbedded("name tree key is not a string")
		}
		if len(r.files) >= MaxEmbeddedFiles {
			return badEmbedded("more than %d embedded files", MaxEmbeddedFiles)
		}
		f, err := r.file(textOf(key), names.Index(i+1))
		if err != nil {
			return err
		}
		r.files = append(r.files, f)
	}
	return nil
}

// file reads one file specification (ISO 32000-1 §7.11.3) and its embedded
// file stream.
func (r *embeddedReader) file(key string, spec pdf.Value) (EmbeddedFile, error) {
	f := EmbeddedFile{Key: key}
	if spec.Kind() != pdf.Dict {
		return f, badEmbedded("%q: the file specification is not a dictionary", key)
	}
	f.Name = key
	if v := spec.Key("UF"); v.Kind() == pdf.String {
		f.Name = textOf(v)
	} else if v := spec.Key("F"); v.Kind() == pdf.String {
		f.Name = textOf(v)
	}
	f.Description = textOf(spec.Key("Desc"))
	f.Relationship = spec.Key("AFRelationship").Name()
	f.Associated = r.associated[objectID(spec)]

	ef := spec.Key("EF")
	if ef.Kind() != pdf.Dict {
		return f, badEmbedded("%q: no /EF dictionary (not an embedded file)", key)
	}
	stream := ef.Key("UF")
	if stream.Kind() != pdf.Stream {
		stream = ef.Key("F")
	}
	if stream.Kind() != pdf.Stream {
		return f, badEmbedded("%q: /EF holds no stream", key)
	}
	f.MIME = stream.Key("Subtype").Name()
	params := stream.Key("Params")
	if t, ok := parsePDFDate(textOf(params.Key("ModDate"))); ok {
		f.ModTime = t
	}
	data, err := r.decode(key, stream)
	if err != nil {
		return f, err
	}
	if size := params.Key("Size"); size.Kind() == pdf.Integer && size.Int64() != int64(len(data)) {
		return f, badEmbedded("%q: %d bytes, /Params /Size says %d", key, len(data), size.Int64())
	}
	if sum := params.Key("CheckSum"); sum.Kind() == pdf.String {
		got := md5.Sum(data)
		if !bytes.Equal(got[:], []byte(sum.RawString())) {
			return f, badEmbedded("%q: the content does not match /Params /CheckSum", key)
		}
	}
	f.Data = data
	return f, nil
}

// decode returns the content of an embedded file stream. Only FlateDecode
// without parameters is accepted (the parser prints to standard output and
// panics on other predictors, and allocates what the parameters ask for),
// and the output is limited to the remaining budget.
func (r *embeddedReader) decode(key string, stream pdf.Value) (data []byte, err error) {
	defer func() {
		// The parser panics on a corrupt zlib header; that is a broken
		// file, not a broken PDF. The guard's aborts stay what they are.
		if p := recover(); p != nil {
			if _, ok := p.(parserAbort); ok {
				panic(p)
			}
			data, err = nil, badEmbedded("%q: %s", key, clip(fmt.Sprint(p)))
		}
	}()
	filter := stream.Key("Filter")
	if filter.Kind() == pdf.Array && filter.Len() == 1 {
		filter = filter.Index(0)
	}
	switch {
	case filter.Kind() == pdf.Null:
	case filter.Kind() == pdf.Name && filter.Name() == "FlateDecode":
	default:
		return nil, badEmbedded("%q: unsupported stream filter", key)
	}
	if !stream.Key("DecodeParms").IsNull() {
		return nil, badEmbedded("%q: stream decode parameters are not supported", key)
	}
	if l := stream.Key("Length"); l.Kind() != pdf.Integer || l.Int64() < 0 {
		return nil, badEmbedded("%q: stream /Length is not a non-negative integer", key)
	}
	rc := stream.Reader()
	defer rc.Close()
	data, err = io.ReadAll(io.LimitReader(rc, r.budget+1))
	if err != nil {
		return nil, badEmbedded("%q: %s", key, clip(err.Error()))
	}
	if int64(len(data)) > r.budget {
		return nil, fmt.Errorf("%w: the embedded files decode to more than the %d-byte limit", ErrTooLarge, r.budget)
	}
	r.budget -= int64(len(data))
	return data, nil
}

// textOf decodes a PDF text string (ISO 32000-2 §7.9.2.2): UTF-16BE or
// UTF-8 after a byte order mark, PDFDocEncoding otherwise.
func textOf(v pdf.Value) string {
	if v.Kind() != pdf.String {
		return ""
	}
	raw := v.RawString()
	switch {
	case len(raw) >= 2 && raw[0] == 0xFE && raw[1] == 0xFF:
		b := []byte(raw[2:])
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u))
	case len(raw) >= 3 && raw[:3] == "\xEF\xBB\xBF":
		return toValidUTF8(raw[3:])
	}
	return toValidUTF8(v.Text())
}

func toValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
}

// parsePDFDate reads a PDF date (ISO 32000-1 §7.9.4):
// D:YYYYMMDDHHmmSSOHH'mm', every part after the year optional, O one of
// Z, + and -.
func parsePDFDate(s string) (time.Time, bool) {
	if len(s) >= 2 && s[:2] == "D:" {
		s = s[2:]
	}
	num := func(n int, lo, hi int) (int, bool) {
		if len(s) < n {
			return 0, false
		}
		v, err := strconv.Atoi(s[:n])
		if err != nil || v < lo || v > hi || s[0] == '+' || s[0] == '-' {
			return 0, false
		}
		s = s[n:]
		return v, true
	}
	year, ok := num(4, 0, 9999)
	if !ok {
		return time.Time{}, false
	}
	parts := [5]int{1, 1, 0, 0, 0} // month, day, hour, minute, second
	limits := [5][2]int{{1, 12}, {1, 31}, {0, 23}, {0, 59}, {0, 59}}
	for i := range parts {
		if len(s) < 2 || s[0] < '0' || s[0] > '9' {
			break
		}
		v, ok := num(2, limits[i][0], limits[i][1])
		if !ok {
			return time.Time{}, false
		}
		parts[i] = v
	}
	loc := time.UTC
	if len(s) > 0 {
		sign := 1
		switch s[0] {
		case 'Z':
			s = s[1:]
		case '-':
			sign = -1
			fallthrough
		case '+':
			s = s[1:]
			h, ok := num(2, 0, 23)
			if !ok {
				return time.Time{}, false
			}
			m := 0
			if len(s) > 0 && s[0] == '\'' {
				s = s[1:]
			}
			if len(s) >= 2 {
				if m, ok = num(2, 0, 59); !ok {
					return time.Time{}, false
				}
			}
			loc = time.FixedZone("", sign*(h*3600+m*60))
		default:
			return time.Time{}, false
		}
		if len(s) > 0 && s[0] == '\'' {
			s = s[1:]
		}
		if s != "" {
			return time.Time{}, false
		}
	}
	t := time.Date(year, time.Month(parts[0]), parts[1], parts[2], parts[3], parts[4], 0, loc)
	if t.Day() != parts[1] {
		return time.Time{}, false // no such day in that month
	}
	return t, true
}
