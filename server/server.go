// Package server is kyso's public HTTP service: the verification page a QR
// code on a diploma points to, the JSON API, and PDF upload verification.
//
// Handlers are thin: they parse the request, call the registry or the
// verifier, and hand the outcome to one renderer. Errors are turned into a
// status code and a safe public message in one place (renderError); the cause
// is logged, never shown.
package server

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/internal/spool"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/translog"
	"github.com/kyso-vn/kyso/verify"
)

// verifyTimeLimit bounds the verification of one upload.
const verifyTimeLimit = 20 * time.Second

// DefaultMaxUpload is the largest PDF accepted by the verification endpoints.
// Uploads are spooled to an unlinked temporary file and mapped (package
// internal/spool), so an upload of this size costs disk and page cache, not
// heap.
const DefaultMaxUpload = 128 << 20

// Credentials is what the server needs from the registry.
type Credentials interface {
	Get(ctx context.Context, id registry.ID) (*registry.Credential, error)
	Ping(ctx context.Context) error
}

// Verifier validates an uploaded PDF. The server does not choose trust roots:
// the Verifier it is given has them.
type Verifier func(ctx context.Context, data []byte) (*verify.Report, error)

// Config wires the server. Every field except MaxUpload is required.
type Config struct {
	Credentials Credentials
	Verify      Verifier
	Logger      *slog.Logger
	// BaseURL is the public address the verification links are built on,
	// e.g. https://xacthuc.example.edu.vn.
	BaseURL   string
	MaxUpload int64
	// MaxVerifications bounds the uploads read and verified at once (each
	// holds up to MaxUpload bytes); 0 means 2 × GOMAXPROCS. A request that
	// waits more than verifyQueueWait for a slot gets 503.
	MaxVerifications int
	// PageLimit and UploadLimit are the per-client rate limits of the
	// public pages and API lookups, and of uploads; nil means
	// DefaultPageLimit / DefaultUploadLimit, a zero Rate means no limit.
	PageLimit, UploadLimit *RateLimit
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; none by default, so the client is the TCP peer.
	TrustedProxies []string
	// Now is the clock for rate limiting; nil means time.Now.
	Now func() time.Time
	// Log is the registry's transparency log, served read-only under
	// /api/v1/log/ (checkpoint, proofs, entries; see translog.Handler).
	// Nil means the site has no log: those routes answer 404.
	Log *translog.Log
	// Staff, when set, is the staff signing service (package staffweb),
	// served under /staff/ by the same engine: it gets the request IDs,
	// the access log, the metrics and the recovery of the public site, and
	// sets its own security headers and sessions.
	Staff http.Handler
}

// verifyQueueWait is how long an upload waits for a verification slot.
const verifyQueueWait = 5 * time.Second

//go:embed templates/*.html static/* api/openapi.json
var assets embed.FS

// Server is the HTTP handler.
type Server struct {
	cfg   Config
	pages *template.Template
	gin   *gin.Engine
	slots chan struct{} // verification slots
	m     *metrics
	// logAPI serves the transparency log under logPrefix, or is nil.
	logAPI http.Handler
}

// logPrefix is where the transparency log's API is mounted.
const logPrefix = "/api/v1/log"

// New builds the router.
func New(cfg Config) (*Server, error) {
	if cfg.Credentials == nil || cfg.Verify == nil || cfg.Logger == nil {
		return nil, errors.New("server: Credentials, Verify and Logger are required")
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	pages, err := template.New("").Funcs(templateFuncs).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	if cfg.MaxVerifications <= 0 {
		cfg.MaxVerifications = 2 * runtime.GOMAXPROCS(0)
	}
	if cfg.PageLimit == nil {
		cfg.PageLimit = &DefaultPageLimit
	}
	if cfg.UploadLimit == nil {
		cfg.UploadLimit = &DefaultUploadLimit
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, pages: pages, slots: make(chan struct{}, cfg.MaxVerifications)}
	s.m = newMetrics(s)
	if cfg.Log != nil {
		s.logAPI = http.StripPrefix(logPrefix, translog.Handler(cfg.Log, cfg.Logger))
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("server: trusted proxies: %w", err)
	}
	pageLimit := s.rateLimited(newLimiter(*cfg.PageLimit, cfg.Now))
	uploadLimit := s.rateLimited(newLimiter(*cfg.UploadLimit, cfg.Now))
	r.Use(requestID(), s.recoverer(), s.accessLog(), s.m.instrument(), securityHeaders())
	r.GET("/", s.home)
	r.GET("/v/:id", pageLimit, s.credentialPage)
	r.POST("/verify", uploadLimit, s.verifyPage)
	r.GET("/api/v1/credentials/:id", pageLimit, s.credentialJSON)
	r.POST("/api/v1/verify", uploadLimit, s.verifyJSON)
	for _, p := range []string{"/checkpoint", "/proof/inclusion", "/proof/consistency", "/entries/:index"} {
		r.GET(logPrefix+p, pageLimit, s.transparencyLog)
	}
	if cfg.Staff != nil {
		staff := gin.WrapH(cfg.Staff)
		r.Any("/staff/*path", staff)
		r.GET("/staff", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/staff/") })
	}
	r.GET("/healthz", s.healthz)
	r.GET("/api/openapi.json", s.openAPI)
	r.GET("/metrics", s.m.handler())
	r.GET("/static/*path", s.static)
	r.NoRoute(func(c *gin.Context) { s.renderError(c, errNoRoute) })
	r.NoMethod(func(c *gin.Context) { s.renderError(c, errNoRoute) })
	r.HandleMethodNotAllowed = true
	s.gin = r
	return s, nil
}

// transparencyLog hands a request under logPrefix to the log's own
// handler, which answers in its JSON error format; without a log the
// routes do not exist.
func (s *Server) transparencyLog(c *gin.Context) {
	if s.logAPI == nil {
		s.renderError(c, errNoRoute)
		return
	}
	s.logAPI.ServeHTTP(c.Writer, c.Request)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.gin.ServeHTTP(w, r) }

// HTTPServer returns an http.Server for addr with conservative timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

func (s *Server) healthz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Credentials.Ping(ctx); err != nil {
		s.cfg.Logger.Error("health check failed", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "registry": "down"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) openAPI(c *gin.Context) {
	data, err := assets.ReadFile("api/openapi.json")
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", data)
}

func (s *Server) static(c *gin.Context) {
	data, err := assets.ReadFile("static" + c.Param("path"))
	if err != nil {
		s.renderError(c, errNoRoute)
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, contentType(c.Param("path")), data)
}

// readUpload reads the PDF from a multipart field "file" or from a raw
// application/pdf body, refusing anything over the size limit. The bytes are
// spooled to an unlinked temporary file and mapped read-only; release unmaps
// them.
func (s *Server) readUpload(c *gin.Context) (data []byte, release func(), err error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxUpload+1<<20)
	var r io.Reader
	switch ct := c.ContentType(); ct {
	case "application/pdf", "application/octet-stream":
		r = c.Request.Body
	case "multipart/form-data":
		fh, err := c.FormFile("file")
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, nil, errTooLarge
			}
			return nil, nil, errMissingFile
		}
		if fh.Size > s.cfg.MaxUpload {
			return nil, nil, errTooLarge
		}
		f, err := fh.Open()
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		r = f
	default:
		return nil, nil, errUnsupportedMedia
	}
	data, release, err = spool.Map(r, s.cfg.MaxUpload, "")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.Is(err, spool.ErrTooLarge) || errors.As(err, &mbe) {
			return nil, nil, errTooLarge
		}
		return nil, nil, errBadUpload
	}
	switch {
	case len(data) == 0:
		release()
		return nil, nil, errMissingFile
	case len(data) < 5 || string(data[:5]) != "%PDF-":
		release()
		return nil, nil, errNotPDF
	}
	return data, release, nil
}

func (s *Server) verifyUpload(c *gin.Context) (*verify.Report, error) {
	// Take a slot before reading the body, so that the spooled uploads are
	// bounded by MaxVerifications × MaxUpload of disk.
	t := time.NewTimer(verifyQueueWait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-t.C:
		return nil, errBusy
	case <-c.Request.Context().Done():
		return nil, c.Request.Context().Err()
	}
	data, release, err := s.readUpload(c)
	if err != nil {
		return nil, err
	}
	// The report holds copies only; the mapping goes when this returns.
	defer release()
	// A time limit per document: the verifier stops between signatures
	// when it passes (INDETERMINATE / TRY_LATER).
	ctx, cancel := context.WithTimeout(c.Request.Context(), verifyTimeLimit)
	defer cancel()
	rep, err := s.cfg.Verify(ctx, data)
	if err == nil {
		s.m.verdict(rep)
	}
	return rep, err
}

func (s *Server) verifyJSON(c *gin.Context) {
	rep, err := s.verifyUpload(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (s *Server) verifyPage(c *gin.Context) {
	rep, err := s.verifyUpload(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.html(c, http.StatusOK, "report.html", reportView(rep, langOf(c)))
}

func (s *Server) home(c *gin.Context) {
	s.html(c, http.StatusOK, "home.html", pageData{Lang: langOf(c), MaxUploadMB: s.cfg.MaxUpload >> 20})
}

func (s *Server) lookup(c *gin.Context) (*registry.Credential, error) {
	id, err := registry.ParseID(c.Param("id"))
	if err != nil {
		return nil, errMalformedID
	}
	return s.cfg.Credentials.Get(c.Request.Context(), id)
}

func (s *Server) credentialPage(c *gin.Context) {
	cred, err := s.lookup(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.html(c, http.StatusOK, "credential.html", credentialView(cred, langOf(c)))
}

func (s *Server) credentialJSON(c *gin.Context) {
	cred, err := s.lookup(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, publicCredential(cred, s.cfg.BaseURL))
}

func (s *Server) html(c *gin.Context, status int, name string, data any) {
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := s.pages.ExecuteTemplate(c.Writer, name, data); err != nil {
		s.cfg.Logger.Error("render page", "page", name, "err", err)
	}
}
