package staffweb

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/kyso-vn/kyso/workflow"
	"github.com/kyso-vn/kyso/workflow/workflowtest"
)

// syncBuffer is a log sink the handler and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is a staff handler over a workflowtest environment, served by
// an httptest server.
type fixture struct {
	env *workflowtest.Env
	h   *Handler
	srv *httptest.Server
	log *syncBuffer
}

// newFixture builds the workflow fixture and the handler; edit changes the
// handler's Config first.
func newFixture(t *testing.T, opts workflowtest.Options, edit func(*Config)) *fixture {
	t.Helper()
	env := workflowtest.New(t, opts)
	logs := &syncBuffer{}
	cfg := Config{
		Auth: env.Auth, Service: env.Service, Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		LoginPerMinute: 1000, Now: env.Clock.Now,
	}
	if edit != nil {
		edit(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{env: env, h: h, srv: srv, log: logs}
}

// client is a browser: a cookie jar, no redirects followed.
type client struct {
	t    *testing.T
	f    *fixture
	http *http.Client
	// csrf is the session's form token, read from the last page.
	csrf string
}

func (f *fixture) client(t *testing.T) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, f: f, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a response with its body read.
type response struct {
	*http.Response
	body string
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := &response{Response: resp, body: string(b)}
	if m := csrfRE.FindStringSubmatch(r.body); m != nil && m[1] != "" {
		c.csrf = m[1]
	}
	return r
}

func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.f.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends an urlencoded form.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// upload is a file of a multipart form.
type upload struct {
	field, name string
	data        []byte
}

// postMultipart sends a multipart form.
func (c *client) postMultipart(path string, fields url.Values, files ...upload) *response {
	c.t.Helper()
	body, ct := multipartBody(c.t, fields, files...)
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	return c.do(req)
}

func multipartBody(t *testing.T, fields url.Values, files ...upload) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, w.FormDataContentType()
}

// login logs username in through the form and returns the client on the
// queue page.
func (f *fixture) login(t *testing.T, username string) *client {
	t.Helper()
	c := f.client(t)
	c.get("/staff/login")
	r := c.post("/staff/login", url.Values{"csrf": {c.csrf}, "username": {username}, "password": {workflowtest.Password}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/staff/queue" {
		t.Fatalf("login %s: %d %s, want 303 to /staff/queue\n%s", username, r.StatusCode, r.Header.Get("Location"), r.body)
	}
	if q := c.get("/staff/queue"); q.StatusCode != http.StatusOK {
		t.Fatalf("queue of %s: %d", username, q.StatusCode)
	}
	return c
}

var codeRE = regexp.MustCompile(`data-code="([a-z_]+)"`)

// code is the error code a page shows, or "".
func (r *response) code() string {
	if m := codeRE.FindStringSubmatch(r.body); m != nil {
		return m[1]
	}
	return ""
}

// want checks the status and the error code of a response.
func (r *response) want(t *testing.T, status int, code string) {
	t.Helper()
	if r.StatusCode != status || r.code() != code {
		t.Fatalf("%s %s: got %d %q, want %d %q\n%.3000s", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.code(), status, code, r.body)
	}
}

// importAs imports data as the school's admin (the Sở's for diplomas) and
// returns the documents made.
func importAs(t *testing.T, env *workflowtest.Env, kind, name string, data []byte) []workflow.Document {
	t.Helper()
	admin := workflowtest.SchoolAdmin
	if kind == workflow.KindDiploma {
		admin = workflowtest.DeptAdmin
	}
	a := env.Account(t, admin)
	res, err := env.Service.Import(context.Background(), a, kind, name, data)
	if err != nil {
		t.Fatalf("import %s: %v %v", name, err, res)
	}
	docs, err := env.Store.Documents(context.Background(), workflow.Filter{OrgID: a.OrgID, ImportID: res.ID})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func docIDs(docs []workflow.Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.ID)
	}
	return out
}
