package staffweb

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kyso-vn/kyso/internal/testenv"

	"github.com/kyso-vn/kyso/server"
	"github.com/kyso-vn/kyso/verify"
	"github.com/kyso-vn/kyso/workflow"
	"github.com/kyso-vn/kyso/workflow/workflowtest"
)

// browser starts headless Chromium (testenv.Browser).
func browser(t *testing.T) context.Context {
	t.Helper()
	return testenv.Browser(t, 120*time.Second, chromedp.WindowSize(1280, 900))
}

// site serves the public verification site with the staff handler mounted
// under /staff/, as kyso staff serve does.
func site(t *testing.T, env *workflowtest.Env) *httptest.Server {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(&syncBuffer{}, nil))
	staff, err := New(Config{Auth: env.Auth, Service: env.Service, Logger: logger, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	roots := env.Service.Roots
	srv, err := server.New(server.Config{
		Credentials: env.Registry,
		Verify: func(ctx context.Context, data []byte) (*verify.Report, error) {
			return verify.PDFContext(ctx, data, verify.Options{Roots: roots, Now: env.Clock.Now, Credentials: server.RegistryLookup{Store: env.Registry}})
		},
		Logger: logger, BaseURL: env.Service.BaseURL, Staff: staff, Now: env.Clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// shooter saves full-page screenshots in $STAFFWEB_SCREENSHOTS, when set.
// The viewport is made as tall as the page first, so that the sticky
// action bar sits where it does at the end of the page.
type shooter struct {
	t      *testing.T
	ctx    context.Context
	dir    string
	width  int64
	mobile bool
}

func (s *shooter) shot(name string) {
	s.t.Helper()
	if s.dir == "" {
		return
	}
	height, err := chromedp.Run(s.ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
	if err != nil {
		s.t.Fatal(err)
	}
	var opts []chromedp.EmulateViewportOption
	if s.mobile {
		opts = append(opts, chromedp.EmulateScale(2))
	}
	if err := chromedp.Do(s.ctx, chromedp.EmulateViewport(s.width, height, opts...)); err != nil {
		s.t.Fatal(err)
	}
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := chromedp.Do(s.ctx, chromedp.EmulateViewport(s.width, 900, opts...)); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// view saves what the screen shows, without resizing.
func (s *shooter) view(name string) {
	s.t.Helper()
	if s.dir == "" {
		return
	}
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// TestBrowserSignBatch does what the Sở's director does: opens the staff
// site, logs in with the form, sees the diplomas waiting, ticks them all,
// types the PIN of their key, signs, and then opens the public page of a
// diploma, which says it is valid. With STAFFWEB_SCREENSHOTS=DIR it also
// saves screenshots of the pages along the way.
func TestBrowserSignBatch(t *testing.T) {
	ctx := browser(t)
	env := workflowtest.New(t, workflowtest.Options{USB: []string{workflowtest.MathTeacher}})
	docs := importAs(t, env, workflow.KindDiploma, "bang-tn-2024.csv", workflowtest.Diplomas(t, 6))
	ts := site(t, env)
	shots := &shooter{t: t, ctx: ctx, dir: os.Getenv("STAFFWEB_SCREENSHOTS"), width: 1280}
	if shots.dir != "" {
		if err := os.MkdirAll(shots.dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	login := func(username string) {
		t.Helper()
		do(
			chromedp.Navigate(ts.URL+"/staff/"),
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), username),
			chromedp.SendKeys(chromedp.CSS("#password"), workflowtest.Password),
		)
		shots.shot("01-login")
		do(
			chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("nav.main")),
		)
	}

	login(workflowtest.Director)
	do(chromedp.WaitVisible(chromedp.CSS("#batch")))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[name=id]').length`)); err != nil || n != len(docs) {
		t.Fatalf("the queue offers %d documents (%v), want %d", n, err, len(docs))
	}
	// The script shows "select all"; tick it, as the director would.
	do(
		chromedp.WaitVisible(chromedp.CSS("input[data-select-all]")),
		chromedp.Click(chromedp.CSS("input[data-select-all]")),
	)
	if n := text("[data-selected-count]"); n != "6" {
		t.Fatalf("selected count %q after select all, want 6", n)
	}
	do(chromedp.SendKeys(chromedp.CSS("#pin"), env.People[workflowtest.Director].PIN))
	shots.shot("02-queue")
	do(
		chromedp.Click(chromedp.CSS(`.action-bar button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".stats")),
	)
	if got := text(`[data-stat="published"]`); got != "6" {
		t.Fatalf("result page: %s published, want 6", got)
	}
	shots.shot("03-result")
	if pin, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); strings.Contains(pin, env.People[workflowtest.Director].PIN) {
		t.Error("the result page holds the PIN")
	}

	// The public page of one diploma: valid.
	do(chromedp.Navigate(ts.URL+"/v/"+docs[0].ID), chromedp.WaitVisible(chromedp.CSS(".banner strong")))
	if got := text(".banner strong"); got != "Còn hiệu lực" {
		t.Fatalf("public page of %s says %q, want Còn hiệu lực", docs[0].ID, got)
	}
	shots.shot("04-public")

	if shots.dir == "" {
		return
	}
	// Screenshots of the other pages.
	do(chromedp.Navigate(ts.URL+"/staff/documents/"+docs[0].ID), chromedp.WaitVisible(chromedp.CSS("table.steps")), chromedp.Sleep(3*time.Second))
	shots.shot("05-document")
	do(chromedp.Navigate(ts.URL+"/staff/progress"), chromedp.WaitVisible(chromedp.CSS("main")))
	shots.shot("06-progress-so")
	do(chromedp.Click(chromedp.CSS("nav.main form.logout button")), chromedp.WaitVisible(chromedp.CSS("#username")))

	// The school: gradebooks waiting for the math teacher (USB token) and
	// the literature teacher; the admin's import refused with problems.
	importAs(t, env, workflow.KindGradebook, "so-diem-10A1.csv", workflowtest.Gradebooks(t, 30, "Toán", "Ngữ văn", "Tiếng Anh"))
	importAs(t, env, workflow.KindTranscript, "hoc-ba-10A1.csv", workflowtest.Transcripts(t, 8))
	lit := env.People["ngoc.tran"]
	queue, err := env.Store.Queue(context.Background(), lit.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Service.SignBatch(context.Background(), lit.Account, docIDs(queue), []byte(lit.PIN)); err != nil {
		t.Fatal(err)
	}
	login(workflowtest.SchoolAdmin)
	do(chromedp.Navigate(ts.URL+"/staff/progress"), chromedp.WaitVisible(chromedp.CSS("table.progress")))
	shots.shot("07-progress-school")
	do(chromedp.Click(chromedp.CSS("table.progress a")), chromedp.WaitVisible(chromedp.CSS("table.list")))
	shots.shot("14-documents")
	do(chromedp.Navigate(ts.URL+"/staff/imports"), chromedp.WaitVisible(chromedp.CSS("#file")))
	shots.shot("08-imports")
	bad := bytes.Replace(workflowtest.Gradebooks(t, 5, "Vật lí"), []byte(",8.5"), []byte(",18.5"), 1)
	bad = bytes.Replace(bad, []byte(",10/01/2025,3,"), []byte(",31/02/2025,3,"), 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "so-diem-vat-li.csv")
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	do(
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path}),
		chromedp.Click(chromedp.CSS(`form.upload button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".card-head .badge")),
	)
	shots.shot("09-import-errors")
	do(chromedp.Click(chromedp.CSS("nav.main form.logout button")), chromedp.WaitVisible(chromedp.CSS("#username")))
	login(workflowtest.MathTeacher)
	do(chromedp.WaitVisible(chromedp.CSS("#usb")))
	shots.shot("10-queue-usb")
	do(chromedp.Navigate(ts.URL+"/staff/imports"), chromedp.WaitVisible(chromedp.CSS(".banner")))
	shots.shot("15-forbidden")
	do(chromedp.Click(chromedp.CSS("nav.main form.logout button")), chromedp.WaitVisible(chromedp.CSS("#username")))
	login("tuan.le")
	do(chromedp.WaitVisible(chromedp.CSS("#batch")), chromedp.SendKeys(chromedp.CSS("#pin"), "000000"),
		chromedp.Click(chromedp.CSS("input[name=id]")),
		chromedp.Click(chromedp.CSS(`.action-bar button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".banner")))
	shots.shot("11-wrong-pin")
	shots.width, shots.mobile = 390, true
	do(chromedp.EmulateViewport(390, 900, chromedp.EmulateScale(2)), chromedp.Navigate(ts.URL+"/staff/queue?lang=en"), chromedp.WaitVisible(chromedp.CSS("#batch")))
	shots.shot("12-queue-mobile-en")
	shots.view("13-queue-mobile-en-screen")
}
