package verify

// The corpus: every attack, each built from a genuine kyso-signed document,
// with kyso's expected verdict. testdata/attacks/README.md is written from
// this list.

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/internal/cms"
	"github.com/kyso-vn/kyso/signer"
)

// atkCases builds the corpus. The order is the README's.
func atkCases(t *testing.T, c *atkCorpus) []atkCase {
	t.Helper()
	var out []atkCase
	add := func(name, class, what string, ind Indication, sub SubIndication, data []byte) {
		out = append(out, atkCase{name: name, class: class, what: what, ind: ind, sub: sub, data: data})
	}
	pass := func(name, what string, data []byte) { add(name, atkGenuine, what, TotalPassed, "", data) }
	// A change after a signature that no permission allows is proven
	// tampering: TOTAL_FAILED/HASH_FAILURE, as bytes appended after the
	// last signature already are.
	changed := func(name, class, what string, data []byte) { add(name, class, what, TotalFailed, HashFailure, data) }
	format := func(name, class, what string, data []byte) { add(name, class, what, TotalFailed, FormatFailure, data) }

	// ---- Controls: genuine documents at every stage ----
	single := c.single
	pass("genuine-single", "one page, one pre-placed field, the principal's approval signature (PAdES B-B)", single)
	bt := c.signWith(t, c.singleUnsigned, c.solo, signer.Options{Timestamper: c.ts})
	pass("genuine-single-bt", "the same signed with an RFC 3161 signature timestamp (PAdES B-T)", bt)
	insider := *c.insider
	countersigned := c.signWith(t, single, &insider, signer.Options{})
	pass("genuine-single-countersigned", "genuine-single countersigned by another teacher in a new invisible field", countersigned)
	for i := 1; i <= 5; i++ {
		what := fmt.Sprintf("the five-signer học bạ after signer %d (%s)", i, c.hocba[i-1].field)
		switch i {
		case 1:
			what += ", a certification with DocMDP P=2"
		case 5:
			what += ", the seal, which locks the document"
		}
		pass(fmt.Sprintf("genuine-hocba-%d", i), what, c.stages[i])
	}
	lt, lta := c.withLTV(t)
	pass("genuine-hocba-5-lt", "genuine-hocba-5 with a DSS (certificates, CRL, OCSP responses; PAdES B-LT) added by signer.AddValidationData", lt)
	pass("genuine-hocba-5-lta", "genuine-hocba-5-lt with a document timestamp (PAdES B-LTA) added by signer.AddDocumentTimestamp", lta)
	pass("genuine-hocba-1-hand-countersigned", "genuine-hocba-1 countersigned by another teacher in a new invisible field, the signing revision written by the test's own writer (the control for ssa-p2-signed-field and eaa-p2-freetext-in-signing-revision)", c.handRevision(t, c.stages[1], "xac_nhan", false, true, c.insider))
	pass("genuine-p3", "a transcript certified with DocMDP P=3 (annotations allowed), one field left to sign", c.p3)
	pass("genuine-shadow-prepared-1", "the shadow-prepared transcript (hidden objects, see shadow-*) certified (P=2) by its first signer: what the signer saw", c.shadow)
	shadow2 := c.sign(t, c.shadow, c.shadowSigners[1], signer.NotCertified)
	pass("genuine-shadow-prepared-2", "the same after its second signer", shadow2)

	// ---- Universal signature forgery: the signature dictionary emptied ----
	sig := atkFindSig(t, single, -1)
	keyAt := func(key string) int {
		i := bytes.Index(single[sig.dictStart:sig.dictEnd], []byte(key))
		if i < 0 {
			t.Fatalf("no %s in the signature dictionary", key)
		}
		return sig.dictStart + i
	}
	contentsKey, brKey := keyAt("/Contents"), keyAt("/ByteRange")
	usf := []struct {
		name, what string
		from, to   int
		repl       string
	}{
		{"usf-contents-missing", "the /Contents entry blanked out", contentsKey, sig.hexEnd, ""},
		{"usf-contents-empty", "/Contents <>", contentsKey, sig.hexEnd, "/Contents <>"},
		{"usf-contents-null", "/Contents null", contentsKey, sig.hexEnd, "/Contents null"},
		{"usf-contents-zeros", "/Contents all zeros, as a placeholder", sig.hexStart, sig.hexEnd, "<" + strings.Repeat("0", sig.hexEnd-sig.hexStart-2) + ">"},
		{"usf-byterange-missing", "the /ByteRange entry blanked out", brKey, sig.brEnd, ""},
		{"usf-byterange-empty", "/ByteRange []", brKey, sig.brEnd, "/ByteRange []"},
		{"usf-byterange-null", "/ByteRange null", brKey, sig.brEnd, "/ByteRange null"},
		{"usf-byterange-placeholder-zeros", "/ByteRange left as the signer's placeholder [0 0000000000 0000000000 0000000000]", sig.brStart, sig.brEnd, "[0 0000000000 0000000000 0000000000]"},
		{"usf-byterange-placeholder-stars", "/ByteRange left as pdfsign's placeholder [0 ********** ********** **********]", sig.brStart, sig.brEnd, "[0 ********** ********** **********]"},
	}
	for _, u := range usf {
		format(u.name, atkUSF, u.what+" in the signature dictionary of genuine-single", atkSpliceSame(t, single, u.from, u.to, u.repl))
	}
	both := atkSpliceSame(t, single, contentsKey, sig.hexEnd, "")
	both = atkSpliceSame(t, both, brKey, sig.brEnd, "")
	format("usf-both-missing", atkUSF, "/Contents and /ByteRange both blanked out in genuine-single", both)

	// ---- Incremental saving attacks ----
	changed("isa-content-replaced", atkISA, "an update gives page 1 a new content stream with a forged grade", c.replaceContent(t, single))
	changed("isa-page-added", atkISA, "an update adds a page with forged grades", c.addPage(t, single))
	changed("isa-overlay", atkISA, "an update adds a second content stream painting a forged grade over the real one", c.overlay(t, single))
	changed("isa-new-catalog", atkISA, "an update adds a new catalog (new object number) with a forged page tree; the trailer points to it", c.newCatalog(t, single))
	// Not ending with startxref and %%EOF, the file is malformed before
	// anything else is judged.
	format("isa-no-xref", atkISA, "a new definition of page 1's content stream appended with no cross-reference section or trailer", c.noXref(t, single))
	gvcn := c.hocba[2]
	changed("isa-hocba-content-replaced-then-signed", atkISA, "genuine-hocba-2, a forged content stream in an update, then the next signer (gvcn) signs", c.sign(t, c.replaceContent(t, c.stages[2]), gvcn, signer.NotCertified))
	changed("isa-hocba-page-added-then-signed", atkISA, "genuine-hocba-2, a page added in an update, then gvcn signs", c.sign(t, c.addPage(t, c.stages[2]), gvcn, signer.NotCertified))
	changed("isa-hocba-overlay-then-signed", atkISA, "genuine-hocba-2, an overlay content stream in an update, then gvcn signs", c.sign(t, c.overlay(t, c.stages[2]), gvcn, signer.NotCertified))
	changed("isa-hocba-new-catalog-then-signed", atkISA, "genuine-hocba-2, a new catalog in an update, then gvcn signs", c.sign(t, c.newCatalog(t, c.stages[2]), gvcn, signer.NotCertified))
	changed("isa-hocba-after-lock", atkISA, "genuine-hocba-5 (locked by the seal) with an overlay content stream in an update", c.overlay(t, c.stages[5]))

	// ---- Signature wrapping ----
	format("swa-gap-objects", atkSWA, "genuine-single-bt with a hidden object (a forged content stream inside a string entry) written into the unsigned /Contents gap after the CMS, in place of its zero padding", c.gapObjects(t, bt))
	format("swa-moved-tail", atkSWA, "the signed tail moved towards the end; the gap holds a forged page content, a new signature dictionary with a /ByteRange over the moved tail, and a cross-reference table at the offset the signed startxref names", c.movedTail(t, single))

	// ---- Shadow attacks, prepared before signing ----
	for _, v := range []struct{ variant, what string }{
		{"hide", "hide: the opaque cover XObject over the forged maths grade is emptied"},
		{"replace-xobject", "replace: the XObject drawing the literature grade gets a new definition"},
		{"replace-font", "replace: the font drawing the English grade gets an /Encoding that draws '5' as '9'"},
		{"replace-form-field", "replace: the filled text field gets another value and appearance"},
		{"hide-and-replace", "hide-and-replace: the page's /Contents starts using a signed but unused forged content stream"},
		{"hide-ocg", "hide-and-replace: the optional-content configuration switches the real conduct grade off and the forged one on"},
	} {
		attacked := c.shadowAttack(t, c.shadow, v.variant)
		changed("shadow-"+v.variant, atkShadow, v.what+" in an update after the certification of genuine-shadow-prepared-1", attacked)
		changed("shadow-"+v.variant+"-then-signed", atkShadow, "shadow-"+v.variant+", then the second signer signs", c.sign(t, attacked, c.shadowSigners[1], signer.NotCertified))
	}

	// ---- Evil annotation attacks on certified documents ----
	ngvan := c.hocba[1]
	eaaP2 := c.annotate(t, c.stages[1], "FreeText")
	changed("eaa-p2-freetext", atkEAA, "genuine-hocba-1 (certified, P=2: no annotations) with a FreeText annotation showing a forged grade over the real one", eaaP2)
	changed("eaa-p2-freetext-then-signed", atkEAA, "eaa-p2-freetext, then the next signer (gvbm-ngu_van) signs", c.sign(t, eaaP2, ngvan, signer.NotCertified))
	eaaP3 := c.annotate(t, c.p3, "FreeText")
	changed("eaa-p3-freetext", atkEAA, "genuine-p3 (P=3: annotations allowed) with a FreeText annotation showing a forged grade over the real one", eaaP3)
	changed("eaa-p3-freetext-then-signed", atkEAA, "eaa-p3-freetext, then the second signer signs", c.sign(t, eaaP3, c.shadowSigners[1], signer.NotCertified))
	changed("eaa-p3-stamp", atkEAA, "genuine-p3 with a Stamp annotation showing a forged grade over the real one", c.annotate(t, c.p3, "Stamp"))

	// ---- Sneaky signature attacks on certified documents ----
	sneaky := c.sneakyField(t, c.stages[1], "xac_nhan")
	changed("ssa-p2-unsigned-field", atkSSA, "genuine-hocba-1 (P=2) with a new signature field whose widget appearance paints a forged grade over the real one", sneaky)
	changed("ssa-p2-field-then-signed", atkSSA, "ssa-p2-unsigned-field, then signed by a teacher with a trusted certificate in the next revision, keeping the forged appearance", c.signNoAppearance(t, sneaky, "xac_nhan", c.insider))
	changed("ssa-p2-signed-field", atkSSA, "genuine-hocba-1 with one signing revision by a teacher with a trusted certificate: a new visible signature field whose appearance paints a forged grade over the real one", c.handRevision(t, c.stages[1], "xac_nhan", false, false, c.insider))
	changed("ssa-p3-signed-field", atkSSA, "genuine-p3 (P=3) with one signing revision by a teacher with a trusted certificate: a new visible signature field whose appearance paints a forged grade over the real one", c.handRevision(t, c.p3, "xac_nhan", false, false, c.insider))
	changed("eaa-p2-freetext-in-signing-revision", atkEAA, "genuine-hocba-1 with one signing revision by a teacher with a trusted certificate: a new invisible signature field and, in the same revision, a FreeText annotation with a forged grade", c.handRevision(t, c.stages[1], "xac_nhan", true, false, c.insider))

	// ---- ByteRange manipulation, re-signed over the manipulated ranges ----
	a, b, l := sig.byteRange[1], sig.byteRange[2], sig.byteRange[3]
	for _, m := range []struct {
		name, what string
		text       string
		ranges     [][2]int // nil: the CMS is left as it is
	}{
		{"br-gap", "a gap of 16 unsigned bytes after the /Contents string", fmt.Sprintf("[0 %d %d %d]", a, b+16, l-16), [][2]int{{0, a}, {b + 16, l - 16}}},
		{"br-overlap", "the second range starts 32 bytes before the first ends", fmt.Sprintf("[0 %d %d %d]", a, a-32, l+b-a+32), [][2]int{{0, a}, {a - 32, l + b - a + 32}}},
		{"br-not-at-zero", "the first range starts at byte 16: the header is unsigned", fmt.Sprintf("[16 %d %d %d]", a-16, b, l), [][2]int{{16, a - 16}, {b, l}}},
		{"br-beyond-eof", "the second range runs 4096 bytes past the end of the file", fmt.Sprintf("[0 %d %d %d]", a, b, l+4096), [][2]int{{0, a}, {b, l + 4096}}},
		{"br-extra-entries", "six entries: the second range split in two", fmt.Sprintf("[0 %d %d %d %d %d]", a, b, l-100, b+l-100, 100), [][2]int{{0, a}, {b, l - 100}, {b + l - 100, 100}}},
		{"br-negative", "a negative length", fmt.Sprintf("[0 %d %d -%d]", a, b, l), nil},
	} {
		// The new array keeps the old one's place: padded inside, before "]".
		pad := sig.brEnd - sig.brStart - len(m.text)
		if pad < 0 {
			t.Fatalf("%s: %q does not fit", m.name, m.text)
		}
		data := atkSpliceSame(t, single, sig.brStart, sig.brEnd, m.text[:len(m.text)-1]+strings.Repeat(" ", pad)+"]")
		if m.ranges != nil {
			data = atkSignRanges(t, data, sig, m.ranges, c.principal)
		}
		format(m.name, atkByteRange, m.what+" in genuine-single's /ByteRange; the CMS signs exactly the declared ranges", data)
	}

	// ---- CMS swaps ----
	bsig := atkFindSig(t, bt, -1)
	bder := atkCMSOf(t, bt, bsig)
	ba, bb, bl := bsig.byteRange[1], bsig.byteRange[2], bsig.byteRange[3]
	otherSig := atkFindSig(t, c.other, -1)
	add("cms-other-document", atkCMS, "the CMS of another pupil's transcript (same signer) put into genuine-single-bt", TotalFailed, HashFailure, atkPutCMS(t, bt, bsig, atkCMSOf(t, c.other, otherSig)))
	add("cms-certs-stripped", atkCMS, "the certificates removed from genuine-single-bt's CMS (its timestamp kept)", Indeterminate, NoSigningCertificateFound, atkPutCMS(t, bt, bsig, atkRewriteCMS(t, bder, nil, nil)))
	add("cms-cert-swapped", atkCMS, "genuine-single-bt with the CMS certificates replaced by another teacher's chain (same CA); the signer identifier kept", Indeterminate, NoSigningCertificateFound, atkPutCMS(t, bt, bsig, atkRewriteCMS(t, bder, c.insider.chain, nil)))
	add("cms-cert-and-sid-swapped", atkCMS, "genuine-single-bt with the certificates replaced by another teacher's chain and the signer identifier pointed at that teacher", TotalFailed, SigCryptoFailure, atkPutCMS(t, bt, bsig, atkRewriteCMS(t, bder, c.insider.chain, c.insider.chain[0])))
	add("cms-lookalike-ca", atkCMS, "genuine-single-bt re-signed over the same ranges by the principal's name under a look-alike CA (same names, other keys)", Indeterminate, NoCertificateChainFound, atkSignRanges(t, bt, bsig, [][2]int{{0, ba}, {bb, bl}}, c.fake))
	fakeDer := atkCMSOf(t, atkSignRanges(t, bt, bsig, [][2]int{{0, ba}, {bb, bl}}, c.fake), bsig)
	add("cms-lookalike-ca-real-root", atkCMS, "cms-lookalike-ca with the look-alike root in the CMS certificates replaced by the real root", Indeterminate, NoCertificateChainFound, atkPutCMS(t, bt, bsig, atkRewriteCMS(t, fakeDer, []*x509.Certificate{c.fake.chain[0], c.fake.chain[1], c.ca.Root}, nil)))

	// ---- Forged signatures appended after a genuine one ----
	csig := atkFindSig(t, countersigned, -1)
	cder := atkCMSOf(t, countersigned, csig)
	value, err := cms.SignatureValue(cder)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(cder)
	bad[bytes.Index(bad, value)+len(value)/2] ^= 0x01
	add("forged-appended-bad-value", atkForged, "genuine-single-countersigned with one bit of the countersignature's value flipped", TotalFailed, SigCryptoFailure, atkPutCMS(t, countersigned, csig, bad))
	add("forged-appended-copied-cms", atkForged, "genuine-single-countersigned with the countersignature's CMS replaced by the principal's", TotalFailed, HashFailure, atkPutCMS(t, countersigned, csig, atkCMSOf(t, single, sig)))
	fake := *c.fake
	add("forged-appended-lookalike", atkForged, "genuine-single countersigned by the principal's name under a look-alike CA", Indeterminate, NoCertificateChainFound, c.signWith(t, single, &fake, signer.Options{}))
	changed("forged-appended-lookalike-content-changed", atkForged, "genuine-single with a forged content stream in an update, then signed under the look-alike CA", c.signWith(t, c.replaceContent(t, single), &fake, signer.Options{}))
	changed("forged-appended-trusted-content-changed", atkForged, "genuine-single with a forged content stream in an update, then signed by another teacher with a trusted certificate", c.signWith(t, c.replaceContent(t, single), &insider, signer.Options{}))

	// ---- Signatures stripped ----
	format("strip-to-unsigned", atkStripped, "genuine-single cut back to the revision before its signature: no signature left", c.singleUnsigned)
	format("strip-value-single", atkStripped, "an update removes /V from genuine-single's signed field", c.stripValue(t, single, c.principal.field))
	format("strip-value-hocba", atkStripped, "an update removes /V from the gvcn field of genuine-hocba-5", c.stripValue(t, c.stages[5], "gvcn"))
	format("strip-field-hocba", atkStripped, "an update removes the seal's field from the form and from its page", c.stripField(t, c.stages[5], "con_dau"))

	// ---- Signatures that cannot be parsed ----
	format("unparsable-last-cms", atkUnparsable, "genuine-single-countersigned with the countersignature's CMS replaced by a DER SEQUENCE that is no SignedData", atkPutCMS(t, countersigned, csig, []byte{0x30, 0x03, 0x02, 0x01, 0x01}))
	subAt := bytes.Index(countersigned[csig.dictStart:csig.dictEnd], []byte("/ETSI.CAdES.detached"))
	if subAt < 0 {
		t.Fatal("no /ETSI.CAdES.detached in the countersignature")
	}
	subAt += csig.dictStart
	format("unparsable-last-subfilter", atkUnparsable, "the countersignature's /SubFilter changed to /adbe.pkcs7.sha1", atkSpliceSame(t, countersigned, subAt, subAt+len("/ETSI.CAdES.detached"), "/adbe.pkcs7.sha1"))
	format("unparsable-value-not-dict", atkUnparsable, "an update makes the countersignature field's /V a string instead of a signature dictionary", c.setValue(t, countersigned, "Signature2", "(khong phai chu ky)"))

	// ---- Signatures found through the form and by scanning ----
	esc := atkSpliceSame(t, single, brKey, sig.brEnd, "/Byte#52ange "+string(bytes.TrimRight(single[sig.brStart:sig.brEnd-1], " "))+"]")
	esc = atkSignRanges(t, esc, atkSigDict{hexStart: sig.hexStart, hexEnd: sig.hexEnd}, [][2]int{{0, a}, {b, l}}, c.principal)
	format("discovery-escaped-name", atkDiscovery, "/ByteRange spelt /Byte#52ange (the same name to a PDF parser, invisible to a byte scan); re-signed", esc)
	format("discovery-orphan-signature", atkDiscovery, "an update adds a copy of the signature dictionary that no field refers to", c.orphanSig(t, single, sig))
	format("discovery-shared-value", atkDiscovery, "an update adds a second signature field whose /V is the principal's signature dictionary", c.sharedValue(t, single))

	// ---- Impostor: someone else's field ----
	add("impostor-fills-field", atkImpostor, "genuine-hocba-2: a teacher of the school with a trusted certificate, named in no field, fills the homeroom teacher's pre-placed field (its seed value names her) with a hand-written signing revision", Indeterminate, SigConstraintsFailure, c.fillField(t, c.stages[2], "gvcn", c.insider))
	return out
}

// signNoAppearance has s sign the named field keeping the field's own
// appearance (the attacker's).
func (c *atkCorpus) signNoAppearance(t *testing.T, in []byte, field string, s *atkSigner) []byte {
	t.Helper()
	o := *s
	o.field = field
	out, err := signer.Sign(t.Context(), in, o.key, o.chain, signer.Options{Field: field, Name: o.name, Time: atkNow})
	if err != nil {
		t.Fatalf("%s signs %s: %v", o.name, field, err)
	}
	return out
}

// stripValue appends an update that rewrites the named field without /V.
func (c *atkCorpus) stripValue(t *testing.T, in []byte, field string) []byte {
	t.Helper()
	f := atkParse(t, in)
	n := f.fieldNum(t, field)
	return atkAppend(t, f, []atkObj{{num: n, body: f.dict(t, n).clone().del("V").String()}}, atkUpdateOpts{})
}

// setValue appends an update that sets the named field's /V.
func (c *atkCorpus) setValue(t *testing.T, in []byte, field, value string) []byte {
	t.Helper()
	f := atkParse(t, in)
	n := f.fieldNum(t, field)
	return atkAppend(t, f, []atkObj{{num: n, body: f.dict(t, n).clone().set("V", value).String()}}, atkUpdateOpts{})
}

// stripField appends an update that removes the named field from the form
// and its widget from its page.
func (c *atkCorpus) stripField(t *testing.T, in []byte, field string) []byte {
	t.Helper()
	f := atkParse(t, in)
	n := f.fieldNum(t, field)
	ref := regexp.MustCompile(`\b` + strconv.Itoa(n) + `\s+0\s+R`)
	var objs []atkObj
	root := f.rootNum(t)
	cat := f.dict(t, root).clone()
	formV := cat.get("AcroForm")
	form := f.resolveDict(t, formV).clone()
	form.set("Fields", ref.ReplaceAllString(form.get("Fields"), ""))
	if strings.HasSuffix(formV, "R") {
		objs = append(objs, atkObj{num: atkRefNum(t, formV), body: form.String()})
	} else {
		cat.set("AcroForm", form.String())
		objs = append(objs, atkObj{num: root, body: cat.String()})
	}
	page := atkRefNum(t, f.dict(t, n).get("P"))
	pd := f.dict(t, page).clone()
	pd.set("Annots", ref.ReplaceAllString(pd.get("Annots"), ""))
	objs = append(objs, atkObj{num: page, body: pd.String()})
	return atkAppend(t, f, objs, atkUpdateOpts{})
}

// orphanSig appends an update holding a copy of the signature dictionary
// that nothing refers to.
func (c *atkCorpus) orphanSig(t *testing.T, in []byte, sig atkSigDict) []byte {
	t.Helper()
	f := atkParse(t, in)
	return atkAppend(t, f, []atkObj{{num: f.size, body: string(in[sig.dictStart:sig.dictEnd])}}, atkUpdateOpts{})
}

// sharedValue appends an update adding a second, invisible signature field
// whose /V is the value of the principal's field.
func (c *atkCorpus) sharedValue(t *testing.T, in []byte) []byte {
	t.Helper()
	f := atkParse(t, in)
	n := f.fieldNum(t, c.principal.field)
	v := f.dict(t, n).get("V")
	page := f.pageNum(t, 1)
	field := f.size
	objs := []atkObj{{num: field, body: fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (ban_sao) /F 132 /Rect [0 0 0 0] /P %d 0 R /V %s >>", page, v)}}
	pd := f.dict(t, page).clone()
	pd.set("Annots", "["+strings.Join(append(atkRefs(pd.get("Annots")), fmt.Sprintf("%d 0 R", field)), " ")+"]")
	objs = append(objs, atkObj{num: page, body: pd.String()})
	objs = append(objs, f.withField(t, fmt.Sprintf("%d 0 R", field))...)
	return atkAppend(t, f, objs, atkUpdateOpts{})
}

// gapObjects writes, into the unsigned gap of the last signature, after
// the CMS, a forged content stream object hidden in a string entry of the
// signature dictionary; the gap keeps its length, every signed byte stays.
func (c *atkCorpus) gapObjects(t *testing.T, in []byte) []byte {
	t.Helper()
	sig := atkFindSig(t, in, -1)
	der := atkCMSOf(t, in, sig)
	hidden := "\n999 0 obj\n" + atkStream("BT /F1 24 Tf 56 700 Td (Toan: 9,5) Tj ET", "") + "\nendobj\n"
	gap := "<" + fmt.Sprintf("%X", der) + "> /AtkHidden (" + hidden + ") /AtkPad <"
	room := sig.hexEnd - sig.hexStart - len(gap) - 1
	if room < 0 {
		t.Fatalf("no room in the gap: %d bytes short", -room)
	}
	gap += strings.Repeat("0", room-room%2) + strings.Repeat(" ", room%2) + ">"
	out := bytes.Clone(in)
	copy(out[sig.hexStart:], gap)
	return out
}

// movedTail is the signature wrapping attack of Mladenov et al. ("1
// Trillion Dollar Refund", 2019): the signed tail (everything after the
// /Contents gap) is moved k bytes towards the end; the bytes freed after
// the gap hold a cross-reference table at exactly the offset the signed
// startxref names, a forged content stream for page 1 and a new signature
// dictionary whose /ByteRange covers the original first range and the
// moved tail, so that the signed bytes are unchanged.
func (c *atkCorpus) movedTail(t *testing.T, in []byte) []byte {
	t.Helper()
	f := atkParse(t, in)
	sig := atkFindSig(t, in, -1)
	a, b, l := sig.byteRange[1], sig.byteRange[2], sig.byteRange[3]
	x := f.startxref
	if x < b {
		t.Fatal("the last cross-reference table is not in the signed tail")
	}
	// The objects of the last revision, which move with the tail.
	last := map[int]int{}
	lines := strings.Fields(string(in[x+len("xref") : x+bytes.Index(in[x:], []byte("trailer"))]))
	for len(lines) >= 2 {
		first, _ := strconv.Atoi(lines[0])
		n, _ := strconv.Atoi(lines[1])
		for k := 0; k < n; k++ {
			if lines[4+3*k] == "n" {
				off, _ := strconv.Atoi(lines[2+3*k])
				last[first+k] = off
			}
		}
		lines = lines[2+3*n:]
	}
	prev := atkTrailerPrev.FindSubmatch(in[x:])
	if prev == nil {
		t.Fatal("the last trailer has no /Prev")
	}
	sigNum := -1
	for n, off := range last {
		if off < sig.dictStart && sig.dictStart-off < 32 {
			sigNum = n
		}
	}
	if sigNum < 0 {
		t.Fatal("no object holds the signature dictionary")
	}
	page := f.pageNum(t, 1)
	forged := c.xobject(t, f.size, 150, 60, true, append([]string{"BẢNG ĐIỂM", atkForgedGrade}, atkGrades[1:]...)...)
	contentNum := f.size + len(forged)
	pd := f.withXObject(t, page, "AtkPage", forged[0].num)
	pd.set("Contents", fmt.Sprintf("%d 0 R", contentNum))

	build := func(k int) []byte {
		dict := string(in[sig.dictStart:sig.dictEnd])
		dict = strings.Replace(dict, string(in[sig.brStart:sig.brEnd]), fmt.Sprintf("[0 %010d %010d %010d]", a, b+k, l), 1)
		dict = strings.Replace(dict, string(in[sig.hexStart:sig.hexEnd]), fmt.Sprintf("<%X>", atkCMSOf(t, in, sig)), 1)
		objs := append([]atkObj{{num: sigNum, body: dict}}, forged...)
		objs = append(objs, atkObj{num: contentNum, body: atkStream(atkDraw("AtkPage", 20, 14, 60), "")}, atkObj{num: page, body: pd.String()})

		var r bytes.Buffer // bytes [b, b+k) of the new file
		r.WriteString(" >>\nendobj\n")
		if r.Len() > x-b {
			t.Fatal("no room before the signed startxref offset")
		}
		r.WriteString(strings.Repeat("%", x-b-r.Len()-1) + "\n")
		// The table: the moved objects, then the new ones, which follow
		// the table and trailer; entries are 20 bytes, so its length is
		// known before the offsets are.
		offsets := map[int]int{}
		for n, off := range last {
			offsets[n] = off + k
		}
		size := f.size
		for _, o := range objs {
			offsets[o.num] = -1
			size = max(size, o.num+1)
		}
		trailer := fmt.Sprintf("trailer\n<< /Size %d /Root %s", size, f.root)
		if f.info != "" {
			trailer += " /Info " + f.info
		}
		if f.id != "" {
			trailer += " /ID " + f.id
		}
		trailer += fmt.Sprintf(" /Prev %s >>\n", prev[1])
		nums := atkSortedInts(offsets)
		tableLen := len("xref\n")
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
				j++
			}
			tableLen += len(fmt.Sprintf("%d %d\n", nums[i], j-i+1)) + 20*(j-i+1)
			i = j + 1
		}
		at := x + tableLen + len(trailer)
		var body bytes.Buffer
		for _, o := range objs {
			offsets[o.num] = at + body.Len()
			fmt.Fprintf(&body, "%d 0 obj\n%s\nendobj\n", o.num, o.body)
		}
		r.WriteString("xref\n")
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
				j++
			}
			fmt.Fprintf(&r, "%d %d\n", nums[i], j-i+1)
			for n := i; n <= j; n++ {
				fmt.Fprintf(&r, "%010d 00000 n \n", offsets[nums[n]])
			}
			i = j + 1
		}
		r.WriteString(trailer)
		r.Write(body.Bytes())
		r.WriteString("%%")
		var out bytes.Buffer
		out.Write(in[:b])
		out.Write(r.Bytes())
		if k != 0 && r.Len() != k {
			t.Fatalf("the freed region is %d bytes, planned %d", r.Len(), k)
		}
		out.Write(in[b:])
		return out.Bytes()
	}
	first := build(0)
	k := len(first) - len(in)
	return build(k)
}

func atkSortedInts(m map[int]int) []int {
	out := make([]int, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
