package verify

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers (RFC 5652, RFC 5035, RFC 8017, RFC 5758, RFC 5754).
var (
	oidData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrSigningCert   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidAttrSigningCertV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	// id-aa-signatureTimeStampToken (RFC 3161 Appendix A), unsigned.
	oidAttrTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	// adbe-revocationInfoArchival (ISO 32000-1 §12.8.3.3.2), signed.
	oidAttrAdbeRevocation = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 8}
	// id-ct-TSTInfo (RFC 3161 §2.4.2).
	oidTSTInfo = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
)

// maxCMSCertificates bounds the certificates field; a signature carries its
// chain, a handful of certificates.
const maxCMSCertificates = 64

// maxRevocationValues bounds the CRLs and OCSP responses read from one
// place (the crls field, a revocation attribute, a DSS array).
const maxRevocationValues = 64

// errMalformedCMS is wrapped by every CMS parsing error.
var errMalformedCMS = errors.New("malformed CMS")

func cmsError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformedCMS, fmt.Sprintf(format, args...))
}

// algorithmIdentifier is an X.509 AlgorithmIdentifier. params is the DER of
// the parameters, nil when absent.
type algorithmIdentifier struct {
	oid    asn1.ObjectIdentifier
	params []byte
}

// signedData is the part of a CMS SignedData the verifier uses.
type signedData struct {
	eContentType asn1.ObjectIdentifier
	eContent     bool   // encapsulated content present (not detached)
	content      []byte // the encapsulated content's octets, when present
	certificates []*x509.Certificate
	// crls holds the DER of each RevocationInfoChoice of the crls field
	// (RFC 5652 §10.2.1): a CertificateList, or an [1] other format.
	crls    [][]byte
	signers []signerInfo
}

// signerInfo is one CMS SignerInfo (RFC 5652 §5.3).
type signerInfo struct {
	// sid: either issuer (DER Name) and serial, or subjectKeyID.
	issuer       []byte
	serial       *big.Int
	subjectKeyID []byte

	digest algorithmIdentifier
	// signedAttrs is the DER of the [0] IMPLICIT signedAttrs element as
	// found; nil when absent.
	signedAttrs []byte
	attrs       []attribute
	sigAlg      algorithmIdentifier
	signature   []byte
	// unsigned are the unsigned attributes; nil when absent.
	unsigned []attribute
}

// attribute is one signed attribute: its type and the DER of each value.
type attribute struct {
	oid    asn1.ObjectIdentifier
	values [][]byte
}

// parseCMS parses a DER ContentInfo holding a SignedData. contents may be
// followed by zero bytes only (the unused part of a PDF /Contents
// placeholder). BER (indefinite lengths) is refused.
func parseCMS(contents []byte) (*signedData, error) {
	in := cryptobyte.String(contents)
	var ci cryptobyte.String
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) {
		return nil, cmsError("not a DER ContentInfo")
	}
	for _, b := range in {
		if b != 0 {
			return nil, cmsError("data after the ContentInfo")
		}
	}
	var ctype asn1.ObjectIdentifier
	if !ci.ReadASN1ObjectIdentifier(&ctype) {
		return nil, cmsError("ContentInfo without a content type")
	}
	if !ctype.Equal(oidSignedData) {
		return nil, cmsError("content type %s, want signedData", ctype)
	}
	var explicit, sd cryptobyte.String
	if !ci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() ||
		!explicit.ReadASN1(&sd, cbasn1.SEQUENCE) || !explicit.Empty() {
		return nil, cmsError("ContentInfo content is not a SignedData")
	}

	var out signedData
	var version int
	if !sd.ReadASN1Integer(&version) {
		return nil, cmsError("SignedData version")
	}
	var digestAlgs cryptobyte.String
	if !sd.ReadASN1(&digestAlgs, cbasn1.SET) {
		return nil, cmsError("SignedData digestAlgorithms")
	}
	for !digestAlgs.Empty() {
		if _, ok := readAlgorithm(&digestAlgs); !ok {
			return nil, cmsError("SignedData digestAlgorithms")
		}
	}
	var eci cryptobyte.String
	if !sd.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&out.eContentType) {
		return nil, cmsError("SignedData encapContentInfo")
	}
	var econtent cryptobyte.String
	if !eci.ReadOptionalASN1(&econtent, &out.eContent, cbasn1.Tag(0).Constructed().ContextSpecific()) || !eci.Empty() {
		return nil, cmsError("SignedData encapContentInfo")
	}
	if out.eContent {
		var octets cryptobyte.String
		if !econtent.ReadASN1(&octets, cbasn1.OCTET_STRING) || !econtent.Empty() {
			return nil, cmsError("SignedData eContent is not a DER OCTET STRING")
		}
		out.content = octets
	}

	var certs cryptobyte.String
	var hasCerts bool
	if !sd.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, cmsError("SignedData certificates")
	}
	for !certs.Empty() {
		if len(out.certificates) == maxCMSCertificates {
			return nil, cmsError("more than %d certificates", maxCMSCertificates)
		}
		var der cryptobyte.String
		if !certs.ReadASN1Element(&der, cbasn1.SEQUENCE) {
			return nil, cmsError("certificate %d is not an X.509 certificate", len(out.certificates)+1)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, cmsError("certificate %d: %v", len(out.certificates)+1, err)
		}
		out.certificates = append(out.certificates, c)
	}
	var crls cryptobyte.String
	var hasCRLs bool
	if !sd.ReadOptionalASN1(&crls, &hasCRLs, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, cmsError("SignedData crls")
	}
	for !crls.Empty() {
		if len(out.crls) == maxRevocationValues {
			return nil, cmsError("more than %d revocation values", maxRevocationValues)
		}
		var der cryptobyte.String
		if !crls.ReadAnyASN1Element(&der, nil) {
			return nil, cmsError("SignedData crls")
		}
		out.crls = append(out.crls, der)
	}
	var signers cryptobyte.String
	if !sd.ReadASN1(&signers, cbasn1.SET) || !sd.Empty() {
		return nil, cmsError("SignedData signerInfos")
	}
	for !signers.Empty() {
		si, err := parseSignerInfo(&signers)
		if err != nil {
			return nil, fmt.Errorf("SignerInfo %d: %w", len(out.signers)+1, err)
		}
		out.signers = append(out.signers, si)
	}
	return &out, nil
}

func parseSignerInfo(s *cryptobyte.String) (signerInfo, error) {
	var si signerInfo
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return si, cmsError("not a SEQUENCE")
	}
	var version int
	if !seq.ReadASN1Integer(&version) {
		return si, cmsError("version")
	}
	switch {
	case seq.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias cryptobyte.String
		var issuer cryptobyte.String
		si.serial = new(big.Int)
		if !seq.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Integer(si.serial) || !ias.Empty() {
			return si, cmsError("issuerAndSerialNumber")
		}
		si.issuer = issuer
	case seq.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		var ski cryptobyte.String
		if !seq.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) || len(ski) == 0 {
			return si, cmsError("subjectKeyIdentifier")
		}
		si.subjectKeyID = ski
	default:
		return si, cmsError("signer identifier")
	}
	var ok bool
	if si.digest, ok = readAlgorithm(&seq); !ok {
		return si, cmsError("digestAlgorithm")
	}
	attrTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if seq.PeekASN1Tag(attrTag) {
		var elem cryptobyte.String
		if !seq.ReadASN1Element(&elem, attrTag) {
			return si, cmsError("signedAttrs")
		}
		si.signedAttrs = elem
		attrs, err := parseAttributes(elem, attrTag)
		if err != nil {
			return si, err
		}
		si.attrs = attrs
	}
	if si.sigAlg, ok = readAlgorithm(&seq); !ok {
		return si, cmsError("signatureAlgorithm")
	}
	var sig cryptobyte.String
	if !seq.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return si, cmsError("signature")
	}
	si.signature = sig
	unsignedTag := cbasn1.Tag(1).Constructed().ContextSpecific()
	if seq.PeekASN1Tag(unsignedTag) {
		var elem cryptobyte.String
		if !seq.ReadASN1Element(&elem, unsignedTag) {
			return si, cmsError("unsignedAttrs")
		}
		attrs, err := parseAttributes(elem, unsignedTag)
		if err != nil {
			return si, err
		}
		si.unsigned = attrs
	}
	if !seq.Empty() {
		return si, cmsError("data after the signature")
	}
	return si, nil
}

// parseAttributes parses a SET OF Attribute written with the given tag.
func parseAttributes(elem []byte, tag cbasn1.Tag) ([]attribute, error) {
	s := cryptobyte.String(elem)
	var set cryptobyte.String
	if !s.ReadASN1(&set, tag) || !s.Empty() {
		return nil, cmsError("attributes")
	}
	var attrs []attribute
	for !set.Empty() {
		var a attribute
		var seq, values cryptobyte.String
		if !set.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.oid) ||
			!seq.ReadASN1(&values, cbasn1.SET) || !seq.Empty() {
			return nil, cmsError("attribute %d", len(attrs)+1)
		}
		for !values.Empty() {
			var v cryptobyte.String
			if !values.ReadAnyASN1Element(&v, nil) {
				return nil, cmsError("attribute %s value", a.oid)
			}
			a.values = append(a.values, v)
		}
		attrs = append(attrs, a)
	}
	return attrs, nil
}

func readAlgorithm(s *cryptobyte.String) (algorithmIdentifier, bool) {
	var a algorithmIdentifier
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.oid) {
		return a, false
	}
	if !seq.Empty() {
		var p cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1Element(&p, &tag) || !seq.Empty() {
			return a, false
		}
		a.params = p
	}
	return a, true
}

// signedAttrsForSignature returns the bytes the signature covers: the DER
// of the signed attributes with the [0] IMPLICIT tag replaced by the SET OF
// tag (RFC 5652 §5.4).
func (si *signerInfo) signedAttrsForSignature() []byte {
	b := append([]byte(nil), si.signedAttrs...)
	b[0] = 0x31
	return b
}

// signedAttributes is the verifier's reading of the signed attributes.
type signedAttributes struct {
	messageDigest []byte
	signingTime   time.Time
	hasTime       bool
	essV2         []byte // DER of the SigningCertificateV2 value; nil when absent
	essV1         []byte // DER of the SigningCertificate value; nil when absent
	// adbeRevocation is the DER of an adbe-revocationInfoArchival value;
	// nil when absent.
	adbeRevocation []byte
}

// readSignedAttributes checks the attributes RFC 5652 §5.3 and §11 require
// and reads the ones the verifier uses. Each attribute type may appear once;
// contentType must be id-data.
func readSignedAttributes(attrs []attribute) (signedAttributes, error) {
	return readSignedAttributesFor(attrs, oidData)
}

// readSignedAttributesFor is readSignedAttributes with contentType
// wantType.
func readSignedAttributesFor(attrs []attribute, wantType asn1.ObjectIdentifier) (signedAttributes, error) {
	var out signedAttributes
	var hasType, hasDigest bool
	seen := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		key := a.oid.String()
		if seen[key] {
			return out, cmsError("signed attribute %s appears twice", key)
		}
		seen[key] = true
		single := func() (cryptobyte.String, error) {
			if len(a.values) != 1 {
				return nil, cmsError("signed attribute %s has %d values, want 1", key, len(a.values))
			}
			return cryptobyte.String(a.values[0]), nil
		}
		switch {
		case a.oid.Equal(oidAttrContentType):
			v, err := single()
			if err != nil {
				return out, err
			}
			var ct asn1.ObjectIdentifier
			if !v.ReadASN1ObjectIdentifier(&ct) || !v.Empty() {
				return out, cmsError("contentType attribute is not an object identifier")
			}
			if !ct.Equal(wantType) {
				return out, cmsError("contentType attribute is %s, want %s", ct, wantType)
			}
			hasType = true
		case a.oid.Equal(oidAttrMessageDigest):
			v, err := single()
			if err != nil {
				return out, err
			}
			var d cryptobyte.String
			if !v.ReadASN1(&d, cbasn1.OCTET_STRING) || !v.Empty() {
				return out, cmsError("messageDigest attribute is not an OCTET STRING")
			}
			out.messageDigest = d
			hasDigest = true
		case a.oid.Equal(oidAttrSigningTime):
			v, err := single()
			if err != nil {
				return out, err
			}
			t, err := readTime(v)
			if err != nil {
				return out, err
			}
			out.signingTime, out.hasTime = t, true
		case a.oid.Equal(oidAttrSigningCertV2):
			v, err := single()
			if err != nil {
				return out, err
			}
			out.essV2 = v
		case a.oid.Equal(oidAttrSigningCert):
			v, err := single()
			if err != nil {
				return out, err
			}
			out.essV1 = v
		case a.oid.Equal(oidAttrAdbeRevocation):
			v, err := single()
			if err != nil {
				return out, err
			}
			out.adbeRevocation = v
		}
	}
	switch {
	case !hasType:
		return out, cmsError("no contentType signed attribute")
	case !hasDigest:
		return out, cmsError("no messageDigest signed attribute")
	}
	return out, nil
}

// readTime reads a signingTime value: UTCTime or GeneralizedTime.
func readTime(v cryptobyte.String) (time.Time, error) {
	var t time.Time
	switch {
	case v.PeekASN1Tag(cbasn1.UTCTime):
		if !v.ReadASN1UTCTime(&t) {
			return t, cmsError("signingTime is not a valid UTCTime")
		}
	case v.PeekASN1Tag(cbasn1.GeneralizedTime):
		if !v.ReadASN1GeneralizedTime(&t) {
			return t, cmsError("signingTime is not a valid GeneralizedTime")
		}
	default:
		return t, cmsError("signingTime is neither UTCTime nor GeneralizedTime")
	}
	if !v.Empty() {
		return t, cmsError("data after signingTime")
	}
	return t, nil
}
