package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/tsa"
)

// defaultTSAPolicy is the policy 'kyso tsa serve' issues tokens under when
// --policy is not given: an OID under 2.999, the arc X.660 sets aside for
// examples, since kyso has no registered arc of its own. Fine for
// development; an authority in service passes its published policy OID.
const defaultTSAPolicy = "2.999.3161.1"

// Files of the development TSA inside a CA directory.
const (
	devTSADir      = "tsa"
	devTSAKeyFile  = "tsa.key" // PKCS#8, unencrypted, 0600
	devTSACertFile = "tsa.pem" // the TSA certificate, then the issuing CA
)

func cmdTSA(e *env, args []string) error {
	if len(args) == 0 || (args[0] != "serve" && args[0] != "--help" && args[0] != "-h") {
		return usagef("expected 'kyso tsa serve'")
	}
	if args[0] != "serve" {
		args = []string{"--help"}
	} else {
		args = args[1:]
	}
	fs := newFlags(e, "tsa serve", "(--key URI --cert CHAIN.pem | --dev-ca DIR) [--addr HOST:PORT] [--policy OID]", `
Run an RFC 3161 time-stamping authority over HTTP: POST a TimeStampReq with
Content-Type application/timestamp-query to any path; the answer is a
TimeStampResp (application/timestamp-reply). Tokens are signed under one
policy, with SHA-256 (SHA-384/SHA-512 for P-384/P-521 keys), and carry the
certificate chain when the request asks for it.

The key is named like for 'kyso sign': a pkcs11: URI (RFC 7512) or a file:
URI of an encrypted PKCS#8 key (a bare path is taken as a file); the PIN
comes from the URI's pin-source or pin-value, or a prompt. CHAIN.pem holds
the TSA certificate, then its issuers; the certificate must carry a critical
extended key usage of timeStamping alone (RFC 3161 §2.3).

For development, --dev-ca DIR (a CA made by 'kyso ca init') needs no key:
the first run creates a P-256 key in DIR/tsa/tsa.key (unencrypted, mode
0600) and a time-stamping certificate from that CA in DIR/tsa/tsa.pem; later
runs reuse them. --key, when given, wins over --dev-ca.

Stops cleanly on SIGINT/SIGTERM.

Examples:
  kyso tsa serve --dev-ca kyso-data/ca
  openssl ts -query -data file.pdf -sha256 -cert -out req.tsq
  curl -s -H 'Content-Type: application/timestamp-query' --data-binary @req.tsq http://127.0.0.1:8790/ -o resp.tsr
  openssl ts -verify -data file.pdf -in resp.tsr -CAfile kyso-data/ca/root.pem -untrusted kyso-data/ca/tsa/tsa.pem`)
	addr := fs.String("addr", "127.0.0.1:8790", "listen address")
	keyURI := fs.String("key", "", "the TSA's signing key: pkcs11: URI, file: URI, or a key file path")
	certPath := fs.String("cert", "", "PEM file with the TSA certificate followed by its chain (if the key does not hold it)")
	policyText := fs.String("policy", defaultTSAPolicy, "the TSA policy OID written in every token (the default is a development placeholder)")
	caDir := fs.String("dev-ca", "", "development CA directory: create or reuse a TSA key and certificate in DIR/tsa/ (when --key is not given)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *keyURI == "" && *caDir == "" {
		return usagef("--key (with --cert) or --dev-ca is required")
	}
	policy, err := parseOID(*policyText)
	if err != nil {
		return usagef("--policy: %v", err)
	}
	var key *hsm.Key
	if *keyURI != "" {
		key, err = e.openKey(keyArg(*keyURI), *certPath)
	} else {
		key, err = devTSAKey(e, *caDir)
	}
	if err != nil {
		return err
	}
	defer key.Close()
	authority, err := tsa.NewAuthority(key.Signer, key.Chain, policy, e.now, e.rand)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *keyURI != "" && *policyText == defaultTSAPolicy {
		e.log.Warn("serving under the development placeholder policy; pass --policy with your TSA's published policy OID", "policy", defaultTSAPolicy)
	}
	e.log.Info("serving time-stamping authority", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/",
		"tsa", key.Chain[0].Subject.String(), "policy", policy.String(), "key_uri", key.URI)
	return serveTSA(e, ln, authority)
}

// keyArg turns a bare path into a file: URI; URIs pass unchanged.
func keyArg(s string) string {
	if strings.HasPrefix(s, "pkcs11:") || strings.HasPrefix(s, "file:") {
		return s
	}
	return (&hsm.URI{Scheme: hsm.SchemeFile, Path: s}).String()
}

// parseOID reads a dotted object identifier such as 1.2.840.113549.
func parseOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("%q is not a dotted object identifier", s)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (p != "0" && strings.HasPrefix(p, "0")) {
			return nil, fmt.Errorf("%q is not a dotted object identifier", s)
		}
		oid[i] = n
	}
	if oid[0] > 2 || (oid[0] < 2 && oid[1] >= 40) {
		return nil, fmt.Errorf("%q is not a valid object identifier", s)
	}
	if _, err := asn1.Marshal(oid); err != nil {
		return nil, fmt.Errorf("%q: %v", s, err)
	}
	return oid, nil
}

// devTSAKey opens the development TSA key kept in caDir/tsa, creating it
// and its certificate from the CA in caDir on first use.
func devTSAKey(e *env, caDir string) (*hsm.Key, error) {
	ca, err := devca.Load(caDir)
	if err != nil {
		return nil, fmt.Errorf("--dev-ca: %w (run 'kyso ca init --dir %s' first)", err, caDir)
	}
	dir := filepath.Join(caDir, devTSADir)
	keyPath := filepath.Join(dir, devTSAKeyFile)
	certPath := filepath.Join(dir, devTSACertFile)
	// The certificate is written last: its presence marks a complete pair.
	if _, err := os.Stat(certPath); errors.Is(err, fs.ErrNotExist) {
		if err := createDevTSA(e, ca, dir, keyPath, certPath); err != nil {
			return nil, err
		}
	}
	chain, err := readCerts(certPath)
	if err != nil {
		return nil, err
	}
	if len(chain) < 2 || !bytes.Equal(chain[1].Raw, ca.Issuing.Raw) {
		return nil, fmt.Errorf("%s does not hold a certificate from the CA in %s followed by its issuing CA; remove %s to make a new one", certPath, caDir, dir)
	}
	abs, err := filepath.Abs(keyPath)
	if err != nil {
		return nil, err
	}
	uri := (&hsm.URI{Scheme: hsm.SchemeFile, Path: abs}).String()
	k, err := hsm.Open(e.ctx, uri, hsm.Options{AllowUnencryptedKey: true, Certificates: chain})
	if err != nil {
		return nil, fmt.Errorf("development TSA key: %w", err)
	}
	return k, nil
}

// createDevTSA makes a P-256 key and a time-stamping certificate for it.
func createDevTSA(e *env, ca *devca.CA, dir, keyPath, certPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), e.rand)
	if err != nil {
		return fmt.Errorf("generate TSA key: %w", err)
	}
	org := "kyso development"
	if o := ca.Root.Subject.Organization; len(o) > 0 {
		org = o[0]
	}
	cert, err := ca.IssueTimestamping(e.rand, key.Public(), devca.Subject{CommonName: org + " TSA (DEVELOPMENT ONLY)", Organization: org}, e.now(), 0)
	if err != nil {
		return fmt.Errorf("issue TSA certificate: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := atomicfile.Write(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	if err := atomicfile.Write(certPath, devca.CertsPEM(cert, ca.Issuing), 0o644); err != nil {
		return err
	}
	e.log.Info("created development TSA key and certificate", "key", keyPath, "certificate", certPath, "serial", fmt.Sprintf("%X", cert.SerialNumber))
	return nil
}

// serveTSA runs the authority on ln until the context ends, then shuts
// down gracefully.
func serveTSA(e *env, ln net.Listener, a *tsa.Authority) error {
	hs := &http.Server{
		Handler:           tsaLog(e.log, a),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
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

// tsaRecorder keeps the status and body a handler writes.
type tsaRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *tsaRecorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *tsaRecorder) Write(b []byte) (int, error) {
	if w.body.Len() < tsa.DefaultMaxResponse {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// tsaLog logs each request: HTTP status, the PKIStatus and failure of the
// answer, and the duration.
func tsaLog(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &tsaRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		attrs := []any{"method", r.Method, "status", rec.status, "duration_ms", time.Since(start).Milliseconds()}
		lvl := slog.LevelInfo
		if rec.status == http.StatusOK {
			if resp, err := tsa.ParseResponse(rec.body.Bytes()); err == nil {
				attrs = append(attrs, "pki_status", resp.Status.String())
				if resp.FailInfo != 0 {
					attrs = append(attrs, "fail_info", resp.FailInfo.String())
					if resp.FailInfo&tsa.FailSystemFailure != 0 {
						lvl = slog.LevelError
					}
				}
			}
		}
		log.Log(r.Context(), lvl, "time-stamp request", attrs...)
	})
}
