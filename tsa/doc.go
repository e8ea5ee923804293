// Package tsa implements the Time-Stamp Protocol of RFC 3161 over HTTP
// (§3.4): a Client that asks a time-stamping authority for tokens (for
// PAdES signature time-stamps), and an Authority that issues them (kyso's
// own development TSA, 'kyso tsa serve').
//
// # Client
//
// Client.Timestamp sends a version 1 request with a SHA-256 (or SHA-384,
// SHA-512) imprint, a random 127-bit nonce and certReq true, and accepts the
// answer only when the HTTP status is 200 with content type
// application/timestamp-reply, the body is at most MaxResponse bytes, the
// PKIStatus is granted or grantedWithMods, and the token (checked by
// ParseToken: strict DER CMS SignedData over id-ct-TSTInfo, signature valid
// for the certificate the SignerInfo names among the token's certificates,
// signing-certificate or signing-certificate-v2 attribute naming that
// certificate) echoes the request's nonce and message imprint. The
// authority's certificate must carry the critical extended key usage
// timeStamping as its only purpose (RFC 3161 §2.3), be valid at the token's
// genTime and, when Client.Roots is set, chain to those roots at genTime.
//
// # Authority
//
// An Authority holds a crypto.Signer (a token key through package hsm, or
// a software key) and its chain, checked at construction: key matches the
// certificate, certificate fit for time-stamping, each certificate issued
// by the next and valid now. It answers with TSTInfo version 1 under its
// single policy: the imprint copied as sent (hash parameters included), a
// random positive 127-bit serial number, genTime from its clock in UTC to
// the millisecond (no fraction on whole seconds), ordering false, the nonce
// echoed, no accuracy, no tsa name, no extensions. Tokens are signed through internal/cms with
// eContentType id-ct-TSTInfo encapsulated and an ESS signing-certificate-v2
// attribute; the chain is included when the request sets certReq. Requests
// are refused with a PKIStatus rejection and the matching failInfo (see
// Respond).
//
// # Limits
//
// The client does not compare genTime with a local clock (it has none),
// does not check revocation of the authority's certificate, and does not
// send or check a requested policy. The authority's serial numbers are
// random rather than counted, so uniqueness is probabilistic (a collision
// chance of about 2^-64 after 2^32 tokens); its clock is whatever it is given
// (accuracy is therefore not claimed); it keeps no record of the tokens it
// issued.
package tsa
