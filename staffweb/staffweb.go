package staffweb

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/internal/reqid"
	"github.com/kyso-vn/kyso/workflow"
)

// Defaults of Config's limits.
const (
	// DefaultLoginPerMinute is the login attempts accepted per client and
	// minute when Config.LoginPerMinute is 0.
	DefaultLoginPerMinute = 10
	// DefaultMaxUpload bounds an upload of signed documents when
	// Config.MaxUpload is 0.
	DefaultMaxUpload = 128 << 20
)

// Config wires the staff handler. Auth, Service (with its Store) and Logger
// are required; the other fields have defaults.
type Config struct {
	// Auth logs staff in and checks sessions; its Rand also makes the
	// login form's tokens and, when the handler runs on its own, request
	// IDs.
	Auth *workflow.Auth
	// Service runs imports, signing, uploads and corrections.
	Service *workflow.Service
	// Logger receives the handler's log lines (request_id, account_id).
	Logger *slog.Logger
	// CookieSecure marks the cookies Secure (sent over HTTPS only).
	CookieSecure bool
	// LoginPerMinute is the login attempts accepted per client and
	// minute; 0 means DefaultLoginPerMinute.
	LoginPerMinute int
	// MaxImport bounds a data file (import or correction); 0 means
	// workflow.DefaultMaxImport. MaxUpload bounds one upload of signed
	// documents (all files together); 0 means DefaultMaxUpload.
	MaxImport, MaxUpload int64
	// Now is the clock of the rate limit and of download names; nil means
	// time.Now.
	Now func() time.Time
	// Stopping is done when the service abandons what still runs at
	// shutdown: the context of a running batch or upload ends. (Batches
	// stop between two documents earlier, at the end of the grace period,
	// through workflow.Service.Stopping.) Nil means never.
	Stopping context.Context
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client, for the login rate limit; none by default, so the client
	// is the TCP peer.
	TrustedProxies []string
}

//go:embed templates/*.html static/*
var assets embed.FS

// Handler serves /staff/. Make it with New.
type Handler struct {
	cfg    Config
	store  *workflow.Store
	pages  *template.Template
	gin    *gin.Engine
	logins *limiter
	// heavy bounds the uploads (USB-signed files, data files) read and
	// checked at once: each may hold up to MaxUpload bytes.
	heavy chan struct{}
}

// maxHeavy is how many uploads are read and checked at once.
const maxHeavy = 2

// oneHeavy waits for an upload slot, so that a burst of large uploads
// queues instead of filling the memory.
func (h *Handler) oneHeavy(c *gin.Context) {
	select {
	case h.heavy <- struct{}{}:
		defer func() { <-h.heavy }()
		c.Next()
	case <-c.Request.Context().Done():
		c.Abort()
	}
}

// New checks cfg, applies its defaults and builds the handler.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Auth == nil || cfg.Auth.Rand == nil:
		return nil, errors.New("staffweb: Auth (with its Rand) is required")
	case cfg.Service == nil || cfg.Service.Store == nil:
		return nil, errors.New("staffweb: Service (with its Store) is required")
	case cfg.Logger == nil:
		return nil, errors.New("staffweb: Logger is required")
	case cfg.LoginPerMinute < 0 || cfg.MaxImport < 0 || cfg.MaxUpload < 0:
		return nil, errors.New("staffweb: negative limit")
	}
	if cfg.LoginPerMinute == 0 {
		cfg.LoginPerMinute = DefaultLoginPerMinute
	}
	if cfg.MaxImport == 0 {
		cfg.MaxImport = workflow.DefaultMaxImport
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Stopping == nil {
		cfg.Stopping = context.Background()
	}
	pages, err := template.New("").Funcs(templateFuncs).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("staffweb: templates: %w", err)
	}
	h := &Handler{cfg: cfg, store: cfg.Service.Store, pages: pages, logins: newLimiter(cfg.LoginPerMinute, time.Minute, cfg.Now),
		heavy: make(chan struct{}, maxHeavy)}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("staffweb: trusted proxies: %w", err)
	}
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	r.Use(h.requestID, h.recoverer, h.headers, h.language)
	r.GET("/staff", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/staff/") })
	st := r.Group("/staff")
	st.GET("/static/*path", h.static)
	st.GET("/login", h.loginPage)
	st.POST("/login", h.login)

	api := st.Group("/api/v1", h.apiAuth)
	api.POST("/imports", h.apiImport)
	api.GET("/progress", h.apiProgress)

	in := st.Group("", h.requireSession)
	in.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/staff/queue") })
	in.GET("/queue", h.queuePage)
	in.GET("/documents", h.documentsPage)
	in.GET("/documents/:id", h.documentPage)
	in.GET("/documents/:id/pdf", h.documentPDF)
	in.GET("/progress", h.progressPage)
	in.GET("/imports", h.importsPage)
	in.GET("/imports/:id", h.importPage)
	in.GET("/accounts", h.accountsPage)
	in.GET("/accounts/:id", h.accountPage)
	in.GET("/tokens", h.tokensPage)
	// Every POST in a session goes through h.form, which checks the
	// session's CSRF token (TestCSRFOnEveryPost lists them all).
	in.POST("/logout", h.form(formPlain, 0), h.logout)
	in.POST("/sign", h.form(formSecret, 0), h.sign)
	in.POST("/usb/download", h.form(formPlain, 0), h.usbDownload)
	in.POST("/usb/upload", h.oneHeavy, h.form(formMultipart, cfg.MaxUpload), h.usbUpload)
	in.POST("/imports", h.oneHeavy, h.form(formMultipart, cfg.MaxImport), h.importPost)
	in.POST("/documents/:id/correct", h.oneHeavy, h.form(formMultipart, cfg.MaxImport), h.correct)
	in.POST("/accounts", h.form(formPassword, 0), h.createAccount)
	in.POST("/accounts/:id/assign", h.form(formPlain, 0), h.assign)
	in.POST("/accounts/:id/unassign", h.form(formPlain, 0), h.unassign)
	in.POST("/accounts/:id/key", h.form(formMultipart, maxCertUpload), h.setKey)
	in.POST("/accounts/:id/password", h.form(formPassword, 0), h.setPassword)
	in.POST("/accounts/:id/disable", h.form(formPlain, 0), h.setDisabled(true))
	in.POST("/accounts/:id/enable", h.form(formPlain, 0), h.setDisabled(false))
	in.POST("/tokens", h.form(formPlain, 0), h.createToken)
	in.POST("/tokens/:id/revoke", h.form(formPlain, 0), h.revokeToken)

	r.NoRoute(func(c *gin.Context) { h.fail(c, errNoRoute) })
	r.NoMethod(func(c *gin.Context) { h.fail(c, errNoRoute) })
	h.gin = r
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.gin.ServeHTTP(w, r) }

// requestID gives the request an ID when nothing in front of the handler
// did (the public site's middleware does): the audit log and the log lines
// carry it.
func (h *Handler) requestID(c *gin.Context) {
	if reqid.From(c.Request.Context()) == "" {
		id := c.GetHeader("X-Request-ID")
		if !reqid.Valid(id) {
			id = reqid.New(h.cfg.Auth.Rand)
		}
		c.Header("X-Request-ID", id)
		c.Request = c.Request.WithContext(reqid.With(c.Request.Context(), id))
	}
	c.Next()
}

// recoverer turns a panic into a 500 page and logs it with the stack.
func (h *Handler) recoverer(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			h.log(c).Error("panic in staff handler", "path", c.Request.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			h.fail(c, fmt.Errorf("panic: %v", v))
		}
	}()
	c.Next()
}

// contentSecurityPolicy allows the site's own scripts, styles, frames and
// objects (the PDF preview) only.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'self'; " +
	"frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"

// headers sets the security headers of every response. They replace
// those of the public site, whose frame policy would forbid the PDF
// preview.
func (h *Handler) headers(c *gin.Context) {
	hd := c.Writer.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "SAMEORIGIN")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	hd.Set("Cache-Control", "no-store")
	if h.cfg.CookieSecure {
		// Served over HTTPS (or behind a proxy that is): browsers that
		// saw it never fall back to plain HTTP, where the session cookie
		// and the PIN would travel in clear.
		hd.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// static serves the embedded CSS and script.
func (h *Handler) static(c *gin.Context) {
	name := path.Clean("/" + c.Param("path"))
	data, err := assets.ReadFile("static" + name)
	if err != nil {
		h.fail(c, errNoRoute)
		return
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, ct, data)
}

// log is the logger of a request: its request ID, and the account when
// someone is signed in.
func (h *Handler) log(c *gin.Context) *slog.Logger {
	l := h.cfg.Logger.With("request_id", reqid.From(c.Request.Context()))
	if s := sessionOf(c); s != nil {
		l = l.With("account_id", s.AccountID)
	} else if a, ok := c.Get(ctxAPIAccount); ok {
		l = l.With("account_id", a.(*workflow.Account).ID)
	}
	return l
}

// render executes a page template into a buffer and sends it, so that a
// template error gives a clean 500 rather than half a page.
func (h *Handler) render(c *gin.Context, status int, name string, data any) {
	var b bytes.Buffer
	if err := h.pages.ExecuteTemplate(&b, name, data); err != nil {
		h.cfg.Logger.Error("render page", "request_id", reqid.From(c.Request.Context()), "template", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("500 Internal Server Error"))
		c.Abort()
		return
	}
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

// isAPI reports whether a request is for the staff API.
func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/staff/api/") }

// batchContext is the context of a signing batch or an upload: it keeps
// the request's values (the request ID) but not its cancellation, so a
// batch is not cut short by a browser closed half-way, and it ends when
// the service stops.
func (h *Handler) batchContext(c *gin.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(c.Request.Context()))
	stop := context.AfterFunc(h.cfg.Stopping, cancel)
	return ctx, func() { stop(); cancel() }
}
