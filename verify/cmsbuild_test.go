package verify

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// cmsSpec describes a CMS SignedData for buildCMS. The zero value of each
// field means the ordinary choice: one SignerInfo for cert signed by key
// with SHA-256, contentType and messageDigest attributes, detached.
type cmsSpec struct {
	key   crypto.Signer
	cert  *x509.Certificate   // named by the sid
	certs []*x509.Certificate // the certificates field; nil: just cert

	hash       crypto.Hash // default SHA-256
	sidSKI     bool        // identify cert by subject key identifier
	pss        bool        // RSASSA-PSS
	signerInfo int         // how many (identical) SignerInfos; default 1

	signingTime     time.Time         // zero: no signingTime attribute
	essCert         *x509.Certificate // signing-certificate-v2 naming it; nil: none
	noContentType   bool
	contentType     asn1.ObjectIdentifier // default id-data
	digestOverride  []byte                // messageDigest value instead of the real one
	noSignedAttrs   bool                  // sign the content directly, no attributes
	withContent     bool                  // not detached
	corruptSig      bool                  // flip a bit of the signature value
	duplicateDigest bool                  // messageDigest attribute twice
	sigAlg          asn1.ObjectIdentifier // ECDSA signature algorithm instead of the one for hash

	eContentType asn1.ObjectIdentifier           // encapsulated content type; default id-data
	signedExtra  [][]byte                        // more signed attributes (DER Attribute)
	unsignedFor  func(signature []byte) [][]byte // unsigned attributes (DER Attribute), given the signature value
	crls         [][]byte                        // the crls field (DER RevocationInfoChoice)
}

var (
	oidTestSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

func hashOID(t testing.TB, h crypto.Hash) asn1.ObjectIdentifier {
	t.Helper()
	switch h {
	case crypto.SHA256:
		return oidTestSHA256
	case crypto.SHA384:
		return asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	case crypto.SHA512:
		return asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	case crypto.SHA1:
		return asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	}
	t.Fatalf("no OID for %v", h)
	return nil
}

func ecdsaOID(t testing.TB, h crypto.Hash) asn1.ObjectIdentifier {
	t.Helper()
	switch h {
	case crypto.SHA256:
		return oidECDSAWithSHA256
	case crypto.SHA384:
		return oidECDSAWithSHA384
	case crypto.SHA512:
		return oidECDSAWithSHA512
	case crypto.SHA1:
		return oidECDSAWithSHA1
	}
	t.Fatalf("no ECDSA OID for %v", h)
	return nil
}

// buildCMS builds a DER ContentInfo over content as spec says. It is written
// for the tests, independently of the parser in cms.go.
func buildCMS(t testing.TB, content []byte, spec cmsSpec) []byte {
	t.Helper()
	if spec.hash == 0 {
		spec.hash = crypto.SHA256
	}
	if spec.certs == nil {
		spec.certs = []*x509.Certificate{spec.cert}
	}
	if spec.signerInfo == 0 {
		spec.signerInfo = 1
	}
	if spec.contentType == nil {
		spec.contentType = oidData
	}
	if spec.eContentType == nil {
		spec.eContentType = oidData
	}
	h := spec.hash.New()
	h.Write(content)
	digest := h.Sum(nil)
	if spec.digestOverride != nil {
		digest = spec.digestOverride
	}

	// Signed attributes, as a DER SET OF.
	var attrs cryptobyte.Builder
	attrs.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		attr := func(oid asn1.ObjectIdentifier, value func(b *cryptobyte.Builder)) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oid)
				b.AddASN1(cbasn1.SET, value)
			})
		}
		if !spec.noContentType {
			attr(oidAttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(spec.contentType) })
		}
		attr(oidAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) })
		if spec.duplicateDigest {
			attr(oidAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) })
		}
		if !spec.signingTime.IsZero() {
			attr(oidAttrSigningTime, func(b *cryptobyte.Builder) { b.AddASN1UTCTime(spec.signingTime.UTC()) })
		}
		if spec.essCert != nil {
			sum := crypto.SHA256.New()
			sum.Write(spec.essCert.Raw)
			attr(oidAttrSigningCertV2, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1OctetString(sum.Sum(nil))
						})
					})
				})
			})
		}
		for _, a := range spec.signedExtra {
			b.AddBytes(a)
		}
	})
	attrSet, err := attrs.Bytes()
	if err != nil {
		t.Fatal(err)
	}

	toSign := attrSet
	if spec.noSignedAttrs {
		toSign = content
	}
	h = spec.hash.New()
	h.Write(toSign)
	var opts crypto.SignerOpts = spec.hash
	if spec.pss {
		opts = &rsa.PSSOptions{SaltLength: 32, Hash: spec.hash}
	}
	sig, err := spec.key.Sign(rand.Reader, h.Sum(nil), opts)
	if err != nil {
		t.Fatal(err)
	}
	if spec.corruptSig {
		sig[len(sig)/2] ^= 0x01
	}

	algorithm := func(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, params func(b *cryptobyte.Builder)) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			if params != nil {
				params(b)
			}
		})
	}
	signerInfo := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if spec.sidSKI {
				b.AddASN1Int64(3)
				b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(spec.cert.SubjectKeyId) })
			} else {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddBytes(spec.cert.RawIssuer)
					b.AddASN1BigInt(spec.cert.SerialNumber)
				})
			}
			algorithm(b, hashOID(t, spec.hash), nil)
			if !spec.noSignedAttrs {
				implicit := append([]byte(nil), attrSet...)
				implicit[0] = 0xa0
				b.AddBytes(implicit)
			}
			switch {
			case spec.pss:
				algorithm(b, oidRSAPSS, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							algorithm(b, hashOID(t, spec.hash), nil)
						})
						b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							algorithm(b, oidMGF1, func(b *cryptobyte.Builder) { algorithm(b, hashOID(t, spec.hash), nil) })
						})
						b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(32) })
					})
				})
			case spec.cert.PublicKeyAlgorithm == x509.RSA:
				algorithm(b, oidRSAEncryption, func(b *cryptobyte.Builder) { b.AddASN1NULL() })
			case spec.sigAlg != nil:
				algorithm(b, spec.sigAlg, nil)
			default:
				algorithm(b, ecdsaOID(t, spec.hash), nil)
			}
			b.AddASN1OctetString(sig)
			if spec.unsignedFor != nil {
				// The signature value, uncorrupted or not, as written.
				b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					for _, a := range spec.unsignedFor(sig) {
						b.AddBytes(a)
					}
				})
			}
		})
	}

	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { algorithm(b, hashOID(t, spec.hash), nil) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(spec.eContentType)
					if spec.withContent {
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddASN1OctetString(content)
						})
					}
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					for _, c := range spec.certs {
						b.AddBytes(c.Raw)
					}
				})
				if spec.crls != nil {
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, c := range spec.crls {
							b.AddBytes(c)
						}
					})
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					for range spec.signerInfo {
						signerInfo(b)
					}
				})
			})
		})
	})
	der, err := out.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}
