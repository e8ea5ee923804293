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
	// (kyso-level: ETSI uses it for certificate revocation).
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
	// Signatures are the signatures, in the order they were applied (by
	// the end of their signed range). Empty when none could be listed.
	Signatures []SignatureReport `json:"signatures"`
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
	Signatures int    `json:"signatures"` // signature fields found
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
	// Indication and SubIndication are the verdict on this signature. A
	// signature other than the last is judged on the revision it signed.
	Indication    Indication    `json:"indication"`
	SubIndication SubIndication `json:"sub_indication"`
	// SubFilter is the signature dictionary's /SubFilter.
	SubFilter string `json:"sub_filter,omitempty"`
	// Signer describes the signer certificate; empty when it could not be
	// identified.
	Signer Signer `json:"signer"`
	// SigningTime is the time the chain was validated at: the signer's
	// claimed signingTime, or the validation time (SigningTimeSource).
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
	// RevocationChecked is always false in this version: certificate
	// revocation (CRL, OCSP) is not checked; the registry status is kyso's
	// revocation mechanism for documents.
	RevocationChecked bool `json:"revocation_checked"`
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
