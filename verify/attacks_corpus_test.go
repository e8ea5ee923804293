package verify

// The attack corpus: genuine documents signed by kyso's own signer (package
// signer, pages from package pdf, a development PKI from devca, a
// time-stamping authority from tsa), and every attack of the classes listed
// in testdata/attacks/README.md built from them. attacks_test.go checks the
// verdicts and compares them with poppler's pdfsig.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/cms"
	kpdf "github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/tsa"
)

// atkNow is the corpus's pinned signing time; atkValidation is when its
// verdicts are computed (the certificates are valid then for years).
var (
	atkNow        = time.Date(2026, 7, 1, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	atkValidation = atkNow.Add(24 * time.Hour)
)

// atkCertValidity is asked for every certificate of the corpus (devca caps
// it at the issuing CA's ten years): pdfsig checks certificates at the time
// it runs, and the committed files should keep their verdicts.
const atkCertValidity = 10 * 365 * 24 * time.Hour

// atkOrg names the school's CA; the look-alike CA copies it.
const atkOrg = "Sở Giáo dục và Đào tạo Vĩnh Long"

// Attack classes, as the README and docs/ATTACKS.md name them.
const (
	atkGenuine    = "genuine (control)"
	atkUSF        = "universal signature forgery"
	atkISA        = "incremental saving"
	atkSWA        = "signature wrapping"
	atkShadow     = "shadow"
	atkEAA        = "evil annotation"
	atkSSA        = "sneaky signature"
	atkByteRange  = "byte range"
	atkCMS        = "CMS swap"
	atkForged     = "forged signature appended"
	atkStripped   = "signature stripped"
	atkUnparsable = "unparsable signature"
	atkDiscovery  = "signature discovery"
	atkImpostor   = "impostor"
)

// atkCase is one file of the corpus with kyso's expected verdict.
type atkCase struct {
	name  string // file name without ".pdf"
	class string
	what  string // the manipulation, one sentence
	ind   Indication
	sub   SubIndication
	data  []byte
}

// atkSigner is a person with a key and a certificate chain (leaf first).
type atkSigner struct {
	field, name, title string
	after              []string
	key                crypto.Signer
	chain              []*x509.Certificate
}

// atkCorpus is the PKI, the renderer and the genuine documents.
type atkCorpus struct {
	ca, lookalike *devca.CA
	r             *kpdf.Renderer
	ts            signer.Timestamper
	tsaChain      []*x509.Certificate

	hocba     []*atkSigner // the five signers of the học bạ, in legal order
	principal *atkSigner   // the principal: hocba[3]
	solo      *atkSigner   // the principal signing a one-field document
	insider   *atkSigner   // a teacher of the school: trusted, named in no field
	fake      *atkSigner   // the principal's name under the look-alike CA

	single         []byte    // one page, one field, signed by the principal
	singleUnsigned []byte    // the same before signing
	other          []byte    // another pupil's transcript, signed by the principal
	stages         [6][]byte // the học bạ unsigned (0) and after each signer
	p3             []byte    // certified with DocMDP P=3, one more field to sign
	p3Unsigned     []byte
	shadow         []byte // the shadow-prepared transcript, certified by its first signer
	shadowSigners  [2]*atkSigner
	shadowRefs     atkShadowRefs
}

// newAtkCorpus builds the PKI and the genuine documents. Randomness comes
// from the test's seeded global source (see buildAttackCorpus).
func newAtkCorpus(t *testing.T) *atkCorpus {
	t.Helper()
	c := &atkCorpus{}
	var err error
	if c.ca, err = devca.New(rand.Reader, atkNow, devca.Options{Organization: atkOrg}); err != nil {
		t.Fatal(err)
	}
	if c.lookalike, err = devca.New(rand.Reader, atkNow, devca.Options{Organization: atkOrg}); err != nil {
		t.Fatal(err)
	}
	if c.r, err = kpdf.NewRenderer(); err != nil {
		t.Fatal(err)
	}
	c.ts, c.tsaChain = atkTSA(t, c.ca)
	c.hocba = []*atkSigner{
		{field: "gvbm-toan", name: "Nguyễn Văn Nghĩa", title: "Giáo viên bộ môn Toán"},
		{field: "gvbm-ngu_van", name: "Lê Thị Hoa", title: "Giáo viên bộ môn Ngữ văn"},
		{field: "gvcn", name: "Phạm Thị Thu Hằng", title: "Giáo viên chủ nhiệm", after: []string{"gvbm-toan", "gvbm-ngu_van"}},
		{field: "hieu_truong", name: "Trần Văn Bình", title: "Hiệu trưởng", after: []string{"gvbm-toan", "gvbm-ngu_van", "gvcn"}},
		{field: "con_dau", name: "Trường THPT Chuyên Vĩnh Long", title: "Dấu của nhà trường",
			after: []string{"gvbm-toan", "gvbm-ngu_van", "gvcn", "hieu_truong"}},
	}
	for _, s := range c.hocba {
		c.issue(t, c.ca, s)
	}
	c.principal = c.hocba[3]
	solo := *c.principal
	solo.after = nil
	c.solo = &solo
	c.insider = &atkSigner{name: "Đỗ Minh Tâm", title: "Giáo viên bộ môn Vật lý"}
	c.issue(t, c.ca, c.insider)
	c.fake = &atkSigner{name: c.principal.name, title: c.principal.title}
	c.issue(t, c.lookalike, c.fake)

	// One page, one field: the principal's approval signature.
	c.singleUnsigned = c.render(t, "BẢNG ĐIỂM HỌC KỲ I – Nguyễn Thị Lan – Lớp 12A2", atkGrades, 1,
		[]kpdf.SignatureField{c.field(c.principal, 1, 120, 200, false)})
	c.single = c.sign(t, c.singleUnsigned, c.solo, signer.NotCertified)
	other := c.render(t, "BẢNG ĐIỂM HỌC KỲ I – Võ Văn Khánh – Lớp 12A2", []string{"Toán: 8,0", "Ngữ văn: 6,5", "Tiếng Anh: 9,0"}, 1,
		[]kpdf.SignatureField{c.field(c.principal, 1, 120, 200, false)})
	c.other = c.sign(t, other, c.solo, signer.NotCertified)

	// The học bạ: two pages, five fields; the first certifies (P=2), the
	// seal locks.
	var fields []kpdf.SignatureField
	for i, s := range c.hocba {
		page, x, y := 1, 20.0+float64(i)*90, 200.0
		if i >= 2 {
			page, x, y = 2, 10+float64(i-2)*65, 200
		}
		fields = append(fields, c.field(s, page, x, y, i == 4))
	}
	c.stages[0] = c.render(t, "HỌC BẠ – Trần Thị Ĩnh Nghĩa – Lớp 10A1", atkGrades, 2, fields)
	for i, s := range c.hocba {
		cert := signer.NotCertified
		if i == 0 {
			cert = signer.CertifyFormFilling
		}
		c.stages[i+1] = c.sign(t, c.stages[i], s, cert)
	}

	// Certified with P=3 (annotations allowed).
	p3a := &atkSigner{field: "gvcn", name: c.hocba[2].name, title: c.hocba[2].title, key: c.hocba[2].key, chain: c.hocba[2].chain}
	p3b := &atkSigner{field: "hieu_truong", name: c.principal.name, title: c.principal.title, key: c.principal.key, chain: c.principal.chain}
	c.p3Unsigned = c.render(t, "NHẬN XÉT CUỐI NĂM – Trần Thị Ĩnh Nghĩa – Lớp 10A1", atkGrades, 1,
		[]kpdf.SignatureField{c.field(p3a, 1, 20, 200, false), c.field(p3b, 1, 120, 200, false)})
	c.p3 = c.sign(t, c.p3Unsigned, p3a, signer.CertifyAnnotations)

	c.shadowSigners = [2]*atkSigner{p3a, p3b}
	c.shadow = c.sign(t, c.shadowPrepared(t), p3a, signer.CertifyFormFilling)
	return c
}

// atkGrades are the grades printed on the genuine documents.
var atkGrades = []string{"Toán: 4,5", "Ngữ văn: 7,0", "Tiếng Anh: 5,5", "Hạnh kiểm: Khá"}

func (c *atkCorpus) issue(t *testing.T, ca *devca.CA, s *atkSigner) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: s.name, Title: s.title, Organization: "Trường THPT Chuyên Vĩnh Long"}, atkNow, atkCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	s.key, s.chain = key, append([]*x509.Certificate{leaf}, ca.Chain()...)
}

// atkTSA starts a time-stamping authority of ca on a loopback port.
func atkTSA(t *testing.T, ca *devca.CA) (*tsa.Client, []*x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueTimestamping(rand.Reader, key.Public(), devca.Subject{CommonName: "kyso TSA (thử nghiệm)"}, atkNow.Add(-time.Hour), atkCertValidity)
	if err != nil {
		t.Fatal(err)
	}
	chain := append([]*x509.Certificate{cert}, ca.Chain()...)
	auth, err := tsa.NewAuthority(key, chain, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, func() time.Time { return atkNow }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(auth)
	t.Cleanup(srv.Close)
	return &tsa.Client{URL: srv.URL, Timeout: 10 * time.Second}, chain
}

// field is the pre-placed signature field of s.
func (c *atkCorpus) field(s *atkSigner, page int, x, y float64, lock bool) kpdf.SignatureField {
	return kpdf.SignatureField{Name: s.field, Page: page, Rect: kpdf.Rect{X: x, Y: y, W: 60, H: 30},
		Tooltip: s.title + ": " + s.name, SignerName: s.name, Lock: lock}
}

// render draws a transcript: a title and lines of grades on page 1, a
// remark on page 2 when pages is 2, and the signature fields.
func (c *atkCorpus) render(t *testing.T, title string, lines []string, pages int, fields []kpdf.SignatureField) []byte {
	t.Helper()
	d, err := c.r.NewDocument(kpdf.Options{Created: atkNow, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(kpdf.Bold, 14)
	d.Text(20, 20, title)
	d.SetFont(kpdf.Regular, 12)
	for i, l := range lines {
		d.Text(20, 40+float64(i)*10, l)
	}
	if pages == 2 {
		d.AddPage()
		d.Text(20, 20, "Nhận xét của giáo viên chủ nhiệm: chăm ngoan, học khá.")
	}
	for _, f := range fields {
		d.SignatureField(f)
	}
	out, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sign has s sign its pre-placed field (a new invisible one when s.field is
// empty) with kyso's signer and a visible appearance.
func (c *atkCorpus) sign(t *testing.T, in []byte, s *atkSigner, cert signer.Certification) []byte {
	t.Helper()
	return c.signWith(t, in, s, signer.Options{Certify: cert})
}

func (c *atkCorpus) signWith(t *testing.T, in []byte, s *atkSigner, o signer.Options) []byte {
	t.Helper()
	o.Field, o.After, o.Name, o.Time = s.field, s.after, s.name, atkNow
	o.Reason, o.Location = "Ký học bạ năm học 2025–2026", "Vĩnh Long"
	if s.field != "" {
		o.Appearance = &signer.Appearance{Renderer: c.r, Title: s.title}
	}
	out, err := signer.Sign(context.Background(), in, s.key, s.chain, o)
	if err != nil {
		t.Fatalf("%s signs: %v", s.name, err)
	}
	return out
}

// ---- Building blocks of the manipulations ----

const atkPageHeightPt = 841.89

// atkMMToPt converts a top-left millimetre position of a w×h mm box to the PDF
// user-space position of its lower-left corner.
func atkMMToPt(x, y, h float64) (float64, float64) {
	return x * kpdf.PointsPerMM, atkPageHeightPt - (y+h)*kpdf.PointsPerMM
}

// xobject renders a w×h mm form XObject with kyso's renderer (embedded
// Vietnamese font), numbered from first; opaque paints it white first.
func (c *atkCorpus) xobject(t *testing.T, first int, w, h float64, opaque bool, lines ...string) []atkObj {
	t.Helper()
	x, err := c.r.NewFormXObject(w, h, func(d *kpdf.Document) {
		if opaque {
			d.SetFillColor(kpdf.RGB{R: 255, G: 255, B: 255})
			d.Rect(kpdf.Rect{X: 0, Y: 0, W: w, H: h}, kpdf.Fill)
		}
		d.SetFont(kpdf.Regular, 12)
		for i, l := range lines {
			d.Text(0, 6+float64(i)*10, l)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var objs []atkObj
	for i, b := range x.Objects(first) {
		objs = append(objs, atkObj{num: first + i, body: string(b)})
	}
	return objs
}

// atkDraw is a content stream placing XObject /name at a top-left mm
// position for a box h mm high.
func atkDraw(name string, x, y, h float64) string {
	px, py := atkMMToPt(x, y, h)
	return fmt.Sprintf("q 1 0 0 1 %.2f %.2f cm /%s Do Q", px, py, name)
}

// withXObject returns the page dictionary of page with direct resources:
// its own, plus the XObject /name.
func (f *atkFile) withXObject(t *testing.T, page int, name string, num int) *atkDict {
	t.Helper()
	pd := f.dict(t, page).clone()
	res := f.resolveDict(t, pd.get("Resources")).clone()
	xo := &atkDict{vals: map[string]string{}}
	if v := res.get("XObject"); v != "" {
		xo = f.resolveDict(t, v).clone()
	}
	xo.set(name, fmt.Sprintf("%d 0 R", num))
	res.set("XObject", xo.String())
	pd.set("Resources", res.String())
	return pd
}

// contentsOf returns a page's /Contents as a list of references.
func (f *atkFile) contentsOf(t *testing.T, page int) []string {
	t.Helper()
	return atkRefs(f.dict(t, page).get("Contents"))
}

// atkForgedGrade is what the attacker wants the transcript to say.
const atkForgedGrade = "Toán: 9,5"

// overlay appends an update drawing an opaque box with atkForgedGrade over the
// real grade of page 1 (a second content stream on the page).
func (c *atkCorpus) overlay(t *testing.T, in []byte) []byte {
	t.Helper()
	f := atkParse(t, in)
	page := f.pageNum(t, 1)
	xo := f.size
	objs := c.xobject(t, xo, 60, 9, true, atkForgedGrade)
	cs := xo + len(objs)
	pd := f.withXObject(t, page, "AtkOverlay", xo)
	pd.set("Contents", "["+strings.Join(append(f.contentsOf(t, page), fmt.Sprintf("%d 0 R", cs)), " ")+"]")
	objs = append(objs, atkObj{num: cs, body: atkStream(atkDraw("AtkOverlay", 19, 34, 9), "")},
		atkObj{num: page, body: pd.String()})
	return atkAppend(t, f, objs, atkUpdateOpts{})
}

// replaceContent appends an update giving page 1 a new content stream that
// redraws the page with the forged grade.
func (c *atkCorpus) replaceContent(t *testing.T, in []byte) []byte {
	t.Helper()
	f := atkParse(t, in)
	page := f.pageNum(t, 1)
	xo := f.size
	lines := append([]string{"BẢNG ĐIỂM (bản đã sửa)", atkForgedGrade}, atkGrades[1:]...)
	objs := c.xobject(t, xo, 150, 60, true, lines...)
	cs := xo + len(objs)
	pd := f.withXObject(t, page, "AtkPage", xo)
	pd.set("Contents", fmt.Sprintf("%d 0 R", cs))
	objs = append(objs, atkObj{num: cs, body: atkStream(atkDraw("AtkPage", 20, 14, 60), "")},
		atkObj{num: page, body: pd.String()})
	return atkAppend(t, f, objs, atkUpdateOpts{})
}

// addPage appends an update adding a page with forged grades at the end of
// the page tree.
func (c *atkCorpus) addPage(t *testing.T, in []byte) []byte {
	t.Helper()
	f := atkParse(t, in)
	pagesNum := atkRefNum(t, f.dict(t, f.rootNum(t)).get("Pages"))
	pages := f.dict(t, pagesNum).clone()
	xo := f.size
	objs := c.xobject(t, xo, 150, 30, false, "PHỤ LỤC ĐIỂM BỔ SUNG", atkForgedGrade, "Vật lý: 10")
	cs := xo + len(objs)
	pg := cs + 1
	kids := atkRefs(pages.get("Kids"))
	pages.set("Kids", "["+strings.Join(append(kids, fmt.Sprintf("%d 0 R", pg)), " ")+"]")
	pages.set("Count", fmt.Sprint(len(kids)+1))
	objs = append(objs,
		atkObj{num: cs, body: atkStream(atkDraw("AtkAnnex", 20, 20, 30), "")},
		atkObj{num: pg, body: fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595.28 841.89] /Resources << /XObject << /AtkAnnex %d 0 R >> >> /Contents %d 0 R >>", pagesNum, xo, cs)},
		atkObj{num: pagesNum, body: pages.String()})
	return atkAppend(t, f, objs, atkUpdateOpts{})
}

// newCatalog appends an update with a new catalog (a new object number)
// whose page tree has one forged page, and points the trailer at it; the
// interactive form is kept, so the signature is still listed.
func (c *atkCorpus) newCatalog(t *testing.T, in []byte) []byte {
	t.Helper()
	f := atkParse(t, in)
	cat := f.dict(t, f.rootNum(t)).clone()
	xo := f.size
	lines := append([]string{"BẢNG ĐIỂM (bản đã sửa)", atkForgedGrade}, atkGrades[1:]...)
	objs := c.xobject(t, xo, 150, 60, false, lines...)
	cs := xo + len(objs)
	pg, pages, root := cs+1, cs+2, cs+3
	// The field's widget stays on its page, now in no page tree.
	cat.set("Pages", fmt.Sprintf("%d 0 R", pages))
	objs = append(objs,
		atkObj{num: cs, body: atkStream(atkDraw("AtkPage", 20, 14, 60), "")},
		atkObj{num: pg, body: fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595.28 841.89] /Resources << /XObject << /AtkPage %d 0 R >> >> /Contents %d 0 R >>", pages, xo, cs)},
		atkObj{num: pages, body: fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", pg)},
		atkObj{num: root, body: cat.String()})
	return atkAppend(t, f, objs, atkUpdateOpts{root: fmt.Sprintf("%d 0 R", root)})
}

// noXref appends, with no cross-reference section and no trailer, a new
// definition of page 1's content stream drawing the forged grade (a
// repairing reader takes the last definition of an object number).
func (c *atkCorpus) noXref(t *testing.T, in []byte) []byte {
	t.Helper()
	f := atkParse(t, in)
	page := f.pageNum(t, 1)
	cs := atkRefNum(t, f.contentsOf(t, page)[0])
	forged := "BT /F1 12 Tf 56.69 733.0 Td (Toan: 9,5) Tj ET"
	return atkAppend(t, f, []atkObj{{num: cs, body: atkStream(forged, "")}}, atkUpdateOpts{noXref: true})
}

// annotate appends an update adding an annotation of subtype kind over
// the real grade of page 1 whose appearance shows the forged grade.
func (c *atkCorpus) annotate(t *testing.T, in []byte, kind string) []byte {
	t.Helper()
	f := atkParse(t, in)
	page := f.pageNum(t, 1)
	xo := f.size
	objs := c.xobject(t, xo, 60, 9, true, atkForgedGrade)
	annot := xo + len(objs)
	x0, y0 := atkMMToPt(19, 34, 9)
	rect := fmt.Sprintf("[%.2f %.2f %.2f %.2f]", x0, y0, x0+60*kpdf.PointsPerMM, y0+9*kpdf.PointsPerMM)
	body := fmt.Sprintf("<< /Type /Annot /Subtype /%s /Rect %s /F 4 /P %d 0 R /Contents (%s) /AP << /N %d 0 R >>", kind, rect, page, "Toan: 9,5", xo)
	if kind == "FreeText" {
		body += " /DA (/Helv 12 Tf 0 g)"
	}
	body += " >>"
	pd := f.dict(t, page).clone()
	pd.set("Annots", "["+strings.Join(append(atkRefs(pd.get("Annots")), fmt.Sprintf("%d 0 R", annot)), " ")+"]")
	objs = append(objs, atkObj{num: annot, body: body}, atkObj{num: page, body: pd.String()})
	return atkAppend(t, f, objs, atkUpdateOpts{})
}

// sneakyField appends an update adding a new signature field (not one of
// the pre-placed ones) whose widget's appearance paints the forged grade
// over the real one. The caller may then sign it.
func (c *atkCorpus) sneakyField(t *testing.T, in []byte, name string) []byte {
	t.Helper()
	f := atkParse(t, in)
	page := f.pageNum(t, 1)
	xo := f.size
	objs := c.xobject(t, xo, 60, 9, true, atkForgedGrade)
	field := xo + len(objs)
	x0, y0 := atkMMToPt(19, 34, 9)
	rect := fmt.Sprintf("[%.2f %.2f %.2f %.2f]", x0, y0, x0+60*kpdf.PointsPerMM, y0+9*kpdf.PointsPerMM)
	objs = append(objs, atkObj{num: field, body: fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /F 4 /Rect %s /P %d 0 R /AP << /N %d 0 R >> >>", name, rect, page, xo)})
	pd := f.dict(t, page).clone()
	pd.set("Annots", "["+strings.Join(append(atkRefs(pd.get("Annots")), fmt.Sprintf("%d 0 R", field)), " ")+"]")
	objs = append(objs, atkObj{num: page, body: pd.String()})
	objs = append(objs, f.withField(t, fmt.Sprintf("%d 0 R", field))...)
	return atkAppend(t, f, objs, atkUpdateOpts{})
}

// withField returns the objects that add a field reference to the form's
// /Fields (the form object, or the catalog when the form is direct).
func (f *atkFile) withField(t *testing.T, ref string) []atkObj {
	t.Helper()
	root := f.rootNum(t)
	cat := f.dict(t, root).clone()
	formV := cat.get("AcroForm")
	form := f.resolveDict(t, formV).clone()
	form.set("Fields", "["+strings.Join(append(atkRefs(form.get("Fields")), ref), " ")+"]")
	if strings.HasSuffix(formV, "R") {
		return []atkObj{{num: atkRefNum(t, formV), body: form.String()}}
	}
	cat.set("AcroForm", form.String())
	return []atkObj{{num: root, body: cat.String()}}
}

// ---- Signature dictionary and CMS surgery ----

// atkCMSOf returns the DER CMS in the gap of sig (without the zero padding).
func atkCMSOf(t *testing.T, data []byte, sig atkSigDict) []byte {
	t.Helper()
	raw, err := hex.DecodeString(string(data[sig.hexStart+1 : sig.hexEnd-1]))
	if err != nil {
		t.Fatal(err)
	}
	s := cryptobyte.String(raw)
	var el cryptobyte.String
	if !s.ReadASN1Element(&el, cbasn1.SEQUENCE) {
		t.Fatal("no DER SEQUENCE in /Contents")
	}
	return el
}

// atkPutCMS writes der into the gap of sig, padded with zeros.
func atkPutCMS(t *testing.T, data []byte, sig atkSigDict, der []byte) []byte {
	t.Helper()
	h := hex.EncodeToString(der)
	room := sig.hexEnd - sig.hexStart - 2
	if len(h) > room {
		t.Fatalf("CMS of %d bytes does not fit %d hex digits", len(der), room)
	}
	out := bytes.Clone(data)
	copy(out[sig.hexStart+1:], h+strings.Repeat("0", room-len(h)))
	return out
}

// atkSignRanges makes a CMS signature by s over the given byte ranges of data
// ([start, length] pairs, clipped to the file) and writes it into the gap
// of sig: what a signer holding the key would produce for those ranges.
func atkSignRanges(t *testing.T, data []byte, sig atkSigDict, ranges [][2]int, s *atkSigner) []byte {
	t.Helper()
	h := sha256.New()
	for _, r := range ranges {
		from, to := max(0, r[0]), min(len(data), r[0]+r[1])
		if from < to {
			h.Write(data[from:to])
		}
	}
	der, err := cms.Sign(rand.Reader, h.Sum(nil), s.key, s.chain, cms.Options{Hash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	return atkPutCMS(t, data, sig, der)
}

// atkRewriteCMS re-encodes a ContentInfo(SignedData) with the certificates
// field replaced by certs (omitted when nil) and, when sid is not nil, the
// SignerInfo's issuerAndSerialNumber replaced by sid's. The signature value
// and signed attributes are kept.
func atkRewriteCMS(t *testing.T, der []byte, certs []*x509.Certificate, sid *x509.Certificate) []byte {
	t.Helper()
	in := cryptobyte.String(der)
	var ci, sd, content cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&oid) ||
		!ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !content.ReadASN1(&sd, cbasn1.SEQUENCE) {
		t.Fatal("not a ContentInfo(SignedData)")
	}
	var version, digestAlgs, encap, signerInfos cryptobyte.String
	if !sd.ReadASN1Element(&version, cbasn1.INTEGER) || !sd.ReadASN1Element(&digestAlgs, cbasn1.SET) ||
		!sd.ReadASN1Element(&encap, cbasn1.SEQUENCE) {
		t.Fatal("malformed SignedData")
	}
	sd.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific())
	var crls cryptobyte.String
	hasCRLs := sd.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific())
	if hasCRLs && !sd.ReadASN1Element(&crls, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		t.Fatal("malformed CRLs")
	}
	if !sd.ReadASN1(&signerInfos, cbasn1.SET) {
		t.Fatal("malformed SignedData")
	}
	var si cryptobyte.String
	if !signerInfos.ReadASN1(&si, cbasn1.SEQUENCE) {
		t.Fatal("no SignerInfo")
	}
	var siVersion, siSID cryptobyte.String
	if !si.ReadASN1Element(&siVersion, cbasn1.INTEGER) || !si.ReadASN1Element(&siSID, cbasn1.SEQUENCE) {
		t.Fatal("malformed SignerInfo")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(version)
				b.AddBytes(digestAlgs)
				b.AddBytes(encap)
				if certs != nil {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, c := range certs {
							b.AddBytes(c.Raw)
						}
					})
				}
				if hasCRLs {
					b.AddBytes(crls)
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(siVersion)
						if sid != nil {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddBytes(sid.RawIssuer)
								b.AddASN1BigInt(sid.SerialNumber)
							})
						} else {
							b.AddBytes(siSID)
						}
						b.AddBytes(si)
					})
				})
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ---- Long-term validation of the học bạ ----

// withLTV returns stage 5 with a DSS (B-LT) and then a document timestamp
// (B-LTA), both made by kyso's signer.
func (c *atkCorpus) withLTV(t *testing.T) (lt, lta []byte) {
	t.Helper()
	crl, err := c.ca.CRL(rand.Reader, atkNow)
	if err != nil {
		t.Fatal(err)
	}
	vd := signer.ValidationData{CRLs: [][]byte{crl}}
	for _, cert := range c.ca.Chain() {
		vd.Certs = append(vd.Certs, cert.Raw)
	}
	vd.Certs = append(vd.Certs, c.tsaChain[0].Raw)
	for _, s := range c.hocba {
		req, err := ocsp.CreateRequest(s.chain[0], s.chain[1], nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.ca.OCSP(req, atkNow)
		if err != nil {
			t.Fatal(err)
		}
		vd.Certs = append(vd.Certs, s.chain[0].Raw)
		vd.OCSPs = append(vd.OCSPs, resp)
	}
	if lt, err = signer.AddValidationData(c.stages[5], vd); err != nil {
		t.Fatal(err)
	}
	if lta, err = signer.AddDocumentTimestamp(context.Background(), lt, c.ts); err != nil {
		t.Fatal(err)
	}
	return lt, lta
}

// handRevision is a signing revision written by hand (kyso's signer writes
// no such thing) and signed with s's key: a new signature field named name
// holding this revision's signature. Without annot its widget is visible
// and its appearance paints the forged grade over the real one (the sneaky
// signature attack); with annot the field is invisible and the same
// revision adds a FreeText annotation painting the forged grade (an evil
// annotation hidden in a signing revision).
//
// With plain, the field is invisible and nothing else is added: the
// control that shows the hand-written revision itself is acceptable.
func (c *atkCorpus) handRevision(t *testing.T, in []byte, name string, annot, plain bool, s *atkSigner) []byte {
	t.Helper()
	const reserve = 8192
	f := atkParse(t, in)
	page := f.pageNum(t, 1)
	xo := f.size
	var objs []atkObj
	if !plain {
		objs = c.xobject(t, xo, 60, 9, true, atkForgedGrade)
	}
	field := xo + len(objs)
	sigNum := field + 1
	rect := atkRect(19, 34, 60, 9)
	newAnnots := []string{fmt.Sprintf("%d 0 R", field)}
	if annot || plain {
		objs = append(objs, atkObj{num: field, body: fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /F 132 /Rect [0 0 0 0] /P %d 0 R /V %d 0 R >>", name, page, sigNum)})
	}
	if annot {
		ft := sigNum + 1
		objs = append(objs, atkObj{num: ft, body: fmt.Sprintf("<< /Type /Annot /Subtype /FreeText /Rect %s /F 4 /P %d 0 R /Contents (Toan: 9,5) /DA (/Helv 12 Tf 0 g) /AP << /N %d 0 R >> >>", rect, page, xo)})
		newAnnots = append(newAnnots, fmt.Sprintf("%d 0 R", ft))
	}
	if !annot && !plain {
		objs = append(objs, atkObj{num: field, body: fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /F 4 /Rect %s /P %d 0 R /V %d 0 R /AP << /N %d 0 R >> >>", name, rect, page, sigNum, xo)})
	}
	placeholder := "[0 0000000000 0000000000 0000000000]"
	objs = append(objs, atkObj{num: sigNum, body: "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange " + placeholder +
		" /Contents <" + strings.Repeat("0", 2*reserve) + "> /M (D:20260701080000+07'00') >>"})
	pd := f.dict(t, page).clone()
	pd.set("Annots", "["+strings.Join(append(atkRefs(pd.get("Annots")), newAnnots...), " ")+"]")
	objs = append(objs, atkObj{num: page, body: pd.String()})
	objs = append(objs, f.withField(t, fmt.Sprintf("%d 0 R", field))...)
	out := atkAppend(t, f, objs, atkUpdateOpts{})

	p := bytes.LastIndex(out, []byte(placeholder))
	q := p + bytes.Index(out[p:], []byte("/Contents <")) + len("/Contents ")
	end := q + 2*reserve + 2
	br := fmt.Sprintf("[0 %d %d %d", q, end, len(out)-end)
	copy(out[p:], br+strings.Repeat(" ", len(placeholder)-len(br)-1)+"]")
	return atkSignRanges(t, out, atkSigDict{hexStart: q, hexEnd: end}, [][2]int{{0, q}, {end, len(out) - end}}, s)
}

// fillField is a signing revision written by hand (kyso's signer refuses
// it): the empty pre-placed field name gets s's signature as its value, the
// field otherwise unchanged, its seed value naming someone else.
func (c *atkCorpus) fillField(t *testing.T, in []byte, name string, s *atkSigner) []byte {
	t.Helper()
	const reserve = 8192
	f := atkParse(t, in)
	fieldNum := f.fieldNum(t, name)
	sigNum := f.size
	placeholder := "[0 0000000000 0000000000 0000000000]"
	fd := f.dict(t, fieldNum).clone()
	fd.set("V", fmt.Sprintf("%d 0 R", sigNum))
	objs := []atkObj{
		{num: sigNum, body: "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange " + placeholder +
			" /Contents <" + strings.Repeat("0", 2*reserve) + "> /M (D:20260701080000+07'00') >>"},
		{num: fieldNum, body: fd.String()},
	}
	out := atkAppend(t, f, objs, atkUpdateOpts{})
	p := bytes.LastIndex(out, []byte(placeholder))
	q := p + bytes.Index(out[p:], []byte("/Contents <")) + len("/Contents ")
	end := q + 2*reserve + 2
	br := fmt.Sprintf("[0 %d %d %d", q, end, len(out)-end)
	copy(out[p:], br+strings.Repeat(" ", len(placeholder)-len(br)-1)+"]")
	return atkSignRanges(t, out, atkSigDict{hexStart: q, hexEnd: end}, [][2]int{{0, q}, {end, len(out) - end}}, s)
}
