package verify

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// This file is the verifier's own reader of PDF objects, revision by
// revision. The third-party parser reads only the newest state of a file;
// judging what changed after a signature needs every earlier state too, and
// the unresolved references of each object (a reader that follows them as
// it goes cannot tell a changed reference from a changed object). It reads
// files that checkStructure and checkObjects have accepted: classic
// cross-reference tables, every listed object lexed once already.

// objKind is the type of a pdfObj.
type objKind uint8

const (
	objNull objKind = iota
	objBool
	objInt
	objReal
	objString
	objName
	objArray
	objDict
	objRef
	objStream
)

// pdfObj is one PDF object, with its references unresolved.
type pdfObj struct {
	kind objKind
	b    bool
	n    int64   // objInt: the value; objRef: the object number
	gen  int64   // objRef: the generation
	f    float64 // objReal
	s    string  // objString: the bytes; objName: the decoded name
	a    []pdfObj
	d    map[string]pdfObj // objDict, and the dictionary of an objStream
	data []byte            // objStream: the data as stored (not decoded)
}

// key returns the value of a dictionary (or stream dictionary) entry; null
// for anything else.
func (o pdfObj) key(k string) pdfObj {
	if o.kind == objDict || o.kind == objStream {
		return o.d[k]
	}
	return pdfObj{}
}

// name returns a name's value, or "".
func (o pdfObj) name() string {
	if o.kind == objName {
		return o.s
	}
	return ""
}

// number returns a numeric object's value.
func (o pdfObj) number() (float64, bool) {
	switch o.kind {
	case objInt:
		return float64(o.n), true
	case objReal:
		return o.f, true
	}
	return 0, false
}

// isDict reports whether o is a dictionary (a stream's counts).
func (o pdfObj) isDict() bool { return o.kind == objDict || o.kind == objStream }

// sameObj reports whether two objects are the same PDF value: numbers by
// value (1 and 1.0 are equal), strings by their bytes however written,
// names decoded, dictionaries regardless of key order, streams by
// dictionary and stored data, references by number and generation.
func sameObj(x, y pdfObj) bool {
	if xn, ok := x.number(); ok {
		yn, ok := y.number()
		return ok && xn == yn
	}
	if x.kind != y.kind {
		return false
	}
	switch x.kind {
	case objNull:
		return true
	case objBool:
		return x.b == y.b
	case objString, objName:
		return x.s == y.s
	case objRef:
		return x.n == y.n && x.gen == y.gen
	case objArray:
		if len(x.a) != len(y.a) {
			return false
		}
		for i := range x.a {
			if !sameObj(x.a[i], y.a[i]) {
				return false
			}
		}
		return true
	case objDict, objStream:
		if x.kind == objStream && !bytes.Equal(x.data, y.data) {
			return false
		}
		if len(x.d) != len(y.d) {
			return false
		}
		for k, v := range x.d {
			w, ok := y.d[k]
			if !ok || !sameObj(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// maxObjValues bounds the values one object may hold (array elements,
// dictionary entries, nested), and maxFileValues the values read from one
// file in all, so that a hostile file cannot make the reader allocate far
// more than a real document needs (a signed học bạ of five signatures reads
// a few thousand).
const (
	maxObjValues  = 1 << 18
	maxFileValues = 1 << 19
)

// errTooComplex: the file holds more values than maxFileValues.
var errTooComplex = errors.New("the file holds too many PDF values to analyse")

var errObject = errors.New("malformed object")

// objParser reads values with the package's lexer, decoding strings.
type objParser struct {
	l      *lexer
	budget int
}

func newObjParser(data []byte, pos int) *objParser {
	return &objParser{l: &lexer{data: data, pos: pos, strings: true}, budget: maxObjValues}
}

// value reads one value; integers followed by "gen R" are references.
func (p *objParser) value(depth int) (pdfObj, error) {
	if depth >= maxNesting {
		return pdfObj{}, p.l.errorf("objects nested too deeply")
	}
	p.budget--
	if p.budget < 0 {
		return pdfObj{}, p.l.errorf("object too large")
	}
	t, err := p.l.next()
	if err != nil {
		return pdfObj{}, err
	}
	switch t.kind {
	case tokDictOpen:
		d := map[string]pdfObj{}
		for {
			k, err := p.l.next()
			if err != nil {
				return pdfObj{}, err
			}
			if k.kind == tokDictClose {
				return pdfObj{kind: objDict, d: d}, nil
			}
			if k.kind != tokName {
				return pdfObj{}, p.l.errorf("dictionary key is not a name")
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return pdfObj{}, err
			}
			// A repeated key: the last one counts, as in the
			// third-party parser (a map assignment).
			d[k.s] = v
		}
	case tokArrayOpen:
		var a []pdfObj
		for {
			save := p.l.pos
			e, err := p.l.next()
			if err != nil {
				return pdfObj{}, err
			}
			if e.kind == tokArrayClose {
				return pdfObj{kind: objArray, a: a}, nil
			}
			p.l.pos = save
			v, err := p.value(depth + 1)
			if err != nil {
				return pdfObj{}, err
			}
			a = append(a, v)
		}
	case tokInt:
		save := p.l.pos
		if t2, err := p.l.next(); err == nil && t2.kind == tokInt && t.n >= 0 && t.n <= math.MaxUint32 && t2.n >= 0 && t2.n <= math.MaxUint16 {
			if t3, err := p.l.next(); err == nil && t3.kind == tokKeyword && t3.s == "R" {
				return pdfObj{kind: objRef, n: t.n, gen: t2.n}, nil
			}
		}
		p.l.pos = save
		return pdfObj{kind: objInt, n: t.n}, nil
	case tokReal:
		f, err := strconv.ParseFloat(t.s, 64)
		if err != nil {
			return pdfObj{}, p.l.errorf("number %q out of range", t.s)
		}
		return pdfObj{kind: objReal, f: f}, nil
	case tokBool:
		return pdfObj{kind: objBool, b: t.s == "true"}, nil
	case tokName:
		return pdfObj{kind: objName, s: t.s}, nil
	case tokString:
		return pdfObj{kind: objString, s: t.s}, nil
	case tokKeyword:
		if t.s == "null" {
			return pdfObj{}, nil
		}
		return pdfObj{}, p.l.errorf("unexpected keyword %q", t.s)
	case tokEOF:
		return pdfObj{}, p.l.errorf("unexpected end of file")
	}
	return pdfObj{}, p.l.errorf("unexpected token")
}

// indirectObj is an object definition "N G obj ... endobj" as found at an
// offset.
type indirectObj struct {
	num, gen int64
	value    pdfObj
	end      int // offset just after "endobj"
}

// parseIndirect reads the object definition at off. length resolves a
// stream's /Length when it is a reference; budget, when not nil, is the
// number of values the file may still read, and is charged.
func parseIndirect(data []byte, off int, length func(ref pdfObj) (int64, bool), budget *int) (indirectObj, error) {
	var out indirectObj
	if off < 0 || off >= len(data) {
		return out, fmt.Errorf("%w: offset %d outside the file", errObject, off)
	}
	p := newObjParser(data, off)
	if budget != nil {
		if *budget <= 0 {
			return out, errTooComplex
		}
		p.budget = min(p.budget, *budget)
		start := p.budget
		defer func() { *budget -= start - p.budget }()
	}
	var head [3]pdfToken
	for i, want := range []tokKind{tokInt, tokInt, tokKeyword} {
		t, err := p.l.next()
		if err != nil {
			return out, fmt.Errorf("%w: %w", errObject, err)
		}
		if t.kind != want || want == tokKeyword && t.s != "obj" {
			return out, fmt.Errorf("%w: no object definition at offset %d", errObject, off)
		}
		head[i] = t
	}
	out.num, out.gen = head[0].n, head[1].n
	v, err := p.value(0)
	if err != nil {
		return out, fmt.Errorf("%w: object %d: %w", errObject, out.num, err)
	}
	t, err := p.l.next()
	if err != nil {
		return out, fmt.Errorf("%w: object %d: %w", errObject, out.num, err)
	}
	switch {
	case t.kind == tokKeyword && t.s == "endobj":
		out.value, out.end = v, p.l.pos
		return out, nil
	case t.kind == tokKeyword && t.s == "stream" && v.kind == objDict:
	default:
		return out, fmt.Errorf("%w: object %d is not followed by endobj", errObject, out.num)
	}
	pos := p.l.pos
	switch {
	case bytes.HasPrefix(data[pos:], []byte("\r\n")):
		pos += 2
	case pos < len(data) && data[pos] == '\n':
		pos++
	default:
		return out, fmt.Errorf("%w: object %d: no end of line after stream", errObject, out.num)
	}
	lv := v.d["Length"]
	var n int64
	switch lv.kind {
	case objInt:
		n = lv.n
	case objRef:
		var ok bool
		if length == nil {
			return out, fmt.Errorf("%w: object %d: indirect stream length", errObject, out.num)
		}
		if n, ok = length(lv); !ok {
			return out, fmt.Errorf("%w: object %d: stream length %d %d R unreadable", errObject, out.num, lv.n, lv.gen)
		}
	default:
		return out, fmt.Errorf("%w: object %d: stream without /Length", errObject, out.num)
	}
	if n < 0 || n > int64(len(data)-pos) {
		return out, fmt.Errorf("%w: object %d: stream /Length %d beyond the end of the file", errObject, out.num, n)
	}
	v.kind, v.data = objStream, data[pos:pos+int(n)]
	p.l.pos = pos + int(n)
	for _, want := range []string{"endstream", "endobj"} {
		t, err := p.l.next()
		if err != nil || t.kind != tokKeyword || t.s != want {
			return out, fmt.Errorf("%w: object %d: stream data not followed by %s (wrong /Length?)", errObject, out.num, want)
		}
	}
	out.value, out.end = v, p.l.pos
	return out, nil
}

// xrefRecord is one entry of a cross-reference table.
type xrefRecord struct {
	off  int64
	gen  int64
	free bool
}

// xrefTable is one classic cross-reference table with its trailer: one
// revision of the file.
type xrefTable struct {
	off     int // offset of the "xref" keyword
	entries map[int64]xrefRecord
	order   []int64 // object numbers in the order listed
	trailer pdfObj
	// eof is the offset just after the "%%EOF" that follows the trailer
	// and its "startxref" line, eol after the end-of-line marker after
	// that (eof when none); both -1 when the trailer is not followed by
	// them (possible in the first revision of a linearized file).
	eof, eol int
	// startxref is the offset the startxref line after the trailer gives;
	// -1 when there is none.
	startxref int64
}

// readXrefSection reads the classic cross-reference table at off, the
// trailer after it and, when present, the startxref line and %%EOF.
func readXrefSection(data []byte, off int) (*xrefTable, error) {
	bad := func(format string, args ...any) (*xrefTable, error) {
		return nil, structureError(errMalformedXref, "table at offset %d: %s", off, fmt.Sprintf(format, args...))
	}
	s := &xrefTable{off: off, entries: map[int64]xrefRecord{}, eof: -1, eol: -1, startxref: -1}
	p := off
	for p < len(data) && isPDFSpace(data[p]) {
		p++
	}
	if !bytes.HasPrefix(data[p:], []byte("xref")) {
		return bad("no xref keyword")
	}
	p, ok := eol(data, p+len("xref"))
	if !ok {
		return bad("no end of line after xref")
	}
	for !bytes.HasPrefix(data[p:], []byte("trailer")) {
		first, q, ok1 := decimal(data, p)
		q, ok2 := spaces(data, q)
		count, q, ok3 := decimal(data, q)
		for q < len(data) && data[q] == ' ' {
			q++
		}
		q, ok4 := eol(data, q)
		if !ok1 || !ok2 || !ok3 || !ok4 || first+count > maxObjects {
			return bad("subsection at offset %d", p)
		}
		for i := int64(0); i < count; i++ {
			if !xrefEntry(data, q) {
				return bad("entry at offset %d", q)
			}
			at, _, _ := decimal(data, q)
			gen, _, _ := decimal(data, q+11)
			num := first + i
			// The first entry for a number counts, as in the
			// third-party parser.
			if _, dup := s.entries[num]; !dup {
				s.entries[num] = xrefRecord{off: at, gen: gen, free: data[q+17] == 'f'}
				s.order = append(s.order, num)
			}
			q += 20
		}
		p = q
	}
	p += len("trailer")
	op := newObjParser(data, p)
	tr, err := op.value(0)
	if err != nil || tr.kind != objDict {
		return bad("no trailer dictionary")
	}
	s.trailer = tr
	// "startxref", the offset, "%%EOF".
	l := op.l
	if t, err := l.next(); err == nil && t.kind == tokKeyword && t.s == "startxref" {
		if n, err := l.next(); err == nil && n.kind == tokInt {
			for l.pos < len(data) && isPDFSpace(data[l.pos]) {
				l.pos++
			}
			if bytes.HasPrefix(data[l.pos:], []byte("%%EOF")) {
				s.startxref = n.n
				s.eof = l.pos + len("%%EOF")
				s.eol = s.eof
				switch {
				case bytes.HasPrefix(data[s.eof:], []byte("\r\n")):
					s.eol += 2
				case s.eof < len(data) && (data[s.eof] == '\n' || data[s.eof] == '\r'):
					s.eol++
				}
			}
		}
	}
	return s, nil
}

// pdfFile is a parsed view of a file's revisions.
type pdfFile struct {
	data []byte
	// sections are the cross-reference sections of the /Prev chain from
	// the last startxref, oldest first.
	sections []*xrefTable
	cache    map[int64]cachedObj // by offset
	budget   int                 // values the file may still read (maxFileValues)
}

type cachedObj struct {
	obj indirectObj
	err error
}

// openPDFFile reads the cross-reference chain of data, which
// checkStructure has accepted.
func openPDFFile(data []byte) (*pdfFile, error) {
	start, err := startXref(data)
	if err != nil {
		return nil, err
	}
	f := &pdfFile{data: data, cache: map[int64]cachedObj{}, budget: maxFileValues}
	seen := map[int]bool{}
	for off := int(start); ; {
		if seen[off] || len(f.sections) >= maxXrefSections {
			return nil, structureError(errXrefLoop, "at offset %d", off)
		}
		seen[off] = true
		s, err := readXrefSection(data, off)
		if err != nil {
			return nil, err
		}
		f.sections = append(f.sections, s)
		prev := s.trailer.key("Prev")
		if prev.kind == objNull {
			break
		}
		if prev.kind != objInt || prev.n < 0 || prev.n >= int64(len(data)) {
			return nil, structureError(errMalformedXref, "trailer /Prev is not an offset in the file")
		}
		off = int(prev.n)
	}
	for i, j := 0, len(f.sections)-1; i < j; i, j = i+1, j-1 {
		f.sections[i], f.sections[j] = f.sections[j], f.sections[i]
	}
	return f, nil
}

// view is the file as it stood after the revision whose section is
// f.sections[upto].
type view struct {
	f    *pdfFile
	upto int
}

func (f *pdfFile) view(upto int) view { return view{f: f, upto: upto} }

// entry returns the cross-reference entry of object num in this view: the
// newest section that lists it.
func (v view) entry(num int64) (xrefRecord, bool) {
	for i := v.upto; i >= 0; i-- {
		if e, ok := v.f.sections[i].entries[num]; ok {
			return e, true
		}
	}
	return xrefRecord{}, false
}

// trailer returns the newest trailer of the view.
func (v view) trailer() pdfObj { return v.f.sections[v.upto].trailer }

// maxRefDepth bounds chains of references ("5 0 obj 6 0 R endobj").
const maxRefDepth = 8

// object returns object num as this view defines it: null when it is not
// defined, or free.
func (v view) object(num int64) (pdfObj, error) {
	o, _, err := v.objectAt(num, 0)
	return o, err
}

// objectAt returns object num and whether it is in use.
func (v view) objectAt(num int64, depth int) (pdfObj, bool, error) {
	e, ok := v.entry(num)
	if !ok || e.free || e.off == 0 {
		return pdfObj{}, false, nil
	}
	def, err := v.f.parseAt(e.off, v, depth)
	if err != nil {
		return pdfObj{}, true, err
	}
	if def.num != num || def.gen != e.gen {
		return pdfObj{}, true, fmt.Errorf("%w: the cross-reference table puts object %d %d at offset %d, which holds object %d %d",
			errObject, num, e.gen, e.off, def.num, def.gen)
	}
	return def.value, true, nil
}

// parseAt parses (once) the object definition at off, resolving an
// indirect stream length through v.
func (f *pdfFile) parseAt(off int64, v view, depth int) (indirectObj, error) {
	if c, ok := f.cache[off]; ok {
		return c.obj, c.err
	}
	def, err := f.parseUncached(off, v, depth)
	if !errors.Is(err, errTooComplex) {
		f.cache[off] = cachedObj{def, err}
	}
	return def, err
}

// exhausted reports whether the file ran out of its value budget.
func (f *pdfFile) exhausted() bool { return f.budget <= 0 }

// parseUncached parses the object definition at off without keeping it.
func (f *pdfFile) parseUncached(off int64, v view, depth int) (indirectObj, error) {
	length := func(ref pdfObj) (int64, bool) {
		if depth >= maxRefDepth {
			return 0, false
		}
		o, _, err := v.objectAt(ref.n, depth+1)
		if err != nil || o.kind != objInt {
			return 0, false
		}
		return o.n, true
	}
	return parseIndirect(f.data, int(off), length, &f.budget)
}

// resolve follows o when it is a reference; errors read as null.
func (v view) resolve(o pdfObj) pdfObj {
	for i := 0; o.kind == objRef && i < maxRefDepth; i++ {
		e, ok := v.entry(o.n)
		if !ok || e.gen != o.gen {
			return pdfObj{}
		}
		next, err := v.object(o.n)
		if err != nil {
			return pdfObj{}
		}
		o = next
	}
	if o.kind == objRef {
		return pdfObj{}
	}
	return o
}

// maxDecodedStream bounds what one stream may decode to.
const maxDecodedStream = 4 << 20

// decodeStream returns a stream's data, decoded when its filter is
// FlateDecode (the only filter accepted, without parameters).
func decodeStream(o pdfObj) ([]byte, error) {
	if o.kind != objStream {
		return nil, errors.New("not a stream")
	}
	filter := o.key("Filter")
	if filter.kind == objArray && len(filter.a) == 1 {
		filter = filter.a[0]
	}
	switch {
	case filter.kind == objNull:
		if len(o.data) > maxDecodedStream {
			return nil, errors.New("stream too large")
		}
		return o.data, nil
	case filter.name() == "FlateDecode" && o.key("DecodeParms").kind == objNull:
	default:
		return nil, errors.New("unsupported stream filter")
	}
	zr, err := zlib.NewReader(bytes.NewReader(o.data))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, maxDecodedStream+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxDecodedStream {
		return nil, errors.New("stream decodes to too much data")
	}
	return out, nil
}
