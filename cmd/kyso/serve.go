package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/server"
	"github.com/kyso-vn/kyso/verify"
)

type serveConfig struct {
	dbPath    string
	trust     string
	addr      string
	baseURL   string
	maxUpload int64
	// pageRate and uploadRate are per-client requests per second (0: off).
	pageRate, uploadRate float64
	trustedProxies       stringList
	// logPub is --log-pub: the transparency log's public key file, or "".
	logPub string
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return fmt.Sprint(*l) }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func cmdServe(e *env, args []string) error {
	fs := newFlags(e, "serve", "--trust FILE [--db PATH] [--addr HOST:PORT] [--base-url URL]", `
Run the public verification site and JSON API:
  GET  /v/{id}                   the page a diploma's QR code opens (Vietnamese; ?lang=en)
  GET  /api/v1/credentials/{id}  the same as JSON
  POST /api/v1/verify            verify an uploaded PDF (multipart field "file" or application/pdf)
  POST /verify                   the same for the upload form (works without JavaScript)
  GET  /api/v1/log/...           the transparency log (with --log-pub): checkpoint,
                                 proof/inclusion, proof/consistency, entries/{index}
  GET  /healthz                  liveness and registry check

Example:
  kyso serve --trust kyso-data/ca/root.pem --db kyso-data/registry.db --addr 127.0.0.1:8080`)
	var c serveConfig
	data := defaultDataDir(e)
	fs.StringVar(&c.dbPath, "db", filepath.Join(data, "registry.db"), "registry database (SQLite file or postgres:// URL)")
	fs.StringVar(&c.trust, "trust", "", "PEM file with the trusted root certificates (required)")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&c.baseURL, "base-url", "", "public address of this site (default http://ADDR)")
	fs.Int64Var(&c.maxUpload, "max-upload", server.DefaultMaxUpload, "largest PDF accepted for verification, in bytes")
	fs.Float64Var(&c.pageRate, "rate-limit", server.DefaultPageLimit.Rate, "verification pages and lookups per second per client (0: no limit)")
	fs.Float64Var(&c.uploadRate, "upload-rate-limit", server.DefaultUploadLimit.Rate, "PDF uploads per second per client (0: no limit)")
	fs.Var(&c.trustedProxies, "trusted-proxy", "address or CIDR of a reverse proxy whose X-Forwarded-For names the client (repeatable)")
	fs.StringVar(&c.logPub, "log-pub", "", "the transparency log's public key file: serve the log kept in the registry's database under /api/v1/log/")
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.trust == "" {
		return usagef("--trust is required: the verifier trusts only the roots it is given")
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if c.baseURL == "" {
		c.baseURL = "http://" + c.addr
	}
	roots, err := readCerts(c.trust)
	if err != nil {
		return fmt.Errorf("--trust: %w", err)
	}
	var logKeys *registry.LogKeys
	if c.logPub != "" {
		pub, err := readLogPub(c.logPub)
		if err != nil {
			return fmt.Errorf("--log-pub: %w", err)
		}
		logKeys = &registry.LogKeys{PublicKey: pub}
	}
	store, err := openStore(e.ctx, c.dbPath, true, logKeys)
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	return serve(e, ln, store, roots, c)
}

// newServer wires the HTTP server to a registry and a verifier with the
// given roots.
func newServer(e *env, store registryStore, roots []*x509.Certificate, c serveConfig) (*server.Server, error) {
	lookup := server.RegistryLookup{Store: store}
	return server.New(server.Config{
		Credentials: store,
		Verify: func(ctx context.Context, data []byte) (*verify.Report, error) {
			return verify.PDFContext(ctx, data, verify.Options{Roots: roots, Now: e.now, Credentials: lookup})
		},
		Logger:         e.log,
		BaseURL:        c.baseURL,
		MaxUpload:      c.maxUpload,
		PageLimit:      &server.RateLimit{Rate: c.pageRate, Burst: max(1, int(3*c.pageRate))},
		UploadLimit:    &server.RateLimit{Rate: c.uploadRate, Burst: max(1, int(10*c.uploadRate))},
		TrustedProxies: c.trustedProxies,
		Log:            store.Log(),
	})
}

// serve runs the server on ln until the context ends, then shuts down
// gracefully.
func serve(e *env, ln net.Listener, store registryStore, roots []*x509.Certificate, c serveConfig) error {
	srv, err := newServer(e, store, roots, c)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer(c.addr)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	e.log.Info("serving", "addr", ln.Addr().String(), "base_url", c.baseURL)
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	e.log.Info("stopped")
	return nil
}
