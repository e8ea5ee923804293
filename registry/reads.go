package registry

import (
	"context"
	"fmt"
)

// reads are the read methods SQLite and Postgres share: both embed it,
// pointing at their sqlStore.
type reads struct{ store *sqlStore }

// AuditLog returns the audit entries of the credential, oldest first, or
// ErrNotFound when no credential has the ID.
func (r reads) AuditLog(ctx context.Context, id ID) ([]AuditEntry, error) {
	es, err := r.store.auditLog(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("registry: audit log of %s: %w", id, err)
	}
	return es, nil
}

// Count returns the number of registered credentials, whatever their status.
func (r reads) Count(ctx context.Context) (int64, error) {
	n, err := r.store.count(ctx)
	if err != nil {
		return 0, fmt.Errorf("registry: count: %w", err)
	}
	return n, nil
}

// FindByDocumentHash returns the credential whose signed document has the
// given SHA-256 digest, or ErrNotFound.
func (r reads) FindByDocumentHash(ctx context.Context, sum [32]byte) (*Credential, error) {
	c, err := r.store.findByDocumentHash(ctx, sum)
	if err != nil {
		return nil, fmt.Errorf("registry: find by document hash: %w", err)
	}
	return c, nil
}

// FindBySerial returns the credential of the given kind with the given
// serial number, or ErrNotFound. An empty serial matches nothing.
func (r reads) FindBySerial(ctx context.Context, kind, serial string) (*Credential, error) {
	c, err := r.store.findBySerial(ctx, kind, serial)
	if err != nil {
		return nil, fmt.Errorf("registry: find by serial: %w", err)
	}
	return c, nil
}

// FindBySignedDigest returns the credential whose signed content (the byte
// ranges covered by the document's final signature) has the given SHA-256
// digest, or ErrNotFound. Credentials registered before signed digests were
// recorded are never found this way.
func (r reads) FindBySignedDigest(ctx context.Context, sum [32]byte) (*Credential, error) {
	c, err := r.store.findBySignedDigest(ctx, sum)
	if err != nil {
		return nil, fmt.Errorf("registry: find by signed digest: %w", err)
	}
	return c, nil
}

// Get returns the credential with the given ID, or ErrNotFound.
func (r reads) Get(ctx context.Context, id ID) (*Credential, error) {
	c, err := r.store.get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("registry: get %s: %w", id, err)
	}
	return c, nil
}

// Ping checks that the database is reachable and readable, for health
// checks.
func (r reads) Ping(ctx context.Context) error {
	if err := r.store.ping(ctx); err != nil {
		return fmt.Errorf("registry: ping: %w", err)
	}
	return nil
}
