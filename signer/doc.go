// Package signer adds PAdES signatures to PDFs: each one an incremental
// update written by this package, with a CMS signature built by
// internal/cms.
//
// Sign takes the PDF bytes, a crypto.Signer (from a PKCS#11 token or a
// software key) and the key's certificate chain, leaf first. The signature is
// ETSI.CAdES.detached (PAdES baseline B-B): SHA-256 (SHA-384 for P-384 keys,
// SHA-512 for P-521), RSA PKCS#1 v1.5, RSA-PSS (Options.PSS) or ECDSA, the ESS
// signing-certificate-v2 attribute, no signing-time attribute (the claimed
// time is the dictionary's /M), every certificate of the chain embedded. The
// key is called exactly once: the space for the signature is computed
// exactly (cms.MaxSize) and a signature that would not fit is an error, never
// a second request to the key.
//
// # Fields, order and people
//
// kyso's documents carry an empty signature field per signer (package pdf,
// SignatureField), named after the role and naming the person in its seed
// value (/SV /Cert /SubjectDN). Options.Field fills one: the field's value
// becomes the signature dictionary and, with Options.Appearance, its
// appearance becomes kyso's drawing (name, title, date in Vietnamese with the
// document's font, optionally an image kept at its aspect ratio). Sign
// refuses, before the key is used: a field that does not exist or is already
// signed (ErrNoField, ErrFieldSigned), a certificate that is not the field's
// person (ErrWrongSigner), a field of Options.After not yet signed
// (ErrOutOfOrder), a document an earlier signature locked (ErrLocked: a
// certification with P=1, or a field lock over all fields), a certification
// that is not the first signature (ErrCertifyNotFirst). Without Options.Field
// a new invisible field is added.
//
// Options.Certify makes the first signature a certification signature
// (DocMDP, /Perms in the catalog): kyso certifies a học bạ with P=2, so that
// its later signers can still fill their fields. A field with a lock
// dictionary (/Lock /Action /All /P 1) makes its signature lock the document
// (a FieldMDP transform): the seal of a học bạ, the only signature of a
// diploma.
//
// Every update appends objects and a cross-reference table chained by /Prev
// to the previous one; no byte of the input changes, so every earlier
// signature stays valid. Objects that change (the field, the interactive
// form, the catalog when certifying) are rewritten from what
// github.com/digitorus/pdf read, with their indirect references kept (see
// pdfobj.go).
//
// # Long-term validity
//
// Options.Timestamper adds an RFC 3161 signature timestamp over the
// signature value (B-T). AddValidationData adds certificates, OCSP responses
// and CRLs to the document's Document Security Store with VRI entries
// (B-LT); AddDocumentTimestamp adds an ETSI.RFC3161 document timestamp over
// everything (B-LTA). Neither changes signed content, so certification and
// locks allow them.
//
// # Why not github.com/digitorus/pdfsign
//
// The design named pdfsign for signing. Its v0.9.0 always adds a new field
// (it cannot fill a pre-placed one), rewrites the form keeping only
// signature fields, draws Vietnamese in a non-embedded Latin font, writes
// only adbe.pkcs7.detached with a signingTime from the machine clock, has no
// DSS writer, writes non-ASCII text unescaped (a "Nghĩa" breaks the
// dictionary) and asks an RSA-4096 key twice. kyso's writer does what the
// documents need, and is checked by poppler's pdfsig, qpdf and openssl in the
// tests.
//
// # Batches
//
// A Session (NewSession) checks the key and chain once and caches the
// signature's reservation and the appearances (drawn to the second), so a
// batch of documents signed under one PIN entry costs little more than the
// key's own signing time per document.
//
// # Limits
//
//   - Only PDFs whose last cross-reference section is a table are signed
//     (ErrUnsupportedPDF for cross-reference streams); kyso's own documents
//     use tables. Encrypted PDFs are refused.
//   - Field names are matched in full (parent.child); fields inherit /FT
//     through /Kids. A field whose widgets are separate kids (not merged
//     with the field, as kyso places them) gets its value but no visible
//     appearance.
//   - The seed value's SubjectDN is the only seed value enforced (CN,
//     serialNumber, O, OU, C, L, ST, title); other seed value entries are
//     ignored.
package signer
