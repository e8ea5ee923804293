package issuance

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/templates"
)

// KindGradebook is the registry kind of a gradebook (sổ điểm).
const KindGradebook = "gradebook"

// GradebookKindLabel is the document title the registry shows for a
// gradebook.
const GradebookKindLabel = "Sổ điểm"

// GradebookRenderFunc renders a gradebook to an unsigned PDF.
type GradebookRenderFunc func(g *templates.Gradebook, meta templates.IssueMeta) ([]byte, error)

// GradebookKey returns the key a gradebook is registered under, in place of
// a serial number: "SD-" then the school, the school year, the term, the
// class and the subject, folded to upper-case ASCII words joined by "-"
// ("Trường THPT Chuyên Bến Tre", "2024-2025", HK1, "10A1", "Toán" give
// "SD-THPT-CHUYEN-BEN-TRE-2024-2025-HK1-10A1-TOAN"). The same gradebook
// always has the same key, so issuing it again finds it; a gradebook
// differs from every other of the same registry by its school, year, term,
// class or subject. g must be normalised.
func GradebookKey(g *templates.Gradebook) string {
	school := fold(g.School)
	school = strings.TrimPrefix(school, "TRUONG-")
	return strings.Join([]string{"SD", school, fold(g.SchoolYear), fold(string(g.Term)), fold(g.Class), fold(g.Subject)}, "-")
}

// fold reduces s to upper-case ASCII letters and digits, runs of anything
// else becoming one "-": "Ngữ văn" is "NGU-VAN", "Đ" is "D".
func fold(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'D'
		}
		r = unicode.ToUpper(r)
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// gradebookPublicFields are what the registry shows of a gradebook: which
// class, subject, term, school and year it is, and nothing about a student
// or the teacher.
func gradebookPublicFields(g *templates.Gradebook) registry.PublicFields {
	year, _ := strconv.Atoi(strings.SplitN(g.SchoolYear, "-", 2)[0])
	return registry.PublicFields{
		KindLabel:  GradebookKindLabel,
		HolderName: "Lớp " + g.Class + " – " + g.Subject + " – " + g.Term.Label(),
		Year:       year,
		School:     g.School,
		Serial:     GradebookKey(g),
	}
}

// CheckGradebook runs the checks that need more than the gradebook itself:
// the subject teacher named in it (giao_vien) holds the signing
// certificate, and the gradebook is not closed after today (in Vietnam).
func (is *Issuer) CheckGradebook(g *templates.Gradebook) error {
	if err := is.checkSigner("giao_vien", g.Teacher); err != nil {
		return err
	}
	return is.checkDate("ngay_ky", g.SignDate)
}

// Gradebook issues one gradebook (signed by its subject teacher), or finds
// it already issued under its key (GradebookKey). g must be normalised and
// valid, as templates.ReadGradebooks returns it. The Result's Serial is the
// key.
func (is *Issuer) Gradebook(ctx context.Context, g *templates.Gradebook) (Result, error) {
	key := GradebookKey(g)
	res := Result{Serial: key, Path: filepath.Join(is.OutDir, FileName(key))}
	if is.RenderGradebook == nil {
		return res, errors.New("issue gradebook: no gradebook renderer")
	}
	if err := is.CheckGradebook(g); err != nil {
		return res, err
	}
	doc, err := documentOf(&templates.Record{Kind: templates.KindGradebook, Gradebook: g},
		func(m templates.IssueMeta) ([]byte, error) { return is.RenderGradebook(g, m) })
	if err != nil {
		return res, err
	}
	return is.issue(ctx, doc)
}
