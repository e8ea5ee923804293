package staffweb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/reqid"
	"github.com/kyso-vn/kyso/workflow"
)

// TestMessages checks that every message a template or the code names
// exists in both languages.
func TestMessages(t *testing.T) {
	for k, m := range messages {
		if k != "err.none" && (m[0] == "" || m[1] == "") {
			t.Errorf("message %q lacks a language: %q", k, m)
		}
		if strings.Count(m[0], "%") != strings.Count(m[1], "%") {
			t.Errorf("message %q: the languages take different arguments: %q", k, m)
		}
	}
	key := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	err := fs.WalkDir(assets, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := assets.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range key.FindAllStringSubmatch(string(data), -1) {
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s uses message %q, which i18n.go lacks", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range workflow.Roles {
		if _, ok := messages["role."+string(r)]; !ok {
			t.Errorf("no name for role %s", r)
		}
	}
	for _, k := range []string{workflow.KindDiploma, workflow.KindGradebook, workflow.KindTranscript} {
		if _, ok := messages["kind."+k]; !ok {
			t.Errorf("no name for kind %s", k)
		}
	}
	for _, a := range []string{workflow.ActionLogin, workflow.ActionImport, workflow.ActionSign, workflow.ActionSignFailed, workflow.ActionDownload,
		workflow.ActionUploadRejected, workflow.ActionRegister, workflow.ActionCorrect, workflow.ActionDenied} {
		if _, ok := messages["action."+a]; !ok {
			t.Errorf("no name for audit action %s", a)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("open key: %w", hsm.ErrWrongPIN), http.StatusBadRequest, "wrong_pin"},
		{hsm.ErrPINLocked, http.StatusForbidden, "pin_locked"},
		{hsm.ErrTokenInUse, http.StatusConflict, "token_in_use"},
		{hsm.ErrTokenNotFound, http.StatusServiceUnavailable, "hsm_unavailable"},
		{hsm.ErrNoModule, http.StatusServiceUnavailable, "hsm_unavailable"},
		{hsm.ErrTokenRemoved, http.StatusServiceUnavailable, "hsm_unavailable"},
		{workflow.ErrConflict, http.StatusConflict, "conflict"},
		{&workflow.UploadError{File: "x.pdf", Reason: "r"}, http.StatusUnprocessableEntity, "upload_mismatch"},
		{workflow.ErrImportRefused, http.StatusUnprocessableEntity, "import_refused"},
		{fmt.Errorf("x: %w", workflow.ErrInvalid), http.StatusBadRequest, "invalid"},
		{workflow.ErrForbidden, http.StatusForbidden, "forbidden"},
		{workflow.ErrNotFound, http.StatusNotFound, "not_found"},
		{&workflow.LockedError{Until: time.Date(2025, 6, 2, 1, 15, 0, 0, time.UTC)}, http.StatusLocked, "locked_out"},
		{workflow.ErrBadCredentials, http.StatusUnauthorized, "bad_credentials"},
		{workflow.ErrSessionExpired, http.StatusUnauthorized, "session_expired"},
		{workflow.ErrBadCSRF, http.StatusForbidden, "bad_csrf"},
		{&tooLargeError{32 << 20}, http.StatusRequestEntityTooLarge, "too_large"},
		{workflow.ErrStopped, http.StatusServiceUnavailable, "stopped"},
		{workflow.ErrNotYourTurn, http.StatusConflict, "not_your_turn"},
		{errors.New("disk on fire"), http.StatusInternalServerError, "internal"},
	}
	for _, tc := range tests {
		pe := classify(tc.err)
		if pe.Status != tc.status || pe.Code != tc.code {
			t.Errorf("classify(%v) = %d %s, want %d %s", tc.err, pe.Status, pe.Code, tc.status, tc.code)
		}
		for _, lang := range []string{"vi", "en"} {
			if m := pe.Message(lang); m == "" || strings.Contains(m, "!") || strings.Contains(m, "%!") {
				t.Errorf("classify(%v) message in %s: %q", tc.err, lang, m)
			}
		}
	}
	if m := classify(&workflow.LockedError{Until: time.Date(2025, 6, 2, 1, 15, 0, 0, time.UTC)}).Message("vi"); m != "Tài khoản tạm khoá đến 08:15 do nhập sai mật khẩu nhiều lần." {
		t.Errorf("lock-out message %q", m)
	}
	if m := classify(&tooLargeError{32 << 20}).Message("vi"); !strings.Contains(m, "32 MB") {
		t.Errorf("too large message %q", m)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	l := newLimiter(2, time.Minute, func() time.Time { return now })
	for i, want := range []bool{true, true, false, false} {
		if got := l.allow("a"); got != want {
			t.Fatalf("attempt %d: %v, want %v", i+1, got, want)
		}
	}
	if !l.allow("b") {
		t.Fatal("another client is limited")
	}
	now = now.Add(30 * time.Second)
	if !l.allow("a") || l.allow("a") {
		t.Fatal("half a minute later: want one more attempt")
	}
	now = now.Add(2 * time.Minute)
	l.prune(now)
	if len(l.clients) != 0 {
		t.Fatalf("%d clients kept after the window", len(l.clients))
	}
}

func TestParseSecretForm(t *testing.T) {
	f, err := parseSecretForm([]byte("csrf=abc&id=1&id=2&pin=12%2534+x&next=%2Fstaff%2Fq"), "pin")
	if err != nil {
		t.Fatal(err)
	}
	if string(f.secret) != "12%34 x" || f.values.Get("csrf") != "abc" || !slices.Equal(f.values["id"], []string{"1", "2"}) || f.values.Get("next") != "/staff/q" {
		t.Fatalf("parsed %q %v", f.secret, f.values)
	}
	if f.values.Has("pin") {
		t.Error("the PIN is among the string values")
	}
	f.wipe()
	if !bytes.Equal(f.secret, make([]byte, len(f.secret))) {
		t.Error("wipe left the PIN")
	}
	for _, bad := range []string{"pin=1&pin=2", "pin=%zz", "pin=%4", "a%zz=1", "x=%"} {
		if _, err := parseSecretForm([]byte(bad), "pin"); !errors.Is(err, errBadForm) {
			t.Errorf("parseSecretForm(%q): %v, want errBadForm", bad, err)
		}
	}
}

func TestReadBody(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	for _, hint := range []int64{-1, 0, 10, 10000, 1 << 20} {
		got, tooLarge, err := readBody(iotest.OneByteReader(bytes.NewReader(data)), hint, 10000)
		if err != nil || tooLarge || !bytes.Equal(got, data) {
			t.Errorf("hint %d: %d bytes, %v, %v", hint, len(got), tooLarge, err)
		}
		if _, tooLarge, _ := readBody(bytes.NewReader(data), hint, 9999); !tooLarge {
			t.Errorf("hint %d: over the limit not refused", hint)
		}
	}
}

// FuzzParseSecretForm checks the PIN form parser against net/url's: the
// same fields and values, the secret decoded the same.
func FuzzParseSecretForm(f *testing.F) {
	for _, s := range []string{
		"csrf=abc&id=7KQ2M9P-X4R8T1B-HC0WZ3D&id=7KQ2M9P-X4R8T1B-HC0WZ3E&pin=123456",
		"pin=m%E1%BA%ADt+kh%E1%BA%A9u&csrf=x",
		"username=ha.nguyen&password=p%26ss%3Dword&csrf=Zm9v&next=%2Fstaff%2Fqueue",
		"&&=&pin=&a", "pin", "%", "pin=%", "a=b;c=d",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseSecretForm(slices.Clone(body), "pin")
		want, werr := url.ParseQuery(string(body))
		if werr != nil {
			// net/url also refuses semicolons, which this parser
			// keeps in values; nothing to compare.
			return
		}
		if len(want["pin"]) > 1 {
			if err == nil {
				t.Fatalf("%q: two PINs accepted", body)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: %v, but net/url parses it", body, err)
		}
		if pins := want["pin"]; len(pins) == 1 && string(got.secret) != pins[0] {
			t.Fatalf("%q: PIN %q, want %q", body, got.secret, pins[0])
		}
		delete(want, "pin")
		if len(want) == 0 {
			want = url.Values{}
		}
		if fmt.Sprint(got.values) != fmt.Sprint(want) {
			t.Fatalf("%q: values %v, want %v", body, got.values, want)
		}
	})
}

func TestSplitProblem(t *testing.T) {
	tests := []struct {
		in    string
		want  importProblem
		where string
	}{
		{`so-diem.csv row 5 column T ("ddggk"): "18.5" is not a mark`,
			importProblem{File: "so-diem.csv", Unit: "row", Number: "5", Column: "T", Field: "ddggk", Text: `"18.5" is not a mark`}, "dòng 5, cột T"},
		{`record 2: Sổ điểm Toán: field gvbm-toan: the record names "A", but the teacher is "B"`,
			importProblem{Unit: "record", Number: "2", Field: "gvbm-toan", Text: `the record names "A", but the teacher is "B"`}, "bản ghi 2"},
		{`graduates.xlsx row 14: field "ngay_sinh": "31/02/2007" is not a date`,
			importProblem{File: "graduates.xlsx", Unit: "row", Number: "14", Field: "ngay_sinh", Text: `"31/02/2007" is not a date`}, "dòng 14"},
		{`record 1: Sổ điểm appears twice in the file`, importProblem{Text: `record 1: Sổ điểm appears twice in the file`}, ""},
	}
	for _, tc := range tests {
		got := splitProblem(tc.in)
		if got != tc.want || got.where("vi") != tc.where {
			t.Errorf("splitProblem(%q) = %+v %q, want %+v %q", tc.in, got, got.where("vi"), tc.want, tc.where)
		}
	}
}

func TestProblemLines(t *testing.T) {
	got := problemLines("2 problems:\n  a.csv row 4 column P (\"x\"): bad\n  a.csv row 4 column K (\"y\"): worse")
	want := []string{`a.csv row 4 column P ("x"): bad`, `a.csv row 4 column K ("y"): worse`}
	if !slices.Equal(got, want) {
		t.Errorf("problemLines: %q, want %q", got, want)
	}
	if got := problemLines("one: problem"); !slices.Equal(got, []string{"one: problem"}) {
		t.Errorf("problemLines of one: %q", got)
	}
}

// TestBatchContext: a batch outlives its request (a browser closed
// half-way) but not the service's stop, and keeps the request ID.
func TestBatchContext(t *testing.T) {
	stopping, stop := context.WithCancel(context.Background())
	h := &Handler{cfg: Config{Stopping: stopping}}
	req := httptest.NewRequest(http.MethodPost, "/staff/sign", nil)
	reqCtx, cancelReq := context.WithCancel(reqid.With(context.Background(), "req-1"))
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = req.WithContext(reqCtx)
	ctx, cancel := h.batchContext(c)
	defer cancel()
	cancelReq()
	if ctx.Err() != nil {
		t.Fatal("the batch ended with its request")
	}
	if reqid.From(ctx) != "req-1" {
		t.Fatal("the batch lost the request ID")
	}
	stop()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the batch did not end when the service stopped")
	}
}

func TestClientKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"::ffff:192.0.2.7", "::ffff:192.0.2.7"},
		{"not an address", "not an address"},
	} {
		if got := clientKey(tc.in); got != tc.want {
			t.Errorf("clientKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestLimiterRefundAndFlood: a successful login gives its token back, and a
// flood of clients does not shut new ones out.
func TestLimiterRefundAndFlood(t *testing.T) {
	now := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	l := newLimiter(2, time.Minute, func() time.Time { return now })
	for range 10 {
		if !l.allow("staff-room") {
			t.Fatal("successful logins were limited")
		}
		l.refund("staff-room")
	}
	l.allow("staff-room")
	l.allow("staff-room")
	if l.allow("staff-room") {
		t.Fatal("a third failure within the window was allowed")
	}
	for i := range maxLimiterClients + 10 {
		l.allow(fmt.Sprint("flood-", i))
	}
	if !l.allow("newcomer") {
		t.Fatal("a new client was refused after a flood")
	}
}
