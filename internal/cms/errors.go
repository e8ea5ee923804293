package cms

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them, with
// details in the message; branch on them with errors.Is.
var (
	// ErrUnsupportedKey reports a key Sign cannot use: not RSA or ECDSA, an
	// RSA modulus under 2048 bits, a curve other than P-256/P-384/P-521, or
	// PSS asked for a non-RSA key.
	ErrUnsupportedKey = errors.New("cms: unsupported key")
	// ErrUnsupportedHash reports a digest algorithm other than SHA-256,
	// SHA-384 and SHA-512.
	ErrUnsupportedHash = errors.New("cms: unsupported hash algorithm")
	// ErrBadChain reports an empty chain, a nil certificate, or a
	// certificate not issued by the next one.
	ErrBadChain = errors.New("cms: bad certificate chain")
	// ErrKeyMismatch reports a key that does not hold chain[0]'s public key.
	ErrKeyMismatch = errors.New("cms: key does not match the signer certificate")
	// ErrBadAttribute reports a malformed attribute, an attribute Sign adds
	// itself given again, a repeated signed attribute, or a missing or
	// inconsistent contentType or signing-certificate attribute.
	ErrBadAttribute = errors.New("cms: bad attribute")
	// ErrDigestMismatch reports a digest of the wrong length, or one that is
	// not the digest of the content.
	ErrDigestMismatch = errors.New("cms: digest does not match the content")
	// ErrBadSignature reports a signature value that does not verify with
	// the signer certificate's key, including one a key just produced.
	ErrBadSignature = errors.New("cms: signature does not verify")
	// ErrMalformed reports input that is not a well-formed DER ContentInfo
	// holding a SignedData, or that exceeds this package's size limits.
	ErrMalformed = errors.New("cms: malformed SignedData")
	// ErrUnsupported reports a well-formed SignedData outside what this
	// package handles: several or no SignerInfos, no signed attributes,
	// unknown signature algorithms, detached content where encapsulated
	// content is needed.
	ErrUnsupported = errors.New("cms: unsupported SignedData")
	// ErrNoCertificate reports that the certificate the SignerInfo names is
	// not among the SignedData's certificates.
	ErrNoCertificate = errors.New("cms: signer certificate not found")
)
