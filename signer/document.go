package signer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/digitorus/pdf"
	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/internal/cms"
)

// document is a PDF opened for signing.
type document struct {
	in      []byte
	rdr     *pdf.Reader
	root    pdf.Value
	size    uint32 // the trailer's /Size
	prev    int64  // offset of the last cross-reference section
	fields  []Field
	certify int // DocMDP permission of an existing certification, or 0
}

// openDoc parses in and checks that a signature can be added to it as an
// incremental update.
func openDoc(in []byte) (doc *document, err error) {
	if len(in) > MaxInputSize {
		return nil, fmt.Errorf("%d bytes, limit %d: %w", len(in), MaxInputSize, ErrTooLarge)
	}
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("%v: %w", r, ErrInvalidPDF)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	switch rdr.XrefInformation.Type {
	case "table":
	case "stream":
		return nil, fmt.Errorf("cross-reference stream: %w", ErrUnsupportedPDF)
	default:
		return nil, fmt.Errorf("cross-reference section of unknown type %q: %w", rdr.XrefInformation.Type, ErrInvalidPDF)
	}
	trailer := rdr.Trailer()
	if !trailer.Key("Encrypt").IsNull() {
		return nil, fmt.Errorf("encrypted: %w", ErrUnsupportedPDF)
	}
	root := trailer.Key("Root")
	if root.Kind() != pdf.Dict || root.Key("Pages").Kind() != pdf.Dict || rdr.NumPage() < 1 {
		return nil, fmt.Errorf("no document catalog with pages: %w", ErrInvalidPDF)
	}
	size := trailer.Key("Size").Int64()
	if size < 1 || size > 8<<20 {
		return nil, fmt.Errorf("trailer /Size %d: %w", size, ErrInvalidPDF)
	}
	prev, err := lastStartXref(in)
	if err != nil {
		return nil, err
	}
	fields, err := readFields(rdr)
	if err != nil {
		return nil, err
	}
	return &document{in: in, rdr: rdr, root: root, size: uint32(size), prev: prev, fields: fields, certify: certificationLevel(rdr)}, nil
}

// lastStartXref returns the offset given by the file's last startxref.
func lastStartXref(in []byte) (int64, error) {
	tail := in[max(0, len(in)-1024):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, fmt.Errorf("no startxref: %w", ErrInvalidPDF)
	}
	f := bytes.Fields(tail[i+len("startxref"):])
	if len(f) == 0 {
		return 0, fmt.Errorf("startxref without offset: %w", ErrInvalidPDF)
	}
	off, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil || off <= 0 || off >= int64(len(in)) {
		return 0, fmt.Errorf("startxref %q: %w", f[0], ErrInvalidPDF)
	}
	return off, nil
}

// signPlan is what plan decided about a signature.
type signPlan struct {
	field    *Field // the field to fill; nil: a new invisible field
	newName  string // the new field's name
	lock     bool   // the signature locks the document (FieldMDP All, P 1)
	numSigns int    // signatures already in the document
}

// plan checks that the signature opts asks for can be added: the field, the
// order, the signer, the document's locks.
func (d *document) plan(leaf *x509.Certificate, opts Options) (signPlan, error) {
	var p signPlan
	byName := map[string]*Field{}
	for i := range d.fields {
		f := &d.fields[i]
		byName[f.Name] = f
		if f.Signed {
			p.numSigns++
			if f.locked {
				return p, fmt.Errorf("field %q: %w", f.Name, ErrLocked)
			}
		}
	}
	if d.certify == int(CertifyNoChanges) {
		return p, fmt.Errorf("certified with no changes allowed: %w", ErrLocked)
	}
	if opts.Certify != NotCertified && (p.numSigns > 0 || d.certify != 0) {
		return p, ErrCertifyNotFirst
	}
	// The field and its signer first: "not yours" matters more than "not
	// yet".
	if opts.Field != "" {
		f, ok := byName[opts.Field]
		if !ok {
			return p, fmt.Errorf("field %q: %w", opts.Field, ErrNoField)
		}
		if f.Signed {
			return p, fmt.Errorf("field %q: %w", opts.Field, ErrFieldSigned)
		}
		if !acceptsSigner(*f, leaf) {
			return p, fmt.Errorf("field %q is for %s, the certificate is %q's: %w",
				f.Name, describeSigners(*f), leaf.Subject.CommonName, ErrWrongSigner)
		}
		p.field, p.lock = f, f.Lock
	} else {
		for n := p.numSigns + 1; ; n++ {
			name := "Signature" + strconv.Itoa(n)
			if _, taken := byName[name]; !taken {
				p.newName = name
				break
			}
		}
	}
	for _, name := range opts.After {
		f, ok := byName[name]
		if !ok {
			return p, fmt.Errorf("field %q must be signed first but does not exist: %w", name, ErrNoField)
		}
		if !f.Signed {
			return p, fmt.Errorf("field %q must be signed first: %w", name, ErrOutOfOrder)
		}
	}
	return p, nil
}

// Layout of the signature dictionary's placeholders.
const (
	byteRangePlaceholder = "[0 0000000000 0000000000 0000000000]"
	// timestampReserve is the room kept for a signature timestamp token,
	// in bytes: a token carries the TSA's certificate chain.
	timestampReserve = 12 << 10
)

// hashFor is the digest algorithm used with key: the one matching the
// strength of an elliptic curve, SHA-256 otherwise.
func hashFor(pub crypto.PublicKey) crypto.Hash {
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		switch k.Curve {
		case elliptic.P384():
			return crypto.SHA384
		case elliptic.P521():
			return crypto.SHA512
		}
	}
	return crypto.SHA256
}

// contentsMaker makes the /Contents of a signature dictionary from the
// signed bytes (the file without the /Contents gap, as two ranges).
type contentsMaker struct {
	dict    string // the dictionary's start: type, filter, sub-filter
	reserve int    // bytes reserved for the contents
	make    func(ctx context.Context, before, after []byte) ([]byte, error)
}

// sign writes the incremental update planned by p with a CMS signature by
// key.
func (d *document) sign(ctx context.Context, p signPlan, s *Session, opts Options) ([]byte, error) {
	key, chain := s.key, s.chain
	cmsOpts := cms.Options{Hash: hashFor(key.Public()), PSS: opts.PSS}
	reserve := s.reservation(cmsOpts)
	if opts.Timestamper != nil {
		reserve += timestampReserve
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	guard := &onceSigner{key: key}
	mk := contentsMaker{
		dict:    "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached",
		reserve: reserve,
		make: func(ctx context.Context, before, after []byte) ([]byte, error) {
			h := cmsOpts.Hash.New()
			h.Write(before)
			h.Write(after)
			sd, err := cms.Sign(rnd, h.Sum(nil), guard, chain, cmsOpts)
			if err != nil {
				return nil, fmt.Errorf("sign: %w", err)
			}
			if opts.Timestamper != nil {
				if sd, err = addTimestamp(ctx, sd, opts.Timestamper); err != nil {
					return nil, err
				}
			}
			return sd, nil
		},
	}
	name := opts.Name
	if name == "" {
		name = chain[0].Subject.CommonName
	}
	return d.write(ctx, p, mk, name, opts, s)
}

// write writes the incremental update planned by p: the signature
// dictionary made by mk, the appearance, the field, the form and the
// catalog; then it fills the byte range and the contents.
func (d *document) write(ctx context.Context, p signPlan, mk contentsMaker, name string, opts Options, s *Session) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%v: %w", r, ErrInvalidPDF)
		}
	}()
	reserve := mk.reserve

	u := newUpdate(d.in, d.size)
	sigRef := ref{id: u.alloc()}

	// The appearance, drawn before anything is written.
	var apObjs [][]byte
	var apRef ref
	// A field without a rectangle of its own (its widgets are separate
	// kids) is filled without an appearance.
	if opts.Appearance != nil && p.field != nil && p.field.Rect != [4]float64{} {
		x, err := s.appearance(opts.Appearance, p.field.Rect, norm.NFC.String(name), opts.Time)
		if err != nil {
			return nil, err
		}
		apRef = ref{id: u.next}
		apObjs = x.Objects(int(apRef.id))
		for range apObjs {
			u.alloc()
		}
	}

	// The signature dictionary.
	var sig bytes.Buffer
	sig.WriteString(mk.dict + " /ByteRange ")
	brAt := sig.Len()
	sig.WriteString(byteRangePlaceholder)
	sig.WriteString(" /Contents ")
	contentsAt := sig.Len()
	sig.WriteString("<")
	sig.Write(bytes.Repeat([]byte("0"), 2*reserve))
	sig.WriteString(">")
	if !opts.Time.IsZero() {
		fmt.Fprintf(&sig, " /M %s", pdfDate(opts.Time))
	}
	for _, e := range []struct{ key, v string }{
		{"Name", opts.Name}, {"Reason", opts.Reason}, {"Location", opts.Location}, {"ContactInfo", opts.ContactInfo},
	} {
		if e.v != "" {
			fmt.Fprintf(&sig, " /%s %s", e.key, textString(norm.NFC.String(e.v)))
		}
	}
	switch {
	case opts.Certify != NotCertified:
		fmt.Fprintf(&sig, " /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P %d /V /1.2 >> >>]", opts.Certify)
	case p.lock:
		sig.WriteString(" /Reference [<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams /Action /All /P 1 /V /1.2 >> >>]")
	}
	sig.WriteString(" /Prop_Build << /App << /Name /kyso >> >> >>")
	u.object(sigRef, sig.Bytes())
	sigAt := u.offsets[sigRef.id] + len(fmt.Sprintf("%d 0 obj\n", sigRef.id))

	for i, body := range apObjs {
		u.object(ref{id: apRef.id + uint32(i)}, body)
	}

	// The field: the pre-placed one with its value (and appearance), or a
	// new invisible one.
	var fieldRef ref
	if p.field != nil {
		fieldRef = refOf(p.field.value)
		fd, err := rawDictOf(p.field.value)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", p.field.Name, err)
		}
		fd.set("V", lit(sigRef.String()))
		if len(apObjs) > 0 {
			fd.set("AP", lit("<< /N "+apRef.String()+" >>"))
		}
		var b bytes.Buffer
		if err := fd.write(&b); err != nil {
			return nil, fmt.Errorf("field %q: %w", p.field.Name, err)
		}
		u.object(fieldRef, b.Bytes())
	} else {
		fieldRef = ref{id: u.alloc()}
		page1 := refOf(d.rdr.Page(1).V)
		u.object(fieldRef, fmt.Appendf(nil, "<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /F 132 /Rect [0 0 0 0] /P %s /V %s >>",
			textString(p.newName), page1, sigRef))
	}

	// The interactive form: /SigFlags 3 (signatures exist, append only),
	// and the new field. An indirect form is updated by itself; a direct
	// one, or none, means a new catalog.
	catalog, err := rawDictOf(d.root)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	rewriteCatalog := opts.Certify != NotCertified
	formVal := d.root.Key("AcroForm")
	var form *rawDict
	if formVal.Kind() == pdf.Dict {
		if form, err = rawDictOf(formVal); err != nil {
			return nil, fmt.Errorf("interactive form: %w", err)
		}
	} else {
		form = &rawDict{values: map[string]any{}}
	}
	form.set("SigFlags", "3")
	if p.field == nil {
		var fields bytes.Buffer
		fields.WriteString("[")
		list := formVal.Key("Fields")
		if list.Kind() == pdf.Array {
			if refOf(list) != refOf(formVal) {
				return nil, fmt.Errorf("an interactive form with an indirect /Fields array: %w", ErrUnsupportedPDF)
			}
			for i := 0; i < list.Len(); i++ {
				fmt.Fprintf(&fields, "%s ", refOf(list.Index(i)))
			}
		}
		fmt.Fprintf(&fields, "%s]", fieldRef)
		form.set("Fields", lit(fields.String()))
	}
	var fb bytes.Buffer
	if err := form.write(&fb); err != nil {
		return nil, fmt.Errorf("interactive form: %w", err)
	}
	if formVal.Kind() == pdf.Dict && refOf(formVal) != refOf(d.root) {
		u.object(refOf(formVal), fb.Bytes())
	} else {
		catalog.set("AcroForm", lit(fb.String()))
		rewriteCatalog = true
	}
	if opts.Certify != NotCertified {
		catalog.set("Perms", lit("<< /DocMDP "+sigRef.String()+" >>"))
	}
	if rewriteCatalog {
		var cb bytes.Buffer
		if err := catalog.write(&cb); err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		u.object(refOf(d.root), cb.Bytes())
	}

	out, err = d.finishUpdate(u)
	if err != nil {
		return nil, err
	}

	// Byte ranges: everything but the <hex> of /Contents.
	gapStart := sigAt + contentsAt
	gapEnd := gapStart + 2*reserve + 2
	br := fmt.Sprintf("[0 %d %d %d", gapStart, gapEnd, len(out)-gapEnd)
	if len(br) >= len(byteRangePlaceholder) {
		return nil, fmt.Errorf("byte range %s does not fit: %w", br, ErrTooLarge)
	}
	br += string(bytes.Repeat([]byte(" "), len(byteRangePlaceholder)-len(br)-1)) + "]"
	copy(out[sigAt+brAt:], br)

	sd, err := mk.make(ctx, out[:gapStart], out[gapEnd:])
	if err != nil {
		return nil, err
	}
	if len(sd) > reserve {
		return nil, fmt.Errorf("%d bytes, %d reserved: %w", len(sd), reserve, ErrSignatureTooLarge)
	}
	hex.Encode(out[gapStart+1:], sd)
	return out, nil
}

// addTimestamp adds an RFC 3161 signature timestamp over the signature value
// of sd as the unsigned attribute id-aa-signatureTimeStampToken.
func addTimestamp(ctx context.Context, sd []byte, ts Timestamper) ([]byte, error) {
	value, err := cms.SignatureValue(sd)
	if err != nil {
		return nil, err
	}
	token, err := ts.Timestamp(ctx, value)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTimestamp, err)
	}
	out, err := cms.AddUnsignedAttribute(sd, cms.Attribute{Type: cms.OIDSignatureTimeStampToken, Values: [][]byte{token}})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTimestamp, err)
	}
	return out, nil
}
