package translog

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
)

// InclusionProofResponse is the JSON body of GET /proof/inclusion. Hashes
// are in standard base64, leaf to root, as VerifyInclusion takes them.
type InclusionProofResponse struct {
	Index    uint64   `json:"index"`
	TreeSize uint64   `json:"tree_size"`
	Hashes   [][]byte `json:"hashes"`
}

// ConsistencyProofResponse is the JSON body of GET /proof/consistency.
// Hashes are in standard base64, as VerifyConsistency takes them.
type ConsistencyProofResponse struct {
	From   uint64   `json:"from"`
	To     uint64   `json:"to"`
	Hashes [][]byte `json:"hashes"`
}

// EntryResponse is the JSON body of GET /entries/{index}: the record of one
// leaf. Record is its kyso.translog/v1 encoding and LeafHash its RFC 6962
// leaf hash, both in standard base64; the other fields repeat the record's
// lines, with content hashes in lower-case hex. A hash that does not apply
// is left out.
type EntryResponse struct {
	Index                uint64 `json:"index"`
	LeafHash             []byte `json:"leaf_hash"`
	Record               []byte `json:"record"`
	Kind                 Kind   `json:"kind"`
	CredentialSHA256     string `json:"credential_sha256"`
	DocumentSHA256       string `json:"document_sha256,omitempty"`
	SignedSHA256         string `json:"signed_sha256,omitempty"`
	Time                 string `json:"time"`
	PrevCredentialSHA256 string `json:"prev_credential_sha256,omitempty"`
}

// errorResponse is the JSON body of every error.
type errorResponse struct {
	Error string `json:"error"`
}

// Handler serves the log's public read-only API, to be mounted by the
// server (under a prefix, with http.StripPrefix):
//
//	GET /checkpoint                          the latest checkpoint, a signed note (text/plain)
//	GET /proof/inclusion?index=N&size=M      InclusionProofResponse
//	GET /proof/inclusion?leaf_hash=H&size=M  the same for the first leaf with hash H (64 hex digits)
//	GET /proof/consistency?from=A&to=B       ConsistencyProofResponse
//	GET /entries/{index}                     EntryResponse
//
// Numbers are decimal. A malformed or impossible request is answered 400,
// an index or size beyond the log (or an unknown leaf hash, or no
// checkpoint yet) 404, anything else 500, each with a JSON body
// {"error": "..."} that never holds more than the request did; causes of
// 500s go to logger (nil discards them).
func Handler(l *Log, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{log: l, logger: logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkpoint", h.checkpoint)
	mux.HandleFunc("GET /proof/inclusion", h.inclusion)
	mux.HandleFunc("GET /proof/consistency", h.consistency)
	mux.HandleFunc("GET /entries/{index}", h.entry)
	return mux
}

type handler struct {
	log    *Log
	logger *slog.Logger
}

// badRequest is an error whose message is safe to show: it only describes
// the request.
type badRequest string

func (e badRequest) Error() string { return string(e) }

func (h *handler) checkpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := h.log.LatestCheckpoint(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(cp.Note)
}

func (h *handler) inclusion(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, err := uintParam(q, "size")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var index uint64
	switch {
	case q.Has("index") && q.Has("leaf_hash"):
		h.fail(w, r, badRequest("give index or leaf_hash, not both"))
		return
	case q.Has("leaf_hash"):
		leaf, err := hashParam(q, "leaf_hash")
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if index, err = h.log.Find(r.Context(), leaf, size); err != nil {
			h.fail(w, r, err)
			return
		}
	default:
		if index, err = uintParam(q, "index"); err != nil {
			h.fail(w, r, err)
			return
		}
		if index >= size {
			h.fail(w, r, badRequest("index must be below size"))
			return
		}
	}
	p, err := h.log.InclusionProof(r.Context(), index, size)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, InclusionProofResponse{Index: index, TreeSize: size, Hashes: nonNil(p)})
}

func (h *handler) consistency(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err := uintParam(q, "from")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to, err := uintParam(q, "to")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if from > to {
		h.fail(w, r, badRequest("from must not be larger than to"))
		return
	}
	p, err := h.log.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, ConsistencyProofResponse{From: from, To: to, Hashes: nonNil(p)})
}

func (h *handler) entry(w http.ResponseWriter, r *http.Request) {
	index, err := parseUint(r.PathValue("index"), "index")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rec, err := h.log.Record(r.Context(), index)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	leaf := rec.LeafHash()
	var zero [32]byte
	optional := func(h [32]byte) string {
		if h == zero {
			return ""
		}
		return hex.EncodeToString(h[:])
	}
	writeJSON(w, EntryResponse{
		Index:                index,
		LeafHash:             leaf[:],
		Record:               rec.Encode(),
		Kind:                 rec.Kind,
		CredentialSHA256:     hex.EncodeToString(rec.CredentialSHA256[:]),
		DocumentSHA256:       optional(rec.DocumentSHA256),
		SignedSHA256:         optional(rec.SignedSHA256),
		Time:                 rec.Time.Format(recordTimeLayout),
		PrevCredentialSHA256: optional(rec.PrevCredentialSHA256),
	})
}

// fail answers with the status and public message for err, the one place
// where this package turns errors into HTTP responses.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "internal error"
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		status, msg = http.StatusBadRequest, bad.Error()
	case errors.Is(err, ErrInvalidArgument):
		status, msg = http.StatusBadRequest, "invalid request"
	case errors.Is(err, ErrBeyondTree):
		status, msg = http.StatusNotFound, "beyond the current size of the log"
	case errors.Is(err, ErrNotFound):
		status, msg = http.StatusNotFound, "no leaf with this hash"
	case errors.Is(err, ErrNoCheckpoint):
		status, msg = http.StatusNotFound, "the log has no checkpoint yet"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		status, msg = http.StatusServiceUnavailable, "request cancelled or timed out"
	}
	if status >= http.StatusInternalServerError {
		h.logger.ErrorContext(r.Context(), "transparency log request failed",
			"path", r.URL.Path, "status", status, "err", err)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorResponse{Error: msg})
}

// writeJSON answers 200 with v. Proofs and entries never change once the
// log has them, so they may be cached.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_ = json.NewEncoder(w).Encode(v)
}

// uintParam reads the one value of a required decimal query parameter.
func uintParam(q url.Values, name string) (uint64, error) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return 0, badRequest("missing parameter " + name)
	}
	if len(vs) > 1 {
		return 0, badRequest("parameter " + name + " given more than once")
	}
	return parseUint(vs[0], name)
}

// parseUint reads a decimal number of up to 20 digits, without sign or
// spaces.
func parseUint(s, name string) (uint64, error) {
	if s == "" || len(s) > 20 {
		return 0, badRequest(name + " must be a decimal number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, badRequest(name + " must be a decimal number")
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, badRequest(name + " is too large")
	}
	return n, nil
}

// hashParam reads the one value of a query parameter holding a SHA-256 hash
// in hex.
func hashParam(q url.Values, name string) ([32]byte, error) {
	vs := q[name]
	if len(vs) != 1 {
		return [32]byte{}, badRequest("parameter " + name + " must be given once")
	}
	var h [32]byte
	if len(vs[0]) != 64 {
		return h, badRequest(name + " must be 64 hex digits")
	}
	if _, err := hex.Decode(h[:], []byte(vs[0])); err != nil {
		return h, badRequest(name + " must be 64 hex digits")
	}
	return h, nil
}

func nonNil(p [][]byte) [][]byte {
	if p == nil {
		return [][]byte{}
	}
	return p
}
