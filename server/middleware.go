package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"
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

// accessLog logs one line per request with a request ID. Paths are logged
// without query strings; credential IDs are identifiers, not personal data.
func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		var b [8]byte
		_, _ = rand.Read(b[:])
		rid := hex.EncodeToString(b[:])
		c.Header("X-Request-Id", rid)
		c.Next()
		s.cfg.Logger.Info("http request",
			"request_id", rid,
			"method", c.Request.Method,
			"path", c.Request.URL.Path,
			"status", c.Writer.Status(),
			"bytes", c.Writer.Size(),
			"duration_ms", time.Since(start).Milliseconds())
	}
}

// recoverer turns a panic in a handler into a 500 through renderError.
func (s *Server) recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
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
