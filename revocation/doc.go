// Package revocation collects the revocation evidence (OCSP responses and
// CRLs) of a certificate chain at signing time, so that the signer can embed
// it in a PDF (the DSS, or the CMS revocation attribute) for long-term
// validation.
//
// Fetcher.Check walks a chain from the leaf up, leaving out the last
// certificate (the trust anchor). For each certificate it asks the OCSP
// responders named in the certificate first and falls back to its CRL
// distribution points when there is none or none gives a usable answer. Only
// http and https URLs are used (ldap and others are skipped). Requests have a
// timeout and responses a size limit; CRLs fetched from one URL are fetched
// once per Check.
//
// An OCSP response is accepted only if it is a successful basic response
// about this certificate (serial number, and the issuer's name and key
// hashes in its CertID) signed either by the issuer itself or by a delegated
// responder whose certificate carries id-kp-OCSPSigning, is issued by the
// issuer and is valid at the time asked about; the responder ID must name
// the signer and no unknown critical extension may be present. A CRL is
// accepted only if its issuer is the certificate's issuer and its signature
// verifies with the issuer's key; a CRL whose issuing distribution point
// narrows it to other certificates, to some reasons (a partial CRL), or to
// other issuers (an indirect CRL), a delta CRL, or one with another unknown
// critical extension is refused.
//
// What "at" means. Check takes the time the evidence must be current at —
// normally the signing time, that is now. A response is fresh when
// thisUpdate <= at + skew and at - skew <= nextUpdate (skew: Fetcher.Skew,
// five minutes by default; a response without nextUpdate is fresh only at
// its thisUpdate). OCSP responses and CRLs tell the status as of when they
// were made, not at an arbitrary past time, so Check cannot prove the status
// at a time long before the responses were produced: for a past "at" fresh
// responses are refused as not yet valid (ErrStale). A "revoked" answer is
// reported (ErrRevoked, with reason and revocation time) whatever its
// freshness and even when the revocation time is after at: revocation is
// final, and signing with a revoked key is wrong; a later validator may still
// accept signatures made before the revocation time by its own rules, using
// the time in the RevokedError. OCSP "unknown" is not "good" (ErrUnknown).
//
// Errors: ErrRevoked (*RevokedError), ErrNoSource (no usable URL),
// ErrUnavailable (network errors, timeouts, HTTP errors, responder
// tryLater/internalError), ErrBadResponse (malformed, too large, wrong signer,
// wrong certificate, out-of-scope CRL), ErrStale (not current at at) and
// ErrUnknown. When both OCSP and CRL fail the error joins both causes, so
// errors.Is may match more than one.
//
// Known limits: requests carry no nonce (responses are checked for freshness
// by time instead, and stay cacheable), one certificate per OCSP request,
// no delta CRLs, no indirect CRLs, the CRL distribution point name in an
// issuing distribution point extension is not compared with the URL, and
// name constraints, policies and the chain's own validity are the caller's
// business (Check only checks that each certificate is signed by the next).
// The verifier (package verify) checks embedded revocation data with its own
// code and does not import this package.
package revocation
