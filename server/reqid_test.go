package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/internal/reqid"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/verify"
)

// logServer is a server on an empty SQLite registry whose JSON log lines
// are kept in the returned buffer.
func logServer(t *testing.T) (*Server, *bytes.Buffer) {
	t.Helper()
	store, err := registry.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var buf bytes.Buffer
	s, err := New(Config{
		Credentials: store,
		Verify: func(context.Context, []byte) (*verify.Report, error) {
			return nil, errors.New("not used")
		},
		Logger:    slog.New(slog.NewJSONHandler(&buf, nil)),
		BaseURL:   "https://xacthuc.example.vn",
		PageLimit: &RateLimit{}, UploadLimit: &RateLimit{},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Routes that show what a handler sees, and one that panics.
	s.gin.GET("/test/reqid", func(c *gin.Context) {
		c.String(http.StatusOK, "%s %s", reqid.From(c.Request.Context()), c.GetString(RequestIDKey))
	})
	s.gin.GET("/test/panic", func(*gin.Context) { panic("boom") })
	return s, &buf
}

// logLines parses the JSON log lines with the given message.
func logLines(t *testing.T, buf *bytes.Buffer, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

var madeID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestRequestID(t *testing.T) {
	tests := []struct {
		name   string
		header string // X-Request-ID sent; "" sends none
		keep   bool   // the sent ID is the request's
	}{
		{"none sent", "", false},
		{"proxy's hex ID", "4bf92f3577b34da6a3ce929d0e0e4736", true},
		{"proxy's ID with punctuation", "req-2026.05_17", true},
		{"longest valid", strings.Repeat("a", reqid.MaxLen), true},
		{"too long", strings.Repeat("a", reqid.MaxLen+1), false},
		{"space", "a b", false},
		{"header injection attempt", "x\"; path=/evil", false},
		{"non-ASCII", "mã-yêu-cầu", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, buf := logServer(t)
			req := httptest.NewRequest("GET", "/test/reqid", nil)
			if tt.header != "" {
				req.Header.Set(RequestIDHeader, tt.header)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			id := w.Header().Get(RequestIDHeader)
			switch {
			case tt.keep && id != tt.header:
				t.Fatalf("X-Request-ID = %q, want the client's %q", id, tt.header)
			case !tt.keep && !madeID.MatchString(id):
				t.Fatalf("X-Request-ID = %q, want a new 32-hex-digit ID", id)
			}
			if got, want := w.Body.String(), id+" "+id; got != want {
				t.Errorf("handler saw (request context, gin context) %q, want %q", got, want)
			}
			lines := logLines(t, buf, "http request")
			if len(lines) != 1 {
				t.Fatalf("%d access log lines, want 1:\n%s", len(lines), buf)
			}
			if got := lines[0]["request_id"]; got != id {
				t.Errorf("access log request_id = %v, want %q", got, id)
			}
		})
	}
}

func TestRequestIDsDiffer(t *testing.T) {
	s, _ := logServer(t)
	seen := map[string]bool{}
	for range 50 {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
		id := w.Header().Get(RequestIDHeader)
		if seen[id] {
			t.Fatalf("request ID %q made twice", id)
		}
		seen[id] = true
	}
}

// TestAccessLogNoQuery checks that the access log keeps the path and drops
// the query, where a name could be.
func TestAccessLogNoQuery(t *testing.T) {
	s, buf := logServer(t)
	for _, target := range []string{
		"/v/not-an-id?name=Nguy%E1%BB%85n+V%C4%83n+Ngh%C4%A9a&lang=en",
		"/api/v1/credentials/xyz?ho_ten=Nguyen+Van+Nghia",
		"/no/such/page?q=Tran+Thi+Mai",
	} {
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}
	lines := logLines(t, buf, "http request")
	if len(lines) != 3 {
		t.Fatalf("%d access log lines, want 3:\n%s", len(lines), buf)
	}
	for _, l := range lines {
		if p, _ := l["path"].(string); p == "" || strings.Contains(p, "?") {
			t.Errorf("access log path = %q, want a path without query", l["path"])
		}
	}
	for _, leak := range []string{"Nguy", "Nguyen", "Tran", "Mai", "ho_ten", "name="} {
		if strings.Contains(buf.String(), leak) {
			t.Errorf("the log holds %q from a query string:\n%s", leak, buf)
		}
	}
}

func TestRecovererLogsRequestID(t *testing.T) {
	s, buf := logServer(t)
	req := httptest.NewRequest("GET", "/test/panic", nil)
	req.Header.Set(RequestIDHeader, "panic-1")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("panicking handler answered %d, want 500", w.Code)
	}
	if got := w.Header().Get(RequestIDHeader); got != "panic-1" {
		t.Errorf("X-Request-ID on the 500 = %q, want panic-1", got)
	}
	lines := logLines(t, buf, "panic in handler")
	if len(lines) != 1 {
		t.Fatalf("%d panic log lines, want 1:\n%s", len(lines), buf)
	}
	if got := lines[0]["request_id"]; got != "panic-1" {
		t.Errorf("panic log request_id = %v, want panic-1", got)
	}
	if got := lines[0]["panic"]; got != "boom" {
		t.Errorf("panic log panic = %v, want boom", got)
	}
	if st, _ := lines[0]["stack"].(string); !strings.Contains(st, "reqid_test.go") {
		t.Errorf("panic log stack does not reach the handler:\n%s", st)
	}
}
