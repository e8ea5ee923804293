package verify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// This file splits a signed file into its revisions and judges what each
// revision after the first signature changed (see the package
// documentation, "What changed after each signature").

// Revision kinds (Revision.Kind).
const (
	RevisionSignature         = "signature"          // adds a signature
	RevisionDSS               = "dss"                // adds long-term validation data
	RevisionDocumentTimestamp = "document_timestamp" // adds a document timestamp
	RevisionOther             = "other"              // anything else
)

// Object change kinds (ChangedObject.Change).
const (
	ObjectAdded    = "added"
	ObjectModified = "modified"
	ObjectDeleted  = "deleted"
)

// errRevisions is wrapped by the errors of layoutRevisions.
var errRevisions = errors.New("the signed revisions do not fit the file's cross-reference chain")

// errHybrid: a revision after the first signature in a file whose trailers
// name cross-reference streams (/XRefStm, ISO 32000-1 §7.5.8.4). Readers of
// PDF 1.5 follow them to objects the classic tables do not list; this
// verifier does not read them, so it cannot judge what such revisions
// change.
var errHybrid = errors.New("hybrid-reference file (/XRefStm) with revisions after the first signature")

// sigSpan is what the revision analysis needs to know of a signature or
// document timestamp whose byte range is well formed.
type sigSpan struct {
	report   int // index in Report.Signatures
	field    string
	kind     string // RevisionSignature or RevisionDocumentTimestamp
	gapStart int
	end      int // end of the signed range
}

// revSpan is one revision: the bytes [start, end) of the file.
type revSpan struct {
	section int // index in pdfFile.sections; -1 for bytes after the last revision
	start   int
	end     int
	sig     *sigSpan // the signature whose signed range ends here, if any
}

// layoutRevisions finds the revision each signature signs and splits the
// bytes after the first signature into revisions. sigs are sorted by the
// end of their signed range. The first span returned is everything the
// first signature signs (perhaps several revisions); every later span is
// one cross-reference section's revision, and a last span with section -1
// holds bytes after the last revision when a signature ends before them.
func layoutRevisions(f *pdfFile, sigs []sigSpan) ([]revSpan, error) {
	data := f.data
	first := &sigs[0]
	x0, err := startXref(data[:first.end])
	if err != nil {
		return nil, fmt.Errorf("%w: the first signature's signed range does not end with a cross-reference section (startxref, %%%%EOF)", errRevisions)
	}
	k0 := -1
	for i, s := range f.sections {
		if int64(s.off) == x0 {
			k0 = i
		}
	}
	if k0 < 0 {
		return nil, fmt.Errorf("%w: the revision the first signature signs is not in the file's chain of cross-reference sections", errRevisions)
	}
	if s := f.sections[k0]; s.eof < 0 || s.eof > first.end || !allSpace(data[s.eof:first.end]) {
		return nil, fmt.Errorf("%w: the first signature does not end at the end of a revision", errRevisions)
	}
	spans := []revSpan{{section: k0, start: 0, end: first.end, sig: first}}
	next := 1 // the next signature to place
	prevEnd := first.end
	for k := k0 + 1; k < len(f.sections); k++ {
		s := f.sections[k]
		if s.off < prevEnd || s.eof < 0 || s.startxref != int64(s.off) {
			return nil, fmt.Errorf("%w: cross-reference section at offset %d is not a revision after the one signed before it", errRevisions, s.off)
		}
		span := revSpan{section: k, start: prevEnd, end: s.eol}
		if next < len(sigs) {
			sg := &sigs[next]
			if sg.end >= s.eof && sg.end <= len(data) && allSpace(data[s.eof:sg.end]) &&
				(k+1 == len(f.sections) || sg.end <= f.sections[k+1].off) {
				if sg.gapStart < span.start {
					return nil, fmt.Errorf("%w: the signature value of %q is not in the revision it signs", errRevisions, sg.field)
				}
				span.end, span.sig = sg.end, sg
				next++
			}
		}
		spans = append(spans, span)
		prevEnd = span.end
	}
	if next < len(sigs) {
		return nil, fmt.Errorf("%w: signature %q does not end at the end of a revision", errRevisions, sigs[next].field)
	}
	if len(spans) > 1 {
		for _, s := range f.sections {
			if s.trailer.key("XRefStm").kind != objNull {
				return nil, errHybrid
			}
		}
	}
	if last := &spans[len(spans)-1]; last.end < len(data) {
		if last.sig == nil && len(spans) > 1 {
			last.end = len(data) // trailing white space of an unsigned revision
		} else {
			spans = append(spans, revSpan{section: -1, start: last.end, end: len(data)})
		}
	}
	return spans, nil
}

// endsRevision reports whether data ends like a revision: startxref, an
// offset and %%EOF, then only white space.
func endsRevision(data []byte) bool {
	_, err := startXref(data)
	return err == nil
}

func allSpace(b []byte) bool {
	for _, c := range b {
		if !isPDFSpace(c) {
			return false
		}
	}
	return true
}

// mdpInfo is what a signature says about later changes.
type mdpInfo struct {
	docMDP int // P of a DocMDP transform; 0 when none
	locks  []fieldLock
}

// fieldLock is a FieldMDP transform or a field's /Lock dictionary.
type fieldLock struct {
	action string // All, Include, Exclude
	fields []string
}

// permissions are the changes allowed after the signatures seen so far.
type permissions struct {
	level int // DocMDP P in effect: 1, 2 or 3 (2 without certification)
	locks []fieldLock
	// certifyNow: the revision judged holds the first signature after a
	// baseline (Options.Baseline), which may certify the document by
	// adding the catalog's /Perms.
	certifyNow bool
}

// revisionBaseline is the kind of the pseudo-signature that stands for
// Options.Baseline in the revision layout: the end of a document the
// caller trusts, whose later revisions are judged like those after a
// signature.
const revisionBaseline = "baseline"

func (p permissions) lockAll() bool {
	for _, l := range p.locks {
		if l.action == "All" {
			return true
		}
	}
	return false
}

// locked reports whether a field lock covers the field named name.
func (p permissions) locked(name string) bool {
	for _, l := range p.locks {
		switch l.action {
		case "Include":
			if slices.Contains(l.fields, name) {
				return true
			}
		case "Exclude":
			if !slices.Contains(l.fields, name) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// revisionResult is the outcome of the analysis.
type revisionResult struct {
	revisions []Revision
	mdp       map[int]mdpInfo // by Report.Signatures index
	allowed   bool
}

// analyzeRevisions judges every revision after the first signature.
func analyzeRevisions(f *pdfFile, spans []revSpan) revisionResult {
	res := revisionResult{mdp: map[int]mdpInfo{}, allowed: true}
	perm := permissions{level: 2}
	refsBefore, dssOwned := map[int64]bool{}, map[int64]bool{}
	for k := 0; k <= spans[0].section && len(spans) > 1; k++ {
		f.collectRefs(k, refsBefore)
	}
	baseline := spans[0].sig.kind == revisionBaseline
	for i, sp := range spans {
		var rev Revision
		switch {
		case i == 0 && baseline:
			rev = Revision{Index: sp.section + 1, EndOffset: int64(sp.end), Kind: RevisionOther,
				ChangedObjects: []ChangedObject{}, Allowed: true, Detail: "the document as sent for signing (the baseline)"}
		case i == 0:
			rev = Revision{Index: sp.section + 1, EndOffset: int64(sp.end), Kind: sp.sig.kind, Signature: sp.sig.field,
				ChangedObjects: []ChangedObject{}, Allowed: true, Detail: "the revision the first signature signs"}
		default:
			p := perm
			p.certifyNow = baseline && i == 1
			rev = f.judgeRevision(sp, p, refsBefore, dssOwned)
			if sp.section >= 0 {
				f.collectRefs(sp.section, refsBefore)
			}
		}
		if !rev.Allowed {
			res.allowed = false
		}
		res.revisions = append(res.revisions, rev)
		if sp.sig != nil && sp.sig.kind == RevisionSignature {
			m := f.readMDP(f.view(sp.section), sp.sig)
			res.mdp[sp.sig.report] = m
			if (i == 0 || (i == 1 && baseline)) && m.docMDP != 0 {
				perm.level = m.docMDP
			}
			perm.locks = append(perm.locks, m.locks...)
		}
	}
	return res
}

// collectRefs adds every object number referenced by an object of section
// k (and its trailer) to refs.
func (f *pdfFile) collectRefs(k int, refs map[int64]bool) {
	v := f.view(k)
	s := f.sections[k]
	addRefs(s.trailer, refs, 0)
	for _, num := range s.order {
		e := s.entries[num]
		if e.free || e.off == 0 {
			continue
		}
		if def, err := f.parseUncached(e.off, v, 0); err == nil {
			addRefs(def.value, refs, 0)
		}
	}
}

func addRefs(o pdfObj, refs map[int64]bool, depth int) {
	if depth > maxNesting {
		return
	}
	switch o.kind {
	case objRef:
		refs[o.n] = true
	case objArray:
		for _, e := range o.a {
			addRefs(e, refs, depth+1)
		}
	case objDict, objStream:
		for _, e := range o.d {
			addRefs(e, refs, depth+1)
		}
	}
}

// sigObject returns the number of the object whose definition holds the
// signature value at gapStart, in view v.
func sigObject(v view, gapStart int) (int64, bool) {
	best, bestOff := int64(-1), int64(-1)
	seen := map[int64]bool{}
	for i := v.upto; i >= 0; i-- {
		for num, e := range v.f.sections[i].entries {
			if seen[num] {
				continue
			}
			seen[num] = true
			if !e.free && e.off > 0 && e.off <= int64(gapStart) && e.off > bestOff {
				best, bestOff = num, e.off
			}
		}
	}
	if best < 0 {
		return 0, false
	}
	def, err := v.f.parseAt(bestOff, v, 0)
	if err != nil || def.end <= gapStart {
		return 0, false
	}
	return best, true
}

// signatureDict returns the signature dictionary held by object num: the
// object itself, or the /V of a field that holds it directly.
func signatureDict(v view, num int64) pdfObj {
	o, err := v.object(num)
	if err != nil || !o.isDict() {
		return pdfObj{}
	}
	if o.key("ByteRange").kind == objNull && o.key("V").kind == objDict {
		return o.key("V")
	}
	return o
}

// readMDP reads the transforms of a signature (its /Reference) and the
// /Lock of its field, in the revision it signs.
func (f *pdfFile) readMDP(v view, s *sigSpan) mdpInfo {
	var m mdpInfo
	num, ok := sigObject(v, s.gapStart)
	if !ok {
		return m
	}
	sig := signatureDict(v, num)
	refs := v.resolve(sig.key("Reference"))
	if refs.kind == objDict {
		refs = pdfObj{kind: objArray, a: []pdfObj{refs}}
	}
	for i, r := range refs.a {
		if i >= 16 {
			break
		}
		r = v.resolve(r)
		params := v.resolve(r.key("TransformParams"))
		switch v.resolve(r.key("TransformMethod")).name() {
		case "DocMDP":
			p := v.resolve(params.key("P"))
			m.docMDP = 2 // the default (ISO 32000-1 Table 254)
			if p.kind == objInt && p.n >= 1 && p.n <= 3 {
				m.docMDP = int(p.n)
			}
		case "FieldMDP":
			if l, ok := readLock(v, params); ok {
				m.locks = append(m.locks, l)
			}
		}
	}
	fields, _ := walkFields(v)
	for _, fi := range fields {
		if fi.sigRef == num {
			if l, ok := readLock(v, v.resolve(fi.obj.key("Lock"))); ok {
				m.locks = append(m.locks, l)
			}
		}
	}
	return m
}

// readLock reads a FieldMDP transform's parameters or a field lock
// dictionary: /Action All, Include or Exclude, and /Fields.
func readLock(v view, d pdfObj) (fieldLock, bool) {
	if !d.isDict() {
		return fieldLock{}, false
	}
	l := fieldLock{action: v.resolve(d.key("Action")).name()}
	switch l.action {
	case "All":
	case "Include", "Exclude":
		for _, n := range v.resolve(d.key("Fields")).a {
			if n = v.resolve(n); n.kind == objString {
				l.fields = append(l.fields, textOfString(n.s))
			}
		}
	default:
		return fieldLock{}, false
	}
	return l, true
}

// fieldInfo is a form field (or a widget of one) found in the form.
type fieldInfo struct {
	num    int64 // object number; 0 for a direct dictionary
	name   string
	ft     string // field type, inherited
	widget bool   // a kid without /T: a widget of the field named name
	sigRef int64  // object number of the /V of a signature field; 0 when not a reference
	obj    pdfObj
}

// walkFields lists the fields and widgets of the view's interactive form.
func walkFields(v view) ([]fieldInfo, error) {
	cat := v.resolve(v.trailer().key("Root"))
	list := v.resolve(v.resolve(cat.key("AcroForm")).key("Fields"))
	var out []fieldInfo
	seen := map[int64]bool{}
	var walk func(list pdfObj, prefix, ft string, depth int) error
	walk = func(list pdfObj, prefix, ft string, depth int) error {
		if depth > maxFieldDepth {
			return errors.New("form fields nested too deeply")
		}
		for _, e := range list.a {
			if len(out) >= maxFieldNodes {
				return errors.New("too many form fields")
			}
			fi := fieldInfo{ft: ft, name: prefix}
			if e.kind == objRef {
				if seen[e.n] {
					continue
				}
				seen[e.n] = true
				fi.num = e.n
			}
			fi.obj = v.resolve(e)
			if !fi.obj.isDict() {
				continue
			}
			if t := v.resolve(fi.obj.key("FT")); t.kind == objName {
				fi.ft = t.s
			}
			if t := v.resolve(fi.obj.key("T")); t.kind == objString {
				if fi.name != "" {
					fi.name += "."
				}
				fi.name += textOfString(t.s)
			} else if depth > 0 {
				fi.widget = true
			}
			if sv := fi.obj.key("V"); sv.kind == objRef {
				fi.sigRef = sv.n
			}
			out = append(out, fi)
			if kids := v.resolve(fi.obj.key("Kids")); kids.kind == objArray {
				if err := walk(kids, fi.name, fi.ft, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err := walk(list, "", "", 0)
	return out, err
}

// maxPageNodes bounds the page tree walk.
const maxPageNodes = 1 << 16

// pageInfo is a page of the page tree.
type pageInfo struct {
	num   int64
	index int // 1-based
	obj   pdfObj
}

// walkPages lists the page objects of the view's page tree, and the page
// tree nodes.
func walkPages(v view) (pages []pageInfo, nodes map[int64]bool) {
	nodes = map[int64]bool{}
	cat := v.resolve(v.trailer().key("Root"))
	var walk func(ref pdfObj, depth int)
	walk = func(ref pdfObj, depth int) {
		if ref.kind != objRef || depth > maxNesting || nodes[ref.n] || len(nodes) >= maxPageNodes {
			return
		}
		o := v.resolve(ref)
		switch v.resolve(o.key("Type")).name() {
		case "Pages":
			nodes[ref.n] = true
			for _, k := range v.resolve(o.key("Kids")).a {
				walk(k, depth+1)
			}
		case "Page":
			nodes[ref.n] = true
			pages = append(pages, pageInfo{num: ref.n, index: len(pages) + 1, obj: o})
		}
	}
	walk(cat.key("Pages"), 0)
	return pages, nodes
}

// textOfString decodes a PDF text string (UTF-16BE with a byte order mark,
// UTF-8 with one, or PDFDocEncoding read as Latin-1).
func textOfString(s string) string {
	switch {
	case len(s) >= 2 && s[0] == 0xFE && s[1] == 0xFF:
		b := []byte(s[2:])
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u))
	case strings.HasPrefix(s, "\xEF\xBB\xBF"):
		return toValidUTF8(s[3:])
	}
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}
