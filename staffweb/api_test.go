package staffweb

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/workflow"
	"github.com/kyso-vn/kyso/workflow/workflowtest"
)

// apiCall sends a staff API request with a bearer token and decodes the
// JSON answer.
func apiCall(t *testing.T, f *fixture, method, path, token, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie || ck.Name == loginCookie {
			t.Errorf("the API set cookie %s", ck.Name)
		}
	}
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestAPI(t *testing.T) {
	f := newFixture(t, workflowtest.Options{}, func(c *Config) { c.MaxImport = 64 << 10 })
	ctx := context.Background()
	admin := f.env.Account(t, workflowtest.SchoolAdmin)
	token := func(a *workflow.Account, scopes ...workflow.Scope) string {
		secret, _, err := f.env.Store.CreateAPIToken(ctx, a.ID, "test", scopes, time.Time{}, rand.Reader, "test")
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	both := token(admin, workflow.ScopeImport, workflow.ScopeRead)
	readOnly := token(admin, workflow.ScopeRead)
	importOnly := token(admin, workflow.ScopeImport)
	revoked := token(admin, workflow.ScopeImport, workflow.ScopeRead)
	tok, _, _ := f.env.Store.AuthenticateAPIToken(ctx, revoked)
	if err := f.env.Store.RevokeAPIToken(ctx, tok.ID, "test"); err != nil {
		t.Fatal(err)
	}
	teacherRead := token(f.env.Account(t, workflowtest.MathTeacher), workflow.ScopeRead)
	csv := workflowtest.Gradebooks(t, 3, "Toán")
	imp := "/staff/api/v1/imports?kind=gradebook&name=toan.csv"

	tests := []struct {
		name, method, path, token string
		body                      []byte
		status                    int
		code                      string
	}{
		{"no token", "POST", imp, "", csv, 401, "bad_token"},
		{"bad token", "POST", imp, "kyso_0123456789abcdef_" + strings.Repeat("A", 43), csv, 401, "bad_token"},
		{"revoked token", "POST", imp, revoked, csv, 401, "bad_token"},
		{"read token imports", "POST", imp, readOnly, csv, 403, "insufficient_scope"},
		{"import token reads", "GET", "/staff/api/v1/progress", importOnly, nil, 403, "insufficient_scope"},
		{"teacher reads progress", "GET", "/staff/api/v1/progress", teacherRead, nil, 403, "forbidden"},
		{"no kind", "POST", "/staff/api/v1/imports?name=toan.csv", both, csv, 400, "bad_kind"},
		{"no name", "POST", "/staff/api/v1/imports?kind=gradebook", both, csv, 400, "no_name"},
		{"oversize", "POST", imp, both, bytes.Repeat([]byte("x"), 65<<10), 413, "too_large"},
		{"unknown route", "GET", "/staff/api/v1/nothing", both, nil, 404, "no_route"},
		{"import", "POST", imp, importOnly, csv, 201, ""},
		{"refused", "POST", "/staff/api/v1/imports?kind=gradebook&name=van.csv", both,
			bytes.Replace(workflowtest.Gradebooks(t, 3, "Ngữ văn"), []byte("2024-2025"), []byte("2024-2026"), 1), 422, "import_refused"},
		{"progress", "GET", "/staff/api/v1/progress", readOnly, nil, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := apiCall(t, f, tc.method, tc.path, tc.token, "text/csv", tc.body)
			if status != tc.status || errorCode(body) != tc.code {
				t.Fatalf("got %d %q, want %d %q: %v", status, errorCode(body), tc.status, tc.code, body)
			}
			switch tc.name {
			case "import":
				if body["documents"] != float64(1) || body["id"] == "" {
					t.Errorf("import result %v", body)
				}
			case "refused":
				if errs, _ := body["errors"].([]any); len(errs) == 0 {
					t.Errorf("refused import without errors: %v", body)
				}
			case "progress":
				rows, _ := body["progress"].([]any)
				if len(rows) != 1 || rows[0].(map[string]any)["class"] != workflowtest.Class {
					t.Errorf("progress %v", body)
				}
			}
		})
	}

	t.Run("multipart", func(t *testing.T) {
		b, ct := multipartBody(t, url.Values{}, upload{"file", "hocba.csv", workflowtest.Transcripts(t, 2)})
		status, body := apiCall(t, f, "POST", "/staff/api/v1/imports?kind=hocba", both, ct, b.Bytes())
		if status != http.StatusCreated || body["file_name"] != "hocba.csv" || body["documents"] != float64(2) {
			t.Fatalf("multipart import: %d %v", status, body)
		}
	})
	t.Run("session cookie is no credential", func(t *testing.T) {
		c := f.login(t, workflowtest.SchoolAdmin)
		r := c.get("/staff/api/v1/progress")
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("API with a session cookie only: %d, want 401", r.StatusCode)
		}
	})
}
