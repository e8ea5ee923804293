package cms

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Attribute is one CMS attribute: its type and the DER encoding of each of
// its values.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// Options control Sign and MaxSize.
type Options struct {
	// Hash is the digest algorithm; 0 means SHA-256. SHA-256, SHA-384 and
	// SHA-512 are accepted.
	Hash crypto.Hash
	// PSS selects RSASSA-PSS (salt length = hash length, MGF1 with the same
	// hash) instead of PKCS #1 v1.5. RSA keys only.
	PSS bool
	// ContentType is the eContentType; nil means id-data.
	ContentType asn1.ObjectIdentifier
	// Content is the encapsulated content; nil means detached (eContent
	// absent). When set, Sign checks that digest is its digest.
	Content []byte
	// SigningTime, when not zero, adds a signingTime attribute (UTCTime
	// until 2049, GeneralizedTime after, in whole seconds). Zero adds none:
	// PAdES baseline signatures must not carry it.
	SigningTime time.Time
	// SignedAttributes are added to the signed attributes after
	// contentType, messageDigest, signingTime and signing-certificate-v2;
	// none of those types may be given here, nor any type twice.
	SignedAttributes []Attribute
	// UnsignedAttributes are written, in this order, as the SignerInfo's
	// unsigned attributes.
	UnsignedAttributes []Attribute
	// OmitCertificates leaves the certificates field out (an RFC 3161
	// token answering a request with certReq false). chain[0] still names
	// the signer in the sid and the signing-certificate-v2 attribute.
	OmitCertificates bool
}

// Sign returns a DER ContentInfo(SignedData) with one SignerInfo (sid =
// issuerAndSerialNumber, version 1) for chain[0]. digest is the hash
// (opts.Hash) of the content. Signed attributes always include contentType,
// messageDigest and ESS signing-certificate-v2 (RFC 5035; SHA-256 certHash
// of chain[0], with issuerSerial), DER-sorted as a SET OF. The certificates
// field holds chain as given.
//
// key must hold chain[0]'s public key, and every certificate of chain must
// be issued by the next. key.Sign is called exactly once, with rand; the
// signature it returns is verified before use.
func Sign(rand io.Reader, digest []byte, key crypto.Signer, chain []*x509.Certificate, opts Options) ([]byte, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: no key", ErrUnsupportedKey)
	}
	if err := checkChain(chain); err != nil {
		return nil, err
	}
	pub := key.Public()
	if !publicKeyEqual(pub, chain[0].PublicKey) {
		return nil, fmt.Errorf("%w: %q", ErrKeyMismatch, chain[0].Subject.String())
	}
	p, err := newPlan(pub, opts)
	if err != nil {
		return nil, err
	}
	if len(digest) != p.hash.Size() {
		return nil, fmt.Errorf("%w: %d-byte digest for %v", ErrDigestMismatch, len(digest), p.hash)
	}
	if opts.Content != nil {
		h := p.hash.New()
		h.Write(opts.Content)
		if !bytes.Equal(h.Sum(nil), digest) {
			return nil, fmt.Errorf("%w: digest is not the %v of Content", ErrDigestMismatch, p.hash)
		}
	}
	attrs, err := signedAttributes(digest, chain[0], opts)
	if err != nil {
		return nil, err
	}
	unsigned, err := encodeAttributes(opts.UnsignedAttributes, false)
	if err != nil {
		return nil, fmt.Errorf("unsigned attributes: %w", err)
	}
	h := p.hash.New()
	h.Write(signedAttrsInput(attrs))
	sig, err := key.Sign(rand, h.Sum(nil), p.signerOpts)
	if err != nil {
		return nil, fmt.Errorf("cms: sign: %w", err)
	}
	if p.rsaLen > 0 && len(sig) < p.rsaLen {
		// Some tokens drop the leading zero bytes; RFC 8017 §8.2.1 says
		// the signature is exactly as long as the modulus.
		sig = append(make([]byte, p.rsaLen-len(sig)), sig...)
	}
	if len(sig) > p.maxSig || !p.verify(h.Sum(nil), sig) {
		return nil, fmt.Errorf("%w: the key returned a signature that does not verify with %q", ErrBadSignature, chain[0].Subject.String())
	}
	return assemble(p, opts, chain, attrs, sig, unsigned)
}

// MaxSize is an upper bound of len(Sign(...)) for this public key, chain
// and options: Sign's output with the longest signature the key can make.
// Attributes added later with AddUnsignedAttribute are not counted. It
// returns 0 when Sign would refuse the key, chain or options.
func MaxSize(pub crypto.PublicKey, chain []*x509.Certificate, opts Options) int {
	if checkChain(chain) != nil {
		return 0
	}
	p, err := newPlan(pub, opts)
	if err != nil {
		return 0
	}
	attrs, err := signedAttributes(make([]byte, p.hash.Size()), chain[0], opts)
	if err != nil {
		return 0
	}
	unsigned, err := encodeAttributes(opts.UnsignedAttributes, false)
	if err != nil {
		return 0
	}
	der, err := assemble(p, opts, chain, attrs, make([]byte, p.maxSig), unsigned)
	if err != nil {
		return 0
	}
	return len(der)
}

// checkChain checks that chain is not empty, holds only parsed
// certificates, and that each certificate is issued by the next.
func checkChain(chain []*x509.Certificate) error {
	if len(chain) == 0 {
		return fmt.Errorf("%w: empty", ErrBadChain)
	}
	for i, c := range chain {
		if c == nil || len(c.Raw) == 0 || len(c.RawIssuer) == 0 || c.SerialNumber == nil {
			return fmt.Errorf("%w: certificate %d is nil or not parsed (use x509.ParseCertificate)", ErrBadChain, i)
		}
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return fmt.Errorf("%w: certificate %d %q is not issued by certificate %d %q: %v",
				ErrBadChain, i, chain[i].Subject.String(), i+1, chain[i+1].Subject.String(), err)
		}
	}
	return nil
}

// publicKeyEqual reports whether a and b are the same public key.
func publicKeyEqual(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && eq.Equal(b)
}

// signedAttrsInput is what the signature covers: the signed attributes
// with the EXPLICIT SET OF tag (RFC 5652 §5.4), given their content.
func signedAttrsInput(content []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	return b.BytesOrPanic() // cannot fail: content is already DER
}

// reservedSigned are the signed attribute types Sign writes itself.
var reservedSigned = []asn1.ObjectIdentifier{OIDContentType, OIDMessageDigest, OIDSigningTime, OIDSigningCertificateV2, OIDSigningCertificate}

// signedAttributes returns the content of the signed attributes SET OF,
// sorted.
func signedAttributes(digest []byte, leaf *x509.Certificate, opts Options) ([]byte, error) {
	contentType := opts.ContentType
	if contentType == nil {
		contentType = OIDData
	}
	ct, err := der(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(contentType) })
	if err != nil {
		return nil, fmt.Errorf("%w: content type %v", ErrBadAttribute, contentType)
	}
	md, _ := der(func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) })
	attrs := []Attribute{
		{Type: OIDContentType, Values: [][]byte{ct}},
		{Type: OIDMessageDigest, Values: [][]byte{md}},
	}
	if !opts.SigningTime.IsZero() {
		st, err := encodeTime(opts.SigningTime)
		if err != nil {
			return nil, fmt.Errorf("%w: signing time: %v", ErrBadAttribute, err)
		}
		attrs = append(attrs, Attribute{Type: OIDSigningTime, Values: [][]byte{st}})
	}
	ess, err := signingCertificateV2(leaf)
	if err != nil {
		return nil, err
	}
	attrs = append(attrs, Attribute{Type: OIDSigningCertificateV2, Values: [][]byte{ess}})
	for i, a := range opts.SignedAttributes {
		for _, r := range reservedSigned {
			if a.Type.Equal(r) {
				return nil, fmt.Errorf("%w: signed attribute %v is written by Sign itself", ErrBadAttribute, a.Type)
			}
		}
		for _, b := range opts.SignedAttributes[:i] {
			if a.Type.Equal(b.Type) {
				return nil, fmt.Errorf("%w: signed attribute %v given twice", ErrBadAttribute, a.Type)
			}
		}
	}
	return encodeAttributes(append(attrs, opts.SignedAttributes...), true)
}

// encodeTime encodes a signingTime value (RFC 5652 §11.3): UTCTime for
// 1950 to 2049, GeneralizedTime otherwise, in UTC and whole seconds.
func encodeTime(t time.Time) ([]byte, error) {
	t = t.UTC().Truncate(time.Second)
	return der(func(b *cryptobyte.Builder) {
		if t.Year() >= 1950 && t.Year() < 2050 {
			b.AddASN1UTCTime(t)
		} else {
			b.AddASN1GeneralizedTime(t)
		}
	})
}

// signingCertificateV2 encodes the SigningCertificateV2 value naming leaf
// (RFC 5035 §3): one ESSCertIDv2 with the default hash algorithm SHA-256
// (omitted, as DER requires for a DEFAULT) and issuerSerial.
func signingCertificateV2(leaf *x509.Certificate) ([]byte, error) {
	sum := sha256.Sum256(leaf.Raw)
	out, err := der(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
					b.AddASN1OctetString(sum[:])
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
							b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddBytes(leaf.RawIssuer) // directoryName
							})
						})
						b.AddASN1BigInt(leaf.SerialNumber)
					})
				})
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("%w: signing-certificate-v2: %v", ErrBadAttribute, err)
	}
	return out, nil
}

// encodeAttributes returns the concatenated DER Attribute SEQUENCEs of
// attrs. With sorted (signed attributes, DER SET OF) the attributes and
// each attribute's values are in ascending byte order; otherwise they
// stay as given.
func encodeAttributes(attrs []Attribute, sorted bool) ([]byte, error) {
	encoded := make([][]byte, 0, len(attrs))
	for _, a := range attrs {
		e, err := encodeAttribute(a, sorted)
		if err != nil {
			return nil, err
		}
		encoded = append(encoded, e)
	}
	if sorted {
		slices.SortFunc(encoded, bytes.Compare)
	}
	return bytes.Join(encoded, nil), nil
}

// encodeAttribute checks a and returns its DER Attribute SEQUENCE.
func encodeAttribute(a Attribute, sortValues bool) ([]byte, error) {
	if len(a.Values) == 0 {
		return nil, fmt.Errorf("%w: attribute %v has no value", ErrBadAttribute, a.Type)
	}
	values := slices.Clone(a.Values)
	for i, v := range values {
		s := cryptobyte.String(v)
		var elem cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1Element(&elem, &tag) || !s.Empty() {
			return nil, fmt.Errorf("%w: attribute %v value %d is not one DER element", ErrBadAttribute, a.Type, i)
		}
	}
	if sortValues {
		slices.SortFunc(values, bytes.Compare)
	}
	out, err := der(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(a.Type)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, v := range values {
					b.AddBytes(v)
				}
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("%w: attribute type %v: %v", ErrBadAttribute, a.Type, err)
	}
	return out, nil
}

// der runs f on a fresh builder and returns the bytes or its error.
func der(f func(b *cryptobyte.Builder)) ([]byte, error) {
	b := cryptobyte.NewBuilder(nil)
	f(b)
	return b.Bytes()
}

// assemble writes the ContentInfo. attrs is the content of the signed
// attributes SET OF, unsigned the concatenated unsigned Attribute
// SEQUENCEs (none when empty).
func assemble(p *plan, opts Options, chain []*x509.Certificate, attrs, sig, unsigned []byte) ([]byte, error) {
	contentType := opts.ContentType
	if contentType == nil {
		contentType = OIDData
	}
	// RFC 5652 §5.1: version 3 when eContentType is not id-data; the
	// certificates are X.509 and the SignerInfo is version 1, so 1
	// otherwise.
	version := int64(1)
	if !contentType.Equal(OIDData) {
		version = 3
	}
	out, err := der(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
			b.AddASN1ObjectIdentifier(OIDSignedData)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
					b.AddASN1Int64(version)
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addHashAlgorithm(b, p.hash) })
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncapsulatedContentInfo
						b.AddASN1ObjectIdentifier(contentType)
						if opts.Content != nil {
							b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddASN1OctetString(opts.Content)
							})
						}
					})
					if !opts.OmitCertificates {
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							for _, c := range chain {
								b.AddBytes(c.Raw)
							}
						})
					}
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { // signerInfos
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
							b.AddASN1Int64(1)
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
								b.AddBytes(chain[0].RawIssuer)
								b.AddASN1BigInt(chain[0].SerialNumber)
							})
							addHashAlgorithm(b, p.hash)
							b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddBytes(attrs)
							})
							b.AddBytes(p.sigAlg)
							b.AddASN1OctetString(sig)
							if len(unsigned) > 0 {
								b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
									b.AddBytes(unsigned)
								})
							}
						})
					})
				})
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cms: encode SignedData: %w", err)
	}
	return out, nil
}
