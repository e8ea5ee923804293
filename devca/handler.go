package devca

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

// Handler serves the CA's revocation data over HTTP, reading revocations
// from dir on every request ("" for the CA's own store), so that a running
// server sees what 'kyso ca revoke' records. clock gives the time each
// answer is made for; it must not be nil.
//
//	GET  /crl/issuing.crl   the issuing CA's CRL (application/pkix-crl)
//	GET  /crl/root.crl      the root's CRL
//	POST /ocsp              an OCSP request body (application/ocsp-request)
//	GET  /ocsp/{base64}     the same, base64 and URL-escaped (RFC 6960 A.1)
//	GET  /ca/issuing.cer    the issuing CA certificate (application/pkix-cert)
//	GET  /ca/root.cer       the root certificate
//
// OCSP request bodies above MaxOCSPRequest bytes get 413. A failure of the
// CA itself is a bare 500: the handler has no logger, so wrap it to log.
func (ca *CA) Handler(dir string, clock func() time.Time) http.Handler {
	return &handler{ca: ca, dir: dir, clock: clock}
}

type handler struct {
	ca    *CA
	dir   string
	clock func() time.Time
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// http.ServeMux would clean the path, and base64 may hold "//".
	p := r.URL.Path
	switch {
	case p == "/ocsp":
		if r.Method != http.MethodPost {
			notAllowed(w, "POST")
			return
		}
		h.ocspPost(w, r)
	case strings.HasPrefix(p, "/ocsp/"):
		if !isGet(r) {
			notAllowed(w, "GET, HEAD")
			return
		}
		h.ocspGet(w, r)
	case p == "/crl/"+issuingName+".crl" || p == "/crl/"+rootName+".crl":
		if !isGet(r) {
			notAllowed(w, "GET, HEAD")
			return
		}
		var der []byte
		var err error
		if p == "/crl/"+rootName+".crl" {
			der, err = h.ca.RootCRL(rand.Reader, h.clock())
		} else {
			der, err = h.ca.issuingCRL(rand.Reader, h.clock(), h.dir)
		}
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		write(w, "application/pkix-crl", der)
	case p == "/ca/"+issuingName+".cer":
		if !isGet(r) {
			notAllowed(w, "GET, HEAD")
			return
		}
		write(w, "application/pkix-cert", h.ca.Issuing.Raw)
	case p == "/ca/"+rootName+".cer":
		if !isGet(r) {
			notAllowed(w, "GET, HEAD")
			return
		}
		write(w, "application/pkix-cert", h.ca.Root.Raw)
	default:
		http.NotFound(w, r)
	}
}

func isGet(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

func notAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}

func write(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func (h *handler) ocspPost(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/ocsp-request" {
			http.Error(w, "want Content-Type application/ocsp-request", http.StatusUnsupportedMediaType)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxOCSPRequest))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		http.Error(w, "OCSP request too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, "cannot read request", http.StatusBadRequest)
		return
	}
	h.answer(w, body)
}

func (h *handler) ocspGet(w http.ResponseWriter, r *http.Request) {
	// The escaped path keeps "%2F" apart from "/" until base64 is decoded.
	enc := strings.TrimPrefix(r.URL.EscapedPath(), "/ocsp/")
	if len(enc) > 3*MaxOCSPRequest {
		http.Error(w, "OCSP request too large", http.StatusRequestURITooLong)
		return
	}
	s, err := url.PathUnescape(enc)
	if err != nil {
		write(w, "application/ocsp-response", ocsp.MalformedRequestErrorResponse)
		return
	}
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if der, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			write(w, "application/ocsp-response", ocsp.MalformedRequestErrorResponse)
			return
		}
	}
	h.answer(w, der)
}

func (h *handler) answer(w http.ResponseWriter, req []byte) {
	resp, err := h.ca.respondOCSP(req, h.clock(), h.dir)
	if err != nil {
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write(ocsp.InternalErrorErrorResponse)
		return
	}
	write(w, "application/ocsp-response", resp)
}
