package verify

import (
	"time"
)

// SchemaVersion names the JSON layout of Report. It changes when a field is
// removed or changes meaning; adding a field keeps it.
const SchemaVersion = "kyso.verify/v1"

// Indication is the main result of a validation, after ETSI EN 319 102-1
// §5.1.3 (TOTAL-PASSED, TOTAL-FAILED, INDETERMINATE), spelled with
// underscores.
type Indication string

// Indications.
const (
	// TotalPassed: every check passed.
	TotalPassed Indication = "TOTAL_PASSED"
	// TotalFailed: the document or a signature is proven wrong — malformed,
	// changed after signing, a signature value that does not verify — or
	// the issuer revoked the credential.
	TotalFailed Indication = "TOTAL_FAILED"
	// Indeterminate: nothing is proven wrong, but the document cannot be
	// confirmed — an untrusted or expired certificate, a weak algorithm, a
	// superseded credential, a registry that could not be asked.
	Indeterminate Indication = "INDETERMINATE"
)

// SubIndication explains an Indication other than TotalPassed. The values
// are those of ETSI EN 319 102-1 Table 5 except where marked kyso-specific.
type SubIndication string

// Sub-indications used with TotalFailed.
const (
	// FormatFailure: the file or a signature cannot be processed — not a
	// supported PDF, malformed signature dictionary or CMS, signature
	// fields that disagree with the bytes, or no signature at all.
	FormatFailure SubIndication = "FORMAT_FAILURE"
	// HashFailure: the signed bytes do not match the digest in the
	// signature, or bytes were added after the last signature.
	HashFailure SubIndication = "HASH_FAILURE"
	// SigCryptoFailure: the signature value does not verify with the
	// signer certificate's public key.
	SigCryptoFailure SubIndication = "SIG_CRYPTO_FAILURE"
	// Revoked: the registry says the issuer revoked this document
	// (kyso-level), or a certificate of the signer's chain was revoked
	// before a signature timestamp proves the signature existed (ETSI).
	Revoked SubIndication = "REVOKED"
)

// Sub-indications used with Indeterminate.
const (
	// SigConstraintsFailure: the signature does not meet the validation
	// policy, e.g. a signing time later than the validation time.
	SigConstraintsFailure SubIndication = "SIG_CONSTRAINTS_FAILURE"
	// ChainConstraintsFailure: a chain exists but breaks a constraint:
	// path length, name constraints, basic constraints, or a signer
	// certificate whose key usage does not allow signing.
	ChainConstraintsFailure SubIndication = "CHAIN_CONSTRAINTS_FAILURE"
	// CertificateChainGeneralFailure: the chain could not be validated for
	// another reason.
	CertificateChainGeneralFailure SubIndication = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
	// CryptoConstraintsFailure: an algorithm or key size below kyso's
	// policy (SHA-1, MD5, RSA under 2048 bits) or not supported.
	CryptoConstraintsFailure SubIndication = "CRYPTO_CONSTRAINTS_FAILURE"
	// NotYetValid: the signing time is before a certificate's notBefore.
	NotYetValid SubIndication = "NOT_YET_VALID"
	// OutOfBoundsNoPOE: the signing time is after a certificate's
	// notAfter, and no proof of existence shows an earlier signing.
	OutOfBoundsNoPOE SubIndication = "OUT_OF_BOUNDS_NO_POE"
	// NoSigningCertificateFound: the signer certificate named by the
	// SignerInfo is not in the CMS, is ambiguous, or does not match the
	// signing-certificate attribute.
	NoSigningCertificateFound SubIndication = "NO_SIGNING_CERTIFICATE_FOUND"
	// NoCertificateChainFound: no chain from the signer certificate to one
	// of Options.Roots.
	NoCertificateChainFound SubIndication = "NO_CERTIFICATE_CHAIN_FOUND"
	// TryLater: the credential registry could not be asked.
	TryLater SubIndication = "TRY_LATER"
	// Superseded: the registry says a newer document replaced this one
	// (kyso-specific).
	Superseded SubIndication = "SUPERSEDED"
	// NotRegistered: a registry was configured and the document is not in
	// it (kyso-specific).
	NotRegistered SubIndication = "NOT_REGISTERED"
	// UnsupportedFormat: the file uses PDF features this verifier does not
	// read (cross-reference streams, encryption): no verdict either way
	// (kyso-specific).
	UnsupportedFormat SubIndication = "UNSUPPORTED_FORMAT"
	// RevokedNoPOE: a certificate of the signer's chain is revoked at the
	// validation time and nothing (no signature timestamp) proves the
	// signature was made before the revocation.
	RevokedNoPOE SubIndication = "REVOKED_NO_POE"
)

// Chain statuses (SignatureReport.Chain.Status).
const (
	ChainTrusted    = "trusted"     // a chain to one of Options.Roots, valid at the signing time
	ChainUntrusted  = "untrusted"   // no chain to any of Options.Roots
	ChainInvalid    = "invalid"     // a chain exists but is expired, not yet valid or breaks a constraint
	ChainNotChecked = "not_checked" // no signer certificate to check
)

// Registry statuses (Report.Registry.Status).
const (
	RegistryNotChecked    = "not_checked"    // Options.Credentials was nil
	RegistryRegistered    = "registered"     // Report.Credential holds the record
	RegistryNotRegistered = "not_registered" // neither the file nor its signed content is registered
	RegistryUnavailable   = "unavailable"    // the lookup failed
)

// Signing-time sources (SignatureReport.SigningTimeSource).
const (
	// SigningTimeClaimed: the signer's own signingTime attribute. It is a
	// claim, not proven by a timestamp.
	SigningTimeClaimed = "signing_time_attribute"
	// SigningTimeValidation: no signingTime attribute; the chain was
	// validated at the validation time (Options.Now).
	SigningTimeValidation = "validation_time"
	// SigningTimeSignatureTimestamp: the genTime of a valid RFC 3161
	// signature timestamp, which proves the signature existed then.
	SigningTimeSignatureTimestamp = "signature_timestamp"
	// SigningTimeDocumentTimestamp: for a document timestamp, its own
	// genTime.
	SigningTimeDocumentTimestamp = "document_timestamp"
)

// Signature kinds (SignatureReport.Kind).
const (
	KindSignature         = "signature"          // a CMS signature by a signer
	KindDocumentTimestamp = "document_timestamp" // an RFC 3161 document timestamp
)

// Report is the outcome of PDF. It is meant to be encoded as JSON; see the
// package documentation for the schema.
type Report struct {
	// Schema is SchemaVersion.
	Schema string `json:"schema"`
	// Indication is the verdict on the whole document.
	Indication Indication `json:"indication"`
	// SubIndication explains Indication; empty for TotalPassed.
	SubIndication SubIndication `json:"sub_indication"`
	// ValidatedAt is Options.Now() when the validation ran.
	ValidatedAt time.Time `json:"validated_at"`
	// Document describes the file.
	Document Document `json:"document"`
	// Checks are the document-level checks, in the order they ran.
	Checks []Check `json:"checks"`
	// Signatures are the signatures and document timestamps, in the order
	// they were applied (by the end of their signed range). Empty when
	// none could be listed.
	Signatures []SignatureReport `json:"signatures"`
	// Revisions are the revision the first signature signs, then every
	// revision added after it, with what each changed; empty when the
	// analysis could not run.
	Revisions []Revision `json:"revisions"`
	// Registry says whether and how the credential registry was asked.
	Registry Registry `json:"registry"`
	// Credential is the registry record of this exact file, or nil.
	Credential *Credential `json:"credential"`
	// Transparency is what a check of the credential's issue entry in a
	// transparency log found. Verify never fills it: callers that check a
	// log (kyso verify --log-pub) do. Nil, and absent from the JSON, when
	// no log was checked.
	Transparency *Transparency `json:"transparency,omitempty"`
}

// Transparency statuses (Transparency.Status).
const (
	// TransparencyIncluded: the checkpoint is signed by the log's key and
	// the credential's issue entry is proved to be in it.
	TransparencyIncluded = "included"
	// TransparencyFailed: the checkpoint's signature, or the inclusion
	// proof, does not verify, or the log has no issue entry for the
	// credential.
	TransparencyFailed = "failed"
	// TransparencyUnavailable: the log could not be asked, or there was
	// no registered credential to look for.
	TransparencyUnavailable = "unavailable"
)

// Transparency is the outcome of checking a credential's issue entry
// against a transparency log's signed checkpoint.
type Transparency struct {
	// Status is TransparencyIncluded, TransparencyFailed or
	// TransparencyUnavailable.
	Status string `json:"status"`
	// Origin is the log's name, from its public key.
	Origin string `json:"origin,omitempty"`
	// TreeSize and RootHash (lower-case hex) are the verified checkpoint's.
	TreeSize uint64 `json:"tree_size,omitempty"`
	RootHash string `json:"root_hash,omitempty"`
	// LeafIndex is the issue entry's index in the log, when found.
	LeafIndex *uint64 `json:"leaf_index,omitempty"`
	// Detail is a note for people, in English.
	Detail string `json:"detail,omitempty"`
}

// Document describes the verified file.
type Document struct {
	SHA256     string `json:"sha256"`     // lower-case hex of the whole file
	Size       int64  `json:"size"`       // bytes
	Signatures int    `json:"signatures"` // signed signature fields found, document timestamps included
	// DocumentTimestamps counts the document timestamps among them.
	DocumentTimestamps int `json:"document_timestamps,omitempty"`
	// SignedSHA256 is the lower-case hex SHA-256 over the final
	// signature's byte ranges, when it covers the whole file and its
	// message digest matched: what the registry knows the document by even
	// if bytes inside the signature container change.
	SignedSHA256 string `json:"signed_sha256,omitempty"`
}

// Check is the outcome of one rule.
type Check struct {
	// Name identifies the rule; the names are listed in the package
	// documentation and are stable within a schema version.
	Name string `json:"name"`
	// Passed reports whether the rule held.
	Passed bool `json:"passed"`
	// Detail says what was found, in English, for people and logs.
	Detail string `json:"detail,omitempty"`
	// Indication and SubIndication are what a failed rule means; empty
	// when Passed.
	Indication    Indication    `json:"indication,omitempty"`
	SubIndication SubIndication `json:"sub_indication,omitempty"`
}

// SignatureReport is the outcome for one signature.
type SignatureReport struct {
	// Field is the signature field's fully qualified name.
	Field string `json:"field"`
	// Kind is KindSignature or KindDocumentTimestamp. A document
	// timestamp's Signer, Chain and SigningTime are those of its
	// time-stamping authority and its genTime.
	Kind string `json:"kind"`
	// Indication and SubIndication are the verdict on this signature. A
	// signature other than the last is judged on the revision it signed.
	Indication    Indication    `json:"indication"`
	SubIndication SubIndication `json:"sub_indication"`
	// SubFilter is the signature dictionary's /SubFilter.
	SubFilter string `json:"sub_filter,omitempty"`
	// Signer describes the signer certificate; empty when it could not be
	// identified.
	Signer Signer `json:"signer"`
	// SigningTime is the time the chain was validated at: the genTime of
	// a valid signature timestamp, the signer's claimed signingTime, or
	// the validation time; for a document timestamp, its genTime
	// (SigningTimeSource says which).
	SigningTime       time.Time `json:"signing_time,omitzero"`
	SigningTimeSource string    `json:"signing_time_source,omitempty"`
	// CoversWholeDocument reports whether the signed range ends at the end
	// of the file.
	CoversWholeDocument bool `json:"covers_whole_document"`
	// ByteRange is the /ByteRange as written in the file.
	ByteRange []int64 `json:"byte_range"`
	// DigestAlgorithm (e.g. "SHA-256") and SignatureAlgorithm (e.g.
	// "ECDSA", "RSA-PKCS1-v1_5", "RSA-PSS") as found in the CMS.
	DigestAlgorithm    string `json:"digest_algorithm,omitempty"`
	SignatureAlgorithm string `json:"signature_algorithm,omitempty"`
	// Chain is the outcome of certificate path validation.
	Chain Chain `json:"chain"`
	// CertificationLevel is the DocMDP permission (1, 2 or 3) of a
	// certification signature; 0, and absent, for an approval signature.
	CertificationLevel int `json:"certification_level,omitempty"`
	// FieldLock is the FieldMDP action of the signature or of its field's
	// lock ("All", "Include", "Exclude"); empty when none.
	FieldLock string `json:"field_lock,omitempty"`
	// Timestamp describes the signature timestamp, when the signature has
	// one.
	Timestamp *Timestamp `json:"timestamp,omitempty"`
	// Checks are the rules applied to this signature, in order. A rule
	// that could not run (because an earlier one made it meaningless) is
	// absent.
	Checks []Check `json:"checks"`
}

// Signer describes a signer certificate.
type Signer struct {
	Subject      string    `json:"subject,omitempty"`
	CommonName   string    `json:"common_name,omitempty"`
	Organization string    `json:"organization,omitempty"`
	Title        string    `json:"title,omitempty"`
	Serial       string    `json:"serial,omitempty"` // certificate serial number, lower-case hex
	Issuer       string    `json:"issuer,omitempty"`
	NotBefore    time.Time `json:"not_before,omitzero"`
	NotAfter     time.Time `json:"not_after,omitzero"`
}

// Chain is the outcome of certificate path validation for one signature.
type Chain struct {
	// Status is ChainTrusted, ChainUntrusted, ChainInvalid or
	// ChainNotChecked.
	Status string `json:"status"`
	// Certificates are the subjects of the chain, signer first, trust
	// anchor last; only the signer when no chain was found.
	Certificates []string `json:"certificates"`
	// Error is why the chain is not trusted; empty when it is.
	Error string `json:"error,omitempty"`
	// RevocationChecked reports that the signer certificate's revocation
	// status at the validation time was established from revocation data
	// carried by the document (DSS, CMS crls, Adobe revocation attribute).
	// Nothing is fetched online.
	RevocationChecked bool `json:"revocation_checked"`
	// Revocation is the revocation status found for each certificate of
	// the chain below the trust anchor, signer first; absent when the
	// chain was not trusted or the document carries no revocation data.
	Revocation []CertificateStatus `json:"revocation,omitempty"`
}

// Certificate revocation statuses (CertificateStatus.Status).
const (
	RevocationGood    = "good"    // not revoked at the validation time
	RevocationRevoked = "revoked" // revoked at or before the validation time
	RevocationUnknown = "unknown" // no revocation data covering the validation time
)

// Revocation data sources (CertificateStatus.Source).
const (
	SourceDSSOCSP    = "dss_ocsp"    // an OCSP response in the document security store
	SourceDSSCRL     = "dss_crl"     // a CRL in the document security store
	SourceCMSOCSP    = "cms_ocsp"    // an OCSP response in the CMS crls field
	SourceCMSCRL     = "cms_crl"     // a CRL in the CMS crls field
	SourceAdbeOCSP   = "adbe_ocsp"   // an OCSP response in the adbe-revocationInfoArchival attribute
	SourceAdbeCRL    = "adbe_crl"    // a CRL in the adbe-revocationInfoArchival attribute
	SourceOnlineOCSP = "online_ocsp" // fetched from the certificate's OCSP responder (Options.Fetch)
	SourceOnlineCRL  = "online_crl"  // fetched from the certificate's CRL distribution point
)

// CertificateStatus is the revocation status of one certificate.
type CertificateStatus struct {
	// Certificate is the certificate's subject.
	Certificate string `json:"certificate"`
	// Status is RevocationGood, RevocationRevoked or RevocationUnknown.
	Status string `json:"status"`
	// Source says where the deciding revocation data came from.
	Source string `json:"source,omitempty"`
	// ThisUpdate is that data's thisUpdate.
	ThisUpdate time.Time `json:"this_update,omitzero"`
	// RevokedAt is the revocation time, for a revoked certificate.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Timestamp describes an RFC 3161 signature timestamp.
type Timestamp struct {
	// GenTime is the time the authority attests; zero when the token
	// could not be read.
	GenTime time.Time `json:"gen_time,omitzero"`
	// Authority describes the time-stamping authority's certificate.
	Authority Signer `json:"authority"`
	// Policy is the TSA policy object identifier, dotted.
	Policy string `json:"policy,omitempty"`
	// Serial is the token's serial number, lower-case hex.
	Serial string `json:"serial,omitempty"`
	// Chain is the outcome of validating the authority's certificate at
	// GenTime, against Options.TimestampRoots.
	Chain Chain `json:"chain"`
}

// Revision is one revision of the document: the one its first signature
// signs, or one added after it.
type Revision struct {
	// Index is the revision's position in the file, the original
	// document being 1.
	Index int `json:"index"`
	// EndOffset is the offset just after the revision's last byte.
	EndOffset int64 `json:"end_offset"`
	// Kind is RevisionSignature, RevisionDSS, RevisionDocumentTimestamp or
	// RevisionOther.
	Kind string `json:"kind"`
	// Signature is the field of the signature or document timestamp the
	// revision adds, if any.
	Signature string `json:"signature,omitempty"`
	// ChangedObjects are the objects the revision adds, changes or
	// deletes, in the order of its cross-reference section; empty for the
	// first signed revision, which is not compared with anything.
	ChangedObjects []ChangedObject `json:"changed_objects"`
	// Allowed reports whether every change is one the signatures before
	// it allow.
	Allowed bool `json:"allowed"`
	// Detail says, in English, what else is wrong with the revision.
	Detail string `json:"detail,omitempty"`
}

// ChangedObject is an object a revision adds, changes or deletes.
type ChangedObject struct {
	// Object is the object number.
	Object int64 `json:"object"`
	// Change is ObjectAdded, ObjectModified or ObjectDeleted.
	Change string `json:"change"`
	// What the object is, e.g. "page 1", "signature dictionary of \"gvcn\"".
	What string `json:"what"`
	// Allowed reports whether the change is allowed.
	Allowed bool `json:"allowed"`
	// Reason says why not, when it is not.
	Reason string `json:"reason,omitempty"`
}

// Registry says whether the credential registry was asked and what it said.
type Registry struct {
	// Status is RegistryNotChecked, RegistryRegistered,
	// RegistryNotRegistered or RegistryUnavailable.
	Status string `json:"status"`
	// Detail is a note for people, in English.
	Detail string `json:"detail,omitempty"`
}

// ExitCode maps the indication to a process exit status: 0 for
// TotalPassed, 1 for TotalFailed, 2 for Indeterminate (and anything else).
// A Transparency check that failed makes it 1, one that could not be made
// turns 0 into 2.
func (r *Report) ExitCode() int {
	if r.Transparency != nil {
		switch r.Transparency.Status {
		case TransparencyIncluded:
		case TransparencyUnavailable:
			if r.Indication == TotalPassed {
				return 2
			}
		default:
			return 1
		}
	}
	switch r.Indication {
	case TotalPassed:
		return 0
	case TotalFailed:
		return 1
	default:
		return 2
	}
}

// failed builds a failed check.
func failed(name string, ind Indication, sub SubIndication, detail string) Check {
	return Check{Name: name, Indication: ind, SubIndication: sub, Detail: detail}
}

// passed builds a passed check.
func passed(name, detail string) Check {
	return Check{Name: name, Passed: true, Detail: detail}
}

// verdict returns the verdict of a list of checks: the first TotalFailed
// check wins, then the first Indeterminate one; otherwise TotalPassed.
func verdict(checks []Check) (Indication, SubIndication) {
	for _, c := range checks {
		if !c.Passed && c.Indication == TotalFailed {
			return c.Indication, c.SubIndication
		}
	}
	for _, c := range checks {
		if !c.Passed {
			return Indeterminate, c.SubIndication
		}
	}
	return TotalPassed, ""
}
