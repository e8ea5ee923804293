package signer

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"

	"github.com/digitorus/pdf"
	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/internal/cms"
)

// Field is a signature field of a PDF, as Fields reports it.
type Field struct {
	// Name is the field's fully qualified name (partial names joined by '.').
	Name string `json:"name"`
	// Signed says whether the field holds a signature (has a /V value).
	Signed bool `json:"signed"`
	// Page is the 1-based page the field's widget is on, 0 when unknown.
	Page int `json:"page,omitempty"`
	// Rect is the widget's rectangle in PDF user space (points), or zero.
	Rect [4]float64 `json:"rect"`
	// Description is the field's /TU text, e.g. "Hiệu trưởng: Trần Văn Bình".
	Description string `json:"description,omitempty"`
	// Signers lists the certificate subjects the field accepts, from its
	// seed value (/SV /Cert /SubjectDN): each a map from attribute (CN,
	// serialNumber, O, ...) to value. Empty: anyone.
	Signers []map[string]string `json:"signers,omitempty"`
	// Lock says whether signing this field locks the whole document
	// (/Lock with /Action /All).
	Lock bool `json:"lock,omitempty"`

	value  pdf.Value // the field dictionary (merged with its widget)
	locked bool      // signed, and its signature locks the document
}

// maxFieldDepth bounds the walk through /Kids.
const maxFieldDepth = 16

// maxFields bounds how many fields a form may have.
const maxFields = 10000

// readFields lists the signature fields of the document's interactive form.
func readFields(rdr *pdf.Reader) ([]Field, error) {
	root := rdr.Trailer().Key("Root")
	var out []Field
	pages := map[ref]int{}
	for i := 1; i <= rdr.NumPage(); i++ {
		pages[refOf(rdr.Page(i).V)] = i
	}
	var walk func(list pdf.Value, prefix, ft string, depth int) error
	walk = func(list pdf.Value, prefix, ft string, depth int) error {
		if depth > maxFieldDepth {
			return fmt.Errorf("form fields nested more than %d deep: %w", maxFieldDepth, ErrInvalidPDF)
		}
		for i := 0; i < list.Len(); i++ {
			f := list.Index(i)
			if f.Kind() != pdf.Dict {
				continue
			}
			name := prefix
			if t := f.Key("T"); t.Kind() == pdf.String {
				if name != "" {
					name += "."
				}
				name += t.Text()
			}
			fft := ft
			if v := f.Key("FT"); v.Kind() == pdf.Name {
				fft = v.Name()
			}
			if kids := f.Key("Kids"); kids.Kind() == pdf.Array && kids.Len() > 0 && kids.Index(0).Key("T").Kind() == pdf.String {
				if err := walk(kids, name, fft, depth+1); err != nil {
					return err
				}
				continue
			}
			if fft != "Sig" {
				continue
			}
			if len(out) >= maxFields {
				return fmt.Errorf("more than %d signature fields: %w", maxFields, ErrInvalidPDF)
			}
			fld := Field{Name: name, value: f, Signed: !f.Key("V").IsNull(), Description: f.Key("TU").Text()}
			if r := f.Key("Rect"); r.Len() == 4 {
				for k := range 4 {
					fld.Rect[k] = r.Index(k).Float64()
				}
			}
			if p := f.Key("P"); p.Kind() == pdf.Dict {
				fld.Page = pages[refOf(p)]
			}
			dns := f.Key("SV").Key("Cert").Key("SubjectDN")
			for k := 0; k < dns.Len(); k++ {
				dn := dns.Index(k)
				m := map[string]string{}
				for _, key := range dn.Keys() {
					m[key] = dn.Key(key).Text()
				}
				fld.Signers = append(fld.Signers, m)
			}
			fld.Lock = f.Key("Lock").Key("Action").Name() == "All"
			if fld.Signed {
				fld.locked = fld.Lock || locksAll(f.Key("V"))
			}
			out = append(out, fld)
		}
		return nil
	}
	if err := walk(root.Key("AcroForm").Key("Fields"), "", "", 0); err != nil {
		return nil, err
	}
	return out, nil
}

// locksAll reports whether the signature dictionary sig carries a transform
// that forbids every later change: DocMDP with P 1, or FieldMDP over all
// fields.
func locksAll(sig pdf.Value) bool {
	refs := sig.Key("Reference")
	for i := 0; i < refs.Len(); i++ {
		r := refs.Index(i)
		params := r.Key("TransformParams")
		switch r.Key("TransformMethod").Name() {
		case "DocMDP":
			if params.Key("P").Int64() == 1 {
				return true
			}
		case "FieldMDP":
			if params.Key("Action").Name() == "All" {
				return true
			}
		}
	}
	return false
}

// certificationLevel returns the DocMDP permission of the document's
// certification signature (1, 2 or 3), or 0 when it has none.
func certificationLevel(rdr *pdf.Reader) int {
	sig := rdr.Trailer().Key("Root").Key("Perms").Key("DocMDP")
	if sig.IsNull() {
		return 0
	}
	refs := sig.Key("Reference")
	for i := 0; i < refs.Len(); i++ {
		r := refs.Index(i)
		if r.Key("TransformMethod").Name() == "DocMDP" {
			if p := r.Key("TransformParams").Key("P").Int64(); p >= 1 && p <= 3 {
				return int(p)
			}
			return 2 // the default (ISO 32000-1 Table 254)
		}
	}
	return 2
}

// Attribute types of the seed value's SubjectDN keys kyso understands.
var subjectAttrs = map[string]asn1.ObjectIdentifier{
	"CN":           {2, 5, 4, 3},
	"serialNumber": {2, 5, 4, 5},
	"C":            {2, 5, 4, 6},
	"L":            {2, 5, 4, 7},
	"ST":           {2, 5, 4, 8},
	"O":            {2, 5, 4, 10},
	"OU":           {2, 5, 4, 11},
	"T":            {2, 5, 4, 12},
	"title":        {2, 5, 4, 12},
}

// acceptsSigner reports whether cert's subject satisfies one of the field's
// SubjectDN seed values (all are accepted when there are none). Values are
// compared after NFC normalisation, trimming and Unicode case folding, so
// "NGUYỄN VĂN NGHĨA" is "Nguyễn Văn Nghĩa"; an attribute kyso does not know
// fails the match rather than being ignored.
func acceptsSigner(f Field, cert *x509.Certificate) bool {
	if len(f.Signers) == 0 {
		return true
	}
	for _, dn := range f.Signers {
		ok := true
		for key, want := range dn {
			oid, known := subjectAttrs[key]
			if !known || !hasAttr(cert, oid, want) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func hasAttr(cert *x509.Certificate, oid asn1.ObjectIdentifier, want string) bool {
	want = fold(want)
	for _, a := range cert.Subject.Names {
		if s, ok := a.Value.(string); ok && a.Type.Equal(oid) && fold(s) == want {
			return true
		}
	}
	return false
}

func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " "))
}

// describeSigners renders a field's accepted subjects for an error message.
func describeSigners(f Field) string {
	var b bytes.Buffer
	for i, dn := range f.Signers {
		if i > 0 {
			b.WriteString(" or ")
		}
		first := true
		for _, k := range []string{"CN", "serialNumber", "T", "title", "O", "OU", "L", "ST", "C"} {
			if v, ok := dn[k]; ok {
				if !first {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%s=%q", k, v)
				first = false
			}
		}
	}
	return b.String()
}

// SignerCertificate returns the certificate of the signature in a signed
// field: the one its CMS SignerInfo names among the CMS certificates. It
// checks nothing about the signature itself (see package verify).
func (f Field) SignerCertificate() (*x509.Certificate, error) {
	if !f.Signed {
		return nil, fmt.Errorf("field %q: not signed", f.Name)
	}
	contents := []byte(f.value.Key("V").Key("Contents").RawString())
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(contents, &raw); err != nil {
		return nil, fmt.Errorf("field %q: signature: %w", f.Name, err)
	}
	sd, err := cms.Parse(raw.FullBytes)
	if err != nil {
		return nil, fmt.Errorf("field %q: signature: %w", f.Name, err)
	}
	c, err := sd.SignerCertificate()
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", f.Name, err)
	}
	return c, nil
}
