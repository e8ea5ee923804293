package translog

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

func TestHandler(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, sqliteBackend(), defaultTileHeight)
	srv := httptest.NewServer(Handler(f.log, nil))
	defer srv.Close()

	// No checkpoint yet.
	if resp, _ := get(t, srv, "/checkpoint"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /checkpoint before Sign: got %d, want 404", resp.StatusCode)
	}
	appendN(t, f.log, "H", 0, 10)
	if _, err := f.log.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, srv, "/checkpoint")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /checkpoint: got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	old, err := VerifyCheckpoint(body, f.pub)
	if err != nil || old.Size != 10 {
		t.Fatalf("served checkpoint: got %+v, %v", old, err)
	}
	appendN(t, f.log, "H", 10, 25)
	if _, err := f.log.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, srv, "/checkpoint")
	cp, err := VerifyCheckpoint(body, f.pub)
	if err != nil || cp.Size != 25 {
		t.Fatalf("served checkpoint: got %+v, %v", cp, err)
	}

	// Inclusion by index and by leaf hash, verified as a client would.
	for i := 0; i < 25; i++ {
		e := testEntry("H", i)
		resp, body := get(t, srv, "/proof/inclusion?index="+strconv.Itoa(i)+"&size=25")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("inclusion %d: got %d %s", i, resp.StatusCode, body)
		}
		p := decode[InclusionProofResponse](t, body)
		if p.Index != uint64(i) || p.TreeSize != 25 {
			t.Errorf("inclusion %d: got %+v", i, p)
		}
		if err := VerifyInclusion(e, p.Index, p.Hashes, cp); err != nil {
			t.Errorf("inclusion %d: %v", i, err)
		}
		leaf, _ := e.LeafHash()
		resp, body = get(t, srv, "/proof/inclusion?leaf_hash="+hex.EncodeToString(leaf[:])+"&size=25")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("inclusion by hash %d: got %d %s", i, resp.StatusCode, body)
		}
		if p := decode[InclusionProofResponse](t, body); p.Index != uint64(i) || VerifyInclusion(e, p.Index, p.Hashes, cp) != nil {
			t.Errorf("inclusion by hash %d: got %+v", i, p)
		}
	}

	// Consistency between the two checkpoints.
	resp, body = get(t, srv, "/proof/consistency?from=10&to=25")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consistency: got %d %s", resp.StatusCode, body)
	}
	c := decode[ConsistencyProofResponse](t, body)
	if c.From != 10 || c.To != 25 {
		t.Errorf("consistency: got %+v", c)
	}
	if err := VerifyConsistency(old, cp, c.Hashes); err != nil {
		t.Errorf("consistency: %v", err)
	}
	// An empty proof is an empty list, not null.
	if _, body := get(t, srv, "/proof/consistency?from=25&to=25"); !strings.Contains(string(body), `"hashes":[]`) {
		t.Errorf("empty consistency proof: got %s", body)
	}

	// An entry: hashes only, and its record hashes to its leaf hash.
	resp, body = get(t, srv, "/entries/7")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("entry: got %d %s", resp.StatusCode, body)
	}
	er := decode[EntryResponse](t, body)
	rec, err := ParseRecord(er.Record)
	if err != nil {
		t.Fatalf("entry record: %v", err)
	}
	want, _ := testEntry("H", 7).Record()
	if rec != want || er.Index != 7 || er.Kind != KindSupersede {
		t.Errorf("entry: got %+v", er)
	}
	if leaf := rec.LeafHash(); string(leaf[:]) != string(er.LeafHash) {
		t.Errorf("entry leaf hash: got %x, want %x", er.LeafHash, leaf)
	}
	if er.CredentialSHA256 != hex.EncodeToString(want.CredentialSHA256[:]) || er.PrevCredentialSHA256 == "" || er.SignedSHA256 != "" {
		t.Errorf("entry fields: got %+v", er)
	}
	if strings.Contains(string(body), "H0000") {
		t.Errorf("entry holds a credential ID: %s", body)
	}

	bad := []struct {
		path   string
		status int
	}{
		{"/proof/inclusion?index=1", http.StatusBadRequest},
		{"/proof/inclusion?size=25", http.StatusBadRequest},
		{"/proof/inclusion?index=x&size=25", http.StatusBadRequest},
		{"/proof/inclusion?index=-1&size=25", http.StatusBadRequest},
		{"/proof/inclusion?index=+1&size=25", http.StatusBadRequest},
		{"/proof/inclusion?index=1.0&size=25", http.StatusBadRequest},
		{"/proof/inclusion?index=1&index=2&size=25", http.StatusBadRequest},
		{"/proof/inclusion?index=99999999999999999999&size=25", http.StatusBadRequest},
		{"/proof/inclusion?index=123456789012345678901&size=25", http.StatusBadRequest},
		{"/proof/inclusion?index=25&size=25", http.StatusBadRequest},
		{"/proof/inclusion?index=0&size=0", http.StatusBadRequest},
		{"/proof/inclusion?index=0&size=26", http.StatusNotFound},
		{"/proof/inclusion?index=0&size=18446744073709551615", http.StatusNotFound},
		{"/proof/inclusion?index=0&leaf_hash=00&size=25", http.StatusBadRequest},
		{"/proof/inclusion?leaf_hash=zz&size=25", http.StatusBadRequest},
		{"/proof/inclusion?leaf_hash=" + strings.Repeat("g", 64) + "&size=25", http.StatusBadRequest},
		{"/proof/inclusion?leaf_hash=" + strings.Repeat("0", 64) + "&size=25", http.StatusNotFound},
		{"/proof/consistency?from=1", http.StatusBadRequest},
		{"/proof/consistency?from=5&to=4", http.StatusBadRequest},
		{"/proof/consistency?from=0&to=26", http.StatusNotFound},
		{"/entries/x", http.StatusBadRequest},
		{"/entries/-1", http.StatusBadRequest},
		{"/entries/25", http.StatusNotFound},
		{"/entries/9223372036854775808", http.StatusBadRequest},
		{"/entries/", http.StatusNotFound},
		{"/nothing", http.StatusNotFound},
	}
	for _, tc := range bad {
		resp, body := get(t, srv, tc.path)
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s: got %d %s, want %d", tc.path, resp.StatusCode, body, tc.status)
			continue
		}
		if resp.Header.Get("Content-Type") == "application/json" {
			if e := decode[errorResponse](t, body); e.Error == "" {
				t.Errorf("GET %s: empty error message", tc.path)
			}
		}
	}
	resp, err = srv.Client().Post(srv.URL+"/checkpoint", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /checkpoint: got %d, want 405", resp.StatusCode)
	}
}

func TestHandlerHidesInternalErrors(t *testing.T) {
	f := newFixture(t, sqliteBackend(), defaultTileHeight)
	appendN(t, f.log, "H", 0, 3)
	var logs bytes.Buffer
	srv := httptest.NewServer(Handler(f.log, slog.New(slog.NewTextHandler(&logs, nil))))
	defer srv.Close()
	f.b.disableTriggers(t, f.db)
	mustExec(t, f.db, `UPDATE translog_leaves SET entry = ? WHERE idx = 1`, []byte("secret detail"))
	resp, body := get(t, srv, "/entries/1")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("got %d, want 500", resp.StatusCode)
	}
	if e := decode[errorResponse](t, body); e.Error != "internal error" {
		t.Errorf("got message %q, want %q", e.Error, "internal error")
	}
	if !strings.Contains(logs.String(), ErrCorrupt.Error()) {
		t.Errorf("the cause was not logged: %q", logs.String())
	}
}
