package staffweb

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/workflow"
)

// Cookies. All are HttpOnly and scoped to /staff.
const (
	// sessionCookie holds the session token.
	sessionCookie = "kyso_session"
	// loginCookie holds the login form's token (double submit): a login
	// posted from another site has no such cookie (SameSite=Strict).
	loginCookie = "kyso_login"
	// langCookie remembers the language chosen with ?lang=.
	langCookie = "kyso_lang"
	cookiePath = "/staff"
)

// gin context keys.
const (
	ctxLang       = "staffweb.lang"
	ctxSession    = "staffweb.session"
	ctxOrg        = "staffweb.org"
	ctxSecretForm = "staffweb.secret_form"
	ctxAPIAccount = "staffweb.api_account"
	ctxAPIToken   = "staffweb.api_token"
)

// language picks the page language: ?lang=vi|en, remembered in a cookie
// for a year, else the cookie, else Vietnamese.
func (h *Handler) language(c *gin.Context) {
	lang := "vi"
	if q := c.Query("lang"); q == "vi" || q == "en" {
		lang = q
		http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: q, Path: cookiePath, MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: h.cfg.CookieSecure, SameSite: http.SameSiteLaxMode})
	} else if v, err := c.Cookie(langCookie); err == nil && v == "en" {
		lang = "en"
	}
	c.Set(ctxLang, lang)
	c.Next()
}

func langOf(c *gin.Context) string {
	if l := c.GetString(ctxLang); l == "en" {
		return l
	}
	return "vi"
}

// sessionOf returns the request's session, or nil.
func sessionOf(c *gin.Context) *workflow.Session {
	if v, ok := c.Get(ctxSession); ok {
		return v.(*workflow.Session)
	}
	return nil
}

func orgOf(c *gin.Context) *workflow.Org {
	if v, ok := c.Get(ctxOrg); ok {
		return v.(*workflow.Org)
	}
	return nil
}

// requireSession loads the session of the cookie. Without a live session
// a GET goes to the login page, which comes back here after; anything else
// is answered 401.
func (h *Handler) requireSession(c *gin.Context) {
	token, _ := c.Cookie(sessionCookie)
	sess, err := h.cfg.Auth.Session(c.Request.Context(), token)
	if errors.Is(err, workflow.ErrSessionExpired) {
		if token != "" {
			h.clearCookie(c, sessionCookie)
		}
		// Logging out of an ended session is done already: go to the
		// login page rather than show an error.
		if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead || c.FullPath() == "/staff/logout" {
			q := url.Values{"next": {c.Request.URL.RequestURI()}}
			if token != "" {
				q.Set("expired", "1")
			}
			c.Redirect(http.StatusSeeOther, "/staff/login?"+q.Encode())
			c.Abort()
			return
		}
		h.fail(c, workflow.ErrSessionExpired)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	org, err := h.store.Org(c.Request.Context(), sess.Account.OrgID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Set(ctxSession, sess)
	c.Set(ctxOrg, org)
	c.Next()
}

// formKind is how a POST's body is read.
type formKind int

const (
	// formPlain: an urlencoded form of at most maxPlainForm bytes.
	formPlain formKind = iota
	// formMultipart: a multipart form with files, of at most the limit
	// (plus multipartSlack for the other fields).
	formMultipart
	// formSecret: an urlencoded form with a PIN, read by parseSecretForm.
	formSecret
	// formPassword: an urlencoded form with a new password typed twice
	// (fields password and password2), read by parseSecretForm.
	formPassword
)

// multipartSlack is what a multipart form may hold beyond its files'
// limit: the other fields and the part headers.
const multipartSlack = 64 << 10

// multipartMemory is how much of a multipart form is held in memory; the
// rest goes to temporary files until the handler reads it.
const multipartMemory = 8 << 20

// form reads a POST's body and checks its CSRF token against the
// session's. It runs before every handler of a POST in a session.
func (h *Handler) form(kind formKind, limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		sess := sessionOf(c)
		var given string
		switch kind {
		case formPlain:
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxPlainForm)
			if err := c.Request.ParseForm(); err != nil {
				h.fail(c, bodyError(err, maxPlainForm))
				return
			}
			given = c.Request.PostForm.Get("csrf")
		case formMultipart:
			if c.Request.ContentLength > limit+multipartSlack {
				h.fail(c, &tooLargeError{limit})
				return
			}
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+multipartSlack)
			if err := c.Request.ParseMultipartForm(multipartMemory); err != nil {
				h.fail(c, bodyError(err, limit))
				return
			}
			defer c.Request.MultipartForm.RemoveAll()
			if v := c.Request.MultipartForm.Value["csrf"]; len(v) > 0 {
				given = v[0]
			}
		case formSecret, formPassword:
			keys := []string{"pin"}
			if kind == formPassword {
				keys = []string{"password", "password2"}
			}
			f, err := h.readSecretForm(c, keys...)
			if err != nil {
				h.fail(c, err)
				return
			}
			defer f.wipe()
			c.Set(ctxSecretForm, f)
			given = f.values.Get("csrf")
		}
		if err := workflow.CheckCSRF(sess, given); err != nil {
			h.fail(c, err)
			return
		}
		c.Next()
	}
}

// readSecretForm reads an urlencoded body holding the secret fields
// secretKeys, zeroing the body once parsed.
func (h *Handler) readSecretForm(c *gin.Context, secretKeys ...string) (*secretForm, error) {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil, errBadForm
	}
	body, tooLarge, err := readBody(c.Request.Body, c.Request.ContentLength, maxPlainForm)
	if tooLarge {
		return nil, &tooLargeError{maxPlainForm}
	}
	if err != nil {
		return nil, errBadForm
	}
	defer clear(body)
	return parseSecretForm(body, secretKeys...)
}

// bodyError names why a form could not be read.
func bodyError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &tooLargeError{limit}
	}
	return errBadForm
}

func (h *Handler) clearCookie(c *gin.Context, name string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: cookiePath, MaxAge: -1,
		HttpOnly: true, Secure: h.cfg.CookieSecure, SameSite: http.SameSiteStrictMode})
}

// loginToken is the login form's token: the cookie's when it is well
// formed, else a new one set in the cookie.
func (h *Handler) loginToken(c *gin.Context) (string, error) {
	if v, err := c.Cookie(loginCookie); err == nil && validLoginToken(v) {
		return v, nil
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(h.cfg.Auth.Rand, b); err != nil {
		return "", err
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(c.Writer, &http.Cookie{Name: loginCookie, Value: v, Path: cookiePath, MaxAge: 3600,
		HttpOnly: true, Secure: h.cfg.CookieSecure, SameSite: http.SameSiteStrictMode})
	return v, nil
}

func validLoginToken(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

// safeNext returns next when it is a page of this site under /staff/
// (a relative path: no scheme, no host, no "//" or backslash trick), else
// the queue.
func safeNext(next string) string {
	const home = "/staff/queue"
	if next == "" || len(next) > 2000 || !strings.HasPrefix(next, "/staff/") || strings.ContainsAny(next, "\\\r\n\t") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/staff/") {
		return home
	}
	for _, p := range []string{"/staff/login", "/staff/logout", "/staff/api/", "/staff/static/"} {
		if strings.HasPrefix(u.Path, p) {
			return home
		}
	}
	if strings.Contains(u.Path, "/../") || strings.HasSuffix(u.Path, "/..") {
		return home
	}
	return u.RequestURI()
}

// loginView is the login page.
type loginView struct {
	page
	Username string
	Next     string
	Expired  bool
}

// loginPage shows the login form, or sends a signed-in person on.
func (h *Handler) loginPage(c *gin.Context) {
	next := safeNext(c.Query("next"))
	if token, err := c.Cookie(sessionCookie); err == nil {
		if _, err := h.cfg.Auth.Session(c.Request.Context(), token); err == nil {
			c.Redirect(http.StatusSeeOther, next)
			return
		}
	}
	h.renderLogin(c, http.StatusOK, nil, "", next, c.Query("expired") == "1")
}

func (h *Handler) renderLogin(c *gin.Context, status int, err error, username, next string, expired bool) {
	token, terr := h.loginToken(c)
	if terr != nil {
		h.fail(c, terr)
		return
	}
	v := loginView{page: h.newPage(c, "login.title", "login"), Username: username, Next: next, Expired: expired}
	v.CSRF = token
	if err != nil {
		v.Error = h.errorView(c, err)
	}
	h.render(c, status, "login.html", v)
}

// login checks the form and opens a session.
func (h *Handler) login(c *gin.Context) {
	client := clientKey(c.ClientIP())
	if !h.logins.allow(client) {
		h.log(c).Warn("login rate limited")
		c.Header("Retry-After", "60")
		h.renderLogin(c, http.StatusTooManyRequests, errRateLimited, "", "/staff/queue", false)
		return
	}
	f, err := h.readSecretForm(c, "password")
	if err != nil {
		pe := classify(err)
		h.renderLogin(c, pe.Status, err, "", "/staff/queue", false)
		return
	}
	defer f.wipe()
	username, next := strings.TrimSpace(f.values.Get("username")), safeNext(f.values.Get("next"))
	cookie, cerr := c.Cookie(loginCookie)
	given := f.values.Get("csrf")
	if cerr != nil || !validLoginToken(cookie) || subtle.ConstantTimeCompare([]byte(cookie), []byte(given)) != 1 {
		h.log(c).Warn("login form token missing or wrong")
		h.renderLogin(c, http.StatusForbidden, errLoginCSRF, username, next, false)
		return
	}
	sess, err := h.cfg.Auth.Login(c.Request.Context(), username, f.secret)
	f.wipe()
	if err == nil {
		h.logins.refund(client)
	}
	if err != nil {
		// renderLogin logs the refusal's code (or a failure's cause).
		h.renderLogin(c, classify(err).Status, err, username, next, false)
		return
	}
	// A session the browser still held ends: one browser, one session.
	if old, err := c.Cookie(sessionCookie); err == nil && old != sess.Token {
		if err := h.cfg.Auth.Logout(c.Request.Context(), old); err != nil {
			h.log(c).Warn("end previous session", "err", err)
		}
	}
	// A session cookie (no Max-Age): closing the browser on a shared
	// staff-room computer ends it; the server ends it at ExpiresAt anyway.
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: cookiePath,
		HttpOnly: true, Secure: h.cfg.CookieSecure, SameSite: http.SameSiteStrictMode})
	h.clearCookie(c, loginCookie)
	h.log(c).Info("login", "account_id", sess.AccountID)
	c.Redirect(http.StatusSeeOther, next)
}

// logout ends the session.
func (h *Handler) logout(c *gin.Context) {
	token, _ := c.Cookie(sessionCookie)
	if err := h.cfg.Auth.Logout(c.Request.Context(), token); err != nil {
		h.fail(c, err)
		return
	}
	h.clearCookie(c, sessionCookie)
	h.log(c).Info("logout")
	c.Redirect(http.StatusSeeOther, "/staff/login")
}
