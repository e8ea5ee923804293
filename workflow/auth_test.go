package workflow

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func newTestAuth(s *Store) *Auth { return NewAuth(s, DefaultPolicy, testParams, rand.Reader) }

// loginFixture is a school with one teacher whose password is testPassword.
func loginFixture(t *testing.T, s *Store) (*Auth, *Account) {
	t.Helper()
	seedOrgs(t, s)
	return newTestAuth(s), newAccount(t, s, "ha.nguyen", "Nguyễn Thị Hà", testSchool, RoleSubjectTeacher)
}

func TestLogin(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		auth, ha := loginFixture(t, s)
		for _, username := range []string{"ha.nguyen", " HA.Nguyen "} {
			sess, err := auth.Login(ctx, username, []byte(testPassword))
			if err != nil {
				t.Fatalf("Login(%q): %v", username, err)
			}
			if len(sess.Token) != 43 || len(sess.CSRF) != 43 || sess.Token == sess.CSRF {
				t.Errorf("Token %q, CSRF %q: want two different 43-character base64url strings", sess.Token, sess.CSRF)
			}
			now := clock.Now()
			if sess.AccountID != ha.ID || sess.Account == nil || sess.Account.ID != ha.ID ||
				!sess.CreatedAt.Equal(now) || !sess.LastSeen.Equal(now) || !sess.ExpiresAt.Equal(now.Add(DefaultPolicy.SessionMax)) {
				t.Errorf("session: got %+v", sess)
			}
			got, err := auth.Session(ctx, sess.Token)
			if err != nil {
				t.Fatalf("Session: %v", err)
			}
			if got.Token != "" || got.AccountID != ha.ID || got.CSRF != sess.CSRF || got.Account.FullName != ha.FullName || !got.ExpiresAt.Equal(sess.ExpiresAt) {
				t.Errorf("Session: got %+v, want the login's session without its token", got)
			}
		}
		// The store keeps the token's hash only.
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE token_hash LIKE '%-%' OR length(token_hash) <> 64`).Scan(&n); err != nil || n != 0 {
			t.Errorf("sessions not keyed by hex SHA-256: %d, %v", n, err)
		}
		if acts := auditActions(t, s, ha.ID); !slices.Equal(acts, []string{ActionCreateAccount, ActionLogin, ActionLogin}) {
			t.Errorf("audit: got %v", acts)
		}
	})
}

func TestLoginRefusals(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		auth, ha := loginFixture(t, s)
		for _, tc := range []struct {
			name, username, password string
		}{
			{"wrong password", "ha.nguyen", "mật khẩu sai rồi"},
			{"unknown user", "nobody.here", testPassword},
			{"username that cannot be", "mật khẩu thử nghiệm", testPassword},
			{"empty", "", ""},
			{"huge password", "ha.nguyen", strings.Repeat("x", 1<<20)},
		} {
			if _, err := auth.Login(ctx, tc.username, []byte(tc.password)); !errors.Is(err, ErrBadCredentials) {
				t.Errorf("%s: got %v, want ErrBadCredentials", tc.name, err)
			}
		}
		entries, err := s.AuditLog(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var unknown int
		for _, e := range entries {
			if e.Action == ActionLoginFailed && e.Subject == "" && e.Detail["reason"] == "unknown_user" && e.Actor == anonymousActor {
				unknown++
			}
		}
		if unknown != 3 {
			t.Errorf("audit: %d login_failed entries for unknown users, want 3", unknown)
		}
		if acts := auditActions(t, s, ha.ID); !slices.Equal(acts, []string{ActionCreateAccount, ActionLoginFailed}) {
			t.Errorf("audit of the account: got %v, want create_account, login_failed", acts)
		}
		assertAuditClean(t, s, testPassword, "mật khẩu sai rồi", "nobody.here", "ha.nguyen", "Nguyễn Thị Hà")
	})
}

func TestLockOut(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		auth, ha := loginFixture(t, s)
		wrong := []byte("mật khẩu sai rồi")
		// Failures in a row count; a success resets the count.
		for range DefaultPolicy.MaxFailures - 1 {
			if _, err := auth.Login(ctx, "ha.nguyen", wrong); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("wrong password: got %v, want ErrBadCredentials", err)
			}
		}
		if _, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword)); err != nil {
			t.Fatalf("right password after %d wrong: %v", DefaultPolicy.MaxFailures-1, err)
		}
		for i := range DefaultPolicy.MaxFailures {
			clock.Advance(time.Second)
			// The last wrong password is refused like the others; the
			// lock applies from the next try.
			if _, err := auth.Login(ctx, "ha.nguyen", wrong); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("wrong password %d: got %v, want ErrBadCredentials", i+1, err)
			}
		}
		lockedAt := clock.Now()
		wantUntil := lockedAt.Add(DefaultPolicy.LockFor)
		for _, pw := range [][]byte{[]byte(testPassword), wrong} {
			clock.Advance(time.Minute)
			_, err := auth.Login(ctx, "ha.nguyen", pw)
			var le *LockedError
			if !errors.Is(err, ErrLockedOut) || !errors.As(err, &le) || !le.Until.Equal(wantUntil) {
				t.Fatalf("locked account: got %v, want LockedError until %v", err, wantUntil)
			}
		}
		if a, err := s.Account(ctx, ha.ID); err != nil || !a.LockedUntil.Equal(wantUntil) {
			t.Errorf("LockedUntil: got %v, %v; want %v", a.LockedUntil, err, wantUntil)
		}
		clock.Set(wantUntil.Add(-time.Nanosecond))
		if _, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword)); !errors.Is(err, ErrLockedOut) {
			t.Fatalf("just before the lock ends: got %v, want ErrLockedOut", err)
		}
		clock.Set(wantUntil)
		sess, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword))
		if err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		if !sess.Account.LockedUntil.IsZero() {
			t.Errorf("session account LockedUntil: got %v, want zero", sess.Account.LockedUntil)
		}
		acts := auditActions(t, s, ha.ID)
		count := func(action string) int {
			n := 0
			for _, a := range acts {
				if a == action {
					n++
				}
			}
			return n
		}
		if count(ActionLockedOut) != 1 || count(ActionLogin) != 2 || count(ActionLoginFailed) != 2*DefaultPolicy.MaxFailures-1+3 {
			t.Errorf("audit: got %v", acts)
		}
		assertAuditClean(t, s, testPassword, string(wrong), "Nguyễn Thị Hà")
	})
}

func TestConcurrentWrongPasswordsLock(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		auth, ha := loginFixture(t, s)
		const tries = 12
		var wg sync.WaitGroup
		errs := make(chan error, tries)
		for range tries {
			wg.Go(func() {
				_, err := auth.Login(ctx, "ha.nguyen", []byte("mật khẩu sai rồi"))
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if !errors.Is(err, ErrBadCredentials) && !errors.Is(err, ErrLockedOut) {
				t.Errorf("concurrent wrong password: got %v", err)
			}
		}
		if _, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword)); !errors.Is(err, ErrLockedOut) {
			t.Errorf("after %d concurrent wrong passwords: got %v, want ErrLockedOut", tries, err)
		}
		var locks int
		for _, a := range auditActions(t, s, ha.ID) {
			if a == ActionLockedOut {
				locks++
			}
		}
		if locks != 1 {
			t.Errorf("audit: %d locked_out entries, want 1", locks)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		auth, _ := loginFixture(t, s)
		login := func() string {
			t.Helper()
			sess, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword))
			if err != nil {
				t.Fatal(err)
			}
			return sess.Token
		}
		sessions := func() int {
			t.Helper()
			var n int
			if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		p := DefaultPolicy

		t.Run("idle", func(t *testing.T) {
			tok := login()
			clock.Advance(p.SessionIdle - time.Second)
			if _, err := auth.Session(ctx, tok); err != nil {
				t.Fatalf("just before idle: %v", err)
			}
			clock.Advance(p.SessionIdle - time.Second)
			if _, err := auth.Session(ctx, tok); err != nil {
				t.Fatalf("used again within the idle time: %v", err)
			}
			before := sessions()
			clock.Advance(p.SessionIdle)
			if _, err := auth.Session(ctx, tok); !errors.Is(err, ErrSessionExpired) {
				t.Fatalf("idle: got %v, want ErrSessionExpired", err)
			}
			if after := sessions(); after != before-1 {
				t.Errorf("the expired session was not deleted: %d sessions, then %d", before, after)
			}
		})
		t.Run("LastSeen to a minute", func(t *testing.T) {
			tok := login()
			start := clock.Now()
			clock.Advance(30 * time.Second)
			if sess, err := auth.Session(ctx, tok); err != nil || !sess.LastSeen.Equal(start) {
				t.Errorf("after 30 s: LastSeen %v, %v; want %v", sess.LastSeen, err, start)
			}
			clock.Advance(30 * time.Second)
			if sess, err := auth.Session(ctx, tok); err != nil || !sess.LastSeen.Equal(clock.Now()) {
				t.Errorf("after a minute: LastSeen %v, %v; want %v", sess.LastSeen, err, clock.Now())
			}
		})
		t.Run("absolute", func(t *testing.T) {
			tok := login()
			end := clock.Now().Add(p.SessionMax)
			for clock.Now().Add(p.SessionIdle / 2).Before(end) {
				clock.Advance(p.SessionIdle / 2)
				if _, err := auth.Session(ctx, tok); err != nil {
					t.Fatalf("in use at %v: %v", clock.Now(), err)
				}
			}
			clock.Set(end)
			if _, err := auth.Session(ctx, tok); !errors.Is(err, ErrSessionExpired) {
				t.Fatalf("at SessionMax: got %v, want ErrSessionExpired", err)
			}
		})
		t.Run("malformed or unknown", func(t *testing.T) {
			for _, tok := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("A", 10000)} {
				if _, err := auth.Session(ctx, tok); !errors.Is(err, ErrSessionExpired) {
					t.Errorf("Session(%.10q): got %v, want ErrSessionExpired", tok, err)
				}
			}
		})
		t.Run("DeleteExpiredSessions", func(t *testing.T) {
			if _, err := auth.DeleteExpiredSessions(ctx); err != nil {
				t.Fatal(err)
			}
			idle := login()
			clock.Advance(p.SessionIdle / 2)
			live := login()
			clock.Advance(p.SessionIdle / 2)
			n, err := auth.DeleteExpiredSessions(ctx)
			if err != nil || n != 1 {
				t.Fatalf("DeleteExpiredSessions: got %d, %v; want 1", n, err)
			}
			if _, err := auth.Session(ctx, idle); !errors.Is(err, ErrSessionExpired) {
				t.Errorf("deleted session: got %v, want ErrSessionExpired", err)
			}
			if _, err := auth.Session(ctx, live); err != nil {
				t.Errorf("live session: %v", err)
			}
		})
	})
}

func TestLogout(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		auth, ha := loginFixture(t, s)
		a, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword))
		if err != nil {
			t.Fatal(err)
		}
		b, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword))
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.Logout(ctx, a.Token); err != nil {
			t.Fatalf("Logout: %v", err)
		}
		if _, err := auth.Session(ctx, a.Token); !errors.Is(err, ErrSessionExpired) {
			t.Errorf("after Logout: got %v, want ErrSessionExpired", err)
		}
		if _, err := auth.Session(ctx, b.Token); err != nil {
			t.Errorf("the other session after Logout: %v", err)
		}
		for _, tok := range []string{a.Token, "", "garbage"} {
			if err := auth.Logout(ctx, tok); err != nil {
				t.Errorf("Logout of no session: %v", err)
			}
		}
		if acts := auditActions(t, s, ha.ID); !slices.Equal(acts, []string{ActionCreateAccount, ActionLogin, ActionLogin, ActionLogout}) {
			t.Errorf("audit: got %v", acts)
		}
		assertAuditClean(t, s, a.Token, a.CSRF, hashSecret(a.Token))
	})
}

func TestCheckCSRF(t *testing.T) {
	sess := &Session{CSRF: "c2VjcmV0LXRva2VuLWZvci1mb3Jtcy1vZi10aGlzLXNlc3Npb24"}
	tests := []struct {
		name  string
		sess  *Session
		given string
		ok    bool
	}{
		{"same", sess, sess.CSRF, true},
		{"empty", sess, "", false},
		{"other", sess, strings.ToUpper(sess.CSRF), false},
		{"prefix", sess, sess.CSRF[:10], false},
		{"longer", sess, sess.CSRF + "x", false},
		{"session without token", &Session{}, "", false},
		{"no session", nil, sess.CSRF, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCSRF(tt.sess, tt.given)
			if tt.ok && err != nil {
				t.Errorf("CheckCSRF: got %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrBadCSRF) {
				t.Errorf("CheckCSRF: got %v, want ErrBadCSRF", err)
			}
		})
	}
}

func TestSetPasswordEndsSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		auth, ha := loginFixture(t, s)
		sess, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword))
		if err != nil {
			t.Fatal(err)
		}
		for range DefaultPolicy.MaxFailures {
			_, _ = auth.Login(ctx, "ha.nguyen", []byte("mật khẩu sai rồi"))
		}
		if _, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword)); !errors.Is(err, ErrLockedOut) {
			t.Fatalf("before SetPassword: got %v, want ErrLockedOut", err)
		}
		const newPassword = "một mật khẩu mới hơn"
		h, err := auth.HashPassword(ctx, []byte(newPassword))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, ha.ID, h, testActor); err != nil {
			t.Fatalf("SetPassword: %v", err)
		}
		if _, err := auth.Session(ctx, sess.Token); !errors.Is(err, ErrSessionExpired) {
			t.Errorf("session after SetPassword: got %v, want ErrSessionExpired", err)
		}
		if _, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword)); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("old password: got %v, want ErrBadCredentials", err)
		}
		if _, err := auth.Login(ctx, "ha.nguyen", []byte(norm.NFD.String(newPassword))); err != nil {
			t.Errorf("new password, right after a lock-out: %v", err)
		}
		assertAuditClean(t, s, testPassword, newPassword, h)
	})
}

func TestDisabledAccount(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		auth, ha := loginFixture(t, s)
		sess, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword))
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := s.CreateAPIToken(ctx, ha.ID, "SMIS", []Scope{ScopeImport}, time.Time{}, rand.Reader, testActor)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetDisabled(ctx, ha.ID, true, testActor); err != nil {
			t.Fatalf("SetDisabled: %v", err)
		}
		if _, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword)); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Login: got %v, want ErrBadCredentials", err)
		}
		if _, err := auth.Session(ctx, sess.Token); !errors.Is(err, ErrSessionExpired) {
			t.Errorf("Session: got %v, want ErrSessionExpired", err)
		}
		if _, _, err := s.AuthenticateAPIToken(ctx, secret); !errors.Is(err, ErrTokenRevoked) {
			t.Errorf("AuthenticateAPIToken: got %v, want ErrTokenRevoked", err)
		}
		if _, _, err := s.CreateAPIToken(ctx, ha.ID, "SMIS", []Scope{ScopeImport}, time.Time{}, rand.Reader, testActor); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateAPIToken: got %v, want ErrInvalid", err)
		}
		if err := s.SetDisabled(ctx, ha.ID, false, testActor); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.Login(ctx, "ha.nguyen", []byte(testPassword)); err != nil {
			t.Errorf("Login after enabling: %v", err)
		}
		if _, _, err := s.AuthenticateAPIToken(ctx, secret); err != nil {
			t.Errorf("AuthenticateAPIToken after enabling: %v", err)
		}
	})
}

func TestAuthHashPassword(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		auth := newTestAuth(s)
		if _, err := auth.HashPassword(ctx, []byte("short")); !errors.Is(err, ErrInvalid) {
			t.Errorf("short password: got %v, want ErrInvalid", err)
		}
		h, err := auth.HashPassword(ctx, []byte(testPassword))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := CheckPassword(h, []byte(testPassword)); !ok || err != nil {
			t.Errorf("CheckPassword: got %v, %v", ok, err)
		}
		// With every hashing slot taken, a caller waits until its context
		// ends.
		for range cap(auth.sem) {
			auth.sem <- struct{}{}
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := auth.HashPassword(short, []byte(testPassword)); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("all slots taken: got %v, want context.DeadlineExceeded", err)
		}
		if _, err := auth.Login(short, "nobody", []byte(testPassword)); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Login with all slots taken: got %v, want context.DeadlineExceeded", err)
		}
		<-auth.sem
		if _, err := auth.HashPassword(ctx, []byte(testPassword)); err != nil {
			t.Errorf("one slot free: %v", err)
		}
		if cap(auth.sem) != 2 {
			t.Errorf("hashing slots: %d, want 2", cap(auth.sem))
		}
		var zero Auth
		if _, err := zero.HashPassword(ctx, []byte(testPassword)); err == nil {
			t.Errorf("Auth not made by NewAuth: got nil error")
		}
	})
}

func TestNewAuthDefaults(t *testing.T) {
	a := NewAuth(nil, Policy{MaxFailures: 3}, PasswordParams{}, rand.Reader)
	want := DefaultPolicy
	want.MaxFailures = 3
	if a.Policy != want || a.Params != DefaultPasswordParams {
		t.Errorf("NewAuth: got %+v, %+v; want %+v, %+v", a.Policy, a.Params, want, DefaultPasswordParams)
	}
	if err := checkPasswordHash(a.dummy); err != nil {
		t.Errorf("dummy hash: %v", err)
	}
}

func TestParseScopes(t *testing.T) {
	tests := []struct {
		in   string
		want []Scope
		err  error
	}{
		{"import", []Scope{ScopeImport}, nil},
		{"import,read", []Scope{ScopeImport, ScopeRead}, nil},
		{" read  import ", []Scope{ScopeRead, ScopeImport}, nil},
		{"read, read,import", []Scope{ScopeRead, ScopeImport}, nil},
		{"", nil, ErrInvalid},
		{" , ", nil, ErrInvalid},
		{"admin", nil, ErrInvalid},
		{"import,Read", nil, ErrInvalid},
	}
	for _, tt := range tests {
		got, err := ParseScopes(tt.in)
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) || !slices.Equal(got, tt.want) {
			t.Errorf("ParseScopes(%q): got %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestAPITokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		seedOrgs(t, s)
		admin := newAccount(t, s, "it.chuyenbt", "Lý Minh Khoa", testSchool, RoleSchoolAdmin)
		expires := clock.Now().Add(30 * 24 * time.Hour)
		secret, tok, err := s.CreateAPIToken(ctx, admin.ID, "SMIS push", []Scope{ScopeImport}, expires, rand.Reader, testActor)
		if err != nil {
			t.Fatalf("CreateAPIToken: %v", err)
		}
		if !strings.HasPrefix(secret, "kyso_"+tok.ID+"_") || len(secret) != len("kyso_")+16+1+43 {
			t.Errorf("secret %q: want kyso_%s_ and 43 characters", secret, tok.ID)
		}
		if tok.AccountID != admin.ID || tok.Name != "SMIS push" || !slices.Equal(tok.Scopes, []Scope{ScopeImport}) ||
			!tok.CreatedAt.Equal(clock.Now()) || !tok.ExpiresAt.Equal(expires) || !tok.RevokedAt.IsZero() || !tok.LastUsed.IsZero() {
			t.Errorf("token: got %+v", tok)
		}
		if !tok.Allows(ScopeImport) || tok.Allows(ScopeRead) {
			t.Errorf("Allows: import %v, read %v; want true, false", tok.Allows(ScopeImport), tok.Allows(ScopeRead))
		}

		got, acct, err := s.AuthenticateAPIToken(ctx, secret)
		if err != nil {
			t.Fatalf("AuthenticateAPIToken: %v", err)
		}
		if got.ID != tok.ID || acct.ID != admin.ID || !got.LastUsed.Equal(clock.Now()) || !got.Allows(ScopeImport) {
			t.Errorf("AuthenticateAPIToken: got %+v, %s", got, acct.ID)
		}
		// Use is recorded at most once a minute.
		first := clock.Now()
		clock.Advance(30 * time.Second)
		if _, _, err := s.AuthenticateAPIToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if list, err := s.APITokens(ctx, admin.ID); err != nil || len(list) != 1 || !list[0].LastUsed.Equal(first) {
			t.Errorf("LastUsed after 30 s: got %+v, %v; want %v", list, err, first)
		}
		clock.Advance(30 * time.Second)
		if _, _, err := s.AuthenticateAPIToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if list, err := s.APITokens(ctx, admin.ID); err != nil || len(list) != 1 || !list[0].LastUsed.Equal(clock.Now()) {
			t.Errorf("LastUsed after a minute: got %+v, %v; want %v", list, err, clock.Now())
		}

		other := []byte(secret)
		other[len(other)-1] ^= 1
		for name, bad := range map[string]string{
			"other secret, same ID": string(other),
			"unknown ID":            "kyso_0123456789abcdef_" + secret[len(secret)-43:],
			"no prefix":             strings.TrimPrefix(secret, "kyso_"),
			"truncated":             secret[:len(secret)-1],
			"empty":                 "",
			"session token":         strings.Repeat("A", 43),
		} {
			if _, _, err := s.AuthenticateAPIToken(ctx, bad); !errors.Is(err, ErrBadCredentials) {
				t.Errorf("%s: got %v, want ErrBadCredentials", name, err)
			}
		}
		if up := strings.ToUpper(tok.ID); up != tok.ID {
			if _, _, err := s.AuthenticateAPIToken(ctx, "kyso_"+up+secret[len("kyso_")+16:]); !errors.Is(err, ErrBadCredentials) {
				t.Errorf("upper-case ID: got %v, want ErrBadCredentials", err)
			}
		}

		// Expiry.
		clock.Set(expires)
		if _, _, err := s.AuthenticateAPIToken(ctx, secret); !errors.Is(err, ErrTokenRevoked) {
			t.Errorf("expired: got %v, want ErrTokenRevoked", err)
		}
		clock.Set(testStart.Add(time.Hour))

		// Revocation.
		both, tok2, err := s.CreateAPIToken(ctx, admin.ID, "Đọc tiến độ", []Scope{ScopeRead, ScopeImport, ScopeRead}, time.Time{}, rand.Reader, testActor)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tok2.Scopes, []Scope{ScopeRead, ScopeImport}) || !tok2.ExpiresAt.IsZero() {
			t.Errorf("second token: got %+v", tok2)
		}
		clock.Advance(10 * 365 * 24 * time.Hour)
		if _, _, err := s.AuthenticateAPIToken(ctx, both); err != nil {
			t.Errorf("token without expiry, ten years on: %v", err)
		}
		if err := s.RevokeAPIToken(ctx, tok2.ID, testActor); err != nil {
			t.Fatalf("RevokeAPIToken: %v", err)
		}
		if _, _, err := s.AuthenticateAPIToken(ctx, both); !errors.Is(err, ErrTokenRevoked) {
			t.Errorf("revoked: got %v, want ErrTokenRevoked", err)
		}
		if err := s.RevokeAPIToken(ctx, tok2.ID, testActor); err != nil {
			t.Errorf("RevokeAPIToken again: %v", err)
		}
		if err := s.RevokeAPIToken(ctx, "0123456789abcdef", testActor); !errors.Is(err, ErrNotFound) {
			t.Errorf("RevokeAPIToken of an unknown token: got %v, want ErrNotFound", err)
		}
		list, err := s.APITokens(ctx, admin.ID)
		if err != nil || len(list) != 2 || list[0].ID != tok.ID || list[1].ID != tok2.ID || !list[1].RevokedAt.Equal(clock.Now()) || !list[0].RevokedAt.IsZero() {
			t.Errorf("APITokens: got %+v, %v", list, err)
		}
		if acts := auditActions(t, s, tok2.ID); !slices.Equal(acts, []string{ActionCreateToken, ActionRevokeToken}) {
			t.Errorf("audit of token: got %v, want create_token, revoke_token", acts)
		}
		assertAuditClean(t, s, secret, both, hashSecret(secret), secret[len(secret)-43:], "Lý Minh Khoa")

		// Refusals.
		for _, tc := range []struct {
			name    string
			account string
			tname   string
			scopes  []Scope
			expires time.Time
			want    error
		}{
			{"no name", admin.ID, " ", []Scope{ScopeRead}, time.Time{}, ErrInvalid},
			{"no scopes", admin.ID, "x", nil, time.Time{}, ErrInvalid},
			{"unknown scope", admin.ID, "x", []Scope{"admin"}, time.Time{}, ErrInvalid},
			{"expired already", admin.ID, "x", []Scope{ScopeRead}, clock.Now(), ErrInvalid},
			{"unknown account", "0123456789abcdef", "x", []Scope{ScopeRead}, time.Time{}, ErrNotFound},
		} {
			if _, _, err := s.CreateAPIToken(ctx, tc.account, tc.tname, tc.scopes, tc.expires, rand.Reader, testActor); !errors.Is(err, tc.want) {
				t.Errorf("CreateAPIToken, %s: got %v, want %v", tc.name, err, tc.want)
			}
		}
	})
}
