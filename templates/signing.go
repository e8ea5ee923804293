package templates

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/kyso-vn/kyso/pdf"
)

// Layout versions with pre-placed signature fields. Each is its v1 layout,
// drawn identically, plus an empty PDF signature field in every signature
// box (named after the role, see FieldName), listed in the document's
// interactive form with the signer's title and name as its description and
// the signer's name as the certificate seed value. v1 documents keep
// rendering as they were.
const (
	DiplomaLayoutV2    = "diploma/v2"
	GradebookLayoutV2  = "gradebook/v2"
	TranscriptLayoutV2 = "hocba/v2"
)

// SigningStep is one signature a document needs, in the legal order of its
// kind (../shared/DOMAIN.md): for a học bạ, every subject teacher for their
// row (in any order among themselves), then the homeroom teacher, then the
// principal, then the school seal; for a gradebook, its subject teacher; for
// a diploma, the head of the issuing authority.
type SigningStep struct {
	// Field is the PDF signature field to fill.
	Field string `json:"field"`
	// Role is the signer's role (see SignatureBox.Role).
	Role string `json:"role"`
	// Title is the signer's printed title, e.g. "HIỆU TRƯỞNG".
	Title string `json:"title"`
	// Name is the person expected to sign (the certificate's common name);
	// for the seal, the school.
	Name string `json:"name"`
	// After lists the fields that must be signed before this one.
	After []string `json:"after,omitempty"`
	// Certify: this first signature certifies the document, allowing only
	// the later signatures of the plan (DocMDP P=2).
	Certify bool `json:"certify,omitempty"`
	// Lock: this last signature locks the document.
	Lock bool `json:"lock,omitempty"`
	// Page and Rect place the field (millimetres from the top-left).
	Page int      `json:"page"`
	Rect pdf.Rect `json:"rect"`
}

// SignatureTitle is the title as a signature shows it: the printed title in
// capitals ("HIỆU TRƯỞNG") in sentence case ("Hiệu trưởng").
func (s SigningStep) SignatureTitle() string {
	r := []rune(strings.ToLower(s.Title))
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// FieldName returns the name of the signature field of a role: the role
// with ':' replaced by '-' ("gvbm:toan" gives "gvbm-toan"), since a PDF field
// name cannot hold a '.' and kyso keeps them to ASCII letters, digits, '-'
// and '_'.
func FieldName(role string) string { return strings.ReplaceAll(role, ":", "-") }

// SigningPlan returns the signatures a record's document needs, in order.
// Records of v1 layouts have no pre-placed fields and give ErrUnknownLayout.
func (r *Record) SigningPlan() ([]SigningStep, error) {
	switch r.Layout {
	case DiplomaLayoutV2:
		if r.Diploma == nil {
			return nil, fmt.Errorf("%w: %s record without a diploma", ErrWrongDocument, r.Layout)
		}
		return diplomaPlan(r.Diploma), nil
	case GradebookLayoutV2, TranscriptLayoutV2:
		var doc any = r.Gradebook
		v1 := GradebookLayoutV1
		if r.Layout == TranscriptLayoutV2 {
			doc, v1 = r.Transcript, TranscriptLayoutV1
		}
		boxes, err := SignatureBoxes(v1, doc)
		if err != nil {
			return nil, err
		}
		return schoolPlan(boxes), nil
	}
	return nil, fmt.Errorf("%w: %q has no signature fields", ErrUnknownLayout, r.Layout)
}

// diplomaPlan: one signer, who certifies and locks at once (DocMDP P=1 is
// not used, so that long-term validation data can still be added).
func diplomaPlan(d *Diploma) []SigningStep {
	return []SigningStep{{
		Field: FieldName(RoleAuthority), Role: RoleAuthority, Title: strings.ToUpper(d.SignerTitle), Name: d.SignerName,
		Lock: true, Page: 1, Rect: diplomaV1Signature(),
	}}
}

// RoleAuthority is the role of the head of the authority issuing a diploma.
const RoleAuthority = "thu_truong" // thủ trưởng cơ quan cấp bằng

// schoolPlan orders school signature boxes: subject teachers first (after
// nobody), then every other box after all the boxes before it. With more
// than one step the first certifies; the last locks.
func schoolPlan(boxes []SignatureBox) []SigningStep {
	var steps []SigningStep
	var teachers, before []string
	for _, b := range boxes {
		if strings.HasPrefix(b.Role, "gvbm:") {
			teachers = append(teachers, FieldName(b.Role))
		}
	}
	for _, b := range boxes {
		s := SigningStep{Field: FieldName(b.Role), Role: b.Role, Title: b.Title, Name: b.Name, Page: b.Page, Rect: b.Rect}
		if !strings.HasPrefix(b.Role, "gvbm:") {
			s.After = append(append([]string(nil), teachers...), before...)
			before = append(before, s.Field)
		}
		steps = append(steps, s)
	}
	if len(steps) > 1 {
		// Subject teachers sign in any order, so the one who certifies is
		// whoever comes first: the signer certifies when no field is signed
		// yet. Certify marks the steps that may be first.
		for i := range steps {
			steps[i].Certify = len(steps[i].After) == 0
		}
	}
	if n := len(steps); n > 0 {
		steps[n-1].Lock = true
	}
	return steps
}

// placeFields adds the plan's empty signature fields to doc.
func placeFields(doc *pdf.Document, steps []SigningStep) {
	for _, s := range steps {
		// For the seal, Name is the school: its certificate is the
		// school's, named after it.
		doc.SignatureField(pdf.SignatureField{Name: s.Field, Page: s.Page, Rect: s.Rect,
			Tooltip: s.Title + ": " + s.Name, SignerName: s.Name, Lock: s.Lock})
	}
}

// Certifies reports whether the step's signature certifies the document
// (DocMDP P=2) when signed signatures of a plan of planLen steps are already
// there: only the first signature of a plan with more than one step does.
func (s SigningStep) Certifies(signed, planLen int) bool {
	return s.Certify && signed == 0 && planLen > 1
}
