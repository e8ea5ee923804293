package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/kyso-vn/kyso/devca"
)

func cmdCAServe(e *env, args []string) error {
	fs := newFlags(e, "ca serve", "[--dir DIR] [--addr HOST:PORT]", `
Serve the development CA's revocation data over HTTP, at the URL given to
'kyso ca init --url':
  GET  /crl/issuing.crl   the issuing CA's CRL (application/pkix-crl)
  GET  /crl/root.crl      the root's CRL (always empty)
  POST /ocsp              OCSP (RFC 6960), signed by the issuing CA itself
  GET  /ocsp/{base64}     the same, GET form
  GET  /ca/issuing.cer    the issuing CA certificate (application/pkix-cert)
  GET  /ca/root.cer       the root certificate
Revocations made with 'kyso ca revoke' show at once. Stops cleanly on
SIGINT/SIGTERM.

Example:
  kyso ca init --dir kyso-data/ca --url http://127.0.0.1:8789
  kyso ca serve --dir kyso-data/ca --addr 127.0.0.1:8789`)
	dir := fs.String("dir", filepath.Join(defaultDataDir(e), "ca"), "CA directory")
	addr := fs.String("addr", "127.0.0.1:8789", "listen address")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	ca, err := devca.Load(*dir)
	if err != nil {
		return fmt.Errorf("%w (run 'kyso ca init --dir %s --url http://%s' first)", err, *dir, *addr)
	}
	if ca.URL() == "" {
		e.log.Warn("this CA has no URL: its certificates do not point to this server (create it with 'kyso ca init --url')", "dir", *dir)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	return serveCA(e, ln, ca, *dir)
}

// serveCA runs the CA's revocation service on ln until the context ends,
// then shuts down gracefully.
func serveCA(e *env, ln net.Listener, ca *devca.CA, dir string) error {
	hs := &http.Server{
		Handler:           logRequests(e.log, ca.Handler(dir, e.now)),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	e.log.Info("serving CA revocation data", "addr", ln.Addr().String(), "url", ca.URL(), "dir", dir)
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

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// logRequests logs each request's method, path (cut short: an OCSP GET
// path is a whole request), status and duration.
func logRequests(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		path := r.URL.Path
		if len(path) > 48 {
			path = path[:48] + "…"
		}
		lvl := slog.LevelInfo
		if sw.status >= 500 {
			lvl = slog.LevelError
		}
		log.Log(r.Context(), lvl, "request", "method", r.Method, "path", path, "status", sw.status, "duration_ms", time.Since(start).Milliseconds())
	})
}

func cmdCARevoke(e *env, args []string) error {
	fs := newFlags(e, "ca revoke", "--serial HEX --reason REASON [--dir DIR]", `
Revoke a certificate the development CA issued. Its CRL and OCSP responder
('kyso ca serve') report it revoked from now on. A certificate can be revoked
once; revocation cannot be undone.

REASON is an RFC 5280 reason: `+strings.Join(devca.ReasonNames(), ", ")+`.
HEX is the serial number as 'openssl x509 -serial' prints it (colons allowed).

Example:
  kyso ca revoke --dir kyso-data/ca --serial 4A1F...C3 --reason keyCompromise`)
	dir := fs.String("dir", filepath.Join(defaultDataDir(e), "ca"), "CA directory")
	serialHex := fs.String("serial", "", "serial number of the certificate, hexadecimal (required)")
	reasonName := fs.String("reason", "", "revocation reason (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *serialHex == "":
		return usagef("--serial is required")
	case *reasonName == "":
		return usagef("--reason is required (one of %s)", strings.Join(devca.ReasonNames(), ", "))
	case fs.NArg() != 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	serial, err := parseSerial(*serialHex)
	if err != nil {
		return usagef("--serial: %v", err)
	}
	reason, err := devca.ParseReason(*reasonName)
	if err != nil {
		return usagef("--reason: %v", err)
	}
	ca, err := devca.Load(*dir)
	if err != nil {
		return err
	}
	cert, err := ca.Certificate(*dir, serial)
	if err != nil {
		return err
	}
	now := e.now()
	if err := ca.Revoke(*dir, serial, reason, now); err != nil {
		return err
	}
	e.log.Info("revoked", "serial", fmt.Sprintf("%X", serial), "reason", devca.ReasonName(reason))
	fmt.Fprintf(e.stdout, "revoked: %X (%s), reason %s, at %s\n", serial, cert.Subject.CommonName, devca.ReasonName(reason), now.UTC().Format(time.RFC3339))
	return nil
}

// parseSerial reads a hexadecimal serial number, with optional "0x" and
// colons ("serial=" as openssl prints it is accepted too).
func parseSerial(s string) (*big.Int, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "serial=")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	s = strings.ReplaceAll(s, ":", "")
	n, ok := new(big.Int).SetString(s, 16)
	if !ok || n.Sign() <= 0 {
		return nil, fmt.Errorf("%q is not a positive hexadecimal number", s)
	}
	return n, nil
}
