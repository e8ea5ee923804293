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
// /Contents and decodes to what the parser read; the last signature covers
// the file to its last byte (anything appended fails the document); the CMS
// SignedData (parsed here, strict DER) is detached with exactly one
// SignerInfo; its digest algorithm is SHA-256, SHA-384 or SHA-512; signed
// attributes hold contentType id-data and messageDigest, which must equal
// the digest of the signed bytes; the signer certificate is the one the
// SignerInfo's sid names among the CMS certificates (issuer and serial
// number, or subject key identifier), never just any certificate; the
// signature over the DER signed attributes verifies with its key (RSA
// PKCS#1 v1.5, RSA-PSS, ECDSA); the key is RSA of 2048 bits or more or
// ECDSA P-256/P-384/P-521; a signing-certificate(-v2) attribute, when
// present, names that certificate; the chain is built with x509.Verify
// using only Options.Roots as roots and the CMS certificates as
// intermediates (a root placed in the CMS gives nothing) at the signing
// time; the signer certificate's key usage allows digitalSignature or
// nonRepudiation.
//
// # Indications (ETSI EN 319 102-1)
//
// TOTAL_PASSED only when every signature passes and the last one covers the
// whole file. TOTAL_FAILED when something is proven wrong: FORMAT_FAILURE
// (malformed file or signature, inconsistent signature fields, and also a
// file with no signature at all — a verifier of signed diplomas has nothing
// to confirm, and "not valid" is what its users need to hear), HASH_FAILURE
// (content changed, or bytes added after the last signature),
// SIG_CRYPTO_FAILURE (signature value wrong for the signer's key), REVOKED
// (registry). INDETERMINATE otherwise: NO_CERTIFICATE_CHAIN_FOUND (no chain
// to a trusted root), OUT_OF_BOUNDS_NO_POE / NOT_YET_VALID (signing time
// outside a certificate's validity: the time is only claimed, so this is not
// proof of a forgery), CRYPTO_CONSTRAINTS_FAILURE (SHA-1, MD5, SHA-224,
// weak or unsupported keys and algorithms), NO_SIGNING_CERTIFICATE_FOUND,
// CHAIN_CONSTRAINTS_FAILURE (including key usage), SIG_CONSTRAINTS_FAILURE
// (signing time in the future), TRY_LATER (registry unavailable),
// SUPERSEDED. When several rules fail, the first proven failure wins over
// anything indeterminate. Report.ExitCode maps the indication to 0, 1, 2.
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
// The signing time is the signer's claimed signingTime attribute (or
// Options.Now when absent): there is no timestamp validation yet, so a
// holder of a compromised expired key could backdate a signature; the
// registry is the defence. Certificate revocation (CRL, OCSP) is not checked
// (Chain.RevocationChecked is false). DocMDP/FieldMDP permissions of earlier
// signatures are not evaluated: kyso requires the last signature to cover
// the whole file instead. Document timestamps (/DocTimeStamp) and other
// SubFilters fail as FORMAT_FAILURE. Encrypted PDFs and PDFs with
// cross-reference streams are not read: INDETERMINATE / UNSUPPORTED_FORMAT
// (kyso-specific), since they may be genuine copies re-saved by a viewer.
// A signer certificate with an extended key usage must allow document
// signing (any, emailProtection, documentSigning, Adobe or Microsoft
// document signing); one without extended key usage is accepted.
//
// # JSON schema kyso.verify/v1
//
//	{
//	  "schema": "kyso.verify/v1",
//	  "indication": "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE",
//	  "sub_indication": "" | "FORMAT_FAILURE" | ...,
//	  "validated_at": RFC 3339,
//	  "document": {"sha256": hex, "size": bytes, "signatures": n, "signed_sha256": hex (omitted when no signature covers the whole file)},
//	  "checks": [check...],                 // document level
//	  "signatures": [{
//	    "field": "Signature 1",
//	    "indication": ..., "sub_indication": ...,
//	    "sub_filter": "adbe.pkcs7.detached",
//	    "signer": {"subject", "common_name", "organization", "title",
//	               "serial" (hex), "issuer", "not_before", "not_after"},
//	    "signing_time": RFC 3339 (absent when unknown),
//	    "signing_time_source": "signing_time_attribute" | "validation_time",
//	    "covers_whole_document": bool,
//	    "byte_range": [0, a, b, c],
//	    "digest_algorithm": "SHA-256", "signature_algorithm": "ECDSA",
//	    "chain": {"status": "trusted" | "untrusted" | "invalid" | "not_checked",
//	              "certificates": [subject, ...], "error": "...",
//	              "revocation_checked": false},
//	    "checks": [check...]
//	  }],
//	  "registry": {"status": "not_checked" | "registered" | "not_registered" | "unavailable",
//	               "detail": "..."},
//	  "credential": null | {"id", "kind", "status": "valid" | "revoked" | "superseded",
//	                        "status_reason", "status_changed_at", "issued_at"},
//	  "transparency": {"status": "included" | "failed" | "unavailable", "origin",
//	                   "tree_size", "root_hash" (hex), "leaf_index", "detail"}
//	}
//
// "transparency" is an addition to kyso.verify/v1 that older readers may
// ignore: it is present only when the caller checked the credential's issue
// entry in a transparency log (kyso verify --log-pub), never filled by
// this package. A "failed" check makes ExitCode 1, an "unavailable" one
// turns 0 into 2.
//
// A check is {"name", "passed", "detail", "indication", "sub_indication"}
// (the last two only when it failed). Document-level check names:
// pdf_structure, signature_fields, signatures_consistent, has_signature,
// signature_order, registry. Signature-level: signature_dictionary,
// sub_filter, byte_range, contents, covers_whole_document (last signature
// only), cms_structure, digest_algorithm, signed_attributes,
// message_digest, signer_certificate, signature_value, key_strength,
// signing_certificate_attribute, signing_time, certificate_chain,
// key_usage. Checks run in this order; a check made meaningless by an
// earlier failure is absent.
//
// Report.Summary gives the verdict and its reasons in plain Vietnamese or
// English.
package verify
