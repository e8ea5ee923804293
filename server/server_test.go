package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/issuance"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/translog"
	"github.com/kyso-vn/kyso/verify"
)

// issuedAt is the wall clock: pdfsign (through digitorus/pkcs7) stamps the
// CMS signingTime with time.Now, so a pinned clock would make the verifier
// see a signature from the future.
var issuedAt = time.Now().UTC().Truncate(time.Second)

type fixture struct {
	srv   *Server
	store *registry.SQLite
	id    registry.ID
	pdf   []byte // the signed diploma registered under id
	// unregistered is signed by the same trusted signer but not in store.
	unregistered []byte
	// verified records what the Verifier was given.
	verified [][]byte
	// logPub is the public key of store's transparency log.
	logPub string
}

// newFixture builds a server on a real SQLite registry holding one diploma
// issued for real (rendered, signed with a development-CA key, registered),
// and the real verifier trusting that CA.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	logPriv, logPub, err := translog.GenerateKey(rand.Reader, "kyso.test/log")
	if err != nil {
		t.Fatal(err)
	}
	store, err := registry.OpenSQLite(ctx, filepath.Join(t.TempDir(), "r.db"),
		registry.WithLog(registry.LogKeys{PublicKey: logPub, PrivateKey: logPriv}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ca, err := devca.New(rand.Reader, issuedAt, devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := templates.SampleGraduates(1)[0]
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: d.SignerName, Title: d.SignerTitle}, issuedAt, 0)
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := templates.NewDiplomaRenderer(fonts, templates.RenderOptions{Now: issuedAt, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	is := &issuance.Issuer{
		Render: r.Render, Key: key, Chain: append([]*x509.Certificate{leaf}, ca.Chain()...),
		Store: store, OutDir: t.TempDir(), BaseURL: "https://xacthuc.example.vn",
		Rand: rand.Reader, Now: func() time.Time { return issuedAt }, Actor: "test",
	}
	res, err := is.Diploma(ctx, &d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SignCheckpoint(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, id: res.ID, logPub: logPub}
	if f.pdf, err = os.ReadFile(res.Path); err != nil {
		t.Fatal(err)
	}
	// The same signer, the same trusted CA, but registered in another
	// registry: a well-signed document this registry never issued.
	elsewhere, err := registry.OpenSQLite(ctx, filepath.Join(t.TempDir(), "elsewhere.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer elsewhere.Close()
	is.Store = elsewhere
	d2 := templates.SampleGraduates(2)[1]
	d2.SignerName = d.SignerName
	res2, err := is.Diploma(ctx, &d2)
	if err != nil {
		t.Fatal(err)
	}
	if f.unregistered, err = os.ReadFile(res2.Path); err != nil {
		t.Fatal(err)
	}
	lookup := RegistryLookup{Store: store}
	f.srv, err = New(Config{
		Credentials: store,
		Verify: func(ctx context.Context, data []byte) (*verify.Report, error) {
			f.verified = append(f.verified, bytes.Clone(data)) // data is unmapped after the request
			return verify.PDFContext(ctx, data, verify.Options{
				Roots: []*x509.Certificate{ca.Root}, Now: func() time.Time { return issuedAt.Add(time.Hour) }, Credentials: lookup})
		},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL:   "https://xacthuc.example.vn",
		MaxUpload: 1 << 20,
		// Rate limits have their own test.
		PageLimit: &RateLimit{}, UploadLimit: &RateLimit{},
		Log: store.Log(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) do(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

func TestCredentialPage(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{
		"/v/" + f.id.String(),
		"/v/" + strings.ToLower(f.id.Compact()), // as typed by a person
	} {
		w := f.do(httptest.NewRequest("GET", path, nil))
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, w.Code)
		}
		body := w.Body.String()
		for _, want := range []string{"Còn hiệu lực", "Nguyễn Văn Nghĩa", "01/01/2006", "Trường THPT Chuyên Bến Tre", "T 00516292", "2024", "Bằng tốt nghiệp trung học phổ thông"} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s: page lacks %q", path, want)
			}
		}
		if strings.Contains(body, "CN=") {
			t.Errorf("GET %s: page shows the issuer's certificate subject; public pages show only the minimum", path)
		}
	}
	w := f.do(httptest.NewRequest("GET", "/v/"+f.id.String()+"?lang=en", nil))
	if !strings.Contains(w.Body.String(), "Valid") || !strings.Contains(w.Body.String(), `lang="en"`) {
		t.Errorf("English page lacks its status or lang attribute")
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if w.Header().Get(h) == "" {
			t.Errorf("response lacks security header %s", h)
		}
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store (status can change)", got)
	}
}

func TestCredentialErrors(t *testing.T) {
	f := newFixture(t)
	unknown, _ := registry.NewID(bytes.NewReader(bytes.Repeat([]byte{9}, 13)))
	// One character changed: the check symbol catches it, so it is malformed.
	typo := []byte(f.id.Compact())
	if typo[3] == 'A' {
		typo[3] = 'B'
	} else {
		typo[3] = 'A'
	}
	tests := []struct {
		path string
		code int
		want string
	}{
		{"/v/" + unknown.String(), 404, "Không tìm thấy"},
		{"/v/not-an-id", 400, "không đúng định dạng"},
		{"/v/" + string(typo), 400, "không đúng định dạng"},
		{"/api/v1/credentials/" + unknown.String(), 404, `"code":"not_found"`},
		{"/api/v1/credentials/xyz", 400, `"code":"malformed_id"`},
		{"/nowhere", 404, "Không có trang này"},
	}
	for _, tt := range tests {
		w := f.do(httptest.NewRequest("GET", tt.path, nil))
		if w.Code != tt.code || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("GET %s = %d %q, want %d containing %q", tt.path, w.Code, w.Body.String(), tt.code, tt.want)
		}
	}
}

func TestCredentialJSON(t *testing.T) {
	f := newFixture(t)
	w := f.do(httptest.NewRequest("GET", "/api/v1/credentials/"+f.id.String(), nil))
	if w.Code != 200 {
		t.Fatalf("GET = %d, want 200", w.Code)
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id":          f.id.String(),
		"kind":        "diploma",
		"status":      "valid",
		"holder_name": "Nguyễn Văn Nghĩa",
		"serial":      "T 00516292",
		"verify_url":  "https://xacthuc.example.vn/v/" + f.id.String(),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if _, ok := got["issuer"]; ok {
		t.Error("the public JSON carries the issuer field")
	}
}

func multipartPDF(t *testing.T, field string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, "diploma.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return &b, mw.FormDataContentType()
}

func TestVerifyUploadErrors(t *testing.T) {
	f := newFixture(t)
	big := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 2<<20)...)
	tests := []struct {
		name  string
		body  io.Reader
		ctype string
		code  int
		errc  string
	}{
		{"not a pdf", bytes.NewReader([]byte("hello")), "application/pdf", 415, "not_pdf"},
		{"empty", bytes.NewReader(nil), "application/pdf", 400, "missing_file"},
		{"too large raw", bytes.NewReader(big), "application/pdf", 413, "too_large"},
		{"wrong type", strings.NewReader("{}"), "application/json", 415, "unsupported_media_type"},
	}
	b, ct := multipartPDF(t, "other", []byte("%PDF-1.7"))
	tests = append(tests, struct {
		name  string
		body  io.Reader
		ctype string
		code  int
		errc  string
	}{"wrong field", b, ct, 400, "missing_file"})
	b2, ct2 := multipartPDF(t, "file", big)
	tests = append(tests, struct {
		name  string
		body  io.Reader
		ctype string
		code  int
		errc  string
	}{"too large multipart", b2, ct2, 413, "too_large"})
	for _, tt := range tests {
		req := httptest.NewRequest("POST", "/api/v1/verify", tt.body)
		req.Header.Set("Content-Type", tt.ctype)
		w := f.do(req)
		if w.Code != tt.code || !strings.Contains(w.Body.String(), `"code":"`+tt.errc+`"`) {
			t.Errorf("%s: POST = %d %s, want %d %s", tt.name, w.Code, w.Body.String(), tt.code, tt.errc)
		}
	}
	if len(f.verified) != 0 {
		t.Errorf("the verifier ran %d times on refused uploads, want 0", len(f.verified))
	}
}

func TestVerifyUnsignedPDF(t *testing.T) {
	f := newFixture(t)
	pdf := minimalPDF()
	b, ct := multipartPDF(t, "file", pdf)
	req := httptest.NewRequest("POST", "/api/v1/verify", b)
	req.Header.Set("Content-Type", ct)
	w := f.do(req)
	if w.Code != 200 {
		t.Fatalf("POST = %d %s, want 200 with a report", w.Code, w.Body.String())
	}
	var rep struct {
		Indication string `json:"indication"`
	}
	json.Unmarshal(w.Body.Bytes(), &rep)
	if rep.Indication == "TOTAL_PASSED" {
		t.Errorf("an unsigned PDF passed verification")
	}
	// The HTML form gives a page.
	b, ct = multipartPDF(t, "file", pdf)
	req = httptest.NewRequest("POST", "/verify", b)
	req.Header.Set("Content-Type", ct)
	w = f.do(req)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "KHÔNG hợp lệ") {
		t.Errorf("POST /verify = %d, want a page saying the document is not valid:\n%s", w.Code, w.Body.String())
	}
}

func TestVerifySignedDiploma(t *testing.T) {
	f := newFixture(t)
	post := func(path string, data []byte) *httptest.ResponseRecorder {
		b, ct := multipartPDF(t, "file", data)
		req := httptest.NewRequest("POST", path, b)
		req.Header.Set("Content-Type", ct)
		return f.do(req)
	}
	w := post("/api/v1/verify", f.pdf)
	var rep struct {
		Indication string `json:"indication"`
		Credential *struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"credential"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil || w.Code != 200 {
		t.Fatalf("POST = %d %s", w.Code, w.Body.String())
	}
	if rep.Indication != "TOTAL_PASSED" || rep.Credential == nil || rep.Credential.ID != f.id.String() || rep.Credential.Status != "valid" {
		t.Errorf("report = %s, want TOTAL_PASSED and the registered credential", w.Body.String())
	}
	// Raw application/pdf works too.
	req := httptest.NewRequest("POST", "/api/v1/verify", bytes.NewReader(f.pdf))
	req.Header.Set("Content-Type", "application/pdf")
	if w := f.do(req); w.Code != 200 || !strings.Contains(w.Body.String(), `"indication":"TOTAL_PASSED"`) {
		t.Errorf("raw upload = %d %s", w.Code, w.Body.String())
	}
	// The page for people.
	w = post("/verify", f.pdf)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Tài liệu hợp lệ") || !strings.Contains(w.Body.String(), f.id.String()) {
		t.Errorf("POST /verify = %d, want a page saying valid with the credential ID", w.Code)
	}
	// A tampered copy fails, on the page and in the API.
	bad := bytes.Replace(f.pdf, []byte("/Producer"), []byte("/Producex"), 1)
	if w := post("/api/v1/verify", bad); !strings.Contains(w.Body.String(), `"indication":"TOTAL_FAILED"`) {
		t.Errorf("tampered upload: %s, want TOTAL_FAILED", w.Body.String())
	}
	if w := post("/verify", bad); !strings.Contains(w.Body.String(), "KHÔNG hợp lệ") {
		t.Errorf("tampered upload page does not say the document is not valid")
	}
}

func TestVerifyUnregistered(t *testing.T) {
	f := newFixture(t)
	b, ct := multipartPDF(t, "file", f.unregistered)
	req := httptest.NewRequest("POST", "/api/v1/verify", b)
	req.Header.Set("Content-Type", ct)
	w := f.do(req)
	if !strings.Contains(w.Body.String(), `"indication":"INDETERMINATE"`) || !strings.Contains(w.Body.String(), `"sub_indication":"NOT_REGISTERED"`) {
		t.Errorf("unregistered diploma: %s, want INDETERMINATE NOT_REGISTERED", w.Body.String())
	}
	b, ct = multipartPDF(t, "file", f.unregistered)
	req = httptest.NewRequest("POST", "/verify", b)
	req.Header.Set("Content-Type", ct)
	w = f.do(req)
	if body := w.Body.String(); strings.Contains(body, "Tài liệu hợp lệ") || !strings.Contains(body, "không có trong sổ đăng ký") {
		t.Errorf("the page for an unregistered diploma must not say it is valid, and must say it is not registered")
	}
}

func TestVerifyBusy(t *testing.T) {
	f := newFixture(t)
	// Every slot taken: an upload is refused with 503 after waiting.
	for range cap(f.srv.slots) {
		f.srv.slots <- struct{}{}
	}
	req := httptest.NewRequest("POST", "/api/v1/verify", bytes.NewReader(f.pdf))
	req.Header.Set("Content-Type", "application/pdf")
	w := f.do(req)
	if w.Code != 503 || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), `"code":"busy"`) {
		t.Fatalf("busy server: %d %s, want 503 busy with Retry-After", w.Code, w.Body.String())
	}
	<-f.srv.slots
	w = f.do(httptest.NewRequest("POST", "/api/v1/verify", bytes.NewReader(f.pdf)))
	if w.Code == 503 {
		t.Fatal("a free slot still gave 503")
	}
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	srv, err := New(Config{
		Credentials: f.store, Verify: f.srv.cfg.Verify, Logger: f.srv.cfg.Logger,
		PageLimit: &RateLimit{Rate: 1, Burst: 3}, UploadLimit: &RateLimit{Rate: 0.1, Burst: 1},
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(remote string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/v/"+f.id.String(), nil)
		req.RemoteAddr = remote
		req.Header.Set("X-Forwarded-For", "203.0.113.9") // not trusted: ignored
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	for i := range 3 {
		if w := get("198.51.100.1:1234"); w.Code != 200 {
			t.Fatalf("request %d within the burst: %d", i+1, w.Code)
		}
	}
	w := get("198.51.100.1:1234")
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("over the burst: %d Retry-After %q, want 429 and 1", w.Code, w.Header().Get("Retry-After"))
	}
	if w := get("198.51.100.2:1234"); w.Code != 200 {
		t.Fatalf("another client: %d, want 200", w.Code)
	}
	now = now.Add(time.Second)
	if w := get("198.51.100.1:1234"); w.Code != 200 {
		t.Fatalf("after a second: %d, want 200", w.Code)
	}
	// The home page is not limited.
	for range 10 {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = "198.51.100.1:1234"
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("home page: %d", w.Code)
		}
	}
}

// pathParam matches a gin path parameter, ":name".
var pathParam = regexp.MustCompile(`:([a-z]+)`)

// TestOpenAPI: the description parses, and documents exactly the /api/
// routes the router serves, with the error codes renderError produces.
func TestOpenAPI(t *testing.T) {
	f := newFixture(t)
	w := f.do(httptest.NewRequest("GET", "/api/openapi.json", nil))
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/openapi.json = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, r := range f.srv.gin.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		p := pathParam.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + p
		served[key] = true
		if _, ok := doc.Paths[p][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s is not documented", key)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !served[m+" "+p] {
				t.Errorf("documented %s %s is not served", m, p)
			}
		}
	}
	for _, code := range []string{"malformed_id", "not_found", "too_large", "not_pdf", "busy", "rate_limited", "internal"} {
		if !strings.Contains(w.Body.String(), `"`+code+`"`) {
			t.Errorf("error code %q is not documented", code)
		}
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	f.do(httptest.NewRequest("GET", "/v/"+f.id.String(), nil))
	f.do(httptest.NewRequest("GET", "/v/not-an-id", nil))
	req := httptest.NewRequest("POST", "/api/v1/verify", bytes.NewReader(f.pdf))
	req.Header.Set("Content-Type", "application/pdf")
	f.do(req)
	w := f.do(httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	for _, want := range []string{
		`kyso_http_requests_total{code="200",route="/v/:id"} 1`,
		`kyso_http_requests_total{code="400",route="/v/:id"} 1`,
		`kyso_verifications_total{indication="TOTAL_PASSED",sub_indication=""} 1`,
		"kyso_http_request_duration_seconds_bucket",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, f.id.String()) {
		t.Error("/metrics exposes a credential ID")
	}
}

func TestHealthz(t *testing.T) {
	f := newFixture(t)
	if w := f.do(httptest.NewRequest("GET", "/healthz", nil)); w.Code != 200 {
		t.Fatalf("healthz = %d, want 200", w.Code)
	}
	f.store.Close()
	if w := f.do(httptest.NewRequest("GET", "/healthz", nil)); w.Code != 503 {
		t.Fatalf("healthz with the registry closed = %d, want 503", w.Code)
	}
}

func TestHomeAndStatic(t *testing.T) {
	f := newFixture(t)
	w := f.do(httptest.NewRequest("GET", "/", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `enctype="multipart/form-data"`) {
		t.Fatalf("home = %d, want 200 with an upload form", w.Code)
	}
	w = f.do(httptest.NewRequest("GET", "/static/site.css", nil))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("site.css = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if w := f.do(httptest.NewRequest("GET", "/static/../server.go", nil)); w.Code == 200 {
		t.Fatal("static handler served a file outside static/")
	}
}

// minimalPDF is a valid one-page PDF without signatures.
func minimalPDF() []byte {
	var b bytes.Buffer
	offs := []int{}
	b.WriteString("%PDF-1.4\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	}
	for i, o := range objs {
		offs = append(offs, b.Len())
		b.WriteString(itoa(int64(i+1)) + " 0 obj\n" + o + "\nendobj\n")
	}
	x := b.Len()
	b.WriteString("xref\n0 4\n0000000000 65535 f \n")
	for _, o := range offs {
		s := itoa(int64(o))
		b.WriteString(strings.Repeat("0", 10-len(s)) + s + " 00000 n \n")
	}
	b.WriteString("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n" + itoa(int64(x)) + "\n%%EOF\n")
	return b.Bytes()
}

// TestSupersededPage: a superseded credential says so and links to its
// replacement, and the replacement links back.
func TestSupersededPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	newID, err := registry.NewID(bytes.NewReader(bytes.Repeat([]byte{5}, 13)))
	if err != nil {
		t.Fatal(err)
	}
	err = f.store.Issue(ctx, &registry.Credential{
		ID: newID, Kind: registry.KindDiploma, LayoutVersion: "diploma/v1",
		Public:         registry.PublicFields{HolderName: "Nguyễn Văn Nghĩa", DateOfBirth: "01/01/2006", Year: 2024, School: "Trường THPT Chuyên Bến Tre", Serial: "T 00999999"},
		DocumentSHA256: [32]byte{1}, SignedSHA256: [32]byte{2},
		IssuedAt: issuedAt, Issuer: "CN=test",
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Supersede(ctx, f.id, newID, "đính chính ngày sinh", "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	w := f.do(httptest.NewRequest("GET", "/v/"+f.id.String(), nil))
	body := w.Body.String()
	if !strings.Contains(body, "Đã được thay thế") || !strings.Contains(body, `href="/v/`+newID.String()+`"`) {
		t.Errorf("superseded page lacks its status or the link to %s", newID)
	}
	if strings.Contains(body, "đính chính ngày sinh") {
		t.Error("the public page shows the free-text reason")
	}
	w = f.do(httptest.NewRequest("GET", "/api/v1/credentials/"+newID.String(), nil))
	if !strings.Contains(w.Body.String(), `"supersedes":"`+f.id.String()+`"`) {
		t.Errorf("JSON of the replacement: %s", w.Body.String())
	}
}
