package verify

import (
	"bytes"
	"errors"
	"fmt"
)

// The structure check runs before the file reaches the third-party parser
// (github.com/digitorus/pdf). That parser sizes its cross-reference table
// from numbers in the file, recurses without limit through object streams,
// and searches for %%EOF in a loop that grows with the file, so a hostile
// file could exhaust memory or the stack — failures recover cannot catch.
// The check accepts only files whose cross-reference data it has read itself
// and found bounded:
//
//   - the file starts with a %PDF-1.0 … %PDF-1.7 or %PDF-2.0 header;
//   - it ends with "startxref", the offset and "%%EOF", then only white
//     space;
//   - every cross-reference section on the /Prev chain is a classic table
//     (ISO 32000-1 §7.5.4) with 20-byte entries, subsections below
//     maxObjects, followed by a trailer dictionary;
//   - the newest trailer has no /Encrypt.
//
// Cross-reference streams (PDF 1.5 object streams) are refused: the parser
// follows them without bounds. kyso's own documents (fpdf, then pdfsign's
// incremental updates) use classic tables.

// errStructure is wrapped by every structure error, together with one of
// the reasons below.
var errStructure = errors.New("unsupported or malformed PDF structure")

// Reasons a file fails the structure check.
var (
	errNotPDF         = errors.New("not a PDF header")
	errBadTail        = errors.New("the file does not end with startxref, its offset and %%EOF")
	errXrefStream     = errors.New("no classic cross-reference table (cross-reference streams are not supported)")
	errMalformedXref  = errors.New("malformed cross-reference table or trailer")
	errTooManyObjects = errors.New("too many objects or revisions")
	errXrefLoop       = errors.New("cross-reference sections form a loop")
	errEncrypted      = errors.New("encrypted PDFs are not supported")
)

const (
	// maxObjects bounds the object numbers of a cross-reference table.
	maxObjects = 1 << 19
	// maxXrefSections bounds the /Prev chain (one section per revision).
	maxXrefSections = 1024
	// maxTail is how far from the end "startxref" may be; the parser looks
	// for it in the 200 bytes before %%EOF.
	maxTail = 160
)

func structureError(reason error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: %s", errStructure, reason, fmt.Sprintf(format, args...))
}

// structureInfo is what checkStructure learned.
type structureInfo struct {
	version  string
	sections int
}

func checkStructure(data []byte) (structureInfo, error) {
	var info structureInfo
	if len(data) < 8 || !bytes.HasPrefix(data, []byte("%PDF-")) {
		return info, structureError(errNotPDF, "no %%PDF- header")
	}
	major, minor := data[5], data[7]
	if data[6] != '.' || !(major == '1' && minor >= '0' && minor <= '7' || major == '2' && minor == '0') {
		return info, structureError(errNotPDF, "unsupported header %q", data[:8])
	}
	info.version = string(data[5:8])

	start, err := startXref(data)
	if err != nil {
		return info, err
	}
	seen := make(map[int64]bool)
	off := start
	for {
		if info.sections >= maxXrefSections {
			return info, structureError(errTooManyObjects, "more than %d cross-reference sections", maxXrefSections)
		}
		if seen[off] {
			return info, structureError(errXrefLoop, "at offset %d", off)
		}
		seen[off] = true
		trailer, err := xrefSection(data, off)
		if err != nil {
			return info, err
		}
		info.sections++
		if info.sections == 1 {
			if _, ok := trailer["Encrypt"]; ok {
				return info, structureError(errEncrypted, "the trailer has /Encrypt")
			}
			size, ok := trailer["Size"]
			if !ok || size.kind != valueInt || size.n < 0 || size.n > maxObjects {
				return info, structureError(errTooManyObjects, "trailer /Size missing or out of range")
			}
		}
		prev, ok := trailer["Prev"]
		if !ok {
			return info, nil
		}
		if prev.kind != valueInt || prev.n < 0 || prev.n >= int64(len(data)) {
			return info, structureError(errMalformedXref, "trailer /Prev is not an offset in the file")
		}
		off = prev.n
	}
}

// startXref reads the file's tail: EOL "startxref" EOL offset EOL "%%EOF"
// and white space.
func startXref(data []byte) (int64, error) {
	end := len(data)
	for end > 0 && isPDFSpace(data[end-1]) {
		end--
	}
	if !bytes.HasSuffix(data[:end], []byte("%%EOF")) {
		return 0, structureError(errBadTail, "no %%%%EOF at the end")
	}
	eof := end - len("%%EOF")
	p := eof
	eols := 0
	for p > 0 && isPDFSpace(data[p-1]) {
		if data[p-1] == '\n' || data[p-1] == '\r' {
			eols++
		}
		p--
	}
	digitsEnd := p
	for p > 0 && data[p-1] >= '0' && data[p-1] <= '9' {
		p--
	}
	if p == digitsEnd || digitsEnd-p > 18 || eols == 0 {
		return 0, structureError(errBadTail, "no startxref offset before %%%%EOF")
	}
	var off int64
	for _, c := range data[p:digitsEnd] {
		off = off*10 + int64(c-'0')
	}
	eols = 0
	for p > 0 && isPDFSpace(data[p-1]) {
		if data[p-1] == '\n' || data[p-1] == '\r' {
			eols++
		}
		p--
	}
	const kw = "startxref"
	if eols == 0 || p < len(kw)+1 || string(data[p-len(kw):p]) != kw {
		return 0, structureError(errBadTail, "no startxref keyword before %%%%EOF")
	}
	// The keyword must sit on its own line, as the parser expects.
	kwStart := p - len(kw)
	if c := data[kwStart-1]; c != '\n' && c != '\r' {
		return 0, structureError(errBadTail, "startxref is not at the start of a line")
	}
	if c := data[p]; c != '\n' && c != '\r' {
		return 0, structureError(errBadTail, "startxref is not followed by a line break")
	}
	if eof-kwStart > maxTail {
		return 0, structureError(errBadTail, "startxref too far from %%%%EOF")
	}
	if off >= int64(len(data)) {
		return 0, structureError(errBadTail, "startxref %d is beyond the end of the file", off)
	}
	return off, nil
}

// isXrefStream reports whether b starts with an indirect object ("N G obj")
// whose dictionary says /Type /XRef within its first bytes.
func isXrefStream(b []byte) bool {
	head := b[:min(len(b), 512)]
	i := bytes.Index(head, []byte("obj"))
	if i <= 0 {
		return false
	}
	for _, c := range head[:i] {
		if !(c >= '0' && c <= '9') && !isPDFSpace(c) {
			return false
		}
	}
	return bytes.Contains(head[i:], []byte("/XRef"))
}

// xrefSection reads the classic cross-reference table at off and the
// trailer dictionary after it.
func xrefSection(data []byte, off int64) (map[string]pdfValue, error) {
	p := int(off)
	for p < len(data) && isPDFSpace(data[p]) {
		p++
	}
	if !bytes.HasPrefix(data[p:], []byte("xref")) {
		if isXrefStream(data[p:]) {
			return nil, structureError(errXrefStream, "at offset %d", off)
		}
		return nil, structureError(errMalformedXref, "no cross-reference table at offset %d", off)
	}
	p += len("xref")
	p, ok := eol(data, p)
	if !ok {
		return nil, structureError(errMalformedXref, "table at offset %d", off)
	}
	for {
		if bytes.HasPrefix(data[p:], []byte("trailer")) {
			p += len("trailer")
			break
		}
		start, q, ok1 := decimal(data, p)
		q, ok2 := spaces(data, q)
		count, q, ok3 := decimal(data, q)
		for q < len(data) && data[q] == ' ' {
			q++
		}
		q, ok4 := eol(data, q)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, structureError(errMalformedXref, "subsection at offset %d", p)
		}
		if start+count > maxObjects {
			return nil, structureError(errTooManyObjects, "cross-reference subsection %d+%d exceeds %d objects", start, count, maxObjects)
		}
		p = q
		for i := int64(0); i < count; i++ {
			if !xrefEntry(data, p) {
				return nil, structureError(errMalformedXref, "entry at offset %d", p)
			}
			p += 20
		}
	}
	l := &lexer{data: data, pos: p}
	trailer, err := l.dict()
	if err != nil {
		return nil, structureError(errMalformedXref, "trailer at offset %d: %v", p, err)
	}
	return trailer, nil
}

// xrefEntry reports whether data[p:] starts with a 20-byte entry
// "nnnnnnnnnn ggggg n" + EOL (ISO 32000-1 §7.5.4).
func xrefEntry(data []byte, p int) bool {
	if p < 0 || len(data)-p < 20 {
		return false
	}
	e := data[p : p+20]
	for i, c := range e[:18] {
		switch i {
		case 10, 16:
			if c != ' ' {
				return false
			}
		case 17:
			if c != 'n' && c != 'f' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	switch string(e[18:]) {
	case " \n", " \r", "\r\n":
		return true
	}
	return false
}

// decimal reads up to 10 digits at p.
func decimal(data []byte, p int) (int64, int, bool) {
	var n int64
	q := p
	for q < len(data) && q-p < 10 && data[q] >= '0' && data[q] <= '9' {
		n = n*10 + int64(data[q]-'0')
		q++
	}
	if q == p || (q < len(data) && data[q] >= '0' && data[q] <= '9') {
		return 0, p, false
	}
	return n, q, true
}

func spaces(data []byte, p int) (int, bool) {
	q := p
	for q < len(data) && data[q] == ' ' {
		q++
	}
	return q, q > p
}

// eol skips optional spaces and one end-of-line marker at p.
func eol(data []byte, p int) (int, bool) {
	for p < len(data) && data[p] == ' ' {
		p++
	}
	switch {
	case bytes.HasPrefix(data[p:], []byte("\r\n")):
		return p + 2, true
	case p < len(data) && (data[p] == '\n' || data[p] == '\r'):
		return p + 1, true
	}
	return p, false
}
