package staffweb

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/workflow"
	"github.com/kyso-vn/kyso/workflow/workflowtest"
)

func TestLogin(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	teacher := workflowtest.MathTeacher
	tests := []struct {
		name     string
		username string
		password string
		status   int
		code     string
	}{
		{"wrong password", teacher, "not-the-password", http.StatusUnauthorized, "bad_credentials"},
		{"unknown user", "nobody.here", workflowtest.Password, http.StatusUnauthorized, "bad_credentials"},
		{"empty", "", "", http.StatusUnauthorized, "bad_credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := f.client(t)
			c.get("/staff/login")
			r := c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {tc.username}, "password": {tc.password}})
			r.want(t, tc.status, tc.code)
			if strings.Contains(r.body, tc.password) && tc.password != "" {
				t.Error("the page echoes the password")
			}
			for _, ck := range c.http.Jar.Cookies(r.Request.URL) {
				if ck.Name == sessionCookie {
					t.Error("a session cookie after a failed login")
				}
			}
		})
	}

	t.Run("ok", func(t *testing.T) {
		c := f.client(t)
		c.get("/staff/login")
		r := c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {teacher}, "password": {workflowtest.Password}, "next": {"/staff/progress?x=1"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/staff/progress?x=1" {
			t.Fatalf("login: %d to %q, want 303 to the next page", r.StatusCode, r.Header.Get("Location"))
		}
		var sess *http.Cookie
		for _, ck := range r.Cookies() {
			if ck.Name == sessionCookie {
				sess = ck
			}
		}
		if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/staff" || sess.Secure || sess.MaxAge != 0 || !sess.Expires.IsZero() {
			t.Fatalf("session cookie %+v, want HttpOnly, SameSite=Strict, Path=/staff, not Secure, a browser-session cookie", sess)
		}
		q := c.get("/staff/queue")
		if q.StatusCode != http.StatusOK || !strings.Contains(q.body, f.env.Account(t, teacher).FullName) {
			t.Fatalf("queue after login: %d", q.StatusCode)
		}
		// Signed in, the login page moves on.
		if r := c.get("/staff/login"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("login page when signed in: %d, want 303", r.StatusCode)
		}
	})

	t.Run("locked", func(t *testing.T) {
		c := f.client(t)
		c.get("/staff/login")
		for i := 0; i < workflow.DefaultPolicy.MaxFailures; i++ {
			c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {workflowtest.Principal}, "password": {"wrong-wrong"}}).
				want(t, http.StatusUnauthorized, "bad_credentials")
		}
		r := c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {workflowtest.Principal}, "password": {workflowtest.Password}})
		r.want(t, http.StatusLocked, "locked_out")
		until := f.env.Clock.Now().Add(workflow.DefaultPolicy.LockFor).In(vietnam).Format("15:04")
		if !strings.Contains(r.body, until) {
			t.Errorf("lock-out page does not give the time %s", until)
		}
	})
}

func TestLoginSecretsNotLogged(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	c := f.client(t)
	c.get("/staff/login")
	c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {workflowtest.MathTeacher}, "password": {"sai-mat-khau-123"}})
	f.login(t, workflowtest.MathTeacher)
	logs := f.log.String()
	for _, secret := range []string{"sai-mat-khau-123", workflowtest.Password, workflowtest.MathTeacher, f.env.Account(t, workflowtest.MathTeacher).FullName} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, func(c *Config) { c.LoginPerMinute = 3 })
	c := f.client(t)
	c.get("/staff/login")
	try := func() *response {
		return c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {workflowtest.MathTeacher}, "password": {"wrong-wrong"}})
	}
	for i := 0; i < 3; i++ {
		try().want(t, http.StatusUnauthorized, "bad_credentials")
	}
	r := try()
	r.want(t, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	f.env.Clock.Advance(time.Minute)
	try().want(t, http.StatusUnauthorized, "bad_credentials")
}

func TestLoginCSRF(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	good := url.Values{"username": {workflowtest.MathTeacher}, "password": {workflowtest.Password}}
	t.Run("no cookie", func(t *testing.T) {
		c := f.client(t)
		form := url.Values{"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}
		for k, v := range good {
			form[k] = v
		}
		c.post("/staff/login", form).want(t, http.StatusForbidden, "login_csrf")
	})
	t.Run("token not the cookie's", func(t *testing.T) {
		c := f.client(t)
		c.get("/staff/login")
		form := url.Values{"csrf": {strings.Repeat("B", 43)}}
		for k, v := range good {
			form[k] = v
		}
		c.post("/staff/login", form).want(t, http.StatusForbidden, "login_csrf")
	})
	t.Run("no token", func(t *testing.T) {
		c := f.client(t)
		c.get("/staff/login")
		c.post("/staff/login", good).want(t, http.StatusForbidden, "login_csrf")
	})
}

func TestSessionExpiry(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	c := f.login(t, workflowtest.MathTeacher)
	f.env.Clock.Advance(workflow.DefaultPolicy.SessionIdle + time.Minute)
	r := c.get("/staff/progress?x=1")
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET after expiry: %d, want 303", r.StatusCode)
	}
	loc, _ := url.Parse(r.Header.Get("Location"))
	if loc.Path != "/staff/login" || loc.Query().Get("next") != "/staff/progress?x=1" || loc.Query().Get("expired") != "1" {
		t.Fatalf("GET after expiry goes to %s", loc)
	}
	login := c.get(loc.String())
	login.want(t, http.StatusOK, "session_expired")
	if !strings.Contains(login.body, `name="next" value="/staff/progress?x=1"`) {
		t.Error("the login form does not carry next")
	}
	// A POST that does something is not redirected: it is refused.
	c.post("/staff/sign", url.Values{"csrf": {c.csrf}, "id": {"x"}, "pin": {"1234"}}).want(t, http.StatusUnauthorized, "session_expired")
	// Logging out of an ended session just goes to the login page.
	if r := c.post("/staff/logout", url.Values{"csrf": {c.csrf}}); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/staff/login") {
		t.Errorf("logout of an ended session: %d %s, want 303 to the login page", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestLogout(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	c := f.login(t, workflowtest.MathTeacher)
	r := c.post("/staff/logout", url.Values{"csrf": {c.csrf}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/staff/login" {
		t.Fatalf("logout: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r = c.get("/staff/queue")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/staff/login?") {
		t.Fatalf("queue after logout: %d %s, want 303 to the login page", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestLanguage(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	c := f.client(t)
	if r := c.get("/staff/login"); !strings.Contains(r.body, `<html lang="vi">`) || !strings.Contains(r.body, "Đăng nhập") {
		t.Fatal("the default language is not Vietnamese")
	}
	if r := c.get("/staff/login?lang=en"); !strings.Contains(r.body, `<html lang="en">`) || !strings.Contains(r.body, "Log in") {
		t.Fatal("?lang=en does not give English")
	}
	if r := c.get("/staff/login"); !strings.Contains(r.body, `<html lang="en">`) {
		t.Fatal("the language is not remembered")
	}
	r := c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {workflowtest.MathTeacher}, "password": {"wrong-wrong"}})
	if !strings.Contains(r.body, tr("en", "err.bad_credentials")) {
		t.Error("the error is not in English")
	}
	if r := c.get("/staff/login?lang=vi"); !strings.Contains(r.body, `<html lang="vi">`) {
		t.Fatal("?lang=vi does not switch back")
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, nil)
	c := f.login(t, workflowtest.MathTeacher)
	for _, path := range []string{"/staff/login", "/staff/queue", "/staff/nothing", "/staff/static/staff.css", "/staff/api/v1/progress"} {
		r := c.get(path)
		h := r.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'self'", "object-src 'self'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, h)
		}
		if cc := h.Get("Cache-Control"); path != "/staff/static/staff.css" && cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, cc)
		}
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/staff/progress", "/staff/progress"},
		{"/staff/documents?kind=hocba&class=10A1", "/staff/documents?kind=hocba&class=10A1"},
		{"", "/staff/queue"},
		{"https://evil.example/staff/", "/staff/queue"},
		{"//evil.example/staff/", "/staff/queue"},
		{"/staff//evil.example", "/staff//evil.example"},
		{"/\\evil.example", "/staff/queue"},
		{"/staff/\\evil", "/staff/queue"},
		{"/staff/../admin", "/staff/queue"},
		{"/other", "/staff/queue"},
		{"/staff/login?next=/x", "/staff/queue"},
		{"/staff/logout", "/staff/queue"},
		{"/staff/api/v1/progress", "/staff/queue"},
		{"javascript:alert(1)", "/staff/queue"},
		{"/staff/%0d%0aSet-Cookie:x", "/staff/%0d%0aSet-Cookie:x"},
	}
	for _, tc := range tests {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
