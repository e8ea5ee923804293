package server

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kyso-vn/kyso/internal/testenv"
)

// browser starts headless Chromium (testenv.Browser).
func browser(t *testing.T) context.Context {
	t.Helper()
	return testenv.Browser(t, 60*time.Second)
}

// TestBrowserQRAndUpload does what an employer does: opens the URL of a
// diploma's QR code, reads the status, uploads the PDF with the form (no
// JavaScript involved) and reads the verdict; then uploads a tampered copy.
func TestBrowserQRAndUpload(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	ctx := browser(t)

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

	do(chromedp.Navigate(ts.URL + "/v/" + f.id.String()))
	if banner, name := text(".banner strong"), text("dd.name"); banner != "Còn hiệu lực" || name != "Nguyễn Văn Nghĩa" {
		t.Errorf("QR page shows %q / %q, want Còn hiệu lực / Nguyễn Văn Nghĩa", banner, name)
	}

	dir := t.TempDir()
	good := filepath.Join(dir, "diploma.pdf")
	os.WriteFile(good, f.pdf, 0o644)
	bad := filepath.Join(dir, "tampered.pdf")
	os.WriteFile(bad, []byte(strings.Replace(string(f.pdf), "/Producer", "/Producex", 1)), 0o644)

	upload := func(path string) string {
		t.Helper()
		do(
			chromedp.Navigate(ts.URL+"/"),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path}),
			chromedp.Click(chromedp.CSS(`form.upload button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(".banner")),
		)
		return text(".banner")
	}
	if v := upload(good); !strings.Contains(v, "Tài liệu hợp lệ") {
		t.Errorf("upload of the issued PDF: %q, want Tài liệu hợp lệ", v)
	}
	if v := upload(bad); !strings.Contains(v, "KHÔNG hợp lệ") || !strings.Contains(v, "thay đổi") {
		t.Errorf("upload of a tampered PDF: %q, want KHÔNG hợp lệ and an explanation", v)
	}

	// The English switch.
	do(
		chromedp.Navigate(ts.URL+"/v/"+f.id.String()),
		chromedp.Click(chromedp.CSS(".lang a")),
		chromedp.WaitReady(chromedp.CSS(`html[lang="en"] .banner`)),
	)
	if en := text(".banner strong"); en != "Valid" {
		t.Errorf("English page status %q, want Valid", en)
	}
}
