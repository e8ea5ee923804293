package workflow

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Scope is what an API token may do.
type Scope string

const (
	// ScopeImport pushes data files.
	ScopeImport Scope = "import"
	// ScopeRead reads progress and the status of documents.
	ScopeRead Scope = "read"
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeImport, ScopeRead}

// ParseScopes parses a list of scopes separated by commas or spaces,
// dropping repeats. An unknown scope or an empty list wraps ErrInvalid.
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		sc := Scope(f)
		if !slices.Contains(Scopes, sc) {
			return nil, invalidf("scopes: unknown scope %q", f)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, invalidf("scopes: want at least one of %s", joinScopes(Scopes))
	}
	return out, nil
}

func joinScopes(scs []Scope) string {
	s := make([]string, len(scs))
	for i, sc := range scs {
		s[i] = string(sc)
	}
	return strings.Join(s, " ")
}

// APIToken is a token a system uses to push data or read progress on
// behalf of an account. Its secret is shown once, when it is made.
type APIToken struct {
	// ID is 16 hex characters, also written in the secret.
	ID        string
	AccountID string
	// Name says what the token is for ("SMIS push").
	Name   string
	Scopes []Scope
	// CreatedAt is when it was made; ExpiresAt when it stops working (zero:
	// never); RevokedAt when it was revoked (zero: not revoked); LastUsed
	// its last use, to a minute (zero: never used).
	CreatedAt, ExpiresAt, RevokedAt, LastUsed time.Time
}

// Allows reports whether the token has scope sc. It does not look at
// expiry or revocation: AuthenticateAPIToken does.
func (t *APIToken) Allows(sc Scope) bool { return slices.Contains(t.Scopes, sc) }

// API token secrets are "kyso_" + ID + "_" + 43 base64url characters.
const (
	apiTokenPrefix = "kyso_"
	apiTokenIDLen  = 16
	maxTokenName   = 100
)

// apiTokenID returns the ID written in a secret, or false when the secret
// is not of the form CreateAPIToken makes.
func apiTokenID(secret string) (string, bool) {
	rest, ok := strings.CutPrefix(secret, apiTokenPrefix)
	if !ok || len(rest) != apiTokenIDLen+1+secretLen || rest[apiTokenIDLen] != '_' {
		return "", false
	}
	id := rest[:apiTokenIDLen]
	if _, err := hex.DecodeString(id); err != nil || strings.ToLower(id) != id {
		return "", false
	}
	return id, true
}

// CreateAPIToken makes an API token for an enabled account and returns its
// secret, "kyso_" + ID + "_" + 32 random bytes in base64url, which is shown
// once: the store keeps its SHA-256. name is required; scopes at least
// one; expires is zero for a token that does not expire, else in the
// future. Randomness comes from rand. Invalid arguments wrap ErrInvalid;
// an unknown account is ErrNotFound.
func (s *Store) CreateAPIToken(ctx context.Context, accountID, name string, scopes []Scope, expires time.Time, rand io.Reader, actor string) (secret string, tok *APIToken, err error) {
	name, ok := cleanText(name, maxTokenName)
	if !ok || name == "" {
		return "", nil, fmt.Errorf("create API token: %w", invalidf("name: want 1 to %d printable characters", maxTokenName))
	}
	scs, err := ParseScopes(joinScopes(scopes))
	if err != nil {
		return "", nil, fmt.Errorf("create API token: %w", err)
	}
	now := s.now().UTC()
	if !expires.IsZero() && !expires.After(now) {
		return "", nil, fmt.Errorf("create API token: %w", invalidf("expires: in the past"))
	}
	var idBytes [apiTokenIDLen / 2]byte
	if _, err := io.ReadFull(rand, idBytes[:]); err != nil {
		return "", nil, fmt.Errorf("create API token: %w", err)
	}
	random, err := newSecret(rand)
	if err != nil {
		return "", nil, fmt.Errorf("create API token: %w", err)
	}
	tok = &APIToken{ID: hex.EncodeToString(idBytes[:]), AccountID: accountID, Name: name, Scopes: scs, CreatedAt: now}
	if !expires.IsZero() {
		tok.ExpiresAt = expires.UTC()
	}
	secret = apiTokenPrefix + tok.ID + "_" + random
	err = s.tx(ctx, func(tx *sql.Tx) error {
		a, err := s.account(ctx, tx, "id", accountID)
		if err != nil {
			return err
		}
		if a.Disabled {
			return invalidf("account %s is disabled", accountID)
		}
		_, err = s.exec(ctx, tx, `INSERT INTO api_tokens (id, token_hash, account_id, name, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			tok.ID, hashSecret(secret), accountID, name, joinScopes(scs), formatTime(now), formatTime(tok.ExpiresAt))
		if s.isUniqueViolation(err) {
			return fmt.Errorf("API token %s: %w", tok.ID, ErrExists)
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionCreateToken, tok.ID, map[string]string{
			"account": accountID, "scopes": joinScopes(scs), "expires": formatTime(tok.ExpiresAt),
		})
	})
	if err != nil {
		return "", nil, fmt.Errorf("create API token: %w", err)
	}
	return secret, tok, nil
}

const apiTokenColumns = `id, account_id, name, scopes, created_at, expires_at, revoked_at, last_used`

func scanAPIToken(r rowScanner, extra ...any) (*APIToken, error) {
	var t APIToken
	var scopes, created, expires, revoked, used string
	if err := r.Scan(append([]any{&t.ID, &t.AccountID, &t.Name, &scopes, &created, &expires, &revoked, &used}, extra...)...); err != nil {
		return nil, err
	}
	for _, f := range strings.Fields(scopes) {
		t.Scopes = append(t.Scopes, Scope(f))
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsed = parseTime(created), parseTime(expires), parseTime(revoked), parseTime(used)
	return &t, nil
}

// AuthenticateAPIToken returns the token of a secret and its account. A
// malformed or unknown secret is ErrBadCredentials; a revoked or expired
// token, or one whose account is disabled, is ErrTokenRevoked. The token is
// found by the ID in the secret and the secret's SHA-256 compared in
// constant time. Use is recorded (LastUsed) at most once a minute.
func (s *Store) AuthenticateAPIToken(ctx context.Context, secret string) (*APIToken, *Account, error) {
	id, ok := apiTokenID(secret)
	if !ok {
		return nil, nil, ErrBadCredentials
	}
	var stored string
	tok, err := scanAPIToken(s.db.QueryRowContext(ctx, s.bind(`SELECT `+apiTokenColumns+`, token_hash FROM api_tokens WHERE id = ?`), id), &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrBadCredentials
	}
	if err != nil {
		return nil, nil, fmt.Errorf("API token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(stored)) != 1 {
		return nil, nil, ErrBadCredentials
	}
	now := s.now()
	if !tok.RevokedAt.IsZero() || (!tok.ExpiresAt.IsZero() && !now.Before(tok.ExpiresAt)) {
		return nil, nil, ErrTokenRevoked
	}
	acct, err := s.Account(ctx, tok.AccountID)
	if err != nil {
		return nil, nil, fmt.Errorf("API token %s: %w", tok.ID, err)
	}
	if acct.Disabled {
		return nil, nil, ErrTokenRevoked
	}
	if tok.LastUsed.IsZero() || now.Sub(tok.LastUsed) >= time.Minute {
		tok.LastUsed = now.UTC()
		if _, err := s.db.ExecContext(ctx, s.bind(`UPDATE api_tokens SET last_used = ? WHERE id = ?`), formatTime(now), tok.ID); err != nil {
			return nil, nil, fmt.Errorf("API token %s: %w", tok.ID, err)
		}
	}
	return tok, acct, nil
}

// RevokeAPIToken revokes a token for good. Revoking a revoked token does
// nothing; an unknown id is ErrNotFound.
func (s *Store) RevokeAPIToken(ctx context.Context, id, actor string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = ''`, formatTime(s.now()), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var one int
			err := tx.QueryRowContext(ctx, s.bind(`SELECT 1 FROM api_tokens WHERE id = ?`), id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("API token %s: %w", id, ErrNotFound)
			}
			return err
		}
		return s.audit(ctx, tx, actor, ActionRevokeToken, id, nil)
	})
	if err != nil {
		return fmt.Errorf("revoke API token: %w", err)
	}
	return nil
}

// APITokens returns an account's tokens, revoked and expired ones too,
// oldest first.
func (s *Store) APITokens(ctx context.Context, accountID string) ([]APIToken, error) {
	rows, err := s.db.QueryContext(ctx, s.bind(`SELECT `+apiTokenColumns+` FROM api_tokens WHERE account_id = ? ORDER BY created_at, id`), accountID)
	if err != nil {
		return nil, fmt.Errorf("API tokens of %s: %w", accountID, err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("API tokens of %s: %w", accountID, err)
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}
