// Package signer adds PAdES-Basic approval signatures to PDFs with
// github.com/digitorus/pdfsign v0.9.0.
//
// Sign takes the PDF bytes, a crypto.Signer (from a PKCS#11 token or a
// software key) and the key's certificate chain, leaf first. The signature
// is adbe.pkcs7.detached with SHA-256 and a signingTime attribute, written
// as an incremental update, invisible (a field with an empty rectangle).
//
// # What Sign checks before it uses the key
//
// The chain is not empty and each certificate is issued by the next; the key
// is RSA of at least 2048 bits or ECDSA on P-256, P-384 or P-521 and matches
// the leaf; the leaf allows digitalSignature or nonRepudiation; every
// certificate is valid at Options.Time; the text fields are valid UTF-8 of at
// most MaxTextLen bytes without control characters other than tab, LF, CR;
// the PDF is at most MaxInputSize bytes, parses, has pages, is not encrypted
// and has no form field. A refused input never reaches the key, so it costs
// no PIN prompt and no remote signature.
//
// # The certificate chain in the signature
//
// Sign embeds every certificate it is given, the root included when the
// chain ends with it (devca.CA.Chain does). A correct verifier anchors trust
// in its own store, never in certificates found in the signature, so an
// embedded root gives it nothing it would accept by itself; an offline
// checker, on the other hand, can show the whole path without fetching
// anything. The cost is the root's few hundred bytes.
//
// # pdfsign's text strings
//
// pdfsign writes non-ASCII text (Name, Reason, Location, ContactInfo) as raw
// UTF-16BE inside a literal string, without escaping, which breaks the
// signature dictionary for "Nghĩa", "Vĩnh Long" or "Thạc sĩ". Sign hands
// pdfsign pre-escaped strings instead; see pdfsignText. Text is normalised
// to NFC first.
//
// # Signing exactly once
//
// pdfsign reserves room for the CMS signature before it signs and, when the
// signature does not fit (an RSA-4096 key does not), signs the whole document
// again: a second PIN prompt on a token, a second billed remote signature.
// Sign therefore drives sign.SignContext itself with a reservation computed
// from the key size (see cmsOverhead), and wraps the key so that a second
// request fails with ErrSecondSignature instead of reaching the key.
//
// Driving SignContext directly loses one thing sign.Sign does: it records the
// signature fields already in the document (in an unexported field), and
// without them pdfsign would drop the earlier signatures from the form. Sign
// therefore refuses a PDF that already has a signature field
// (ErrAlreadySigned); countersigning needs pdfsign to expose either the
// reservation in sign.Sign or the existing fields.
//
// # Limits of pdfsign v0.9.0 to be aware of
//
//   - The CMS signingTime attribute is the machine's clock (digitorus/pkcs7
//     calls time.Now), not Options.Time, which sets the /M entry; the
//     randomness of ECDSA signatures comes from crypto/rand.
//   - When a signature does not fit, pdfsign writes one line through the
//     global log package before retrying. Sign's reservation makes that
//     unreachable in practice; Sign changes no global state to silence it.
//   - pdfsign replaces the document's interactive form with one holding only
//     the signature fields, which is why PDFs with form fields are refused.
package signer
