package verify

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	_ "crypto/md5" // registers crypto.MD5, to recompute (then refuse) MD5 digests
	"crypto/rsa"
	_ "crypto/sha1" // registers crypto.SHA1, to recompute (then refuse) SHA-1 digests
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Algorithm errors, mapped to sub-indications by the caller.
var (
	// errUnsupportedAlgorithm: an algorithm kyso does not implement
	// (CRYPTO_CONSTRAINTS_FAILURE).
	errUnsupportedAlgorithm = errors.New("unsupported algorithm")
	// errAlgorithmMismatch: algorithm identifiers that contradict each
	// other or carry wrong parameters (FORMAT_FAILURE).
	errAlgorithmMismatch = errors.New("inconsistent algorithm identifiers")
	// errWeakKey: a public key below kyso's policy
	// (CRYPTO_CONSTRAINTS_FAILURE).
	errWeakKey = errors.New("key below the required strength")
)

// Minimum RSA modulus size accepted for signer certificates.
const minRSABits = 2048

var (
	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidMD5    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}

	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidMD5WithRSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}
	oidSHA1WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidRSAPSS        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA256WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidSHA224WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	oidMGF1          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}

	oidECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSAWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

// digestAlg is a message digest algorithm found in a SignerInfo.
type digestAlg struct {
	hash crypto.Hash
	name string
	// weak: computable, but refused by policy (MD5, SHA-1, SHA-224).
	weak bool
}

// digestAlgorithm identifies a digest algorithm. Its parameters must be
// absent or NULL.
func digestAlgorithm(a algorithmIdentifier) (digestAlg, error) {
	if !absentOrNull(a.params) {
		return digestAlg{}, fmt.Errorf("%w: digest algorithm %s has parameters", errAlgorithmMismatch, a.oid)
	}
	switch {
	case a.oid.Equal(oidSHA256):
		return digestAlg{crypto.SHA256, "SHA-256", false}, nil
	case a.oid.Equal(oidSHA384):
		return digestAlg{crypto.SHA384, "SHA-384", false}, nil
	case a.oid.Equal(oidSHA512):
		return digestAlg{crypto.SHA512, "SHA-512", false}, nil
	case a.oid.Equal(oidSHA1):
		return digestAlg{crypto.SHA1, "SHA-1", true}, nil
	case a.oid.Equal(oidSHA224):
		return digestAlg{crypto.SHA224, "SHA-224", true}, nil
	case a.oid.Equal(oidMD5):
		return digestAlg{crypto.MD5, "MD5", true}, nil
	}
	return digestAlg{}, fmt.Errorf("%w: digest algorithm %s", errUnsupportedAlgorithm, a.oid)
}

func absentOrNull(params []byte) bool {
	return len(params) == 0 || bytes.Equal(params, []byte{0x05, 0x00})
}

type schemeKind int

const (
	schemePKCS1 schemeKind = iota + 1
	schemePSS
	schemeECDSA
)

// sigScheme is how a SignerInfo's signature is verified.
type sigScheme struct {
	kind schemeKind
	name string
	hash crypto.Hash
	// saltLength for RSA-PSS; rsa.PSSSaltLengthAuto when the parameters
	// say 0.
	saltLength int
}

// signatureScheme reads a SignerInfo's signatureAlgorithm. digest is the
// SignerInfo's digest algorithm: an algorithm that names another hash is
// refused.
func signatureScheme(a algorithmIdentifier, digest crypto.Hash) (sigScheme, error) {
	type entry struct {
		oid  asn1.ObjectIdentifier
		kind schemeKind
		hash crypto.Hash // 0: the SignerInfo's digest algorithm
	}
	table := []entry{
		{oidRSAEncryption, schemePKCS1, 0},
		{oidSHA256WithRSA, schemePKCS1, crypto.SHA256},
		{oidSHA384WithRSA, schemePKCS1, crypto.SHA384},
		{oidSHA512WithRSA, schemePKCS1, crypto.SHA512},
		{oidSHA224WithRSA, schemePKCS1, crypto.SHA224},
		{oidSHA1WithRSA, schemePKCS1, crypto.SHA1},
		{oidMD5WithRSA, schemePKCS1, crypto.MD5},
		{oidECPublicKey, schemeECDSA, 0},
		{oidECDSAWithSHA256, schemeECDSA, crypto.SHA256},
		{oidECDSAWithSHA384, schemeECDSA, crypto.SHA384},
		{oidECDSAWithSHA512, schemeECDSA, crypto.SHA512},
		{oidECDSAWithSHA224, schemeECDSA, crypto.SHA224},
		{oidECDSAWithSHA1, schemeECDSA, crypto.SHA1},
	}
	if a.oid.Equal(oidRSAPSS) {
		return pssScheme(a.params, digest)
	}
	for _, e := range table {
		if !a.oid.Equal(e.oid) {
			continue
		}
		s := sigScheme{kind: e.kind, hash: e.hash}
		if s.hash == 0 {
			s.hash = digest
		}
		if s.hash != digest {
			return sigScheme{}, fmt.Errorf("%w: signature algorithm %s uses %v, digest algorithm is %v", errAlgorithmMismatch, a.oid, s.hash, digest)
		}
		switch e.kind {
		case schemePKCS1:
			s.name = "RSA-PKCS1-v1_5"
			if !absentOrNull(a.params) {
				return sigScheme{}, fmt.Errorf("%w: RSA signature algorithm with parameters", errAlgorithmMismatch)
			}
		case schemeECDSA:
			s.name = "ECDSA"
			// id-ecPublicKey may carry the curve; ecdsa-with-* has none.
			if !a.oid.Equal(oidECPublicKey) && len(a.params) != 0 {
				return sigScheme{}, fmt.Errorf("%w: ECDSA signature algorithm with parameters", errAlgorithmMismatch)
			}
		}
		return s, nil
	}
	return sigScheme{}, fmt.Errorf("%w: signature algorithm %s", errUnsupportedAlgorithm, a.oid)
}

// pssScheme reads RSASSA-PSS-params (RFC 8017 A.2.3). The hash must be
// the digest algorithm, the mask generation MGF1 with the same hash, the
// trailer field 1.
func pssScheme(params []byte, digest crypto.Hash) (sigScheme, error) {
	bad := func(what string) (sigScheme, error) {
		return sigScheme{}, fmt.Errorf("%w: RSASSA-PSS parameters: %s", errAlgorithmMismatch, what)
	}
	s := cryptobyte.String(params)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return bad("missing")
	}
	hash := crypto.SHA1 // RFC 8017 default
	var field cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return bad("hashAlgorithm")
	}
	if present {
		alg, ok := readAlgorithm(&field)
		if !ok || !field.Empty() {
			return bad("hashAlgorithm")
		}
		d, err := digestAlgorithm(alg)
		if err != nil {
			return sigScheme{}, err
		}
		hash = d.hash
	}
	mgfHash := crypto.SHA1
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return bad("maskGenAlgorithm")
	}
	if present {
		mgf, ok := readAlgorithm(&field)
		if !ok || !field.Empty() || !mgf.oid.Equal(oidMGF1) {
			return sigScheme{}, fmt.Errorf("%w: RSASSA-PSS mask generation other than MGF1", errUnsupportedAlgorithm)
		}
		inner := cryptobyte.String(mgf.params)
		halg, ok := readAlgorithm(&inner)
		if !ok || !inner.Empty() {
			return bad("MGF1 hash")
		}
		d, err := digestAlgorithm(halg)
		if err != nil {
			return sigScheme{}, err
		}
		mgfHash = d.hash
	}
	salt := 20
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(2).Constructed().ContextSpecific()) {
		return bad("saltLength")
	}
	if present {
		if !field.ReadASN1Integer(&salt) || !field.Empty() || salt < 0 {
			return bad("saltLength")
		}
	}
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return bad("trailerField")
	}
	if present {
		var trailer int
		if !field.ReadASN1Integer(&trailer) || !field.Empty() || trailer != 1 {
			return bad("trailerField")
		}
	}
	if !seq.Empty() {
		return bad("trailing data")
	}
	if hash != digest {
		return sigScheme{}, fmt.Errorf("%w: RSASSA-PSS uses %v, digest algorithm is %v", errAlgorithmMismatch, hash, digest)
	}
	if mgfHash != hash {
		return sigScheme{}, fmt.Errorf("%w: RSASSA-PSS with MGF1 over %v and hash %v", errUnsupportedAlgorithm, mgfHash, hash)
	}
	if salt == 0 {
		salt = rsa.PSSSaltLengthAuto
	}
	return sigScheme{kind: schemePSS, name: "RSA-PSS", hash: hash, saltLength: salt}, nil
}

// errKeyMismatch: the signer certificate's key does not fit the signature
// algorithm (SIG_CRYPTO_FAILURE: the signature cannot have been made with
// that certificate's key).
var errKeyMismatch = errors.New("the certificate's key type does not match the signature algorithm")

// verify checks sig over signed with pub.
func (s sigScheme) verify(pub crypto.PublicKey, signed, sig []byte) error {
	h := s.hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch s.kind {
	case schemePKCS1, schemePSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return errKeyMismatch
		}
		if s.kind == schemePSS {
			return rsa.VerifyPSS(k, s.hash, digest, sig, &rsa.PSSOptions{SaltLength: s.saltLength, Hash: s.hash})
		}
		return rsa.VerifyPKCS1v15(k, s.hash, digest, sig)
	case schemeECDSA:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return errKeyMismatch
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	}
	return errKeyMismatch
}

// keyStrength checks a signer's public key against kyso's policy: RSA of
// at least minRSABits, ECDSA on P-256, P-384 or P-521.
func keyStrength(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < minRSABits {
			return fmt.Errorf("%w: RSA key of %d bits, want at least %d", errWeakKey, n, minRSABits)
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return fmt.Errorf("%w: ECDSA curve %s", errWeakKey, k.Curve.Params().Name)
		}
	default:
		return fmt.Errorf("%w: %T signer key", errUnsupportedAlgorithm, pub)
	}
	return nil
}

// essCertMatches reports whether a SigningCertificateV2 (v2) or
// SigningCertificate (v1) attribute value names cert: the first ESSCertID's
// hash over the certificate, and its issuer and serial number when present
// (RFC 5035 §3, RFC 2634 §5.4).
func essCertMatches(value []byte, v2 bool, cert *x509.Certificate) (bool, error) {
	bad := func(what string) (bool, error) {
		return false, cmsError("signing-certificate attribute: %s", what)
	}
	s := cryptobyte.String(value)
	var seq, ids, first cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() ||
		!seq.ReadASN1(&ids, cbasn1.SEQUENCE) || !ids.ReadASN1(&first, cbasn1.SEQUENCE) {
		return bad("no certificate identifier")
	}
	hash := crypto.SHA1
	if v2 {
		hash = crypto.SHA256 // RFC 5035 default
		if first.PeekASN1Tag(cbasn1.SEQUENCE) {
			alg, ok := readAlgorithm(&first)
			if !ok {
				return bad("hash algorithm")
			}
			d, err := digestAlgorithm(alg)
			if err != nil {
				return false, err
			}
			if d.weak {
				return false, fmt.Errorf("%w: %s certificate hash", errUnsupportedAlgorithm, d.name)
			}
			hash = d.hash
		}
	}
	var certHash cryptobyte.String
	if !first.ReadASN1(&certHash, cbasn1.OCTET_STRING) {
		return bad("certificate hash")
	}
	h := hash.New()
	h.Write(cert.Raw)
	if !bytes.Equal(h.Sum(nil), certHash) {
		return false, nil
	}
	if first.Empty() {
		return true, nil
	}
	// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber INTEGER }
	var is, names cryptobyte.String
	serial := new(big.Int)
	if !first.ReadASN1(&is, cbasn1.SEQUENCE) || !first.Empty() ||
		!is.ReadASN1(&names, cbasn1.SEQUENCE) || !is.ReadASN1Integer(serial) || !is.Empty() {
		return bad("issuerSerial")
	}
	if serial.Cmp(cert.SerialNumber) != 0 {
		return false, nil
	}
	dirTag := cbasn1.Tag(4).Constructed().ContextSpecific()
	for !names.Empty() {
		var name cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&name, &tag) {
			return bad("issuerSerial names")
		}
		if tag == dirTag && !bytes.Equal(name, cert.RawIssuer) {
			return false, nil
		}
	}
	return true, nil
}
