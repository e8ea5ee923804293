package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/registry/pgtest"
)

// staffSetup makes a data folder with a development CA and a staff
// configuration listening on addr, and returns the configuration's path.
func staffSetup(t *testing.T, addr string) (dir, config string) {
	t.Helper()
	dir = t.TempDir()
	if r := kyso(t, dir, nil, "ca", "init", "--dir", "ca"); r.code != 0 {
		t.Fatalf("ca init: %s", r.stderr)
	}
	config = filepath.Join(dir, "kyso.toml")
	body := fmt.Sprintf("listen = %q\nbase_url = \"http://%s\"\ndata_dir = \"data\"\n[trust]\nroots = \"ca/root.pem\"\n[log]\nformat = \"json\"\n[shutdown]\ngrace = \"2s\"\n[sessions]\ncookie_secure = false\n", addr, addr)
	if err := os.WriteFile(config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, config
}

func TestStaffAdminCommands(t *testing.T) {
	dir, config := staffSetup(t, "127.0.0.1:1")
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("mật khẩu đủ dài\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args []string
		code int
	}{
		{[]string{"staff", "org", "add", "--config", config, "--id", "so-ben-tre", "--kind", "department", "--name", "Sở Giáo dục và Đào tạo Bến Tre"}, 0},
		{[]string{"staff", "org", "add", "--config", config, "--id", "thpt-a", "--kind", "school", "--name", "Trường THPT A", "--parent", "so-ben-tre"}, 0},
		{[]string{"staff", "org", "add", "--config", config, "--id", "thpt-a", "--kind", "school", "--name", "Trường THPT A", "--parent", "so-ben-tre"}, 1},
		{[]string{"staff", "user", "add", "--config", config, "--username", "it.a", "--name", "Lý Minh Khoa", "--org", "thpt-a", "--roles", "school_admin", "--password-file", pw}, 0},
		{[]string{"staff", "user", "add", "--config", config, "--username", "ha.nguyen", "--name", "Nguyễn Thị Thu Hà", "--org", "thpt-a", "--roles", "subject_teacher", "--password-file", pw}, 0},
		{[]string{"staff", "user", "add", "--config", config, "--username", "x", "--name", "X", "--org", "thpt-a", "--roles", "wizard", "--password-file", pw}, 1},
		{[]string{"staff", "assign", "--config", config, "--username", "ha.nguyen", "--role", "subject_teacher", "--year", "2024-2025", "--class", "10A1", "--subject", "Toán"}, 0},
		{[]string{"staff", "assign", "--config", config, "--username", "it.a", "--role", "homeroom_teacher", "--year", "2024-2025", "--class", "10A1"}, 1},
		{[]string{"staff", "user", "disable", "--config", config, "--username", "ha.nguyen"}, 0},
		{[]string{"staff", "user", "add", "--config", filepath.Join(dir, "missing.toml"), "--username", "y"}, 1},
	}
	for _, s := range steps {
		r := kyso(t, dir, nil, s.args...)
		if r.code != s.code {
			t.Fatalf("kyso %s: exit %d, want %d\n%s", strings.Join(s.args, " "), r.code, s.code, r.stderr)
		}
		if strings.Contains(r.stderr, "mật khẩu đủ dài") {
			t.Fatalf("kyso %s printed the password", strings.Join(s.args, " "))
		}
	}
	r := kyso(t, dir, nil, "staff", "token", "new", "--config", config, "--username", "it.a", "--name", "SMAS", "--scopes", "import,read")
	if r.code != 0 || !strings.HasPrefix(strings.TrimSpace(r.stdout), "kyso_") {
		t.Fatalf("token new: %d %q %s", r.code, r.stdout, r.stderr)
	}
	id := strings.Split(strings.TrimSpace(r.stdout), "_")[1]
	if r := kyso(t, dir, nil, "staff", "token", "revoke", "--config", config, id); r.code != 0 {
		t.Fatalf("token revoke: %s", r.stderr)
	}
	if r := kyso(t, dir, nil, "staff", "token", "new", "--config", config, "--username", "it.a", "--name", "x", "--scopes", "everything"); r.code == 0 {
		t.Fatal("a token with an unknown scope was made")
	}
}

// TestStaffServeStopsCleanly runs 'kyso staff serve', reads a page, checks
// the JSON log (request IDs, no personal data), and stops it with SIGTERM.
func TestStaffServeStopsCleanly(t *testing.T) {
	testStaffServe(t, nil)
}

// TestStaffServeOnPostgres runs the same with both databases in
// PostgreSQL, named by the environment as an operator would.
func TestStaffServeOnPostgres(t *testing.T) {
	srv := pgtest.Start(t)
	testStaffServe(t, []string{"KYSO_REGISTRY_URL=" + srv.NewDatabase(t), "KYSO_WORKFLOW_URL=" + srv.NewDatabase(t)})
}

func testStaffServe(t *testing.T, env []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir, config := staffSetup(t, addr)
	if env != nil {
		// The accounts live in PostgreSQL too: add one there.
		pw := filepath.Join(dir, "pw")
		os.WriteFile(pw, []byte("mật khẩu đủ dài\n"), 0o600)
		for _, args := range [][]string{
			{"staff", "org", "add", "--config", config, "--id", "so-ben-tre", "--kind", "department", "--name", "Sở Giáo dục và Đào tạo Bến Tre"},
			{"staff", "user", "add", "--config", config, "--username", "so.admin", "--name", "Phạm Quốc Bảo", "--org", "so-ben-tre", "--roles", "so_admin", "--password-file", pw},
		} {
			if r := kyso(t, dir, env, args...); r.code != 0 {
				t.Fatalf("kyso %s: %s", strings.Join(args, " "), r.stderr)
			}
		}
	}
	cmd := exec.Command(kysoBin, "staff", "serve", "--config", config)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		req, _ := http.NewRequest("GET", "http://"+addr+"/staff/login?ho_ten=Nguy%E1%BB%85n", nil)
		req.Header.Set("X-Request-ID", "test-req-1")
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("GET /staff/login: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<form")) || resp.Header.Get("X-Request-ID") != "test-req-1" {
		t.Fatalf("GET /staff/login = %d, request ID %q", resp.StatusCode, resp.Header.Get("X-Request-ID"))
	}
	if env != nil {
		loginThroughForm(t, "http://"+addr, "so.admin", "mật khẩu đủ dài")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("staff serve after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("staff serve did not stop within 15 s of SIGTERM")
	}
	var sawRequest, sawStopped bool
	for l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if strings.Contains(l, "Nguy") {
			t.Errorf("log holds personal data from the query: %s", l)
		}
		if rec["request_id"] == "test-req-1" {
			sawRequest = true
		}
		if rec["msg"] == "stopped" {
			sawStopped = true
		}
	}
	if !sawRequest || !sawStopped {
		t.Fatalf("log: request logged with its ID %v, stopped %v", sawRequest, sawStopped)
	}
}

// loginThroughForm logs in through the login form and checks that it leads to
// the queue.
func loginThroughForm(t *testing.T, base, username, password string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/staff/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no login form token")
	}
	resp, err = c.PostForm(base+"/staff/login", url.Values{"csrf": {string(m[1])}, "username": {username}, "password": {password}, "next": {"/staff/queue"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/queue" {
		t.Fatalf("login as %s: %d %s", username, resp.StatusCode, resp.Header.Get("Location"))
	}
}
