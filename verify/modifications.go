package verify

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// The rules that judge one revision after the first signature: what each
// changed object is, and whether the signatures before it allow the change
// (see the package documentation, "What changed after each signature").

// change is one object a revision defines differently from the revision
// before it.
type change struct {
	num      int64
	kind     string // ObjectAdded, ObjectModified, ObjectDeleted
	old, cur pdfObj
	what     string
	judged   bool
	allowed  bool
	reason   string
}

// revisionDiff is the state of judging one revision.
type revisionDiff struct {
	f        *pdfFile
	old, cur view
	perm     permissions
	sig      *sigSpan
	sigObj   int64 // object of the revision's signature dictionary; 0 when none
	changes  map[int64]*change
	order    []int64
	problems []string

	oldFields  map[int64]fieldInfo
	fieldNames map[string]bool
	pages      map[int64]pageInfo
	pageNodes  map[int64]bool
	annots     map[int64]int // old annotation object -> 1-based page
	newWidgets map[int64]bool
	signedNow  map[string]bool // fields signed in this revision
	// dssOwned are the objects earlier revisions added as validation data
	// (the DSS, its arrays and streams): the only old objects a DSS
	// revision may change. An object that merely became reachable from
	// the DSS (a page's content placed in its /Certs, say) is not one.
	dssOwned map[int64]bool
	sawDSS   bool
}

// judgeRevision judges the changes of one revision after the first
// signature under perm.
// dssOwned gains the validation data the revision adds.
func (f *pdfFile) judgeRevision(sp revSpan, perm permissions, refsBefore, dssOwned map[int64]bool) Revision {
	rev := Revision{EndOffset: int64(sp.end), Kind: RevisionOther, ChangedObjects: []ChangedObject{}}
	if sp.section < 0 {
		rev.Index = len(f.sections) + 1
		rev.Detail = fmt.Sprintf("%d byte(s) after the end of the last signed revision, which no signature covers", sp.end-sp.start)
		return rev
	}
	rev.Index = sp.section + 1
	if sp.sig != nil {
		rev.Kind, rev.Signature = sp.sig.kind, sp.sig.field
	}
	d := &revisionDiff{
		f: f, old: f.view(sp.section - 1), cur: f.view(sp.section), perm: perm, sig: sp.sig,
		changes: map[int64]*change{}, newWidgets: map[int64]bool{}, signedNow: map[string]bool{}, dssOwned: dssOwned,
	}
	if p := f.strayBytes(sp); p != "" {
		d.problems = append(d.problems, p)
	}
	d.findChanges(refsBefore)
	if sp.sig != nil {
		if n, ok := sigObject(d.cur, sp.sig.gapStart); ok {
			d.sigObj = n
		} else {
			d.problems = append(d.problems, "the signature dictionary cannot be found")
		}
	}
	d.indexOld()
	d.trailerRule()
	d.catalogRule()
	d.fieldRules()
	d.pageRules()
	d.annotationRules()
	d.finish()

	switch {
	case sp.sig != nil:
	case d.sawDSS:
		rev.Kind = RevisionDSS
	}
	rev.Allowed = len(d.problems) == 0
	for _, num := range d.order {
		c := d.changes[num]
		co := ChangedObject{Object: num, Change: c.kind, What: c.what, Allowed: c.allowed, Reason: c.reason}
		rev.ChangedObjects = append(rev.ChangedObjects, co)
		if !c.allowed {
			rev.Allowed = false
		}
	}
	rev.Detail = strings.Join(d.problems, "; ")
	return rev
}

// strayBytes checks that the revision's bytes are only the objects its
// cross-reference section lists, at the offsets it gives, then the section,
// its trailer and %%EOF, with white space and comments between: anything
// else (an object no table lists, a listed object inside another) is data a
// lenient reader might use and this verifier would not judge.
func (f *pdfFile) strayBytes(sp revSpan) string {
	s := f.sections[sp.section]
	data := f.data
	at := map[int64]int64{} // offset -> object number, inside the revision
	for _, num := range s.order {
		e := s.entries[num]
		if e.free || e.off == 0 {
			continue
		}
		switch {
		case e.off >= int64(s.off):
			return fmt.Sprintf("object %d is listed at offset %d, not before the revision's cross-reference section", num, e.off)
		case e.off >= int64(sp.start):
			at[e.off] = num
		}
	}
	v := f.view(sp.section)
	visited := 0
	p := sp.start
	for {
		for p < len(data) && (isPDFSpace(data[p]) || data[p] == '%') {
			if data[p] == '%' {
				for p < len(data) && data[p] != '\r' && data[p] != '\n' {
					p++
				}
				continue
			}
			p++
		}
		if p >= s.off {
			break
		}
		if _, ok := at[int64(p)]; !ok {
			return fmt.Sprintf("bytes at offset %d belong to no object the cross-reference section lists", p)
		}
		def, err := f.parseAt(int64(p), v, 0)
		if err != nil {
			return clip(err.Error())
		}
		visited++
		p = def.end
	}
	if p != s.off {
		return fmt.Sprintf("an object overlaps the cross-reference section at offset %d", s.off)
	}
	if visited != len(at) {
		return "an object the cross-reference section lists lies inside another object"
	}
	if s.eof > sp.end || !allSpace(data[s.eof:sp.end]) {
		return "bytes after %%EOF"
	}
	return ""
}

// findChanges lists the objects the revision's section defines
// differently from the revision before.
func (d *revisionDiff) findChanges(refsBefore map[int64]bool) {
	s := d.f.sections[d.cur.upto]
	for _, num := range s.order {
		if num == 0 {
			continue
		}
		cur, inUse, err := d.cur.objectAt(num, 0)
		old, oldInUse, oldErr := d.old.objectAt(num, 0)
		c := &change{num: num, old: old, cur: cur}
		switch {
		case !inUse && !oldInUse:
			continue
		case !inUse:
			c.kind = ObjectDeleted
		case err != nil:
			c.kind = ObjectModified
			if !oldInUse {
				c.kind = ObjectAdded
			}
			c.judged, c.reason = true, "unreadable: "+clip(err.Error())
		case !oldInUse && !refsBefore[num]:
			c.kind = ObjectAdded
		case !oldInUse:
			// Referenced before it existed: defining it changes what
			// an earlier object means.
			c.kind = ObjectModified
		case oldErr == nil && sameObj(old, cur) && d.sameGeneration(num):
			continue
		default:
			c.kind = ObjectModified
		}
		d.changes[num] = c
		d.order = append(d.order, num)
	}
}

// sameGeneration reports whether object num keeps its generation: a new
// generation leaves the references to the old one pointing at nothing.
func (d *revisionDiff) sameGeneration(num int64) bool {
	o, _ := d.old.entry(num)
	c, _ := d.cur.entry(num)
	return o.gen == c.gen
}

// indexOld finds what the objects of the previous revision are: form
// fields, pages, annotations, the document security store.
func (d *revisionDiff) indexOld() {
	d.oldFields, d.fieldNames = map[int64]fieldInfo{}, map[string]bool{}
	fields, err := walkFields(d.old)
	if err != nil {
		d.problems = append(d.problems, "the form before this revision cannot be read: "+err.Error())
	}
	for _, fi := range fields {
		if fi.num != 0 {
			d.oldFields[fi.num] = fi
		}
		if !fi.widget {
			d.fieldNames[fi.name] = true
		}
	}
	pages, nodes := walkPages(d.old)
	d.pages, d.pageNodes, d.annots = map[int64]pageInfo{}, nodes, map[int64]int{}
	for _, p := range pages {
		d.pages[p.num] = p
		for _, a := range d.old.resolve(p.obj.key("Annots")).a {
			if a.kind == objRef {
				d.annots[a.n] = p.index
			}
		}
	}
}

// allow marks a changed object as an allowed change, unless a rule already
// refused it.
func (d *revisionDiff) allow(num int64, what string) {
	if c := d.changes[num]; c != nil && !c.judged {
		c.judged, c.allowed, c.what = true, true, what
	}
}

// deny marks a changed object as a change that is not allowed.
func (d *revisionDiff) deny(num int64, what, reason string) {
	if c := d.changes[num]; c != nil {
		if c.judged && !c.allowed {
			c.reason += "; " + reason
			return
		}
		c.judged, c.allowed, c.what, c.reason = true, false, what, reason
	}
}

// judge allows or denies num, with the reasons.
func (d *revisionDiff) judge(num int64, what string, reasons []string) {
	if len(reasons) == 0 {
		d.allow(num, what)
	} else {
		d.deny(num, what, strings.Join(reasons, "; "))
	}
}

// explain allows every object reachable from o that this revision added
// (and, when old says so, changed objects it already had): the new parts of
// an appearance, a signature dictionary, the document security store. It
// returns the objects it allowed.
func (d *revisionDiff) explain(o pdfObj, what string, old func(int64) bool) []int64 {
	seen := map[int64]bool{}
	var n []int64
	var walk func(o pdfObj, depth int)
	walk = func(o pdfObj, depth int) {
		if depth > maxNesting || len(seen) > maxObjValues {
			return
		}
		switch o.kind {
		case objRef:
			c := d.changes[o.n]
			if seen[o.n] || c == nil {
				return
			}
			seen[o.n] = true
			if c.kind != ObjectAdded && (old == nil || !old(o.n) || c.kind == ObjectDeleted) {
				return
			}
			d.allow(o.n, what)
			if c.allowed {
				n = append(n, o.n)
			}
			walk(c.cur, depth+1)
		case objArray:
			for _, e := range o.a {
				walk(e, depth+1)
			}
		case objDict, objStream:
			for _, e := range o.d {
				walk(e, depth+1)
			}
		}
	}
	walk(o, 0)
	return n
}

// trailerRule: the trailer may not name another information dictionary or
// add encryption.
func (d *revisionDiff) trailerRule() {
	ot, ct := d.old.trailer(), d.cur.trailer()
	if !sameObj(ot.key("Info"), ct.key("Info")) {
		d.problems = append(d.problems, "the trailer names another document information dictionary")
	}
	if ct.key("Encrypt").kind != objNull {
		d.problems = append(d.problems, "the trailer adds encryption")
	}
	if ct.key("Root").kind != objRef {
		d.problems = append(d.problems, "the trailer has no document catalog")
	}
}

// diffKeys lists the keys whose values differ between two dictionaries.
func diffKeys(a, b pdfObj) []string {
	var keys []string
	for k, v := range a.d {
		if !sameObj(v, b.d[k]) {
			keys = append(keys, k)
		}
	}
	for k := range b.d {
		if _, ok := a.d[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// changedRef returns the number of the object o refers to when this
// revision changes that object.
func (d *revisionDiff) changedRef(o pdfObj) (int64, bool) {
	if o.kind != objRef || d.changes[o.n] == nil {
		return 0, false
	}
	return o.n, true
}

// catalogRule: the catalog may change only its interactive form (see
// formRule), its document security store and the extensions declaring it,
// and its version.
func (d *revisionDiff) catalogRule() {
	oldRoot, curRoot := d.old.trailer().key("Root"), d.cur.trailer().key("Root")
	oldCat, curCat := d.old.resolve(oldRoot), d.cur.resolve(curRoot)
	if !curCat.isDict() {
		d.problems = append(d.problems, "the document catalog cannot be read")
		return
	}
	var bad []string
	for _, k := range diffKeys(oldCat, curCat) {
		switch k {
		case "AcroForm", "DSS", "Version":
		case "Extensions":
			if !d.extensionsRule(oldCat.key(k), curCat.key(k)) {
				bad = append(bad, "/Extensions changed beyond the PAdES (ESIC) and Adobe extensions")
			}
		case "Perms":
			if !d.perm.certifyNow || oldCat.key("Perms").kind != objNull {
				bad = append(bad, "/Perms (certification) changed")
			}
		default:
			bad = append(bad, "/"+k+" changed")
		}
	}
	if formBad := d.formRule(oldCat.key("AcroForm"), curCat.key("AcroForm")); len(formBad) > 0 {
		// A form held in the catalog itself: the catalog is what changed.
		bad = append(bad, formBad...)
	}
	if dss := curCat.key("DSS"); dss.kind != objNull {
		changed := !sameObj(oldCat.key("DSS"), dss)
		added := d.explain(dss, "document security store (validation data)", func(n int64) bool { return d.dssOwned[n] })
		if len(added) > 0 || changed {
			d.sawDSS = true
		}
		for _, n := range added {
			d.dssOwned[n] = true
		}
	} else if oldCat.key("DSS").kind != objNull {
		bad = append(bad, "the document security store was removed")
	}
	if n, ok := d.changedRef(curRoot); ok {
		d.judge(n, "document catalog", bad)
	} else if len(bad) > 0 {
		d.problems = append(d.problems, "document catalog: "+strings.Join(bad, "; "))
	}
}

// extensionsRule allows /Extensions to gain or change only /ESIC and /ADBE.
func (d *revisionDiff) extensionsRule(oldV, curV pdfObj) bool {
	o, c := d.old.resolve(oldV), d.cur.resolve(curV)
	if c.kind != objDict || (o.kind != objDict && o.kind != objNull) {
		return false
	}
	for _, k := range diffKeys(o, c) {
		if k != "ESIC" && k != "ADBE" {
			return false
		}
	}
	if n, ok := d.changedRef(curV); ok {
		d.allow(n, "extensions of the document catalog")
	}
	return true
}

// formRule: the interactive form may gain fields (new signature fields,
// see newFieldRule) and change /SigFlags. It judges the form's object when
// the form is one, and otherwise returns what is wrong for the catalog
// that holds the form to answer for.
func (d *revisionDiff) formRule(oldV, curV pdfObj) []string {
	oldForm, curForm := d.old.resolve(oldV), d.cur.resolve(curV)
	formNum, formChanged := d.changedRef(curV)
	if curV.kind == objNull {
		if oldV.kind != objNull {
			return []string{"the interactive form was removed"}
		}
		return nil
	}
	var bad []string
	for _, k := range diffKeys(oldForm, curForm) {
		switch k {
		case "Fields", "SigFlags":
		default:
			bad = append(bad, "/"+k+" of the interactive form changed")
		}
	}
	oldList := d.old.resolve(oldForm.key("Fields"))
	curList := d.cur.resolve(curForm.key("Fields"))
	for _, e := range oldList.a {
		if !slices.ContainsFunc(curList.a, func(x pdfObj) bool { return sameObj(x, e) }) {
			bad = append(bad, "a form field was removed")
			break
		}
	}
	for _, e := range curList.a {
		if slices.ContainsFunc(oldList.a, func(x pdfObj) bool { return sameObj(x, e) }) {
			continue
		}
		if r := d.newFieldRule(e); r != "" {
			bad = append(bad, r)
		}
	}
	if n, ok := d.changedRef(curForm.key("Fields")); ok {
		d.judge(n, "fields of the interactive form", bad)
	}
	if formChanged {
		d.judge(formNum, "interactive form", bad)
		return nil
	}
	return bad
}

// isThisSignature reports whether v, the /V of the field object num, is
// the signature dictionary of this revision.
func (d *revisionDiff) isThisSignature(num int64, v pdfObj) bool {
	if d.sigObj == 0 {
		return false
	}
	return v.kind == objRef && v.n == d.sigObj || v.kind == objDict && num == d.sigObj
}

// newFieldRule judges a field added to the form: only an invisible
// signature field holding this revision's signature is allowed, a document
// timestamp's always, a signature's when the permissions allow signing. A
// visible new field could be drawn over the page by whoever holds any
// trusted certificate; the fields placed before signing are where later
// signers sign visibly. It returns why not, or "".
func (d *revisionDiff) newFieldRule(e pdfObj) string {
	if e.kind != objRef {
		return "a form field that is not an indirect object was added"
	}
	c := d.changes[e.n]
	if c == nil || c.kind != ObjectAdded {
		return fmt.Sprintf("object %d, not a new object, was added to the form's fields", e.n)
	}
	obj := c.cur
	name := textOfString(d.cur.resolve(obj.key("T")).s)
	what := fmt.Sprintf("new signature field %q", name)
	var reason string
	isDTS := d.sig != nil && d.sig.kind == RevisionDocumentTimestamp
	switch {
	case d.cur.resolve(obj.key("FT")).name() != "Sig":
		reason = "a new form field that is not a signature field"
	case d.fieldNames[name]:
		reason = fmt.Sprintf("a new field named %q like an existing one", name)
	case !d.isThisSignature(e.n, obj.key("V")):
		reason = fmt.Sprintf("new signature field %q does not hold this revision's signature", name)
	case obj.key("Kids").kind != objNull || obj.key("Parent").kind != objNull:
		reason = fmt.Sprintf("new signature field %q has /Kids or /Parent", name)
	case obj.key("AA").kind != objNull || obj.key("A").kind != objNull:
		reason = fmt.Sprintf("new signature field %q carries actions", name)
	case visible(d.cur, obj):
		reason = fmt.Sprintf("new signature field %q is visible: only invisible signature fields may be added after signing", name)
	case isDTS:
	case d.perm.lockAll():
		reason = "a new signature field after a signature that locks the document"
	case d.perm.level < 2:
		reason = "a new signature after a certification that allows no changes"
	}
	if reason != "" {
		d.deny(e.n, what, reason)
		return reason
	}
	d.allow(e.n, what)
	d.newWidgets[e.n] = true
	d.fieldNames[name] = true
	d.explain(obj.key("AP"), fmt.Sprintf("appearance of signature field %q", name), nil)
	d.signatureDictRule(name)
	return ""
}

// signatureDictRule allows the revision's signature dictionary.
func (d *revisionDiff) signatureDictRule(field string) {
	c := d.changes[d.sigObj]
	if c == nil {
		return
	}
	what := fmt.Sprintf("signature dictionary of %q", field)
	if c.kind != ObjectAdded && !d.oldIsField(d.sigObj) {
		d.deny(d.sigObj, what, "the signature dictionary replaces an object the document already had")
		return
	}
	d.allow(d.sigObj, what)
	d.explain(pdfObj{kind: objDict, d: c.cur.d}, what, nil)
}

func (d *revisionDiff) oldIsField(num int64) bool {
	_, ok := d.oldFields[num]
	return ok
}

// visible reports whether a widget can be seen: a rectangle of some area,
// and neither the Hidden nor the NoView flag.
func visible(v view, w pdfObj) bool {
	if f := v.resolve(w.key("F")); f.kind == objInt && f.n&(2|32) != 0 {
		return false
	}
	r := v.resolve(w.key("Rect"))
	if len(r.a) != 4 {
		return false
	}
	var n [4]float64
	for i, e := range r.a {
		x, ok := v.resolve(e).number()
		if !ok {
			return false
		}
		n[i] = x
	}
	return n[0] != n[2] && n[1] != n[3]
}

// fieldRules judges changes to the form's existing fields and widgets:
// signing an empty signature field, and filling in an empty field, when the
// permissions allow and no lock covers the field. A value a field already
// has may not change: a signer saw it (or could have), and changing it is
// the shadow attack's "replace" (Mainka et al., 2021).
func (d *revisionDiff) fieldRules() {
	isDTS := d.sig != nil && d.sig.kind == RevisionDocumentTimestamp
	filledNow := map[string]bool{}
	// Fields first, then widgets, which depend on their field.
	for _, widgets := range []bool{false, true} {
		for _, num := range d.order {
			fi, ok := d.oldFields[num]
			c := d.changes[num]
			if !ok || fi.widget != widgets || c.judged {
				continue
			}
			what := fmt.Sprintf("form field %q", fi.name)
			if fi.widget {
				what = fmt.Sprintf("widget of form field %q", fi.name)
			}
			if c.kind == ObjectDeleted {
				d.deny(num, what, "deleted")
				continue
			}
			locked := d.perm.lockAll() || d.perm.locked(fi.name)
			keys := diffKeys(c.old, c.cur)
			setsV := !fi.widget && slices.Contains(keys, "V") && emptyValue(d.old, c.old.key("V")) && c.cur.key("V").kind != objNull
			signs := fi.ft == "Sig" && setsV && d.isThisSignature(num, c.cur.key("V"))
			fills := fi.ft != "Sig" && setsV
			var bad []string
			for _, k := range keys {
				switch {
				case k == "V" && signs:
					switch {
					case locked:
						bad = append(bad, "signed although a lock covers it")
					case !isDTS && d.perm.level < 2:
						bad = append(bad, "signed after a certification that allows no changes")
					}
				case k == "V" && fills:
					switch {
					case locked:
						bad = append(bad, "filled in although a lock covers it")
					case d.perm.level < 2:
						bad = append(bad, "filled in after a certification that allows no changes")
					}
				case (k == "AP" || k == "AS") && (signs || fills):
				case (k == "AP" || k == "AS") && fi.widget && (d.signedNow[fi.name] || filledNow[fi.name]):
				case k == "V":
					bad = append(bad, "its value changed (only an empty field may be filled in or signed)")
				default:
					bad = append(bad, "/"+k+" changed")
				}
			}
			d.judge(num, what, bad)
			if len(bad) == 0 {
				switch {
				case signs:
					d.signedNow[fi.name] = true
					d.signatureDictRule(fi.name)
				case fills:
					filledNow[fi.name] = true
				}
				d.explain(c.cur.key("AP"), "appearance of "+what, nil)
				d.explain(c.cur.key("V"), "value of "+what, nil)
			}
		}
	}
}

// emptyValue reports whether a field value is absent or empty.
func emptyValue(v view, o pdfObj) bool {
	o = v.resolve(o)
	switch o.kind {
	case objNull:
		return true
	case objString, objName:
		return o.s == "" || o.kind == objName && o.s == "Off"
	case objArray:
		return len(o.a) == 0
	}
	return false
}

// pageRules: a page may change only its /Annots: gaining the widgets of new
// signature fields and, at DocMDP level 3, gaining, losing or keeping
// other annotations.
func (d *revisionDiff) pageRules() {
	for _, num := range d.order {
		c := d.changes[num]
		p, ok := d.pages[num]
		if !ok || c.judged {
			continue
		}
		what := fmt.Sprintf("page %d", p.index)
		if c.kind == ObjectDeleted || !c.cur.isDict() {
			d.deny(num, what, "deleted or replaced")
			continue
		}
		var bad []string
		for _, k := range diffKeys(c.old, c.cur) {
			if k != "Annots" {
				bad = append(bad, "/"+k+" changed")
			}
		}
		bad = append(bad, d.annotsRule(p, c.old.key("Annots"), c.cur.key("Annots"))...)
		d.judge(num, what, bad)
	}
	// An indirect /Annots array that changed while its page did not.
	for num, p := range d.pages {
		if c := d.changes[num]; c != nil {
			continue
		}
		ref := p.obj.key("Annots")
		if n, ok := d.changedRef(ref); ok && !d.changes[n].judged {
			d.annotsRule(p, ref, ref)
		}
	}
}

// annotsRule judges the change of a page's /Annots from oldV to curV.
func (d *revisionDiff) annotsRule(p pageInfo, oldV, curV pdfObj) []string {
	oldA, curA := d.old.resolve(oldV).a, d.cur.resolve(curV).a
	var bad []string
	for _, e := range oldA {
		if slices.ContainsFunc(curA, func(x pdfObj) bool { return sameObj(x, e) }) {
			continue
		}
		if d.perm.level < 3 || !harmlessAnnotation(d.old, e) {
			bad = append(bad, fmt.Sprintf("an annotation was removed from page %d", p.index))
			break
		}
	}
	for _, e := range curA {
		if slices.ContainsFunc(oldA, func(x pdfObj) bool { return sameObj(x, e) }) {
			continue
		}
		if e.kind == objRef && d.newWidgets[e.n] {
			continue
		}
		c := d.changes[e.n]
		if e.kind == objRef && c != nil && c.kind == ObjectAdded && d.perm.level >= 3 && harmlessAnnotation(d.cur, e) {
			what := fmt.Sprintf("new annotation on page %d", p.index)
			d.allow(e.n, what)
			d.explain(c.cur, what, nil)
			continue
		}
		if d.perm.level >= 3 {
			bad = append(bad, fmt.Sprintf("an annotation that can draw over page %d was added", p.index))
		} else {
			bad = append(bad, fmt.Sprintf("an annotation was added to page %d", p.index))
		}
	}
	if n, ok := d.changedRef(curV); ok {
		d.judge(n, fmt.Sprintf("annotations of page %d", p.index), bad)
	}
	return bad
}

// harmlessAnnotation reports whether an annotation is one DocMDP P=3 lets
// later revisions add, change or remove: a comment (Text, with its Popup)
// or text markup (Highlight, Underline, Squiggly, StrikeOut), without an
// appearance stream of its own, which viewers draw themselves. Anything
// else can paint arbitrary content over the page (FreeText, Stamp, any
// annotation with /AP): the evil annotation attack (Mainka et al., 2021).
func harmlessAnnotation(v view, e pdfObj) bool {
	a := v.resolve(e)
	switch v.resolve(a.key("Subtype")).name() {
	case "Text", "Popup", "Highlight", "Underline", "Squiggly", "StrikeOut":
		return a.key("AP").kind == objNull
	}
	return false
}

// annotationRules: at DocMDP level 3, existing comments and text markup
// (see harmlessAnnotation) may change, and stay harmless.
func (d *revisionDiff) annotationRules() {
	for _, num := range d.order {
		c := d.changes[num]
		page, ok := d.annots[num]
		if !ok || c.judged {
			continue
		}
		what := fmt.Sprintf("annotation on page %d", page)
		r := pdfObj{kind: objRef, n: num}
		switch {
		case c.kind == ObjectDeleted:
			d.deny(num, what, "deleted")
		case d.perm.level >= 3 && harmlessAnnotation(d.old, r) && harmlessAnnotation(d.cur, r):
			d.allow(num, what)
			d.explain(c.cur, what, nil)
		default:
			d.deny(num, what, "changed, which the document's permissions forbid")
		}
	}
}

// finish judges what no rule explained: a new object nothing refers to is
// harmless; anything else is a change no signature, validation data or
// document timestamp makes.
func (d *revisionDiff) finish() {
	used := map[int64]bool{}
	addRefs(d.cur.trailer(), used, 0)
	for _, num := range d.order {
		addRefs(d.changes[num].cur, used, 0)
	}
	for _, num := range d.order {
		c := d.changes[num]
		if c.judged {
			if c.what == "" {
				c.what = d.role(num)
			}
			continue
		}
		switch {
		case c.kind == ObjectAdded && !used[num]:
			d.allow(num, "new object that nothing refers to")
		case c.kind == ObjectAdded:
			d.deny(num, "new object", "not part of a signature, validation data or a document timestamp")
		case c.kind == ObjectDeleted:
			d.deny(num, d.role(num), "deleted")
		default:
			d.deny(num, d.role(num), "changed after signing")
		}
	}
}

// role says what object num was in the previous revision, for the report.
func (d *revisionDiff) role(num int64) string {
	cat := d.old.resolve(d.old.trailer().key("Root"))
	if r := d.old.trailer().key("Root"); r.kind == objRef && r.n == num {
		return "document catalog"
	}
	if r := d.old.trailer().key("Info"); r.kind == objRef && r.n == num {
		return "document information dictionary"
	}
	if r := cat.key("AcroForm"); r.kind == objRef && r.n == num {
		return "interactive form"
	}
	if d.dssOwned[num] {
		return "document security store"
	}
	if d.pageNodes[num] {
		return "page tree"
	}
	for _, p := range d.pages {
		for _, k := range []string{"Contents", "Resources", "Annots"} {
			o := p.obj.key(k)
			if o.kind == objRef && o.n == num || o.kind == objArray && slices.ContainsFunc(o.a, func(x pdfObj) bool { return x.kind == objRef && x.n == num }) {
				return fmt.Sprintf("%s of page %d", strings.ToLower(k), p.index)
			}
		}
	}
	if page, ok := d.annots[num]; ok {
		return fmt.Sprintf("annotation on page %d", page)
	}
	for _, fi := range d.oldFields {
		if fi.sigRef == num {
			return fmt.Sprintf("signature dictionary of %q", fi.name)
		}
	}
	for k, v := range cat.d {
		if v.kind == objRef && v.n == num {
			return "/" + k + " of the document catalog"
		}
	}
	return "object " + fmt.Sprint(num)
}

// describeRevisions summarises the revisions for the modifications check.
func describeRevisions(revs []Revision) (string, bool) {
	if len(revs) <= 1 {
		return "nothing was added after the first signature", true
	}
	var bad []string
	counts := map[string]int{}
	for _, r := range revs[1:] {
		counts[r.Kind]++
		if r.Allowed {
			continue
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "revision %d (%s):", r.Index, r.Kind)
		n := 0
		for _, c := range r.ChangedObjects {
			if c.Allowed {
				continue
			}
			if n == 3 {
				b.WriteString(" …")
				break
			}
			fmt.Fprintf(&b, " object %d (%s) %s: %s;", c.Object, c.What, c.Change, c.Reason)
			n++
		}
		if r.Detail != "" {
			b.WriteString(" " + r.Detail)
		}
		bad = append(bad, strings.TrimSuffix(b.String(), ";"))
	}
	if len(bad) > 0 {
		return strings.Join(bad, "; "), false
	}
	var parts []string
	for _, k := range []string{RevisionSignature, RevisionDocumentTimestamp, RevisionDSS} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], strings.ReplaceAll(k, "_", " ")))
		}
	}
	return fmt.Sprintf("%d revision(s) after the first signature (%s), each within what the signatures allow", len(revs)-1, strings.Join(parts, ", ")), true
}
