package server

import (
	"context"
	"errors"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/verify"
)

// DocumentFinder is what RegistryLookup needs from the registry.
type DocumentFinder interface {
	FindByDocumentHash(ctx context.Context, sum [32]byte) (*registry.Credential, error)
	FindBySignedDigest(ctx context.Context, sum [32]byte) (*registry.Credential, error)
}

// RegistryLookup lets the verifier ask the registry about a document without
// the verifier knowing the registry's types: by the file's hash first, then
// by the digest of its signed content.
type RegistryLookup struct{ Store DocumentFinder }

// LookupDocument implements verify.CredentialLookup.
func (r RegistryLookup) LookupDocument(ctx context.Context, d verify.Digests) (*verify.Credential, error) {
	match := verify.MatchFile
	c, err := r.Store.FindByDocumentHash(ctx, d.File)
	if errors.Is(err, registry.ErrNotFound) && d.Signed != ([32]byte{}) {
		match = verify.MatchSigned
		c, err = r.Store.FindBySignedDigest(ctx, d.Signed)
	}
	if errors.Is(err, registry.ErrNotFound) {
		return nil, verify.ErrUnknownDocument
	}
	if err != nil {
		return nil, err
	}
	return &verify.Credential{
		ID:              c.ID.String(),
		Kind:            c.Kind,
		Status:          verify.CredentialStatus(c.Status),
		StatusChangedAt: c.StatusChangedAt,
		IssuedAt:        c.IssuedAt,
		Match:           match,
	}, nil
}
