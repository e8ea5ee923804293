package verify

// Shadow attacks (Mainka et al., "Shadow Attacks: Hiding and Replacing
// Content in Signed PDFs", NDSS 2021): the attacker prepares the document
// BEFORE it is signed, hiding content or unused objects in it; after the
// signature an incremental update reveals or swaps them while changing
// only what looks harmless.

import (
	"fmt"
	"strings"
	"testing"

	kpdf "github.com/kyso-vn/kyso/pdf"
)

// Objects of the shadow-prepared document that the attacks change.
type atkShadowRefs struct {
	cover    int // opaque XObject hiding the forged maths grade under the real one
	literat  int // XObject drawing the literature grade
	font     int // Type1 font drawing the English grade
	ocConfig int // optional-content configuration: which group shows
	ocOn     int // group with the real conduct grade (ON)
	ocOff    int // group with the forged conduct grade (OFF)
	txField  int // text field with the rank, filled, with its appearance
	hidden   int // content stream referenced by nothing: a forged page
	page     int
}

// shadowPrepared renders a transcript whose grades are drawn by
// hand-written objects that the shadow attacks can later reveal or swap:
//
//   - Toán: the forged "9,5" is drawn, then an opaque cover XObject with the
//     real "4,5" on top (hide: emptying the cover reveals the forgery);
//   - Ngữ văn: an XObject with the real grade (replace: a new XObject with
//     the same object number);
//   - Tiếng Anh: a standard Type1 font (replace: a font with an /Encoding
//     that draws '5' as '9');
//   - Hạnh kiểm: two optional content groups, the real grade ON, the forged
//     one OFF (hide-and-replace: the configuration is swapped);
//   - Xếp loại: a filled text field (replace: another value and appearance);
//   - an unused content stream painting a forged grade list (hide-and-
//     replace: the page's /Contents starts using it).
func (c *atkCorpus) shadowPrepared(t *testing.T) []byte {
	t.Helper()
	a, b := c.shadowSigners[0], c.shadowSigners[1]
	base := c.render(t, "BẢNG ĐIỂM HỌC KỲ II – Nguyễn Thị Lan – Lớp 12A2", nil, 1,
		[]kpdf.SignatureField{c.field(a, 1, 20, 200, false), c.field(b, 1, 120, 200, false)})
	f := atkParse(t, base)
	var objs []atkObj
	next := f.size
	alloc := func(list []atkObj) int {
		objs = append(objs, list...)
		first := list[0].num
		next = list[len(list)-1].num + 1
		return first
	}
	forgedToan := alloc(c.xobject(t, next, 60, 9, false, atkForgedGrade))
	cover := alloc(c.xobject(t, next, 60, 9, true, atkGrades[0]))
	literat := alloc(c.xobject(t, next, 60, 9, false, atkGrades[1]))
	hkReal := alloc(c.xobject(t, next, 60, 9, false, atkGrades[3]))
	hkForged := alloc(c.xobject(t, next, 60, 9, false, "Hạnh kiểm: Tốt"))
	rankAP := alloc(c.xobject(t, next, 60, 9, false, "Xếp loại: Khá"))
	hiddenXO := alloc(c.xobject(t, next, 150, 38, true, atkForgedGrade, "Ngữ văn: 9,0", "Tiếng Anh: 9,0", "Hạnh kiểm: Tốt"))
	r := atkShadowRefs{page: f.pageNum(t, 1)}
	r.font, r.ocOn, r.ocOff, r.ocConfig, r.txField, r.hidden = next, next+1, next+2, next+3, next+4, next+5
	content := next + 6
	next += 7
	ex, ey := atkMMToPt(20, 54, 9)
	objs = append(objs,
		atkObj{num: r.font, body: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"},
		atkObj{num: r.ocOn, body: "<< /Type /OCG /Name (Hanh kiem) >>"},
		atkObj{num: r.ocOff, body: "<< /Type /OCG /Name (Hanh kiem sua) >>"},
		atkObj{num: r.ocConfig, body: fmt.Sprintf("<< /Order [%d 0 R %d 0 R] /ON [%d 0 R] /OFF [%d 0 R] >>", r.ocOn, r.ocOff, r.ocOn, r.ocOff)},
		atkObj{num: r.txField, body: fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Tx /T (xep_loai) /Ff 1 /V (Kha) /DA (/Helv 12 Tf 0 g) /F 4 /Rect %s /P %d 0 R /AP << /N %d 0 R >> >>",
			atkRect(20, 74, 60, 9), r.page, rankAP)},
		atkObj{num: r.hidden, body: atkStream(atkDraw("ShHidden", 19, 34, 38), "")},
		atkObj{num: content, body: atkStream(strings.Join([]string{
			atkDraw("ShToanForged", 20, 34, 9),
			atkDraw("ShToan", 20, 34, 9),
			atkDraw("ShVan", 20, 44, 9),
			fmt.Sprintf("BT /ShF 12 Tf %.2f %.2f Td (Tieng Anh: 5,0) Tj ET", ex, ey+8),
			"/OC /ShOn BDC " + atkDraw("ShHkReal", 20, 64, 9) + " EMC",
			"/OC /ShOff BDC " + atkDraw("ShHkForged", 20, 64, 9) + " EMC",
		}, "\n"), "")},
	)
	r.cover, r.literat = cover, literat

	pd := f.dict(t, r.page).clone()
	res := f.resolveDict(t, pd.get("Resources")).clone()
	xo := &atkDict{vals: map[string]string{}}
	if v := res.get("XObject"); v != "" {
		xo = f.resolveDict(t, v).clone()
	}
	for name, num := range map[string]int{"ShToanForged": forgedToan, "ShToan": cover, "ShVan": literat,
		"ShHkReal": hkReal, "ShHkForged": hkForged, "ShHidden": hiddenXO} {
		xo.set(name, fmt.Sprintf("%d 0 R", num))
	}
	xo.keys = atkSortedKeys(xo)
	res.set("XObject", xo.String())
	fonts := &atkDict{vals: map[string]string{}}
	if v := res.get("Font"); v != "" {
		fonts = f.resolveDict(t, v).clone()
	}
	fonts.set("ShF", fmt.Sprintf("%d 0 R", r.font))
	res.set("Font", fonts.String())
	res.set("Properties", fmt.Sprintf("<< /ShOn %d 0 R /ShOff %d 0 R >>", r.ocOn, r.ocOff))
	pd.set("Resources", res.String())
	pd.set("Contents", "["+strings.Join(append(f.contentsOf(t, r.page), fmt.Sprintf("%d 0 R", content)), " ")+"]")
	pd.set("Annots", "["+strings.Join(append(atkRefs(pd.get("Annots")), fmt.Sprintf("%d 0 R", r.txField)), " ")+"]")
	objs = append(objs, atkObj{num: r.page, body: pd.String()})

	// The catalog: the optional content properties, and the text field in
	// the form.
	fieldObjs := f.withField(t, fmt.Sprintf("%d 0 R", r.txField))
	root := f.rootNum(t)
	cat := f.dict(t, root).clone()
	for _, o := range fieldObjs {
		if o.num == root {
			cat, _, _ = atkParseDict(o.body)
		} else {
			objs = append(objs, o)
		}
	}
	cat.set("OCProperties", fmt.Sprintf("<< /OCGs [%d 0 R %d 0 R] /D %d 0 R >>", r.ocOn, r.ocOff, r.ocConfig))
	objs = append(objs, atkObj{num: root, body: cat.String()})
	c.shadowRefs = r
	return atkAppend(t, f, objs, atkUpdateOpts{})
}

// atkRect is a PDF rectangle for a w×h mm box at a top-left mm position.
func atkRect(x, y, w, h float64) string {
	x0, y0 := atkMMToPt(x, y, h)
	return fmt.Sprintf("[%.2f %.2f %.2f %.2f]", x0, y0, x0+w*kpdf.PointsPerMM, y0+h*kpdf.PointsPerMM)
}

func atkSortedKeys(d *atkDict) []string {
	keys := make([]string, 0, len(d.vals))
	for k := range d.vals {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// shadowAttack appends to the signed shadow-prepared document the update
// of one shadow variant.
func (c *atkCorpus) shadowAttack(t *testing.T, in []byte, variant string) []byte {
	t.Helper()
	f := atkParse(t, in)
	r := c.shadowRefs
	var objs []atkObj
	switch variant {
	case "hide":
		// The cover becomes an empty form XObject: the forged grade under it
		// shows.
		objs = append(objs, atkObj{num: r.cover, body: atkStream("", "/Type /XObject /Subtype /Form /BBox [0 0 170.08 25.51]")})
	case "replace-xobject":
		list := c.xobject(t, f.size, 60, 9, false, "Ngữ văn: 9,0")
		list[0].num = r.literat
		objs = append(objs, list...)
	case "replace-font":
		// Same content stream, another font: code 53 ('5') draws a nine.
		objs = append(objs, atkObj{num: r.font, body: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [53 /nine] >> >>"})
	case "replace-form-field":
		list := c.xobject(t, f.size, 60, 9, false, "Xếp loại: Giỏi")
		field := f.dict(t, r.txField).clone()
		field.set("V", "(Gioi)")
		field.set("AP", fmt.Sprintf("<< /N %d 0 R >>", list[0].num))
		objs = append(append(objs, list...), atkObj{num: r.txField, body: field.String()})
	case "hide-and-replace":
		// The page starts drawing the unused, signed, forged content.
		pd := f.dict(t, r.page).clone()
		pd.set("Contents", "["+strings.Join(append(f.contentsOf(t, r.page), fmt.Sprintf("%d 0 R", r.hidden)), " ")+"]")
		objs = append(objs, atkObj{num: r.page, body: pd.String()})
	case "hide-ocg":
		// The optional-content configuration swaps which grade shows.
		objs = append(objs, atkObj{num: r.ocConfig, body: fmt.Sprintf("<< /Order [%d 0 R %d 0 R] /ON [%d 0 R] /OFF [%d 0 R] >>", r.ocOn, r.ocOff, r.ocOff, r.ocOn)})
	default:
		t.Fatalf("no shadow variant %q", variant)
	}
	return atkAppend(t, f, objs, atkUpdateOpts{})
}
