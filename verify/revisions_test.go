package verify

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/signer"
)

// revisionKinds lists the kinds of a report's revisions.
func revisionKinds(rep *Report) []string {
	var out []string
	for _, r := range rep.Revisions {
		out = append(out, r.Kind)
	}
	return out
}

// disallowed returns the changed objects of the report that are not
// allowed, and the details of the revisions that are not.
func disallowed(rep *Report) (objs []ChangedObject, details []string) {
	for _, r := range rep.Revisions {
		for _, c := range r.ChangedObjects {
			if !c.Allowed {
				objs = append(objs, c)
			}
		}
		if !r.Allowed && r.Detail != "" {
			details = append(details, r.Detail)
		}
	}
	return objs, details
}

// TestHocBaLongTerm verifies a học bạ as kyso issues it: five signers in
// legal order, the first certifying (DocMDP P=2), the last locking, each
// with a signature timestamp; then the validation data (DSS) and a
// document timestamp. Every stage verifies, and the report tells what each
// revision added.
func TestHocBaLongTerm(t *testing.T) {
	h := newHocBa(t, signer.CertifyFormFilling)
	at := ltvNow.Add(time.Hour)
	for i := range h.people {
		h.sign(true)
		rep := mustVerify(t, h.doc, h.opts(at))
		wantVerdict(t, rep, TotalPassed, "")
		if len(rep.Revisions) != i+1 || rep.Revisions[i].Kind != RevisionSignature || rep.Revisions[i].Signature != h.people[i].field {
			t.Fatalf("after %s: revisions %v", h.people[i].field, revisionKinds(rep))
		}
	}
	h.addDSS(h.validationData(ltvNow.Add(10 * time.Minute)))
	h.addDTS()
	rep := mustVerify(t, h.doc, h.opts(at))
	wantVerdict(t, rep, TotalPassed, "")

	want := []string{"signature", "signature", "signature", "signature", "signature", "dss", "document_timestamp"}
	if got := revisionKinds(rep); !slices.Equal(got, want) {
		t.Errorf("got revisions %v, want %v", got, want)
	}
	if len(rep.Signatures) != 6 || rep.Document.Signatures != 6 || rep.Document.DocumentTimestamps != 1 {
		t.Fatalf("got %d signatures (document %d, %d timestamps), want 6 with 1 document timestamp",
			len(rep.Signatures), rep.Document.Signatures, rep.Document.DocumentTimestamps)
	}
	for i, s := range rep.Signatures[:5] {
		if s.Kind != KindSignature || s.Field != h.people[i].field || s.Signer.CommonName != h.people[i].name {
			t.Errorf("signature %d: %s %q by %q, want %q by %q", i, s.Kind, s.Field, s.Signer.CommonName, h.people[i].field, h.people[i].name)
		}
		if s.SigningTimeSource != SigningTimeSignatureTimestamp || !s.SigningTime.Equal(ltvNow) || s.Timestamp == nil || s.Timestamp.Chain.Status != ChainTrusted {
			t.Errorf("%s: signing time %s (%s), timestamp %+v; want %s from a trusted signature timestamp", s.Field, s.SigningTime, s.SigningTimeSource, s.Timestamp, ltvNow)
		}
		if !s.Chain.RevocationChecked || len(s.Chain.Revocation) != 2 || s.Chain.Revocation[0].Status != RevocationGood ||
			s.Chain.Revocation[0].Source != SourceDSSOCSP || s.Chain.Revocation[1].Status != RevocationGood || s.Chain.Revocation[1].Source != SourceDSSCRL {
			t.Errorf("%s: revocation checked %v, %+v; want the signer good by OCSP and the issuing CA by the root's CRL", s.Field, s.Chain.RevocationChecked, s.Chain.Revocation)
		}
		if s.CoversWholeDocument {
			t.Errorf("%s covers the whole document, want the later revisions outside", s.Field)
		}
	}
	if c, l := rep.Signatures[0].CertificationLevel, rep.Signatures[4].FieldLock; c != 2 || l != "All" {
		t.Errorf("got certification level %d and seal lock %q, want 2 and All", c, l)
	}
	dts := rep.Signatures[5]
	if dts.Kind != KindDocumentTimestamp || dts.Field != "DocTimeStamp1" || dts.Indication != TotalPassed || !dts.CoversWholeDocument ||
		dts.SigningTimeSource != SigningTimeDocumentTimestamp || dts.Chain.Status != ChainTrusted || !strings.Contains(dts.Signer.CommonName, "TSA") {
		t.Errorf("document timestamp: %+v", dts)
	}
	// The validation data revision adds the DSS and changes only the
	// catalog.
	dss := rep.Revisions[5]
	for _, c := range dss.ChangedObjects {
		if !c.Allowed || c.Change == ObjectModified && c.What != "document catalog" {
			t.Errorf("DSS revision: %+v", c)
		}
	}
	if s := rep.Summary("vi"); !strings.Contains(s, "Tài liệu hợp lệ") || strings.Contains(s, "TSA") {
		t.Errorf("summary %q: want valid, naming the signers and not the time-stamping authority", s)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}

	// Five years on every certificate has expired: the timestamps still
	// prove the signatures were made while they were valid.
	rep = mustVerify(t, h.doc, h.opts(ltvNow.AddDate(5, 0, 0)))
	wantVerdict(t, rep, TotalPassed, "")
}

// TestModifications appends to signed documents the incremental updates a
// forger would, and some a PDF tool might, and checks each revision's
// verdict and the objects it names.
func TestModifications(t *testing.T) {
	at := ltvNow.Add(time.Hour)
	// Two of five signers, certified with P=2: more signatures may come.
	open := newHocBa(t, signer.CertifyFormFilling)
	open.signN(2, false)
	// All five: locked by the seal.
	locked := newHocBa(t, signer.CertifyFormFilling)
	locked.signN(5, false)

	type tc struct {
		name     string
		doc      *hocBa
		change   func(t *testing.T, u *revUpdate)
		allowed  bool
		wantWhat string // in a disallowed object's What (or a revision's detail)
	}
	tests := []tc{
		{"page content replaced", open, func(t *testing.T, u *revUpdate) {
			page := u.obj(pageNum(t, u.v, 1))
			content := page.key("Contents")
			u.set(content.n, "<< /Length 44 >>\nstream\nBT /F1 16 Tf 20 700 Td (Diem: 10) Tj ET\n\nendstream")
		}, false, "contents of page 1"},
		{"text annotation added to a page", open, func(t *testing.T, u *revUpdate) {
			p := pageNum(t, u.v, 1)
			a := u.add("<< /Type /Annot /Subtype /FreeText /Rect [20 20 300 60] /Contents (Diem: 10) /DA (/Helv 12 Tf 0 g) >>")
			page := u.obj(p)
			annots := append(slices.Clone(u.v.resolve(page.key("Annots")).a), pdfObj{kind: objRef, n: a})
			u.set(p, pdfString(with(t, page, "Annots", pdfString(pdfObj{kind: objArray, a: annots}))))
		}, false, "page 1"},
		{"catalog gains an open action", open, func(t *testing.T, u *revUpdate) {
			u.set(u.rootNum(), pdfString(with(t, u.obj(u.rootNum()), "OpenAction", "<< /S /JavaScript /JS (app.alert(1)) >>")))
		}, false, "document catalog"},
		{"certification removed from the catalog", open, func(t *testing.T, u *revUpdate) {
			u.set(u.rootNum(), pdfString(with(t, u.obj(u.rootNum()), "Perms", "")))
		}, false, "document catalog"},
		{"a signed field's appearance replaced", open, func(t *testing.T, u *revUpdate) {
			f := fieldNum(t, u.v, "gvbm-toan")
			ap := u.add("<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 0 >>\nstream\n\nendstream")
			u.set(f, pdfString(with(t, u.obj(f), "AP", "<< /N "+ref(ap)+" >>")))
		}, false, `form field "gvbm-toan"`},
		{"an unsigned field removed from the form", open, func(t *testing.T, u *revUpdate) {
			cat := u.obj(u.rootNum())
			form := cat.key("AcroForm")
			fd := u.v.resolve(form)
			fields := slices.DeleteFunc(slices.Clone(fd.key("Fields").a), func(e pdfObj) bool { return e.n == fieldNum(t, u.v, "gvcn") })
			u.set(form.n, pdfString(with(t, fd, "Fields", pdfString(pdfObj{kind: objArray, a: fields}))))
		}, false, "interactive form"},
		{"information dictionary changed", open, func(t *testing.T, u *revUpdate) {
			info := u.v.trailer().key("Info")
			u.set(info.n, pdfString(with(t, u.obj(info.n), "Title", "(Bang gia)")))
		}, false, "document information dictionary"},
		{"a font deleted", open, func(t *testing.T, u *revUpdate) {
			res := u.v.resolve(u.obj(pageNum(t, u.v, 1)).key("Resources"))
			for _, f := range u.v.resolve(res.key("Font")).d {
				u.free(f.n)
				return
			}
			t.Fatal("no font on page 1")
		}, false, "deleted"},
		{"an object no cross-reference table lists", open, func(t *testing.T, u *revUpdate) {
			u.raw = "99 0 obj\n(hidden)\nendobj\n"
			u.set(u.rootNum(), pdfString(u.obj(u.rootNum())))
		}, false, "belong to no object"},
		{"the catalog rewritten unchanged", open, func(t *testing.T, u *revUpdate) {
			u.set(u.rootNum(), pdfString(u.obj(u.rootNum())))
		}, true, ""},
		{"a new object nothing refers to", open, func(t *testing.T, u *revUpdate) {
			u.add("(nothing refers to me)")
		}, true, ""},
		{"after the seal, page content replaced", locked, func(t *testing.T, u *revUpdate) {
			page := u.obj(pageNum(t, u.v, 2))
			u.set(page.key("Contents").n, "<< /Length 0 >>\nstream\n\nendstream")
		}, false, "contents of page 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newRevUpdate(t, tt.doc.doc)
			tt.change(t, u)
			rep := mustVerify(t, u.bytes(), tt.doc.opts(at))
			if len(rep.Revisions) == 0 {
				t.Fatalf("no revisions\n%s", describeReport(rep))
			}
			last := rep.Revisions[len(rep.Revisions)-1]
			if tt.allowed {
				wantVerdict(t, rep, TotalPassed, "")
				if last.Kind != RevisionOther || !last.Allowed {
					t.Errorf("got last revision %+v, want an allowed other revision", last)
				}
				return
			}
			wantVerdict(t, rep, TotalFailed, HashFailure)
			c := failedCheck(t, rep, "modifications")
			if c.Indication != TotalFailed || c.SubIndication != HashFailure || !strings.Contains(c.Detail, tt.wantWhat) {
				t.Errorf("got check %+v, want HASH_FAILURE naming %q", c, tt.wantWhat)
			}
			if last.Allowed || last.Kind != RevisionOther {
				t.Errorf("got last revision %+v, want a disallowed other revision", last)
			}
			for _, s := range rep.Signatures {
				if s.Indication != TotalPassed {
					t.Errorf("signature %s: %s/%s, want it to pass on its own revision", s.Field, s.Indication, s.SubIndication)
				}
			}
			objs, details := disallowed(rep)
			found := strings.Contains(strings.Join(details, ";"), tt.wantWhat)
			for _, o := range objs {
				if strings.Contains(o.What+" "+o.Reason, tt.wantWhat) {
					found = true
				}
			}
			if !found {
				t.Errorf("no disallowed object or detail names %q: %+v %v", tt.wantWhat, objs, details)
			}
			if s := rep.Summary("vi"); !strings.Contains(s, "Nội dung đã bị thay đổi sau khi ký") && !strings.Contains(s, "đã bị thêm nội dung") {
				t.Errorf("summary %q does not say the document was changed", s)
			}
		})
	}
}

// TestSmuggledIntoDSS: a page's content stream placed in the document
// security store by one revision (which changes nothing a page shows) is
// still page content: a later revision may not change it as validation
// data.
func TestSmuggledIntoDSS(t *testing.T) {
	h := newHocBa(t, signer.CertifyFormFilling)
	h.signN(2, false)
	at := ltvNow.Add(time.Hour)

	u := newRevUpdate(t, h.doc)
	content := u.obj(pageNum(t, u.v, 1)).key("Contents")
	dss := u.add("<< /Type /DSS /Certs [" + pdfString(content) + "] >>")
	u.set(u.rootNum(), pdfString(with(t, u.obj(u.rootNum()), "DSS", ref(dss))))
	first := u.bytes()
	rep := mustVerify(t, first, h.opts(at))
	wantVerdict(t, rep, TotalPassed, "")
	if k := revisionKinds(rep); k[len(k)-1] != RevisionDSS {
		t.Fatalf("got revisions %v, want a DSS revision last", k)
	}

	u = newRevUpdate(t, first)
	u.set(content.n, "<< /Length 0 >>\nstream\n\nendstream")
	rep = mustVerify(t, u.bytes(), h.opts(at))
	wantVerdict(t, rep, TotalFailed, HashFailure)
	objs, _ := disallowed(rep)
	if len(objs) != 1 || objs[0].Object != content.n {
		t.Errorf("got disallowed %+v, want the content stream %d", objs, content.n)
	}
}

// TestHybridReferenceUpdate: an update whose trailer names a
// cross-reference stream (/XRefStm) can define objects only PDF 1.5
// readers see; the verifier does not read them and gives no verdict.
func TestHybridReferenceUpdate(t *testing.T) {
	h := newHocBa(t, signer.CertifyFormFilling)
	h.signN(1, false)
	u := newRevUpdate(t, h.doc)
	u.set(u.rootNum(), pdfString(u.obj(u.rootNum())))
	u.extra = " /XRefStm 12"
	rep := mustVerify(t, u.bytes(), h.opts(ltvNow.Add(time.Hour)))
	wantVerdict(t, rep, Indeterminate, UnsupportedFormat)
	failedCheck(t, rep, "revisions")
}

// TestDocMDPLevels checks what each certification level allows after it:
// P=1 only validation data and document timestamps, P=2 also signatures,
// P=3 also annotations; and the seal's lock, only validation data and
// document timestamps.
func TestDocMDPLevels(t *testing.T) {
	at := ltvNow.Add(time.Hour)
	addAnnotation := func(t *testing.T, data []byte) []byte {
		u := newRevUpdate(t, data)
		p := pageNum(t, u.v, 1)
		a := u.add("<< /Type /Annot /Subtype /Text /Rect [20 20 40 40] /Contents (Ghi chu) /P " + ref(p) + " >>")
		page := u.obj(p)
		annots := append(slices.Clone(u.v.resolve(page.key("Annots")).a), pdfObj{kind: objRef, n: a})
		u.set(p, pdfString(with(t, page, "Annots", pdfString(pdfObj{kind: objArray, a: annots}))))
		return u.bytes()
	}
	// anotherSignature signs with pdfsign, which does not look at the
	// document's permissions: an approval in a new invisible field.
	anotherSignature := func(t *testing.T, h *hocBa) []byte {
		p := h.people[1]
		return pdfsignSign(t, h.doc, p.key, p.chain[0], p.chain[1:], crypto.SHA256)
	}
	tests := []struct {
		name    string
		certify signer.Certification
		signers int
		change  func(t *testing.T, h *hocBa) []byte
		allowed bool
		kind    string
	}{
		{"P=1, validation data", signer.CertifyNoChanges, 1, func(t *testing.T, h *hocBa) []byte {
			h.addDSS(h.validationData(ltvNow))
			return h.doc
		}, true, RevisionDSS},
		{"P=1, document timestamp", signer.CertifyNoChanges, 1, func(t *testing.T, h *hocBa) []byte {
			h.addDTS()
			return h.doc
		}, true, RevisionDocumentTimestamp},
		{"P=1, another signature", signer.CertifyNoChanges, 1, anotherSignature, false, RevisionSignature},
		{"P=1, an annotation", signer.CertifyNoChanges, 1, func(t *testing.T, h *hocBa) []byte { return addAnnotation(t, h.doc) }, false, RevisionOther},
		{"P=2, a signature in its field", signer.CertifyFormFilling, 1, func(t *testing.T, h *hocBa) []byte {
			h.sign(false)
			return h.doc
		}, true, RevisionSignature},
		{"P=2, an annotation", signer.CertifyFormFilling, 1, func(t *testing.T, h *hocBa) []byte { return addAnnotation(t, h.doc) }, false, RevisionOther},
		{"P=3, an annotation", signer.CertifyAnnotations, 1, func(t *testing.T, h *hocBa) []byte { return addAnnotation(t, h.doc) }, true, RevisionOther},
		{"approval only, a signature in its field", signer.NotCertified, 1, func(t *testing.T, h *hocBa) []byte {
			h.sign(false)
			return h.doc
		}, true, RevisionSignature},
		{"approval only, an annotation", signer.NotCertified, 1, func(t *testing.T, h *hocBa) []byte { return addAnnotation(t, h.doc) }, false, RevisionOther},
		{"sealed, validation data and a document timestamp", signer.CertifyAnnotations, 5, func(t *testing.T, h *hocBa) []byte {
			h.addDSS(h.validationData(ltvNow))
			h.addDTS()
			return h.doc
		}, true, RevisionDocumentTimestamp},
		{"sealed, another signature", signer.CertifyFormFilling, 5, anotherSignature, false, RevisionSignature},
		{"sealed at P=3, an annotation", signer.CertifyAnnotations, 5, func(t *testing.T, h *hocBa) []byte { return addAnnotation(t, h.doc) }, true, RevisionOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHocBa(t, tt.certify)
			h.signN(tt.signers, false)
			rep := mustVerify(t, tt.change(t, h), h.opts(at))
			last := rep.Revisions[len(rep.Revisions)-1]
			if last.Kind != tt.kind || last.Allowed != tt.allowed {
				t.Fatalf("got last revision %s allowed=%v, want %s allowed=%v\n%+v", last.Kind, last.Allowed, tt.kind, tt.allowed, last)
			}
			if tt.allowed {
				wantVerdict(t, rep, TotalPassed, "")
			} else {
				wantVerdict(t, rep, TotalFailed, HashFailure)
			}
		})
	}
}

// TestFormFilling uses a hand-made document with a text field and one
// signature: filling the empty field in later is allowed without
// certification, refused after a certification with P=1 and when a
// FieldMDP transform locks the field; changing a value the field already
// had is always refused.
func TestFormFilling(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name      string
		reference string // the signature dictionary's /Reference
		value     string // the field's /V when signed, "" for none
		allowed   bool
	}{
		{"approval signature", "", "", true},
		{"approval signature, a value changed", "", "/V (7)", false},
		{"approval signature, an empty value filled", "", "/V ()", true},
		{"certification P=2", "/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 2 /V /1.2 >> >>]", "", true},
		{"certification P=1", "/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1 /V /1.2 >> >>]", "", false},
		{"field locked by FieldMDP Include", "/Reference [<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams /Action /Include /Fields [(Diem)] /V /1.2 >> >>]", "", false},
		{"another field locked by FieldMDP Include", "/Reference [<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams /Action /Include /Fields [(Khac)] /V /1.2 >> >>]", "", true},
		{"field excluded from a FieldMDP lock", "/Reference [<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams /Action /Exclude /Fields [(Diem)] /V /1.2 >> >>]", "", true},
		{"all fields locked by FieldMDP All", "/Reference [<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams /Action /All /V /1.2 >> >>]", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p handPDF
			catalog := p.add("")
			pages := p.add("")
			page := p.add("")
			text := "BT /F1 12 Tf 20 100 Td (" + holderName + ") Tj ET"
			content := p.add("<< /Length " + strconv.Itoa(len(text)) + " >>\nstream\n" + text + "\nendstream")
			sig := p.add(strings.Replace(sigDict(subFilterPKCS7), " >>", " "+tt.reference+" >>", 1))
			sigField := p.add("<< /FT /Sig /T (Signature1) /V " + ref(int64(sig)) + " /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P " + ref(int64(page)) + " /F 132 >>")
			textField := p.add("<< /FT /Tx /T (Diem) " + tt.value + " /Type /Annot /Subtype /Widget /Rect [20 20 80 40] /P " + ref(int64(page)) + " >>")
			form := p.add("<< /Fields [" + ref(int64(sigField)) + " " + ref(int64(textField)) + "] /SigFlags 3 >>")
			p.objs[catalog-1] = "<< /Type /Catalog /Pages " + ref(int64(pages)) + " /AcroForm " + ref(int64(form)) + " >>"
			p.objs[pages-1] = "<< /Type /Pages /Kids [" + ref(int64(page)) + "] /Count 1 >>"
			p.objs[page-1] = "<< /Type /Page /Parent " + ref(int64(pages)) + " /MediaBox [0 0 300 200] /Contents " + ref(int64(content)) + " /Annots [" + ref(int64(sigField)) + " " + ref(int64(textField)) + "] >>"
			doc := fillSignature(t, p.bytes(catalog, ""), func(signed []byte) []byte {
				return buildCMS(t, signed, cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing}, signingTime: e.now, essCert: e.cert})
			})
			rep := mustVerify(t, doc, e.opts())
			wantVerdict(t, rep, TotalPassed, "")

			u := newRevUpdate(t, doc)
			ap := u.add("<< /Type /XObject /Subtype /Form /BBox [0 0 60 20] /Length 0 >>\nstream\n\nendstream")
			f := u.obj(int64(textField))
			f = with(t, f, "V", "(10)")
			u.set(int64(textField), pdfString(with(t, f, "AP", "<< /N "+ref(ap)+" >>")))
			rep = mustVerify(t, u.bytes(), e.opts())
			if tt.allowed {
				wantVerdict(t, rep, TotalPassed, "")
				return
			}
			wantVerdict(t, rep, TotalFailed, HashFailure)
			objs, _ := disallowed(rep)
			if len(objs) == 0 || objs[0].What != `form field "Diem"` {
				t.Errorf("got disallowed %+v, want the field Diem", objs)
			}
		})
	}
}

// TestNewSignatureField appends a signature in a new field to an approved
// (not certified) học bạ: allowed when the field is invisible, refused when
// it could be drawn over the page, carries actions, or takes an existing
// field's name.
func TestNewSignatureField(t *testing.T) {
	h := newHocBa(t, signer.NotCertified)
	h.sign(false)
	p := h.people[2]
	tests := []struct {
		name    string
		field   string // the new field, %[1]s its signature, %[2]s the page
		allowed bool
	}{
		{"invisible", "<< /FT /Sig /T (Extra) /V %[1]s /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P %[2]s >>", true},
		{"hidden", "<< /FT /Sig /T (Extra) /V %[1]s /Type /Annot /Subtype /Widget /Rect [20 20 200 80] /F 2 /P %[2]s >>", true},
		{"visible", "<< /FT /Sig /T (Extra) /V %[1]s /Type /Annot /Subtype /Widget /Rect [20 20 200 80] /F 4 /P %[2]s >>", false},
		{"with an action", "<< /FT /Sig /T (Extra) /V %[1]s /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P %[2]s /AA << /PO << /S /JavaScript /JS (1) >> >> >>", false},
		{"named like an existing field", "<< /FT /Sig /T (gvcn) /V %[1]s /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P %[2]s >>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newRevUpdate(t, h.doc)
			sig := u.add(sigDict(subFilterCAdES))
			field := u.add(fmt.Sprintf(tt.field, ref(sig), ref(pageNum(t, u.v, 1))))
			formRef := u.obj(u.rootNum()).key("AcroForm")
			form := u.v.resolve(formRef)
			fields := append(slices.Clone(form.key("Fields").a), pdfObj{kind: objRef, n: field})
			u.set(formRef.n, pdfString(with(t, form, "Fields", pdfString(pdfObj{kind: objArray, a: fields}))))
			doc := fillSignature(t, u.bytes(), func(signed []byte) []byte {
				return buildCMS(t, signed, cmsSpec{key: p.key, cert: p.chain[0], certs: p.chain, essCert: p.chain[0]})
			})
			rep := mustVerify(t, doc, h.opts(ltvNow.Add(time.Hour)))
			if tt.allowed {
				wantVerdict(t, rep, TotalPassed, "")
				return
			}
			wantVerdict(t, rep, TotalFailed, HashFailure)
			if s := rep.Signatures[len(rep.Signatures)-1]; s.Indication != TotalPassed || s.Signer.CommonName != p.name {
				t.Errorf("the new signature: %s by %q, want valid by %q", s.Indication, s.Signer.CommonName, p.name)
			}
		})
	}
}
