package server

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/translog"
)

// TestTransparencyLog: the log's API under /api/v1/log/ serves a checkpoint
// signed by the log's key and an inclusion proof of the fixture's issue
// entry that verifies against it.
func TestTransparencyLog(t *testing.T) {
	f := newFixture(t)
	w := f.do(httptest.NewRequest("GET", "/api/v1/log/checkpoint", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET checkpoint = %d, want 200", w.Code)
	}
	cp, err := translog.VerifyCheckpoint(w.Body.Bytes(), f.logPub)
	if err != nil {
		t.Fatalf("VerifyCheckpoint: %v", err)
	}
	if cp.Size != 1 {
		t.Fatalf("checkpoint size = %d, want 1", cp.Size)
	}
	c, err := f.store.Get(t.Context(), f.id)
	if err != nil {
		t.Fatal(err)
	}
	entry := registry.IssueEntry(c)
	leaf, err := entry.LeafHash()
	if err != nil {
		t.Fatal(err)
	}
	w = f.do(httptest.NewRequest("GET", "/api/v1/log/proof/inclusion?leaf_hash="+hex.EncodeToString(leaf[:])+"&size=1", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET inclusion proof = %d %s, want 200", w.Code, w.Body)
	}
	var p translog.InclusionProofResponse
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if err := translog.VerifyInclusion(entry, p.Index, p.Hashes, cp); err != nil {
		t.Errorf("VerifyInclusion: %v", err)
	}
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/api/v1/log/entries/0", http.StatusOK},
		{"/api/v1/log/entries/1", http.StatusNotFound},
		{"/api/v1/log/entries/x", http.StatusBadRequest},
		{"/api/v1/log/proof/consistency?from=0&to=1", http.StatusOK},
		{"/api/v1/log/proof/inclusion?index=0", http.StatusBadRequest},
	} {
		if w := f.do(httptest.NewRequest("GET", tt.path, nil)); w.Code != tt.want {
			t.Errorf("GET %s = %d, want %d", tt.path, w.Code, tt.want)
		}
	}
}

// TestNoTransparencyLog: a server without a log answers its routes 404.
func TestNoTransparencyLog(t *testing.T) {
	f := newFixture(t)
	srv, err := New(Config{
		Credentials: f.store,
		Verify:      f.srv.cfg.Verify,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL:     "https://xacthuc.example.vn",
	})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/log/checkpoint", nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("GET checkpoint without a log = %d, want 404", w.Code)
	}
}
