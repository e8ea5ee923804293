package cms

import (
	"bytes"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SignatureValue returns the signature value of the (single) SignerInfo of
// a DER ContentInfo(SignedData): the bytes an RFC 3161 signature
// time-stamp covers (RFC 3161 appendix A).
func SignatureValue(signedData []byte) ([]byte, error) {
	sd, err := Parse(signedData)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(sd.Signer.Signature), nil
}

// AddUnsignedAttribute returns signedData with attr appended to the
// SignerInfo's unsigned attributes (for instance
// OIDSignatureTimeStampToken holding a TimeStampToken). Every other byte
// of the structure is kept as it was, so the signature stays valid;
// attributes already there keep their order.
func AddUnsignedAttribute(signedData []byte, attr Attribute) ([]byte, error) {
	sd, err := Parse(signedData)
	if err != nil {
		return nil, err
	}
	si := &sd.Signer
	if len(si.rawUnsigned) == maxAttributes {
		return nil, fmt.Errorf("%w: already %d unsigned attributes", ErrBadAttribute, maxAttributes)
	}
	if len(attr.Values) > maxValues {
		return nil, fmt.Errorf("%w: attribute with %d values, at most %d", ErrBadAttribute, len(attr.Values), maxValues)
	}
	added, err := encodeAttribute(attr, false)
	if err != nil {
		return nil, err
	}
	out, err := der(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
			b.AddASN1ObjectIdentifier(OIDSignedData)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
					b.AddBytes(sd.rawVersion)
					b.AddBytes(sd.rawDigestAlgs)
					b.AddBytes(sd.rawEncap)
					b.AddBytes(sd.rawCerts)
					b.AddBytes(sd.rawCRLs)
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
							b.AddBytes(si.rawVersion)
							b.AddBytes(si.rawSID)
							b.AddBytes(si.rawDigestAlg)
							b.AddBytes(si.rawSignedAttrs)
							b.AddBytes(si.rawSigAlg)
							b.AddBytes(si.rawSignature)
							b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								for _, a := range si.rawUnsigned {
									b.AddBytes(a)
								}
								b.AddBytes(added)
							})
						})
					})
				})
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cms: encode SignedData: %w", err)
	}
	if len(out) > MaxParseSize {
		return nil, fmt.Errorf("%w: result of %d bytes exceeds %d", ErrBadAttribute, len(out), MaxParseSize)
	}
	return out, nil
}
