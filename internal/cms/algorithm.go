package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	_ "crypto/sha1" // SHA-1 ESS certificate identifiers (RFC 2634) are read, never written
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// RSA modulus sizes accepted, in bits.
const (
	minRSABits = 2048
	maxRSABits = 16384
)

// hashOID returns the digest algorithm OID of a hash this package accepts.
func hashOID(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	switch h {
	case crypto.SHA256:
		return oidSHA256, true
	case crypto.SHA384:
		return oidSHA384, true
	case crypto.SHA512:
		return oidSHA512, true
	}
	return nil, false
}

// hashFromOID is the inverse of hashOID.
func hashFromOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		if o, _ := hashOID(h); o.Equal(oid) {
			return h, true
		}
	}
	return 0, false
}

// optionsHash returns opts.Hash, SHA-256 when zero, or ErrUnsupportedHash.
func optionsHash(opts Options) (crypto.Hash, error) {
	h := opts.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	if _, ok := hashOID(h); !ok {
		return 0, fmt.Errorf("%w: %v", ErrUnsupportedHash, h)
	}
	return h, nil
}

// addHashAlgorithm writes a digest AlgorithmIdentifier with absent
// parameters (RFC 5754 §2: generate absent, accept absent or NULL).
func addHashAlgorithm(b *cryptobyte.Builder, h crypto.Hash) {
	oid, _ := hashOID(h)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
	})
}

// plan is how Sign signs with one key: the algorithm identifiers it
// writes, the options it passes to the key, how long the signature can be
// and how it is checked.
type plan struct {
	hash       crypto.Hash
	sigAlg     []byte // DER AlgorithmIdentifier for signatureAlgorithm
	signerOpts crypto.SignerOpts
	// maxSig bounds the signature value's length in bytes.
	maxSig int
	// rsaLen is the modulus length in bytes for RSA keys (signatures are
	// left-padded to it), 0 otherwise.
	rsaLen int
	verify func(digest, sig []byte) bool
}

// newPlan chooses the signature algorithm for pub and opts.
func newPlan(pub crypto.PublicKey, opts Options) (*plan, error) {
	h, err := optionsHash(opts)
	if err != nil {
		return nil, err
	}
	p := &plan{hash: h}
	b := cryptobyte.NewBuilder(nil)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		if bits < minRSABits || bits > maxRSABits {
			return nil, fmt.Errorf("%w: RSA key of %d bits (want %d to %d)", ErrUnsupportedKey, bits, minRSABits, maxRSABits)
		}
		p.rsaLen = (bits + 7) / 8
		p.maxSig = p.rsaLen
		if opts.PSS {
			pssOpts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
			p.signerOpts = pssOpts
			p.verify = func(d, s []byte) bool { return rsa.VerifyPSS(k, h, d, s, pssOpts) == nil }
			addPSSAlgorithm(b, h)
		} else {
			p.signerOpts = h
			p.verify = func(d, s []byte) bool { return rsa.VerifyPKCS1v15(k, h, d, s) == nil }
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(rsaPKCS1OID(h))
				b.AddASN1NULL() // RFC 4055 §5: the parameters MUST be NULL
			})
		}
	case *ecdsa.PublicKey:
		if opts.PSS {
			return nil, fmt.Errorf("%w: PSS needs an RSA key, got ECDSA", ErrUnsupportedKey)
		}
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return nil, fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		p.signerOpts = h
		p.maxSig = maxECDSASignatureLen(k.Curve)
		p.verify = func(d, s []byte) bool { return ecdsa.VerifyASN1(k, d, s) }
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(ecdsaOID(h)) // RFC 5758 §3.2: parameters absent
		})
	default:
		return nil, fmt.Errorf("%w: %T (want RSA or ECDSA)", ErrUnsupportedKey, pub)
	}
	p.sigAlg, err = b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode signature algorithm: %w", err)
	}
	return p, nil
}

func rsaPKCS1OID(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.SHA384:
		return oidSHA384WithRSA
	case crypto.SHA512:
		return oidSHA512WithRSA
	}
	return oidSHA256WithRSA
}

func ecdsaOID(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.SHA384:
		return oidECDSAWithSHA384
	case crypto.SHA512:
		return oidECDSAWithSHA512
	}
	return oidECDSAWithSHA256
}

// addPSSAlgorithm writes id-RSASSA-PSS with RSASSA-PSS-params (RFC 4055
// §3.1, RFC 8017 A.2.3): hashAlgorithm h, maskGenAlgorithm MGF1 with h,
// saltLength the hash length; trailerField is left at its DEFAULT 1, which
// DER omits.
func addPSSAlgorithm(b *cryptobyte.Builder, h crypto.Hash) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidRSAPSS)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				addHashAlgorithm(b, h)
			})
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidMGF1)
					addHashAlgorithm(b, h)
				})
			})
			b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1Int64(int64(h.Size()))
			})
		})
	})
}

// maxECDSASignatureLen is the length of the longest DER Ecdsa-Sig-Value
// (SEQUENCE of two INTEGERs) on curve c: each INTEGER may need a leading
// zero byte.
func maxECDSASignatureLen(c elliptic.Curve) int {
	intLen := (c.Params().BitSize+7)/8 + 1
	intTLV := 1 + derLengthLen(intLen) + intLen
	return 1 + derLengthLen(2*intTLV) + 2*intTLV
}

// derLengthLen is the number of bytes of a DER length field for n.
func derLengthLen(n int) int {
	l := 1
	if n >= 0x80 {
		for ; n > 0; n >>= 8 {
			l++
		}
	}
	return l
}

// algorithm is a parsed AlgorithmIdentifier; params is the DER of the
// parameters, nil when absent.
type algorithm struct {
	oid    asn1.ObjectIdentifier
	params []byte
}

// readAlgorithm reads an AlgorithmIdentifier SEQUENCE from s.
func readAlgorithm(s *cryptobyte.String) (algorithm, bool) {
	var seq cryptobyte.String
	var a algorithm
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.oid) {
		return a, false
	}
	if !seq.Empty() {
		var params cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1Element(&params, &tag) || !seq.Empty() {
			return a, false
		}
		a.params = params
	}
	return a, true
}

// absentOrNull reports digest algorithm parameters RFC 5754 allows.
func absentOrNull(params []byte) bool {
	return len(params) == 0 || bytes.Equal(params, []byte{0x05, 0x00})
}

// digestHash reads a digest AlgorithmIdentifier this package accepts.
func digestHash(a algorithm) (crypto.Hash, error) {
	h, ok := hashFromOID(a.oid)
	if !ok {
		return 0, fmt.Errorf("%w: digest algorithm %s", ErrUnsupportedHash, a.oid)
	}
	if !absentOrNull(a.params) {
		return 0, fmt.Errorf("%w: digest algorithm %s with parameters", ErrMalformed, a.oid)
	}
	return h, nil
}

// verifier checks a signature over digest (computed with the SignerInfo's
// digest algorithm) with pub, as signatureAlgorithm a says.
func verifier(a algorithm, h crypto.Hash, pub crypto.PublicKey) (func(digest, sig []byte) bool, error) {
	unsupported := func(what string) error {
		return fmt.Errorf("%w: signature algorithm %s: %s", ErrUnsupported, a.oid, what)
	}
	switch {
	case a.oid.Equal(oidRSAEncryption), a.oid.Equal(oidSHA256WithRSA), a.oid.Equal(oidSHA384WithRSA), a.oid.Equal(oidSHA512WithRSA):
		if !a.oid.Equal(oidRSAEncryption) && !a.oid.Equal(rsaPKCS1OID(h)) {
			return nil, unsupported(fmt.Sprintf("does not match digest algorithm %v", h))
		}
		if !absentOrNull(a.params) {
			return nil, unsupported("unexpected parameters")
		}
		k, err := rsaKey(pub)
		if err != nil {
			return nil, err
		}
		return func(d, s []byte) bool { return rsa.VerifyPKCS1v15(k, h, d, s) == nil }, nil
	case a.oid.Equal(oidRSAPSS):
		salt, err := pssParams(a.params, h)
		if err != nil {
			return nil, err
		}
		k, err := rsaKey(pub)
		if err != nil {
			return nil, err
		}
		o := &rsa.PSSOptions{SaltLength: salt, Hash: h}
		return func(d, s []byte) bool { return rsa.VerifyPSS(k, h, d, s, o) == nil }, nil
	case a.oid.Equal(oidECPublicKey), a.oid.Equal(oidECDSAWithSHA256), a.oid.Equal(oidECDSAWithSHA384), a.oid.Equal(oidECDSAWithSHA512):
		if !a.oid.Equal(oidECPublicKey) {
			if !a.oid.Equal(ecdsaOID(h)) {
				return nil, unsupported(fmt.Sprintf("does not match digest algorithm %v", h))
			}
			if len(a.params) != 0 {
				return nil, unsupported("unexpected parameters")
			}
		}
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: ECDSA signature, %T certificate key", ErrUnsupportedKey, pub)
		}
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return nil, fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		return func(d, s []byte) bool { return ecdsa.VerifyASN1(k, d, s) }, nil
	}
	return nil, unsupported("unknown")
}

func rsaKey(pub crypto.PublicKey) (*rsa.PublicKey, error) {
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: RSA signature, %T certificate key", ErrUnsupportedKey, pub)
	}
	if bits := k.N.BitLen(); bits < minRSABits || bits > maxRSABits {
		return nil, fmt.Errorf("%w: RSA key of %d bits", ErrUnsupportedKey, bits)
	}
	return k, nil
}

// pssParams reads RSASSA-PSS-params and returns the salt length. The hash
// must be h and the mask generation MGF1 with h; the trailer field, when
// given, must be 1. The SHA-1 defaults are refused.
func pssParams(params []byte, h crypto.Hash) (int, error) {
	bad := func(what string) (int, error) {
		return 0, fmt.Errorf("%w: RSASSA-PSS parameters: %s", ErrUnsupported, what)
	}
	s := cryptobyte.String(params)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return bad("not a SEQUENCE")
	}
	var field cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) || !present {
		return bad("hashAlgorithm missing (SHA-1 default)")
	}
	a, ok := readAlgorithm(&field)
	if !ok || !field.Empty() {
		return bad("hashAlgorithm")
	}
	if got, err := digestHash(a); err != nil || got != h {
		return bad("hashAlgorithm differs from the digest algorithm")
	}
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) || !present {
		return bad("maskGenAlgorithm missing (MGF1-SHA-1 default)")
	}
	mgf, ok := readAlgorithm(&field)
	if !ok || !field.Empty() || !mgf.oid.Equal(oidMGF1) {
		return bad("maskGenAlgorithm is not MGF1")
	}
	inner := cryptobyte.String(mgf.params)
	a, ok = readAlgorithm(&inner)
	if !ok || !inner.Empty() {
		return bad("MGF1 hash")
	}
	if got, err := digestHash(a); err != nil || got != h {
		return bad("MGF1 hash differs from the digest algorithm")
	}
	salt := int64(20)
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(2).Constructed().ContextSpecific()) {
		return bad("saltLength")
	}
	if present && (!field.ReadASN1Int64WithTag(&salt, cbasn1.INTEGER) || !field.Empty() || salt < 1 || salt > 1024) {
		// Go's rsa.PSSOptions reads a salt length of 0 as "any": refuse it.
		return bad("saltLength")
	}
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return bad("trailerField")
	}
	var trailer int64 = 1
	if present && (!field.ReadASN1Int64WithTag(&trailer, cbasn1.INTEGER) || !field.Empty()) {
		return bad("trailerField")
	}
	if trailer != 1 || !seq.Empty() {
		return bad("trailerField is not 1, or trailing data")
	}
	return int(salt), nil
}
