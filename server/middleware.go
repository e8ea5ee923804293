package server

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"path"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/internal/reqid"
)

// securityHeaders sets headers for a site that serves only its own static
// assets and no third-party content.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if c.Request.URL.Path != "/" && c.Request.Method == http.MethodGet && path.Dir(c.Request.URL.Path) != "/static" {
			// Credential status can change (revocation): never cache it.
			h.Set("Cache-Control", "no-store")
		}
		c.Next()
	}
}

// RequestIDHeader is the header a request ID is read from and answered in.
const RequestIDHeader = "X-Request-ID"

// RequestIDKey is the key of the request ID in gin's context
// (c.GetString(RequestIDKey)); reqid.From(c.Request.Context()) returns the
// same ID.
const RequestIDKey = "request_id"

// requestID gives every request an ID: the client's X-Request-ID when it is
// reqid.Valid (a proxy's, so its logs and ours can be joined; it is only a
// correlation key, so any client's is taken), else a new random one. The ID
// is answered in X-Request-ID and stored in the request's context and in
// gin's, for the log lines of the request.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !reqid.Valid(id) {
			id = reqid.New(rand.Reader)
		}
		c.Header(RequestIDHeader, id)
		c.Request = c.Request.WithContext(reqid.With(c.Request.Context(), id))
		c.Set(RequestIDKey, id)
		c.Next()
	}
}

// accessLog logs one line per request with its request ID. Paths are logged
// without query strings (a query may hold a name); the client's address is
// not logged; credential IDs in paths are identifiers, not personal data.
func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		s.cfg.Logger.Info("http request",
			"request_id", reqid.From(c.Request.Context()),
			"method", c.Request.Method,
			"path", c.Request.URL.Path,
			"status", c.Writer.Status(),
			"bytes", c.Writer.Size(),
			"duration_ms", time.Since(start).Milliseconds())
	}
}

// recoverer turns a panic in a handler into a 500 through renderError, and
// logs the panic with the request ID and the stack.
func (s *Server) recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				s.cfg.Logger.Error("panic in handler",
					"request_id", reqid.From(c.Request.Context()),
					"method", c.Request.Method,
					"path", c.Request.URL.Path,
					"panic", fmt.Sprint(v),
					"stack", string(debug.Stack()))
				s.renderError(c, fmt.Errorf("panic: %v", v))
			}
		}()
		c.Next()
	}
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	default:
		return "application/octet-stream"
	}
}
