package verify

import (
	"context"
	"errors"
	"time"
)

// ErrUnknownDocument is returned by a CredentialLookup when no credential is
// registered for the document's hash.
var ErrUnknownDocument = errors.New("document not registered")

// CredentialLookup finds the credential registered for a document. It is
// the verifier's only view of the registry; cmd adapts the registry to it.
//
// LookupDocument looks the file up by Digests.File first and, when that
// matches nothing and Digests.Signed is set, by Digests.Signed: the bytes
// inside a signature's /Contents gap are not signed (hex letter case, CMS
// unsigned attributes, extra certificates), so a copy altered there only
// must still find its credential, and with it a revocation. It returns an
// error wrapping ErrUnknownDocument when neither is registered, and any other
// error when the registry cannot answer.
type CredentialLookup interface {
	LookupDocument(ctx context.Context, d Digests) (*Credential, error)
}

// Digests identify a document to the registry.
type Digests struct {
	// File is the SHA-256 of the whole file.
	File [32]byte
	// Signed is the SHA-256 over the byte ranges of the final signature
	// when that signature covers the whole document and its message
	// digest matches; zero otherwise.
	Signed [32]byte
}

// Credential match kinds (Credential.Match).
const (
	MatchFile   = "file"           // the file is byte for byte the registered one
	MatchSigned = "signed_content" // the signed content is the registered one; unsigned bytes differ
)

// CredentialStatus is the lifecycle state of a registered credential.
type CredentialStatus string

// Credential statuses.
const (
	CredentialValid      CredentialStatus = "valid"
	CredentialRevoked    CredentialStatus = "revoked"
	CredentialSuperseded CredentialStatus = "superseded"
)

// Credential is what the verifier needs to know about a registered
// document. It carries no personal data: the report of an uploaded file
// shows only whether, and how, the file is registered.
type Credential struct {
	// ID is the credential's printed identifier.
	ID string `json:"id"`
	// Kind is the document kind, e.g. "diploma".
	Kind string `json:"kind,omitempty"`
	// Status is the credential's lifecycle state.
	Status CredentialStatus `json:"status"`
	// StatusReason explains a revocation or replacement; empty while valid.
	StatusReason string `json:"status_reason,omitempty"`
	// StatusChangedAt is when Status was last set.
	StatusChangedAt time.Time `json:"status_changed_at,omitzero"`
	// IssuedAt is when the document was issued.
	IssuedAt time.Time `json:"issued_at,omitzero"`
	// Match says how the document matched: MatchFile or MatchSigned.
	Match string `json:"match,omitempty"`
}

// checkRegistry asks the registry about the file and returns the registry
// block, the credential, and a document-level check when the registry's
// answer bears on the verdict. It returns an error only when ctx is done.
//
// With a registry configured, a document it does not know is INDETERMINATE
// (NOT_REGISTERED), however good its signatures: a trusted root may certify
// many signers, and what makes a credential genuine is that its issuer
// registered it.
func checkRegistry(ctx context.Context, lookup CredentialLookup, d Digests) (Registry, *Credential, *Check, error) {
	if lookup == nil {
		return Registry{Status: RegistryNotChecked, Detail: "no credential registry configured"}, nil, nil, nil
	}
	cred, err := lookup.LookupDocument(ctx, d)
	switch {
	case errors.Is(err, ErrUnknownDocument):
		c := failed("registry", Indeterminate, NotRegistered, "neither the file nor its signed content matches an issued document")
		return Registry{Status: RegistryNotRegistered, Detail: c.Detail}, nil, &c, nil
	case err != nil:
		if ctx.Err() != nil {
			return Registry{}, nil, nil, err
		}
		c := failed("registry", Indeterminate, TryLater, "the credential registry could not be asked")
		return Registry{Status: RegistryUnavailable, Detail: "the credential registry could not be asked"}, nil, &c, nil
	case cred == nil:
		c := failed("registry", Indeterminate, TryLater, "the credential registry returned no record and no error")
		return Registry{Status: RegistryUnavailable, Detail: "the credential registry gave an empty answer"}, nil, &c, nil
	}
	reg := Registry{Status: RegistryRegistered}
	var c Check
	switch cred.Status {
	case CredentialValid:
		c = passed("registry", "registered as credential "+cred.ID+", status valid")
	case CredentialRevoked:
		c = failed("registry", TotalFailed, Revoked, "credential "+cred.ID+" was revoked by its issuer")
	case CredentialSuperseded:
		c = failed("registry", Indeterminate, Superseded, "credential "+cred.ID+" was replaced by a newer document")
	default:
		c = failed("registry", Indeterminate, TryLater, "credential "+cred.ID+" has an unknown status "+quote(string(cred.Status)))
	}
	if cred.Match == MatchSigned {
		c.Detail += "; the signed content is the registered one, but bytes outside it (in the signature container) differ from the registered file"
	}
	reg.Detail = c.Detail
	return reg, cred, &c, nil
}
