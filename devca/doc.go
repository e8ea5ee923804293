// Package devca is kyso's development certificate authority: a root and an
// issuing CA kept in a directory, issuing signer certificates that poppler/NSS
// and kyso's own verifier accept, and answering for their revocation status.
//
// It exists so that kyso runs end to end with zero set-up (kyso demo) and so
// that tests build a real PKI in-process. It is not a production CA: its keys
// are stored unencrypted (mode 0600) in the CA directory.
//
// # Revocation
//
// A CA created with a base URL (Options.URL, kept in ca.json) puts these
// pointers in the certificates it issues (signer certificates, and any
// certificate whose template went through the unexported
// revocationExtensions helper):
//
//	CRL distribution point  URL/crl/issuing.crl
//	OCSP responder          URL/ocsp
//	CA issuers              URL/ca/issuing.cer
//
// and the issuing CA certificate points to URL/crl/root.crl and
// URL/ca/root.cer (no OCSP URL: the CA certificate is checked by CRL).
// Handler serves all of these; 'kyso ca serve' runs it.
//
// The CA remembers every certificate the issuing CA signed through this
// package (directory issued/, or memory for a CA made by New) and revokes
// only those: Revoke refuses unknown serials (ErrUnknownSerial) and a second
// revocation (ErrAlreadyRevoked). Revocations are kept in revoked.json,
// rewritten atomically under a file lock so that concurrent revocations by
// several processes never lose one another.
//
// CRLs (CRL, RootCRL) are made on demand: thisUpdate is the time asked for,
// nextUpdate seven days later, the CRL number is derived from thisUpdate in
// nanoseconds (and is above every number this CA value handed out before), and
// they carry the authority key identifier. A revocation dated after the time
// asked for is not yet listed, so a pinned clock shows status before and after
// a revocation. The root CRL is always empty: the root has issued one
// certificate, the issuing CA, and revoking it is not supported.
//
// The OCSP responder (OCSP) signs with the key of the CA that issued the
// certificate asked about (no delegated responder certificate): the issuing
// CA for signer certificates, the root for the issuing CA certificate. It
// answers good for certificates it issued and has not revoked, revoked (with
// time and reason) for revoked ones, and unknown for serial numbers it never
// issued; a request about an issuer that is not this CA gets the
// "unauthorized" error status, an unparsable one "malformedRequest". It
// answers one certificate per request (the RFC 5019 profile), does not accept
// signed requests, and echoes a nonce (RFC 8954) of 1 to 32 bytes. Responses
// are valid for one day from the time asked for, and are deterministic
// (ECDSA with RFC 6979 nonces).
//
// Known limits: no delta CRLs, no certificate holds (certificateHold and
// removeFromCRL are refused), expired certificates stay on the CRL, and a
// certificate issued by code that calls the unexported issue helper without
// recordIssued is unknown to the responder.
package devca
