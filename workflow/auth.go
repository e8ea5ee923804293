package workflow

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Policy is the login and session policy.
type Policy struct {
	// MaxFailures wrong passwords in a row lock the account.
	MaxFailures int
	// LockFor is how long a lock-out lasts.
	LockFor time.Duration
	// SessionIdle ends a session not used for this long.
	SessionIdle time.Duration
	// SessionMax ends a session this long after login, used or not.
	SessionMax time.Duration
}

// DefaultPolicy locks an account for 15 minutes after 5 wrong passwords,
// and ends sessions after 30 minutes unused or 12 hours in all.
var DefaultPolicy = Policy{MaxFailures: 5, LockFor: 15 * time.Minute, SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour}

// maxConcurrentHashes bounds the argon2 hashes Auth runs at once: each
// takes PasswordParams.MemoryKiB of memory.
const maxConcurrentHashes = 2

// Auth logs staff in and out and checks their sessions. Make it with
// NewAuth; it is safe for concurrent use.
type Auth struct {
	Store *Store
	// Policy is the lock-out and session policy.
	Policy Policy
	// Params hash new passwords.
	Params PasswordParams
	// Rand is the source of salts, session tokens and CSRF tokens
	// (crypto/rand.Reader in production).
	Rand io.Reader

	sem   chan struct{} // one token per hash running
	dummy string        // a hash with Params that no password matches

	// unknown counts the failures of usernames no account has, so that
	// they lock like real ones and a locked answer does not tell that an
	// account exists. Bounded by maxUnknownNames.
	mu      sync.Mutex
	unknown map[string]*unknownName
}

// unknownName is the lock-out state of a username no account has.
type unknownName struct {
	failures int
	until    time.Time
}

// maxUnknownNames bounds the unknown usernames remembered.
const maxUnknownNames = 10000

// unknownFailed counts a failure of a username no account has and returns
// the end of its lock when it is locked (now or already).
func (a *Auth) unknownFailed(username string, now time.Time) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.unknown == nil {
		a.unknown = map[string]*unknownName{}
	}
	u := a.unknown[username]
	if u == nil {
		if len(a.unknown) >= maxUnknownNames {
			for k, v := range a.unknown {
				if !v.until.After(now) || len(a.unknown) >= maxUnknownNames {
					delete(a.unknown, k)
				}
				if len(a.unknown) < maxUnknownNames*9/10 {
					break
				}
			}
		}
		u = &unknownName{}
		a.unknown[username] = u
	}
	if u.until.After(now) {
		return u.until
	}
	u.failures++
	if u.failures >= a.Policy.MaxFailures {
		u.failures, u.until = 0, now.Add(a.Policy.LockFor)
		// The lock applies from the next try, as for an account.
	}
	return time.Time{}
}

// NewAuth returns an Auth over s. Zero fields of p take DefaultPolicy's
// values; zero params are DefaultPasswordParams.
func NewAuth(s *Store, p Policy, params PasswordParams, rand io.Reader) *Auth {
	d := DefaultPolicy
	if p.MaxFailures <= 0 {
		p.MaxFailures = d.MaxFailures
	}
	if p.LockFor <= 0 {
		p.LockFor = d.LockFor
	}
	if p.SessionIdle <= 0 {
		p.SessionIdle = d.SessionIdle
	}
	if p.SessionMax <= 0 {
		p.SessionMax = d.SessionMax
	}
	if params == (PasswordParams{}) {
		params = DefaultPasswordParams
	}
	return &Auth{
		Store: s, Policy: p, Params: params, Rand: rand,
		sem: make(chan struct{}, maxConcurrentHashes),
		// Unknown usernames cost the same hash as known ones: the salt
		// and hash are zeros, which no password gives.
		dummy: encodePHC(params, make([]byte, params.SaltLen), make([]byte, params.KeyLen)),
	}
}

// hashing runs fn while holding one of the hashing slots, waiting for one
// as long as ctx allows.
func (a *Auth) hashing(ctx context.Context, fn func() error) error {
	if a.sem == nil {
		return errors.New("workflow: Auth not made by NewAuth")
	}
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.sem }()
	return fn()
}

// HashPassword checks password against CheckPasswordPolicy and hashes it
// with a.Params, waiting for a hashing slot (at most two hashes run at
// once) as long as ctx allows.
func (a *Auth) HashPassword(ctx context.Context, password []byte) (string, error) {
	if err := CheckPasswordPolicy(password); err != nil {
		return "", err
	}
	var h string
	err := a.hashing(ctx, func() (err error) {
		h, err = HashPassword(password, a.Rand, a.Params)
		return err
	})
	return h, err
}

// checkPassword checks password against encoded in a hashing slot.
func (a *Auth) checkPassword(ctx context.Context, encoded string, password []byte) (bool, error) {
	var ok bool
	err := a.hashing(ctx, func() (err error) {
		ok, err = CheckPassword(encoded, password)
		return err
	})
	return ok, err
}

// Session is a logged-in member of staff.
type Session struct {
	// Token is the secret the browser's cookie holds. Only Login sets it:
	// the store keeps its SHA-256 alone.
	Token string
	// AccountID is whose session it is.
	AccountID string
	// CSRF is the token forms must carry (see CheckCSRF).
	CSRF string
	// CreatedAt is the login time, ExpiresAt the end however active the
	// session, LastSeen the last use (to a minute).
	CreatedAt, ExpiresAt, LastSeen time.Time
	// Account is the account, loaded with the session.
	Account *Account
}

// LockedError is returned by Login for a locked account. It Is
// ErrLockedOut.
type LockedError struct {
	// Until is when the lock ends.
	Until time.Time
}

// Error says until when the account is locked.
func (e *LockedError) Error() string {
	return fmt.Sprintf("%v until %s", ErrLockedOut, e.Until.UTC().Format(time.RFC3339))
}

// Is reports whether target is ErrLockedOut.
func (e *LockedError) Is(target error) bool { return target == ErrLockedOut }

// maxLoginPasswordBytes bounds the password Login hashes; the policy
// allows no more than maxPasswordBytes.
const maxLoginPasswordBytes = 4 * maxPasswordBytes

// anonymousActor is the audit actor of a login attempt that did not
// succeed: whoever tried is not known.
const anonymousActor = "anonymous"

// tokenBytes is the entropy of session, CSRF and API token secrets.
const tokenBytes = 32

// newSecret returns tokenBytes from rand in base64url without padding.
func newSecret(rand io.Reader) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// secretLen is the length of a newSecret.
var secretLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// hashSecret is the hex SHA-256 the store keeps of a secret.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Login checks a username and password and opens a session.
//
// An unknown username, a disabled account or a wrong password is
// ErrBadCredentials, each after one password hash so that they take the
// same time. A locked account is a *LockedError (errors.Is ErrLockedOut)
// whatever the password. Each wrong password counts; the MaxFailures-th in
// a row locks the account for LockFor from the next attempt, and resets
// the count. A right password resets the count and opens a session that
// ends SessionMax later at most. Attempts are audited (login,
// login_failed, locked_out) with identifiers only: never the password, nor
// a username that matched no account (it may be a password typed in the
// wrong box).
func (a *Auth) Login(ctx context.Context, username string, password []byte) (*Session, error) {
	s := a.Store
	if len(password) > maxLoginPasswordBytes {
		// No account's password is this long; nothing to hash.
		return nil, ErrBadCredentials
	}
	acct, hash, err := a.loginAccount(ctx, username)
	if errors.Is(err, ErrNotFound) {
		if _, err := a.checkPassword(ctx, a.dummy, password); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		_ = s.audit(ctx, nil, anonymousActor, ActionLoginFailed, "", map[string]string{"reason": "unknown_user"})
		if until := a.unknownFailed(strings.ToLower(strings.TrimSpace(username)), s.now()); !until.IsZero() {
			return nil, &LockedError{Until: until}
		}
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if now := s.now(); acct.LockedUntil.After(now) {
		// The same work as any other answer, and the same answer whatever
		// the password.
		if _, err := a.checkPassword(ctx, a.dummy, password); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		_ = s.audit(ctx, nil, anonymousActor, ActionLoginFailed, acct.ID, map[string]string{"reason": "locked"})
		return nil, &LockedError{Until: acct.LockedUntil}
	}
	if acct.Disabled {
		if _, err := a.checkPassword(ctx, a.dummy, password); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		_ = s.audit(ctx, nil, anonymousActor, ActionLoginFailed, acct.ID, map[string]string{"reason": "disabled"})
		return nil, ErrBadCredentials
	}
	ok, err := a.checkPassword(ctx, hash, password)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	// Attempts sent together all pass the check above before any is
	// hashed; one that waited for a hashing slot while the account was
	// locked gets the lock, right password or not, so a flood of guesses
	// learns nothing more than five do.
	if cur, _, err := a.loginAccount(ctx, username); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	} else if cur.LockedUntil.After(s.now()) {
		_ = s.audit(ctx, nil, anonymousActor, ActionLoginFailed, acct.ID, map[string]string{"reason": "locked"})
		return nil, &LockedError{Until: cur.LockedUntil}
	}
	if !ok {
		if err := a.loginFailed(ctx, acct.ID); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		return nil, ErrBadCredentials
	}
	return a.openSession(ctx, acct)
}

// loginAccount loads the account and password hash of a username.
func (a *Auth) loginAccount(ctx context.Context, username string) (*Account, string, error) {
	s := a.Store
	username = strings.ToLower(strings.TrimSpace(username))
	if !usernameRE.MatchString(username) {
		return nil, "", ErrNotFound
	}
	var hash string
	acct, err := scanAccount(s.db.QueryRowContext(ctx, s.bind(`SELECT `+accountColumns+`, password_hash FROM accounts WHERE username = ?`), username), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrNotFound
	}
	return acct, hash, err
}

// loginFailed counts a wrong password and locks the account at
// MaxFailures. A lock set meanwhile by a concurrent attempt is left as it
// is and not counted again.
func (a *Auth) loginFailed(ctx context.Context, id string) error {
	s := a.Store
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var n int
		err := tx.QueryRowContext(ctx, s.bind(`UPDATE accounts SET failed_logins = failed_logins + 1
WHERE id = ? AND locked_until <= ? RETURNING failed_logins`), id, formatTime(now)).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return s.audit(ctx, tx, anonymousActor, ActionLoginFailed, id, map[string]string{"reason": "locked"})
		}
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, anonymousActor, ActionLoginFailed, id, map[string]string{"reason": "password", "failures": fmt.Sprint(n)}); err != nil {
			return err
		}
		if n < a.Policy.MaxFailures {
			return nil
		}
		until := now.Add(a.Policy.LockFor)
		if _, err := s.exec(ctx, tx, `UPDATE accounts SET failed_logins = 0, locked_until = ? WHERE id = ?`, formatTime(until), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, anonymousActor, ActionLockedOut, id, map[string]string{"until": formatTime(until)})
	})
}

// openSession resets the failure count of acct and stores a new session,
// unless the account was locked or disabled while its password was being
// checked.
func (a *Auth) openSession(ctx context.Context, acct *Account) (*Session, error) {
	s := a.Store
	token, err := newSecret(a.Rand)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	csrf, err := newSecret(a.Rand)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	now := s.now().UTC()
	sess := &Session{Token: token, AccountID: acct.ID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(a.Policy.SessionMax), LastSeen: now}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE accounts SET failed_logins = 0 WHERE id = ? AND disabled = 0 AND locked_until <= ?`, acct.ID, formatTime(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			cur, err := s.account(ctx, tx, "id", acct.ID)
			if err != nil {
				return err
			}
			if cur.LockedUntil.After(now) {
				return &LockedError{Until: cur.LockedUntil}
			}
			return ErrBadCredentials
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)`,
			hashSecret(token), acct.ID, csrf, formatTime(sess.CreatedAt), formatTime(sess.ExpiresAt), formatTime(sess.LastSeen)); err != nil {
			return err
		}
		return s.audit(ctx, tx, actorOf(acct), ActionLogin, acct.ID, nil)
	})
	var locked *LockedError
	if errors.Is(err, ErrBadCredentials) || errors.As(err, &locked) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	acct.LockedUntil = time.Time{}
	sess.Account = acct
	return sess, nil
}

// Session returns the session of a token with its account. A token that
// is unknown or malformed, a session past its end or idle longer than
// SessionIdle, and the session of a disabled account are all
// ErrSessionExpired; an ended session is deleted. Use is recorded
// (LastSeen) at most once a minute.
func (a *Auth) Session(ctx context.Context, token string) (*Session, error) {
	s := a.Store
	if len(token) != secretLen {
		return nil, ErrSessionExpired
	}
	key := hashSecret(token)
	var sess Session
	var created, expires, seen string
	err := s.db.QueryRowContext(ctx, s.bind(`SELECT account_id, csrf, created_at, expires_at, last_seen FROM sessions WHERE token_hash = ?`), key).
		Scan(&sess.AccountID, &sess.CSRF, &created, &expires, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrSessionExpired
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt, sess.LastSeen = parseTime(created), parseTime(expires), parseTime(seen)
	now := s.now()
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeen.Add(a.Policy.SessionIdle)) {
		if _, err := s.db.ExecContext(ctx, s.bind(`DELETE FROM sessions WHERE token_hash = ?`), key); err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		return nil, ErrSessionExpired
	}
	acct, err := s.Account(ctx, sess.AccountID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrSessionExpired
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if acct.Disabled {
		return nil, ErrSessionExpired
	}
	if now.Sub(sess.LastSeen) >= time.Minute {
		sess.LastSeen = now.UTC()
		if _, err := s.db.ExecContext(ctx, s.bind(`UPDATE sessions SET last_seen = ? WHERE token_hash = ?`), formatTime(now), key); err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
	}
	sess.Account = acct
	return &sess, nil
}

// Logout ends the session of token, if there is one, and audits it.
func (a *Auth) Logout(ctx context.Context, token string) error {
	s := a.Store
	if len(token) != secretLen {
		return nil
	}
	key := hashSecret(token)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, s.bind(`DELETE FROM sessions WHERE token_hash = ? RETURNING account_id`), key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, "account:"+id, ActionLogout, id, nil)
	})
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// CheckCSRF returns ErrBadCSRF unless given is the session's CSRF token,
// compared in constant time. An empty token never matches.
func CheckCSRF(sess *Session, given string) error {
	if sess == nil || sess.CSRF == "" || given == "" ||
		subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(given)) != 1 {
		return ErrBadCSRF
	}
	return nil
}

// DeleteExpiredSessions deletes the sessions past their end or idle
// longer than SessionIdle, and returns how many.
func (a *Auth) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	s := a.Store
	now := s.now()
	res, err := s.db.ExecContext(ctx, s.bind(`DELETE FROM sessions WHERE expires_at <= ? OR last_seen <= ?`),
		formatTime(now), formatTime(now.Add(-a.Policy.SessionIdle)))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}
