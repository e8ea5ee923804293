package cms

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Limits of Parse.
const (
	// MaxParseSize bounds the input of Parse, SignatureValue and
	// AddUnsignedAttribute.
	MaxParseSize = 1 << 20
	// maxCertificates bounds the certificates field.
	maxCertificates = 32
	// maxAttributes bounds each attribute set, and maxValues the values of
	// one attribute.
	maxAttributes = 64
	maxValues     = 16
)

// SignedData is a parsed CMS SignedData with exactly one SignerInfo.
type SignedData struct {
	// Version is the SignedData version.
	Version int
	// ContentType is the eContentType.
	ContentType asn1.ObjectIdentifier
	// Content is the encapsulated content; nil when detached.
	Content []byte
	// Certificates are the certificates field, in order.
	Certificates []*x509.Certificate
	// Signer is the only SignerInfo.
	Signer SignerInfo

	// The DER of each field as read, for AddUnsignedAttribute.
	rawVersion, rawDigestAlgs, rawEncap, rawCerts, rawCRLs []byte
}

// SignerInfo is a parsed CMS SignerInfo.
type SignerInfo struct {
	// Version is 1 (issuerAndSerialNumber) or 3 (subjectKeyIdentifier).
	Version int
	// Issuer (DER Name) and SerialNumber name the signer certificate when
	// Version is 1; SubjectKeyID when Version is 3.
	Issuer       []byte
	SerialNumber *big.Int
	SubjectKeyID []byte
	// Hash is the digest algorithm.
	Hash crypto.Hash
	// SignedAttributes and UnsignedAttributes are the attributes, in the
	// order found.
	SignedAttributes   []Attribute
	UnsignedAttributes []Attribute
	// Signature is the signature value.
	Signature []byte

	sigAlg algorithm
	// The DER of each field as read.
	rawVersion, rawSID, rawDigestAlg, rawSignedAttrs, rawSigAlg, rawSignature []byte
	rawUnsigned                                                               [][]byte
}

func malformed(what string) error { return fmt.Errorf("%w: %s", ErrMalformed, what) }

// Parse parses a DER ContentInfo holding a SignedData with exactly one
// SignerInfo that has signed attributes. It checks structure only: use
// VerifySignature or VerifyDetached for the signature, and decide trust
// yourself.
func Parse(der []byte) (*SignedData, error) {
	if len(der) > MaxParseSize {
		return nil, malformed(fmt.Sprintf("%d bytes, more than %d", len(der), MaxParseSize))
	}
	in := cryptobyte.String(der)
	var ci, body, sdSeq cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, malformed("not one DER SEQUENCE")
	}
	if !ci.ReadASN1ObjectIdentifier(&ctype) {
		return nil, malformed("ContentInfo contentType")
	}
	if !ctype.Equal(OIDSignedData) {
		return nil, fmt.Errorf("%w: content type %v is not signedData", ErrUnsupported, ctype)
	}
	if !ci.ReadASN1(&body, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() ||
		!body.ReadASN1(&sdSeq, cbasn1.SEQUENCE) || !body.Empty() {
		return nil, malformed("ContentInfo content")
	}
	sd := &SignedData{}
	var raw, field cryptobyte.String
	var v int64
	if !sdSeq.ReadASN1Element(&raw, cbasn1.INTEGER) {
		return nil, malformed("SignedData version")
	}
	sd.rawVersion = raw
	if r := raw; !r.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) || v < 0 || v > 5 {
		return nil, malformed("SignedData version")
	}
	sd.Version = int(v)
	// digestAlgorithms: read and kept; the SignerInfo's is the one used.
	if !sdSeq.ReadASN1Element(&raw, cbasn1.SET) {
		return nil, malformed("digestAlgorithms")
	}
	sd.rawDigestAlgs = raw
	if !sdSeq.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
		return nil, malformed("encapContentInfo")
	}
	sd.rawEncap = raw
	if err := sd.parseEncap(raw); err != nil {
		return nil, err
	}
	certsTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if sdSeq.PeekASN1Tag(certsTag) {
		if !sdSeq.ReadASN1Element(&raw, certsTag) {
			return nil, malformed("certificates")
		}
		sd.rawCerts = raw
		if err := sd.parseCertificates(raw); err != nil {
			return nil, err
		}
	}
	crlsTag := cbasn1.Tag(1).Constructed().ContextSpecific()
	if sdSeq.PeekASN1Tag(crlsTag) {
		if !sdSeq.ReadASN1Element(&raw, crlsTag) {
			return nil, malformed("crls")
		}
		sd.rawCRLs = raw
	}
	if !sdSeq.ReadASN1(&field, cbasn1.SET) || !sdSeq.Empty() {
		return nil, malformed("signerInfos")
	}
	var si cryptobyte.String
	if !field.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("%w: no SignerInfo", ErrUnsupported)
	}
	if !field.Empty() {
		return nil, fmt.Errorf("%w: more than one SignerInfo", ErrUnsupported)
	}
	if err := sd.Signer.parse(si); err != nil {
		return nil, err
	}
	return sd, nil
}

// parseEncap reads EncapsulatedContentInfo.
func (sd *SignedData) parseEncap(raw cryptobyte.String) error {
	var seq, explicit cryptobyte.String
	var present bool
	if !raw.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&sd.ContentType) ||
		!seq.ReadOptionalASN1(&explicit, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) || !seq.Empty() {
		return malformed("encapContentInfo")
	}
	if present {
		var content cryptobyte.String
		if !explicit.ReadASN1(&content, cbasn1.OCTET_STRING) || !explicit.Empty() {
			return malformed("eContent is not one OCTET STRING")
		}
		sd.Content = append([]byte{}, content...)
	}
	return nil
}

// parseCertificates reads the [0] IMPLICIT CertificateSet; only X.509
// certificates are accepted.
func (sd *SignedData) parseCertificates(raw cryptobyte.String) error {
	var set cryptobyte.String
	if !raw.ReadASN1(&set, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return malformed("certificates")
	}
	for !set.Empty() {
		if len(sd.Certificates) == maxCertificates {
			return malformed(fmt.Sprintf("more than %d certificates", maxCertificates))
		}
		var c cryptobyte.String
		if !set.ReadASN1Element(&c, cbasn1.SEQUENCE) {
			return fmt.Errorf("%w: certificate %d is not an X.509 certificate", ErrUnsupported, len(sd.Certificates))
		}
		cert, err := x509.ParseCertificate(c)
		if err != nil {
			return fmt.Errorf("%w: certificate %d: %v", ErrMalformed, len(sd.Certificates), err)
		}
		sd.Certificates = append(sd.Certificates, cert)
	}
	return nil
}

// parse reads one SignerInfo.
func (si *SignerInfo) parse(s cryptobyte.String) error {
	var raw cryptobyte.String
	var v int64
	if !s.ReadASN1Element(&raw, cbasn1.INTEGER) {
		return malformed("SignerInfo version")
	}
	si.rawVersion = raw
	if r := raw; !r.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) || (v != 1 && v != 3) {
		return malformed("SignerInfo version")
	}
	si.Version = int(v)
	skiTag := cbasn1.Tag(0).ContextSpecific()
	switch {
	case v == 1 && s.ReadASN1Element(&raw, cbasn1.SEQUENCE):
		var seq, issuer cryptobyte.String
		si.SerialNumber = new(big.Int)
		r := raw
		if !r.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
			!seq.ReadASN1Integer(si.SerialNumber) || !seq.Empty() {
			return malformed("issuerAndSerialNumber")
		}
		si.Issuer = issuer
	case v == 3 && s.ReadASN1Element(&raw, skiTag):
		var ski cryptobyte.String
		r := raw
		if !r.ReadASN1(&ski, skiTag) || len(ski) == 0 {
			return malformed("subjectKeyIdentifier")
		}
		si.SubjectKeyID = ski
	default:
		return malformed("sid does not match the SignerInfo version")
	}
	si.rawSID = raw
	if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
		return malformed("SignerInfo digestAlgorithm")
	}
	si.rawDigestAlg = raw
	r := raw
	a, ok := readAlgorithm(&r)
	if !ok {
		return malformed("SignerInfo digestAlgorithm")
	}
	h, err := digestHash(a)
	if err != nil {
		return err
	}
	si.Hash = h
	signedTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if !s.PeekASN1Tag(signedTag) {
		return fmt.Errorf("%w: SignerInfo without signed attributes", ErrUnsupported)
	}
	if !s.ReadASN1Element(&raw, signedTag) {
		return malformed("signedAttrs")
	}
	si.rawSignedAttrs = raw
	if si.SignedAttributes, _, err = parseAttributes(raw, signedTag); err != nil {
		return fmt.Errorf("signed attributes: %w", err)
	}
	if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
		return malformed("signatureAlgorithm")
	}
	si.rawSigAlg = raw
	r = raw
	if si.sigAlg, ok = readAlgorithm(&r); !ok {
		return malformed("signatureAlgorithm")
	}
	var sig cryptobyte.String
	if !s.ReadASN1Element(&raw, cbasn1.OCTET_STRING) {
		return malformed("signature")
	}
	si.rawSignature = raw
	r = raw
	if !r.ReadASN1(&sig, cbasn1.OCTET_STRING) || len(sig) == 0 {
		return malformed("signature")
	}
	si.Signature = sig
	unsignedTag := cbasn1.Tag(1).Constructed().ContextSpecific()
	if s.PeekASN1Tag(unsignedTag) {
		if !s.ReadASN1Element(&raw, unsignedTag) {
			return malformed("unsignedAttrs")
		}
		if si.UnsignedAttributes, si.rawUnsigned, err = parseAttributes(raw, unsignedTag); err != nil {
			return fmt.Errorf("unsigned attributes: %w", err)
		}
	}
	if !s.Empty() {
		return malformed("data after the SignerInfo's last field")
	}
	return nil
}

// parseAttributes reads a non-empty SET OF Attribute written with tag,
// returning the attributes and the DER of each.
func parseAttributes(raw cryptobyte.String, tag cbasn1.Tag) ([]Attribute, [][]byte, error) {
	var set cryptobyte.String
	if !raw.ReadASN1(&set, tag) || set.Empty() {
		return nil, nil, malformed("attribute set")
	}
	var attrs []Attribute
	var raws [][]byte
	for !set.Empty() {
		if len(attrs) == maxAttributes {
			return nil, nil, malformed(fmt.Sprintf("more than %d attributes", maxAttributes))
		}
		var elem, seq, values cryptobyte.String
		var a Attribute
		if !set.ReadASN1Element(&elem, cbasn1.SEQUENCE) {
			return nil, nil, malformed("attribute")
		}
		e := elem
		if !e.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.Type) ||
			!seq.ReadASN1(&values, cbasn1.SET) || !seq.Empty() || values.Empty() {
			return nil, nil, malformed("attribute")
		}
		for !values.Empty() {
			if len(a.Values) == maxValues {
				return nil, nil, malformed(fmt.Sprintf("attribute %v has more than %d values", a.Type, maxValues))
			}
			var v cryptobyte.String
			var vt cbasn1.Tag
			if !values.ReadAnyASN1Element(&v, &vt) {
				return nil, nil, malformed(fmt.Sprintf("attribute %v value", a.Type))
			}
			a.Values = append(a.Values, v)
		}
		attrs = append(attrs, a)
		raws = append(raws, elem)
	}
	return attrs, raws, nil
}

// findAttribute returns the values of the only attribute of type oid in attrs,
// nil when there is none, or ErrBadAttribute when there are several.
func findAttribute(attrs []Attribute, oid asn1.ObjectIdentifier) ([][]byte, error) {
	var found [][]byte
	n := 0
	for _, a := range attrs {
		if a.Type.Equal(oid) {
			found = a.Values
			n++
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("%w: attribute %v appears %d times", ErrBadAttribute, oid, n)
	}
	return found, nil
}

// SignerCertificate returns the certificate the SignerInfo's sid names
// among Certificates, or ErrNoCertificate.
func (sd *SignedData) SignerCertificate() (*x509.Certificate, error) {
	for _, c := range sd.Certificates {
		if sd.Signer.Version == 1 {
			if bytes.Equal(c.RawIssuer, sd.Signer.Issuer) && c.SerialNumber.Cmp(sd.Signer.SerialNumber) == 0 {
				return c, nil
			}
		} else if len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, sd.Signer.SubjectKeyID) {
			return c, nil
		}
	}
	return nil, ErrNoCertificate
}

// VerifySignature checks the signature of a SignedData with encapsulated
// content: the contentType attribute names the eContentType, the
// messageDigest attribute is the content's digest, and the signature over
// the signed attributes verifies with the signer certificate's key. It
// does not decide whether that certificate is trusted.
func (sd *SignedData) VerifySignature() error {
	if sd.Content == nil {
		return fmt.Errorf("%w: detached content: use VerifyDetached", ErrUnsupported)
	}
	h := sd.Signer.Hash.New()
	h.Write(sd.Content)
	return sd.verify(h.Sum(nil))
}

// VerifyDetached is VerifySignature for detached content, given its digest
// under Signer.Hash.
func (sd *SignedData) VerifyDetached(digest []byte) error {
	return sd.verify(digest)
}

func (sd *SignedData) verify(digest []byte) error {
	si := &sd.Signer
	cert, err := sd.SignerCertificate()
	if err != nil {
		return err
	}
	for _, single := range []asn1.ObjectIdentifier{OIDSigningTime, OIDSigningCertificate, OIDSigningCertificateV2} {
		if _, err := findAttribute(si.SignedAttributes, single); err != nil {
			return err
		}
	}
	ct, err := findAttribute(si.SignedAttributes, OIDContentType)
	if err != nil {
		return err
	}
	var ctOID asn1.ObjectIdentifier
	if len(ct) != 1 {
		return fmt.Errorf("%w: contentType attribute missing or with several values", ErrBadAttribute)
	}
	if v := cryptobyte.String(ct[0]); !v.ReadASN1ObjectIdentifier(&ctOID) || !v.Empty() || !ctOID.Equal(sd.ContentType) {
		return fmt.Errorf("%w: contentType attribute does not name eContentType %v", ErrBadAttribute, sd.ContentType)
	}
	md, err := findAttribute(si.SignedAttributes, OIDMessageDigest)
	if err != nil {
		return err
	}
	var mdValue cryptobyte.String
	if len(md) != 1 {
		return fmt.Errorf("%w: messageDigest attribute missing or with several values", ErrBadAttribute)
	}
	if v := cryptobyte.String(md[0]); !v.ReadASN1(&mdValue, cbasn1.OCTET_STRING) || !v.Empty() {
		return fmt.Errorf("%w: messageDigest is not an OCTET STRING", ErrBadAttribute)
	}
	if len(digest) != si.Hash.Size() || !bytes.Equal(mdValue, digest) {
		return fmt.Errorf("%w: messageDigest attribute", ErrDigestMismatch)
	}
	check, err := verifier(si.sigAlg, si.Hash, cert.PublicKey)
	if err != nil {
		return err
	}
	// The signature covers the signed attributes with the SET OF tag in
	// place of [0] IMPLICIT (RFC 5652 §5.4), as received.
	input := append([]byte{0x31}, si.rawSignedAttrs[1:]...)
	h := si.Hash.New()
	h.Write(input)
	if !check(h.Sum(nil), si.Signature) {
		return fmt.Errorf("%w: signer %q", ErrBadSignature, cert.Subject.String())
	}
	return nil
}

// CheckSigningCertificate checks that the signed signing-certificate-v2
// attribute (RFC 5035), or else the older signing-certificate attribute
// (RFC 2634, SHA-1), names cert: its first certificate identifier holds
// cert's hash and, when present, cert's issuer and serial number. Either
// attribute missing entirely is ErrBadAttribute.
func (sd *SignedData) CheckSigningCertificate(cert *x509.Certificate) error {
	attrs := sd.Signer.SignedAttributes
	v2, err := findAttribute(attrs, OIDSigningCertificateV2)
	if err != nil {
		return err
	}
	v1, err := findAttribute(attrs, OIDSigningCertificate)
	if err != nil {
		return err
	}
	switch {
	case v2 != nil:
		return checkESS(v2, cert, true)
	case v1 != nil:
		return checkESS(v1, cert, false)
	}
	return fmt.Errorf("%w: no signing-certificate attribute", ErrBadAttribute)
}

// checkESS checks a SigningCertificate(V2) attribute's only value.
func checkESS(values [][]byte, cert *x509.Certificate, v2 bool) error {
	bad := func(what string) error {
		return fmt.Errorf("%w: signing-certificate attribute: %s", ErrBadAttribute, what)
	}
	if len(values) != 1 {
		return bad("several values")
	}
	s := cryptobyte.String(values[0])
	var sc, certs, id cryptobyte.String
	if !s.ReadASN1(&sc, cbasn1.SEQUENCE) || !s.Empty() || !sc.ReadASN1(&certs, cbasn1.SEQUENCE) ||
		!certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return bad("malformed")
	}
	h := crypto.SHA1
	if v2 {
		h = crypto.SHA256
		if id.PeekASN1Tag(cbasn1.SEQUENCE) {
			a, ok := readAlgorithm(&id)
			if !ok {
				return bad("hashAlgorithm")
			}
			var err error
			if h, err = digestHash(a); err != nil {
				return bad("hashAlgorithm")
			}
		}
	}
	var certHash cryptobyte.String
	if !id.ReadASN1(&certHash, cbasn1.OCTET_STRING) {
		return bad("certHash")
	}
	d := h.New()
	d.Write(cert.Raw)
	if !bytes.Equal(certHash, d.Sum(nil)) {
		return bad("certHash does not match the signer certificate")
	}
	if id.Empty() {
		return nil
	}
	var is, names cryptobyte.String
	serial := new(big.Int)
	if !id.ReadASN1(&is, cbasn1.SEQUENCE) || !id.Empty() || !is.ReadASN1(&names, cbasn1.SEQUENCE) ||
		!is.ReadASN1Integer(serial) || !is.Empty() {
		return bad("issuerSerial")
	}
	if serial.Cmp(cert.SerialNumber) != 0 {
		return bad("issuerSerial serial number does not match the signer certificate")
	}
	dirTag := cbasn1.Tag(4).Constructed().ContextSpecific()
	for !names.Empty() {
		var name cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&name, &tag) {
			return bad("issuerSerial issuer")
		}
		if tag == dirTag && bytes.Equal(name, cert.RawIssuer) {
			return nil
		}
	}
	return bad("issuerSerial issuer does not match the signer certificate")
}
