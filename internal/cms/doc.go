// Package cms builds CMS SignedData structures (RFC 5652) for kyso's signer
// side: the detached CAdES signatures that go into a PDF's /Contents and
// the RFC 3161 time-stamp tokens of package tsa. It also parses and
// verifies the SignedData it needs to read back (its own output, and the
// tokens a time-stamping authority returns).
//
// The public verifier (package verify) has its own CMS parser and must not
// import this package: a bug cannot hide in both.
//
// # What Sign writes
//
// A DER ContentInfo holding a SignedData with exactly one SignerInfo:
//
//   - SignedData version 1 for id-data content, 3 for any other
//     eContentType (RFC 5652 §5.1); one digest algorithm; the content
//     encapsulated or, when Options.Content is nil, detached; the
//     certificates field holds the chain as given (unless
//     Options.OmitCertificates); no CRLs.
//   - SignerInfo version 1, sid issuerAndSerialNumber of chain[0].
//   - Digest algorithm SHA-256, SHA-384 or SHA-512, with absent parameters
//     (RFC 5754 §2).
//   - Signed attributes, DER-sorted as a SET OF: contentType, messageDigest,
//     signingTime only when Options.SigningTime is set (PAdES baseline
//     signatures must not carry it), ESS signing-certificate-v2 (RFC 5035:
//     the SHA-256 hash of chain[0] with its issuer and serial number), then
//     Options.SignedAttributes.
//   - Signature algorithm: sha256WithRSAEncryption (resp. -384, -512) with
//     NULL parameters for RSA PKCS#1 v1.5 — the form pdfsign emits (poppler
//     and NSS validated it here), which OpenSSL and kyso's verifier accept
//     too; rsaEncryption would be the other common choice —;
//     id-RSASSA-PSS with explicit RSASSA-PSS-params (hash, MGF1 with the same
//     hash, salt length equal to the hash length, trailer field 1 by
//     default) for RSA-PSS; ecdsa-with-SHA256 (resp. -384, -512) for ECDSA.
//
// Keys are RSA of 2048 bits or more, or ECDSA on P-256, P-384 or P-521. The
// key must hold chain[0]'s public key, and each certificate of the chain
// must be issued by the next. key.Sign is called exactly once; its result
// is verified with chain[0]'s public key before it is used, so a faulty
// token cannot produce a broken signature silently.
//
// MaxSize is an exact upper bound of Sign's output for the same key, chain
// and options: RSA signatures are as long as the modulus, and ECDSA
// signatures are bounded by their largest DER encoding. It does not count
// attributes added afterwards with AddUnsignedAttribute (a signature
// time-stamp); reserve room for those separately.
//
// # What Parse and VerifySignature check
//
// Parse reads strict DER (definite, minimal lengths; no trailing data),
// at most MaxParseSize bytes, a ContentInfo of type signedData with exactly
// one SignerInfo that has signed attributes. Digest algorithms are
// SHA-256, SHA-384 and SHA-512 only. VerifySignature (encapsulated content)
// and VerifyDetached (a digest of detached content) check that contentType
// names the eContentType, that messageDigest equals the content's digest,
// and that the signature over the signed attributes verifies with the key
// of the certificate the sid names (issuerAndSerialNumber or
// subjectKeyIdentifier) among the SignedData's certificates.
// CheckSigningCertificate checks the ESS signing-certificate(-v2)
// attribute against a certificate.
//
// # Limits
//
// Parse decides nothing about trust: chains, validity periods, key usages
// and revocation are the caller's business. SignerInfos without signed
// attributes, several SignerInfos, BER input, attribute certificates and
// "other" certificate formats are refused. SET OF ordering is not checked
// when parsing (signatures are verified over the bytes as received).
package cms
