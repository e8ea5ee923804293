// Package verify validates signed PDF documents for kyso's public
// verification service and the "kyso verify" command. It makes its own
// trust decision, with trust anchors given explicitly (Options.Roots, never
// the system pool), and shares no code with the signer beyond the standard
// library and third-party libraries, so a bug cannot hide in both.
//
// # What is checked
//
// The file must be a PDF with classic cross-reference tables (see
// checkStructure: the third-party parser is only given files whose
// cross-reference data was read and bounded first), no larger than
// Options.MaxSize (DefaultMaxSize).
//
// Signatures are found twice, independently: through the interactive form
// with github.com/digitorus/pdf (fields of type /Sig, inherited through
// /Kids, with a /V dictionary), and by scanning the raw bytes for /ByteRange
// entries. If the two disagree in number or byte ranges, the document fails.
// A signature that cannot be parsed fails the document; nothing is skipped.
// A parser panic becomes a FORMAT_FAILURE.
//
// Each signature, in the order applied (by the end of its signed range):
// /SubFilter adbe.pkcs7.detached or ETSI.CAdES.detached; the /ByteRange is
// [0 a b c] within the file, the gap is exactly the <hex> value of
// /Contents and decodes to what the parser read; the CMS SignedData (parsed
// here, strict DER, unsigned attributes included) is detached with exactly
// one SignerInfo; its digest algorithm is SHA-256, SHA-384 or SHA-512;
// signed attributes hold contentType id-data and messageDigest, which must
// equal the digest of the signed bytes; the signer certificate is the one
// the SignerInfo's sid names among the CMS certificates (issuer and serial
// number, or subject key identifier), never just any certificate; the
// signature over the DER signed attributes verifies with its key (RSA
// PKCS#1 v1.5, RSA-PSS, ECDSA); the key is RSA of 2048 bits or more or
// ECDSA P-256/P-384/P-521; a signing-certificate(-v2) attribute, when
// present, names that certificate (ETSI.CAdES.detached requires one); the
// signature timestamps, if any (below); the chain is built with x509.Verify
// using only Options.Roots as roots and the CMS certificates as
// intermediates (a root placed in the CMS gives nothing) at the signing
// time; the revocation of that chain, when the document carries revocation
// data (below); the signer certificate's key usage allows digitalSignature
// or nonRepudiation.
//
// The signing time the chain is validated at is, in order of preference:
// the genTime of a valid signature timestamp ("signing_time_source":
// "signature_timestamp"), which proves the signature existed then; the
// signer's claimed signingTime attribute ("signing_time_attribute"; a
// claimed time after the timestamp is refused); the validation time,
// Options.Now ("validation_time"). PAdES signatures (ETSI.CAdES.detached)
// carry no signingTime attribute; the /M entry of the signature dictionary
// is a claim the verifier does not use.
//
// # Signature timestamps
//
// An unsigned attribute id-aa-signatureTimeStampToken holds an RFC 3161
// TimeStampToken over the SignerInfo's signature value. Each token (at
// most four) is checked: a CMS SignedData encapsulating a DER TSTInfo
// (version 1, genTime a GeneralizedTime in UTC with an optional fraction
// without trailing zeros), one SignerInfo whose signed attributes hold
// contentType id-ct-TSTInfo and the messageDigest of the TSTInfo; the
// authority's certificate named by the sid and by the required ESS
// signing-certificate(-v2) attribute; its signature verifies and its key is
// strong enough; its certificate has an extended key usage extension,
// marked critical, with timeStamping as the only purpose (RFC 3161 §2.3);
// it chains to Options.TimestampRoots (Options.Roots when nil) at genTime,
// for timeStamping; the message imprint (SHA-256, -384 or -512) equals the
// hash of the signature value; genTime is not after the validation time.
// These checks fold into the signature's "signature_timestamp" check and
// SignatureReport.Timestamp describes the token. A timestamp that fails
// fails the signature: TOTAL_FAILED/HASH_FAILURE when the imprint or the
// token's own digest does not match, TOTAL_FAILED/SIG_CRYPTO_FAILURE when
// the authority's signature does not verify, TOTAL_FAILED/FORMAT_FAILURE
// when the token cannot be read; INDETERMINATE (NO_CERTIFICATE_CHAIN_FOUND,
// CHAIN_CONSTRAINTS_FAILURE, CRYPTO_CONSTRAINTS_FAILURE,
// SIG_CONSTRAINTS_FAILURE for a genTime in the future,
// NO_SIGNING_CERTIFICATE_FOUND) otherwise; the signature is then validated
// as if it had no timestamp.
//
// # Document timestamps
//
// A signature field whose value has /Type /DocTimeStamp and /SubFilter
// ETSI.RFC3161 (ISO 32000-2 §12.8.5) is a document timestamp. It is listed
// among Report.Signatures with "kind": "document_timestamp"; its byte range
// and /Contents are checked as a signature's, then its token as above, the
// imprint being the digest of the signed byte ranges. Its checks are
// timestamp_token, timestamp_signature, tsa_certificate, timestamp_chain,
// message_imprint and timestamp_time; its Signer and Chain are the
// authority's, its signing time the genTime ("document_timestamp"). A
// document needs at least one signature besides its document timestamps.
//
// # Revocation
//
// The revocation data a document carries is used; nothing is fetched. It
// comes from the /OCSPs and /CRLs of the document security store (the
// catalog's /DSS in the newest revision, ETSI EN 319 142-1 §5.4), the CMS
// crls field (CRLs, and OCSP responses as id-ri-ocsp-response) and the
// adbe-revocationInfoArchival signed attribute. Each certificate of the
// verified chain below its trust anchor is looked up at the revocation
// time: the genTime of a valid signature timestamp, otherwise the
// validation time (a claimed signing time proves nothing). An OCSP response
// counts when golang.org/x/crypto/ocsp parses it for the certificate with
// the issuer's signature, or a delegated responder's whose certificate the
// issuer signed with the OCSPSigning extended key usage and which was valid
// at producedAt; its CertID names the issuer (name and key hashes); its
// thisUpdate is not in the future. A CRL counts when the issuer signed it,
// it names that issuer, it is complete (no issuing distribution point, not
// a delta CRL) and its thisUpdate is not in the future. A revocation at or
// before the revocation time decides: TOTAL_FAILED/REVOKED when a signature
// timestamp proves the signature was made before, INDETERMINATE/
// REVOKED_NO_POE otherwise. A revocation after it means the certificate was
// good then: a certificate revoked after a timestamped signature leaves the
// signature valid. Otherwise "good" needs data produced at or after the
// revocation time (5 minutes allowed) or whose nextUpdate reaches it.
// Chain.Revocation lists the status of each certificate and its source;
// Chain.RevocationChecked is true when the signer certificate's status was
// established. A document without revocation data gets no "revocation"
// check; one whose data does not cover the revocation time gets a passed
// check saying it was not checked.
//
// # What changed after each signature
//
// A signature covers the revision it signs; revisions appended after it
// are allowed only when they add later signatures (their fields, widgets
// and appearances), long-term-validation data or document timestamps,
// within what the signatures before them permit. The file is split into
// revisions by its cross-reference sections ("revisions" check,
// FORMAT_FAILURE when it fails): every signature's signed range must end at
// the end of a revision (its %%EOF, and an end-of-line marker at most) and
// its /Contents lie in that revision, and every cross-reference section
// after the first signature's must follow the one before in the file. Bytes
// after the end of the last revision that a signature ends form a revision
// of their own, never allowed.
//
// Each revision after the first signed one is compared with the one
// before, object by object, with the package's own object reader
// (objects.go; it resolves every revision's objects through its own
// cross-reference chain and compares values, so rewriting an object
// unchanged is no change; a new generation number is one). The revision's
// bytes must be only the objects its cross-reference section lists, at
// their offsets, then the section, trailer and %%EOF, with white space and
// comments: an object no table lists, or one hidden inside another, makes
// the revision not allowed. The trailer must keep its /Info and gain no
// /Encrypt. A trailer naming a cross-reference stream (/XRefStm) when
// revisions follow the first signature gives INDETERMINATE/
// UNSUPPORTED_FORMAT: PDF 1.5 readers would see objects this verifier does
// not read. Every object the section adds, changes or frees is then
// explained by a rule, or the revision is not allowed:
//
//   - the document catalog may change only /AcroForm, /DSS, /Version, and
//     /Extensions gaining /ESIC or /ADBE; /Perms never (only the first
//     signature may certify, in the revision it signs);
//   - the interactive form may gain fields and change /SigFlags; no field
//     may be removed;
//   - a new field must be an invisible signature field (no area, or
//     hidden) holding this revision's signature dictionary (new), named
//     unlike any existing field, without /Kids or actions; a document
//     timestamp's always, a signature's when signing is permitted. A
//     visible new field could be drawn over the page by anyone with a
//     trusted certificate; later signers sign visibly in the fields placed
//     before the first signature;
//   - an existing empty signature field may gain /V (this revision's
//     signature) and /AP when signing is permitted and no lock covers it;
//     other fields may change /V, /AP and /AS (form filling) under the same
//     conditions; nothing else of a field may change;
//   - a page may change only /Annots: gaining the widgets of new signature
//     fields; at DocMDP P=3, gaining new annotations other than widgets,
//     losing or changing them;
//   - objects new in the revision are explained by what refers to them: an
//     appearance, a signature dictionary, an annotation, the document
//     security store; a new object nothing refers to is harmless. An object
//     referred to before it existed counts as changed, not new. The only
//     old objects validation data may change are those an earlier revision
//     added as validation data (a page's content placed in the DSS stays
//     page content).
//
// The permissions: a certification (the first signature with a DocMDP
// transform in its /Reference) sets P, 1, 2 or 3; without one the rules of
// P=2 apply (ISO 32000-1 makes 2 the default). P=1 allows only validation
// data and document timestamps; P=2 also signatures (in existing fields, or
// in new invisible ones) and form filling; P=3 also annotations. A FieldMDP
// transform or a field's /Lock (Action All, Include, Exclude) locks fields
// after the signature that carries it: with All nothing of the form may
// change, not even a new signature, and only validation data and document
// timestamps may follow. SignatureReport.CertificationLevel and FieldLock
// report them.
//
// Report.Revisions lists the revision the first signature signs, then each
// later one with its kind ("signature", "dss", "document_timestamp",
// "other"), the objects it added, changed or deleted (what they are, and
// why a change is not allowed) and whether it is allowed. Any revision not
// allowed fails the "modifications" check with TOTAL_FAILED/HASH_FAILURE:
// the content a signature vouches for is no longer what a viewer shows.
// ETSI EN 319 102-1 has no sub-indication for modifications after signing;
// HASH_FAILURE ("the signed data was changed") keeps the schema's values,
// and the check and the revisions say what changed.
//
// Options.Baseline lets a caller that sent a document out for signing
// (the staff service's USB-token uploads) have the first signature's own
// revision judged too: with the length of the document it sent, the
// revisions list starts with that document (kind "other") and every
// revision after it is judged as above, the first signature being allowed
// to add itself and to certify the document (/Perms). Without it, whatever
// the first signature signs is the document.
//
// # Indications (ETSI EN 319 102-1)
//
// TOTAL_PASSED only when every signature and document timestamp passes and
// every revision after the first signature is allowed. TOTAL_FAILED when
// something is proven wrong: FORMAT_FAILURE (malformed file or signature,
// inconsistent signature fields, revisions that do not fit the signatures,
// and also a file with no signature at all — a verifier of signed diplomas
// has nothing to confirm, and "not valid" is what its users need to hear),
// HASH_FAILURE (content changed, a change after signing that the
// signatures do not allow, bytes added after the last signature, a
// timestamp's imprint that does not match), SIG_CRYPTO_FAILURE (signature
// value wrong for the signer's or the authority's key), REVOKED (registry;
// or a certificate revoked before a signature timestamp). INDETERMINATE
// otherwise: NO_CERTIFICATE_CHAIN_FOUND (no chain to a trusted root),
// OUT_OF_BOUNDS_NO_POE / NOT_YET_VALID (signing time outside a
// certificate's validity: without a timestamp the time is only claimed, so
// this is not proof of a forgery), REVOKED_NO_POE (a certificate revoked
// and no timestamp proving the signature came first),
// CRYPTO_CONSTRAINTS_FAILURE (SHA-1, MD5, SHA-224, weak or unsupported keys
// and algorithms), NO_SIGNING_CERTIFICATE_FOUND, CHAIN_CONSTRAINTS_FAILURE
// (including key usage, and a time-stamping authority's extended key
// usage), SIG_CONSTRAINTS_FAILURE (signing time or genTime in the future),
// UNSUPPORTED_FORMAT (also a file too complex to analyse, more than
// maxFileValues PDF values), TRY_LATER (registry unavailable), SUPERSEDED.
// When several rules fail, the first proven failure wins over anything
// indeterminate. Report.ExitCode maps the indication to 0, 1, 2.
//
// # Registry
//
// With Options.Credentials, the document is looked up by the SHA-256 of the
// whole file and, failing that, by the SHA-256 over the final signature's
// byte ranges (Digests): the signature container itself is not signed, so a
// copy altered only there (hex case, unsigned attributes, extra
// certificates) still finds its credential and its status
// (Credential.Match = "signed_content").
//   - valid: the cryptographic verdict stands.
//   - revoked: TOTAL_FAILED / REVOKED, whatever the signatures say — the
//     issuer withdrew this exact file.
//   - superseded: a TOTAL_PASSED becomes INDETERMINATE / SUPERSEDED (kyso
//     specific). The file is authentic, but the issuer has replaced it (a
//     corrected diploma, say), so a verifier must not show it as the current
//     record; it is not FAILED because nothing in it is false or forged.
//   - not registered (ErrUnknownDocument): a TOTAL_PASSED becomes
//     INDETERMINATE / NOT_REGISTERED (kyso specific); Report.Credential is
//     null and Report.Registry.Status says "not_registered". A trusted root
//     certifies many signers (a national CA certifies every citizen with a
//     token), so valid signatures alone do not make a credential: its
//     issuer must have registered it. Without Options.Credentials the
//     verdict is the signatures' alone.
//   - lookup error: a TOTAL_PASSED becomes INDETERMINATE / TRY_LATER, since
//     a revocation could not be ruled out.
//
// # Limits of this version
//
// Without a signature timestamp, the signing time is the signer's claimed
// signingTime attribute (or Options.Now when absent), so a holder of a
// compromised expired key could backdate an adbe.pkcs7.detached signature;
// the registry is the defence. A document timestamp is validated, but its
// genTime is not used as proof of existence for the signatures before it
// (no past-signature validation, ETSI EN 319 102-1 §5.6): a signature
// without its own timestamp is validated at the validation time. The
// revocation of time-stamping authorities' certificates is not checked,
// nor is that of OCSP responders (id-pkix-ocsp-nocheck is not read);
// indirect, partitioned and delta CRLs are ignored; certificates in the
// document security store are not used to build chains. Revocation data
// is fetched online only with Options.Fetch (kyso verify --online), for the
// certificates the document says nothing about; a failed fetch is
// INDETERMINATE / TRY_LATER. The revision analysis follows the rules above, which
// are stricter than some viewers: a revision that changes the document
// information dictionary, the XMP metadata, the form's /DR or /DA, or adds
// an unsigned field is refused even though it cannot change what a page
// shows. Unsupported SubFilters fail as FORMAT_FAILURE. Encrypted PDFs and
// PDFs with cross-reference streams are not read: INDETERMINATE /
// UNSUPPORTED_FORMAT (kyso-specific), since they may be genuine copies
// re-saved by a viewer. A signer certificate with an extended key usage
// must allow document signing (any, emailProtection, documentSigning, Adobe
// or Microsoft document signing); one without extended key usage is
// accepted.
//
// # JSON schema kyso.verify/v1
//
//	{
//	  "schema": "kyso.verify/v1",
//	  "indication": "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE",
//	  "sub_indication": "" | "FORMAT_FAILURE" | ...,
//	  "validated_at": RFC 3339,
//	  "document": {"sha256": hex, "size": bytes, "signatures": n,
//	               "document_timestamps": n (omitted when 0),
//	               "signed_sha256": hex (omitted when no signature covers the whole file)},
//	  "checks": [check...],                 // document level
//	  "signatures": [{
//	    "field": "Signature 1",
//	    "kind": "signature" | "document_timestamp",
//	    "indication": ..., "sub_indication": ...,
//	    "sub_filter": "adbe.pkcs7.detached",
//	    "signer": {"subject", "common_name", "organization", "title",
//	               "serial" (hex), "issuer", "not_before", "not_after"},
//	    "signing_time": RFC 3339 (absent when unknown),
//	    "signing_time_source": "signature_timestamp" | "signing_time_attribute" |
//	                           "validation_time" | "document_timestamp",
//	    "covers_whole_document": bool,
//	    "byte_range": [0, a, b, c],
//	    "digest_algorithm": "SHA-256", "signature_algorithm": "ECDSA",
//	    "chain": {"status": "trusted" | "untrusted" | "invalid" | "not_checked",
//	              "certificates": [subject, ...], "error": "...",
//	              "revocation_checked": bool,
//	              "revocation": [{"certificate", "status": "good" | "revoked" | "unknown",
//	                              "source": "dss_ocsp" | "dss_crl" | "cms_ocsp" | "cms_crl" |
//	                                        "adbe_ocsp" | "adbe_crl",
//	                              "this_update", "revoked_at"}] (omitted without revocation data)},
//	    "certification_level": 1 | 2 | 3 (omitted for approval signatures),
//	    "field_lock": "All" | "Include" | "Exclude" (omitted when none),
//	    "timestamp": {"gen_time", "authority": {signer...}, "policy", "serial",
//	                  "chain": {chain...}} (omitted without signature timestamp),
//	    "checks": [check...]
//	  }],
//	  "revisions": [{"index": n, "end_offset": bytes,
//	                 "kind": "signature" | "dss" | "document_timestamp" | "other",
//	                 "signature": field (omitted when none),
//	                 "changed_objects": [{"object": n, "change": "added" | "modified" | "deleted",
//	                                      "what": "...", "allowed": bool, "reason": "..."}],
//	                 "allowed": bool, "detail": "..."}],
//	  "registry": {"status": "not_checked" | "registered" | "not_registered" | "unavailable",
//	               "detail": "..."},
//	  "credential": null | {"id", "kind", "status": "valid" | "revoked" | "superseded",
//	                        "status_reason", "status_changed_at", "issued_at"},
//	  "transparency": {"status": "included" | "failed" | "unavailable", "origin",
//	                   "tree_size", "root_hash" (hex), "leaf_index", "detail"}
//	}
//
// Additions to kyso.verify/v1 that older readers may ignore: "kind",
// "certification_level", "field_lock", "timestamp", "chain.revocation",
// "document.document_timestamps" and "revisions" (an empty list when the
// analysis could not run); the sub-indication REVOKED_NO_POE; the
// signing-time sources "signature_timestamp" and "document_timestamp".
// "signatures" now also lists document timestamps, distinguished by
// "kind". "revocation_checked" can now be true. The signature-level check
// covers_whole_document is gone: a signature no longer has to cover the
// whole file, the "modifications" check judges what follows it
// (covers_whole_document remains as a field).
//
// "transparency" is present only when the caller checked the credential's
// issue entry in a transparency log (kyso verify --log-pub), never filled
// by this package. A "failed" check makes ExitCode 1, an "unavailable" one
// turns 0 into 2.
//
// A check is {"name", "passed", "detail", "indication", "sub_indication"}
// (the last two only when it failed). Document-level check names:
// pdf_structure, signature_fields, signatures_consistent, has_signature,
// signature_order, revisions, modifications, registry, time_limit (only
// when the context given to PDFContext ended before the validation
// finished: INDETERMINATE / TRY_LATER; the server gives each upload a time
// limit). Signature-level:
// signature_dictionary, sub_filter, byte_range, contents, cms_structure,
// digest_algorithm, signed_attributes, message_digest, signer_certificate,
// signature_value, key_strength, signing_certificate_attribute,
// signature_timestamp, signing_time, certificate_chain, revocation,
// key_usage, signer_seed_value (only for a field whose required certificate
// seed value names its signer, as kyso places every field: a signature by
// anyone else is INDETERMINATE / SIG_CONSTRAINTS_FAILURE, since a trusted
// root certifies many people); for a document timestamp, after contents: timestamp_token,
// timestamp_signature, tsa_certificate, timestamp_chain, message_imprint,
// timestamp_time. Checks run in this order; a check made meaningless by an
// earlier failure is absent.
//
// Report.Summary gives the verdict and its reasons in plain Vietnamese or
// English.
package verify
