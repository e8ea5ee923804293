package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/kyso-vn/kyso/devca"
	kpdf "github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/tsa"
)

// Helpers for documents made by kyso's own signer: a học bạ with five
// pre-placed signature fields signed in legal order, signature timestamps
// from a time-stamping authority of package tsa, validation data and
// document timestamps; and a writer of incremental updates that change
// what a forger would change.

// ltvNow is when the test học bạ are signed.
var ltvNow = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

// testTSA is an RFC 3161 authority served over HTTP, and its chain.
type testTSA struct {
	client *tsa.Client
	chain  []*x509.Certificate
}

// newTestTSA starts an authority whose certificate ca issues, with its clock
// stopped at clock.
func newTestTSA(t testing.TB, ca *devca.CA, clock time.Time) *testTSA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueTimestamping(rand.Reader, key.Public(), devca.Subject{CommonName: "kyso TSA (thử nghiệm)"}, clock.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	chain := append([]*x509.Certificate{cert}, ca.Chain()...)
	auth, err := tsa.NewAuthority(key, chain, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, func() time.Time { return clock }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(auth)
	t.Cleanup(srv.Close)
	return &testTSA{client: &tsa.Client{URL: srv.URL, Timeout: 10 * time.Second}, chain: chain}
}

// person is a signer of the test học bạ.
type person struct {
	field, name, title string
	lock               bool
	key                crypto.Signer
	chain              []*x509.Certificate
}

// hocBa is a học bạ being signed.
type hocBa struct {
	t       testing.TB
	ca      *devca.CA
	r       *kpdf.Renderer
	people  []*person
	tsa     *testTSA
	certify signer.Certification
	doc     []byte
	signed  int
}

// newHocBa renders a two-page học bạ with five signature fields (the last,
// the school's seal, locks the document) and makes the CA, the five
// signers and a time-stamping authority. The first signature certifies with
// permission certify (signer.NotCertified for an approval).
func newHocBa(t testing.TB, certify signer.Certification) *hocBa {
	t.Helper()
	ca, err := devca.New(rand.Reader, ltvNow, devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := kpdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	h := &hocBa{t: t, ca: ca, r: r, certify: certify, tsa: newTestTSA(t, ca, ltvNow)}
	h.people = []*person{
		{field: "gvbm-toan", name: "Nguyễn Văn Nghĩa", title: "Giáo viên bộ môn Toán"},
		{field: "gvbm-ngu_van", name: "Lê Thị Hoa", title: "Giáo viên bộ môn Ngữ văn"},
		{field: "gvcn", name: "Phạm Thị Thu Hằng", title: "Giáo viên chủ nhiệm"},
		{field: "hieu_truong", name: "Trần Văn Bình", title: "Hiệu trưởng"},
		{field: "con_dau", name: "Trường THPT Chuyên Vĩnh Long", title: "Dấu của nhà trường", lock: true},
	}
	d, err := r.NewDocument(kpdf.Options{Created: ltvNow, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(kpdf.Regular, 12)
	d.Text(20, 20, "HỌC BẠ – Trần Thị Ĩnh Nghĩa – Lớp 10A1")
	d.AddPage()
	d.Text(20, 20, "Nhận xét của giáo viên chủ nhiệm")
	for i, p := range h.people {
		page, x, y := 1, 20.0+float64(i)*90, 60.0
		if i >= 2 {
			page, x, y = 2, 10+float64(i-2)*65, 200
		}
		d.SignatureField(kpdf.SignatureField{Name: p.field, Page: page, Rect: kpdf.Rect{X: x, Y: y, W: 60, H: 30},
			Tooltip: p.title + ": " + p.name, SignerName: p.name, Lock: p.lock})
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: p.name, Title: p.title}, ltvNow, 0)
		if err != nil {
			t.Fatal(err)
		}
		p.key, p.chain = key, append([]*x509.Certificate{leaf}, ca.Chain()...)
	}
	if h.doc, err = d.Bytes(); err != nil {
		t.Fatal(err)
	}
	return h
}

// sign has the next signer sign, with a signature timestamp when ts.
func (h *hocBa) sign(ts bool) {
	h.t.Helper()
	p := h.people[h.signed]
	var after []string
	for _, q := range h.people[:h.signed] {
		after = append(after, q.field)
	}
	opts := signer.Options{Field: p.field, After: after, Name: p.name, Reason: "Ký học bạ năm học 2025–2026",
		Location: "Vĩnh Long", Time: ltvNow, Appearance: &signer.Appearance{Renderer: h.r, Title: p.title}}
	if h.signed == 0 {
		opts.Certify = h.certify
	}
	if ts {
		opts.Timestamper = h.tsa.client
	}
	out, err := signer.Sign(context.Background(), h.doc, p.key, p.chain, opts)
	if err != nil {
		h.t.Fatalf("%s: %v", p.field, err)
	}
	h.doc = out
	h.signed++
}

// signN has the next n signers sign.
func (h *hocBa) signN(n int, ts bool) {
	h.t.Helper()
	for range n {
		h.sign(ts)
	}
}

// validationData is the issuing CA's CRL and the root's, and an OCSP
// response for each signer so far, all as of at.
func (h *hocBa) validationData(at time.Time) signer.ValidationData {
	h.t.Helper()
	var vd signer.ValidationData
	crl, err := h.ca.CRL(rand.Reader, at)
	if err != nil {
		h.t.Fatal(err)
	}
	rootCRL, err := h.ca.RootCRL(rand.Reader, at)
	if err != nil {
		h.t.Fatal(err)
	}
	vd.CRLs = [][]byte{crl, rootCRL}
	for _, c := range h.ca.Chain() {
		vd.Certs = append(vd.Certs, c.Raw)
	}
	for _, p := range h.people[:h.signed] {
		vd.Certs = append(vd.Certs, p.chain[0].Raw)
		vd.OCSPs = append(vd.OCSPs, h.ocsp(p.chain[0], at))
	}
	return vd
}

// ocsp asks the CA's responder about cert at at.
func (h *hocBa) ocsp(cert *x509.Certificate, at time.Time) []byte {
	h.t.Helper()
	req, err := ocsp.CreateRequest(cert, h.ca.Issuing, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := h.ca.OCSP(req, at)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// addDSS appends validation data as of at (a DSS revision).
func (h *hocBa) addDSS(vd signer.ValidationData) {
	h.t.Helper()
	out, err := signer.AddValidationData(h.doc, vd)
	if err != nil {
		h.t.Fatal(err)
	}
	h.doc = out
}

// addDTS appends a document timestamp.
func (h *hocBa) addDTS() {
	h.t.Helper()
	out, err := signer.AddDocumentTimestamp(context.Background(), h.doc, h.tsa.client)
	if err != nil {
		h.t.Fatal(err)
	}
	h.doc = out
}

// opts trusts the CA and validates at at.
func (h *hocBa) opts(at time.Time) Options {
	return Options{Roots: []*x509.Certificate{h.ca.Root}, Now: func() time.Time { return at }}
}

// ---- Incremental updates written by hand, as a forger would. ----

// lastView opens data with the package's own reader and returns its
// newest revision.
func lastView(t testing.TB, data []byte) view {
	t.Helper()
	f, err := openPDFFile(data)
	if err != nil {
		t.Fatal(err)
	}
	return f.view(len(f.sections) - 1)
}

// revUpdate is an incremental update being written after data.
type revUpdate struct {
	t      testing.TB
	data   []byte
	v      view
	objs   map[int64]string // body ("" for a free entry)
	order  []int64
	raw    string // bytes written before the objects, listed nowhere
	info   *pdfObj
	noInfo bool
	extra  string // added to the trailer dictionary
}

func newRevUpdate(t testing.TB, data []byte) *revUpdate {
	t.Helper()
	return &revUpdate{t: t, data: data, v: lastView(t, data), objs: map[int64]string{}}
}

// set defines object num with body.
func (u *revUpdate) set(num int64, body string) *revUpdate {
	if _, ok := u.objs[num]; !ok {
		u.order = append(u.order, num)
	}
	u.objs[num] = body
	return u
}

// free marks object num free.
func (u *revUpdate) free(num int64) *revUpdate { return u.set(num, "") }

// add defines a new object and returns its number.
func (u *revUpdate) add(body string) int64 {
	num := u.size()
	u.set(num, body)
	return num
}

func (u *revUpdate) size() int64 {
	n := u.v.trailer().key("Size").n
	for _, k := range u.order {
		if k >= n {
			n = k + 1
		}
	}
	return n
}

// obj returns object num of the document as it stands.
func (u *revUpdate) obj(num int64) pdfObj {
	u.t.Helper()
	o, err := u.v.object(num)
	if err != nil {
		u.t.Fatal(err)
	}
	return o
}

// rootNum is the catalog's object number.
func (u *revUpdate) rootNum() int64 { return u.v.trailer().key("Root").n }

// bytes writes the update after the document.
func (u *revUpdate) bytes() []byte {
	u.t.Helper()
	prev, err := startXref(u.data)
	if err != nil {
		u.t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(u.data)
	b.WriteString(u.raw)
	offsets := map[int64]int{}
	for _, num := range u.order {
		if u.objs[num] == "" {
			continue
		}
		offsets[num] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", num, u.objs[num])
	}
	xref := b.Len()
	nums := slices.Clone(u.order)
	slices.Sort(nums)
	b.WriteString("xref\n")
	for _, num := range nums {
		if off, ok := offsets[num]; ok {
			fmt.Fprintf(&b, "%d 1\n%010d 00000 n \n", num, off)
		} else {
			fmt.Fprintf(&b, "%d 1\n0000000000 00001 f \n", num)
		}
	}
	tr := u.v.trailer()
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %s", u.size(), pdfString(tr.key("Root")))
	if info := tr.key("Info"); info.kind != objNull && !u.noInfo {
		if u.info != nil {
			info = *u.info
		}
		fmt.Fprintf(&b, " /Info %s", pdfString(info))
	}
	if id := tr.key("ID"); id.kind != objNull {
		fmt.Fprintf(&b, " /ID %s", pdfString(id))
	}
	fmt.Fprintf(&b, "%s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", u.extra, prev, xref)
	return b.Bytes()
}

// pdfString writes an object as PDF syntax: strings in hex, streams with
// their data and a direct /Length.
func pdfString(o pdfObj) string {
	var b strings.Builder
	writePDF(&b, o)
	return b.String()
}

func writePDF(b *strings.Builder, o pdfObj) {
	switch o.kind {
	case objNull:
		b.WriteString("null")
	case objBool:
		b.WriteString(strconv.FormatBool(o.b))
	case objInt:
		b.WriteString(strconv.FormatInt(o.n, 10))
	case objReal:
		b.WriteString(strconv.FormatFloat(o.f, 'f', -1, 64))
	case objString:
		b.WriteString("<" + hex.EncodeToString([]byte(o.s)) + ">")
	case objName:
		b.WriteString("/")
		for i := 0; i < len(o.s); i++ {
			c := o.s[i]
			if c <= ' ' || c >= 0x7f || strings.IndexByte("#()<>[]{}/%", c) >= 0 {
				fmt.Fprintf(b, "#%02X", c)
			} else {
				b.WriteByte(c)
			}
		}
	case objRef:
		fmt.Fprintf(b, "%d %d R", o.n, o.gen)
	case objArray:
		b.WriteString("[")
		for i, e := range o.a {
			if i > 0 {
				b.WriteString(" ")
			}
			writePDF(b, e)
		}
		b.WriteString("]")
	case objDict, objStream:
		keys := make([]string, 0, len(o.d))
		for k := range o.d {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("<<")
		for _, k := range keys {
			if o.kind == objStream && k == "Length" {
				continue
			}
			b.WriteString(" ")
			writePDF(b, pdfObj{kind: objName, s: k})
			b.WriteString(" ")
			writePDF(b, o.d[k])
		}
		if o.kind == objStream {
			fmt.Fprintf(b, " /Length %d >>\nstream\n", len(o.data))
			b.Write(o.data)
			b.WriteString("\nendstream")
			return
		}
		b.WriteString(" >>")
	}
}

// with returns a copy of dictionary o with key set to the PDF syntax value
// (parsed), or removed when value is "".
func with(t testing.TB, o pdfObj, key, value string) pdfObj {
	t.Helper()
	out := o
	out.d = map[string]pdfObj{}
	for k, v := range o.d {
		out.d[k] = v
	}
	if value == "" {
		delete(out.d, key)
		return out
	}
	v, err := newObjParser([]byte(value), 0).value(0)
	if err != nil {
		t.Fatalf("value %q: %v", value, err)
	}
	out.d[key] = v
	return out
}

// ref writes a reference.
func ref(num int64) string { return strconv.FormatInt(num, 10) + " 0 R" }

// pageNum returns the object number of page i (1-based).
func pageNum(t testing.TB, v view, i int) int64 {
	t.Helper()
	pages, _ := walkPages(v)
	if len(pages) < i {
		t.Fatalf("%d pages, want page %d", len(pages), i)
	}
	return pages[i-1].num
}

// fieldNum returns the object number of the form field named name.
func fieldNum(t testing.TB, v view, name string) int64 {
	t.Helper()
	fields, err := walkFields(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		if f.name == name && !f.widget {
			return f.num
		}
	}
	t.Fatalf("no field %q", name)
	return 0
}

// ---- RFC 3161 tokens built by hand, for what no real authority issues. ----

// tokenSpec describes a TimeStampToken for buildToken.
type tokenSpec struct {
	key     crypto.Signer
	cert    *x509.Certificate   // the authority's certificate
	certs   []*x509.Certificate // the token's certificates; nil: cert
	genTime string              // GeneralizedTime text; "" for 20260701080000Z
	hash    crypto.Hash         // of the imprint; default SHA-256
	message []byte              // what is time-stamped
	imprint []byte              // the imprint instead of hash(message)
	corrupt bool                // flip a bit of the token's signature
	noESS   bool                // no signing-certificate attribute
}

// buildToken builds a TimeStampToken: a TSTInfo, then a CMS SignedData
// encapsulating it.
func buildToken(t testing.TB, spec tokenSpec) []byte {
	t.Helper()
	if spec.hash == 0 {
		spec.hash = crypto.SHA256
	}
	if spec.genTime == "" {
		spec.genTime = "20260701080000Z"
	}
	imprint := spec.imprint
	if imprint == nil {
		h := spec.hash.New()
		h.Write(spec.message)
		imprint = h.Sum(nil)
	}
	tst, err := asn1.Marshal(struct {
		Version        int
		Policy         asn1.ObjectIdentifier
		MessageImprint struct {
			Alg    struct{ OID asn1.ObjectIdentifier }
			Hashed []byte
		}
		Serial  *big.Int
		GenTime asn1.RawValue
	}{
		Version: 1,
		Policy:  asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2},
		MessageImprint: struct {
			Alg    struct{ OID asn1.ObjectIdentifier }
			Hashed []byte
		}{struct{ OID asn1.ObjectIdentifier }{hashOID(t, spec.hash)}, imprint},
		Serial:  big.NewInt(42),
		GenTime: asn1.RawValue{Tag: asn1.TagGeneralizedTime, Bytes: []byte(spec.genTime)},
	})
	if err != nil {
		t.Fatal(err)
	}
	cs := cmsSpec{key: spec.key, cert: spec.cert, certs: spec.certs, withContent: true,
		eContentType: oidTSTInfo, contentType: oidTSTInfo, corruptSig: spec.corrupt}
	if !spec.noESS {
		cs.essCert = spec.cert
	}
	return buildCMS(t, tst, cs)
}

// timestampAttribute wraps a token as an id-aa-signatureTimeStampToken
// attribute.
func timestampAttribute(t testing.TB, token []byte) []byte {
	t.Helper()
	der, err := asn1.Marshal(struct {
		Type   asn1.ObjectIdentifier
		Values []asn1.RawValue `asn1:"set"`
	}{oidAttrTimeStampToken, []asn1.RawValue{{FullBytes: token}}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}
